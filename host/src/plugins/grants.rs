//! What the operator allows a plugin: programs, environment variables and resource limits.
//!
//! A plugin may use a capability only when its manifest declares it **and** the server's
//! configuration grants it. The bundled providers come with default grants that let the real
//! CLIs find their login and keys; the configuration can widen or narrow them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::manifest::Capabilities;
use super::origins::{Origin, OriginPattern};

/// The operator's grant for one plugin (`[plugins.grants.<name>]` in the config).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// Programs the plugin may run.
    #[serde(default)]
    pub programs: Vec<String>,
    /// Environment variables passed to those programs; a trailing `*` matches a prefix.
    #[serde(default)]
    pub env: Vec<String>,
    /// Origins the plugin may send HTTP requests to (patterns as in the manifest's
    /// `capabilities.http`). A loopback or private address is reachable only through an
    /// origin that names its host without a wildcard.
    #[serde(default)]
    pub http: Vec<String>,
    /// Explicit locations of programs, for ones that are not on the server's `PATH`.
    #[serde(default)]
    pub program_paths: BTreeMap<String, PathBuf>,
    /// Paths its programs may read inside the sandbox: their installation when it is not
    /// next to the executable (`~/` is the server's home directory).
    #[serde(default)]
    pub read_paths: Vec<String>,
    /// Paths its programs may write inside the sandbox: their login and state directories.
    #[serde(default)]
    pub write_paths: Vec<String>,
    /// Memory the plugin's instance may use, in MiB (default: `plugins.memory_mb`).
    #[serde(default)]
    pub memory_mb: Option<u64>,
    /// How long one call may compute, in milliseconds, not counting time spent waiting for a
    /// program it runs (default: `plugins.call_deadline_ms`).
    #[serde(default)]
    pub call_deadline_ms: Option<u64>,
}

/// Why the host refused a `run`.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Denial {
    /// The manifest does not declare the program.
    #[error("program `{0}` is not declared in the plugin's plugin.toml")]
    Undeclared(String),
    /// Declared, but the operator has not granted it.
    #[error(
        "program `{program}` is not granted to plugin `{plugin}` by the server's configuration \
         (add it to plugins.grants.{plugin}.programs)"
    )]
    NotGranted {
        /// The program asked for.
        program: String,
        /// The plugin that asked.
        plugin: String,
    },
}

/// Why the host refused an HTTP request.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HttpDenial {
    /// The manifest does not declare the origin.
    #[error("{0} is not among the origins the plugin's plugin.toml declares (capabilities.http)")]
    Undeclared(String),
    /// Declared, but the operator has not granted it.
    #[error(
        "{origin} is not granted to plugin `{plugin}` by the server's configuration \
         (add it to plugins.grants.{plugin}.http)"
    )]
    NotGranted {
        /// The origin asked for.
        origin: String,
        /// The plugin that asked.
        plugin: String,
    },
}

/// How a granted origin may be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Public addresses only: the grant matched through a wildcard.
    PublicOnly,
    /// Any address: a grant names this host (a local Ollama, a LAN server).
    AnyAddress,
}

/// Checks that `origin` is both declared and granted, and how it may be reached.
pub fn check_origin(
    plugin: &str,
    declared: &Capabilities,
    grant: &Grant,
    origin: &Origin,
) -> Result<Reach, HttpDenial> {
    let patterns = |list: &[String]| -> Vec<OriginPattern> {
        list.iter()
            .filter_map(|p| OriginPattern::parse(p).ok())
            .collect()
    };
    if !patterns(&declared.http).iter().any(|p| p.matches(origin)) {
        return Err(HttpDenial::Undeclared(origin.to_string()));
    }
    let granted: Vec<OriginPattern> = patterns(&grant.http)
        .into_iter()
        .filter(|p| p.matches(origin))
        .collect();
    if granted.is_empty() {
        return Err(HttpDenial::NotGranted {
            origin: origin.to_string(),
            plugin: plugin.to_string(),
        });
    }
    Ok(if granted.iter().any(OriginPattern::names_host) {
        Reach::AnyAddress
    } else {
        Reach::PublicOnly
    })
}

/// Checks that `program` is both declared and granted.
pub fn check_program(
    plugin: &str,
    declared: &Capabilities,
    grant: &Grant,
    program: &str,
) -> Result<(), Denial> {
    if !declared.programs.iter().any(|p| p == program) {
        return Err(Denial::Undeclared(program.to_string()));
    }
    if !grant.programs.iter().any(|p| p == program) {
        return Err(Denial::NotGranted {
            program: program.to_string(),
            plugin: plugin.to_string(),
        });
    }
    Ok(())
}

/// The variables of `environment` that are both declared and granted, in their given order.
pub fn allowed_env<'a>(
    declared: &Capabilities,
    grant: &Grant,
    environment: impl IntoIterator<Item = (String, String)> + 'a,
) -> Vec<(String, String)> {
    environment
        .into_iter()
        .filter(|(name, _)| matches_any(&declared.env, name) && matches_any(&grant.env, name))
        .collect()
}

/// The environment patterns that are in effect: what a variable must match on both sides,
/// as narrow as the narrower side (`ANTHROPIC_*` declared and `ANTHROPIC_API_KEY` granted
/// gives `ANTHROPIC_API_KEY`).
pub fn effective_env(declared: &[String], granted: &[String]) -> Vec<String> {
    let mut effective = Vec::new();
    for d in declared {
        for g in granted {
            let narrower = if d == g || matches_any(std::slice::from_ref(g), d) {
                d
            } else if matches_any(std::slice::from_ref(d), g) {
                g
            } else {
                continue;
            };
            if !effective.contains(narrower) {
                effective.push(narrower.clone());
            }
        }
    }
    effective
}

fn matches_any(patterns: &[String], name: &str) -> bool {
    patterns
        .iter()
        .any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None => pattern == name,
        })
}

/// The grants the bundled providers get unless the configuration says otherwise: their CLI,
/// and what that CLI needs to find its login and keys.
pub fn bundled_defaults() -> BTreeMap<String, Grant> {
    let strings = |list: &[&str]| list.iter().map(|e| e.to_string()).collect::<Vec<_>>();
    let grant = |program: &str, env: &[&str], (read, write): (&[&str], &[&str])| Grant {
        programs: vec![program.to_string()],
        env: strings(env),
        read_paths: strings(read),
        write_paths: strings(write),
        ..Grant::default()
    };
    let common = ["PATH", "HOME", "USER", "LANG", "TMPDIR", "XDG_CONFIG_HOME"];
    let with_common = |extra: &[&'static str]| -> Vec<&'static str> {
        common.iter().chain(extra).copied().collect()
    };
    BTreeMap::from([
        (
            "claude".to_string(),
            grant(
                "claude",
                &with_common(&["ANTHROPIC_*", "CLAUDE_*", "AWS_*"]),
                (
                    &["~/.local/share/claude", "~/.local/bin"],
                    &["~/.claude", "~/.claude.json", "~/.config/claude"],
                ),
            ),
        ),
        (
            "gemini".to_string(),
            grant(
                "gemini",
                &with_common(&["GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_*"]),
                (&[], &["~/.gemini"]),
            ),
        ),
        (
            "openai".to_string(),
            Grant {
                http: vec!["https://api.openai.com".to_string()],
                ..Grant::default()
            },
        ),
        (
            "cursor".to_string(),
            grant(
                "agent",
                &with_common(&["CURSOR_API_KEY"]),
                (
                    &["~/.local/share/cursor-agent", "~/.local/bin"],
                    &["~/.cursor", "~/.config/cursor"],
                ),
            ),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declared(programs: &[&str], env: &[&str]) -> Capabilities {
        Capabilities {
            programs: programs.iter().map(|p| p.to_string()).collect(),
            env: env.iter().map(|e| e.to_string()).collect(),
            http: Vec::new(),
        }
    }

    fn granted(programs: &[&str], env: &[&str]) -> Grant {
        Grant {
            programs: programs.iter().map(|p| p.to_string()).collect(),
            env: env.iter().map(|e| e.to_string()).collect(),
            ..Grant::default()
        }
    }

    #[test]
    fn a_program_needs_declaration_and_grant() {
        let caps = declared(&["claude"], &[]);
        assert_eq!(
            check_program("p", &caps, &granted(&["claude"], &[]), "claude"),
            Ok(())
        );
        assert_eq!(
            check_program("p", &caps, &granted(&["claude", "sh"], &[]), "sh"),
            Err(Denial::Undeclared("sh".into()))
        );
        let error = check_program("p", &caps, &granted(&[], &[]), "claude").expect_err("denied");
        assert_eq!(
            error.to_string(),
            "program `claude` is not granted to plugin `p` by the server's configuration \
             (add it to plugins.grants.p.programs)"
        );
    }

    #[test]
    fn an_origin_needs_declaration_and_grant_and_a_named_host_for_private_addresses() {
        let caps = Capabilities {
            http: vec!["http://*:*".into(), "https://*".into()],
            ..Capabilities::default()
        };
        let grant = |http: &[&str]| Grant {
            http: http.iter().map(|h| h.to_string()).collect(),
            ..Grant::default()
        };
        let origin =
            |url: &str| Origin::of(&reqwest::Url::parse(url).expect("url")).expect("origin");
        let local = origin("http://127.0.0.1:11434/v1");
        assert_eq!(
            check_origin("p", &caps, &grant(&["http://127.0.0.1:11434"]), &local),
            Ok(Reach::AnyAddress)
        );
        assert_eq!(
            check_origin("p", &caps, &grant(&["http://*:*"]), &local),
            Ok(Reach::PublicOnly)
        );
        let error = check_origin("p", &caps, &grant(&["https://api.openai.com"]), &local)
            .expect_err("not granted");
        assert_eq!(
            error.to_string(),
            "http://127.0.0.1:11434 is not granted to plugin `p` by the server's configuration \
             (add it to plugins.grants.p.http)"
        );
        let narrow = Capabilities {
            http: vec!["https://api.openai.com".into()],
            ..Capabilities::default()
        };
        assert_eq!(
            check_origin("p", &narrow, &grant(&["http://*:*"]), &local),
            Err(HttpDenial::Undeclared("http://127.0.0.1:11434".into()))
        );
    }

    #[test]
    fn program_names_match_exactly() {
        let caps = declared(&["claude"], &[]);
        let grant = granted(&["claude"], &[]);
        for other in ["Claude", "claude2", "claud", "./claude", ""] {
            assert!(check_program("p", &caps, &grant, other).is_err(), "{other}");
        }
    }

    #[test]
    fn env_passes_only_what_both_sides_allow() {
        let caps = declared(&[], &["PATH", "ANTHROPIC_*", "SECRET"]);
        let grant = granted(&[], &["PATH", "ANTHROPIC_API_KEY", "OTHER"]);
        let environment = [
            ("PATH", "/bin"),
            ("ANTHROPIC_API_KEY", "k"),
            ("ANTHROPIC_BASE_URL", "u"),
            ("SECRET", "s"),
            ("OTHER", "o"),
            ("HOME", "/root"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let passed = allowed_env(&caps, &grant, environment);
        let names: Vec<&str> = passed.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["PATH", "ANTHROPIC_API_KEY"]);
    }

    #[test]
    fn prefix_patterns_match_prefixes_only() {
        let caps = declared(&[], &["GOOGLE_*"]);
        let grant = granted(&[], &["GOOGLE_*"]);
        let environment = [
            ("GOOGLE_API_KEY", ""),
            ("GOOGLE", ""),
            ("MY_GOOGLE_KEY", ""),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let passed = allowed_env(&caps, &grant, environment);
        assert_eq!(passed, [("GOOGLE_API_KEY".to_string(), String::new())]);
    }

    #[test]
    fn effective_env_is_the_narrower_side() {
        let strings = |items: &[&str]| items.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let declared = strings(&["PATH", "ANTHROPIC_*", "CLAUDE_*", "HOME"]);
        let granted = strings(&["PATH", "ANTHROPIC_API_KEY", "CLAUDE_*", "OTHER"]);
        assert_eq!(
            effective_env(&declared, &granted),
            strings(&["PATH", "ANTHROPIC_API_KEY", "CLAUDE_*"])
        );
        assert_eq!(
            effective_env(&strings(&["GOOGLE_API_KEY"]), &strings(&["GOOGLE_*"])),
            strings(&["GOOGLE_API_KEY"])
        );
    }

    #[test]
    fn bundled_defaults_cover_the_three_clis() {
        let defaults = bundled_defaults();
        assert_eq!(defaults["claude"].programs, ["claude"]);
        assert_eq!(defaults["gemini"].programs, ["gemini"]);
        assert_eq!(defaults["cursor"].programs, ["agent"]);
        assert!(
            defaults["cursor"]
                .env
                .contains(&"CURSOR_API_KEY".to_string())
        );
        assert!(
            defaults["gemini"]
                .env
                .contains(&"GEMINI_API_KEY".to_string())
        );
    }
}
