//! Write docsfy plugins in plain Rust.
//!
//! docsfy loads AI providers and site renderers as WebAssembly components that speak the
//! `docsfy:plugin` WIT interface. This crate hides that interface: implement [`Provider`] or
//! [`Renderer`] on a type, name it in [`export_provider!`] or [`export_renderer!`], and build the
//! crate as a `cdylib` for `wasm32-wasip2`. You never write binding code.
//!
//! A plugin runs in a sandbox: no files, no network, no environment variables. It reaches the
//! outside world only through the host: [`host::run`] runs a program, [`http`] sends a request
//! to a model server, each only when the plugin declared it in its `plugin.toml` and the
//! server's operator granted it; [`settings`] reads what the operator configured for it.
//!
//! # A whole provider
//!
//! ```
//! use docsfy_plugin_sdk::{
//!     cli, export_provider, Completion, CompletionRequest, Error, PluginInfo, Provider, Usage,
//! };
//!
//! struct Echo;
//!
//! impl Provider for Echo {
//!     fn describe() -> PluginInfo {
//!         PluginInfo {
//!             name: "echo".into(),
//!             version: env!("CARGO_PKG_VERSION").into(),
//!             description: "Answers with the prompt, through the `echo-ai` program".into(),
//!             default_model: Some("plain".into()),
//!             models: vec!["plain".into()],
//!         }
//!     }
//!
//!     fn check(_model: &str) -> Result<(), Error> {
//!         // Fails with a clear "echo-ai CLI not found on PATH" when the program is missing.
//!         cli::probe("echo-ai", &["--version"])
//!     }
//!
//!     fn complete(request: CompletionRequest) -> Result<Completion, Error> {
//!         let args = ["--model".to_string(), request.model.clone()];
//!         let output = cli::run("echo-ai", &args, &request.prompt, request.timeout_secs)?;
//!         Ok(Completion { text: output.stdout, usage: Usage::default() })
//!     }
//! }
//!
//! export_provider!(Echo);
//! ```
//!
//! with this `plugin.toml` beside the built `plugin.wasm`:
//!
//! ```toml
//! name = "echo"
//! kind = "provider"
//! version = "0.1.0"
//! wit = "0.2.0"
//!
//! [capabilities]
//! programs = ["echo-ai"]
//! env = ["ECHO_AI_TOKEN"]
//! ```
#![deny(missing_docs)]

pub mod cli;
mod exports;
pub mod http;
pub mod settings;

/// The generated bindings. Private: the crate re-exports a short list of their types, and the
/// export macros reach the rest through `__private`. Their documentation comes from the WIT;
/// the generated world modules and traits have none of their own.
#[allow(missing_docs, clippy::all)]
mod bindings {
    pub mod provider {
        wit_bindgen::generate!({
            world: "provider",
            path: "wit",
            pub_export_macro: true,
            export_macro_name: "__export_provider_world",
            default_bindings_module: "docsfy_plugin_sdk::__private::provider",
            generate_all,
        });
    }
    pub mod renderer {
        wit_bindgen::generate!({
            world: "renderer",
            path: "wit",
            pub_export_macro: true,
            export_macro_name: "__export_renderer_world",
            default_bindings_module: "docsfy_plugin_sdk::__private::renderer",
            with: {
                "docsfy:plugin/types@0.2.0": super::provider::docsfy::plugin::types,
                "docsfy:plugin/host@0.2.0": super::provider::docsfy::plugin::host,
                "docsfy:plugin/settings@0.2.0": super::provider::docsfy::plugin::settings,
            },
            generate_all,
        });
    }
}

pub use bindings::provider::docsfy::plugin::provider_types::{Completion, CompletionRequest};
pub use bindings::provider::docsfy::plugin::types::{Error, PluginInfo, Usage};
pub use bindings::renderer::docsfy::plugin::renderer_types::{Page, SiteFile, SiteInput};

/// What the host offers a plugin: logging and running declared programs.
pub mod host {
    pub use crate::bindings::provider::docsfy::plugin::host::{
        LogLevel, RunOutput, RunRequest, log, run,
    };
}

/// An AI provider: turns a prompt into text.
pub trait Provider {
    /// Who the plugin is. `name` must match the manifest's.
    fn describe() -> PluginInfo;

    /// Whether `model` can be served right now. The default accepts every model; providers
    /// that drive a command-line tool should check that the tool is installed
    /// (see [`cli::probe`]).
    fn check(model: &str) -> Result<(), Error> {
        let _ = model;
        Ok(())
    }

    /// Answers one prompt.
    fn complete(request: CompletionRequest) -> Result<Completion, Error>;
}

/// A site renderer: turns a documentation plan and its pages into files.
pub trait Renderer {
    /// Who the plugin is. `name` must match the manifest's.
    fn describe() -> PluginInfo;

    /// Builds the site's files.
    fn render(site: SiteInput) -> Result<Vec<SiteFile>, Error>;
}

impl Error {
    /// The message, whatever the case: each is written to stand on its own.
    pub fn message(&self) -> &str {
        let (Error::Denied(message)
        | Error::NotFound(message)
        | Error::Timeout(message)
        | Error::InvalidInput(message)
        | Error::Failed(message)) = self;
        message
    }
}

// `Usage` is generated, so the default cannot be derived on it.
#[allow(clippy::derivable_impls)]
impl Default for Usage {
    fn default() -> Self {
        Usage {
            input_tokens: None,
            output_tokens: None,
            cost_usd: None,
            duration_ms: None,
        }
    }
}

#[doc(hidden)]
pub mod __private {
    pub use crate::bindings::provider;
    pub use crate::bindings::renderer;
    pub use crate::exports::{ProviderExport, RendererExport};
}
