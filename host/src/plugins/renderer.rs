//! A loaded site renderer plugin.

use std::sync::Arc;

use super::bindings::renderer::RendererPre;
use super::error::PluginError;
use super::handle::{PluginCore, PluginDescription};
use super::sandbox::{CallContext, SandboxState};

pub use super::bindings::renderer::docsfy::plugin::renderer_types::{Page, SiteFile, SiteInput};

/// A renderer ready to be called. Cheap to clone.
#[derive(Clone)]
pub struct RendererHandle {
    core: Arc<PluginCore>,
    pre: RendererPre<SandboxState>,
}

impl RendererHandle {
    pub(super) fn new(core: PluginCore, pre: RendererPre<SandboxState>) -> RendererHandle {
        RendererHandle {
            core: Arc::new(core),
            pre,
        }
    }

    /// Who the renderer is.
    pub fn description(&self) -> &PluginDescription {
        &self.core.description
    }

    /// Builds a site's files from a plan and its pages.
    pub async fn render(
        &self,
        site: &SiteInput,
        call: CallContext,
    ) -> Result<Vec<SiteFile>, PluginError> {
        self.core
            .run_call(call, async |store| {
                let instance = self.pre.instantiate_async(&mut *store).await?;
                instance.call_render(&mut *store, site).await
            })
            .await
    }
}
