//! The WebAssembly plugin runtime: AI providers and site renderers loaded as sandboxed
//! components through the `docsfy:plugin` WIT interface (`wit/`).
//!
//! - [`registry`] finds plugins (bundled, and in the configured directories) and loads them;
//! - [`manifest`] and [`grants`] decide what each may do;
//! - each call runs in a fresh sandbox (`sandbox`) with a memory cap and a compute deadline;
//! - the `run` host function ([`process`]) is a plugin's only way to reach a program, which
//!   runs inside bubblewrap when the server has it (`confinement`);
//! - the `http` host function (`http_api`) reaches only declared and granted [`origins`],
//!   and `settings` hands each plugin its own [`operator_settings`].

mod bindings;
mod confinement;
mod engine;
mod error;
pub mod grants;
mod handle;
mod host_api;
mod http_api;
mod legacy_host;
pub mod manifest;
pub mod operator_settings;
pub mod origins;
pub mod precompile;
pub mod process;
mod provider;
pub mod registry;
mod renderer;
mod sandbox;
pub mod settings;

pub use confinement::{
    Confinement, ProgramSandbox, SandboxMode, SandboxUnavailable, SandboxView, expand_home,
};
pub use engine::PluginEngine;
pub use error::{PluginError, PluginErrorKind};
pub use handle::PluginDescription;
pub use manifest::PluginKind;
pub use provider::{Completion, CompletionRequest, ProviderHandle, Usage};
pub use registry::{LoadOptions, PluginRegistry, SkippedPlugin};
pub use renderer::{Page, RendererHandle, SiteFile, SiteInput};
pub use sandbox::CallContext;
pub use settings::PluginSettings;

/// Where the build put the guest components, including test-only plugins that are never
/// bundled. For tests and benchmarks of this checkout only.
#[doc(hidden)]
pub fn guest_wasm_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("GUEST_PLUGIN_WASM_DIR"))
}
