//! The host functions plugins import: `log` and `run`. Every `run` checks the plugin's
//! declaration and the operator's grant first, and a refusal is an error value the plugin can
//! handle, never a trap.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::bindings::provider::docsfy::plugin::{host, provider_types, types};
use super::bindings::renderer::docsfy::plugin::renderer_types;
use super::bindings::{LogLevel, RunOutput, RunRequest, WitError};
use super::grants;
use super::process::{self, ProgramError, ProgramRun};
use super::sandbox::SandboxState;
use super::{Confinement, SandboxView, expand_home};

/// Log lines longer than this are cut, so a plugin cannot flood the server's log.
const MAX_LOG_LINE: usize = 4096;

impl types::Host for SandboxState {}
impl provider_types::Host for SandboxState {}
impl renderer_types::Host for SandboxState {}

impl host::Host for SandboxState {
    async fn log(&mut self, level: LogLevel, message: String) -> wasmtime::Result<()> {
        let message = self.plugin.settings.redact(&message);
        let message = cut(&message, MAX_LOG_LINE);
        let plugin = self.plugin.manifest.name.as_str();
        let call = self.call.label.as_str();
        match level {
            LogLevel::Trace => tracing::trace!(plugin, call, "{message}"),
            LogLevel::Debug => tracing::debug!(plugin, call, "{message}"),
            LogLevel::Info => tracing::info!(plugin, call, "{message}"),
            LogLevel::Warn => tracing::warn!(plugin, call, "{message}"),
            LogLevel::Error => tracing::error!(plugin, call, "{message}"),
        }
        Ok(())
    }

    async fn run(&mut self, request: RunRequest) -> wasmtime::Result<Result<RunOutput, WitError>> {
        let started = Instant::now();
        let result = self.run_program(request).await;
        // Waiting for a program is not the plugin computing: keep it off the deadline.
        self.waited += started.elapsed();
        Ok(result)
    }
}

impl SandboxState {
    async fn run_program(&mut self, request: RunRequest) -> Result<RunOutput, WitError> {
        let plugin = self.plugin.clone();
        let name = plugin.manifest.name.as_str();
        if !self.call.programs_allowed {
            return Err(WitError::Denied(
                "programs cannot be run while the plugin is being loaded".into(),
            ));
        }
        if let Err(denial) = grants::check_program(
            name,
            &plugin.manifest.capabilities,
            &plugin.grant,
            &request.program,
        ) {
            tracing::warn!(plugin = name, call = %self.call.label, "refused: {denial}");
            return Err(WitError::Denied(denial.to_string()));
        }
        let executable = self.locate(&request.program)?;
        let mut env = grants::allowed_env(
            &plugin.manifest.capabilities,
            &plugin.grant,
            self.programs.environment.iter().cloned(),
        );
        // Not from the server's environment: what the host says the call is for.
        if let Some(kind) = self.call.call_kind {
            env.push(("DOCSFY_CALL_KIND".into(), kind.into()));
        }
        let asked = Duration::from_millis(request.timeout_ms);
        let timeout = if asked.is_zero() {
            self.call.max_program_time
        } else {
            asked.min(self.call.max_program_time)
        };
        let workdir = match &self.call.workdir {
            Some(dir) => dir.clone(),
            None => self.scratch_dir()?,
        };
        let program = request.program;
        tracing::debug!(plugin = name, call = %self.call.label, %program, "running");
        let mut run = ProgramRun {
            executable,
            args: request.args,
            stdin: request.stdin,
            workdir,
            env,
            timeout,
            output_cap: self.programs.output_cap,
        };
        if let Some(confinement) = &self.programs.confinement {
            run = confinement
                .sandbox
                .confine(run, &self.sandbox_view(confinement));
        }
        match process::run_program(run).await {
            Ok(output) => Ok(RunOutput {
                exit_code: output.exit_code,
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
                stdout_truncated: output.stdout_truncated,
                stderr_truncated: output.stderr_truncated,
            }),
            Err(ProgramError::TimedOut(limit)) => Err(WitError::Timeout(format!(
                "{program} did not finish within {} s and was stopped",
                limit.as_secs_f64()
            ))),
            Err(error) => Err(WitError::Failed(format!("`{program}` {error}"))),
        }
    }

    /// What this plugin's programs see in the sandbox beyond the system: the search path
    /// (where the CLIs and their interpreters live), the operator's shared paths, and the
    /// plugin's grant.
    fn sandbox_view(&self, confinement: &Confinement) -> SandboxView {
        let home = self
            .programs
            .environment
            .iter()
            .find(|(name, _)| name == "HOME")
            .map(|(_, value)| value.as_str());
        let grant = &self.plugin.grant;
        let expand = |paths: &[String]| -> Vec<PathBuf> {
            paths.iter().filter_map(|p| expand_home(p, home)).collect()
        };
        let mut view = confinement.shared.clone();
        view.read_only
            .extend(std::env::split_paths(&self.programs.search_path).filter(|d| d.is_absolute()));
        view.read_only.extend(grant.program_paths.values().cloned());
        view.read_only.extend(expand(&grant.read_paths));
        view.writable.extend(expand(&grant.write_paths));
        view
    }

    /// The executable for a granted program: the configured path, else the search path.
    fn locate(&self, program: &str) -> Result<std::path::PathBuf, WitError> {
        if let Some(path) = self.plugin.grant.program_paths.get(program) {
            return if process::is_executable(path) {
                Ok(path.clone())
            } else {
                Err(WitError::NotFound(format!(
                    "`{program}` is configured at {}, which is not an executable file",
                    path.display()
                )))
            };
        }
        process::find_on_path(program, &self.programs.search_path)
            .ok_or_else(|| WitError::NotFound(format!("{program} not found on PATH")))
    }

    fn scratch_dir(&mut self) -> Result<std::path::PathBuf, WitError> {
        if self.scratch.is_none() {
            let dir = tempfile::Builder::new()
                .prefix("docsfy-plugin-")
                .tempdir()
                .map_err(|e| WitError::Failed(format!("no scratch directory: {e}")))?;
            self.scratch = Some(dir);
        }
        Ok(self
            .scratch
            .as_ref()
            .map(|d| d.path().to_path_buf())
            .unwrap_or_default())
    }
}

fn cut(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}
