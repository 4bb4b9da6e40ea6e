//! The `[plugins]` section of the server configuration.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::grants::Grant;
use super::operator_settings::SettingSource;
use super::origins::OriginPattern;

/// Where plugins come from, what they may do, and the limits they run under.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct PluginSettings {
    /// Directories searched for third-party plugins: each subdirectory holding a
    /// `plugin.toml` and a `plugin.wasm` is one plugin. The bundled plugins need none.
    pub dirs: Vec<PathBuf>,
    /// Where compiled plugins are cached between restarts (default: `<data_dir>/plugin-cache`).
    pub cache_dir: Option<PathBuf>,
    /// Memory one plugin instance may use, in MiB, unless its grant says otherwise.
    pub memory_mb: u64,
    /// How long one plugin call may compute, in milliseconds, unless its grant says
    /// otherwise. Time spent waiting for a program the plugin runs does not count.
    pub call_deadline_ms: u64,
    /// How much of a program's stdout and of its stderr is kept, in KiB.
    pub output_cap_kb: u64,
    /// Where programs are looked for, `PATH`-style (default: the server's own `PATH`).
    pub search_path: Option<String>,
    /// The largest HTTP response body a plugin may receive, in KiB; a longer one fails the
    /// request rather than arriving cut.
    pub http_body_cap_kb: u64,
    /// Grants per plugin name. A grant given here replaces that plugin's default grant.
    pub grants: BTreeMap<String, Grant>,
    /// Settings per plugin name (`[plugins.settings.openai]`), each a string,
    /// `{ secret = "..." }` or `{ env = "VARIABLE" }`. A bundled plugin's defaults apply to
    /// the names not given here.
    pub settings: BTreeMap<String, BTreeMap<String, SettingSource>>,
}

impl Default for PluginSettings {
    fn default() -> Self {
        PluginSettings {
            dirs: Vec::new(),
            cache_dir: None,
            memory_mb: 256,
            call_deadline_ms: 10_000,
            output_cap_kb: 16 * 1024,
            search_path: None,
            http_body_cap_kb: 16 * 1024,
            grants: BTreeMap::new(),
            settings: BTreeMap::new(),
        }
    }
}

impl PluginSettings {
    /// The grant for `plugin`: the configured one; else, for a bundled plugin only, its
    /// default (a third-party plugin named like a bundled one must not inherit its grant);
    /// else nothing.
    pub fn grant_for(&self, plugin: &str, bundled: bool) -> Grant {
        if let Some(grant) = self.grants.get(plugin) {
            return grant.clone();
        }
        if bundled {
            return super::grants::bundled_defaults()
                .remove(plugin)
                .unwrap_or_default();
        }
        Grant::default()
    }

    /// Where programs are looked for: `search_path`, else the server's `PATH`.
    pub fn search_path(&self) -> std::ffi::OsString {
        self.search_path
            .clone()
            .map(std::ffi::OsString::from)
            .or_else(|| std::env::var_os("PATH"))
            .unwrap_or_default()
    }

    /// Checks the limits: zero memory or a zero deadline would make every call fail.
    pub fn validate(&self) -> Result<(), String> {
        if self.memory_mb == 0 || self.call_deadline_ms == 0 {
            return Err(
                "plugins.memory_mb and plugins.call_deadline_ms must be greater than 0".into(),
            );
        }
        if self.http_body_cap_kb == 0 {
            return Err("plugins.http_body_cap_kb must be greater than 0".into());
        }
        for (name, grant) in &self.grants {
            if grant.memory_mb == Some(0) || grant.call_deadline_ms == Some(0) {
                return Err(format!(
                    "plugins.grants.{name}: memory_mb and call_deadline_ms must be greater than 0"
                ));
            }
            for origin in &grant.http {
                OriginPattern::parse(origin)
                    .map_err(|e| format!("plugins.grants.{name}.http: {e}"))?;
            }
        }
        Ok(())
    }
}
