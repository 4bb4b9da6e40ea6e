//! `GET /api/models`: providers, server defaults, and model IDs seen in ready variants.

use std::collections::BTreeMap;

use serde::Serialize;
use warp::Filter;

use super::{AppState, with_state};

/// The body of `GET /api/models`.
#[derive(Debug, Serialize)]
pub struct ModelsResponse {
    /// Every loaded provider plugin, bundled or third-party.
    pub providers: Vec<String>,
    /// The provider used when a request names none.
    pub default_provider: String,
    /// The model used when a request names none.
    pub default_model: String,
    /// Ready model IDs grouped by provider.
    pub known_models: BTreeMap<String, Vec<String>>,
}

/// `GET /api/models` (public).
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "models")
        .and(warp::get())
        .and(with_state(state))
        .map(|state: AppState| warp::reply::json(&list(&state)))
}

fn list(state: &AppState) -> ModelsResponse {
    ModelsResponse {
        providers: state.plugins.provider_names(),
        default_provider: state.config.ai_provider.clone(),
        default_model: state.default_model(),
        // Filled from ready variants once the variant store exists; none can exist before.
        known_models: BTreeMap::new(),
    }
}
