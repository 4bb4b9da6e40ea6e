//! Project and variant routes: the listing (`/api/status`, `/api/projects`), one project's
//! variants, one variant, and deletion with the owner rules.

use warp::Filter;
use warp::Reply;
use warp::reply::Response;

use super::error::respond;
use super::names::check_project_name;
use super::principal::{caller, require_write};
use super::resolve;
use super::segment::Segment;
use super::{ApiError, AppState, Query, VariantSegments, variant_prefix};
use crate::auth::Principal;
use crate::events::Event;
use crate::store::DbError;
use crate::store::variants::VariantKey;

/// Every project route.
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let listing = warp::path!("api" / "status")
        .or(warp::path!("api" / "projects"))
        .unify()
        .and(warp::get())
        .and(caller(state.clone()))
        .then(|who: Principal, state: AppState| async move {
            respond(
                state
                    .listings
                    .for_principal(&who)
                    .await
                    .map(|listing| json_text(listing.body.to_string()))
                    .map_err(ApiError::from),
            )
        });
    let project = warp::path!("api" / "projects" / Segment)
        .and(warp::get())
        .and(caller(state.clone()))
        .then(
            |Segment(name): Segment, who: Principal, state: AppState| async move {
                respond(project_variants(&state, &who, &name).await)
            },
        );
    let variant = variant_prefix()
        .and(warp::path::end())
        .and(warp::get())
        .and(caller(state.clone()))
        .and(warp::query::<Query>())
        .then(
            |segments: VariantSegments, who: Principal, state: AppState, query: Query| async move {
                respond(
                    resolve::variant(
                        &state.store,
                        &who,
                        segments.each_ref().map(String::as_str),
                        query.get("owner").map(String::as_str),
                    )
                    .await
                    .map(|v| warp::reply::json(&v).into_response()),
                )
            },
        );
    let delete_variant = variant_prefix()
        .and(warp::path::end())
        .and(warp::delete())
        .and(caller(state.clone()))
        .and(warp::query::<Query>())
        .then(
            |segments: VariantSegments, who: Principal, state: AppState, query: Query| async move {
                respond(delete_variant(&state, &who, segments, &query).await)
            },
        );
    let delete_project = warp::path!("api" / "projects" / Segment)
        .and(warp::delete())
        .and(caller(state.clone()))
        .and(warp::query::<Query>())
        .then(
            |Segment(name): Segment, who: Principal, state: AppState, query: Query| async move {
                respond(delete_project(&state, &who, &name, &query).await)
            },
        );
    listing
        .or(project)
        .unify()
        .or(variant)
        .unify()
        .or(delete_variant)
        .unify()
        .or(delete_project)
        .unify()
}

fn json_text(body: String) -> Response {
    warp::reply::with_header(body, "content-type", "application/json").into_response()
}

async fn project_variants(
    state: &AppState,
    who: &Principal,
    name: &str,
) -> Result<Response, ApiError> {
    check_project_name(name)?;
    let variants = state.store.variants_named(&who.visibility(), name).await?;
    if variants.is_empty() {
        return Err(ApiError::not_found(format!("Project '{name}' not found")));
    }
    Ok(
        warp::reply::json(&serde_json::json!({ "name": name, "variants": variants }))
            .into_response(),
    )
}

/// The owner whose variants a write targets: admins must say (`?owner=`, empty for legacy
/// rows); everyone else writes only their own.
fn write_owner<'a>(who: &'a Principal, query: &'a Query) -> Result<&'a str, ApiError> {
    if who.is_admin() {
        query.get("owner").map(String::as_str).ok_or_else(|| {
            ApiError::bad_request(
                "Admins must give the 'owner' query parameter (empty for legacy projects)",
            )
        })
    } else {
        Ok(&who.username)
    }
}

async fn delete_variant(
    state: &AppState,
    who: &Principal,
    [name, branch, provider, model]: VariantSegments,
    query: &Query,
) -> Result<Response, ApiError> {
    require_write(who)?;
    check_project_name(&name)?;
    let owner = write_owner(who, query)?;
    let key = VariantKey {
        name,
        branch,
        provider,
        model,
        owner: owner.to_string(),
    };
    match state.store.delete_variant(&key).await {
        Ok(()) => {}
        Err(DbError::NotFound) => {
            return Err(ApiError::not_found(format!(
                "Variant '{}' not found",
                key.path()
            )));
        }
        Err(DbError::Conflict) => {
            return Err(ApiError::conflict(format!(
                "Variant '{}' is currently generating. Abort it first.",
                key.path()
            )));
        }
        Err(error) => return Err(error.into()),
    }
    // Announced as soon as the row is gone: the files follow, even if the caller hangs up.
    state.announce(Event::Changed {
        name: key.name.clone(),
        owner: key.owner.clone(),
    });
    state.artifacts.remove_variant(&key).await;
    Ok(warp::reply::json(&serde_json::json!({ "deleted": key.path() })).into_response())
}

async fn delete_project(
    state: &AppState,
    who: &Principal,
    name: &str,
    query: &Query,
) -> Result<Response, ApiError> {
    require_write(who)?;
    check_project_name(name)?;
    let owner = write_owner(who, query)?;
    let deleted = match state.store.delete_project(name, owner).await {
        Ok(deleted) => deleted,
        Err(DbError::NotFound) => {
            return Err(ApiError::not_found(format!("Project '{name}' not found")));
        }
        Err(DbError::Conflict) => {
            return Err(ApiError::conflict(format!(
                "A variant of '{name}' is currently generating. Abort it first."
            )));
        }
        Err(error) => return Err(error.into()),
    };
    state.announce(Event::Changed {
        name: name.to_string(),
        owner: owner.to_string(),
    });
    for key in &deleted {
        state.artifacts.remove_variant(key).await;
    }
    Ok(warp::reply::json(&serde_json::json!({ "deleted": name })).into_response())
}
