//! Generated sites on an origin of their own (`docs_origin`). On that host only `/docs/...`
//! is served, to readers holding its own cookie (or a Bearer key); everything else there is
//! a 404, so a script in a page cannot reach the API. On the API's host, a browser's
//! `/docs/...` request (session cookie, no Bearer) is sent there with a one-minute grant.

use std::time::Duration;

use warp::Filter;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::{Reply, Response};

use super::error::respond;
use super::principal::bearer_token;
use super::site_files::{self, Conditions};
use super::{ApiError, AppState, Query, client_address, docs, with_state};
use crate::auth::{
    AuthError, DOCS_COOKIE, DocsAccess, DocsTokenKind, Principal, SESSION_LIFETIME_SECS,
};
use crate::config::DocsOrigin;

/// The query parameter that carries a grant.
pub const GRANT_PARAM: &str = "docsfy_grant";

/// How long a grant may take from the API's redirect to the docs origin.
const GRANT_LIFETIME: Duration = Duration::from_secs(60);

/// Everything served on the docs origin's host; rejects (for the API's routes to answer)
/// on any other host.
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let on_docs_host = {
        let state = state.clone();
        warp::header::optional::<String>("host")
            .and_then(move |host: Option<String>| {
                let here = state
                    .docs_origin()
                    .is_some_and(|origin| host.is_some_and(|h| origin.is_host(&h)));
                async move {
                    if here {
                        Ok(())
                    } else {
                        Err(warp::reject::not_found())
                    }
                }
            })
            .untuple_one()
    };
    let pages = warp::path("docs")
        .and(warp::path::tail())
        .and(warp::get())
        .and(warp::header::optional::<String>("authorization"))
        .and(warp::cookie::optional::<String>(DOCS_COOKIE))
        .and(client_address())
        .and(with_state(state))
        .and(warp::query::<Query>())
        .and(site_files::conditions())
        .then(
            |tail: warp::path::Tail,
             authorization: Option<String>,
             cookie: Option<String>,
             from: Option<std::net::IpAddr>,
             state: AppState,
             query: Query,
             conditions: Conditions| async move {
                let credentials = Credentials {
                    authorization,
                    cookie,
                    from,
                };
                respond(page(&state, tail.as_str(), credentials, &query, &conditions).await)
            },
        );
    let elsewhere = warp::any().map(|| ApiError::not_found("Not Found").into_response());
    on_docs_host.and(pages.or(elsewhere).unify())
}

/// What a request to the docs origin presented.
struct Credentials {
    authorization: Option<String>,
    cookie: Option<String>,
    from: Option<std::net::IpAddr>,
}

async fn page(
    state: &AppState,
    tail: &str,
    credentials: Credentials,
    query: &Query,
    conditions: &Conditions,
) -> Result<Response, ApiError> {
    let path = format!("/docs/{tail}");
    let not_signed_in = || {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Not signed in to the documentation: open it from the docsfy server",
        )
    };
    if let Some(grant) = query.get(GRANT_PARAM) {
        let DocsAccess::Granted(who, api_origin) =
            state.auth.docs_access(DocsTokenKind::Grant, grant).await?
        else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "This documentation link has expired or is not valid: open it again from the \
                 docsfy server",
            ));
        };
        let lifetime = Duration::from_secs(SESSION_LIFETIME_SECS);
        let cookie = state
            .auth
            .docs_token(DocsTokenKind::Cookie, &who, &api_origin, lifetime);
        let mut response = found(&with_query(&path, query, false));
        let value = docs_cookie(&cookie, SESSION_LIFETIME_SECS, state.config.secure_cookies);
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
        return Ok(response);
    }
    let who = match (&credentials.authorization, &credentials.cookie) {
        (Some(authorization), _) => {
            let token = bearer_token(authorization).ok_or_else(not_signed_in)?;
            match state.auth.bearer(token, credentials.from).await {
                Ok(Some(who)) => who,
                Ok(None) => return Err(not_signed_in()),
                Err(AuthError::Throttled(wait)) => {
                    return Err(ApiError::throttled(
                        "Too many failed attempts from this address; try again later",
                        wait,
                    ));
                }
                Err(AuthError::Db(error)) => return Err(ApiError::internal(error)),
            }
        }
        (None, Some(cookie)) => match state
            .auth
            .docs_access(DocsTokenKind::Cookie, cookie)
            .await?
        {
            DocsAccess::Granted(who, _) => who,
            // Back to the API's origin, which grants again while the session lasts.
            DocsAccess::Expired(api_origin) => {
                return Ok(found(&format!(
                    "{api_origin}{}",
                    with_query(&path, query, false)
                )));
            }
            DocsAccess::Refused => return Err(not_signed_in()),
        },
        (None, None) => return Err(not_signed_in()),
    };
    let owner = query.get("owner").map(String::as_str);
    docs::serve(state, &who, tail, owner, conditions).await
}

/// The API origin's redirect of a browser's `/docs/...` request to the docs origin.
pub fn grant_redirect(
    state: &AppState,
    origin: &DocsOrigin,
    who: &Principal,
    host: Option<&str>,
    tail: &str,
    query: &Query,
) -> Response {
    let api_origin = format!("{}://{}", origin.scheme, host.unwrap_or("localhost"));
    let grant = state
        .auth
        .docs_token(DocsTokenKind::Grant, who, &api_origin, GRANT_LIFETIME);
    let mut query = query.clone();
    query.insert(GRANT_PARAM.into(), grant);
    found(&format!(
        "{}{}",
        origin.base,
        with_query(&format!("/docs/{tail}"), &query, true)
    ))
}

/// `path` with the query encoded again; the grant kept only when `keep_grant`, and last,
/// so that the URL a person sees starts with what they asked for.
fn with_query(path: &str, query: &Query, keep_grant: bool) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    /// Everything but RFC 3986's unreserved characters.
    const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let mut pairs: Vec<(&String, &String)> = query
        .iter()
        .filter(|(name, _)| keep_grant || name.as_str() != GRANT_PARAM)
        .collect();
    pairs.sort_by_key(|(name, _)| (name.as_str() == GRANT_PARAM, name.as_str()));
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(name, value)| {
            format!(
                "{}={}",
                utf8_percent_encode(name, COMPONENT),
                utf8_percent_encode(value, COMPONENT)
            )
        })
        .collect();
    if encoded.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", encoded.join("&"))
    }
}

fn found(location: &str) -> Response {
    let mut response = warp::reply::with_status(warp::reply(), StatusCode::FOUND).into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn docs_cookie(token: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{DOCS_COOKIE}={token}; Path=/docs; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}
