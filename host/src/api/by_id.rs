//! `GET /api/projects/by-id/{generation_id}`: the variant a generation id names, as docsfy
//! 1.9 answers it; visibility as everywhere, so another user's id is not found.

use warp::Filter;
use warp::Reply;
use warp::reply::Response;

use super::error::respond;
use super::principal::caller;
use super::segment::Segment;
use super::{ApiError, AppState};
use crate::auth::Principal;

pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "projects" / "by-id" / Segment)
        .and(warp::get())
        .and(caller(state))
        .then(
            |Segment(id): Segment, who: Principal, state: AppState| async move {
                respond(by_id(&state, &who, &id).await)
            },
        )
}

async fn by_id(state: &AppState, who: &Principal, id: &str) -> Result<Response, ApiError> {
    let Ok(parsed) = uuid::Uuid::parse_str(id) else {
        return Err(ApiError::bad_request("Invalid generation ID format"));
    };
    // Stored hyphenated and lower-case; any spelling of the same UUID finds it.
    let canonical = parsed.hyphenated().to_string();
    match state
        .store
        .variant_by_generation_id(&who.visibility(), &canonical)
        .await?
    {
        Some(variant) => Ok(warp::reply::json(&variant).into_response()),
        None => Err(ApiError::not_found("Generation ID not found")),
    }
}
