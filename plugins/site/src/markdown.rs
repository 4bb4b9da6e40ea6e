//! Markdown from the AI to safe HTML: headings get anchors, links between pages point at the
//! HTML files, and raw HTML is sanitised (no scripts, event handlers or `javascript:` URLs).

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// Renders one page's Markdown to sanitised HTML.
pub fn to_safe_html(markdown: &str) -> String {
    let mut events: Vec<Event<'_>> = Parser::new_ext(markdown, options()).collect();
    add_heading_anchors(&mut events);
    let events = events.into_iter().map(rewrite_links);
    let mut html = String::with_capacity(markdown.len() * 2);
    pulldown_cmark::html::push_html(&mut html, events);
    sanitizer().clean(&html).to_string()
}

/// The page's text without markup, for the search index.
pub fn to_plain_text(markdown: &str) -> String {
    let mut text = String::new();
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => {
                text.push_str(&t);
                text.push(' ');
            }
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
}

fn sanitizer() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_tag_attributes("h1", &["id"])
        .add_tag_attributes("h2", &["id"])
        .add_tag_attributes("h3", &["id"])
        .add_tag_attributes("h4", &["id"])
        .add_tag_attributes("code", &["class"])
        .add_tag_attributes("input", &["type", "checked", "disabled"])
        .add_tags(&["input"]);
    builder
}

/// Gives every heading without an id one made from its text, unique within the page.
fn add_heading_anchors(events: &mut [Event<'_>]) {
    let mut used: Vec<String> = Vec::new();
    for start in 0..events.len() {
        let Event::Start(Tag::Heading { id: None, .. }) = &events[start] else {
            continue;
        };
        let text: String = events[start + 1..]
            .iter()
            .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let base = anchor(&text);
        let mut candidate = base.clone();
        let mut n = 1;
        while used.contains(&candidate) {
            n += 1;
            candidate = format!("{base}-{n}");
        }
        used.push(candidate.clone());
        if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
            *id = Some(CowStr::from(candidate));
        }
    }
}

/// A heading's anchor: lowercase words joined by `-`.
pub fn anchor(text: &str) -> String {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    if words.is_empty() {
        "section".into()
    } else {
        words.join("-")
    }
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
    fn headings_get_unique_anchors_and_md_links_become_html() {
        let html = to_safe_html(
            "# Set up\n\n## Set up\n\nSee [install](install.md#linux) and [site](https://x.io/a.md).",
        );
        assert!(html.contains("<h1 id=\"set-up\">"), "{html}");
        assert!(html.contains("<h2 id=\"set-up-2\">"), "{html}");
        assert!(html.contains("href=\"install.html#linux\""), "{html}");
        assert!(html.contains("href=\"https://x.io/a.md\""), "{html}");
    }

    #[test]
    fn tables_and_code_survive() {
        let html = to_safe_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n```rust\nfn main() {}\n```");
        assert!(
            html.contains("<table>") && html.contains("<td>2</td>"),
            "{html}"
        );
        assert!(html.contains("<code class=\"language-rust\">"), "{html}");
    }

    #[test]
    fn plain_text_has_no_markup() {
        assert_eq!(
            to_plain_text("# Title\n\nSome *bold* `code`."),
            "Title Some bold code ."
        );
    }
}
