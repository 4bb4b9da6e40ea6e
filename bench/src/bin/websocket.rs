//! WebSocket fan-out: 1,000 clients on `/api/ws` (half with the admin key, half spread over
//! users the project is shared with) while one generation runs; prints the delay from each
//! event's publication to its arrival at every client, and from the `status_change` to the
//! `sync` that follows it.
//!
//! Run: `cargo run --release -p docsfy-bench --bin websocket`

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use docsfy::auth::Role;
use docsfy::config::Config;
use docsfy::events::Event;
use docsfy_bench::{millis, summarize, write_fake_claude};
use futures_util::{StreamExt, stream};
use tokio_tungstenite::tungstenite::Message;

const ADMIN_SOCKETS: usize = 500;
const USERS: usize = 10;
const SOCKETS_PER_USER: usize = 50;
const PAGES: usize = 20;
const LATENCY: Duration = Duration::from_millis(50);
const CONNECTING_AT_ONCE: usize = 50;
const ADMIN_KEY: &str = "bench-admin-key-0123456789";

/// What one client received after its first `sync`: each text message and when it came.
type Arrivals = Vec<(String, Instant)>;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let fake = tempfile::tempdir()?;
    write_fake_claude(fake.path(), PAGES, LATENCY)?;
    let repo = tempfile::Builder::new().prefix("bench-").tempdir()?;
    docsfy::testing::commit_files(repo.path(), &[("README.md", "# Bench\n")], "initial");
    let project = repo
        .path()
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let data = tempfile::tempdir()?;
    let mut config = Config {
        data_dir: data.path().to_path_buf(),
        admin_key: ADMIN_KEY.into(),
        log_level: "error".into(),
        ..Config::default()
    };
    config.plugins.search_path = Some(format!("{}:/usr/bin:/bin", fake.path().display()));
    let state = docsfy::server::prepare(config).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(
        warp::serve(docsfy::api::routes(state.clone()))
            .incoming(listener)
            .run(),
    );

    let mut tokens = vec![ADMIN_KEY.to_string(); ADMIN_SOCKETS];
    for index in 0..USERS {
        let username = format!("reader{index}");
        let (_, key) = state.auth.create_user(&username, Role::Viewer).await?;
        state
            .store
            .grant_access(&project, "admin", &username)
            .await?;
        tokens.extend(std::iter::repeat_n(key, SOCKETS_PER_USER));
    }
    let clients = tokens.len();

    let connecting = Instant::now();
    let sockets: Vec<_> = stream::iter(tokens)
        .map(|token| async move {
            let url = format!("ws://{address}/api/ws?token={token}");
            let (mut socket, _) = tokio_tungstenite::connect_async(url).await?;
            match socket.next().await {
                Some(Ok(Message::Text(text))) if text.starts_with(r#"{"type":"sync""#) => {}
                other => anyhow::bail!("expected the first sync, got {other:?}"),
            }
            anyhow::Ok(socket)
        })
        .buffer_unordered(CONNECTING_AT_ONCE)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()?;
    let connected = connecting.elapsed();

    let mut bus = state.pipeline.events.subscribe();
    let published = tokio::spawn(async move {
        let mut at = HashMap::new();
        while let Ok(event) = bus.recv().await {
            let now = Instant::now();
            let ended = matches!(event.event, Event::StatusChange { .. });
            if matches!(
                event.event,
                Event::Progress { .. } | Event::StatusChange { .. }
            ) {
                at.insert(event.json().to_string(), now);
            }
            if ended {
                break;
            }
        }
        at
    });
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            tokio::spawn(async move {
                let mut arrivals: Arrivals = Vec::new();
                let mut ended = false;
                while let Some(Ok(message)) = socket.next().await {
                    let Message::Text(text) = message else {
                        continue;
                    };
                    let now = Instant::now();
                    let is_sync = text.starts_with(r#"{"type":"sync""#);
                    ended |= text.starts_with(r#"{"type":"status_change""#);
                    arrivals.push((text.to_string(), now));
                    if ended && is_sync {
                        break;
                    }
                }
                arrivals
            })
        })
        .collect();

    let http = reqwest::Client::new();
    let accepted = http
        .post(format!("http://{address}/api/generate"))
        .bearer_auth(ADMIN_KEY)
        .json(&serde_json::json!({
            "repo_path": repo.path().display().to_string(),
            "ai_provider": "claude",
            "ai_model": "opus",
        }))
        .send()
        .await?;
    anyhow::ensure!(
        accepted.status().as_u16() == 202,
        "generate: {}",
        accepted.text().await?
    );

    let published = Arc::new(published.await?);
    let status_change = published
        .iter()
        .find(|(text, _)| text.starts_with(r#"{"type":"status_change""#))
        .map(|(text, at)| (text.clone(), *at))
        .ok_or_else(|| anyhow::anyhow!("no status_change was published"))?;
    anyhow::ensure!(
        status_change.0.contains(r#""status":"ready""#),
        "the generation failed: {}",
        status_change.0
    );
    let mut event_delays = Vec::new();
    let mut sync_delays = Vec::new();
    for reader in readers {
        let arrivals = reader.await?;
        let mut events = 0;
        let mut after_end = false;
        for (text, arrived) in &arrivals {
            if let Some(sent) = published.get(text) {
                event_delays.push(arrived.duration_since(*sent));
                events += 1;
            }
            after_end |= *text == status_change.0;
            if after_end && text.starts_with(r#"{"type":"sync""#) {
                sync_delays.push(arrived.duration_since(status_change.1));
            }
        }
        anyhow::ensure!(
            events == published.len(),
            "a client got {events} of {} events",
            published.len()
        );
    }
    let events = summarize(&mut event_delays);
    let syncs = summarize(&mut sync_delays);
    println!(
        "websocket fan-out: {clients} clients ({ADMIN_SOCKETS} with the admin key, {} over {USERS} users sharing the project), one {PAGES}-page generation:",
        USERS * SOCKETS_PER_USER
    );
    println!(
        "  connected in {} (first sync received by all)",
        millis(connected)
    );
    println!(
        "  {} events (progress, status_change) x {clients} clients = {} deliveries",
        published.len(),
        events.count
    );
    println!(
        "  event -> arrival at a client: p50 {}, p99 {}, mean {}",
        millis(events.p50),
        millis(events.p99),
        millis(events.mean)
    );
    println!(
        "  status_change -> the following sync at a client: p50 {}, p99 {}",
        millis(syncs.p50),
        millis(syncs.p99)
    );
    Ok(())
}
