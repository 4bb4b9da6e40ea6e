//! Where a generation's repository comes from, and the checks that keep a server from being
//! pointed at what it must not read: internal addresses for remotes, non-repositories for
//! local paths.

use std::net::IpAddr;
use std::path::PathBuf;

use super::remote::{RemotePolicy, RemoteUrl, Transport};

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
    /// The URL is neither `http(s)://host/...` nor `git@host:...`.
    #[error("Repository URL '{0}' is not an http(s):// or git@host: URL")]
    Unsupported(String),
    /// An SSH remote on a host the operator has not listed.
    #[error(
        "SSH clones are made only from hosts the server's operator lists ([git] \
         credential_hosts); '{0}' is not one: use its https:// URL"
    )]
    SshNotAllowed(String),
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

    /// Whether the server may generate from here: a remote on a public address (or one the
    /// operator allows), or a local directory that is a git repository. The clone checks
    /// every address again as it connects; this answers the request early.
    pub async fn check(&self, policy: &RemotePolicy) -> Result<(), SourceError> {
        match self {
            Source::Url(url) => {
                let remote =
                    RemoteUrl::parse(url).ok_or_else(|| SourceError::Unsupported(url.clone()))?;
                if remote.transport == Transport::Ssh && !policy.gives_credentials_to(&remote.host)
                {
                    return Err(SourceError::SshNotAllowed(remote.host));
                }
                policy.addresses(&remote.host, remote.port).await.map(drop)
            }
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
            missing.check(&RemotePolicy::default()).await,
            Err(SourceError::PathMissing(_))
        ));
        let plain = Source::Path(dir.path().to_path_buf());
        let error = plain
            .check(&RemotePolicy::default())
            .await
            .expect_err("not a repository");
        assert!(
            error.to_string().ends_with("is not a git repository"),
            "{error}"
        );
        crate::test_git::commit_files(dir.path(), &[("README.md", "# x")], "one");
        assert_eq!(plain.check(&RemotePolicy::default()).await, Ok(()));
    }

    #[tokio::test]
    async fn ssh_is_only_for_listed_hosts_and_other_schemes_are_refused() {
        let policy = RemotePolicy::default();
        let ssh = Source::Url("git@github.com:acme/repo.git".into());
        assert_eq!(
            ssh.check(&policy).await,
            Err(SourceError::SshNotAllowed("github.com".into()))
        );
        let ftp = Source::Url("ftp://example.org/repo".into());
        assert!(matches!(
            ftp.check(&policy).await,
            Err(SourceError::Unsupported(_))
        ));
    }
}
