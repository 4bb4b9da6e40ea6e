//! A loaded AI provider plugin.

use std::sync::Arc;

use super::bindings::provider::ProviderPre;
use super::error::PluginError;
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
        self.core
            .run_call(call, async |store| {
                let instance = self.pre.instantiate_async(&mut *store).await?;
                instance.call_check(&mut *store, model).await
            })
            .await
    }

    /// The models the plugin knows of now (its `describe` asked again, as at load time:
    /// programs are not run).
    pub async fn models(&self) -> Result<Vec<String>, PluginError> {
        let call = CallContext {
            label: "models".into(),
            programs_allowed: false,
            ..CallContext::default()
        };
        let info = self
            .core
            .run_call(call, async |store| {
                let instance = self.pre.instantiate_async(&mut *store).await?;
                // describe cannot fail in the WIT; only a trap or a limit can stop it.
                Ok(Ok(instance.call_describe(&mut *store).await?))
            })
            .await?;
        Ok(info.models)
    }

    /// Sends one prompt. Dropping the returned future (an aborted job) stops the plugin and
    /// terminates any program it is running.
    pub async fn complete(
        &self,
        request: &CompletionRequest,
        call: CallContext,
    ) -> Result<Completion, PluginError> {
        self.core
            .run_call(call, async |store| {
                let instance = self.pre.instantiate_async(&mut *store).await?;
                instance.call_complete(&mut *store, request).await
            })
            .await
    }
}
