//! Callouts: docsfy's `> **Note:** …` blockquotes (also `**Tip:**`, `**Warning:**`,
//! `**Danger:**`, `**Important:**`, `**Caution:**`) and GitHub's `> [!NOTE]` alerts become
//! a titled box with a class per kind; every other blockquote stays a quote.

use pulldown_cmark::{BlockQuoteKind, CowStr, Event, Tag, TagEnd};

/// The kinds of callout, each with its own colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Note,
    Tip,
    Important,
    Warning,
    Danger,
}

impl Kind {
    fn class(self) -> &'static str {
        match self {
            Kind::Note => "callout-note",
            Kind::Tip => "callout-tip",
            Kind::Important => "callout-important",
            Kind::Warning => "callout-warning",
            Kind::Danger => "callout-danger",
        }
    }

    /// The kind and the title a bold marker names (`Note`, `note:`, `Caution`).
    fn of_marker(marker: &str) -> Option<(Kind, &'static str)> {
        let word = marker.trim().trim_end_matches(':').trim();
        Some(match word.to_ascii_lowercase().as_str() {
            "note" | "info" => (Kind::Note, "Note"),
            "tip" | "hint" => (Kind::Tip, "Tip"),
            "important" => (Kind::Important, "Important"),
            "warning" => (Kind::Warning, "Warning"),
            "danger" => (Kind::Danger, "Danger"),
            "caution" => (Kind::Danger, "Caution"),
            _ => return None,
        })
    }

    fn of_alert(kind: BlockQuoteKind) -> (Kind, &'static str) {
        match kind {
            BlockQuoteKind::Note => (Kind::Note, "Note"),
            BlockQuoteKind::Tip => (Kind::Tip, "Tip"),
            BlockQuoteKind::Important => (Kind::Important, "Important"),
            BlockQuoteKind::Warning => (Kind::Warning, "Warning"),
            BlockQuoteKind::Caution => (Kind::Danger, "Caution"),
        }
    }
}

fn opening(kind: Kind, title: &str) -> Event<'static> {
    Event::Html(CowStr::from(format!(
        "<div class=\"callout {}\" role=\"note\"><p class=\"callout-title\">{title}</p>\n",
        kind.class()
    )))
}

/// Rewrites the blockquotes of a page's events that are callouts.
pub fn mark(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut out = Vec::with_capacity(events.len());
    // For each open blockquote: whether it became a callout.
    let mut open: Vec<bool> = Vec::new();
    let mut events = events.into_iter().peekable();
    while let Some(event) = events.next() {
        match event {
            Event::Start(Tag::BlockQuote(Some(alert))) => {
                let (kind, title) = Kind::of_alert(alert);
                out.push(opening(kind, title));
                open.push(true);
            }
            Event::Start(Tag::BlockQuote(None)) => {
                let mut ahead: Vec<Event<'_>> = Vec::new();
                // `> **Note:** text`: a paragraph that opens with a bold marker.
                while ahead.len() < 4 {
                    match events.next() {
                        Some(e) => ahead.push(e),
                        None => break,
                    }
                }
                let marker = match ahead.as_slice() {
                    [
                        Event::Start(Tag::Paragraph),
                        Event::Start(Tag::Strong),
                        Event::Text(text),
                        Event::End(TagEnd::Strong),
                    ] => Kind::of_marker(text),
                    _ => None,
                };
                match marker {
                    Some((kind, title)) => {
                        out.push(opening(kind, title));
                        drop_marker_rest(&mut events);
                        // A marker alone in its paragraph leaves no empty one behind.
                        if matches!(events.peek(), Some(Event::End(TagEnd::Paragraph))) {
                            events.next();
                        } else {
                            out.push(Event::Start(Tag::Paragraph));
                        }
                        open.push(true);
                    }
                    None => {
                        out.push(Event::Start(Tag::BlockQuote(None)));
                        out.extend(ahead);
                        open.push(false);
                    }
                }
            }
            Event::End(TagEnd::BlockQuote(kind)) => {
                if open.pop().unwrap_or(false) {
                    out.push(Event::Html(CowStr::Borrowed("</div>\n")));
                } else {
                    out.push(Event::End(TagEnd::BlockQuote(kind)));
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// After the marker: the `:` of `**Note**:` and the space or line break before the text.
fn drop_marker_rest<'a>(events: &mut std::iter::Peekable<impl Iterator<Item = Event<'a>>>) {
    match events.peek_mut() {
        Some(Event::Text(text)) => {
            let rest = text.trim_start_matches(':').trim_start().to_string();
            if rest.is_empty() {
                events.next();
            } else {
                *text = CowStr::from(rest);
            }
        }
        Some(Event::SoftBreak | Event::HardBreak) => {
            events.next();
        }
        _ => {}
    }
    if matches!(events.peek(), Some(Event::SoftBreak | Event::HardBreak)) {
        events.next();
    }
}

#[cfg(test)]
mod tests {
    use crate::markdown::to_safe_html;

    #[test]
    fn docsfy_markers_become_callouts_of_their_kind() {
        for (marker, class, title) in [
            ("**Note:**", "callout-note", "Note"),
            ("**Tip:**", "callout-tip", "Tip"),
            ("**Warning:**", "callout-warning", "Warning"),
            ("**Danger:**", "callout-danger", "Danger"),
            ("**Important:**", "callout-important", "Important"),
            ("**Note**:", "callout-note", "Note"),
        ] {
            let html = to_safe_html(&format!("> {marker} Mind the gap.\n"));
            assert!(
                html.contains(&format!("<div class=\"callout {class}\" role=\"note\">")),
                "{marker}: {html}"
            );
            assert!(
                html.contains(&format!("<p class=\"callout-title\">{title}</p>")),
                "{marker}: {html}"
            );
            assert!(html.contains("<p>Mind the gap.</p>"), "{marker}: {html}");
            assert!(!html.contains("<blockquote"), "{marker}: {html}");
        }
    }

    #[test]
    fn github_alerts_become_callouts() {
        let html = to_safe_html("> [!WARNING]\n> Back up first.\n");
        assert!(html.contains("callout callout-warning"), "{html}");
        assert!(html.contains("Back up first."), "{html}");
        assert!(!html.contains("[!WARNING]"), "{html}");
        let caution = to_safe_html("> [!CAUTION]\n> Hot.\n");
        assert!(caution.contains("callout-danger") && caution.contains(">Caution</p>"));
    }

    #[test]
    fn a_marker_on_its_own_line_and_plain_quotes() {
        let html = to_safe_html("> **Tip:**\n> Use the cache.\n");
        assert!(
            html.contains("callout-tip") && html.contains("<p>Use the cache.</p>"),
            "{html}"
        );
        let quote = to_safe_html("> **Bold** words, quoted.\n");
        assert!(quote.contains("<blockquote>") && quote.contains("<strong>Bold</strong>"));
        let nested = to_safe_html("> **Note:** outer\n>\n> > inner quote\n");
        assert!(
            nested.contains("callout-note") && nested.contains("<blockquote>"),
            "{nested}"
        );
        assert_eq!(nested.matches("</div>").count(), 1, "{nested}");
    }
}
