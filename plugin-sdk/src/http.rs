//! HTTP for providers that call a model server (WIT 0.2.0): a request builder, JSON in and
//! out, and errors a user can act on.
//!
//! The host sends the request only when the plugin's `plugin.toml` declares the origin
//! (`capabilities.http`) and the operator grants it (`plugins.grants.<name>.http`);
//! otherwise [`Request::send`] returns [`Error::Denied`] saying which to add.
//!
//! ```no_run
//! use docsfy_plugin_sdk::http::Request;
//! use docsfy_plugin_sdk::Error;
//!
//! fn models(base_url: &str, key: &str) -> Result<Vec<String>, Error> {
//!     #[derive(serde::Deserialize)]
//!     struct Model { id: String }
//!     #[derive(serde::Deserialize)]
//!     struct List { data: Vec<Model> }
//!
//!     let response = Request::get(format!("{base_url}/models"))
//!         .bearer_auth(key)
//!         .timeout_secs(10)
//!         .send()?;
//!     if !response.is_success() {
//!         return Err(Error::Failed(format!("HTTP {}: {}", response.status(), response.text())));
//!     }
//!     let list: List = response.json()?;
//!     Ok(list.data.into_iter().map(|m| m.id).collect())
//! }
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;
use crate::bindings::provider::docsfy::plugin::http as wit;

pub use wit::Method;

/// A request being built; [`send`](Request::send) sends it.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    timeout_ms: u64,
}

impl Request {
    /// A request with `method` to the absolute URL `url`.
    pub fn new(method: Method, url: impl Into<String>) -> Request {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: Vec::new(),
            timeout_ms: 0,
        }
    }

    /// A `GET` request.
    pub fn get(url: impl Into<String>) -> Request {
        Request::new(Method::Get, url)
    }

    /// A `POST` request.
    pub fn post(url: impl Into<String>) -> Request {
        Request::new(Method::Post, url)
    }

    /// Adds a header.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Adds `Authorization: Bearer <token>`. The host drops it if a redirect leaves the
    /// origin.
    pub fn bearer_auth(self, token: &str) -> Request {
        self.header("authorization", format!("Bearer {token}"))
    }

    /// Sets the body to `value` as JSON, with `content-type: application/json`.
    pub fn json(mut self, value: &impl Serialize) -> Request {
        // Serialising plain data structures to a Vec cannot fail.
        self.body = serde_json::to_vec(value).unwrap_or_default();
        self.header("content-type", "application/json")
    }

    /// Sets the body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Request {
        self.body = body.into();
        self
    }

    /// How long the whole exchange may take; the host keeps its own limit too.
    pub fn timeout_secs(mut self, secs: u32) -> Request {
        self.timeout_ms = u64::from(secs) * 1000;
        self
    }

    /// Like [`timeout_secs`](Request::timeout_secs), in milliseconds.
    pub fn timeout_ms(mut self, ms: u64) -> Request {
        self.timeout_ms = ms;
        self
    }

    /// Sends the request and reads the whole response. A status of 400 or more is a
    /// [`Response`], not an error; a refused origin, a timeout, an unreachable server or an
    /// oversized body is an [`Error`] whose message says which.
    pub fn send(self) -> Result<Response, Error> {
        let response = wit::send(&wit::Request {
            method: self.method,
            url: self.url,
            headers: self.headers,
            body: self.body,
            timeout_ms: self.timeout_ms,
        })?;
        Ok(Response(response))
    }
}

/// A whole response.
#[derive(Debug, Clone)]
pub struct Response(wit::Response);

impl Response {
    /// The status code.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.0.status)
    }

    /// The first value of the header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.0
            .headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Every header, names in lowercase.
    pub fn headers(&self) -> &[(String, String)] {
        &self.0.headers
    }

    /// The body's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0.body
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.body).into_owned()
    }

    /// The body parsed as JSON into `T`; a body that does not parse is an
    /// [`Error::Failed`] quoting its start.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.0.body).map_err(|error| {
            Error::Failed(format!(
                "the server's answer (HTTP {}) is not the JSON expected ({error}): {}",
                self.0.status,
                crate::cli::tail(&self.text(), 300)
            ))
        })
    }
}
