//! A page's text by section (what comes under each heading), for the search index, and
//! its first paragraph, for its description.

use pulldown_cmark::{Event, Tag, TagEnd};

use crate::headings::Heading;

/// How much of one section's text the search index keeps.
const SECTION_CHARS: usize = 1500;

/// The text under one heading (or before the first, with an empty heading).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub heading: String,
    pub anchor: String,
    pub text: String,
}

/// The sections of a page whose headings `add_anchors` returned, and its first paragraph.
pub fn collect(events: &[Event<'_>], headings: &[Heading]) -> (Vec<Section>, String) {
    let mut sections = vec![Section {
        heading: String::new(),
        anchor: String::new(),
        text: String::new(),
    }];
    let (mut in_heading, mut next_heading) = (false, headings.iter());
    let (mut summary, mut in_first_paragraph, mut paragraphs) = (String::new(), false, 0);
    for event in events {
        match event {
            Event::Start(Tag::Heading { .. }) => {
                in_heading = true;
                if let Some(heading) = next_heading.next() {
                    sections.push(Section {
                        heading: heading.text.clone(),
                        anchor: heading.anchor.clone(),
                        text: String::new(),
                    });
                }
            }
            Event::End(TagEnd::Heading(_)) => in_heading = false,
            Event::Start(Tag::Paragraph) => {
                paragraphs += 1;
                in_first_paragraph = paragraphs == 1;
            }
            Event::End(TagEnd::Paragraph) => {
                in_first_paragraph = false;
                push_space(sections.last_mut());
            }
            Event::Text(text) | Event::Code(text) if !in_heading => {
                if in_first_paragraph {
                    summary.push_str(text);
                }
                if let Some(section) = sections.last_mut()
                    && section.text.len() < SECTION_CHARS
                {
                    section.text.push_str(text);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if in_first_paragraph {
                    summary.push(' ');
                }
                push_space(sections.last_mut());
            }
            Event::End(TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock) => {
                push_space(sections.last_mut())
            }
            _ => {}
        }
    }
    for section in &mut sections {
        section.text = tidy(&section.text, SECTION_CHARS);
    }
    sections.retain(|s| !s.text.is_empty() || !s.heading.is_empty());
    (sections, tidy(&summary, 300))
}

fn push_space(section: Option<&mut Section>) {
    if let Some(section) = section {
        section.text.push(' ');
    }
}

/// Whitespace collapsed, cut at a character boundary.
fn tidy(text: &str, limit: usize) -> String {
    let mut tidy = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if tidy.len() > limit {
        let mut cut = limit;
        while !tidy.is_char_boundary(cut) {
            cut -= 1;
        }
        tidy.truncate(cut);
    }
    tidy
}

#[cfg(test)]
mod tests {
    use crate::markdown::render;

    #[test]
    fn text_is_kept_per_section_with_its_heading_and_anchor() {
        let page = render(
            "Intro *words*.\nMore.\n\n## Install\n\nRun `cargo install`.\n\n- one\n- two\n\n## Use\n\nIt works.",
        );
        let sections: Vec<(&str, &str, &str)> = page
            .sections
            .iter()
            .map(|s| (s.heading.as_str(), s.anchor.as_str(), s.text.as_str()))
            .collect();
        assert_eq!(
            sections,
            [
                ("", "", "Intro words. More."),
                ("Install", "install", "Run cargo install. one two"),
                ("Use", "use", "It works."),
            ]
        );
        assert_eq!(page.summary, "Intro words. More.");
    }
}
