//! docsfy's provider for OpenAI-compatible chat completion servers: OpenAI, OpenRouter,
//! Ollama, vLLM, llama.cpp's server, LM Studio.
//!
//! Everything goes through the host's HTTP capability: `check` asks `GET /models`,
//! `complete` posts to `/chat/completions` and retries a busy server (429, 5xx) with backoff
//! within the call's time.

mod answers;

use std::time::{Duration, Instant};

use docsfy_plugin_sdk::http::{Request, Response};
use docsfy_plugin_sdk::{
    Completion, CompletionRequest, Error, PluginInfo, Provider, export_provider, settings,
};

use answers::{ChatAnswer, ModelList, server_message};

const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
const DEFAULT_MODEL: &str = "gpt-4o-mini";
/// Attempts of one completion when the server is busy.
const MAX_ATTEMPTS: u32 = 4;
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(4);
/// How long `check` waits for the model list.
const CHECK_TIMEOUT_SECS: u32 = 20;

struct OpenAi;

/// The operator's settings, with their defaults.
struct Server {
    base_url: String,
    api_key: Option<String>,
}

impl Server {
    fn configured() -> Result<Server, Error> {
        let base_url = settings::get_or("base_url", DEFAULT_BASE_URL)?;
        Ok(Server {
            base_url: base_url.trim_end_matches('/').to_string(),
            api_key: settings::get("api_key")?,
        })
    }

    fn request(&self, request: Request) -> Request {
        match &self.api_key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    /// What an answer of 400 or more means, in the server's own words.
    fn refusal(&self, response: &Response) -> Error {
        let status = response.status();
        let message = server_message(response);
        let base = &self.base_url;
        match status {
            401 | 403 => Error::Denied(format!(
                "the server at {base} refused the API key (HTTP {status}): {message}; set \
                 plugins.settings.openai.api_key or OPENAI_API_KEY"
            )),
            400 | 404 | 422 => Error::InvalidInput(format!(
                "the server at {base} answered HTTP {status}: {message}"
            )),
            _ => Error::Failed(format!(
                "the server at {base} answered HTTP {status}: {message}"
            )),
        }
    }
}

impl Provider for OpenAi {
    fn describe() -> PluginInfo {
        let default_model =
            settings::get_or("model", DEFAULT_MODEL).unwrap_or(DEFAULT_MODEL.into());
        let mut models: Vec<String> = settings::get("models")
            .ok()
            .flatten()
            .map(|list| {
                list.split(',')
                    .map(|m| m.trim().to_string())
                    .filter(|m| !m.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if !models.contains(&default_model) {
            models.insert(0, default_model.clone());
        }
        PluginInfo {
            name: "openai".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "OpenAI-compatible chat completions (OpenAI, Ollama, vLLM, ...)".into(),
            default_model: Some(default_model),
            models,
        }
    }

    fn check(model: &str) -> Result<(), Error> {
        let server = Server::configured()?;
        let response = server
            .request(Request::get(format!("{}/models", server.base_url)))
            .timeout_secs(CHECK_TIMEOUT_SECS)
            .send()
            .map_err(|e| unreachable(&server, e))?;
        if !response.is_success() {
            return Err(server.refusal(&response));
        }
        let offered = response.json::<ModelList>()?.ids();
        if offered.iter().any(|id| id == model) {
            return Ok(());
        }
        Err(Error::InvalidInput(format!(
            "the server at {} does not offer model `{model}`; it offers: {}",
            server.base_url,
            offered.join(", ")
        )))
    }

    fn complete(request: CompletionRequest) -> Result<Completion, Error> {
        let server = Server::configured()?;
        let body = serde_json::json!({
            "model": request.model,
            "messages": [{"role": "user", "content": request.prompt}],
        });
        let started = Instant::now();
        let budget = Duration::from_secs(u64::from(request.timeout_secs));
        let mut attempt = 1;
        loop {
            let remaining = budget.saturating_sub(started.elapsed());
            let response = server
                .request(Request::post(format!(
                    "{}/chat/completions",
                    server.base_url
                )))
                .json(&body)
                .timeout_ms(remaining.as_millis().max(1) as u64)
                .send()
                .map_err(|e| unreachable(&server, e))?;
            if response.is_success() {
                return response
                    .json::<ChatAnswer>()?
                    .into_completion(&server.base_url);
            }
            let busy = response.status() == 429 || response.status() >= 500;
            let wait = backoff(&response, attempt);
            let time_left = budget.saturating_sub(started.elapsed());
            if !busy || attempt >= MAX_ATTEMPTS || wait >= time_left {
                let error = server.refusal(&response);
                return Err(match (busy, error) {
                    (true, Error::Failed(m)) => {
                        Error::Failed(format!("{m} (after {attempt} attempts)"))
                    }
                    (_, error) => error,
                });
            }
            std::thread::sleep(wait);
            attempt += 1;
        }
    }
}

/// The wait before attempt `attempt + 1`: the server's `Retry-After` when it gives one in
/// seconds, else 0.5 s doubling; never more than [`MAX_BACKOFF`].
fn backoff(response: &Response, attempt: u32) -> Duration {
    let asked = response
        .header("retry-after")
        .and_then(|v| v.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(Duration::from_secs_f64);
    let doubling = Duration::from_millis(500) * 2u32.pow(attempt.saturating_sub(1).min(4));
    asked.unwrap_or(doubling).min(MAX_BACKOFF)
}

/// A request that got no answer, with the server named: it is down, or not where the
/// settings say.
fn unreachable(server: &Server, error: Error) -> Error {
    match error {
        Error::Failed(message) => Error::Failed(format!(
            "cannot reach the OpenAI-compatible server at {} ({message}); is it running, and \
             is plugins.settings.openai.base_url right?",
            server.base_url
        )),
        other => other,
    }
}

export_provider!(OpenAi);
