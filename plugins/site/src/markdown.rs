//! Markdown from the AI to safe HTML: callouts, heading anchors, highlighted code, links
//! between pages pointing at the HTML files, and raw HTML sanitised (no scripts, event
//! handlers or `javascript:` URLs).
//!
//! Code blocks are highlighted after sanitising: each is replaced by a placeholder made of
//! private-use characters (removed from the input first, so a page cannot forge one), the
//! rest is sanitised, and the placeholders become the blocks, whose every character of text
//! the highlighter escaped.

use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd};

use crate::headings::{self, Heading};
use crate::{callouts, highlight, sanitize, sections};

pub use sections::Section;

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// One page, rendered.
#[derive(Debug)]
pub struct RenderedPage {
    /// The page's body, safe to put in the layout.
    pub html: String,
    /// Its headings, in order.
    pub headings: Vec<Heading>,
    /// Its text by section, for the search index.
    pub sections: Vec<Section>,
    /// The first paragraph's text, for a description when the plan gives none.
    pub summary: String,
}

/// Renders one page's Markdown.
pub fn render(markdown: &str) -> RenderedPage {
    let markdown = markdown.replace([OPEN, CLOSE], "");
    let mut events: Vec<Event<'_>> = Parser::new_ext(&markdown, options()).collect();
    let headings = headings::add_anchors(&mut events);
    let (sections, summary) = sections::collect(&events, &headings);
    let events = callouts::mark(events);
    let (events, blocks) = take_code_blocks(events);
    let events = headings::add_self_links(events)
        .into_iter()
        .map(rewrite_links);
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events);
    let clean = sanitizer().clean(&html).to_string();
    RenderedPage {
        html: put_back(&clean, &blocks),
        headings,
        sections,
        summary,
    }
}

/// Renders one page's Markdown to sanitised HTML.
#[cfg(test)]
pub fn to_safe_html(markdown: &str) -> String {
    render(markdown).html
}

/// The Markdown pulldown-cmark is asked to read: GitHub's tables, strikethrough, task lists,
/// footnotes and alerts.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_GFM
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(sanitize::builder)
}

/// Replaces every code block by a placeholder naming its index in the returned blocks.
fn take_code_blocks(events: Vec<Event<'_>>) -> (Vec<Event<'_>>, Vec<String>) {
    let mut out = Vec::with_capacity(events.len());
    let mut blocks = Vec::new();
    let mut open: Option<(String, String)> = None;
    for event in events {
        match (event, &mut open) {
            (Event::Start(Tag::CodeBlock(kind)), None) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                open = Some((info, String::new()));
            }
            (Event::Text(text), Some((_, code))) => code.push_str(&text),
            (Event::End(TagEnd::CodeBlock), Some(_)) => {
                if let Some((info, code)) = open.take() {
                    out.push(Event::Html(CowStr::from(format!(
                        "{OPEN}{}{CLOSE}\n",
                        blocks.len()
                    ))));
                    blocks.push(highlight::code_block(&info, &code));
                }
            }
            (event, _) => out.push(event),
        }
    }
    (out, blocks)
}

fn put_back(html: &str, blocks: &[String]) -> String {
    let mut out = String::with_capacity(html.len() + blocks.iter().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some(start) = rest.find(OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else {
            rest = after;
            continue;
        };
        if let Some(block) = after[..end]
            .parse::<usize>()
            .ok()
            .and_then(|i| blocks.get(i))
        {
            out.push_str(block);
        }
        rest = &after[end + CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    out
}

/// Links to `page.md` (as the AI writes them) point at `page.html`.
fn rewrite_links(event: Event<'_>) -> Event<'_> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: page_link(dest_url),
            title,
            id,
        }),
        other => other,
    }
}

fn page_link(dest: CowStr<'_>) -> CowStr<'_> {
    let (path, fragment) = match dest.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (dest.as_ref(), None),
    };
    let relative = !path.contains("://") && !path.starts_with('/') && !path.starts_with("mailto:");
    match path.strip_suffix(".md").filter(|_| relative) {
        Some(stem) => {
            let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
            CowStr::from(format!("{stem}.html{fragment}"))
        }
        None => dest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_and_javascript_urls_are_removed() {
        let html = to_safe_html(
            "Hi <script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n\
             [click](javascript:alert(3)) <a href=\"javascript:alert(4)\">x</a>",
        );
        for bad in ["<script", "alert(1)", "onerror", "javascript:"] {
            assert!(!html.contains(bad), "{bad} survived: {html}");
        }
    }

    #[test]
    fn md_links_become_html_links() {
        let html = to_safe_html("See [install](install.md#linux) and [site](https://x.io/a.md).");
        assert!(html.contains("href=\"install.html#linux\""), "{html}");
        assert!(html.contains("href=\"https://x.io/a.md\""), "{html}");
    }

    #[test]
    fn tables_task_lists_and_code_survive() {
        let html = to_safe_html(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n```rust\nfn main() {}\n```",
        );
        assert!(
            html.contains("<table>") && html.contains("<td>2</td>"),
            "{html}"
        );
        assert!(html.contains("type=\"checkbox\""), "{html}");
        assert!(html.contains("<code class=\"language-rust\">"), "{html}");
        assert!(html.contains("hl-entity hl-name hl-function"), "{html}");
    }

    #[test]
    fn placeholders_cannot_be_forged_and_code_in_raw_html_stays_sanitised() {
        let html = to_safe_html(
            "\u{E000}0\u{E001}\n\n```sh\necho hi\n```\n\n<pre onclick=\"x()\">raw</pre>",
        );
        assert_eq!(html.matches("code-block").count(), 1, "{html}");
        assert!(
            !html.contains('\u{E000}') && !html.contains("onclick"),
            "{html}"
        );
    }

    #[test]
    fn classes_from_raw_html_are_limited_to_the_sites_own() {
        let html = to_safe_html(
            "<div class=\"callout-note evil\" id=\"docsfy-search\">x</div>\n\n\
             <h2 id=\"docsfy-search\">Hi</h2>",
        );
        assert!(html.contains("class=\"callout-note\""), "{html}");
        assert!(
            !html.contains("evil") && !html.contains("docsfy-search"),
            "{html}"
        );
    }
}
