//! The `host` interface of WIT 0.1.0, for plugins built against it: the same `log` and `run`
//! as today's, their types converted at the boundary.

use super::bindings::provider::docsfy::plugin::host as current;
use super::bindings::v0_1::provider::docsfy::plugin::{host as old, provider_types, types};
use super::bindings::v0_1::renderer::docsfy::plugin::renderer_types;
use super::bindings::{LogLevel, RunOutput, RunRequest, WitError};
use super::sandbox::SandboxState;

impl types::Host for SandboxState {}
impl provider_types::Host for SandboxState {}
impl renderer_types::Host for SandboxState {}

impl old::Host for SandboxState {
    async fn log(&mut self, level: old::LogLevel, message: String) -> wasmtime::Result<()> {
        let level = match level {
            old::LogLevel::Trace => LogLevel::Trace,
            old::LogLevel::Debug => LogLevel::Debug,
            old::LogLevel::Info => LogLevel::Info,
            old::LogLevel::Warn => LogLevel::Warn,
            old::LogLevel::Error => LogLevel::Error,
        };
        current::Host::log(self, level, message).await
    }

    async fn run(
        &mut self,
        request: old::RunRequest,
    ) -> wasmtime::Result<Result<old::RunOutput, types::Error>> {
        let request = RunRequest {
            program: request.program,
            args: request.args,
            stdin: request.stdin,
            timeout_ms: request.timeout_ms,
        };
        let output = current::Host::run(self, request).await?;
        Ok(output.map(old_output).map_err(old_error))
    }
}

fn old_output(output: RunOutput) -> old::RunOutput {
    old::RunOutput {
        exit_code: output.exit_code,
        stdout: output.stdout,
        stderr: output.stderr,
        stdout_truncated: output.stdout_truncated,
        stderr_truncated: output.stderr_truncated,
    }
}

fn old_error(error: WitError) -> types::Error {
    match error {
        WitError::Denied(m) => types::Error::Denied(m),
        WitError::NotFound(m) => types::Error::NotFound(m),
        WitError::Timeout(m) => types::Error::Timeout(m),
        WitError::InvalidInput(m) => types::Error::InvalidInput(m),
        WitError::Failed(m) => types::Error::Failed(m),
    }
}
