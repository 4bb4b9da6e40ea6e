//! Host-side bindings of the `docsfy:plugin` WIT packages.
//!
//! The current package (0.2.0) is bound from the SDK's `wit/`, the same files plugins are
//! built against. Both worlds import the same interfaces; the renderer bindings reuse the
//! provider bindings' so that one implementation serves both.
//!
//! Plugins built against 0.1.0 import that version's `host` interface, bound in [`v0_1`].
//! A 0.1.0 provider exports the same functions with the same types as a 0.2.0 one, so the
//! host calls it through the current bindings; a 0.1.0 renderer takes a smaller
//! `site-input` and is called through [`v0_1::renderer`] (see `renderer.rs`).

pub mod provider {
    wasmtime::component::bindgen!({
        world: "provider",
        path: "../plugin-sdk/wit",
        imports: { default: async | trappable },
        exports: { default: async },
    });
}

pub mod renderer {
    wasmtime::component::bindgen!({
        world: "renderer",
        path: "../plugin-sdk/wit",
        imports: { default: async | trappable },
        exports: { default: async },
        with: {
            "docsfy:plugin/types": super::provider::docsfy::plugin::types,
            "docsfy:plugin/host": super::provider::docsfy::plugin::host,
            "docsfy:plugin/settings": super::provider::docsfy::plugin::settings,
        },
    });
}

/// The first release's imports, for plugins built against it.
pub mod v0_1 {
    pub mod provider {
        wasmtime::component::bindgen!({
            world: "provider",
            path: "../wit/0.1.0",
            imports: { default: async | trappable },
            exports: { default: async },
        });
    }

    pub mod renderer {
        wasmtime::component::bindgen!({
            world: "renderer",
            path: "../wit/0.1.0",
            imports: { default: async | trappable },
            exports: { default: async },
            with: {
                "docsfy:plugin/types": super::provider::docsfy::plugin::types,
                "docsfy:plugin/host": super::provider::docsfy::plugin::host,
            },
        });
    }
}

pub use provider::docsfy::plugin::host::{LogLevel, RunOutput, RunRequest};
pub use provider::docsfy::plugin::http::{
    Method, Request as HttpRequest, Response as HttpResponse,
};
pub use provider::docsfy::plugin::types::{Error as WitError, PluginInfo, Usage};
