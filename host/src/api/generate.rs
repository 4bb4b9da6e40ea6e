//! `POST /api/generate` and the abort routes.

use std::time::Duration;

use warp::Filter;
use warp::Reply;
use warp::http::StatusCode;
use warp::reply::Response;

use super::body::{MAX_JSON_BODY, capped_bytes};
use super::error::respond;
use super::generate_body;
use super::names::check_project_name;
use super::principal::{caller, require_write};
use super::segment::Segment;
use super::{ApiError, AppState, Query, VariantSegments, variant_prefix};
use crate::auth::Principal;
use crate::domain::Status;
use crate::pipeline::jobs::JobError;
use crate::pipeline::run::{Submission, SubmitError};
use crate::pipeline::source::Source;
use crate::store::variants::VariantKey;

/// The generation routes.
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let generate = warp::path!("api" / "generate")
        .and(warp::post())
        .and(caller(state.clone()))
        .and(capped_bytes(MAX_JSON_BODY))
        .then(
            |who: Principal, state: AppState, body: bytes::Bytes| async move {
                respond(generate(&state, &who, &body).await)
            },
        );
    let abort_named = warp::path!("api" / "projects" / Segment / "abort")
        .and(warp::post())
        .and(caller(state.clone()))
        .then(
            |Segment(name): Segment, who: Principal, state: AppState| async move {
                respond(abort_named(&state, &who, &name).await)
            },
        );
    let abort_variant = variant_prefix()
        .and(warp::path!("abort"))
        .and(warp::post())
        .and(caller(state.clone()))
        .and(warp::query::<Query>())
        .then(
            |segments: VariantSegments, who: Principal, state: AppState, query: Query| async move {
                respond(abort_variant(&state, &who, segments, query.get("owner").cloned()).await)
            },
        );
    generate.or(abort_named).unify().or(abort_variant).unify()
}

async fn generate(state: &AppState, who: &Principal, body: &[u8]) -> Result<Response, ApiError> {
    require_write(who)?;
    let unprocessable = |detail: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, detail);
    let object = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(object)) => object,
        Ok(_) => return Err(unprocessable("Request body must be a JSON object".into())),
        Err(e) => return Err(unprocessable(format!("Invalid JSON body: {e}"))),
    };
    let request = generate_body::parse(&object).map_err(unprocessable)?;
    if matches!(request.source, Source::Path(_)) && !who.is_admin() {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Local repo path access requires admin privileges",
        ));
    }
    // A provider the body names is part of its schema (422); the server's default not being
    // loaded is a runtime failure (400), like a missing model after defaults.
    let defaults = state.defaults().await?;
    let (provider_name, refusal) = match request.ai_provider.clone() {
        Some(named) => (named, StatusCode::UNPROCESSABLE_ENTITY),
        None => (defaults.ai_provider.clone(), StatusCode::BAD_REQUEST),
    };
    if state.plugins.provider(&provider_name).is_none() {
        return Err(ApiError::new(
            refusal,
            format!(
                "Invalid AI provider: '{provider_name}'. Must be one of: {}",
                state.plugins.provider_names().join(", ")
            ),
        ));
    }
    let model = request
        .ai_model
        .clone()
        .unwrap_or_else(|| state.default_model_for(&defaults, &provider_name));
    if model.trim().is_empty() {
        return Err(ApiError::bad_request("AI model must be specified."));
    }
    state
        .pipeline
        .check_source(&request.source)
        .await
        .map_err(|refused| ApiError::bad_request(refused.to_string()))?;
    let name = request.project_name();
    check_project_name(&name)?;
    let key = VariantKey {
        name: name.clone(),
        branch: request.branch.clone(),
        provider: provider_name,
        model,
        owner: who.username.clone(),
    };
    let submission = Submission {
        repo_url: request.source.display_text(),
        source: request.source.clone(),
        force: request.force,
        // A request may shorten the wait but not make it longer than the operator allows.
        ai_timeout: Duration::from_secs(
            request
                .ai_cli_timeout
                .unwrap_or(defaults.ai_cli_timeout)
                .min(state.config.generations.max_ai_cli_timeout),
        ),
        key,
        pages_at_once: defaults.max_concurrent_pages,
    };
    let path = submission.key.path();
    let generation_id = match state.pipeline.submit(submission).await {
        Ok(generation_id) => generation_id,
        Err(SubmitError::Busy) => {
            return Err(ApiError::conflict(format!(
                "Variant '{path}' is already being generated"
            )));
        }
        Err(refused @ (SubmitError::OwnerAtLimit(_) | SubmitError::ServerAtLimit(_))) => {
            return Err(ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                refused.to_string(),
            ));
        }
        Err(SubmitError::Store(error)) => return Err(error.into()),
    };
    let body = serde_json::json!({
        "project": name,
        "status": Status::Generating,
        "branch": request.branch,
        "generation_id": generation_id,
    });
    Ok(warp::reply::with_status(warp::reply::json(&body), StatusCode::ACCEPTED).into_response())
}

async fn abort_named(state: &AppState, who: &Principal, name: &str) -> Result<Response, ApiError> {
    require_write(who)?;
    check_project_name(name)?;
    let matching: Vec<VariantKey> = state
        .pipeline
        .running()
        .into_iter()
        .filter(|k| k.name == name && (who.is_admin() || k.owner == who.username))
        .collect();
    let key = match matching.as_slice() {
        [] => {
            return Err(ApiError::not_found(format!(
                "No active generation for '{name}'"
            )));
        }
        [only] => only.clone(),
        several if several.iter().any(|k| k.owner != several[0].owner) => {
            return Err(ApiError::conflict(
                "Multiple owners found for this variant, please specify owner",
            ));
        }
        _ => {
            return Err(ApiError::conflict(format!(
                "More than one active generation matches '{name}'; use the variant-specific abort route"
            )));
        }
    };
    abort(state, &key).await?;
    Ok(warp::reply::json(&serde_json::json!({ "aborted": name })).into_response())
}

async fn abort_variant(
    state: &AppState,
    who: &Principal,
    [name, branch, provider, model]: VariantSegments,
    owner: Option<String>,
) -> Result<Response, ApiError> {
    require_write(who)?;
    check_project_name(&name)?;
    let mut matching: Vec<VariantKey> = state
        .pipeline
        .running()
        .into_iter()
        .filter(|k| {
            k.name == name && k.branch == branch && k.provider == provider && k.model == model
        })
        .filter(|k| match (&owner, who.is_admin()) {
            (_, false) => k.owner == who.username,
            (Some(owner), true) => &k.owner == owner,
            (None, true) => true,
        })
        .collect();
    let key = match matching.len() {
        0 => return Err(ApiError::not_found("No active generation for this variant")),
        1 => matching.remove(0),
        _ => {
            return Err(ApiError::conflict(
                "Multiple owners found for this variant, please specify owner",
            ));
        }
    };
    abort(state, &key).await?;
    Ok(warp::reply::json(&serde_json::json!({ "aborted": key.path() })).into_response())
}

async fn abort(state: &AppState, key: &VariantKey) -> Result<(), ApiError> {
    match state.pipeline.abort(key).await {
        Ok(()) => Ok(()),
        Err(JobError::NotRunning) => {
            Err(ApiError::not_found("No active generation for this variant"))
        }
        Err(JobError::StillFinishing) | Err(JobError::AlreadyRunning) => {
            Err(ApiError::conflict(format!(
                "Abort still in progress for '{}'. Please retry shortly.",
                key.path()
            )))
        }
    }
}
