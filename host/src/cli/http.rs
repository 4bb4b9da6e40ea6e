//! Requests to the server with the profile's key, and its errors as docsfy prints them:
//! `Error (404): <the server's detail>`.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::error::CliError;
use super::profile::Target;

/// A client bound to one server and key.
pub struct Api {
    http: reqwest::Client,
    pub target: Target,
}

impl Api {
    pub fn new(target: Target) -> Result<Api, CliError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("docsfy-cli/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| CliError::message(format!("Error: cannot make an HTTP client: {e}")))?;
        Ok(Api { http, target })
    }

    /// `GET path`: the JSON body.
    pub async fn get(&self, path: &str) -> Result<Value, CliError> {
        self.json(Method::GET, path, None).await
    }

    /// `POST path` with `body`: the JSON answer.
    pub async fn post(&self, path: &str, body: Value) -> Result<Value, CliError> {
        self.json(Method::POST, path, Some(body)).await
    }

    /// `DELETE path`: the JSON answer.
    pub async fn delete(&self, path: &str) -> Result<Value, CliError> {
        self.json(Method::DELETE, path, None).await
    }

    async fn json(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, CliError> {
        let response = self.send(method, path, body).await?;
        let text = response.text().await.map_err(unreachable_server)?;
        Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    /// Sends a request and checks its status; the response, body unread.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<reqwest::Response, CliError> {
        let url = format!("{}{path}", self.target.url);
        let mut request = self
            .http
            .request(method, &url)
            .bearer_auth(&self.target.password);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(unreachable_server)?;
        check(response).await
    }

    /// The same request with no time limit (a download of a large site).
    pub async fn download(&self, path: &str) -> Result<reqwest::Response, CliError> {
        let url = format!("{}{path}", self.target.url);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| CliError::message(format!("Error: cannot make an HTTP client: {e}")))?;
        let response = client
            .get(&url)
            .bearer_auth(&self.target.password)
            .send()
            .await
            .map_err(unreachable_server)?;
        check(response).await
    }
}

/// A connection that failed before any answer.
pub fn unreachable_server(error: reqwest::Error) -> CliError {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message = format!("{message}: {cause}");
        source = cause.source();
    }
    CliError::message(format!("Server unreachable: {message}"))
}

/// The response when it succeeded; otherwise docsfy's error line with the server's detail.
async fn check(response: reqwest::Response) -> Result<reqwest::Response, CliError> {
    let status = response.status();
    if status.is_redirection() {
        let location = response
            .headers()
            .get("location")
            .and_then(|l| l.to_str().ok())
            .unwrap_or("?")
            .to_string();
        return Err(CliError::message(format!(
            "Error: Server redirected to {location}. Check the server URL."
        )));
    }
    if status.is_success() {
        return Ok(response);
    }
    let reason = status.canonical_reason().unwrap_or("error").to_string();
    let text = response.text().await.unwrap_or_default();
    let detail = serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|body| body.get("detail").cloned())
        .map(|detail| match detail {
            Value::String(text) => text,
            other => other.to_string(),
        })
        .unwrap_or(reason);
    Err(CliError::message(format!(
        "Error ({}): {detail}",
        status.as_u16()
    )))
}

/// A path segment as the server decodes it: percent-encoded (a model's `/` as `%2F`).
pub fn segment(text: &str) -> String {
    crate::domain::encode_segment(text)
}

/// A branch segment: its `/` and `~` as docsfy writes them (`~2F`, `~7E`), then
/// percent-encoded. Only the branch segment is read that way by the server.
pub fn branch_segment(branch: &str) -> String {
    segment(&crate::domain::encode_branch(branch))
}

/// `?owner=...` when there is one.
pub fn owner_query(owner: Option<&str>) -> String {
    match owner.filter(|o| !o.is_empty()) {
        Some(owner) => format!("?owner={}", segment(owner)),
        None => String::new(),
    }
}
