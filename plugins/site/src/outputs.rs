//! The machine-readable files of a site: the search index and the llms.txt pair.

use serde::Serialize;

use crate::Pages;
use crate::markdown;
use crate::plan::Plan;

/// How much of a page's text the search index keeps.
const INDEXED_CHARS: usize = 5000;

#[derive(Serialize)]
struct Entry<'a> {
    slug: &'a str,
    title: &'a str,
    description: &'a str,
    url: String,
    text: String,
}

/// `search-index.json`: one entry per page, with its plain text.
pub fn search_index(plan: &Plan, pages: &Pages<'_>) -> String {
    let entries: Vec<Entry<'_>> = plan
        .pages()
        .filter_map(|planned| {
            let page = pages.get(&planned.slug)?;
            Some(Entry {
                slug: &planned.slug,
                title: &planned.title,
                description: &planned.description,
                url: format!("{}.html", planned.slug),
                text: markdown::to_plain_text(&page.markdown)
                    .chars()
                    .take(INDEXED_CHARS)
                    .collect(),
            })
        })
        .collect();
    serde_json::to_string(&entries).unwrap_or_else(|_| "[]".into())
}

/// `llms.txt` (llmstxt.org): the project, then each group's pages as links to their Markdown.
pub fn llms_txt(project: &str, plan: &Plan) -> String {
    let mut text = format!("# {project}\n");
    if !plan.tagline.is_empty() {
        text.push_str(&format!("\n> {}\n", plan.tagline));
    }
    for group in &plan.navigation {
        text.push_str(&format!("\n## {}\n\n", group.group));
        for page in &group.pages {
            if page.description.is_empty() {
                text.push_str(&format!("- [{}]({}.md)\n", page.title, page.slug));
            } else {
                text.push_str(&format!(
                    "- [{}]({}.md): {}\n",
                    page.title, page.slug, page.description
                ));
            }
        }
    }
    text
}

/// `llms-full.txt`: every page's Markdown in navigation order.
pub fn llms_full_txt(project: &str, plan: &Plan, pages: &Pages<'_>) -> String {
    let mut text = format!("# {project}\n");
    if !plan.tagline.is_empty() {
        text.push_str(&format!("\n> {}\n", plan.tagline));
    }
    for planned in plan.pages() {
        if let Some(page) = pages.get(&planned.slug) {
            text.push_str(&format!(
                "\n---\n\n<!-- {}.md -->\n\n{}\n",
                planned.slug,
                page.markdown.trim()
            ));
        }
    }
    text
}
