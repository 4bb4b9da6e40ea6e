//! `POST /api/generate`'s body and its schema: what fails here is a 422, with the messages
//! docsfy clients know.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::pipeline::source::Source;

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
    /// The project name the source gives.
    pub fn project_name(&self) -> String {
        self.source.project_name()
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
            "Invalid branch name: '{branch}'. Use letters, digits, '.', '_', '-' and '/', \
             starting with a letter or digit, with no '..'"
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
/// made of word characters, `.` and `-`; an HTTP(S) host may name its port (a Gitea on
/// `gitea.lan:3000`).
fn is_repo_url(url: &str) -> bool {
    let rest = if let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    {
        let mut parts = rest.splitn(3, '/').collect::<Vec<_>>();
        if let Some(host) = parts.first_mut()
            && let Some((name, port)) = host.split_once(':')
        {
            if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
                return false;
            }
            *host = name;
        }
        parts
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

/// Branch names docsfy 1.9 accepts (`^[a-zA-Z0-9][a-zA-Z0-9._/-]*$`, no `..`), less what
/// git itself refuses: an empty part (`a//b`, a trailing `/`), a part starting with `.`, a
/// `.lock` ending.
pub fn is_branch_name(branch: &str) -> bool {
    !branch.is_empty()
        && branch.len() <= 255
        && branch.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !branch.ends_with(".lock")
        && !branch.contains("..")
        && branch
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))
        && branch
            .split('/')
            .all(|part| !part.is_empty() && !part.starts_with('.') && !part.ends_with(".lock"))
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
                json!({"repo_url": "https://gitea.lan:/o/r"}),
                "Invalid git repository URL",
            ),
            (
                json!({"repo_url": "https://gitea.lan:30x/o/r"}),
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
                json!({"repo_url": "https://h/o/r", "branch": "feature//x"}),
                "Invalid branch name",
            ),
            (
                json!({"repo_url": "https://h/o/r", "branch": "feature/"}),
                "Invalid branch name",
            ),
            (
                json!({"repo_url": "https://h/o/r", "branch": "/x"}),
                "Invalid branch name",
            ),
            (
                json!({"repo_url": "https://h/o/r", "branch": "a/.hidden"}),
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
        let lan = parse(&body(
            json!({"repo_url": "http://gitea.lan:3000/team/tool.git"}),
        ))
        .expect("a host with its port");
        assert_eq!(lan.project_name(), "tool");
        let local = parse(&body(json!({"repo_path": "/srv/git/local-project"}))).expect("path");
        assert_eq!(
            local.source,
            Source::Path(PathBuf::from("/srv/git/local-project"))
        );
    }
}
