//! Host-side bindings of the `docsfy:plugin` WIT package, generated from `wit/`.
//!
//! Both worlds import the same `host` interface; the renderer bindings reuse the provider
//! bindings' interfaces so that one implementation serves both.

pub mod provider {
    wasmtime::component::bindgen!({
        world: "provider",
        path: "../wit",
        imports: { default: async | trappable },
        exports: { default: async },
    });
}

pub mod renderer {
    wasmtime::component::bindgen!({
        world: "renderer",
        path: "../wit",
        imports: { default: async | trappable },
        exports: { default: async },
        with: {
            "docsfy:plugin/types": super::provider::docsfy::plugin::types,
            "docsfy:plugin/host": super::provider::docsfy::plugin::host,
        },
    });
}

pub use provider::docsfy::plugin::host::{LogLevel, RunOutput, RunRequest};
pub use provider::docsfy::plugin::types::{Error as WitError, PluginInfo, Usage};
