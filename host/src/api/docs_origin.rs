//! Generated sites on an origin of their own (`docs_origin`). On that host only `/docs/...`
//! is served, to readers holding its own cookie (or a Bearer key); everything else there is
//! a 404, so a script in a page cannot reach the API.
//!
//! A browser signs in to the docs origin in a round trip that binds it: the docs origin gives
//! a browser without a cookie a nonce (a cookie of its own) and sends it to the API's
//! `/docs/...` with it; the API, seeing its session, sends it back with a one-minute grant
//! bound to that nonce; the docs origin trades the grant for its cookie only in the browser
//! holding the nonce. A grant someone took from their own browser opens nothing in another.

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

/// The query parameter that carries the docs origin's nonce to the API.
const NONCE_PARAM: &str = "docsfy_nonce";

/// The docs origin's cookie holding the nonce while a browser signs in.
const NONCE_COOKIE: &str = "docsfy_docs_nonce";

/// How long a browser may take to come back with the grant for its nonce.
const NONCE_LIFETIME_SECS: u64 = 300;

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
        .and(warp::cookie::optional::<String>(NONCE_COOKIE))
        .and(warp::header::optional::<String>("accept"))
        .and(client_address())
        .and(with_state(state))
        .and(warp::query::<Query>())
        .and(site_files::conditions())
        .then(
            |tail: warp::path::Tail,
             authorization: Option<String>,
             cookie: Option<String>,
             nonce: Option<String>,
             accept: Option<String>,
             from: Option<std::net::IpAddr>,
             state: AppState,
             query: Query,
             conditions: Conditions| async move {
                let credentials = Credentials {
                    authorization,
                    cookie,
                    nonce,
                    browser: accept.is_some_and(|a| a.contains("text/html")),
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
    /// The nonce this browser was given on its way to the API.
    nonce: Option<String>,
    /// A browser's navigation (it accepts HTML): sent to sign in rather than refused.
    browser: bool,
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
        let DocsAccess::Granted(who, bound_to) =
            state.auth.docs_access(DocsTokenKind::Grant, grant).await?
        else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "This documentation link has expired or is not valid: open it again from the \
                 docsfy server",
            ));
        };
        if bound_to.is_empty() || credentials.nonce.as_deref() != Some(bound_to.as_str()) {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "This documentation link was made for another browser, or this browser does \
                 not keep cookies: open it again from the docsfy server",
            ));
        }
        let lifetime = Duration::from_secs(SESSION_LIFETIME_SECS);
        let cookie = state
            .auth
            .docs_token(DocsTokenKind::Cookie, &who, "", lifetime);
        let mut response = found(&with_query(&path, query, None));
        let secure = state.config.secure_cookies;
        set_cookie(
            &mut response,
            &docs_cookie(DOCS_COOKIE, &cookie, SESSION_LIFETIME_SECS, secure),
        );
        set_cookie(&mut response, &docs_cookie(NONCE_COOKIE, "", 0, secure));
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
        (None, cookie) => {
            let access = match cookie {
                Some(cookie) => {
                    state
                        .auth
                        .docs_access(DocsTokenKind::Cookie, cookie)
                        .await?
                }
                None => DocsAccess::Refused,
            };
            match access {
                DocsAccess::Granted(who, _) => who,
                _ if credentials.browser => return Ok(sign_in(state, &path, query)),
                _ => return Err(not_signed_in()),
            }
        }
    };
    let owner = query.get("owner").map(String::as_str);
    docs::serve(state, &who, tail, owner, conditions).await
}

/// A browser without a valid cookie sent to the API's origin with a fresh nonce, which it
/// keeps as a cookie of the docs origin until it comes back with the grant.
fn sign_in(state: &AppState, path: &str, query: &Query) -> Response {
    let Some(api_origin) = state.api_origin() else {
        return ApiError::internal("docs_origin is set without api_origin").into_response();
    };
    let nonce = crate::auth::keys::random_token();
    let back = with_query(path, query, None);
    let separator = if back.contains('?') { '&' } else { '?' };
    let mut response = found(&format!(
        "{}{back}{separator}{NONCE_PARAM}={nonce}",
        api_origin.base
    ));
    let cookie = docs_cookie(
        NONCE_COOKIE,
        &nonce,
        NONCE_LIFETIME_SECS,
        state.config.secure_cookies,
    );
    set_cookie(&mut response, &cookie);
    response
}

/// The API origin's redirect of a browser's `/docs/...` request to the docs origin: with a
/// grant bound to the nonce the docs origin gave it, or without one to be given a nonce.
pub fn grant_redirect(
    state: &AppState,
    origin: &DocsOrigin,
    who: &Principal,
    tail: &str,
    query: &Query,
) -> Response {
    let path = format!("/docs/{tail}");
    let grant = query
        .get(NONCE_PARAM)
        .filter(|nonce| !nonce.is_empty() && nonce.chars().all(|c| c.is_ascii_hexdigit()))
        .map(|nonce| {
            state
                .auth
                .docs_token(DocsTokenKind::Grant, who, nonce, GRANT_LIFETIME)
        });
    found(&format!(
        "{}{}",
        origin.base,
        with_query(&path, query, grant.as_deref())
    ))
}

/// `path` with the query encoded again, without the sign-in parameters; `grant` added last,
/// so that the URL a person sees starts with what they asked for.
fn with_query(path: &str, query: &Query, grant: Option<&str>) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    /// Everything but RFC 3986's unreserved characters.
    const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    let grant_param = GRANT_PARAM.to_string();
    let mut pairs: Vec<(&String, &str)> = query
        .iter()
        .filter(|(name, _)| name.as_str() != GRANT_PARAM && name.as_str() != NONCE_PARAM)
        .map(|(name, value)| (name, value.as_str()))
        .collect();
    pairs.sort();
    pairs.extend(grant.map(|grant| (&grant_param, grant)));
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

fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn docs_cookie(name: &str, value: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/docs; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}
