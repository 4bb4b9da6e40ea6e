//! `GET /api/models`: providers, server defaults, model IDs seen in ready variants, and the
//! models each provider offers (`available_models`, as docsfy 1.9's CLI and UI read them);
//! `POST /api/models/refresh` (admins) asks the providers again.

use std::collections::BTreeMap;

use serde::Serialize;
use warp::Filter;
use warp::Reply;
use warp::reply::Response;

use super::error::respond;
use super::principal::{caller, require_admin};
use super::{ApiError, AppState, with_state};
use crate::auth::Principal;

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
    /// Per provider, the models it lists and those with ready documentation, each
    /// `{"id", "name"}`, the provider's default first.
    pub available_models: BTreeMap<String, Vec<AvailableModel>>,
}

/// One model a provider offers.
#[derive(Debug, Serialize)]
pub struct AvailableModel {
    pub id: String,
    pub name: String,
}

/// `GET /api/models` (public) and `POST /api/models/refresh` (admins).
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let list = warp::path!("api" / "models")
        .and(warp::get())
        .and(with_state(state.clone()))
        .then(|state: AppState| async move {
            respond(
                models(&state)
                    .await
                    .map(|body| warp::reply::json(&body).into_response()),
            )
        });
    let refresh = warp::path!("api" / "models" / "refresh")
        .and(warp::post())
        .and(caller(state))
        .then(|who: Principal, state: AppState| async move {
            respond(
                async {
                    require_admin(&who)?;
                    refreshed(&state).await?;
                    models(&state)
                        .await
                        .map(|body| warp::reply::json(&body).into_response())
                }
                .await,
            )
        });
    list.or(refresh).unify()
}

async fn models(state: &AppState) -> Result<ModelsResponse, ApiError> {
    let defaults = state.defaults().await?;
    let known_models = state.store.known_models().await?;
    let listed = state
        .provider_models
        .read()
        .map(|lists| lists.clone())
        .unwrap_or_default();
    let providers = state.plugins.provider_names();
    let available_models = providers
        .iter()
        .map(|provider| {
            let default = state.default_model_for(&defaults, provider);
            let mut ids: Vec<String> = Vec::new();
            let offered = std::iter::once(default)
                .chain(listed.get(provider).cloned().unwrap_or_default())
                .chain(known_models.get(provider).cloned().unwrap_or_default());
            for id in offered.filter(|id| !id.is_empty()) {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            let models = ids
                .into_iter()
                .map(|id| AvailableModel {
                    name: id.clone(),
                    id,
                })
                .collect();
            (provider.clone(), models)
        })
        .collect();
    Ok(ModelsResponse {
        default_model: state.default_model_for(&defaults, &defaults.ai_provider),
        default_provider: defaults.ai_provider,
        providers,
        known_models,
        available_models,
    })
}

/// Asks every provider for its models again; one that fails keeps its last list.
async fn refreshed(state: &AppState) -> Result<(), ApiError> {
    let mut lists = BTreeMap::new();
    for name in state.plugins.provider_names() {
        let Some(provider) = state.plugins.provider(&name) else {
            continue;
        };
        match provider.models().await {
            Ok(models) => {
                lists.insert(name, models);
            }
            Err(error) => tracing::warn!(provider = %name, "could not list models: {error}"),
        }
    }
    if let Ok(mut current) = state.provider_models.write() {
        current.extend(lists);
    }
    Ok(())
}
