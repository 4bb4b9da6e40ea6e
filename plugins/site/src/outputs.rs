//! The machine-readable files of a site: the search index, the sitemap and the llms.txt
//! pair.

use serde::Serialize;

use crate::escape;
use crate::markdown::RenderedPage;
use crate::plan::{Plan, PlannedPage};
use docsfy_plugin_sdk::Page;

/// A page of the search index.
#[derive(Serialize)]
struct IndexedPage<'a> {
    /// Title.
    t: &'a str,
    /// URL, relative to the site.
    u: String,
    /// Navigation group.
    g: &'a str,
}

/// A section of a page in the search index.
#[derive(Serialize)]
struct IndexedSection<'a> {
    /// Index of its page in `pages`.
    p: usize,
    /// Heading (empty for the text before the first).
    h: &'a str,
    /// Anchor (empty for the top of the page).
    a: &'a str,
    /// Text.
    x: &'a str,
}

#[derive(Serialize)]
struct Index<'a> {
    pages: Vec<IndexedPage<'a>>,
    sections: Vec<IndexedSection<'a>>,
}

/// `search-index.json`: every page and, per page, the text under each heading, for the
/// site's search to rank (titles above headings above text) without a server. `rendered`
/// holds every page of the plan, in its order.
pub fn search_index(plan: &Plan, rendered: &[(&PlannedPage, RenderedPage)]) -> String {
    let mut index = Index {
        pages: Vec::with_capacity(rendered.len()),
        sections: Vec::new(),
    };
    for ((planned, page), group) in rendered.iter().zip(plan.page_groups()) {
        let number = index.pages.len();
        index.pages.push(IndexedPage {
            t: &planned.title,
            u: format!("{}.html", planned.slug),
            g: group,
        });
        for section in &page.sections {
            // The page's own title is its first heading more often than not.
            let heading = if section.heading == planned.title {
                ""
            } else {
                section.heading.as_str()
            };
            index.sections.push(IndexedSection {
                p: number,
                h: heading,
                a: &section.anchor,
                x: &section.text,
            });
        }
    }
    serde_json::to_string(&index).unwrap_or_else(|_| "{\"pages\":[],\"sections\":[]}".into())
}

/// `sitemap.xml`: the start page and every page. Sitemaps want absolute URLs: with the
/// site's address known they are; without it the locations are relative to the sitemap.
pub fn sitemap(plan: &Plan, site_url: Option<&str>, last_modified: &str) -> String {
    let base = site_url.unwrap_or_default();
    let date: String = last_modified.chars().take(10).collect();
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let pages = std::iter::once("index".to_string()).chain(plan.pages().map(|p| p.slug.clone()));
    for slug in pages {
        xml.push_str(&format!(
            "  <url><loc>{}{slug}.html</loc><lastmod>{}</lastmod></url>\n",
            escape(base),
            escape(&date)
        ));
    }
    xml.push_str("</urlset>\n");
    xml
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
pub fn llms_full_txt(project: &str, plan: &Plan, pages: &[(&PlannedPage, &Page)]) -> String {
    let mut text = format!("# {project}\n");
    if !plan.tagline.is_empty() {
        text.push_str(&format!("\n> {}\n", plan.tagline));
    }
    for (planned, page) in pages {
        text.push_str(&format!(
            "\n---\n\n<!-- {}.md -->\n\n{}\n",
            planned.slug,
            page.markdown.trim()
        ));
    }
    text
}
