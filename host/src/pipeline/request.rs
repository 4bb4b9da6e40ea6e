//! `POST /api/generate`'s body: the schema checks (which the API answers with 422) and the
//! repository-host check that keeps generation away from internal addresses (400).

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// Where the repository comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A remote URL (`http(s)://host/owner/repo(.git)` or `git@host:owner/repo(.git)`).
    Url(String),
    /// An absolute path on the server (admins only).
    Path(PathBuf),
}

/// A generation request that passed the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenerateRequest {
    /// The repository.
    pub source: Source,
    /// The provider, if the request names one.
    pub ai_provider: Option<String>,
    /// The model, if the request names one.
    pub ai_model: Option<String>,
    /// Seconds per AI call, if the request sets it.
    pub ai_cli_timeout: Option<u64>,
    /// Regenerate everything even if nothing changed.
    pub force: bool,
    /// The branch.
    pub branch: String,
}

impl GenerateRequest {
    /// The project name: the URL's last segment without `.git`, or the directory's name.
    pub fn project_name(&self) -> String {
        match &self.source {
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

    /// The source as stored in the variant's `repo_url`.
    pub fn source_text(&self) -> String {
        match &self.source {
            Source::Url(url) => url.clone(),
            Source::Path(path) => path.display().to_string(),
        }
    }
}

/// Checks the body against the schema. Extra fields are ignored, as docsfy clients send some.
pub fn parse(body: &Map<String, Value>) -> Result<GenerateRequest, String> {
    let repo_url = optional_string(body, "repo_url")?.filter(|s| !s.is_empty());
    let repo_path = optional_string(body, "repo_path")?.filter(|s| !s.is_empty());
    let source = match (repo_url, repo_path) {
        (None, None) => return Err("Either 'repo_url' or 'repo_path' must be provided".into()),
        (Some(_), Some(_)) => {
            return Err("Provide either 'repo_url' or 'repo_path', not both".into());
        }
        (Some(url), None) => {
            if !is_repo_url(&url) {
                return Err(format!("Invalid git repository URL: '{url}'"));
            }
            Source::Url(url)
        }
        (None, Some(path)) => {
            if !Path::new(&path).is_absolute() {
                return Err("repo_path must be an absolute path".into());
            }
            Source::Path(PathBuf::from(path))
        }
    };
    let ai_cli_timeout = match body.get("ai_cli_timeout") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_u64() {
            Some(seconds) if seconds > 0 => Some(seconds),
            _ => return Err("ai_cli_timeout must be an integer greater than 0".into()),
        },
        Some(_) => return Err("ai_cli_timeout must be an integer greater than 0".into()),
    };
    let force = match body.get("force") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(force)) => *force,
        Some(_) => return Err("force must be true or false".into()),
    };
    let branch = optional_string(body, "branch")?.unwrap_or_else(|| "main".into());
    if !is_branch_name(&branch) {
        return Err(format!(
            "Invalid branch name: '{branch}'. Use letters, digits, '.', '_' and '-' (no slashes)"
        ));
    }
    Ok(GenerateRequest {
        source,
        ai_provider: optional_string(body, "ai_provider")?.filter(|s| !s.is_empty()),
        ai_model: optional_string(body, "ai_model")?.filter(|s| !s.is_empty()),
        ai_cli_timeout,
        force,
        branch,
    })
}

fn optional_string(body: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(format!("{field} must be a string")),
    }
}

/// `http(s)://host/owner/repo(.git)` or `git@host:owner/repo(.git)`, with host, owner and repo
/// made of word characters, `.` and `-`.
fn is_repo_url(url: &str) -> bool {
    let rest = if let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    {
        rest.splitn(3, '/').collect::<Vec<_>>()
    } else if let Some(rest) = url.strip_prefix("git@") {
        match rest.split_once(':') {
            Some((host, path)) => std::iter::once(host).chain(path.splitn(2, '/')).collect(),
            None => return false,
        }
    } else {
        return false;
    };
    rest.len() == 3 && rest.iter().all(|part| is_word(part))
}

fn is_word(part: &str) -> bool {
    !part.is_empty()
        && part
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Branch names docsfy accepts: letters, digits, `.`, `_`, `-`; nothing git would refuse
/// or read as an option.
pub fn is_branch_name(branch: &str) -> bool {
    !branch.is_empty()
        && branch.len() <= 255
        && !branch.starts_with(['-', '.'])
        && !branch.ends_with(".lock")
        && !branch.contains("..")
        && branch
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
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
pub async fn check_public_host(host: &str) -> Result<(), String> {
    let addresses: Vec<IpAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host, 443))
            .await
            .map_err(|e| format!("Repository host '{host}' cannot be resolved: {e}"))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() {
        return Err(format!("Repository host '{host}' cannot be resolved"));
    }
    match addresses.iter().find(|ip| !is_global(**ip)) {
        Some(ip) => Err(format!(
            "Repository host '{host}' resolves to {ip}, which is not a public address"
        )),
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
    use serde_json::json;

    fn body(value: Value) -> Map<String, Value> {
        value.as_object().expect("object").clone()
    }

    #[test]
    fn a_minimal_request_gets_the_defaults() {
        let request = parse(&body(
            json!({"repo_url": "https://github.com/org/repo.git", "project_name": "ignored"}),
        ))
        .expect("valid");
        assert_eq!(
            request.source,
            Source::Url("https://github.com/org/repo.git".into())
        );
        assert_eq!(request.branch, "main");
        assert!(!request.force);
        assert_eq!(request.project_name(), "repo");
        assert_eq!(request.ai_provider, None);
    }

    #[test]
    fn schema_failures_are_explained() {
        let cases = [
            (json!({}), "Either 'repo_url' or 'repo_path'"),
            (json!({"repo_url": "", "repo_path": ""}), "Either"),
            (
                json!({"repo_url": "https://h/o/r", "repo_path": "/x"}),
                "not both",
            ),
            (
                json!({"repo_url": "not-a-url"}),
                "Invalid git repository URL",
            ),
            (
                json!({"repo_url": "https://github.com/org"}),
                "Invalid git repository URL",
            ),
            (
                json!({"repo_url": "ftp://github.com/o/r"}),
                "Invalid git repository URL",
            ),
            (
                json!({"repo_url": "https://github.com/o/r/extra"}),
                "Invalid git repository URL",
            ),
            (json!({"repo_path": "relative/dir"}), "absolute"),
            (
                json!({"repo_url": "https://h/o/r", "ai_cli_timeout": 0}),
                "greater than 0",
            ),
            (
                json!({"repo_url": "https://h/o/r", "ai_cli_timeout": -5}),
                "greater than 0",
            ),
            (
                json!({"repo_url": "https://h/o/r", "ai_cli_timeout": "60"}),
                "greater than 0",
            ),
            (
                json!({"repo_url": "https://h/o/r", "force": "yes"}),
                "force",
            ),
            (
                json!({"repo_url": "https://h/o/r", "branch": "feature/x"}),
                "Invalid branch name",
            ),
            (
                json!({"repo_url": "https://h/o/r", "branch": "--upload-pack=x"}),
                "Invalid branch name",
            ),
            (
                json!({"repo_url": "https://h/o/r", "branch": "a..b"}),
                "Invalid branch name",
            ),
            (
                json!({"repo_url": "https://h/o/r", "ai_provider": 3}),
                "ai_provider must be a string",
            ),
        ];
        for (value, expected) in cases {
            let error = parse(&body(value.clone())).expect_err(&value.to_string());
            assert!(error.contains(expected), "{value}: {error}");
        }
    }

    #[test]
    fn ssh_urls_and_local_paths_are_accepted() {
        let ssh = parse(&body(
            json!({"repo_url": "git@github.com:acme/my-repo.git", "branch": "release-1.2"}),
        ))
        .expect("ssh");
        assert_eq!(ssh.project_name(), "my-repo");
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
        let local = parse(&body(json!({"repo_path": repo.display().to_string()}))).expect("path");
        assert_eq!(local.project_name(), "local-project");
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
        assert!(error.contains("not a public address"), "{error}");
        assert!(check_public_host("127.0.0.1").await.is_err());
        assert!(check_public_host("10.0.0.8").await.is_err());
        // No DNS is needed for a literal public address.
        assert!(check_public_host("140.82.112.3").await.is_ok());
    }
}
