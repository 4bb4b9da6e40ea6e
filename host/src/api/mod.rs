//! The HTTP API: one module per resource, one function listing every route, and one
//! `recover` that turns every rejection into `{"detail": "..."}`.

mod admin;
mod auth;
mod body;
mod by_id;
mod cost;
mod docs;
mod docs_origin;
mod downloads;
pub mod error;
mod generate;
mod generate_body;
mod health;
pub mod listing;
mod models;
mod names;
mod principal;
pub mod projects;
mod resolutions;
pub use resolutions::Resolutions;
mod resolve;
mod segment;
mod settings;
mod site_cache;
mod site_files;
mod site_read;
pub mod streamed;
mod web;
pub mod ws;

use std::collections::{BTreeMap, HashMap};
use std::convert::Infallible;
use std::sync::Arc;

use warp::Filter;

use crate::artifacts::Artifacts;
use crate::auth::Authenticator;
use crate::config::Config;
use crate::events::Event;
use crate::pipeline::run::Pipeline;
use crate::plugins::PluginRegistry;
use crate::store::Store;
use listing::Listings;
use segment::Segment;

pub use error::ApiError;

/// The address of the client at the other end of a request's connection, which the server
/// puts in every request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAddr(pub std::net::SocketAddr);

/// The client's IP address, when the connection has one.
fn client_address() -> impl Filter<Extract = (Option<std::net::IpAddr>,), Error = Infallible> + Clone
{
    warp::ext::optional::<PeerAddr>().map(|peer: Option<PeerAddr>| peer.map(|p| p.0.ip()))
}

/// A route's query parameters (`?owner=` and the like).
type Query = HashMap<String, String>;

/// What handlers share. Every route filter holds one and every request copies it, so a copy
/// is a reference-count bump, never a copy of the plugin registry or the configuration.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// The state of a server.
    pub fn new(shared: Shared) -> AppState {
        AppState(Arc::new(shared))
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The server's parts, behind [`AppState`].
pub struct Shared {
    /// The effective configuration.
    pub config: Arc<Config>,
    /// The loaded plugins.
    pub plugins: PluginRegistry,
    /// The database.
    pub store: Store,
    /// Who is calling.
    pub auth: Arc<Authenticator>,
    /// Generated files on disk.
    pub artifacts: Artifacts,
    /// Generations: jobs, the AI-call limit, the event bus.
    pub pipeline: Arc<Pipeline>,
    /// Project listings, shared by everyone who sees the same one.
    pub listings: Arc<Listings>,
    /// Which variant docs requests name, until the next event.
    pub resolutions: Resolutions,
    /// The WebSocket connections that are open.
    pub sockets: Arc<ws::OpenSockets>,
    /// `docs_origin` and `api_origin`, parsed once (the configuration was checked at
    /// start-up and does not change while the server runs).
    pub origins: Origins,
    /// Models each provider listed when last asked (`POST /api/models/refresh`); until
    /// then, what it said when it was loaded.
    pub provider_models: std::sync::RwLock<BTreeMap<String, Vec<String>>>,
    /// Small files of generated sites, kept once read.
    pub site_files: site_files::FileCache,
}

impl Shared {
    /// Tells listeners (the WebSocket) about a change that is already stored.
    pub fn announce(&self, event: Event) {
        self.pipeline.publish(event);
    }

    /// The separate origin of generated sites, if the configuration names one.
    pub fn docs_origin(&self) -> Option<&crate::config::DocsOrigin> {
        self.origins.docs.as_ref()
    }

    /// The API's public origin, required with a docs origin.
    pub fn api_origin(&self) -> Option<&crate::config::DocsOrigin> {
        self.origins.api.as_ref()
    }
}

/// The configured origins of the API and of generated sites.
#[derive(Debug, Clone, Default)]
pub struct Origins {
    pub docs: Option<crate::config::DocsOrigin>,
    pub api: Option<crate::config::DocsOrigin>,
}

impl Origins {
    /// The origins `config` names (it was checked at start-up; a malformed one is none).
    pub fn of(config: &Config) -> Origins {
        Origins {
            docs: config.docs_origin().and_then(Result::ok),
            api: config.api_origin().and_then(Result::ok),
        }
    }
}

/// The `name/branch/provider/model` segments of a variant's routes.
type VariantSegments = [String; 4];

/// `/api/projects/{name}/{branch}/{provider}/{model}`; each route adds its tail (`end()`, or
/// one more segment such as `abort`).
fn variant_prefix() -> impl Filter<Extract = (VariantSegments,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "projects" / Segment / Segment / Segment / Segment / ..).map(
        |name: Segment, branch: Segment, provider: Segment, model: Segment| {
            [
                name.0,
                segment::decode_branch(&branch.0),
                provider.0,
                model.0,
            ]
        },
    )
}

/// Injects the shared state into a handler.
pub fn with_state(
    state: AppState,
) -> impl Filter<Extract = (AppState,), Error = Infallible> + Clone {
    warp::any().map(move || state.clone())
}

/// Every route of the server.
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (impl warp::Reply,), Error = Infallible> + Clone {
    docs_origin::routes(state.clone())
        .or(health::routes(state.clone()))
        .unify()
        .or(models::routes(state.clone()))
        .unify()
        .or(auth::routes(state.clone()))
        .unify()
        .or(admin::routes(state.clone()))
        .unify()
        .or(generate::routes(state.clone()))
        .unify()
        .or(downloads::routes(state.clone()))
        .unify()
        .or(by_id::routes(state.clone()))
        .unify()
        .or(settings::routes(state.clone()))
        .unify()
        .or(cost::routes(state.clone()))
        .unify()
        .or(projects::routes(state.clone()))
        .unify()
        .or(ws::routes(state.clone()))
        .unify()
        .or(docs::routes(state.clone()))
        .unify()
        .or(web::routes(state))
        .unify()
        .recover(error::recover)
        // Every answer is what its Content-Type says, never sniffed into something else.
        .with(warp::reply::with::header(
            "x-content-type-options",
            "nosniff",
        ))
        .with(warp::trace::request())
}
