//! `plugin.toml`: what a plugin says it is and what it asks to be allowed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::origins::OriginPattern;

/// The WIT package versions this host can load. A plugin built against another version is
/// skipped at discovery with a message naming both.
pub const SUPPORTED_WIT_VERSIONS: &[&str] = &["0.1.0", "0.2.0"];

/// The first WIT version with the `http` and `settings` imports.
const HTTP_AND_SETTINGS_SINCE: &str = "0.2.0";

/// The parsed `plugin.toml` of one plugin.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// Unique among loaded plugins; providers are chosen by this name in `/api/generate`.
    pub name: String,
    /// Which world the component implements.
    pub kind: PluginKind,
    /// The plugin's own version (semver).
    pub version: String,
    /// The `docsfy:plugin` WIT version the component was built against.
    pub wit: String,
    /// What the plugin asks to be allowed to do. Nothing is granted by asking.
    #[serde(default)]
    pub capabilities: Capabilities,
    /// The settings the plugin reads (`[settings.<name>]`), by name. The operator gives
    /// their values in `[plugins.settings.<plugin>]`; the plugin can read no other name.
    #[serde(default)]
    pub settings: BTreeMap<String, SettingDeclaration>,
}

/// One setting a plugin reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SettingDeclaration {
    /// What the setting is for, shown by `docsfy plugins`.
    #[serde(default)]
    pub description: String,
    /// A secret (an API key): never logged, never shown, and removed by the host from the
    /// plugin's log lines and error messages.
    #[serde(default)]
    pub secret: bool,
}

/// The world a plugin implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PluginKind {
    /// An AI provider (`describe`, `check`, `complete`).
    Provider,
    /// A site renderer (`describe`, `render`).
    Renderer,
}

impl std::fmt::Display for PluginKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PluginKind::Provider => "provider",
            PluginKind::Renderer => "renderer",
        })
    }
}

/// Declared capabilities. The host lets a plugin use only what is both declared here and
/// granted by the server's configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Capabilities {
    /// Program names the plugin may ask the host to run (bare names, no paths).
    #[serde(default)]
    pub programs: Vec<String>,
    /// Environment variables those programs may receive. A trailing `*` matches a prefix
    /// (`ANTHROPIC_*`).
    #[serde(default)]
    pub env: Vec<String>,
    /// Origins the plugin may send HTTP requests to, such as `https://api.openai.com`,
    /// `http://localhost:11434` or `https://*.example.com` (WIT 0.2.0 and later).
    #[serde(default)]
    pub http: Vec<String>,
}

/// Why a manifest was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ManifestError {
    /// Not valid TOML, an unknown key, a missing key or a wrong type.
    #[error("plugin.toml is invalid: {0}")]
    Syntax(String),
    /// Well-formed but unacceptable.
    #[error("plugin.toml is invalid: {0}")]
    Invalid(String),
    /// Built against a WIT version this host does not speak.
    #[error("plugin.toml asks for WIT version {found}, but this docsfy supports {supported}")]
    UnsupportedWit {
        /// The version the manifest names.
        found: String,
        /// The versions this host supports, comma-separated.
        supported: String,
    },
}

impl Manifest {
    /// Parses and validates the text of a `plugin.toml`.
    pub fn parse(text: &str) -> Result<Manifest, ManifestError> {
        let manifest: Manifest =
            toml::from_str(text).map_err(|e| ManifestError::Syntax(e.message().to_string()))?;
        manifest.validate()?;
        Ok(manifest)
    }

    fn validate(&self) -> Result<(), ManifestError> {
        if !is_plugin_name(&self.name) {
            return Err(ManifestError::Invalid(format!(
                "name {:?} must be 1-64 characters of lowercase letters, digits, '-' or '_', \
                 starting with a letter",
                self.name
            )));
        }
        if !is_semver(&self.version) {
            return Err(ManifestError::Invalid(format!(
                "version {:?} is not a semantic version such as 1.2.3",
                self.version
            )));
        }
        if !SUPPORTED_WIT_VERSIONS.contains(&self.wit.as_str()) {
            return Err(ManifestError::UnsupportedWit {
                found: self.wit.clone(),
                supported: SUPPORTED_WIT_VERSIONS.join(", "),
            });
        }
        for program in &self.capabilities.programs {
            if !is_program_name(program) {
                return Err(ManifestError::Invalid(format!(
                    "program {program:?} must be a bare program name (no path, no spaces)"
                )));
            }
        }
        // Every supported version but the first has the imports.
        let has_imports = self.wit != "0.1.0";
        if !has_imports && (!self.capabilities.http.is_empty() || !self.settings.is_empty()) {
            return Err(ManifestError::Invalid(format!(
                "capabilities.http and [settings] need wit = \"{HTTP_AND_SETTINGS_SINCE}\" \
                 or later (this plugin says {})",
                self.wit
            )));
        }
        for origin in &self.capabilities.http {
            OriginPattern::parse(origin)
                .map_err(|e| ManifestError::Invalid(format!("capabilities.http: {e}")))?;
        }
        for name in self.settings.keys() {
            if !is_env_pattern(name) || name.ends_with('*') {
                return Err(ManifestError::Invalid(format!(
                    "setting {name:?} must be a name of letters, digits and '_'"
                )));
            }
        }
        for pattern in &self.capabilities.env {
            if !is_env_pattern(pattern) {
                return Err(ManifestError::Invalid(format!(
                    "environment variable {pattern:?} must be a name such as API_KEY, \
                     or a prefix ending in '*'"
                )));
            }
        }
        Ok(())
    }
}

pub(crate) fn is_plugin_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 64
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

fn is_semver(version: &str) -> bool {
    let core = version.split(['-', '+']).next().unwrap_or_default();
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() == 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// A bare program name: what `run` may ask for. Paths are the operator's to configure.
pub(crate) fn is_program_name(program: &str) -> bool {
    !program.is_empty()
        && program.len() <= 128
        && program != "."
        && program != ".."
        && program
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub(crate) fn is_env_pattern(pattern: &str) -> bool {
    let name = pattern.strip_suffix('*').unwrap_or(pattern);
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLAUDE: &str = r#"
        name = "claude"
        kind = "provider"
        version = "0.1.0"
        wit = "0.1.0"

        [capabilities]
        programs = ["claude"]
        env = ["PATH", "ANTHROPIC_*"]
    "#;

    #[test]
    fn parses_a_complete_manifest() {
        let manifest = Manifest::parse(CLAUDE).expect("valid");
        assert_eq!(manifest.name, "claude");
        assert_eq!(manifest.kind, PluginKind::Provider);
        assert_eq!(manifest.capabilities.programs, ["claude"]);
        assert_eq!(manifest.capabilities.env, ["PATH", "ANTHROPIC_*"]);
    }

    #[test]
    fn capabilities_default_to_nothing() {
        let text = "name='site'\nkind='renderer'\nversion='1.0.0-beta.1'\nwit='0.1.0'\n";
        let manifest = Manifest::parse(text).expect("valid");
        assert_eq!(manifest.capabilities, Capabilities::default());
    }

    #[test]
    fn unknown_keys_are_refused() {
        let text = format!("{CLAUDE}\nextra = 1\n");
        let error = Manifest::parse(&text).expect_err("unknown key");
        assert!(
            error.to_string().contains("unknown field `extra`"),
            "{error}"
        );
        let nested = CLAUDE.replace("programs", "network = true\nprograms");
        let error = Manifest::parse(&nested).expect_err("unknown capability");
        assert!(error.to_string().contains("network"), "{error}");
    }

    #[test]
    fn missing_and_mistyped_keys_are_refused() {
        let error = Manifest::parse("name='x'\nkind='provider'\n").expect_err("missing");
        assert!(
            error.to_string().contains("missing field `version`"),
            "{error}"
        );
        let error =
            Manifest::parse(&CLAUDE.replace("\"provider\"", "\"widget\"")).expect_err("kind");
        assert!(
            error.to_string().contains("unknown variant `widget`"),
            "{error}"
        );
    }

    #[test]
    fn unsupported_wit_versions_are_named() {
        let error = Manifest::parse(&CLAUDE.replace("wit = \"0.1.0\"", "wit = \"9.0.0\""))
            .expect_err("wit");
        assert_eq!(
            error.to_string(),
            "plugin.toml asks for WIT version 9.0.0, but this docsfy supports 0.1.0, 0.2.0"
        );
    }

    #[test]
    fn http_and_settings_are_declared_from_wit_0_2() {
        let text = CLAUDE
            .replace("wit = \"0.1.0\"", "wit = \"0.2.0\"")
            .replace(
                "env = [",
                "http = [\"https://api.openai.com\", \"http://localhost:*\"]\nenv = [",
            )
            + "\n[settings.api_key]\nsecret = true\ndescription = \"the key\"\n";
        let manifest = Manifest::parse(&text).expect("valid");
        assert_eq!(manifest.capabilities.http.len(), 2);
        assert!(manifest.settings["api_key"].secret);
        let old = text.replace("wit = \"0.2.0\"", "wit = \"0.1.0\"");
        let error = Manifest::parse(&old).expect_err("0.1.0 has no http");
        assert!(
            error.to_string().contains("need wit = \"0.2.0\""),
            "{error}"
        );
        let bad = text.replace("https://api.openai.com", "ftp://example.com");
        let error = Manifest::parse(&bad).expect_err("scheme");
        assert!(error.to_string().contains("capabilities.http"), "{error}");
    }

    #[test]
    fn names_versions_programs_and_env_are_checked() {
        for (from, to) in [
            ("name = \"claude\"", "name = \"Claude\""),
            ("name = \"claude\"", "name = \"\""),
            ("version = \"0.1.0\"", "version = \"1.0\""),
            ("[\"claude\"]", "[\"/usr/bin/claude\"]"),
            ("[\"claude\"]", "[\"claude --danger\"]"),
            ("[\"claude\"]", "[\"..\"]"),
            ("\"ANTHROPIC_*\"", "\"*\""),
            ("\"ANTHROPIC_*\"", "\"A*B\""),
            ("\"ANTHROPIC_*\"", "\"1PATH\""),
        ] {
            let text = CLAUDE.replace(from, to);
            assert!(
                matches!(Manifest::parse(&text), Err(ManifestError::Invalid(_))),
                "{to} should be refused"
            );
        }
    }
}
