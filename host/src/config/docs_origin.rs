//! `docs_origin`: serving generated sites from an origin of their own.

/// Where generated sites are served when not from the API's origin: `http(s)://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocsOrigin {
    /// `https://docs.example.com`, as written, without a trailing slash.
    pub base: String,
    /// `https` or `http`.
    pub scheme: String,
    /// The host, lower-cased.
    pub host: String,
    /// The port when one was written; then a request's `Host` must name it too.
    pub port: Option<u16>,
}

impl DocsOrigin {
    /// Parses `http(s)://host[:port]` (no path, no credentials).
    pub fn parse(text: &str) -> Result<DocsOrigin, String> {
        let refused = || {
            format!("docs_origin must be written http(s)://host[:port] with no path, not `{text}`")
        };
        let base = text.trim_end_matches('/');
        let (scheme, authority) = base.split_once("://").ok_or_else(refused)?;
        if !matches!(scheme, "http" | "https")
            || authority.is_empty()
            || authority.contains(['/', '@', '?', '#', ' '])
        {
            return Err(refused());
        }
        let (host, port) = match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port.parse::<u16>().map_err(|_| refused())?)),
            None => (authority, None),
        };
        // The scheme's own port written out is the same origin as none: browsers leave it
        // out of `Host`.
        let default_port = if scheme == "https" { 443 } else { 80 };
        Ok(DocsOrigin {
            base: base.to_string(),
            scheme: scheme.to_string(),
            host: host.to_ascii_lowercase(),
            port: port.filter(|&port| port != default_port),
        })
    }

    /// Whether a request's `Host` header names this origin.
    pub fn is_host(&self, header: &str) -> bool {
        let header = header.trim().to_ascii_lowercase();
        let (host, port) = match header.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') || header.starts_with('[') => {
                (host.to_string(), port.parse::<u16>().ok())
            }
            _ => (header.clone(), None),
        };
        host == self.host && (self.port.is_none() || self.port == port)
    }
}

#[cfg(test)]
mod tests {
    use super::DocsOrigin;

    #[test]
    fn origins_are_parsed_and_matched_against_host_headers() {
        let origin = DocsOrigin::parse("https://Docs.Example.com/").expect("valid");
        assert_eq!(origin.base, "https://Docs.Example.com");
        assert!(origin.is_host("docs.example.com"));
        assert!(origin.is_host("docs.example.com:8443"));
        assert!(!origin.is_host("example.com"));
        let pinned = DocsOrigin::parse("http://docs.lan:8001").expect("valid");
        assert!(pinned.is_host("docs.lan:8001"));
        assert!(!pinned.is_host("docs.lan:8000"));
        let spelled_out = DocsOrigin::parse("https://docs.example.com:443").expect("valid");
        assert!(spelled_out.is_host("docs.example.com"));
        for wrong in [
            "docs.example.com",
            "ftp://x",
            "https://x/path",
            "https://u@x",
            "https://x:y",
        ] {
            assert!(DocsOrigin::parse(wrong).is_err(), "{wrong}");
        }
    }
}
