//! The `http` and `settings` host functions. Every request is checked against the plugin's
//! declared and granted origins before anything is sent, again at each redirect, and a
//! loopback or private address is reached only through a grant that names its host.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use super::bindings::provider::docsfy::plugin::{http, settings};
use super::bindings::{HttpRequest, HttpResponse, Method, WitError};
use super::grants::{self, Reach};
use super::origins::{Origin, is_public};
use super::sandbox::SandboxState;

/// Redirects the host follows for one request.
const MAX_REDIRECTS: usize = 5;

/// Headers the host sets itself; a plugin asking to set one is told so.
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-authorization",
];

/// Headers that are not carried to another origin on a redirect.
const CREDENTIAL_HEADERS: &[&str] = &["authorization", "cookie", "api-key", "x-api-key"];

/// The two clients plugins' requests go through: one that connects only to public
/// addresses, whatever a name resolves to, and one for hosts a grant names.
#[derive(Debug, Clone)]
pub struct HttpClients {
    public_only: reqwest::Client,
    any_address: reqwest::Client,
    /// The largest body accepted, in bytes.
    pub body_cap: usize,
}

impl HttpClients {
    /// Builds both clients. Neither follows redirects (the host checks each hop) nor uses a
    /// proxy (the address check must see where the connection goes).
    pub fn new(body_cap: usize) -> anyhow::Result<HttpClients> {
        let builder = || {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .user_agent(concat!("docsfy/", env!("CARGO_PKG_VERSION")))
        };
        Ok(HttpClients {
            public_only: builder()
                .dns_resolver(Arc::new(PublicOnlyResolver))
                .build()?,
            any_address: builder().build()?,
            body_cap,
        })
    }
}

/// A name that resolves only to addresses that are not public.
#[derive(Debug)]
struct NonPublicName(String);

impl std::fmt::Display for NonPublicName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resolves only to non-public addresses", self.0)
    }
}

impl std::error::Error for NonPublicName {}

struct PublicOnlyResolver;

impl reqwest::dns::Resolve for PublicOnlyResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.into_iter().filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(NonPublicName(host)) as Box<_>);
            }
            Ok(Box::new(public.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

impl settings::Host for SandboxState {
    async fn get(&mut self, name: String) -> wasmtime::Result<Result<Option<String>, WitError>> {
        let plugin = &self.plugin;
        Ok(match plugin.settings.get(&plugin.manifest, &name) {
            Ok(value) => Ok(value.map(str::to_string)),
            Err(undeclared) => {
                tracing::warn!(plugin = %plugin.manifest.name, call = %self.call.label, "refused: {undeclared}");
                Err(WitError::Denied(undeclared.to_string()))
            }
        })
    }
}

impl http::Host for SandboxState {
    async fn send(
        &mut self,
        request: HttpRequest,
    ) -> wasmtime::Result<Result<HttpResponse, WitError>> {
        let started = Instant::now();
        let result = self.send_http(request).await;
        // Waiting for a server is not the plugin computing: keep it off the deadline.
        self.waited += started.elapsed();
        Ok(result)
    }
}

/// One hop's request.
struct Hop {
    method: reqwest::Method,
    url: reqwest::Url,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl SandboxState {
    async fn send_http(&mut self, request: HttpRequest) -> Result<HttpResponse, WitError> {
        if !self.call.programs_allowed {
            return Err(WitError::Denied(
                "HTTP requests cannot be sent while the plugin is being loaded".into(),
            ));
        }
        let asked = Duration::from_millis(request.timeout_ms);
        let limit = if asked.is_zero() {
            self.call.max_program_time
        } else {
            asked.min(self.call.max_program_time)
        };
        let deadline = Instant::now() + limit;
        let url = reqwest::Url::parse(&request.url)
            .map_err(|e| WitError::InvalidInput(format!("the URL is not valid: {e}")))?;
        let mut hop = Hop {
            method: method(request.method),
            url,
            headers: headers(request.headers)?,
            body: request.body,
        };
        for _ in 0..=MAX_REDIRECTS {
            let origin = Origin::of(&hop.url).map_err(WitError::InvalidInput)?;
            let client = self.client_for(&origin)?;
            let remaining = deadline.saturating_duration_since(Instant::now());
            // Tenths are enough to read; a plugin passing what is left of its budget asks
            // for 999 ms, not 1 s.
            let seconds = (limit.as_secs_f64() * 10.0).round() / 10.0;
            let timed_out =
                || WitError::Timeout(format!("{origin} did not answer within {seconds} s"));
            tracing::debug!(plugin = %self.plugin.manifest.name, call = %self.call.label, %origin, method = %hop.method, "http request");
            let sent = client
                .request(hop.method.clone(), hop.url.clone())
                .headers(hop.headers.clone())
                .body(hop.body.clone())
                .timeout(remaining)
                .send();
            let response = match tokio::time::timeout(remaining, sent).await {
                Err(_) => return Err(timed_out()),
                Ok(Err(error)) if error.is_timeout() => return Err(timed_out()),
                Ok(Err(error)) => return Err(explain(&origin, &error)),
                Ok(Ok(response)) => response,
            };
            if let Some(next) = redirect(&hop, &response)? {
                if Origin::of(&next.url).ok().as_ref() != Some(&origin) {
                    hop = without_credentials(next);
                } else {
                    hop = next;
                }
                continue;
            }
            let status = response.status().as_u16();
            let headers = response
                .headers()
                .iter()
                .map(|(name, value)| {
                    let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                    (name.as_str().to_string(), value)
                })
                .collect();
            let cap = self.programs.http.body_cap;
            let body = read_body(&origin, response, deadline, cap, timed_out).await?;
            return Ok(HttpResponse {
                status,
                headers,
                body,
            });
        }
        Err(WitError::Failed(format!(
            "more than {MAX_REDIRECTS} redirects from {}",
            Origin::of(&hop.url)
                .map(|o| o.to_string())
                .unwrap_or_default()
        )))
    }

    /// The client for `origin`, once the plugin's declaration and grant allow it.
    fn client_for(&self, origin: &Origin) -> Result<reqwest::Client, WitError> {
        let plugin = &self.plugin;
        let name = plugin.manifest.name.as_str();
        let reach =
            grants::check_origin(name, &plugin.manifest.capabilities, &plugin.grant, origin)
                .map_err(|denial| {
                    tracing::warn!(plugin = name, call = %self.call.label, "refused: {denial}");
                    WitError::Denied(denial.to_string())
                })?;
        let clients = &self.programs.http;
        match reach {
            Reach::AnyAddress => Ok(clients.any_address.clone()),
            Reach::PublicOnly => match origin.address() {
                Some(address) if !is_public(address) => {
                    let denial = format!(
                        "{origin} is not a public address, and no grant names it \
                         (add \"{origin}\" to plugins.grants.{name}.http to allow it)"
                    );
                    tracing::warn!(plugin = name, call = %self.call.label, "refused: {denial}");
                    Err(WitError::Denied(denial))
                }
                _ => Ok(clients.public_only.clone()),
            },
        }
    }
}

/// Reads the body to its end, failing past `cap` bytes or the deadline.
async fn read_body(
    origin: &Origin,
    mut response: reqwest::Response,
    deadline: Instant,
    cap: usize,
    timed_out: impl Fn() -> WitError,
) -> Result<Vec<u8>, WitError> {
    let too_large = || {
        WitError::Failed(format!(
            "the response from {origin} is larger than the {} KiB a plugin may receive \
                 (plugins.http_body_cap_kb)",
            cap / 1024
        ))
    };
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(remaining, response.chunk()).await {
            Err(_) => return Err(timed_out()),
            Ok(Err(error)) if error.is_timeout() => return Err(timed_out()),
            Ok(Err(error)) => return Err(explain(origin, &error)),
            Ok(Ok(None)) => return Ok(body),
            Ok(Ok(Some(chunk))) => {
                if body.len() + chunk.len() > cap {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
}

fn method(method: Method) -> reqwest::Method {
    match method {
        Method::Get => reqwest::Method::GET,
        Method::Head => reqwest::Method::HEAD,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        Method::Patch => reqwest::Method::PATCH,
        Method::Delete => reqwest::Method::DELETE,
    }
}

fn headers(pairs: Vec<(String, String)>) -> Result<HeaderMap, WitError> {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let header = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| WitError::InvalidInput(format!("{name:?} is not a header name")))?;
        if RESERVED_HEADERS.contains(&header.as_str()) {
            return Err(WitError::InvalidInput(format!(
                "the {header} header is set by the host, not by plugins"
            )));
        }
        // The value is not quoted: it may be a key.
        let value = HeaderValue::from_str(&value)
            .map_err(|_| WitError::InvalidInput(format!("the value of {header} is not valid")))?;
        map.append(header, value);
    }
    Ok(map)
}

/// The next hop when `response` is a redirect, as browsers do it: 303 (and 301/302 after a
/// POST) become a GET without a body.
fn redirect(hop: &Hop, response: &reqwest::Response) -> Result<Option<Hop>, WitError> {
    let status = response.status().as_u16();
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = response.headers().get(reqwest::header::LOCATION) else {
        return Ok(None);
    };
    let location = location
        .to_str()
        .ok()
        .and_then(|l| hop.url.join(l).ok())
        .ok_or_else(|| WitError::Failed(format!("a {status} redirect to an invalid location")))?;
    let to_get = status == 303 && hop.method != reqwest::Method::HEAD
        || matches!(status, 301 | 302) && hop.method == reqwest::Method::POST;
    let mut next = Hop {
        method: if to_get {
            reqwest::Method::GET
        } else {
            hop.method.clone()
        },
        url: location,
        headers: hop.headers.clone(),
        body: if to_get { Vec::new() } else { hop.body.clone() },
    };
    if to_get {
        next.headers.remove(reqwest::header::CONTENT_TYPE);
    }
    Ok(Some(next))
}

fn without_credentials(mut hop: Hop) -> Hop {
    for name in CREDENTIAL_HEADERS {
        hop.headers.remove(*name);
    }
    hop
}

/// A failed exchange in words: a refused address is `denied`, the rest `failed`.
fn explain(origin: &Origin, error: &reqwest::Error) -> WitError {
    let mut source: Option<&dyn std::error::Error> = Some(error);
    let mut innermost = error.to_string();
    while let Some(cause) = source {
        if let Some(refused) = cause.downcast_ref::<NonPublicName>() {
            return WitError::Denied(format!(
                "{refused}, and no grant names {origin} (add it to the plugin's grant to allow it)"
            ));
        }
        innermost = cause.to_string();
        source = cause.source();
    }
    if error.is_connect() {
        WitError::Failed(format!("cannot connect to {origin}: {innermost}"))
    } else {
        WitError::Failed(format!("the request to {origin} failed: {innermost}"))
    }
}
