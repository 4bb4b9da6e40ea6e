//! What every loaded plugin has, whatever its world: who it is, and how a call's store is
//! made and its failure explained.

use std::sync::Arc;

use wasmtime::Store;

use super::bindings::WitError;
use super::engine::PluginEngine;
use super::error::{PluginError, PluginErrorKind};
use super::manifest::{Manifest, PluginKind};
use super::sandbox::{self, CallContext, PluginIdentity, ProgramSettings, SandboxState};

/// A plugin as `docsfy plugins` and `/api/models` show it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PluginDescription {
    /// The plugin's name.
    pub name: String,
    /// Provider or renderer.
    pub kind: PluginKind,
    /// The plugin's version.
    pub version: String,
    /// The WIT version it was built against.
    pub wit: String,
    /// What it says it does.
    pub description: String,
    /// For providers: the model used when a request names none.
    pub default_model: Option<String>,
    /// For providers: models it knows of.
    pub models: Vec<String>,
    /// Programs it may run: declared and granted.
    pub programs: Vec<String>,
    /// Environment variable patterns its programs may receive: declared and granted.
    pub env: Vec<String>,
    /// Origins it may send HTTP requests to: the granted patterns, when it declares any.
    pub http: Vec<String>,
    /// The settings it reads, and whether each is set (never their values).
    pub settings: Vec<super::operator_settings::SettingSummary>,
    /// Where it was loaded from: `bundled` or a directory.
    pub source: String,
}

/// The shared part of a provider or renderer handle.
pub(super) struct PluginCore {
    pub engine: PluginEngine,
    pub identity: Arc<PluginIdentity>,
    pub programs: Arc<ProgramSettings>,
    pub description: PluginDescription,
}

impl PluginCore {
    pub fn new_store(&self, call: CallContext) -> Store<SandboxState> {
        sandbox::new_store(
            &self.engine,
            self.identity.clone(),
            self.programs.clone(),
            call,
        )
    }

    pub fn error(&self, kind: PluginErrorKind) -> PluginError {
        PluginError {
            plugin: self.identity.manifest.name.clone(),
            version: self.identity.manifest.version.clone(),
            kind,
        }
    }

    /// Runs `call` on a fresh store within the call's wall-clock limit, and settles it.
    pub async fn run_call<T>(
        &self,
        context: CallContext,
        call: impl AsyncFnOnce(&mut Store<SandboxState>) -> wasmtime::Result<Result<T, WitError>>,
    ) -> Result<T, PluginError> {
        let limit = context.time_limit(self.identity.call_deadline);
        let mut store = self.new_store(context);
        // Dropping the call at the limit unwinds the plugin and ends any program it runs.
        match tokio::time::timeout(limit, call(&mut store)).await {
            Ok(outcome) => self.settle(&store, outcome),
            Err(_) => Err(self.error(PluginErrorKind::TimeLimitExceeded(limit))),
        }
    }

    /// Turns the outcome of a call into the caller's result: the plugin's own error, or a
    /// trap or limit explained from what the store saw.
    pub fn settle<T>(
        &self,
        store: &Store<SandboxState>,
        outcome: wasmtime::Result<Result<T, WitError>>,
    ) -> Result<T, PluginError> {
        match outcome {
            Ok(Ok(value)) => Ok(value),
            // The message reaches a job's error_message and the log: never a secret in it.
            Ok(Err(reported)) => {
                let reported = self.identity.settings.redact_error(reported);
                Err(self.error(reported.into()))
            }
            Err(trap) => Err(self.error(store.data().explain_failure(&trap))),
        }
    }
}

/// The description of a plugin from its manifest, grant and `describe` answer.
pub(super) fn describe(
    manifest: &Manifest,
    identity: &PluginIdentity,
    info: super::bindings::PluginInfo,
    source: &str,
) -> PluginDescription {
    let granted_programs = manifest
        .capabilities
        .programs
        .iter()
        .filter(|p| identity.grant.programs.contains(p))
        .cloned()
        .collect();
    let granted_env = super::grants::effective_env(&manifest.capabilities.env, &identity.grant.env);
    PluginDescription {
        name: manifest.name.clone(),
        kind: manifest.kind,
        version: manifest.version.clone(),
        wit: manifest.wit.clone(),
        description: info.description,
        default_model: info.default_model,
        models: info.models,
        programs: granted_programs,
        env: granted_env,
        http: if manifest.capabilities.http.is_empty() {
            Vec::new()
        } else {
            identity.grant.http.clone()
        },
        settings: identity.settings.summary().to_vec(),
        source: source.to_string(),
    }
}
