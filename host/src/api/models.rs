//! `GET /api/models`: providers, server defaults, and model IDs seen in ready variants.

use std::collections::BTreeMap;

use serde::Serialize;
use warp::Filter;
use warp::Reply;
use warp::reply::Response;

use super::error::respond;
use super::{ApiError, AppState, with_state};

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
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "models")
        .and(warp::get())
        .and(with_state(state))
        .then(|state: AppState| async move {
            respond(
                list(&state)
                    .await
                    .map(|body| warp::reply::json(&body).into_response()),
            )
        })
}

async fn list(state: &AppState) -> Result<ModelsResponse, ApiError> {
    let defaults = state.defaults().await?;
    Ok(ModelsResponse {
        providers: state.plugins.provider_names(),
        default_model: state.default_model_for(&defaults, &defaults.ai_provider),
        default_provider: defaults.ai_provider,
        known_models: state.store.known_models().await?,
    })
}
