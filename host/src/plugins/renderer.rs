//! A loaded site renderer plugin.
//!
//! A renderer is called once per generation, and its code can be large (the site renderer
//! carries its highlighting grammars): its component is made for each render (from the
//! compiled cache, which loading filled) and dropped after, so the server does not hold the
//! code in memory between generations.
//!
//! Renderers built against WIT 0.1.0 take a smaller `site-input` (0.2.0 added the project's
//! version and the site's address): they are called through the 0.1.0 bindings with the
//! input cut down and their answer brought up to the current types.

use std::sync::Arc;

use wasmtime::component::{Component, InstancePre, Linker};

use super::bindings::renderer::RendererPre;
use super::bindings::v0_1::provider::docsfy::plugin::types as old_types;
use super::bindings::v0_1::renderer as old;
use super::bindings::{PluginInfo, WitError};
use super::engine::PluginEngine;
use super::error::{PluginError, PluginErrorKind};
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
    /// The component as the world of its WIT version sees it.
    fn new(pre: InstancePre<SandboxState>, wit_0_1: bool) -> wasmtime::Result<RendererComponent> {
        if wit_0_1 {
            old::RendererPre::new(pre).map(RendererComponent::V0_1)
        } else {
            RendererPre::new(pre).map(RendererComponent::Current)
        }
    }

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

/// The plugin's bytes: in the binary for a bundled one, read from its directory otherwise.
#[derive(Clone)]
pub(super) enum WasmBytes {
    Bundled(&'static [u8]),
    Read(Arc<[u8]>),
}

impl std::ops::Deref for WasmBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            WasmBytes::Bundled(bytes) => bytes,
            WasmBytes::Read(bytes) => bytes,
        }
    }
}

/// What a render makes its component from.
#[derive(Clone)]
pub(super) struct Loadable {
    pub engine: PluginEngine,
    pub linker: Linker<SandboxState>,
    pub wasm: WasmBytes,
    pub wit_0_1: bool,
}

impl Loadable {
    /// `component` linked and typed as the renderer world of its WIT version.
    pub(super) fn prepare(&self, component: &Component) -> wasmtime::Result<RendererComponent> {
        RendererComponent::new(self.linker.instantiate_pre(component)?, self.wit_0_1)
    }

    async fn load(&self) -> wasmtime::Result<RendererComponent> {
        let (engine, wasm) = (self.engine.clone(), self.wasm.clone());
        // A cache read, or a compile if the cache lost it: off the async workers.
        let component =
            tokio::task::spawn_blocking(move || Component::from_binary(engine.engine(), &wasm))
                .await
                .map_err(wasmtime::Error::msg)??;
        self.prepare(&component)
    }
}

/// A renderer ready to be called. Cheap to clone.
#[derive(Clone)]
pub struct RendererHandle {
    core: Arc<PluginCore>,
    loadable: Arc<Loadable>,
}

impl RendererHandle {
    pub(super) fn new(core: PluginCore, loadable: Loadable) -> RendererHandle {
        RendererHandle {
            core: Arc::new(core),
            loadable: Arc::new(loadable),
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
        let component = self.loadable.load().await.map_err(|e| {
            self.core.error(PluginErrorKind::Host(format!(
                "loading the component: {e:#}"
            )))
        })?;
        self.core
            .run_call(call, async |store| component.render(store, site).await)
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
