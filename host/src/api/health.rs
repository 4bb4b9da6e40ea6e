//! `GET /health`: the process is up and serving.

use warp::Filter;

/// `GET /health` (public): `{"status": "ok"}`.
pub fn routes() -> impl Filter<Extract = (impl warp::Reply,), Error = warp::Rejection> + Clone {
    warp::path!("health")
        .and(warp::get())
        .map(|| warp::reply::json(&serde_json::json!({ "status": "ok" })))
}
