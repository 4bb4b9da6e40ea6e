//! Where a generation's repository comes from, and the checks that keep a server from being
//! pointed at what it must not read: internal addresses for remotes, non-repositories for
//! local paths.

use std::net::IpAddr;
use std::path::PathBuf;

/// Where the repository comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A remote URL (`http(s)://host/owner/repo(.git)` or `git@host:owner/repo(.git)`).
    Url(String),
    /// An absolute path on the server (admins only).
    Path(PathBuf),
}

/// A source the server will not generate from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SourceError {
    /// The remote's host name does not resolve.
    #[error("Repository host '{host}' cannot be resolved{reason}")]
    Unresolvable { host: String, reason: String },
    /// The remote's host is, or resolves to, an internal address.
    #[error("Repository host '{host}' resolves to {ip}, which is not a public address")]
    NotPublic { host: String, ip: IpAddr },
    /// The local path does not exist.
    #[error("Repository path '{0}' does not exist")]
    PathMissing(String),
    /// The local path is not a git repository.
    #[error("'{0}' is not a git repository")]
    NotARepository(String),
}

impl Source {
    /// The project name: the URL's last segment without `.git`, or the directory's name.
    pub fn project_name(&self) -> String {
        match self {
            Source::Url(url) => {
                let last = url
                    .trim_end_matches('/')
                    .rsplit(['/', ':'])
                    .next()
                    .unwrap_or_default();
                last.strip_suffix(".git").unwrap_or(last).to_string()
            }
            Source::Path(path) => std::fs::canonicalize(path)
                .unwrap_or_else(|_| path.clone())
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
    }

    /// The source as the variant's `repo_url` shows it.
    pub fn display_text(&self) -> String {
        match self {
            Source::Url(url) => url.clone(),
            Source::Path(path) => path.display().to_string(),
        }
    }

    /// Whether the server may generate from here: a remote on a public address, or a local
    /// directory that is a git repository.
    pub async fn check(&self) -> Result<(), SourceError> {
        match self {
            Source::Url(url) => check_public_host(url_host(url).unwrap_or_default()).await,
            Source::Path(path) => {
                let shown = || path.display().to_string();
                if !path.is_dir() {
                    return Err(SourceError::PathMissing(shown()));
                }
                if git2::Repository::open(path).is_err() {
                    return Err(SourceError::NotARepository(shown()));
                }
                Ok(())
            }
        }
    }
}

/// The host part of a repository URL.
pub fn url_host(url: &str) -> Option<&str> {
    if let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    {
        rest.split('/').next()
    } else {
        url.strip_prefix("git@")?.split(':').next()
    }
}

/// Refuses hosts that are, or resolve to, addresses a server must not be made to reach on a
/// user's behalf: loopback, private, link-local, unspecified, multicast and the like.
async fn check_public_host(host: &str) -> Result<(), SourceError> {
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host, 443))
            .await
            .map_err(|e| SourceError::Unresolvable {
                host: host.into(),
                reason: format!(": {e}"),
            })?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() {
        return Err(SourceError::Unresolvable {
            host: host.into(),
            reason: String::new(),
        });
    }
    match addresses.iter().find(|ip| !is_global(**ip)) {
        Some(ip) => Err(SourceError::NotPublic {
            host: host.into(),
            ip: *ip,
        }),
        None => Ok(()),
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
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_names_and_hosts_come_from_the_source() {
        let ssh = Source::Url("git@github.com:acme/my-repo.git".into());
        assert_eq!(ssh.project_name(), "my-repo");
        assert_eq!(
            Source::Url("https://github.com/org/repo.git/".into()).project_name(),
            "repo"
        );
        assert_eq!(
            url_host("git@github.com:acme/my-repo.git"),
            Some("github.com")
        );
        assert_eq!(
            url_host("https://gitlab.example.org/a/b"),
            Some("gitlab.example.org")
        );
        let dir = tempfile::tempdir().expect("dir");
        let repo = dir.path().join("local-project");
        std::fs::create_dir(&repo).expect("mkdir");
        assert_eq!(Source::Path(repo).project_name(), "local-project");
    }

    #[tokio::test]
    async fn local_paths_must_be_repositories() {
        let dir = tempfile::tempdir().expect("dir");
        let missing = Source::Path(dir.path().join("nothing"));
        assert!(matches!(
            missing.check().await,
            Err(SourceError::PathMissing(_))
        ));
        let plain = Source::Path(dir.path().to_path_buf());
        let error = plain.check().await.expect_err("not a repository");
        assert!(
            error.to_string().ends_with("is not a git repository"),
            "{error}"
        );
        crate::test_git::commit_files(dir.path(), &[("README.md", "# x")], "one");
        assert_eq!(plain.check().await, Ok(()));
    }

    #[test]
    fn internal_addresses_are_not_global() {
        for internal in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
        ] {
            assert!(!is_global(internal.parse().expect("ip")), "{internal}");
        }
        for public in ["140.82.112.3", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_global(public.parse().expect("ip")), "{public}");
        }
    }

    #[tokio::test]
    async fn hosts_resolving_to_internal_addresses_are_refused() {
        let error = check_public_host("localhost").await.expect_err("loopback");
        assert!(
            error.to_string().contains("not a public address"),
            "{error}"
        );
        assert!(check_public_host("127.0.0.1").await.is_err());
        assert!(check_public_host("10.0.0.8").await.is_err());
        // No DNS is needed for a literal public address.
        assert!(check_public_host("140.82.112.3").await.is_ok());
    }
}
