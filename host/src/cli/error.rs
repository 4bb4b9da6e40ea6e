//! How a client command fails: a message for stderr and an exit code.

/// A failed command. Its message is printed to stderr as it is; the exit code is 1 unless
/// said otherwise.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CliError {
    pub message: String,
    pub code: u8,
}

impl CliError {
    /// A failure with exit code 1.
    pub fn message(message: impl Into<String>) -> CliError {
        CliError {
            message: message.into(),
            code: 1,
        }
    }
}

/// What a client command returns.
pub type CliResult = Result<(), CliError>;
