//! `/docs/...`: files of generated sites. `/docs/{project}/{branch}/{provider}/{model}/{path}`
//! serves one variant; `/docs/{project}/{path}` the caller's most recent ready one. A path
//! that leaves the site (`..`, encoded separators, symlinks pointing out) is a 403.

use warp::Filter;
use warp::http::StatusCode;
use warp::reply::Response;

use super::error::respond;
use super::principal::authenticated_or_login;
use super::site_files::{self, Conditions};
use super::{ApiError, AppState, Query, docs_origin, resolve, segment, with_state};
use crate::auth::Principal;
use crate::domain::Status;

/// `GET /docs/...`.
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path("docs")
        .and(warp::path::tail())
        .and(warp::get())
        .and(authenticated_or_login(state.clone()))
        .and(with_state(state))
        .and(warp::query::<Query>())
        .and(site_files::conditions())
        .and(warp::header::optional::<String>("authorization"))
        .then(
            |tail: warp::path::Tail,
             who: Principal,
             state: AppState,
             query: Query,
             conditions: Conditions,
             authorization: Option<String>| async move {
                // A browser (its session, no Bearer key) reads sites on their own origin.
                if let Some(origin) = state.docs_origin().filter(|_| authorization.is_none()) {
                    let tail = tail.as_str();
                    return docs_origin::grant_redirect(&state, origin, &who, tail, &query);
                }
                let owner = query.get("owner").map(String::as_str);
                respond(serve(&state, &who, tail.as_str(), owner, &conditions).await)
            },
        )
}

pub(super) async fn serve(
    state: &AppState,
    who: &Principal,
    tail: &str,
    owner: Option<&str>,
    conditions: &Conditions,
) -> Result<Response, ApiError> {
    let segments = decode_segments(tail)?;
    let Some((project, rest)) = segments.split_first() else {
        return Err(ApiError::not_found("Not Found"));
    };
    // A variant route when the next three segments name an accessible variant; otherwise the
    // whole rest is a path inside the latest ready variant.
    if let [branch, provider, model, file @ ..] = rest {
        let branch = &segment::decode_branch(branch);
        let named = [
            project.as_str(),
            branch.as_str(),
            provider.as_str(),
            model.as_str(),
        ];
        match state
            .resolutions
            .variant(&state.store, who, named, owner)
            .await
        {
            Ok(variant) => {
                let site = state.artifacts.site_dir(&variant.key);
                if variant.status != Status::Ready && !site.is_dir() {
                    return Err(ApiError::not_found(format!(
                        "Documentation for '{}' is not ready",
                        variant.key.path()
                    )));
                }
                return site_files::respond(&site, file, conditions, &state.site_files).await;
            }
            Err(error) if error.status == StatusCode::NOT_FOUND => {}
            Err(error) => return Err(error),
        }
    }
    let latest = resolve::latest_ready(&state.store, who, project).await?;
    let site = state.artifacts.site_dir(&latest.key);
    site_files::respond(&site, rest, conditions, &state.site_files).await
}

/// Splits the raw path into segments decoded by the rule of every route (a segment that is
/// not UTF-8 once decoded names nothing here).
fn decode_segments(tail: &str) -> Result<Vec<String>, ApiError> {
    tail.split('/')
        .map(|raw| segment::decode(raw).ok_or_else(|| ApiError::not_found("Not Found")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_decoded_and_file_paths_that_leave_are_refused() {
        assert_eq!(decode_segments("a/b%20c/").expect("ok"), ["a", "b c", ""]);
        assert_eq!(decode_segments("org%2Fmodel").expect("ok"), ["org/model"]);
        assert_eq!(
            decode_segments("a/%FF").expect_err("not UTF-8").status,
            StatusCode::NOT_FOUND
        );
        for bad in ["a/../b", "a/%2e%2E/b", "a/%2Fetc", "a/b%5Cc", "%00"] {
            let file = decode_segments(bad).expect("decodes");
            let refused = site_files::check_stays_inside(&file).expect_err(bad);
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{bad}");
        }
        let fine = decode_segments("guide/set%20up.html").expect("decodes");
        assert!(site_files::check_stays_inside(&fine).is_ok());
    }
}
