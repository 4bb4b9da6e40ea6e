//! `generate --watch`: follows one generation over `/api/ws` to its end, with a progress bar
//! on a terminal (pages N/M, the stage, elapsed time) and docsfy's plain lines elsewhere.
//! Ctrl-C stops watching; the generation goes on unless `--abort-on-interrupt`.

use std::io::IsTerminal as _;
use std::time::Duration;

use futures_util::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::error::{CliError, CliResult};
use super::http::Api;
use super::output::text;

/// The variant being watched.
#[derive(Debug, Clone)]
pub struct Watched {
    pub name: String,
    pub branch: String,
    pub provider: String,
    pub model: String,
    pub owner: String,
}

impl Watched {
    /// Whether a socket message or a listed project is about this variant.
    fn is(&self, message: &Value) -> bool {
        let field = |a: &str, b: &str| {
            message
                .get(a)
                .or_else(|| message.get(b))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        field("name", "project") == self.name
            && field("branch", "branch") == self.branch
            && field("provider", "ai_provider") == self.provider
            && field("model", "ai_model") == self.model
            && field("owner", "owner") == self.owner
    }

    /// The variant's own route, for aborting it.
    fn path(&self) -> String {
        use super::http::{branch_segment, segment};
        format!(
            "/api/projects/{}/{}/{}/{}",
            segment(&self.name),
            branch_segment(&self.branch),
            segment(&self.provider),
            segment(&self.model)
        )
    }
}

/// Follows `watched` until it ends: `Ok` when ready, an error with the server's message when
/// it failed or was aborted.
pub async fn follow(api: &Api, watched: &Watched, abort_on_interrupt: bool) -> CliResult {
    // Installed before anything is said, so that a Ctrl-C from then on is ours to handle.
    let mut interrupted = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
        .map_err(|e| CliError::message(format!("Error: cannot catch Ctrl-C: {e}")))?;
    let mut display = Display::new();
    display.line("Watching generation progress...");
    let url = socket_url(&api.target.url, &api.target.password);
    let (mut socket, _) = tokio_tungstenite::connect_async(url.as_str())
        .await
        .map_err(|e| CliError::message(format!("WebSocket connection failed: {e}")))?;
    loop {
        let frame = tokio::select! {
            frame = socket.next() => frame,
            _ = interrupted.recv() => {
                display.finish();
                return interrupt(api, watched, abort_on_interrupt).await;
            }
        };
        let message: Value = match frame {
            Some(Ok(Message::Text(text))) => match serde_json::from_str(text.as_str()) {
                Ok(message) => message,
                Err(_) => continue,
            },
            Some(Ok(Message::Close(close))) => {
                display.finish();
                let reason = close.map(|c| format!(" ({} {})", u16::from(c.code), c.reason));
                return Err(CliError::message(format!(
                    "WebSocket connection closed unexpectedly.{}",
                    reason.unwrap_or_default()
                )));
            }
            Some(Ok(_)) => continue,
            Some(Err(error)) => {
                display.finish();
                return Err(CliError::message(format!(
                    "WebSocket connection failed: {error}"
                )));
            }
            None => {
                display.finish();
                return Err(CliError::message(
                    "WebSocket connection closed unexpectedly.",
                ));
            }
        };
        match message["type"].as_str().unwrap_or_default() {
            "ping" => {
                let pong = Message::text(json!({"type": "pong"}).to_string());
                let _ = socket.send(pong).await;
            }
            "sync" => {
                let listed = message["projects"].as_array().cloned().unwrap_or_default();
                if let Some(end) = listed.iter().find(|p| watched.is(p)).and_then(ended) {
                    display.finish();
                    return end;
                }
            }
            "progress" if watched.is(&message) => display.progress(&message),
            "status_change" if watched.is(&message) => {
                if let Some(end) = ended(&message) {
                    display.finish();
                    return end;
                }
            }
            _ => {}
        }
    }
}

/// The outcome of a variant whose status is final, else `None`.
fn ended(variant: &Value) -> Option<CliResult> {
    let pages = text(variant, "page_count");
    match variant["status"].as_str()? {
        "ready" => {
            if pages.is_empty() || pages == "0" {
                println!("Generation complete!");
            } else {
                println!("Generation complete! ({pages} pages)");
            }
            Some(Ok(()))
        }
        "error" => {
            let message = text(variant, "error_message");
            let message = if message.is_empty() {
                "unknown error".into()
            } else {
                message
            };
            Some(Err(CliError::message(format!(
                "Generation failed: {message}"
            ))))
        }
        "aborted" => Some(Err(CliError::message("Generation was aborted."))),
        _ => None,
    }
}

async fn interrupt(api: &Api, watched: &Watched, abort_on_interrupt: bool) -> CliResult {
    if abort_on_interrupt {
        api.post(
            &format!("{}/abort?owner={}", watched.path(), watched.owner),
            json!({}),
        )
        .await?;
        return Err(CliError::message(format!(
            "Interrupted: the generation of '{}' was aborted.",
            watched.name
        )));
    }
    Err(CliError {
        message: format!(
            "Stopped watching. The generation goes on on the server: follow it with \
             `docsfy status {}`, stop it with `docsfy abort {}`.",
            watched.name, watched.name
        ),
        code: 130,
    })
}

/// `ws(s)://host/api/ws?token=KEY` for a server at `url`.
fn socket_url(url: &str, key: &str) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    let base = url
        .replacen("https://", "wss://", 1)
        .replacen("http://", "ws://", 1);
    format!(
        "{base}/api/ws?token={}",
        utf8_percent_encode(key, NON_ALPHANUMERIC)
    )
}

/// Pages planned in a plan's JSON.
fn planned_pages(plan_json: &str) -> Option<u64> {
    let plan: Value = serde_json::from_str(plan_json).ok()?;
    let count = plan["navigation"]
        .as_array()?
        .iter()
        .filter_map(|group| group["pages"].as_array())
        .map(Vec::len)
        .sum::<usize>();
    Some(count as u64)
}

/// Where progress goes: a bar on a terminal, one line per change otherwise.
enum Display {
    Bar(indicatif::ProgressBar, Option<u64>),
    Lines(String),
}

impl Display {
    fn new() -> Display {
        if std::io::stderr().is_terminal() {
            let bar = indicatif::ProgressBar::new_spinner();
            bar.enable_steady_tick(Duration::from_millis(120));
            bar.set_style(spinner_style());
            Display::Bar(bar, None)
        } else {
            Display::Lines(String::new())
        }
    }

    fn line(&self, text: &str) {
        match self {
            Display::Bar(bar, _) => bar.println(text),
            Display::Lines(_) => eprintln!("{text}"),
        }
    }

    fn progress(&mut self, message: &Value) {
        let stage = text(message, "current_stage");
        let pages = message["page_count"].as_u64().unwrap_or(0);
        let planned = message["plan_json"].as_str().and_then(planned_pages);
        match self {
            Display::Bar(bar, total) => {
                if let Some(planned) = planned.filter(|p| *p > 0) {
                    if total.is_none() {
                        bar.set_style(bar_style());
                    }
                    *total = Some(planned);
                    bar.set_length(planned);
                }
                bar.set_position(pages);
                bar.set_message(stage);
            }
            Display::Lines(last) => {
                let line = format!("[{}] {stage} ({pages} pages)", text(message, "status"));
                if *last != line {
                    eprintln!("{line}");
                    *last = line;
                }
            }
        }
    }

    fn finish(&self) {
        if let Display::Bar(bar, _) = self {
            bar.finish_and_clear();
        }
    }
}

fn spinner_style() -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template("{spinner} {msg} · {elapsed}")
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner())
}

fn bar_style() -> indicatif::ProgressStyle {
    indicatif::ProgressStyle::with_template(
        "{spinner} [{bar:30}] {pos}/{len} pages · {msg} · {elapsed}",
    )
    .map(|style| style.progress_chars("=> "))
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
}

#[cfg(test)]
mod tests {
    #[test]
    fn sockets_follow_the_server_scheme_and_plans_give_their_page_count() {
        assert_eq!(
            super::socket_url("https://docs.example.com", "k y"),
            "wss://docs.example.com/api/ws?token=k%20y"
        );
        assert_eq!(
            super::socket_url("http://127.0.0.1:8000", "key"),
            "ws://127.0.0.1:8000/api/ws?token=key"
        );
        let plan = r#"{"navigation":[{"group":"A","pages":[{"slug":"a"},{"slug":"b"}]},{"group":"B","pages":[{"slug":"c"}]}]}"#;
        assert_eq!(super::planned_pages(plan), Some(3));
    }
}
