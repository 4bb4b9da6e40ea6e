//! Page answers from the AI: cleaned into Markdown, checked against the repository, and
//! cross-linked once all pages exist.

use std::path::Path;

use super::plan::{Plan, PlannedPage};

/// Turns an answer into the page's Markdown: drops `<think>` blocks and a fence wrapped
/// around the whole answer, and makes sure it starts with the page's title.
pub fn clean_page(answer: &str, page: &PlannedPage) -> String {
    let mut text = match answer.rfind("</think>") {
        Some(end) => &answer[end + "</think>".len()..],
        None => answer,
    }
    .trim();
    if let Some(inner) = text
        .strip_prefix("```markdown")
        .or_else(|| text.strip_prefix("```md"))
        .or_else(|| text.strip_prefix("```\n"))
        .and_then(|rest| rest.trim_end().strip_suffix("```"))
    {
        text = inner.trim();
    }
    // A preamble before the first heading ("Here is the page:") is not documentation.
    if !text.starts_with('#')
        && let Some(heading) = text.find("\n# ")
    {
        text = text[heading + 1..].trim();
    }
    if text.starts_with("# ") {
        format!("{text}\n")
    } else {
        format!("# {}\n\n{text}\n", page.title)
    }
}

/// What is wrong with a page, for one regeneration with the problems quoted.
pub fn problems(markdown: &str, checkout: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let body: String = markdown.lines().skip(1).collect::<Vec<_>>().join("\n");
    if body.trim().chars().count() < 80 {
        found.push("the page is empty or far too short".to_string());
    }
    if markdown.matches("```").count() % 2 == 1 {
        found.push("a code block is never closed (the page looks cut off)".to_string());
    }
    for path in missing_file_references(markdown, checkout) {
        found.push(format!(
            "it names the file `{path}`, which does not exist in the repository"
        ));
    }
    found
}

/// Inline code spans that look like repository paths (`src/main.rs`, `Cargo.toml`) but name
/// nothing in the checkout.
fn missing_file_references(markdown: &str, checkout: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    let mut in_block = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        for span in line.split('`').skip(1).step_by(2) {
            if looks_like_path(span)
                && !super::tree::contains(checkout, span)
                && !missing.contains(&span.to_string())
            {
                missing.push(span.to_string());
            }
        }
    }
    missing
}

fn looks_like_path(span: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        ".rs", ".toml", ".py", ".go", ".js", ".ts", ".tsx", ".json", ".yaml", ".yml", ".md", ".c",
        ".h", ".cpp", ".java", ".rb", ".sh", ".lock", ".cfg", ".ini", ".sql",
    ];
    !span.is_empty()
        && !span.contains(char::is_whitespace)
        && !span.starts_with(['-', '/', '~', '$', '<', '{'])
        && !span.contains("://")
        && !span.contains(['*', '(', ')', '=', '<', '>', '{', '}', '"', '\''])
        && EXTENSIONS.iter().any(|ext| span.ends_with(ext))
        && span
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '.' || c == '_')
}

/// Links the pages to each other: links to pages not in the plan become plain text, the
/// first plain mention of another page's title becomes a link, and a "Related pages"
/// section lists the other pages of the same navigation group.
pub fn cross_link(markdown: &str, page: &PlannedPage, plan: &Plan) -> String {
    let slugs: Vec<&str> = plan.pages().map(|p| p.slug.as_str()).collect();
    let mut text = remove_broken_links(markdown, &slugs);
    for other in plan
        .pages()
        .filter(|p| p.slug != page.slug && p.title.chars().count() >= 4)
    {
        if !text.contains(&format!("({}.md", other.slug)) {
            text = link_first_mention(&text, &other.title, &other.slug);
        }
    }
    let related: Vec<&PlannedPage> = plan
        .navigation
        .iter()
        .find(|g| g.pages.iter().any(|p| p.slug == page.slug))
        .map(|g| g.pages.iter().filter(|p| p.slug != page.slug).collect())
        .unwrap_or_default();
    if !related.is_empty() && !text.contains("## Related pages") {
        text = text.trim_end().to_string();
        text.push_str("\n\n## Related pages\n\n");
        for other in related {
            text.push_str(&format!("- [{}]({}.md)\n", other.title, other.slug));
        }
    }
    text
}

/// `[text](slug.md)` links whose slug is not a page become `text`.
fn remove_broken_links(markdown: &str, slugs: &[&str]) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find("](").map(|i| open + i) else {
            break;
        };
        let Some(end) = rest[close..].find(')').map(|i| close + i) else {
            break;
        };
        let label = &rest[open + 1..close];
        let target = &rest[close + 2..end];
        let stem = target.split('#').next().unwrap_or_default();
        let internal = stem.ends_with(".md") && !stem.contains("://") && !stem.contains('/');
        if internal && !label.contains('[') && !slugs.contains(&stem.trim_end_matches(".md")) {
            out.push_str(&rest[..open]);
            out.push_str(label);
        } else {
            out.push_str(&rest[..=end]);
        }
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Links the first mention of `title` in ordinary prose (not headings, code or links).
fn link_first_mention(markdown: &str, title: &str, slug: &str) -> String {
    let mut in_block = false;
    let mut lines: Vec<String> = Vec::new();
    let mut done = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_block = !in_block;
        }
        let prose = !done && !in_block && !trimmed.starts_with('#') && !trimmed.starts_with("```");
        if prose && let Some(at) = find_in_prose(line, title) {
            lines.push(format!(
                "{}[{}]({slug}.md){}",
                &line[..at],
                title,
                &line[at + title.len()..]
            ));
            done = true;
            continue;
        }
        lines.push(line.to_string());
    }
    let mut joined = lines.join("\n");
    if markdown.ends_with('\n') {
        joined.push('\n');
    }
    joined
}

/// Where `title` occurs as whole words outside code spans and link text.
fn find_in_prose(line: &str, title: &str) -> Option<usize> {
    let mut search = 0;
    while let Some(found) = line[search..].find(title).map(|i| search + i) {
        let before = &line[..found];
        let in_code = before.matches('`').count() % 2 == 1;
        let in_link = before.rfind('[') > before.rfind(']');
        let word_start = before
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let word_end = line[found + title.len()..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric());
        if !in_code && !in_link && word_start && word_end {
            return Some(found);
        }
        search = found + title.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::plan::parse_plan;

    fn plan() -> Plan {
        parse_plan(r#"{"project_name":"Acme","navigation":[
            {"group":"Start","pages":[{"slug":"intro","title":"Introduction"},{"slug":"install","title":"Installation"}]},
            {"group":"Reference","pages":[{"slug":"config","title":"Configuration"}]}]}"#)
        .expect("plan")
    }

    #[test]
    fn answers_are_cleaned_into_a_titled_page() {
        let page = &plan().navigation[0].pages[0];
        assert_eq!(
            clean_page("```markdown\n# Intro\n\nText\n```", page),
            "# Intro\n\nText\n"
        );
        assert_eq!(
            clean_page("<think>hmm</think>\nHere you go:\n# Intro\nText", page),
            "# Intro\nText\n"
        );
        assert_eq!(
            clean_page("Just text.", page),
            "# Introduction\n\nJust text.\n"
        );
    }

    #[test]
    fn problems_name_short_cut_off_and_invented_pages() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir_all(dir.path().join("src")).expect("mkdir");
        std::fs::write(dir.path().join("src/main.rs"), "").expect("write");
        let long = "word ".repeat(40);
        assert_eq!(
            problems(
                &format!("# T\n\n{long} see `src/main.rs` and `cargo build`"),
                dir.path()
            ),
            Vec::<String>::new()
        );
        let found = problems(
            &format!("# T\n\n{long} see `src/missing.rs`\n```rust\nfn x()"),
            dir.path(),
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("never closed"));
        assert!(found[1].contains("`src/missing.rs`"));
        assert_eq!(
            problems("# T\n\nshort", dir.path()),
            ["the page is empty or far too short"]
        );
    }

    #[test]
    fn cross_linking_fixes_links_mentions_and_adds_related_pages() {
        let plan = plan();
        let intro = &plan.navigation[0].pages[0];
        let page = "# Introduction\n\nSee [setup](setup.md) and [install](install.md#linux).\n\
                    The `Configuration` code is not prose. Configuration matters.\n";
        let linked = cross_link(page, intro, &plan);
        assert!(
            linked.contains("See setup and [install](install.md#linux)."),
            "{linked}"
        );
        assert!(
            linked.contains(
                "The `Configuration` code is not prose. [Configuration](config.md) matters."
            ),
            "{linked}"
        );
        assert!(
            linked.ends_with("## Related pages\n\n- [Installation](install.md)\n"),
            "{linked}"
        );
        assert_eq!(
            cross_link(&linked, intro, &plan),
            linked,
            "cross-linking twice changes nothing"
        );
    }
}
