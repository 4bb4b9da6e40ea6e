//! The glue between the plain-Rust traits and the generated `Guest` traits.
//!
//! The export macros expand in the plugin's crate, where they name these adapters; the
//! adapters forward each WIT export to the author's trait implementation.

use std::marker::PhantomData;

use crate::bindings::{provider, renderer};
use crate::{Completion, CompletionRequest, Error, PluginInfo, Provider, Renderer, SiteFile};

/// Adapts a [`Provider`] to the generated `provider` world.
pub struct ProviderExport<P>(PhantomData<P>);

impl<P: Provider> provider::Guest for ProviderExport<P> {
    fn describe() -> PluginInfo {
        P::describe()
    }

    fn check(model: String) -> Result<(), Error> {
        P::check(&model)
    }

    fn complete(request: CompletionRequest) -> Result<Completion, Error> {
        P::complete(request)
    }
}

/// Adapts a [`Renderer`] to the generated `renderer` world.
pub struct RendererExport<R>(PhantomData<R>);

impl<R: Renderer> renderer::Guest for RendererExport<R> {
    fn describe() -> PluginInfo {
        R::describe()
    }

    fn render(site: renderer::SiteInput) -> Result<Vec<SiteFile>, Error> {
        R::render(site)
    }
}

/// Exports a type implementing [`Provider`](crate::Provider) as this component's provider.
///
/// Use it once, at the top level of a `cdylib` crate built for `wasm32-wasip2`.
#[macro_export]
macro_rules! export_provider {
    ($provider:ty) => {
        const _: () = {
            type __DocsfyProviderExport = $crate::__private::ProviderExport<$provider>;
            $crate::__private::provider::__export_provider_world!(
                __DocsfyProviderExport with_types_in $crate::__private::provider
            );
        };
    };
}

/// Exports a type implementing [`Renderer`](crate::Renderer) as this component's renderer.
///
/// Use it once, at the top level of a `cdylib` crate built for `wasm32-wasip2`.
#[macro_export]
macro_rules! export_renderer {
    ($renderer:ty) => {
        const _: () = {
            type __DocsfyRendererExport = $crate::__private::RendererExport<$renderer>;
            $crate::__private::renderer::__export_renderer_world!(
                __DocsfyRendererExport with_types_in $crate::__private::renderer
            );
        };
    };
}
