//! A fake OpenAI-compatible server on loopback: `GET /v1/models` and
//! `POST /v1/chat/completions` with a key check, answers that make a whole generation
//! (a plan, then a page for each planned title), and knobs for the failures a real server
//! has: busy (429, 503), slow, oversized. A few plain routes (`/hello`, `/redirect?to=`,
//! `/echo-auth`, `/big`, `/slow`) serve the HTTP capability's sandbox tests.

use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::{Value, json};

use super::loopback::LoopbackServer;

/// The key the fake accepts unless told otherwise.
pub const FAKE_KEY: &str = "sk-fake-0123456789";
/// The model the fake serves.
pub const FAKE_MODEL: &str = "fake-model";

#[derive(Default)]
struct Knobs {
    /// Pages the plan lists: (slug, title).
    pages: Mutex<Vec<(String, String)>>,
    /// This many completions answer 429 or 503 (alternately) before one succeeds.
    busy: AtomicUsize,
    /// Completions wait this long before answering, in milliseconds.
    slow_ms: AtomicU64,
    /// Completions answer with a body of this many bytes.
    oversized: AtomicUsize,
    /// Every request: `METHOD /path`.
    log: Mutex<Vec<String>>,
}

/// The server, running on a thread of its own until dropped.
pub struct FakeOpenAi {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    knobs: Arc<Knobs>,
    server: LoopbackServer,
}

impl FakeOpenAi {
    /// A server whose plan lists `pages`.
    pub fn start(pages: &[(&str, &str)]) -> FakeOpenAi {
        let knobs = Arc::new(Knobs::default());
        *knobs.pages.lock().expect("pages") = pages
            .iter()
            .map(|(slug, title)| (slug.to_string(), title.to_string()))
            .collect();
        let served = knobs.clone();
        let server = LoopbackServer::start(move |request| answer(served.clone(), request));
        FakeOpenAi {
            base: format!("http://{}", server.authority),
            knobs,
            server,
        }
    }

    /// `127.0.0.1:<port>`.
    pub fn authority(&self) -> &str {
        &self.server.authority
    }

    /// The port it listens on.
    pub fn port(&self) -> &str {
        self.authority().rsplit(':').next().unwrap_or_default()
    }

    /// The next `count` completions answer 429 and 503 by turns, ending with 503.
    pub fn busy_for(&self, count: usize) {
        self.knobs.busy.store(count, Ordering::SeqCst);
    }

    /// Completions wait `delay` before answering.
    pub fn slow(&self, delay: Duration) {
        self.knobs
            .slow_ms
            .store(delay.as_millis() as u64, Ordering::SeqCst);
    }

    /// Completions answer with `bytes` bytes of JSON.
    pub fn oversized(&self, bytes: usize) {
        self.knobs.oversized.store(bytes, Ordering::SeqCst);
    }

    /// Every request so far, `METHOD /path`.
    pub fn requests(&self) -> Vec<String> {
        self.knobs.log.lock().expect("log").clone()
    }

    /// Stops answering: connections are refused from now on.
    pub fn stop(&mut self) {
        self.server.stop();
    }
}

fn reply(status: u16, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = hyper::StatusCode::from_u16(status).expect("status");
    response
        .headers_mut()
        .insert("content-type", "application/json".parse().expect("value"));
    response
}

fn error(status: u16, message: &str, code: &str) -> Response<Full<Bytes>> {
    let body =
        json!({"error": {"message": message, "type": "invalid_request_error", "code": code}});
    reply(status, body.to_string())
}

async fn answer(
    knobs: Arc<Knobs>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let method = request.method().to_string();
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or_default().to_string();
    knobs
        .log
        .lock()
        .expect("log")
        .push(format!("{method} {path}"));
    let auth = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("none")
        .to_string();
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let keyed = auth == format!("Bearer {FAKE_KEY}");
    let refused = || {
        error(
            401,
            "Incorrect API key provided: sk-wr***",
            "invalid_api_key",
        )
    };
    Ok(match (method.as_str(), path.as_str()) {
        ("GET", "/hello") => reply(200, "hello from the test server"),
        ("GET", "/echo-auth") => reply(200, auth),
        ("GET", "/slow") => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            reply(200, "late")
        }
        ("GET", "/big") => reply(200, vec![b'x'; 200 * 1024]),
        ("GET", "/redirect") => {
            let to = query.strip_prefix("to=").unwrap_or_default();
            let to = percent_encoding::percent_decode_str(to).decode_utf8_lossy().into_owned();
            let mut response = reply(302, "");
            response
                .headers_mut()
                .insert("location", to.parse().expect("location"));
            response
        }
        ("GET", "/v1/models") if !keyed => refused(),
        ("GET", "/v1/models") => reply(
            200,
            json!({"object": "list", "data": [{"id": FAKE_MODEL, "object": "model"}, {"id": "other-model", "object": "model"}]})
                .to_string(),
        ),
        ("POST", "/v1/chat/completions") if !keyed => refused(),
        ("POST", "/v1/chat/completions") => completion(&knobs, &body).await,
        _ => error(404, &format!("no route {method} {path}"), "not_found"),
    })
}

async fn completion(knobs: &Knobs, body: &[u8]) -> Response<Full<Bytes>> {
    let request: Value = serde_json::from_slice(body).unwrap_or_default();
    let model = request["model"].as_str().unwrap_or_default();
    if model != FAKE_MODEL {
        return error(
            404,
            &format!("The model `{model}` does not exist or you do not have access to it."),
            "model_not_found",
        );
    }
    let busy = knobs.busy.load(Ordering::SeqCst);
    if busy > 0 {
        knobs.busy.store(busy - 1, Ordering::SeqCst);
        // Busy both ways a real server is: rate limited, then overloaded.
        let mut response = if busy.is_multiple_of(2) {
            error(
                429,
                "Rate limit reached; try again shortly.",
                "rate_limit_exceeded",
            )
        } else {
            error(503, "The server is overloaded.", "overloaded")
        };
        response
            .headers_mut()
            .insert("retry-after", "0".parse().expect("value"));
        return response;
    }
    let delay = knobs.slow_ms.load(Ordering::SeqCst);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let oversized = knobs.oversized.load(Ordering::SeqCst);
    if oversized > 0 {
        return reply(200, vec![b' '; oversized]);
    }
    let prompt = request["messages"][0]["content"]
        .as_str()
        .unwrap_or_default();
    let title = prompt
        .lines()
        .find_map(|line| line.strip_prefix("Page: "))
        .map(str::to_string);
    // The kind of call is read from the prompt here: an HTTP provider has no other channel.
    let text = match title {
        Some(title) => format!(
            "# {title}\n\nThis page explains {title}: how the sample project works, how to run \
             it, and what each part is for, in enough words to be useful."
        ),
        None => {
            let pages = knobs.pages.lock().expect("pages");
            let navigation: Vec<Value> = pages
                .iter()
                .map(|(slug, title)| json!({"slug": slug, "title": title, "description": format!("About {title}")}))
                .collect();
            json!({"project_name": "Sample", "tagline": "A sample", "navigation": [{"group": "Docs", "pages": navigation}]})
                .to_string()
        }
    };
    reply(
        200,
        json!({
            "id": "chatcmpl-1", "object": "chat.completion", "model": FAKE_MODEL,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
        })
        .to_string(),
    )
}
