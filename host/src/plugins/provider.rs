//! A loaded AI provider plugin.

use std::sync::Arc;

use super::bindings::provider::ProviderPre;
use super::error::{PluginError, PluginErrorKind};
use super::handle::{PluginCore, PluginDescription};
use super::sandbox::{CallContext, SandboxState};

pub use super::bindings::Usage;
pub use super::bindings::provider::docsfy::plugin::provider_types::{
    Completion, CompletionRequest,
};

/// A provider ready to be called. Cheap to clone; calls may run concurrently, each in a
/// fresh sandbox.
#[derive(Clone)]
pub struct ProviderHandle {
    core: Arc<PluginCore>,
    pre: ProviderPre<SandboxState>,
}

impl ProviderHandle {
    pub(super) fn new(core: PluginCore, pre: ProviderPre<SandboxState>) -> ProviderHandle {
        ProviderHandle {
            core: Arc::new(core),
            pre,
        }
    }

    /// Who the provider is.
    pub fn description(&self) -> &PluginDescription {
        &self.core.description
    }

    /// Checks that the provider can serve `model` now (for example, that its CLI exists).
    pub async fn check(&self, model: &str, call: CallContext) -> Result<(), PluginError> {
        let mut store = self.core.new_store(call);
        let outcome = match self.pre.instantiate_async(&mut store).await {
            Ok(instance) => instance.call_check(&mut store, model).await,
            Err(error) => return Err(self.instantiation_failed(error)),
        };
        self.core.settle(&store, outcome)
    }

    /// Sends one prompt. Dropping the returned future (an aborted job) stops the plugin and
    /// terminates any program it is running.
    pub async fn complete(
        &self,
        request: &CompletionRequest,
        call: CallContext,
    ) -> Result<Completion, PluginError> {
        let mut store = self.core.new_store(call);
        let outcome = match self.pre.instantiate_async(&mut store).await {
            Ok(instance) => instance.call_complete(&mut store, request).await,
            Err(error) => return Err(self.instantiation_failed(error)),
        };
        self.core.settle(&store, outcome)
    }

    fn instantiation_failed(&self, error: wasmtime::Error) -> PluginError {
        self.core.error(PluginErrorKind::Host(format!(
            "instantiation failed: {error:#}"
        )))
    }
}
