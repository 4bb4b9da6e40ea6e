//! Which remotes a clone may reach: a host resolves once, every address it has must be public
//! unless the operator allows the host (`[git] allow_hosts`), and the address that was checked
//! is the one connected to (see `clone_proxy`).

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::source::SourceError;
use crate::config::GitSettings;

/// How a remote is reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Http,
    Https,
    Ssh,
}

/// The parts of a repository URL the checks need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteUrl {
    pub transport: Transport,
    /// Lower-cased, without brackets for IPv6.
    pub host: String,
    pub port: u16,
}

impl RemoteUrl {
    /// `http(s)://[user@]host[:port]/path` or `git@host:path`; `None` for anything else.
    pub fn parse(url: &str) -> Option<RemoteUrl> {
        if let Some(rest) = url.strip_prefix("git@") {
            let host = rest.split(':').next().filter(|h| !h.is_empty())?;
            return Some(RemoteUrl {
                transport: Transport::Ssh,
                host: host.to_ascii_lowercase(),
                port: 22,
            });
        }
        let (transport, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (Transport::Https, rest)
        } else {
            (Transport::Http, url.strip_prefix("http://")?)
        };
        let authority = rest.split(['/', '?', '#']).next()?;
        let authority = authority.rsplit('@').next()?;
        let default_port = if transport == Transport::Https {
            443
        } else {
            80
        };
        let (host, port) = split_authority(authority, default_port)?;
        Some(RemoteUrl {
            transport,
            host,
            port,
        })
    }
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`, lower-cased; `None` when malformed.
pub fn split_authority(authority: &str, default_port: u16) -> Option<(String, u16)> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(port) => port.parse().ok()?,
            None if after.is_empty() => default_port,
            None => return None,
        };
        (host, port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, port.parse().ok()?),
            None => (authority, default_port),
        }
    };
    (!host.is_empty()).then(|| (host.to_ascii_lowercase(), port))
}

/// The operator's rules for clones, from `[git]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemotePolicy {
    /// Hosts allowed on internal addresses, with the port when one was given.
    allowed: Vec<(String, Option<u16>)>,
    credential_hosts: Vec<String>,
    /// The most one clone may download.
    pub max_clone_bytes: u64,
    /// The longest one clone may take.
    pub clone_timeout: Duration,
}

impl Default for RemotePolicy {
    fn default() -> Self {
        RemotePolicy::from_settings(&GitSettings::default())
    }
}

impl RemotePolicy {
    pub fn from_settings(settings: &GitSettings) -> RemotePolicy {
        let allowed = settings
            .allow_hosts
            .iter()
            .filter_map(|entry| {
                // Port 0 stands for "none given": no git host listens there.
                let (host, port) = split_authority(entry, 0)?;
                Some((host, (port != 0).then_some(port)))
            })
            .collect();
        RemotePolicy {
            allowed,
            credential_hosts: settings
                .credential_hosts
                .iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            max_clone_bytes: settings.max_clone_mb.saturating_mul(1024 * 1024),
            clone_timeout: Duration::from_secs(settings.clone_timeout_secs),
        }
    }

    /// Whether the operator allows `host:port` on any address.
    pub fn allows(&self, host: &str, port: u16) -> bool {
        self.allowed
            .iter()
            .any(|(allowed, p)| allowed == host && p.is_none_or(|p| p == port))
    }

    /// The hosts the server's SSH agent and credential helpers may be used for.
    pub fn credential_hosts(&self) -> &[String] {
        &self.credential_hosts
    }

    /// Whether the server's SSH agent and credential helpers may be used for `host`.
    pub fn gives_credentials_to(&self, host: &str) -> bool {
        self.credential_hosts.iter().any(|h| h == host)
    }

    /// The addresses a clone of `host:port` may connect to: all of them when the host is
    /// allowed, else all of them if every one is public, else an error naming the first
    /// internal one. Resolved once; connect to what this returns, not to the name.
    pub async fn addresses(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, SourceError> {
        let addresses: Vec<SocketAddr> = match host.parse::<IpAddr>() {
            Ok(ip) => vec![SocketAddr::new(ip, port)],
            Err(_) => tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| SourceError::Unresolvable {
                    host: host.into(),
                    reason: format!(": {e}"),
                })?
                .collect(),
        };
        if addresses.is_empty() {
            return Err(SourceError::Unresolvable {
                host: host.into(),
                reason: String::new(),
            });
        }
        if self.allows(host, port) {
            return Ok(addresses);
        }
        match addresses.iter().find(|a| !is_global(a.ip())) {
            Some(internal) => Err(SourceError::NotPublic {
                host: host.into(),
                ip: internal.ip(),
            }),
            None => Ok(addresses),
        }
    }
}

/// Whether an address is publicly routable.
pub fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
                || (a == 192 && b == 0 && v4.octets()[2] == 0) // IETF protocol assignments
                || (a == 198 && (18..20).contains(&b)) // benchmarking
                || a >= 240) // reserved
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_global(IpAddr::V4(v4));
            }
            let segments = v6.segments();
            let embedded = |high: u16, low: u16| {
                let [a, b] = high.to_be_bytes();
                let [c, d] = low.to_be_bytes();
                IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, d))
            };
            // Translators reach the IPv4 address inside: NAT64 (64:ff9b::/96) and 6to4
            // (2002::/16) are as public as it is.
            // SIIT (::ffff:0:a.b.c.d) embeds one too.
            if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0]
                || segments[..6] == [0, 0, 0, 0, 0xffff, 0]
            {
                return is_global(embedded(segments[6], segments[7]));
            }
            if segments[0] == 0x2002 {
                return is_global(embedded(segments[1], segments[2]));
            }
            let first = segments[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
                || segments[..6] == [0; 6] // IPv4-compatible (deprecated)
                || (first == 0x64 && segments[1] == 0xff9b && segments[2] == 1) // local NAT64
                || (first == 0x2001 && segments[1] == 0) // Teredo: the IPv4 inside is hidden
                || segments[..4] == [0x100, 0, 0, 0] // discard-only
                || (first == 0x2001 && segments[1] == 2 && segments[2] == 0) // benchmarking
                || (first == 0x2001 && (0x10..0x30).contains(&segments[1])) // ORCHID(v2)
                || (first & 0xfff0) == 0x3ff0 // documentation (3fff::/20)
                || first == 0x2001 && segments[1] == 0x0db8) // documentation
        }
    }
}

#[cfg(test)]
#[path = "remote_tests.rs"]
mod tests;
