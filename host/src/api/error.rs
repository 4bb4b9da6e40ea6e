//! The one error shape of the API: every 4xx and 5xx body is `{"detail": "..."}`.

use std::convert::Infallible;

use warp::http::StatusCode;
use warp::reject::Reject;
use warp::{Rejection, Reply};

/// An error a handler answers with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The human-readable message.
    pub detail: String,
    /// Where a redirect points (302 only).
    pub location: Option<String>,
    /// Seconds to wait before trying again (429 only).
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with any status.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> ApiError {
        ApiError {
            status,
            detail: detail.into(),
            location: None,
            retry_after: None,
        }
    }

    /// 302 to `location` (unauthenticated browsers go to the login page).
    pub fn redirect(location: &str) -> ApiError {
        ApiError {
            status: StatusCode::FOUND,
            detail: format!("Redirecting to {location}"),
            location: Some(location.to_string()),
            retry_after: None,
        }
    }

    /// 429: too many failed attempts; `Retry-After` says how long to wait.
    pub fn throttled(detail: impl Into<String>, wait: crate::auth::Throttled) -> ApiError {
        ApiError {
            retry_after: Some(wait.retry_after.as_secs_f64().ceil() as u64),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, detail)
        }
    }

    /// 400 with a message.
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 409 with a message.
    pub fn conflict(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::CONFLICT, detail)
    }

    /// 404 with a message.
    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, detail)
    }

    /// 500; the cause goes to the log, not to the client.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!("internal error: {cause}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal server error")
    }
}

impl Reject for ApiError {}

impl Reply for ApiError {
    fn into_response(self) -> warp::reply::Response {
        let body = warp::reply::json(&serde_json::json!({ "detail": self.detail }));
        let mut response = warp::reply::with_status(body, self.status).into_response();
        if let Some(location) = self.location.and_then(|l| l.parse().ok()) {
            response
                .headers_mut()
                .insert(warp::http::header::LOCATION, location);
        }
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(warp::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

/// Turns a handler's result into the response: the reply, or the JSON error.
pub fn respond<R: Reply>(result: Result<R, ApiError>) -> warp::reply::Response {
    match result {
        Ok(reply) => reply.into_response(),
        Err(error) => error.into_response(),
    }
}

impl From<crate::store::DbError> for ApiError {
    fn from(error: crate::store::DbError) -> Self {
        match error {
            crate::store::DbError::NotFound => ApiError::not_found("Not found"),
            crate::store::DbError::Conflict => ApiError::conflict("Conflict"),
            other => ApiError::internal(other),
        }
    }
}

/// Turns every rejection, warp's own included, into the JSON error body.
pub async fn recover(rejection: Rejection) -> Result<warp::reply::Response, Infallible> {
    let error = if let Some(error) = rejection.find::<ApiError>() {
        error.clone()
    } else if rejection.is_not_found() {
        ApiError::not_found("Not Found")
    } else if rejection.find::<warp::reject::MethodNotAllowed>().is_some() {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
    } else if rejection.find::<warp::reject::PayloadTooLarge>().is_some() {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "Request body is too large")
    } else if rejection
        .find::<warp::reject::UnsupportedMediaType>()
        .is_some()
    {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json",
        )
    } else if let Some(error) = rejection.find::<warp::reject::InvalidQuery>() {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("Invalid query string: {error}"),
        )
    } else if let Some(error) = rejection.find::<warp::reject::MissingHeader>() {
        ApiError::new(StatusCode::BAD_REQUEST, error.to_string())
    } else if let Some(error) = rejection.find::<warp::reject::InvalidHeader>() {
        ApiError::new(StatusCode::BAD_REQUEST, error.to_string())
    } else {
        ApiError::internal(format!("unhandled rejection: {rejection:?}"))
    };
    Ok(error.into_response())
}
