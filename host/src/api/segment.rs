//! Path segments as clients send them. Browsers encode with `encodeURIComponent` (a model
//! `claude-opus-4-6[1m]` arrives as `claude-opus-4-6%5B1m%5D`), so every route decodes its
//! segments by this one rule before comparing them with stored names.

use std::str::FromStr;

/// One segment of a request path, percent-decoded. Use it in `warp::path!` instead of
/// `String`; a segment whose escapes are not UTF-8 matches no route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment(pub String);

/// A segment whose percent-escapes do not decode to UTF-8.
#[derive(Debug)]
pub struct NotUtf8;

impl FromStr for Segment {
    type Err = NotUtf8;

    fn from_str(raw: &str) -> Result<Segment, NotUtf8> {
        decode(raw).map(Segment).ok_or(NotUtf8)
    }
}

/// Percent-decodes one raw segment (`%2F` becomes `/`: a segment, not a separator). A `%`
/// not followed by two hex digits stays as it is, as browsers and docsfy's server read it.
pub fn decode(raw: &str) -> Option<String> {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .ok()
        .map(|text| text.into_owned())
}

/// A branch segment as docsfy writes it: after percent-decoding, `~2F` is a `/` and `~7E`
/// a `~` (so `feature/x` travels as `feature~2Fx` through proxies that refuse `%2F`).
pub fn decode_branch(segment: &str) -> String {
    let mut decoded = String::with_capacity(segment.len());
    let mut rest = segment;
    while let Some(at) = rest.find('~') {
        decoded.push_str(&rest[..at]);
        let escape = rest.get(at + 1..at + 3).map(str::to_ascii_uppercase);
        match escape.as_deref() {
            Some("2F") => decoded.push('/'),
            Some("7E") => decoded.push('~'),
            _ => {
                decoded.push('~');
                rest = &rest[at + 1..];
                continue;
            }
        }
        rest = &rest[at + 3..];
    }
    decoded.push_str(rest);
    decoded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::encode_branch;

    #[test]
    fn branches_travel_with_docsfy_s_tilde_escapes() {
        for (segment, branch) in [
            ("feature~2Fx", "feature/x"),
            ("feature~2fx", "feature/x"),
            ("a~7E2Fb", "a~2Fb"),
            ("release-1.2", "release-1.2"),
            ("odd~", "odd~"),
            ("odd~zz", "odd~zz"),
        ] {
            assert_eq!(decode_branch(segment), branch, "{segment}");
        }
        for branch in ["feature/x", "a~2Fb", "x~/y"] {
            assert_eq!(decode_branch(&encode_branch(branch)), branch);
        }
    }

    #[test]
    fn escapes_decode_and_invalid_utf8_is_refused() {
        for (raw, decoded) in [
            ("claude-opus-4-6%5B1m%5D", "claude-opus-4-6[1m]"),
            ("claude-opus-4-6[1m]", "claude-opus-4-6[1m]"),
            ("a%20b", "a b"),
            ("a%2Fb", "a/b"),
            ("%C3%A9t%C3%A9", "été"),
            ("100%", "100%"),
            ("%zz", "%zz"),
        ] {
            assert_eq!(decode(raw).as_deref(), Some(decoded), "{raw}");
        }
        assert_eq!(decode("%FF%FE"), None);
        assert!("%C3".parse::<Segment>().is_err());
    }
}
