//! The `[generations]` section: how much generation work the server takes on at once.

use serde::{Deserialize, Serialize};

/// Bounds on running generations and on how long one AI call may be made to take.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct GenerationSettings {
    /// Generations one user may have running at once.
    pub running_per_user: usize,
    /// Generations running at once on the whole server.
    pub running_total: usize,
    /// The most a request's `ai_cli_timeout` may ask for, in seconds; more is cut to this.
    pub max_ai_cli_timeout: u64,
}

impl Default for GenerationSettings {
    fn default() -> Self {
        GenerationSettings {
            running_per_user: 4,
            running_total: 16,
            max_ai_cli_timeout: 3600,
        }
    }
}

impl GenerationSettings {
    pub(super) fn validate(&self, default_timeout: u64) -> Result<(), String> {
        if self.running_per_user == 0 || self.running_total == 0 {
            return Err(
                "generations.running_per_user and generations.running_total must be at least 1"
                    .into(),
            );
        }
        if self.max_ai_cli_timeout < default_timeout {
            return Err(format!(
                "generations.max_ai_cli_timeout ({}) is below AI_CLI_TIMEOUT ({default_timeout})",
                self.max_ai_cli_timeout
            ));
        }
        Ok(())
    }
}
