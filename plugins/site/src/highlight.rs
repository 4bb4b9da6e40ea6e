//! Code blocks highlighted when the site is rendered, so that readers run no highlighting
//! script: syntect's grammars (with two-face's extra ones: TOML, TypeScript, Dockerfile...)
//! mark tokens with `hl-` classes that the stylesheet colours for the light and dark themes.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::{SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use crate::escape;

/// Past this size a block is shown plain: grammars are regular expressions that backtrack,
/// and one enormous block must not hold up the whole site.
const HIGHLIGHTED_BYTES: usize = 64 * 1024;

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(two_face::syntax::extra_newlines)
}

/// A fenced block as HTML: a head naming the language (the copy button is added there by
/// the site's script) and the code, every character of it escaped.
pub fn code_block(info: &str, code: &str) -> String {
    let token = language_token(info);
    let syntax = (!token.is_empty())
        .then(|| syntaxes().find_syntax_by_token(token))
        .flatten()
        .filter(|s| s.name != "Plain Text");
    let label = match (syntax, token) {
        (Some(syntax), _) => syntax.name.as_str(),
        (None, "") => "Text",
        (None, token) => token,
    };
    let body = syntax
        .filter(|_| code.len() <= HIGHLIGHTED_BYTES)
        .and_then(|syntax| highlighted(syntax, code))
        .unwrap_or_else(|| escape(code));
    let class = if token.is_empty() {
        String::new()
    } else {
        format!(" class=\"language-{}\"", escape(token))
    };
    format!(
        "<div class=\"code-block\"><div class=\"code-head\"><span class=\"code-lang\">{}</span></div>\
         <pre><code{class}>{body}</code></pre></div>\n",
        escape(label)
    )
}

/// The language of an info string: its first word (`rust,ignore` and `py title="x"` name
/// rust and py), lower-cased, limited to the characters language names use.
fn language_token(info: &str) -> &str {
    let token = info
        .trim()
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '{' | '}'))
        .next()
        .unwrap_or_default();
    let plain = token.len() <= 32
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-' | '_' | '.'));
    if plain { token } else { "" }
}

fn highlighted(syntax: &SyntaxReference, code: &str) -> Option<String> {
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, syntaxes(), CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_languages_are_marked_up_and_labelled() {
        let html = code_block("rust", "fn main() { let x = \"hi\"; }\n");
        assert!(
            html.contains("<span class=\"code-lang\">Rust</span>"),
            "{html}"
        );
        assert!(html.contains("class=\"language-rust\""), "{html}");
        assert!(html.contains("hl-keyword"), "{html}");
        assert!(html.contains("hl-string"), "{html}");
        for (info, label) in [("toml", "TOML"), ("ts", "TypeScript"), ("py", "Python")] {
            let html = code_block(info, "x = 1\n");
            assert!(html.contains(&format!(">{label}</span>")), "{info}: {html}");
        }
    }

    #[test]
    fn unknown_languages_and_plain_blocks_are_escaped_not_highlighted() {
        let html = code_block("klingon", "<script>alert(1)</script>\n");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains(">klingon</span>"), "{html}");
        let plain = code_block("", "a < b\n");
        assert!(
            plain.contains(">Text</span>") && plain.contains("a &lt; b"),
            "{plain}"
        );
        let hostile = code_block("\"><img src=x onerror=alert(1)>", "x\n");
        assert!(!hostile.contains("<img"), "{hostile}");
    }

    #[test]
    fn highlighted_code_keeps_its_text_escaped() {
        let html = code_block("html", "<b onclick=\"x()\">&amp;</b>\n");
        assert!(!html.contains("<b") && !html.contains("</b>"), "{html}");
        assert!(html.contains("&lt;") && html.contains("&amp;"), "{html}");
    }

    #[test]
    fn info_strings_name_their_language_by_the_first_word() {
        assert_eq!(language_token("rust,ignore"), "rust");
        assert_eq!(language_token("py title=\"x\""), "py");
        assert_eq!(language_token("  c++ "), "c++");
        assert_eq!(language_token("<x>"), "");
    }
}
