//! The documentation plan the AI returns: extracted from whatever surrounds it (code fences,
//! a preamble, `<think>` blocks), parsed, and checked, so that a bad answer fails with a
//! message that can be quoted back to the AI in one retry.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

/// The plan: `project_name, tagline, navigation[{group, pages[{slug, title, description}]}]`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Plan {
    /// The project's display name.
    pub project_name: String,
    /// One line about the project.
    #[serde(default)]
    pub tagline: String,
    /// Navigation groups in order.
    pub navigation: Vec<NavGroup>,
}

/// One navigation group.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct NavGroup {
    /// The group's heading.
    pub group: String,
    /// Its pages in order.
    pub pages: Vec<PlannedPage>,
}

/// One page to write.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct PlannedPage {
    /// File-name-safe identifier.
    pub slug: String,
    /// The page's title.
    pub title: String,
    /// What the page covers; guides the page prompt.
    #[serde(default)]
    pub description: String,
}

/// The most pages one plan may ask for.
pub const MAX_PAGES: usize = 200;

impl Plan {
    /// Every page in navigation order.
    pub fn pages(&self) -> impl Iterator<Item = &PlannedPage> {
        self.navigation.iter().flat_map(|g| g.pages.iter())
    }

    /// The plan as stored in `plan_json`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// What is wrong with a plan, in words meant to be sent back to the AI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanProblem {
    #[error("the answer contains no JSON object")]
    NoJson,
    #[error("the JSON does not match the plan format: {0}")]
    Format(String),
    #[error("project_name is empty")]
    NoProjectName,
    #[error("the navigation has no pages")]
    NoPages,
    #[error("the plan has {0} pages; at most {MAX_PAGES} are allowed")]
    TooManyPages(usize),
    #[error("slug {0:?} must be lowercase letters, digits and '-' (and not \"index\")")]
    BadSlug(String),
    #[error("slug {0:?} appears more than once")]
    DuplicateSlug(String),
    #[error("page {0:?} has no title")]
    NoTitle(String),
}

/// Finds, parses and checks the plan in an AI answer.
pub fn parse_plan(answer: &str) -> Result<Plan, PlanProblem> {
    let json = extract_json_object(answer).ok_or(PlanProblem::NoJson)?;
    let mut plan: Plan =
        serde_json::from_str(json).map_err(|e| PlanProblem::Format(e.to_string()))?;
    check(&mut plan)?;
    Ok(plan)
}

fn check(plan: &mut Plan) -> Result<(), PlanProblem> {
    plan.project_name = plan.project_name.trim().to_string();
    if plan.project_name.is_empty() {
        return Err(PlanProblem::NoProjectName);
    }
    plan.navigation.retain(|g| !g.pages.is_empty());
    let count = plan.pages().count();
    if count == 0 {
        return Err(PlanProblem::NoPages);
    }
    if count > MAX_PAGES {
        return Err(PlanProblem::TooManyPages(count));
    }
    let mut seen = HashSet::new();
    for page in plan.navigation.iter_mut().flat_map(|g| g.pages.iter_mut()) {
        page.slug = page.slug.trim().to_lowercase();
        if !is_slug(&page.slug) {
            return Err(PlanProblem::BadSlug(page.slug.clone()));
        }
        if !seen.insert(page.slug.clone()) {
            return Err(PlanProblem::DuplicateSlug(page.slug.clone()));
        }
        if page.title.trim().is_empty() {
            return Err(PlanProblem::NoTitle(page.slug.clone()));
        }
    }
    Ok(())
}

fn is_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 100
        && slug != "index"
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The outermost JSON object in `answer`, after dropping `<think>…</think>` blocks: the
/// first `{` and its matching `}`, respecting strings and escapes.
pub fn extract_json_object(answer: &str) -> Option<&str> {
    let without_thinking = match answer.rfind("</think>") {
        Some(end) => &answer[end + "</think>".len()..],
        None => answer,
    };
    let start = without_thinking.find('{')?;
    let text = &without_thinking[start..];
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' if !in_string => depth += 1,
            '}' if !in_string => {
                depth -= 1;
                if depth == 0 {
                    return Some(&text[..=i]);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"{"project_name": "Acme", "tagline": "t", "navigation": [
        {"group": "Start", "pages": [{"slug": "intro", "title": "Intro", "description": "d"}]},
        {"group": "Empty", "pages": []}]}"#;

    #[test]
    fn a_plan_is_found_behind_fences_preambles_and_thinking() {
        for answer in [
            PLAN.to_string(),
            format!("```json\n{PLAN}\n```"),
            format!("Here is the plan you asked for:\n\n{PLAN}\n\nLet me know!"),
            format!("<think>maybe {{\"project_name\": 1}} no</think>\n{PLAN}"),
        ] {
            let plan = parse_plan(&answer).unwrap_or_else(|e| panic!("{e}: {answer}"));
            assert_eq!(plan.project_name, "Acme");
            assert_eq!(plan.navigation.len(), 1, "empty groups are dropped");
        }
    }

    #[test]
    fn braces_inside_strings_do_not_confuse_extraction() {
        let answer = r#"x {"a": "}{\"", "b": {"c": 1}} y"#;
        assert_eq!(
            extract_json_object(answer),
            Some(r#"{"a": "}{\"", "b": {"c": 1}}"#)
        );
    }

    #[test]
    fn bad_plans_are_explained() {
        let cases = [
            ("no json here", "contains no JSON object"),
            (
                "{\"project_name\": \"x\"}",
                "does not match the plan format",
            ),
            (
                "{\"project_name\": \" \", \"navigation\": []}",
                "project_name is empty",
            ),
            ("{\"project_name\": \"x\", \"navigation\": []}", "no pages"),
            (
                r#"{"project_name":"x","navigation":[{"group":"g","pages":[{"slug":"a b","title":"t"}]}]}"#,
                "slug",
            ),
            (
                r#"{"project_name":"x","navigation":[{"group":"g","pages":[{"slug":"a","title":"t"},{"slug":"A","title":"u"}]}]}"#,
                "more than once",
            ),
            (
                r#"{"project_name":"x","navigation":[{"group":"g","pages":[{"slug":"a","title":" "}]}]}"#,
                "no title",
            ),
        ];
        for (answer, expected) in cases {
            let error = parse_plan(answer).expect_err(answer);
            assert!(error.to_string().contains(expected), "{answer}: {error}");
        }
    }
}
