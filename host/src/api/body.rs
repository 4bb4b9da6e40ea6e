//! Request bodies: read with a size cap (with or without Content-Length), parsed as a JSON
//! object, with the spec's 400 answers for malformed JSON and non-object bodies.

use bytes::{Buf, Bytes};
use futures_util::StreamExt;
use serde_json::{Map, Value};
use warp::Filter;
use warp::http::StatusCode;

use super::ApiError;

/// The largest JSON body any route accepts.
pub const MAX_JSON_BODY: usize = 64 * 1024;

/// The body as bytes, refused with 413 past `limit`.
pub fn capped_bytes(
    limit: usize,
) -> impl Filter<Extract = (Bytes,), Error = warp::Rejection> + Clone {
    warp::body::stream().and_then(move |stream| collect(stream, limit))
}

async fn collect<S, B>(stream: S, limit: usize) -> Result<Bytes, warp::Rejection>
where
    S: futures_util::Stream<Item = Result<B, warp::Error>>,
    B: Buf,
{
    let mut stream = std::pin::pin!(stream);
    let mut body = Vec::new();
    while let Some(chunk) = stream.next().await {
        let mut chunk = chunk.map_err(|e| {
            warp::reject::custom(ApiError::bad_request(format!(
                "Could not read the request body: {e}"
            )))
        })?;
        if body.len() + chunk.remaining() > limit {
            return Err(warp::reject::custom(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("Request body is larger than {limit} bytes"),
            )));
        }
        while chunk.has_remaining() {
            let part = chunk.chunk();
            let n = part.len();
            body.extend_from_slice(part);
            chunk.advance(n);
        }
    }
    Ok(Bytes::from(body))
}

/// The body as a JSON object. An empty body is an empty object, so that routes whose fields
/// are all optional accept a bare POST.
pub fn json_object() -> impl Filter<Extract = (Map<String, Value>,), Error = warp::Rejection> + Clone
{
    capped_bytes(MAX_JSON_BODY)
        .and_then(|bytes: Bytes| async move { parse_object(&bytes).map_err(warp::reject::custom) })
}

/// Parses a JSON object body.
pub fn parse_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "Request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("Invalid JSON body: {e}"),
        )),
    }
}

/// An optional string field; a present non-string value is a 400.
pub fn optional_string(body: &Map<String, Value>, field: &str) -> Result<Option<String>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            format!("'{field}' must be a string"),
        )),
    }
}

/// A required string field: missing, null or not a string is a 400.
pub fn required_string(body: &Map<String, Value>, field: &str) -> Result<String, ApiError> {
    optional_string(body, field)?
        .ok_or_else(|| ApiError::new(StatusCode::BAD_REQUEST, format!("'{field}' is required")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_parse_and_everything_else_is_a_400() {
        assert!(parse_object(b"{\"a\": 1}").is_ok());
        assert!(parse_object(b"  ").expect("empty").is_empty());
        let array = parse_object(b"[1]").expect_err("array");
        assert_eq!(array.detail, "Request body must be a JSON object");
        let broken = parse_object(b"{\"a\":").expect_err("broken");
        assert!(
            broken.detail.starts_with("Invalid JSON body"),
            "{}",
            broken.detail
        );
        assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    }

    #[test]
    fn string_fields_are_typed() {
        let body = parse_object(b"{\"u\": \"x\", \"n\": 3}").expect("object");
        assert_eq!(required_string(&body, "u").expect("u"), "x");
        assert_eq!(optional_string(&body, "missing").expect("none"), None);
        assert_eq!(
            required_string(&body, "n").expect_err("number").detail,
            "'n' must be a string"
        );
        assert_eq!(
            required_string(&body, "missing")
                .expect_err("missing")
                .detail,
            "'missing' is required"
        );
    }
}
