//! The book's three kinds of file, from the plan and the pages.

use docsfy_plugin_sdk::{Error, SiteFile, SiteInput};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Plan {
    project_name: Option<String>,
    #[serde(default)]
    tagline: String,
    navigation: Vec<Group>,
}

#[derive(Debug, Deserialize)]
struct Group {
    group: String,
    pages: Vec<PlannedPage>,
}

#[derive(Debug, Deserialize)]
struct PlannedPage {
    slug: String,
    title: String,
}

/// The book's files.
pub fn render(site: &SiteInput) -> Result<Vec<SiteFile>, Error> {
    let plan: Plan = serde_json::from_str(&site.plan_json)
        .map_err(|e| Error::InvalidInput(format!("the plan is not valid JSON: {e}")))?;
    let title = plan
        .project_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| site.project_name.clone());
    let mut files = vec![
        file("book.toml", book_toml(&title, &plan.tagline, site)),
        file("src/SUMMARY.md", summary(&plan)),
    ];
    for group in &plan.navigation {
        for planned in &group.pages {
            if !is_file_name(&planned.slug) {
                return Err(Error::InvalidInput(format!(
                    "page slug {:?} cannot be a file name",
                    planned.slug
                )));
            }
            let page = site
                .pages
                .iter()
                .find(|p| p.slug == planned.slug)
                .ok_or_else(|| {
                    Error::InvalidInput(format!(
                        "the plan lists page `{}` but no content was given for it",
                        planned.slug
                    ))
                })?;
            files.push(file(
                &format!("src/{}.md", planned.slug),
                page.markdown.clone(),
            ));
        }
    }
    Ok(files)
}

/// `book.toml`: the title, the tagline as description, and where the pages came from.
fn book_toml(title: &str, tagline: &str, site: &SiteInput) -> String {
    let mut toml = format!(
        "# Written by docsfy from {}@{} with {}/{}.\n[book]\ntitle = {}\n",
        one_line(&site.branch),
        one_line(&site.commit_sha),
        one_line(&site.provider),
        one_line(&site.model),
        toml_string(title)
    );
    if !tagline.is_empty() {
        toml.push_str(&format!("description = {}\n", toml_string(tagline)));
    }
    toml.push_str("language = \"en\"\nsrc = \"src\"\n\n[output.html]\n");
    toml
}

/// `SUMMARY.md`: each group a part, each page a chapter, in the plan's order.
fn summary(plan: &Plan) -> String {
    let mut text = String::from("# Summary\n");
    for group in &plan.navigation {
        text.push_str(&format!("\n# {}\n\n", one_line(&group.group)));
        for page in &group.pages {
            text.push_str(&format!(
                "- [{}]({}.md)\n",
                link_text(&page.title),
                page.slug
            ));
        }
    }
    text
}

/// A TOML basic string: JSON's escapes are TOML's.
fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

/// Text kept on one line, as a comment or heading needs.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A title as the text of a Markdown link: brackets escaped so it cannot end the link.
fn link_text(title: &str) -> String {
    one_line(title)
        .replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

fn is_file_name(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 100
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn file(path: &str, text: String) -> SiteFile {
    SiteFile {
        path: path.to_string(),
        contents: text.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use docsfy_plugin_sdk::Page;

    use super::*;

    fn site(plan: &str, pages: &[(&str, &str)]) -> SiteInput {
        SiteInput {
            project_name: "acme".into(),
            branch: "main".into(),
            commit_sha: "0123456".into(),
            provider: "claude".into(),
            model: "opus".into(),
            generated_at: "2026-12-03 08:00:00".into(),
            plan_json: plan.into(),
            pages: pages
                .iter()
                .map(|(slug, markdown)| Page {
                    slug: (*slug).into(),
                    title: (*slug).into(),
                    markdown: (*markdown).into(),
                })
                .collect(),
            project_version: None,
            site_url: None,
        }
    }

    const PLAN: &str = r#"{"project_name": "Acme \"Tools\"", "tagline": "Build\nfast",
        "navigation": [
          {"group": "Start", "pages": [{"slug": "intro", "title": "Intro [beta]"}, {"slug": "install", "title": "Install"}]},
          {"group": "Reference", "pages": [{"slug": "api", "title": "API"}]}]}"#;

    #[test]
    fn the_summary_follows_the_plan_and_every_link_has_its_file() {
        let files = render(&site(
            PLAN,
            &[
                ("intro", "# Intro\n\nSee [install](install.md)."),
                ("install", "# Install"),
                ("api", "# API"),
            ],
        ))
        .expect("renders");
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "book.toml",
                "src/SUMMARY.md",
                "src/intro.md",
                "src/install.md",
                "src/api.md"
            ]
        );
        let summary = String::from_utf8(files[1].contents.clone()).expect("text");
        assert_eq!(
            summary,
            "# Summary\n\n# Start\n\n- [Intro \\[beta\\]](intro.md)\n- [Install](install.md)\n\n\
             # Reference\n\n- [API](api.md)\n"
        );
        for line in summary.lines().filter(|l| l.starts_with("- [")) {
            let target = line
                .rsplit_once("](")
                .expect("a link")
                .1
                .trim_end_matches(')');
            assert!(
                paths.contains(&format!("src/{target}").as_str()),
                "{target}"
            );
        }
        assert_eq!(files[2].contents, b"# Intro\n\nSee [install](install.md).");
    }

    #[test]
    fn book_toml_escapes_the_title_and_description() {
        let files =
            render(&site(PLAN, &[("intro", ""), ("install", ""), ("api", "")])).expect("renders");
        let toml = String::from_utf8(files[0].contents.clone()).expect("text");
        assert!(toml.contains("title = \"Acme \\\"Tools\\\"\""), "{toml}");
        assert!(toml.contains("description = \"Build\\nfast\""), "{toml}");
        assert!(toml.starts_with("# Written by docsfy from main@0123456 with claude/opus.\n"));
    }

    #[test]
    fn missing_pages_and_bad_slugs_are_refused() {
        let missing = render(&site(PLAN, &[("intro", "")])).expect_err("missing");
        assert!(matches!(missing, Error::InvalidInput(m) if m.contains("`install`")));
        let bad = r#"{"navigation": [{"group": "g", "pages": [{"slug": "../x", "title": "x"}]}]}"#;
        assert!(render(&site(bad, &[("../x", "")])).is_err());
    }
}
