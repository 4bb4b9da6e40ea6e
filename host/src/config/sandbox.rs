//! The `[sandbox]` section: whether the AI CLIs run inside bubblewrap, and what every one of
//! them may see beyond the system and its own installation.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use crate::plugins::SandboxMode;

/// How programs run on plugins' behalf are confined.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SandboxSettings {
    /// `auto`, `required` or `off`.
    pub mode: SandboxMode,
    /// Paths every sandboxed program may read (`~/` is the server's home directory).
    pub read_only: Vec<String>,
    /// Paths every sandboxed program may write.
    pub writable: Vec<String>,
}

impl SandboxSettings {
    pub(super) fn validate(&self) -> Result<(), String> {
        for path in self.read_only.iter().chain(&self.writable) {
            if !(path.starts_with('/') || path.starts_with("~/")) {
                return Err(format!(
                    "sandbox paths must be absolute or start with `~/`: `{path}`"
                ));
            }
        }
        Ok(())
    }

    /// The configured paths with `~/` expanded against `home`.
    pub fn paths(&self, home: Option<&str>) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let expand = |paths: &[String]| {
            paths
                .iter()
                .filter_map(|p| crate::plugins::expand_home(p, home))
                .collect()
        };
        (expand(&self.read_only), expand(&self.writable))
    }
}
