//! The one place a request becomes a [`Principal`]: a Bearer token (ADMIN_KEY or a user's
//! key) or the `docsfy_session` cookie.

use warp::Filter;
use warp::http::StatusCode;

use super::{ApiError, AppState, client_address, with_state};
use crate::auth::{AuthError, Principal, SESSION_COOKIE};

/// The authenticated caller, or a 401 `{"detail": "Unauthorized"}`.
pub fn authenticated(
    state: AppState,
) -> impl Filter<Extract = (Principal,), Error = warp::Rejection> + Clone {
    credentials(state).and_then(|found: Result<Option<Principal>, ApiError>| async move {
        match found {
            Ok(Some(principal)) => Ok(principal),
            Ok(None) => Err(warp::reject::custom(unauthorized())),
            Err(error) => Err(warp::reject::custom(error)),
        }
    })
}

/// The authenticated caller and the shared state, as most handlers take them.
pub fn caller(
    state: AppState,
) -> impl Filter<Extract = (Principal, AppState), Error = warp::Rejection> + Clone {
    authenticated(state.clone()).and(with_state(state))
}

/// Like [`authenticated`], but a browser (a client that accepts HTML) that is not logged in
/// is sent to `/login` instead.
pub fn authenticated_or_login(
    state: AppState,
) -> impl Filter<Extract = (Principal,), Error = warp::Rejection> + Clone {
    credentials(state)
        .and(warp::header::optional::<String>("accept"))
        .and_then(
            |found: Result<Option<Principal>, ApiError>, accept: Option<String>| async move {
                match found {
                    Ok(Some(principal)) => Ok(principal),
                    Ok(None) if accept.is_some_and(|a| a.contains("text/html")) => {
                        Err(warp::reject::custom(ApiError::redirect("/login")))
                    }
                    Ok(None) => Err(warp::reject::custom(unauthorized())),
                    Err(error) => Err(warp::reject::custom(error)),
                }
            },
        )
}

/// Refuses (403) a request that may change something when a browser says a page of another
/// origin sent it, whatever it carries: signing in or out included (login CSRF).
pub fn from_own_pages(
    state: AppState,
) -> impl Filter<Extract = (), Error = warp::Rejection> + Clone {
    browser_request()
        .and(with_state(state))
        .and_then(|browser: BrowserRequest, state: AppState| async move {
            if browser.is_cross_origin_change(state.api_origin()) {
                Err(warp::reject::custom(cross_origin()))
            } else {
                Ok(())
            }
        })
        .untuple_one()
}

fn cross_origin() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "A browser's request from another origin may not change anything here",
    )
}

/// The caller if authenticated, without refusing anyone (for logout).
pub fn session_cookie()
-> impl Filter<Extract = (Option<String>,), Error = std::convert::Infallible> + Clone {
    warp::cookie::optional::<String>(SESSION_COOKIE)
}

fn credentials(
    state: AppState,
) -> impl Filter<Extract = (Result<Option<Principal>, ApiError>,), Error = warp::Rejection> + Clone
{
    warp::header::optional::<String>("authorization")
        .and(warp::cookie::optional::<String>(SESSION_COOKIE))
        .and(browser_request())
        .and(client_address())
        .and(with_state(state))
        .then(
            |authorization: Option<String>,
             cookie: Option<String>,
             browser: BrowserRequest,
             from: Option<std::net::IpAddr>,
             state: AppState| async move {
                if let Some(token) = authorization.as_deref().and_then(bearer_token) {
                    return state.auth.bearer(token, from).await.map_err(|e| match e {
                        AuthError::Throttled(wait) => ApiError::throttled(
                            "Too many failed attempts from this address; try again later",
                            wait,
                        ),
                        AuthError::Db(error) => ApiError::internal(error),
                    });
                }
                match cookie {
                    Some(_) if browser.is_cross_origin_change(state.api_origin()) => {
                        Err(cross_origin())
                    }
                    Some(token) if !token.is_empty() => {
                        state.auth.session(&token).await.map_err(ApiError::internal)
                    }
                    _ => Ok(None),
                }
            },
        )
}

/// What a browser says about where a request comes from.
struct BrowserRequest {
    method: warp::http::Method,
    origin: Option<String>,
    host: Option<String>,
    fetch_site: Option<String>,
}

impl BrowserRequest {
    /// A request that may change something, sent by a page of another origin. Cookies go
    /// with same-site requests, so a page on a sibling host (a `docs_origin`) could
    /// otherwise act with the reader's session; a Bearer key is never sent by a browser on
    /// its own, so only the cookie is refused.
    /// `api_origin`, when configured, is the server's own too (a reverse proxy may rewrite
    /// `Host`).
    fn is_cross_origin_change(&self, api_origin: Option<&crate::config::DocsOrigin>) -> bool {
        use warp::http::Method;
        let safe = [Method::GET, Method::HEAD, Method::OPTIONS].contains(&self.method);
        let ours = same_origin(self.origin.as_deref(), self.host.as_deref())
            || api_origin.is_some_and(|api| {
                self.origin
                    .as_deref()
                    .is_some_and(|origin| origin.eq_ignore_ascii_case(&api.base))
            });
        let elsewhere = self
            .fetch_site
            .as_deref()
            .is_some_and(|site| site != "same-origin" && site != "none")
            || !ours;
        !safe && elsewhere
    }
}

fn browser_request() -> impl Filter<Extract = (BrowserRequest,), Error = warp::Rejection> + Clone {
    warp::method()
        .and(warp::header::optional::<String>("origin"))
        .and(warp::header::optional::<String>("host"))
        .and(warp::header::optional::<String>("sec-fetch-site"))
        .map(|method, origin, host, fetch_site| BrowserRequest {
            method,
            origin,
            host,
            fetch_site,
        })
}

/// Whether a browser's `Origin` names this server as the request reached it (`Host`); a
/// request without `Origin` is not a browser's cross-origin one.
pub(super) fn same_origin(origin: Option<&str>, host: Option<&str>) -> bool {
    let Some(origin) = origin else {
        return true;
    };
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    match (authority, host) {
        (Some(authority), Some(host)) => authority.eq_ignore_ascii_case(host),
        _ => false,
    }
}

pub(super) fn bearer_token(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn unauthorized() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized")
}

/// 403 unless the caller may write.
pub fn require_write(principal: &Principal) -> Result<(), ApiError> {
    if principal.can_write() {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Write access required.",
        ))
    }
}

/// 403 unless the caller is an admin.
pub fn require_admin(principal: &Principal) -> Result<(), ApiError> {
    if principal.is_admin() {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "Admin access required.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn bearer_tokens_are_read_case_insensitively() {
        assert_eq!(bearer_token("Bearer abc"), Some("abc"));
        assert_eq!(bearer_token("bearer  abc "), Some("abc"));
        assert_eq!(bearer_token("Basic abc"), None);
        assert_eq!(bearer_token("Bearer "), None);
    }
}
