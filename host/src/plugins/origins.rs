//! HTTP origins a plugin may reach: the patterns manifests declare and grants give, and
//! which addresses count as public.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

impl Scheme {
    fn parse(text: &str) -> Option<Scheme> {
        match text {
            "http" => Some(Scheme::Http),
            "https" => Some(Scheme::Https),
            _ => None,
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// Where a request goes: scheme, lowercase host (IPv6 without brackets) and port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The scheme.
    pub scheme: Scheme,
    /// The host name or address.
    pub host: String,
    /// The port, the scheme's default when the URL names none.
    pub port: u16,
}

impl Origin {
    /// The origin of an absolute `http(s)://` URL.
    pub fn of(url: &reqwest::Url) -> Result<Origin, String> {
        let scheme = Scheme::parse(url.scheme())
            .ok_or_else(|| format!("{}: only http:// and https:// URLs", url.scheme()))?;
        let host = match url.host() {
            Some(url::Host::Domain(name)) => name.to_ascii_lowercase(),
            Some(url::Host::Ipv4(address)) => address.to_string(),
            Some(url::Host::Ipv6(address)) => address.to_string(),
            None => return Err("the URL has no host".into()),
        };
        let port = url.port().unwrap_or(scheme.default_port());
        Ok(Origin { scheme, host, port })
    }

    /// The host as an address, when it is one.
    pub fn address(&self) -> Option<IpAddr> {
        self.host.parse().ok()
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        if self.host.contains(':') {
            write!(f, "{scheme}://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{scheme}://{}:{}", self.host, self.port)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum HostPattern {
    /// This host only.
    Exact(String),
    /// `*.example.com`: any name under `example.com`, not `example.com` itself.
    Under(String),
    /// `*`: any host.
    Any,
}

/// An origin pattern: `scheme://host[:port]`, where the host may be `*` or start with `*.`
/// and the port may be `*`. Without a port it means the scheme's default port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginPattern {
    scheme: Scheme,
    host: HostPattern,
    /// None: any port.
    port: Option<u16>,
}

impl OriginPattern {
    /// Parses a pattern, with a message that says what is wrong.
    pub fn parse(text: &str) -> Result<OriginPattern, String> {
        let refuse = |why: &str| {
            format!(
                "{text:?} is not an origin such as https://api.example.com or http://localhost:11434 ({why})"
            )
        };
        let (scheme, rest) = text.split_once("://").ok_or_else(|| refuse("no scheme"))?;
        let scheme =
            Scheme::parse(scheme).ok_or_else(|| refuse("the scheme must be http or https"))?;
        if rest.contains(['/', '?', '#', '@']) {
            return Err(refuse("an origin has no path, query or user"));
        }
        let (host, port) = split_port(rest).ok_or_else(|| refuse("bad port"))?;
        let port = match port {
            None => Some(scheme.default_port()),
            Some("*") => None,
            Some(number) => Some(number.parse::<u16>().map_err(|_| refuse("bad port"))?),
        };
        let host = host.to_ascii_lowercase();
        let host = if host == "*" {
            HostPattern::Any
        } else if let Some(parent) = host.strip_prefix("*.") {
            if !is_host_name(parent) {
                return Err(refuse("bad host"));
            }
            HostPattern::Under(parent.to_string())
        } else if is_host_name(&host) || host.parse::<IpAddr>().is_ok() {
            HostPattern::Exact(host)
        } else {
            return Err(refuse("bad host"));
        };
        Ok(OriginPattern { scheme, host, port })
    }

    /// Whether `origin` is one this pattern allows.
    pub fn matches(&self, origin: &Origin) -> bool {
        let host = match &self.host {
            HostPattern::Exact(host) => *host == origin.host,
            HostPattern::Under(parent) => origin
                .host
                .strip_suffix(parent.as_str())
                .is_some_and(|prefix| prefix.len() > 1 && prefix.ends_with('.')),
            HostPattern::Any => true,
        };
        self.scheme == origin.scheme && host && self.port.is_none_or(|p| p == origin.port)
    }

    /// Whether the pattern names its host without a wildcard: only then may the host be a
    /// loopback, private or link-local address.
    pub fn names_host(&self) -> bool {
        matches!(self.host, HostPattern::Exact(_))
    }
}

/// `host[:port]`, with IPv6 addresses in brackets.
fn split_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (address, after) = rest.split_once(']')?;
        return match after {
            "" => Some((address, None)),
            _ => after.strip_prefix(':').map(|port| (address, Some(port))),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => Some((host, Some(port))),
        None => Some((authority, None)),
    }
}

fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Whether `address` is on the public internet: not loopback, private, link-local,
/// shared (CGNAT), multicast, documentation or unspecified.
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(address: Ipv4Addr) -> bool {
    let [a, b, c, _] = address.octets();
    let shared = a == 100 && (64..128).contains(&b);
    let documentation = matches!((a, b, c), (192, 0, 2) | (198, 51, 100) | (203, 0, 113));
    let benchmarking = a == 198 && (b == 18 || b == 19);
    !(address.is_loopback()
        || address.is_private()
        || address.is_link_local()
        || address.is_multicast()
        || address.is_broadcast()
        || address.is_unspecified()
        || a == 0
        || a >= 240
        || (a, b, c) == (192, 0, 0)
        || shared
        || documentation
        || benchmarking)
}

fn is_public_v6(address: Ipv6Addr) -> bool {
    let first = address.segments()[0];
    let unique_local = first & 0xfe00 == 0xfc00;
    let link_local = first & 0xffc0 == 0xfe80;
    let documentation = first == 0x2001 && address.segments()[1] == 0x0db8;
    !(address.is_loopback()
        || address.is_unspecified()
        || address.is_multicast()
        || unique_local
        || link_local
        || documentation)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(url: &str) -> Origin {
        Origin::of(&reqwest::Url::parse(url).expect("url")).expect("origin")
    }

    fn pattern(text: &str) -> OriginPattern {
        OriginPattern::parse(text).expect("pattern")
    }

    #[test]
    fn exact_patterns_match_scheme_host_and_port() {
        let openai = pattern("https://api.openai.com");
        assert!(openai.matches(&origin("https://api.openai.com/v1/models")));
        assert!(openai.matches(&origin("https://API.openai.com:443/")));
        assert!(!openai.matches(&origin("http://api.openai.com/")));
        assert!(!openai.matches(&origin("https://api.openai.com:8443/")));
        assert!(!openai.matches(&origin("https://api.openai.com.evil.test/")));
        assert!(openai.names_host());
        let ollama = pattern("http://localhost:11434");
        assert!(ollama.matches(&origin("http://localhost:11434/api")));
        assert!(!ollama.matches(&origin("http://localhost:11435/api")));
    }

    #[test]
    fn wildcards_cover_subdomains_ports_and_hosts() {
        let under = pattern("https://*.example.com");
        assert!(under.matches(&origin("https://a.example.com/")));
        assert!(under.matches(&origin("https://a.b.example.com/")));
        assert!(!under.matches(&origin("https://example.com/")));
        assert!(!under.matches(&origin("https://badexample.com/")));
        assert!(!under.names_host());
        let any_port = pattern("http://127.0.0.1:*");
        assert!(any_port.matches(&origin("http://127.0.0.1:9/")));
        assert!(any_port.names_host());
        let any = pattern("http://*:*");
        assert!(any.matches(&origin("http://[::1]:8080/")));
        assert!(!any.names_host());
        assert!(pattern("http://[::1]:8080").matches(&origin("http://[::1]:8080/x")));
    }

    #[test]
    fn malformed_patterns_are_refused() {
        for bad in [
            "api.openai.com",
            "ftp://example.com",
            "https://example.com/v1",
            "https://user@example.com",
            "https://exa mple.com",
            "https://example.com:http",
            "https://*example.com",
            "https://",
        ] {
            assert!(
                OriginPattern::parse(bad).is_err(),
                "{bad} should be refused"
            );
        }
    }

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
            "255.255.255.255",
        ] {
            assert!(!is_public(private.parse().expect("ip")), "{private}");
        }
        for public in ["1.1.1.1", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(public.parse().expect("ip")), "{public}");
        }
    }
}
