//! WebSocket fan-out: 1,000 clients on `/api/ws` (half with the admin key, half spread over
//! users the project is shared with) while one generation runs; prints the delay from each
//! event's publication to its arrival at every client, and from the `status_change` to the
//! `sync` that follows it.
//!
//! Run: `cargo run --release -p docsfy-bench --bin websocket`

use std::collections::HashMap;
use std::time::{Duration, Instant};

use docsfy::config::Config;
use docsfy::domain::Role;
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

/// Generations run one after the other; the figures cover them all.
const RUNS: usize = 3;

/// What one client received after its first `sync`: each event (by run and text) and when
/// it came, and when the `sync` following each run's `status_change` came.
type Arrivals = (Vec<((usize, String), Instant)>, Vec<Instant>);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let fake = tempfile::tempdir()?;
    write_fake_claude(fake.path(), PAGES, LATENCY)?;
    let repo = tempfile::Builder::new().prefix("bench-").tempdir()?;
    docsfy_bench::git::commit_files(repo.path(), &[("README.md", "# Bench\n")], "initial");
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
    tokio::spawn(docsfy::server::serve_routes(
        listener,
        state.clone(),
        std::future::pending(),
    ));

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

    let mut bus = state.pipeline.subscribe();
    let published = tokio::spawn(async move {
        let mut at: HashMap<(usize, String), Instant> = HashMap::new();
        let mut ends = Vec::new();
        while let Ok(event) = bus.recv().await {
            let now = Instant::now();
            let run = ends.len();
            match &event.event {
                Event::Progress { .. } => {
                    at.insert((run, event.json().to_string()), now);
                }
                Event::StatusChange { status, .. } => {
                    at.insert((run, event.json().to_string()), now);
                    ends.push((*status, now));
                    if ends.len() == RUNS {
                        break;
                    }
                }
                _ => {}
            }
        }
        (at, ends)
    });
    let readers: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| tokio::spawn(async move { read_runs(&mut socket).await }))
        .collect();

    let http = reqwest::Client::new();
    for run in 0..RUNS {
        loop {
            let accepted = http
                .post(format!("http://{address}/api/generate"))
                .bearer_auth(ADMIN_KEY)
                .json(&serde_json::json!({
                    "repo_path": repo.path().display().to_string(),
                    "ai_provider": "claude",
                    "ai_model": "opus",
                    "force": run > 0,
                }))
                .send()
                .await?;
            match accepted.status().as_u16() {
                202 => break,
                // The previous run has published its end but its job is still finishing.
                409 => tokio::time::sleep(Duration::from_millis(20)).await,
                _ => anyhow::bail!("generate: {}", accepted.text().await?),
            }
        }
        let key = docsfy::store::variants::VariantKey {
            name: project.clone(),
            branch: "main".into(),
            provider: "claude".into(),
            model: "opus".into(),
            owner: "admin".into(),
        };
        while state.store.variant(&key).await?.status == docsfy::domain::Status::Generating {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    let (published, ends) = published.await?;
    for (status, _) in &ends {
        anyhow::ensure!(
            *status == docsfy::domain::Status::Ready,
            "a generation ended {status}"
        );
    }
    let mut event_delays = Vec::new();
    let mut sync_delays = Vec::new();
    for reader in readers {
        let (arrivals, syncs) = reader.await??;
        let mut events = 0;
        for (key, arrived) in &arrivals {
            if let Some(sent) = published.get(key) {
                event_delays.push(arrived.duration_since(*sent));
                events += 1;
            }
        }
        for (run, arrived) in syncs.iter().enumerate() {
            sync_delays.push(arrived.duration_since(ends[run].1));
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
        "websocket fan-out: {clients} clients ({ADMIN_SOCKETS} with the admin key, {} over {USERS} users sharing the project), {RUNS} {PAGES}-page generations:",
        USERS * SOCKETS_PER_USER
    );
    println!(
        "  connected in {} (first sync received by all)",
        millis(connected)
    );
    println!(
        "  {RUNS} runs, {} events (progress, status_change) x {clients} clients = {} deliveries",
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

/// Reads one client's messages until the `sync` after the last run's `status_change`.
async fn read_runs<S>(socket: &mut S) -> anyhow::Result<Arrivals>
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let mut events = Vec::new();
    let mut syncs = Vec::new();
    let mut run = 0;
    let mut ended = false;
    while let Some(message) = socket.next().await {
        let Message::Text(text) = message? else {
            continue;
        };
        let now = Instant::now();
        if text.starts_with(r#"{"type":"sync""#) {
            if ended {
                syncs.push(now);
                ended = false;
                run += 1;
                if run == RUNS {
                    return Ok((events, syncs));
                }
            }
            continue;
        }
        ended |= text.starts_with(r#"{"type":"status_change""#);
        events.push(((run, text.to_string()), now));
    }
    anyhow::bail!("a client's socket ended after {run} runs")
}
