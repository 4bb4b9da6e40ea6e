//! Heading anchors: every heading gets an id made from its text, unique within the page,
//! and a `#` link to itself; the second- and third-level ones make the page's table of
//! contents.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Tag, TagEnd};

/// One heading of a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The id it is linked by.
    pub anchor: String,
    /// Its text, without markup.
    pub text: String,
}

/// Gives every heading an id (keeping one it has) and returns the page's headings in order.
pub fn add_anchors(events: &mut [Event<'_>]) -> Vec<Heading> {
    let mut headings: Vec<Heading> = Vec::new();
    for start in 0..events.len() {
        let Event::Start(Tag::Heading { level, id, .. }) = &events[start] else {
            continue;
        };
        let (level, given) = (level_number(*level), id.as_ref().map(|id| id.to_string()));
        let text: String = events[start + 1..]
            .iter()
            .take_while(|e| !matches!(e, Event::End(TagEnd::Heading(_))))
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        let anchor = given.unwrap_or_else(|| {
            let base = anchor(&text);
            let mut candidate = base.clone();
            let mut n = 1;
            while headings.iter().any(|h| h.anchor == candidate) {
                n += 1;
                candidate = format!("{base}-{n}");
            }
            candidate
        });
        if let Event::Start(Tag::Heading { id, .. }) = &mut events[start] {
            *id = Some(CowStr::from(anchor.clone()));
        }
        headings.push(Heading {
            level,
            anchor,
            text: text.split_whitespace().collect::<Vec<_>>().join(" "),
        });
    }
    headings
}

/// Puts a link to each heading's own anchor at its end (shown on hover, kept for copying).
pub fn add_self_links<'a>(events: Vec<Event<'a>>) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len() + 8);
    let mut current: Option<String> = None;
    for event in events {
        match &event {
            Event::Start(Tag::Heading { id, .. }) => current = id.as_ref().map(|i| i.to_string()),
            Event::End(TagEnd::Heading(_)) => {
                if let Some(id) = current.take() {
                    out.push(Event::InlineHtml(CowStr::from(format!(
                        " <a class=\"heading-anchor\" href=\"#{}\" aria-label=\"Link to this section\">#</a>",
                        crate::escape(&id)
                    ))));
                }
            }
            _ => {}
        }
        out.push(event);
    }
    out
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

fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

#[cfg(test)]
mod tests {
    use crate::markdown::render;

    #[test]
    fn headings_get_unique_anchors_self_links_and_a_table_of_contents() {
        let page = render("# Guide\n\n## Set up\n\ntext\n\n### Set up\n\n## `cargo` and you\n");
        assert!(page.html.contains("<h2 id=\"set-up\">"), "{}", page.html);
        assert!(page.html.contains("<h3 id=\"set-up-2\">"), "{}", page.html);
        assert!(
            page.html.contains(
                "<a class=\"heading-anchor\" href=\"#set-up\" aria-label=\"Link to this section\""
            ),
            "{}",
            page.html
        );
        let toc: Vec<(u8, &str, &str)> = page
            .headings
            .iter()
            .map(|h| (h.level, h.anchor.as_str(), h.text.as_str()))
            .collect();
        assert_eq!(
            toc,
            [
                (1, "guide", "Guide"),
                (2, "set-up", "Set up"),
                (3, "set-up-2", "Set up"),
                (2, "cargo-and-you", "cargo and you"),
            ]
        );
    }
}
