//! How a plugin call fails, in words a user can act on.

use std::time::Duration;

use super::bindings::WitError;

/// A failed plugin call, prefixed with the plugin's name and version when displayed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{plugin} {version}: {kind}")]
pub struct PluginError {
    /// The plugin's name.
    pub plugin: String,
    /// The plugin's version.
    pub version: String,
    /// What went wrong.
    pub kind: PluginErrorKind,
}

/// What went wrong in a plugin call.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PluginErrorKind {
    /// The plugin asked for a capability it was not given (reported by the plugin).
    #[error("{0}")]
    Denied(String),
    /// A program the plugin needs is missing (reported by the plugin).
    #[error("{0}")]
    NotFound(String),
    /// A program the plugin ran took too long (reported by the plugin).
    #[error("{0}")]
    Timeout(String),
    /// The request was not acceptable to the plugin.
    #[error("{0}")]
    InvalidInput(String),
    /// The plugin reported a failure.
    #[error("{0}")]
    Failed(String),
    /// The plugin computed for longer than its deadline and was stopped.
    #[error("computed for more than {} ms and was stopped", .0.as_millis())]
    DeadlineExceeded(Duration),
    /// The whole call, programs included, ran past its wall-clock limit and was stopped.
    #[error("took longer than {} s in all and was stopped", .0.as_secs())]
    TimeLimitExceeded(Duration),
    /// The plugin tried to grow its memory past its cap and was stopped.
    #[error("tried to use more than {0} MiB of memory and was stopped")]
    MemoryExceeded(u64),
    /// The plugin crashed (a WebAssembly trap, such as a panic).
    #[error("crashed: {0}")]
    Crashed(String),
    /// The host could not run the plugin at all.
    #[error("could not be run: {0}")]
    Host(String),
}

impl PluginErrorKind {
    /// Whether the failure is the plugin reporting a capability refusal.
    pub fn is_denied(&self) -> bool {
        matches!(self, PluginErrorKind::Denied(_))
    }
}

impl From<WitError> for PluginErrorKind {
    fn from(error: WitError) -> Self {
        match error {
            WitError::Denied(m) => PluginErrorKind::Denied(m),
            WitError::NotFound(m) => PluginErrorKind::NotFound(m),
            WitError::Timeout(m) => PluginErrorKind::Timeout(m),
            WitError::InvalidInput(m) => PluginErrorKind::InvalidInput(m),
            WitError::Failed(m) => PluginErrorKind::Failed(m),
        }
    }
}
