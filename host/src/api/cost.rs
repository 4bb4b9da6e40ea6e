//! `GET /api/cost`: what the latest generations cost, per variant, per project and in all,
//! over the variants the caller may see.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use warp::Filter;
use warp::Reply;
use warp::reply::Response;

use super::error::respond;
use super::principal::caller;
use super::{ApiError, AppState};
use crate::auth::Principal;

pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "cost")
        .and(warp::get())
        .and(caller(state))
        .then(|who: Principal, state: AppState| async move { respond(cost(&state, &who).await) })
}

async fn cost(state: &AppState, who: &Principal) -> Result<Response, ApiError> {
    let variants = state.store.list_variants(&who.visibility()).await?;
    let mut projects: BTreeMap<(String, String), Vec<Value>> = BTreeMap::new();
    let mut total = 0.0;
    for variant in &variants {
        total += variant.total_cost_usd;
        projects
            .entry((variant.key.name.clone(), variant.key.owner.clone()))
            .or_default()
            .push(json!({
                "branch": variant.key.branch,
                "ai_provider": variant.key.provider,
                "ai_model": variant.key.model,
                "status": variant.status,
                "generation_id": variant.generation_id,
                "total_cost_usd": variant.total_cost_usd,
                "total_input_tokens": variant.total_input_tokens,
                "total_output_tokens": variant.total_output_tokens,
                "generation_started_at": variant.generation_started_at,
                "generation_duration": variant.generation_duration,
            }));
    }
    let projects: Vec<Value> = projects
        .into_iter()
        .map(|((name, owner), variants)| {
            let cost: f64 = variants
                .iter()
                .filter_map(|v| v["total_cost_usd"].as_f64())
                .sum();
            json!({"name": name, "owner": owner, "total_cost_usd": cost, "variants": variants})
        })
        .collect();
    let body = json!({"total_cost_usd": total, "projects": projects});
    Ok(warp::reply::json(&body).into_response())
}
