//! A loaded site renderer plugin.
//!
//! Renderers built against WIT 0.1.0 take a smaller `site-input` (0.2.0 added the project's
//! version and the site's address): they are called through the 0.1.0 bindings with the
//! input cut down and their answer brought up to the current types.

use std::sync::Arc;

use super::bindings::renderer::RendererPre;
use super::bindings::v0_1::provider::docsfy::plugin::types as old_types;
use super::bindings::v0_1::renderer as old;
use super::bindings::{PluginInfo, WitError};
use super::error::PluginError;
use super::handle::{PluginCore, PluginDescription};
use super::sandbox::{CallContext, SandboxState};

pub use super::bindings::renderer::docsfy::plugin::renderer_types::{Page, SiteFile, SiteInput};

/// The pre-instantiated component, by the WIT version it was built against.
#[derive(Clone)]
pub(super) enum RendererComponent {
    Current(RendererPre<SandboxState>),
    V0_1(old::RendererPre<SandboxState>),
}

impl RendererComponent {
    /// Instantiates the component and asks who it is.
    pub(super) async fn describe(
        &self,
        store: &mut wasmtime::Store<SandboxState>,
    ) -> wasmtime::Result<PluginInfo> {
        match self {
            RendererComponent::Current(pre) => {
                let instance = pre.instantiate_async(&mut *store).await?;
                instance.call_describe(&mut *store).await
            }
            RendererComponent::V0_1(pre) => {
                let instance = pre.instantiate_async(&mut *store).await?;
                let info = instance.call_describe(&mut *store).await?;
                Ok(PluginInfo {
                    name: info.name,
                    version: info.version,
                    description: info.description,
                    default_model: info.default_model,
                    models: info.models,
                })
            }
        }
    }

    async fn render(
        &self,
        store: &mut wasmtime::Store<SandboxState>,
        site: &SiteInput,
    ) -> wasmtime::Result<Result<Vec<SiteFile>, WitError>> {
        match self {
            RendererComponent::Current(pre) => {
                let instance = pre.instantiate_async(&mut *store).await?;
                instance.call_render(&mut *store, site).await
            }
            RendererComponent::V0_1(pre) => {
                let instance = pre.instantiate_async(&mut *store).await?;
                let answer = instance.call_render(&mut *store, &old_input(site)).await?;
                Ok(answer.map(current_files).map_err(current_error))
            }
        }
    }
}

/// A renderer ready to be called. Cheap to clone.
#[derive(Clone)]
pub struct RendererHandle {
    core: Arc<PluginCore>,
    component: RendererComponent,
}

impl RendererHandle {
    pub(super) fn new(core: PluginCore, component: RendererComponent) -> RendererHandle {
        RendererHandle {
            core: Arc::new(core),
            component,
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
            .run_call(call, async |store| self.component.render(store, site).await)
            .await
    }
}

fn old_input(site: &SiteInput) -> old::docsfy::plugin::renderer_types::SiteInput {
    use old::docsfy::plugin::renderer_types as types;
    types::SiteInput {
        project_name: site.project_name.clone(),
        branch: site.branch.clone(),
        commit_sha: site.commit_sha.clone(),
        provider: site.provider.clone(),
        model: site.model.clone(),
        generated_at: site.generated_at.clone(),
        plan_json: site.plan_json.clone(),
        pages: site
            .pages
            .iter()
            .map(|page| types::Page {
                slug: page.slug.clone(),
                title: page.title.clone(),
                markdown: page.markdown.clone(),
            })
            .collect(),
    }
}

fn current_files(files: Vec<old::docsfy::plugin::renderer_types::SiteFile>) -> Vec<SiteFile> {
    files
        .into_iter()
        .map(|file| SiteFile {
            path: file.path,
            contents: file.contents,
        })
        .collect()
}

fn current_error(error: old_types::Error) -> WitError {
    match error {
        old_types::Error::Denied(m) => WitError::Denied(m),
        old_types::Error::NotFound(m) => WitError::NotFound(m),
        old_types::Error::Timeout(m) => WitError::Timeout(m),
        old_types::Error::InvalidInput(m) => WitError::InvalidInput(m),
        old_types::Error::Failed(m) => WitError::Failed(m),
    }
}
