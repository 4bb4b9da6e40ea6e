//! Incremental updates: which pages the AI says to redo, and applying its edits to a page
//! exactly, or not at all.

use serde::Deserialize;

use super::plan::{Plan, extract_json_object};

/// The pages to redo after new commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redo {
    /// Nothing changed that the documentation covers.
    Nothing,
    /// The structure must change: plan again and regenerate everything.
    Everything,
    /// These pages (slugs that exist in the plan).
    Pages(Vec<String>),
}

/// Reads the answer to the incremental prompt: `[]`, `["all"]` or slugs. Unknown slugs are
/// dropped; an answer that is not a JSON array of strings means "everything".
pub fn parse_redo(answer: &str, plan: &Plan) -> Redo {
    let Some(list) =
        extract_json_array(answer).and_then(|json| serde_json::from_str::<Vec<String>>(json).ok())
    else {
        return Redo::Everything;
    };
    if list.iter().any(|s| s.eq_ignore_ascii_case("all")) {
        return Redo::Everything;
    }
    let known: Vec<String> = plan
        .pages()
        .filter(|p| list.iter().any(|s| s.trim() == p.slug))
        .map(|p| p.slug.clone())
        .collect();
    if known.is_empty() {
        Redo::Nothing
    } else {
        Redo::Pages(known)
    }
}

fn extract_json_array(answer: &str) -> Option<&str> {
    let start = answer.find('[')?;
    let end = answer.rfind(']')?;
    (end > start).then(|| &answer[start..=end])
}

/// One find/replace edit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Edit {
    /// Text that must occur exactly once in the page.
    pub find: String,
    /// What replaces it.
    pub replace: String,
}

/// Reads `{"edits": [{"find": ..., "replace": ...}]}`.
pub fn parse_edits(answer: &str) -> Option<Vec<Edit>> {
    #[derive(Deserialize)]
    struct Edits {
        edits: Vec<Edit>,
    }
    let json = extract_json_object(answer)?;
    serde_json::from_str::<Edits>(json).ok().map(|e| e.edits)
}

/// Applies every edit, each of whose `find` occurs exactly once; `None` if any does not, so
/// that the caller regenerates the whole page instead of publishing a half-patched one.
pub fn apply_edits(page: &str, edits: &[Edit]) -> Option<String> {
    let mut text = page.to_string();
    for edit in edits {
        if edit.find.is_empty() || text.matches(edit.find.as_str()).count() != 1 {
            return None;
        }
        text = text.replacen(&edit.find, &edit.replace, 1);
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::plan::parse_plan;

    fn plan() -> Plan {
        parse_plan(r#"{"project_name":"A","navigation":[{"group":"g","pages":[{"slug":"intro","title":"I"},{"slug":"api","title":"API"}]}]}"#).expect("plan")
    }

    #[test]
    fn redo_answers() {
        let plan = plan();
        assert_eq!(parse_redo("[]", &plan), Redo::Nothing);
        assert_eq!(
            parse_redo("```json\n[\"all\"]\n```", &plan),
            Redo::Everything
        );
        assert_eq!(
            parse_redo("Pages: [\"api\", \"ghost\"]", &plan),
            Redo::Pages(vec!["api".into()])
        );
        assert_eq!(parse_redo("[\"ghost\"]", &plan), Redo::Nothing);
        assert_eq!(parse_redo("no idea", &plan), Redo::Everything);
    }

    #[test]
    fn edits_apply_exactly_once_or_not_at_all() {
        let page = "# API\n\nCall `get()`.\nCall `put()`.\n";
        let edits = parse_edits(r#"{"edits": [{"find": "`get()`", "replace": "`get(id)`"}]}"#)
            .expect("edits");
        assert_eq!(
            apply_edits(page, &edits).as_deref(),
            Some("# API\n\nCall `get(id)`.\nCall `put()`.\n")
        );
        let ambiguous = vec![Edit {
            find: "Call".into(),
            replace: "Use".into(),
        }];
        assert_eq!(apply_edits(page, &ambiguous), None);
        let absent = vec![Edit {
            find: "delete()".into(),
            replace: "x".into(),
        }];
        assert_eq!(apply_edits(page, &absent), None);
        assert_eq!(parse_edits("not json"), None);
    }
}
