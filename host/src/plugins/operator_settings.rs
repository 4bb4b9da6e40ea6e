//! The settings an operator gives a plugin (`[plugins.settings.<name>]`) and how the host
//! keeps its secrets: each plugin sees only its own declared names, and a secret value never
//! leaves the host in a log line or an error message.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::bindings::WitError;
use super::manifest::Manifest;

/// Where a setting's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum SettingSource {
    /// The value itself: `base_url = "http://localhost:11434/v1"`.
    Text(String),
    /// An environment variable of the server: `api_key = { env = "OPENAI_API_KEY" }`. The
    /// value is read when plugins are loaded and treated as a secret.
    Env {
        /// The variable's name.
        env: String,
    },
    /// A secret written in the configuration: `api_key = { secret = "sk-..." }`.
    Secret {
        /// The value.
        secret: String,
    },
}

impl SettingSource {
    /// Hides the value for printing, unless it is given as text under a name that reads as
    /// plain (`base_url`, `model`): a secret is never shown, whatever its name.
    pub fn redact_unless_plain(&mut self, name: &str) {
        let sensitive = ["key", "token", "secret", "password", "credential"]
            .iter()
            .any(|word| name.to_ascii_lowercase().contains(word));
        match self {
            SettingSource::Secret { secret } => *secret = "<redacted>".into(),
            SettingSource::Text(value) if sensitive => *value = "<redacted>".into(),
            SettingSource::Text(_) | SettingSource::Env { .. } => {}
        }
    }
}

/// What `docsfy plugins` shows of one setting: never its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingSummary {
    /// The setting's name.
    pub name: String,
    /// What it is for, from the manifest.
    pub description: String,
    /// Whether it is a secret.
    pub secret: bool,
    /// Whether the operator gave it a value.
    pub set: bool,
}

/// One plugin's settings with their values, as the host holds them.
#[derive(Clone, Default)]
pub struct ResolvedSettings {
    values: BTreeMap<String, String>,
    secrets: Vec<String>,
    summary: Vec<SettingSummary>,
}

// Values stay out of debug output, whatever prints the identity they belong to.
impl std::fmt::Debug for ResolvedSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.summary.iter().map(|s| (&s.name, s.set)))
            .finish()
    }
}

/// Why reading a setting was refused.
#[derive(Debug, PartialEq, Eq)]
pub struct UndeclaredSetting(pub String);

impl std::fmt::Display for UndeclaredSetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "setting `{}` is not declared in the plugin's plugin.toml ([settings])",
            self.0
        )
    }
}

impl ResolvedSettings {
    /// The settings of the plugin `manifest` describes: `configured` (the operator's), over
    /// `defaults` (a bundled plugin's), with `{ env = ... }` read from `environment`. Names the
    /// manifest does not declare are left out, each with a warning.
    pub fn resolve(
        manifest: &Manifest,
        configured: Option<&BTreeMap<String, SettingSource>>,
        defaults: BTreeMap<String, SettingSource>,
        environment: &[(String, String)],
    ) -> (ResolvedSettings, Vec<String>) {
        let mut sources = defaults;
        sources.extend(
            configured
                .into_iter()
                .flatten()
                .map(|(k, v)| (k.clone(), v.clone())),
        );
        let mut resolved = ResolvedSettings::default();
        let mut warnings = Vec::new();
        for (name, source) in sources {
            let Some(declaration) = manifest.settings.get(&name) else {
                warnings.push(format!(
                    "plugins.settings.{}.{name} is not a setting this plugin declares; ignored",
                    manifest.name
                ));
                continue;
            };
            let (value, secret) = match source {
                SettingSource::Text(value) => (Some(value), declaration.secret),
                SettingSource::Secret { secret } => (Some(secret), true),
                SettingSource::Env { env } => (
                    environment
                        .iter()
                        .find(|(key, _)| *key == env)
                        .map(|(_, value)| value.clone()),
                    true,
                ),
            };
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                if secret || declaration.secret {
                    resolved.secrets.push(value.clone());
                }
                resolved.values.insert(name, value);
            }
        }
        // Longest first, so that a secret containing another is removed whole.
        resolved.secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        resolved.summary = manifest
            .settings
            .iter()
            .map(|(name, declaration)| SettingSummary {
                name: name.clone(),
                description: declaration.description.clone(),
                secret: declaration.secret,
                set: resolved.values.contains_key(name),
            })
            .collect();
        (resolved, warnings)
    }

    /// The value of a declared setting; `None` when it is not set.
    pub fn get<'a>(
        &'a self,
        manifest: &Manifest,
        name: &str,
    ) -> Result<Option<&'a str>, UndeclaredSetting> {
        if !manifest.settings.contains_key(name) {
            return Err(UndeclaredSetting(name.to_string()));
        }
        Ok(self.values.get(name).map(String::as_str))
    }

    /// `text` with every secret value replaced by `[secret]`.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = Cow::Owned(text.replace(secret.as_str(), "[secret]"));
            }
        }
        text
    }

    /// `error` with every secret value in its message replaced by `[secret]`.
    pub fn redact_error(&self, error: WitError) -> WitError {
        let redact = |m: String| self.redact(&m).into_owned();
        match error {
            WitError::Denied(m) => WitError::Denied(redact(m)),
            WitError::NotFound(m) => WitError::NotFound(redact(m)),
            WitError::Timeout(m) => WitError::Timeout(redact(m)),
            WitError::InvalidInput(m) => WitError::InvalidInput(redact(m)),
            WitError::Failed(m) => WitError::Failed(redact(m)),
        }
    }

    /// The declared settings and whether each is set.
    pub fn summary(&self) -> &[SettingSummary] {
        &self.summary
    }
}

/// The settings the bundled plugins get unless the configuration says otherwise.
pub fn bundled_defaults(plugin: &str) -> BTreeMap<String, SettingSource> {
    match plugin {
        "openai" => BTreeMap::from([(
            "api_key".to_string(),
            SettingSource::Env {
                env: "OPENAI_API_KEY".into(),
            },
        )]),
        _ => BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest::parse(
            "name='openai'\nkind='provider'\nversion='0.1.0'\nwit='0.2.0'\n\
             [settings.base_url]\n[settings.api_key]\nsecret=true\n[settings.model]\n",
        )
        .expect("manifest")
    }

    #[test]
    fn configured_values_win_over_defaults_and_env_is_read() {
        let configured = BTreeMap::from([
            (
                "base_url".to_string(),
                SettingSource::Text("http://h/v1".into()),
            ),
            ("typo".to_string(), SettingSource::Text("x".into())),
        ]);
        let environment = [("OPENAI_API_KEY".to_string(), "sk-from-env".to_string())];
        let (settings, warnings) = ResolvedSettings::resolve(
            &manifest(),
            Some(&configured),
            bundled_defaults("openai"),
            &environment,
        );
        let m = manifest();
        assert_eq!(settings.get(&m, "base_url"), Ok(Some("http://h/v1")));
        assert_eq!(settings.get(&m, "api_key"), Ok(Some("sk-from-env")));
        assert_eq!(settings.get(&m, "model"), Ok(None));
        assert_eq!(
            settings.get(&m, "typo"),
            Err(UndeclaredSetting("typo".into()))
        );
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("plugins.settings.openai.typo"));
    }

    #[test]
    fn secrets_are_redacted_and_never_debug_printed() {
        let configured = BTreeMap::from([
            (
                "api_key".to_string(),
                SettingSource::Text("sk-123456".into()),
            ),
            (
                "model".to_string(),
                SettingSource::Secret {
                    secret: "m-secret".into(),
                },
            ),
            (
                "base_url".to_string(),
                SettingSource::Text("http://h".into()),
            ),
        ]);
        let (settings, _) =
            ResolvedSettings::resolve(&manifest(), Some(&configured), BTreeMap::new(), &[]);
        assert_eq!(
            settings.redact("key sk-123456 and m-secret at http://h"),
            "key [secret] and [secret] at http://h"
        );
        let debug = format!("{settings:?}");
        assert!(
            !debug.contains("sk-123456") && !debug.contains("m-secret"),
            "{debug}"
        );
    }
}
