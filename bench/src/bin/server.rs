//! Server figures:
//! - the per-request cost of bearer authentication with 100 users (first use, which runs
//!   argon2, and every use after, which is a keyed digest and a cache hit),
//! - a wrong login for a known and for an unknown username, side by side (they must cost
//!   the same, or logins tell which usernames exist),
//! - `GET /api/status` throughput and latency with 1,000 variants, over real HTTP.
//!
//! Run: `cargo run --release -p docsfy-bench --bin server`

use std::time::{Duration, Instant};

use docsfy::config::Config;
use docsfy::domain::Role;
use docsfy::store::variants::{NewVariant, VariantKey};
use docsfy_bench::{micros, millis, summarize};

const USERS: usize = 100;
const VARIANTS: usize = 1_000;
const AUTH_ROUNDS: usize = 100;
const STATUS_REQUESTS: usize = 2_000;
const CONCURRENCY: usize = 8;
const ADMIN_KEY: &str = "bench-admin-key-0123456789";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let config = Config {
        data_dir: data.path().to_path_buf(),
        admin_key: ADMIN_KEY.into(),
        log_level: "error".into(),
        // Wrong logins on purpose: limits that never throttle the benchmark.
        login: docsfy::config::LoginSettings {
            failures_per_user: u32::MAX,
            failures_per_address: u32::MAX,
            window_secs: 60,
        },
        ..Config::default()
    };
    let state = docsfy::server::prepare(config).await?;

    let mut keys = Vec::new();
    for i in 0..USERS {
        let (_, key) = state
            .auth
            .create_user(&format!("user{i:03}"), Role::User)
            .await?;
        keys.push(key);
    }
    let mut first = Vec::new();
    for key in &keys {
        let started = Instant::now();
        anyhow::ensure!(state.auth.bearer(key, None).await?.is_some(), "key refused");
        first.push(started.elapsed());
    }
    let mut cached = Vec::with_capacity(USERS * AUTH_ROUNDS);
    for _ in 0..AUTH_ROUNDS {
        for key in &keys {
            let started = Instant::now();
            let principal = state.auth.bearer(key, None).await?;
            cached.push(started.elapsed());
            anyhow::ensure!(principal.is_some(), "key refused");
        }
    }
    let first = summarize(&mut first);
    let cached = summarize(&mut cached);
    println!("bearer authentication, {USERS} users:");
    println!(
        "  first use of a key (argon2 verification): p50 {}",
        millis(first.p50)
    );
    println!(
        "  every later request ({} samples): mean {}, p50 {}, p99 {}",
        cached.count,
        micros(cached.mean),
        micros(cached.p50),
        micros(cached.p99)
    );

    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for round in 0..20 {
        for (username, samples) in [("user000", &mut known), ("nobody", &mut unknown)] {
            let started = Instant::now();
            let refused = state
                .auth
                .login(username, &format!("wrong-key-{round:016}"), None)
                .await;
            samples.push(started.elapsed());
            anyhow::ensure!(refused.is_err(), "a wrong key logged in");
        }
    }
    let (known, unknown) = (summarize(&mut known), summarize(&mut unknown));
    println!(
        "a wrong login: known username p50 {}, unknown username p50 {} (ratio {:.2})",
        millis(known.p50),
        millis(unknown.p50),
        unknown.p50.as_secs_f64() / known.p50.as_secs_f64()
    );

    for i in 0..VARIANTS {
        let key = VariantKey {
            name: format!("project{:03}", i % 250),
            branch: "main".into(),
            provider: ["claude", "gemini", "cursor"][i % 3].into(),
            model: format!("model{}", i % 4),
            owner: format!("user{:03}", i % USERS),
        };
        state
            .store
            .put_variant(&NewVariant {
                key: key.clone(),
                repo_url: "https://example.com/a/b".into(),
                status: docsfy::domain::Status::Generating,
                generation_id: uuid::Uuid::new_v4().to_string(),
            })
            .await?;
        state
            .store
            .mark_ready(&key, "abc", 12, "{\"navigation\":[]}", None)
            .await?;
    }

    let mut listing = Vec::new();
    let admin = docsfy::auth::Principal {
        username: "admin".into(),
        role: Role::Admin,
        admin_key: true,
    };
    for _ in 0..50 {
        let started = Instant::now();
        let body = docsfy::api::listing::projects_for(&state.store, &admin).await?;
        let json = serde_json::to_vec(&body)?;
        listing.push(started.elapsed());
        let count = serde_json::from_str::<Vec<serde_json::Value>>(body.projects.get())?.len();
        anyhow::ensure!(count == VARIANTS && json.len() > 100_000);
    }
    let listing = summarize(&mut listing);
    println!(
        "building the {VARIANTS}-variant listing (queries + JSON), in process: p50 {}",
        millis(listing.p50)
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(docsfy::server::serve_routes(
        listener,
        state,
        std::future::pending(),
    ));
    let client = reqwest::Client::new();
    let url = format!("http://{address}/api/status");
    for _ in 0..20 {
        client
            .get(&url)
            .bearer_auth(ADMIN_KEY)
            .send()
            .await?
            .error_for_status()?;
    }
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let client = client.clone();
        let url = url.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            for _ in 0..STATUS_REQUESTS / CONCURRENCY {
                let sent = Instant::now();
                let body = client
                    .get(&url)
                    .bearer_auth(ADMIN_KEY)
                    .send()
                    .await?
                    .bytes()
                    .await?;
                latencies.push(sent.elapsed());
                anyhow::ensure!(body.len() > 100_000, "a short answer: {} bytes", body.len());
            }
            Ok::<Vec<Duration>, anyhow::Error>(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    let latency = summarize(&mut latencies);
    println!("GET /api/status as admin, {VARIANTS} variants, {CONCURRENCY} concurrent clients:");
    println!(
        "  {:.0} requests/s; latency p50 {}, p99 {}",
        latency.count as f64 / elapsed.as_secs_f64(),
        millis(latency.p50),
        millis(latency.p99)
    );
    Ok(())
}
