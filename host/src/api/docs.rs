//! `/docs/...`: files of generated sites. `/docs/{project}/{branch}/{provider}/{model}/{path}`
//! serves one variant; `/docs/{project}/{path}` the caller's most recent ready one. A path
//! that leaves the site (`..`, encoded separators, symlinks pointing out) is a 403.

use std::path::{Path, PathBuf};

use warp::Filter;
use warp::Reply;
use warp::http::HeaderValue;
use warp::http::StatusCode;
use warp::http::header::{CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY};
use warp::reply::Response;

use super::error::respond;
use super::principal::authenticated_or_login;
use super::{ApiError, AppState, Query, with_state};
use super::{resolve, segment};
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
        .then(
            |tail: warp::path::Tail, who: Principal, state: AppState, query: Query| async move {
                respond(
                    serve(
                        &state,
                        &who,
                        tail.as_str(),
                        query.get("owner").map(String::as_str),
                    )
                    .await,
                )
            },
        )
}

async fn serve(
    state: &AppState,
    who: &Principal,
    tail: &str,
    owner: Option<&str>,
) -> Result<Response, ApiError> {
    let segments = decode_segments(tail)?;
    let Some((project, rest)) = segments.split_first() else {
        return Err(ApiError::not_found("Not Found"));
    };
    // A variant route when the next three segments name an accessible variant; otherwise the
    // whole rest is a path inside the latest ready variant.
    if let [branch, provider, model, file @ ..] = rest {
        match resolve::variant(&state.store, who, [project, branch, provider, model], owner).await {
            Ok(variant) => {
                let site = state.artifacts.site_dir(&variant.key);
                if variant.status != Status::Ready && !site.is_dir() {
                    return Err(ApiError::not_found(format!(
                        "Documentation for '{}' is not ready",
                        variant.key.path()
                    )));
                }
                return file_response(&site, file).await;
            }
            Err(error) if error.status == StatusCode::NOT_FOUND => {}
            Err(error) => return Err(error),
        }
    }
    let latest = resolve::latest_ready(&state.store, who, project).await?;
    file_response(&state.artifacts.site_dir(&latest.key), rest).await
}

/// Splits the raw path into segments decoded by the rule of every route (a segment that is
/// not UTF-8 once decoded names nothing here).
fn decode_segments(tail: &str) -> Result<Vec<String>, ApiError> {
    tail.split('/')
        .map(|raw| segment::decode(raw).ok_or_else(|| ApiError::not_found("Not Found")))
        .collect()
}

/// Refuses a file path whose segments could leave the site, before the filesystem is
/// touched. The variant's own segments are names in the database, so only the file's are
/// checked: a model called `org/model` is a name, `%2F` inside the file path an escape.
fn check_stays_inside(file: &[String]) -> Result<(), ApiError> {
    let leaves = |segment: &String| segment == ".." || segment.contains(['/', '\\', '\0']);
    if file.iter().any(leaves) {
        return Err(escapes());
    }
    Ok(())
}

fn escapes() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "Path escapes the documentation site")
}

/// The file at `segments` inside `site`, with `index.html` for directories and a trailing
/// slash, after checking that its real path (symlinks resolved) is inside the site.
async fn file_response(site: &Path, segments: &[String]) -> Result<Response, ApiError> {
    check_stays_inside(segments)?;
    let mut path = site.to_path_buf();
    for segment in segments
        .iter()
        .filter(|s| !s.is_empty() && s.as_str() != ".")
    {
        path.push(segment);
    }
    if segments.last().is_none_or(|s| s.is_empty()) || path.is_dir() {
        path.push("index.html");
    }
    let site = site.to_path_buf();
    let (real, bytes) = tokio::task::spawn_blocking(move || read_inside(&site, &path))
        .await
        .map_err(ApiError::internal)??;
    let mime = mime_guess::from_path(&real).first_or_octet_stream();
    let mut response = Response::new(bytes.into());
    let headers = response.headers_mut();
    if let Ok(value) = mime.as_ref().parse() {
        headers.insert(CONTENT_TYPE, value);
    }
    // Generated pages are untrusted HTML even after sanitising: they may run the renderer's
    // own scripts and nothing else, load nothing from elsewhere, and tell nobody where the
    // reader came from.
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SITE_POLICY),
    );
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    Ok(response.into_response())
}

/// What a generated page may do: the site's own scripts, styles, images (and data: images)
/// and fetches; no inline script, no plugins, no forms, no framing by other origins.
pub const SITE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'self'";

fn read_inside(site: &Path, path: &Path) -> Result<(PathBuf, Vec<u8>), ApiError> {
    let not_found = || ApiError::not_found("File not found");
    let site = site.canonicalize().map_err(|_| not_found())?;
    let real = path.canonicalize().map_err(|_| not_found())?;
    if !real.starts_with(&site) {
        return Err(escapes());
    }
    if !real.is_file() {
        return Err(not_found());
    }
    let bytes = std::fs::read(&real).map_err(|_| not_found())?;
    Ok((real, bytes))
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
            let refused = check_stays_inside(&file).expect_err(bad);
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{bad}");
        }
        let fine = decode_segments("guide/set%20up.html").expect("decodes");
        assert!(check_stays_inside(&fine).is_ok());
    }
}
