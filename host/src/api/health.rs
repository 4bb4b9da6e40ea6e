//! `GET /health` (the process serves) and `GET /ready` (and its database answers).

use warp::Filter;
use warp::Reply;
use warp::reply::Response;

use super::error::respond;
use super::{ApiError, AppState, with_state};

/// Both probes; public, for load balancers and orchestrators.
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let health = warp::path!("health")
        .and(warp::get())
        .map(|| warp::reply::json(&serde_json::json!({ "status": "ok" })).into_response());
    let ready = warp::path!("ready")
        .and(warp::get())
        .and(with_state(state))
        .then(|state: AppState| async move {
            respond(match state.store.ping().await {
                Ok(()) => Ok(warp::reply::json(&serde_json::json!({ "status": "ready" }))),
                Err(error) => {
                    tracing::error!("readiness check failed: {error}");
                    Err(ApiError::new(
                        warp::http::StatusCode::SERVICE_UNAVAILABLE,
                        "Database unavailable",
                    ))
                }
            })
        });
    health.or(ready).unify()
}
