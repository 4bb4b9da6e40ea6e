//! `/api/auth/*`: login, logout, the current identity, and rotating one's own key.

use std::net::IpAddr;

use serde::Serialize;
use serde_json::{Map, Value};
use warp::Filter;
use warp::Reply;
use warp::http::header::{CACHE_CONTROL, SET_COOKIE};
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;

use super::body::{self, optional_string};
use super::error::respond;
use super::principal::{authenticated, from_own_pages, session_cookie};
use super::{ApiError, AppState, client_address, with_state};
use crate::auth::{LoginError, Principal, RotateError, SESSION_COOKIE, SESSION_LIFETIME_SECS};
use crate::events::Event;

/// The body of login and `me`.
#[derive(Debug, Serialize)]
pub struct AuthResponse {
    username: String,
    role: &'static str,
    is_admin: bool,
}

impl From<&Principal> for AuthResponse {
    fn from(principal: &Principal) -> Self {
        AuthResponse {
            username: principal.username.clone(),
            role: principal.role.as_str(),
            is_admin: principal.is_admin(),
        }
    }
}

/// Every `/api/auth` route.
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    login(state.clone())
        .or(logout(state.clone()))
        .unify()
        .or(me(state.clone()))
        .unify()
        .or(rotate_key(state))
        .unify()
}

/// `POST /api/auth/login` (public): `{username, api_key}` → session cookie.
fn login(state: AppState) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "auth" / "login")
        .and(warp::post())
        .and(from_own_pages(state.clone()))
        .and(with_state(state))
        .and(client_address())
        .and(body::json_object())
        .then(
            |state: AppState, from, body| async move { respond(log_in(&state, from, &body).await) },
        )
}

async fn log_in(
    state: &AppState,
    from: Option<IpAddr>,
    body: &Map<String, Value>,
) -> Result<Response, ApiError> {
    let invalid = || ApiError::new(StatusCode::UNAUTHORIZED, "Invalid username or API key");
    // Missing, empty or non-string credentials did not authenticate (and are no failed
    // attempt): the spec keeps 400 for a body that is not a JSON object.
    let credential = |field| {
        body.get(field)
            .and_then(Value::as_str)
            .filter(|text| !text.is_empty())
    };
    let (Some(username), Some(api_key)) = (credential("username"), credential("api_key")) else {
        return Err(invalid());
    };
    let (principal, token) = match state.auth.login(username, api_key, from).await {
        Ok(done) => done,
        Err(LoginError::Invalid) => return Err(invalid()),
        Err(LoginError::Throttled(wait)) => {
            return Err(ApiError::throttled(
                "Too many failed logins; try again later",
                wait,
            ));
        }
        Err(LoginError::Db(error)) => return Err(ApiError::internal(error)),
    };
    let mut response = warp::reply::json(&AuthResponse::from(&principal)).into_response();
    set_cookie(
        &mut response,
        &session_cookie_value(&token, SESSION_LIFETIME_SECS, state.config.secure_cookies),
    );
    Ok(response)
}

/// `POST /api/auth/logout` (public): ends the session, if any, and clears the cookie.
fn logout(state: AppState) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "auth" / "logout")
        .and(warp::post())
        .and(from_own_pages(state.clone()))
        .and(with_state(state))
        .and(session_cookie())
        .then(|state: AppState, cookie: Option<String>| async move {
            respond(
                async {
                    if let Some(token) = cookie.filter(|t| !t.is_empty()) {
                        let ended = state
                            .auth
                            .logout(&token)
                            .await
                            .map_err(ApiError::internal)?;
                        if let Some(username) = ended {
                            state.announce(Event::AccountChanged { username });
                        }
                    }
                    let mut response =
                        warp::reply::json(&serde_json::json!({ "ok": true })).into_response();
                    set_cookie(
                        &mut response,
                        &session_cookie_value("", 0, state.config.secure_cookies),
                    );
                    Ok(response)
                }
                .await,
            )
        })
}

/// `GET /api/auth/me`: who the caller is.
fn me(state: AppState) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "auth" / "me")
        .and(warp::get())
        .and(authenticated(state))
        .map(|principal: Principal| {
            warp::reply::json(&AuthResponse::from(&principal)).into_response()
        })
}

/// `POST /api/auth/rotate-key`: a new key for the caller; their sessions end.
fn rotate_key(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    warp::path!("api" / "auth" / "rotate-key")
        .and(warp::post())
        .and(authenticated(state.clone()))
        .and(with_state(state))
        .and(body::json_object())
        .then(|principal: Principal, state: AppState, body| async move {
            respond(async {
                if principal.admin_key {
                    return Err(ApiError::bad_request(
                        "The ADMIN_KEY administrator cannot rotate its key here: change ADMIN_KEY",
                    ));
                }
                let chosen = optional_string(&body, "new_key")?;
                let key = rotated(&state, &principal.username, chosen).await?;
                let mut response = new_key_response(&principal.username, &key);
                set_cookie(&mut response, &session_cookie_value("", 0, state.config.secure_cookies));
                Ok(response)
            }.await)
        })
}

/// Rotates `username`'s key, mapping failures to the API's answers.
pub(super) async fn rotated(
    state: &AppState,
    username: &str,
    chosen: Option<String>,
) -> Result<String, ApiError> {
    match state.auth.rotate(username, chosen).await {
        Ok(key) => {
            state.announce(Event::AccountChanged {
                username: username.to_string(),
            });
            Ok(key)
        }
        Err(RotateError::BadKey(message)) => Err(ApiError::bad_request(message)),
        Err(RotateError::NotFound) => {
            Err(ApiError::not_found(format!("User '{username}' not found")))
        }
        Err(RotateError::Other(error)) => Err(ApiError::internal(error)),
    }
}

/// `{username, new_api_key}` with `Cache-Control: no-store`.
pub(super) fn new_key_response(username: &str, key: &str) -> Response {
    let body = serde_json::json!({ "username": username, "new_api_key": key });
    no_store(warp::reply::json(&body).into_response())
}

/// Marks a response carrying a raw key as never to be cached.
pub(super) fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn session_cookie_value(token: &str, max_age: u64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    )
}

fn set_cookie(response: &mut Response, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

#[cfg(test)]
mod tests {
    use super::session_cookie_value;

    #[test]
    fn the_cookie_has_the_documented_attributes() {
        assert_eq!(
            session_cookie_value("t", 28800, true),
            "docsfy_session=t; HttpOnly; SameSite=Strict; Path=/; Max-Age=28800; Secure"
        );
        assert!(!session_cookie_value("t", 28800, false).contains("Secure"));
    }
}
