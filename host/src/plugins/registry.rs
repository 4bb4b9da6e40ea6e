//! Finding and loading plugins: the bundled ones, then every plugin directory in the
//! configured directories. A plugin that cannot be loaded is skipped with one log line that
//! says why; it never stops the server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use wasmtime::component::{Component, HasSelf, Linker};

use super::bindings::provider::{Provider, ProviderPre};
use super::bindings::renderer::Renderer;
use super::bindings::v0_1;
use super::engine::PluginEngine;
use super::handle::{self, PluginCore, PluginDescription};
use super::manifest::{Manifest, PluginKind};
use super::operator_settings::ResolvedSettings;
use super::provider::ProviderHandle;
use super::renderer::RendererHandle;
use super::renderer::{Loadable, WasmBytes};
use super::sandbox::{CallContext, PluginIdentity, ProgramSettings, SandboxState};
use super::settings::PluginSettings;

/// A plugin compiled into the `docsfy` binary.
pub struct BundledPlugin {
    /// The text of its `plugin.toml`.
    pub manifest: &'static str,
    /// Its component.
    pub wasm: &'static [u8],
}

/// The plugins built into this binary by `host/build.rs`.
pub const BUNDLED: &[BundledPlugin] = include!(concat!(env!("OUT_DIR"), "/bundled_plugins.rs"));

/// The `source` of plugins built into the binary.
pub const BUNDLED_SOURCE: &str = "bundled";

/// A plugin that was found but not loaded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SkippedPlugin {
    /// Where it was found.
    pub source: String,
    /// Why it was not loaded.
    pub reason: String,
}

/// How to load: which plugins and where their programs come from.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Load the bundled plugins (tests of third-party plugins may leave them out).
    pub bundled: bool,
    /// The environment granted variables are taken from (default: the server's own).
    pub environment: Option<Vec<(String, String)>>,
    /// The sandbox programs run in (default: none).
    pub confinement: Option<super::Confinement>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            bundled: true,
            environment: None,
            confinement: None,
        }
    }
}

/// Every loaded plugin, by name.
#[derive(Clone)]
pub struct PluginRegistry {
    engine: PluginEngine,
    providers: BTreeMap<String, ProviderHandle>,
    renderers: BTreeMap<String, RendererHandle>,
    skipped: Vec<SkippedPlugin>,
}

impl PluginRegistry {
    /// Loads the bundled plugins and those in `settings.dirs`, caching compiled code in
    /// `cache_dir`. Fails only when the engine itself cannot be created.
    pub async fn load(
        settings: &PluginSettings,
        cache_dir: &Path,
        options: LoadOptions,
    ) -> anyhow::Result<PluginRegistry> {
        let engine = PluginEngine::new(cache_dir)?;
        let programs = Arc::new(ProgramSettings {
            search_path: settings.search_path(),
            environment: options
                .environment
                .unwrap_or_else(|| std::env::vars().collect()),
            output_cap: usize::try_from(settings.output_cap_kb.saturating_mul(1024))
                .unwrap_or(usize::MAX),
            confinement: options.confinement,
            http: super::http_api::HttpClients::new(
                usize::try_from(settings.http_body_cap_kb.saturating_mul(1024))
                    .unwrap_or(usize::MAX),
            )?,
        });
        let mut loader = Loader {
            linkers: Linkers::new(&engine)?,
            engine: engine.clone(),
            settings,
            programs,
            registry: PluginRegistry {
                engine,
                providers: BTreeMap::new(),
                renderers: BTreeMap::new(),
                skipped: Vec::new(),
            },
        };
        if options.bundled {
            for bundled in BUNDLED {
                loader
                    .add(
                        BUNDLED_SOURCE,
                        bundled.manifest,
                        WasmBytes::Bundled(bundled.wasm),
                    )
                    .await;
            }
        }
        for dir in &settings.dirs {
            loader.add_directory(dir).await;
        }
        Ok(loader.registry)
    }

    /// The provider called `name`.
    pub fn provider(&self, name: &str) -> Option<&ProviderHandle> {
        self.providers.get(name)
    }

    /// The renderer called `name`.
    pub fn renderer(&self, name: &str) -> Option<&RendererHandle> {
        self.renderers.get(name)
    }

    /// Renderer names, sorted.
    pub fn renderer_names(&self) -> Vec<String> {
        self.renderers.keys().cloned().collect()
    }

    /// Provider names, sorted.
    pub fn provider_names(&self) -> Vec<String> {
        self.providers.keys().cloned().collect()
    }

    /// Every loaded plugin, providers first, each group sorted by name.
    pub fn descriptions(&self) -> Vec<PluginDescription> {
        let providers = self.providers.values().map(|p| p.description().clone());
        let renderers = self.renderers.values().map(|r| r.description().clone());
        providers.chain(renderers).collect()
    }

    /// Plugins that were found but not loaded, and why.
    pub fn skipped(&self) -> &[SkippedPlugin] {
        &self.skipped
    }

    /// The engine, for its cache statistics.
    pub fn engine(&self) -> &PluginEngine {
        &self.engine
    }
}

/// One linker per world, shared by every plugin of that world.
struct Linkers {
    provider: Linker<SandboxState>,
    renderer: Linker<SandboxState>,
}

impl Linkers {
    fn new(engine: &PluginEngine) -> anyhow::Result<Linkers> {
        // Rust's standard library imports WASI, so the full p2 linker is needed; with no
        // preopens, environment or sockets in the context, nothing outside is reachable.
        // Both WIT versions' imports are defined: a component links to the one it was built
        // against, and both export the same functions.
        let mut provider = Linker::new(engine.engine());
        wasmtime_wasi::p2::add_to_linker_async(&mut provider)?;
        Provider::add_to_linker::<_, HasSelf<_>>(&mut provider, |state| state)?;
        v0_1::provider::Provider::add_to_linker::<_, HasSelf<_>>(&mut provider, |state| state)?;
        let mut renderer = Linker::new(engine.engine());
        wasmtime_wasi::p2::add_to_linker_async(&mut renderer)?;
        Renderer::add_to_linker::<_, HasSelf<_>>(&mut renderer, |state| state)?;
        v0_1::renderer::Renderer::add_to_linker::<_, HasSelf<_>>(&mut renderer, |state| state)?;
        Ok(Linkers { provider, renderer })
    }
}

struct Loader<'a> {
    engine: PluginEngine,
    linkers: Linkers,
    settings: &'a PluginSettings,
    programs: Arc<ProgramSettings>,
    registry: PluginRegistry,
}

impl Loader<'_> {
    async fn add_directory(&mut self, dir: &Path) {
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries.flatten().map(|e| e.path()).collect(),
            Err(error) => {
                self.skip(
                    dir.display().to_string(),
                    format!("cannot read the directory: {error}"),
                );
                return;
            }
        };
        entries.sort();
        for plugin_dir in entries.into_iter().filter(|p| p.is_dir()) {
            let source = plugin_dir.display().to_string();
            let manifest = match std::fs::read_to_string(plugin_dir.join("plugin.toml")) {
                Ok(text) => text,
                Err(error) => {
                    self.skip(source, format!("cannot read plugin.toml: {error}"));
                    continue;
                }
            };
            let wasm = match std::fs::read(plugin_dir.join("plugin.wasm")) {
                Ok(bytes) => bytes,
                Err(error) => {
                    self.skip(source, format!("cannot read plugin.wasm: {error}"));
                    continue;
                }
            };
            self.add(&source, &manifest, WasmBytes::Read(wasm.into()))
                .await;
        }
    }

    async fn add(&mut self, source: &str, manifest: &str, wasm: WasmBytes) {
        if let Err(reason) = self.try_add(source, manifest, wasm).await {
            self.skip(source.to_string(), reason);
        }
    }

    async fn try_add(
        &mut self,
        source: &str,
        manifest: &str,
        wasm: WasmBytes,
    ) -> Result<(), String> {
        let manifest = Manifest::parse(manifest).map_err(|e| e.to_string())?;
        let name = manifest.name.clone();
        if self.registry.providers.contains_key(&name)
            || self.registry.renderers.contains_key(&name)
        {
            return Err(format!("a plugin named `{name}` is already loaded"));
        }
        let engine = self.engine.clone();
        let bytes = wasm.clone();
        // Compiling is CPU-bound (or a cache read): keep it off the async workers.
        let component =
            tokio::task::spawn_blocking(move || Component::from_binary(engine.engine(), &bytes))
                .await
                .map_err(|e| format!("compiling plugin.wasm panicked: {e}"))?
                .map_err(|e| format!("plugin.wasm is not a valid component: {e:#}"))?;
        let bundled = source == BUNDLED_SOURCE;
        let grant = self.settings.grant_for(&name, bundled);
        let defaults = if bundled {
            super::operator_settings::bundled_defaults(&name)
        } else {
            Default::default()
        };
        let (plugin_settings, warnings) = ResolvedSettings::resolve(
            &manifest,
            self.settings.settings.get(&name),
            defaults,
            &self.programs.environment,
        );
        for warning in warnings {
            tracing::warn!(plugin = %name, "{warning}");
        }
        let identity = Arc::new(PluginIdentity {
            memory_cap: usize::try_from(
                grant
                    .memory_mb
                    .unwrap_or(self.settings.memory_mb)
                    .saturating_mul(1 << 20),
            )
            .unwrap_or(usize::MAX),
            call_deadline: Duration::from_millis(
                grant
                    .call_deadline_ms
                    .unwrap_or(self.settings.call_deadline_ms),
            ),
            grant,
            manifest,
            settings: plugin_settings,
        });
        let core = |info| PluginCore {
            engine: self.engine.clone(),
            description: handle::describe(&identity.manifest, &identity, info, source),
            identity: identity.clone(),
            programs: self.programs.clone(),
        };
        let mismatch = |kind: PluginKind, e: wasmtime::Error| {
            format!("plugin.wasm does not implement the {kind} world its manifest names: {e:#}")
        };
        match identity.manifest.kind {
            PluginKind::Provider => {
                let pre = self
                    .linkers
                    .provider
                    .instantiate_pre(&component)
                    .and_then(ProviderPre::new)
                    .map_err(|e| mismatch(PluginKind::Provider, e))?;
                let info = self
                    .describe(&identity, async |store| {
                        let instance = pre.instantiate_async(&mut *store).await?;
                        instance.call_describe(&mut *store).await
                    })
                    .await?;
                let handle = ProviderHandle::new(core(info), pre);
                self.registry.providers.insert(name, handle);
            }
            PluginKind::Renderer => {
                let loadable = Loadable {
                    engine: self.engine.clone(),
                    linker: self.linkers.renderer.clone(),
                    wasm,
                    wit_0_1: identity.manifest.wit == "0.1.0",
                };
                let prepared = loadable
                    .prepare(&component)
                    .map_err(|e| mismatch(PluginKind::Renderer, e))?;
                let info = self
                    .describe(&identity, async |store| prepared.describe(store).await)
                    .await?;
                // The component is made again for each render (see `renderer.rs`).
                drop(prepared);
                let handle = RendererHandle::new(core(info), loadable);
                self.registry.renderers.insert(name, handle);
            }
        }
        tracing::info!(plugin = %identity.manifest.name, version = %identity.manifest.version, source, "plugin loaded");
        Ok(())
    }

    /// Instantiates a freshly loaded plugin and asks who it is, within a time limit and
    /// with programs refused; `instantiate_and_describe` is the world-specific part.
    async fn describe(
        &self,
        identity: &Arc<PluginIdentity>,
        instantiate_and_describe: impl AsyncFnOnce(
            &mut wasmtime::Store<SandboxState>,
        )
            -> wasmtime::Result<super::bindings::PluginInfo>,
    ) -> Result<super::bindings::PluginInfo, String> {
        let (mut store, limit) = self.store(identity);
        let described = tokio::time::timeout(limit, instantiate_and_describe(&mut store))
            .await
            .map_err(|_| format!("describe did not answer within {} s", limit.as_secs()))?;
        let info = described
            .map_err(|e| format!("describe failed: {}", store.data().explain_failure(&e)))?;
        check_identity(&identity.manifest, &info)?;
        Ok(info)
    }

    /// A store for `describe` at load time, where programs may not run, and its time limit.
    fn store(&self, identity: &Arc<PluginIdentity>) -> (wasmtime::Store<SandboxState>, Duration) {
        let context = CallContext {
            label: "load".into(),
            programs_allowed: false,
            ..CallContext::default()
        };
        let limit = context.time_limit(identity.call_deadline);
        let store = super::sandbox::new_store(
            &self.engine,
            identity.clone(),
            self.programs.clone(),
            context,
        );
        (store, limit)
    }

    fn skip(&mut self, source: String, reason: String) {
        tracing::warn!("plugin skipped: {source}: {reason}");
        self.registry.skipped.push(SkippedPlugin { source, reason });
    }
}

/// A component whose `describe` disagrees with its manifest is not the plugin it claims to be.
fn check_identity(manifest: &Manifest, info: &super::bindings::PluginInfo) -> Result<(), String> {
    if info.name != manifest.name || info.version != manifest.version {
        return Err(format!(
            "plugin.wasm says it is `{} {}`, but plugin.toml says `{} {}`",
            info.name, info.version, manifest.name, manifest.version
        ));
    }
    Ok(())
}
