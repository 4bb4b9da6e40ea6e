//! What of the AI's raw HTML a page keeps: ammonia's safe defaults, plus the attributes the
//! renderer's own markup needs (heading ids, callout classes, task-list checkboxes). Classes
//! are limited to the site's own, and ids never take the `docsfy-` names of the layout's
//! elements, which the site's script looks up.

use std::borrow::Cow;

/// Classes a page may carry: those the renderer writes.
const CLASS_PREFIXES: &[&str] = &["callout", "heading-anchor", "language-"];

pub fn builder() -> ammonia::Builder<'static> {
    let mut builder = ammonia::Builder::default();
    builder
        .add_generic_attributes(&["class", "aria-label"])
        .add_tag_attributes("h1", &["id"])
        .add_tag_attributes("h2", &["id"])
        .add_tag_attributes("h3", &["id"])
        .add_tag_attributes("h4", &["id"])
        .add_tag_attributes("h5", &["id"])
        .add_tag_attributes("h6", &["id"])
        .add_tag_attributes("div", &["role"])
        .add_tag_attributes("input", &["type", "checked", "disabled"])
        .add_tags(&["input"])
        .attribute_filter(|_element, attribute, value| match attribute {
            "class" => {
                let kept: Vec<&str> = value
                    .split_whitespace()
                    .filter(|class| CLASS_PREFIXES.iter().any(|p| class.starts_with(p)))
                    .collect();
                (!kept.is_empty()).then(|| Cow::Owned(kept.join(" ")))
            }
            "id" => (!value.starts_with("docsfy-")).then_some(Cow::Borrowed(value)),
            "role" => (value == "note").then_some(Cow::Borrowed(value)),
            "type" => (value == "checkbox").then_some(Cow::Borrowed(value)),
            _ => Some(Cow::Borrowed(value)),
        });
    builder
}
