//! Serving, side by side with nginx, and the server's memory: the real `docsfy serve`
//! binary, started as an operator would, on the same machine as nginx (one worker) and wrk
//! (2 threads, 32 connections), docsfy and nginx alternating:
//! - `GET /health` (nginx answers the same JSON),
//! - `GET /docs/<project>/<branch>/<provider>/<model>/page.html` with bearer auth (nginx
//!   serves the same 8 KB file without any),
//! - `GET /api/status` with 1,000 variants (no nginx equivalent: the target is 10k req/s);
//!
//! and its resident memory: idle after a first start that compiled the plugins, the peak
//! during a 200-page generation (a fake claude answering after 50 ms), after it, and idle
//! after a restart from the compiled cache.
//!
//! Needs `wrk` and `nginx` (Debian: `apt-get install wrk nginx-light`).
//! Run: `cargo run --release -p docsfy-bench --bin serving`

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use docsfy::artifacts::Artifacts;
use docsfy::domain::Status;
use docsfy::store::variants::{NewVariant, VariantKey};
use docsfy_bench::rss::{PeakSampler, mb, rss_kib};
use docsfy_bench::spawned::{Server, docsfy_binary};
use docsfy_bench::{nginx, wrk};

const ADMIN_KEY: &str = "bench-admin-key-0123456789";
const VARIANTS: usize = 1_000;
const GENERATED_PAGES: usize = 200;
const AI_LATENCY: Duration = Duration::from_millis(50);
/// Time for a server to settle before its idle memory is read.
const SETTLE: Duration = Duration::from_secs(3);
/// Time after a generation before its memory is read: allocators give freed memory back to
/// the system some seconds after it was freed, not at once.
const AFTER_GENERATION: Duration = Duration::from_secs(15);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    for (tool, path) in [("wrk", "wrk"), ("nginx", nginx::NGINX)] {
        anyhow::ensure!(
            Command::new("sh")
                .args(["-c", &format!("command -v {path}")])
                .stdout(Stdio::null())
                .status()?
                .success(),
            "{tool} is needed: apt-get install wrk nginx-light"
        );
    }
    let binary = docsfy_binary()?;
    let data = tempfile::tempdir()?;
    let page = seed(data.path()).await?;
    let fake = tempfile::tempdir()?;
    docsfy_bench::write_fake_claude(fake.path(), GENERATED_PAGES, AI_LATENCY)?;
    let repo = tempfile::Builder::new().prefix("generated").tempdir()?;
    docsfy_bench::git::commit_files(repo.path(), &[("README.md", "# Bench\n")], "initial");
    let path = format!("{}:/usr/bin:/bin", fake.path().display());
    // The fake CLI reads its answers from a temporary directory the sandbox would hide; the
    // sandbox is about the CLIs' processes, not the server's memory.
    let env = [
        ("ADMIN_KEY", ADMIN_KEY),
        ("PATH", path.as_str()),
        ("DOCSFY_SANDBOX__MODE", "off"),
    ];

    let first = Server::start(&binary, data.path(), &env)?;
    tokio::time::sleep(SETTLE).await;
    let idle_first = rss_kib(first.pid())?;
    let (peak, after) = generate(&first, repo.path()).await?;
    drop(first);
    let server = Server::start(&binary, data.path(), &env)?;
    tokio::time::sleep(SETTLE).await;
    let idle_warm = rss_kib(server.pid())?;

    let docsfy = server.base.clone();
    let nginx_port = free_port()?;
    let location = "/docs/bench/main/claude/opus/";
    let _nginx = nginx::start(data.path(), nginx_port, location, &page)?;
    let nginx_base = format!("http://127.0.0.1:{nginx_port}");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let docs_path = format!("{location}page.html");
    let bearer = format!("Authorization: Bearer {ADMIN_KEY}");
    // What is measured is what it should be: the whole page, the whole listing.
    let client = reqwest::Client::new();
    let fetch = |url: String| {
        let request = client.get(url).bearer_auth(ADMIN_KEY);
        async move { anyhow::Ok(request.send().await?.error_for_status()?.bytes().await?) }
    };
    let mine = fetch(format!("{docsfy}{docs_path}")).await?;
    let theirs = fetch(format!("{nginx_base}{docs_path}")).await?;
    anyhow::ensure!(mine == theirs && mine.len() >= 8000, "the two pages differ");
    let listing = fetch(format!("{docsfy}/api/status")).await?;
    let projects: serde_json::Value = serde_json::from_slice(&listing)?;
    let listed = projects["projects"].as_array().map_or(0, Vec::len);
    anyhow::ensure!(listed > VARIANTS, "the listing holds {listed} variants");

    println!(
        "docsfy serve beside nginx (1 worker) on this machine; wrk -t{} -c{} -d{}s, best of {}, alternating",
        wrk::THREADS,
        wrk::CONNECTIONS,
        wrk::SECONDS,
        wrk::ROUNDS
    );
    println!(
        "{:<34} {:>12} {:>9} {:>12} {:>9} {:>7}  target",
        "route", "docsfy r/s", "p99", "nginx r/s", "p99", "ratio"
    );
    let row = |label: &str, ours: wrk::Run, theirs: wrk::Run, target: &str| {
        println!(
            "{label:<34} {:>12.0} {:>6.2} ms {:>12.0} {:>6.2} ms {:>6.2}x  {target}",
            ours.requests_per_second,
            ours.p99_ms,
            theirs.requests_per_second,
            theirs.p99_ms,
            ours.requests_per_second / theirs.requests_per_second
        );
    };
    let (ours, theirs) = wrk::side_by_side(
        &format!("{docsfy}/health"),
        None,
        &format!("{nginx_base}/health"),
        None,
    )?;
    row("GET /health", ours, theirs, ">= 0.5x");
    let (ours, theirs) = wrk::side_by_side(
        &format!("{docsfy}{docs_path}"),
        Some(&bearer),
        &format!("{nginx_base}{docs_path}"),
        None,
    )?;
    row("GET /docs page (8 KB, bearer)", ours, theirs, ">= 0.5x");
    let status: Vec<wrk::Run> = (0..wrk::ROUNDS)
        .map(|_| wrk::run(&format!("{docsfy}/api/status"), Some(&bearer)))
        .collect::<Result<_, _>>()?;
    let status = wrk::best(&status);
    println!(
        "{:<34} {:>12.0} {:>6.2} ms {:>12} {:>9} {:>7}  >= 10k r/s, p99 < 10 ms",
        format!("GET /api/status ({listed} variants)"),
        status.requests_per_second,
        status.p99_ms,
        "-",
        "-",
        "-"
    );
    println!("memory of docsfy serve (VmRSS):");
    println!(
        "  idle after a first start that compiled the plugins: {:>9}  (target <= 25 MB)",
        mb(idle_first)
    );
    println!(
        "  peak during a {GENERATED_PAGES}-page generation:             {:>9}  (target <= 100 MB)",
        mb(peak)
    );
    println!(
        "  {} s after it:                                     {:>9}  ({:+.0}% of idle; target within 10%)",
        AFTER_GENERATION.as_secs(),
        mb(after),
        (after as f64 / idle_first as f64 - 1.0) * 100.0
    );
    println!(
        "  idle after a restart from the compiled cache:      {:>9}",
        mb(idle_warm)
    );
    Ok(())
}

/// Generates a `GENERATED_PAGES`-page site on `server`; its RSS peak during the run and
/// after it has settled, in KiB.
async fn generate(server: &Server, repo: &Path) -> anyhow::Result<(u64, u64)> {
    let client = reqwest::Client::new();
    let sampler = PeakSampler::start(server.pid());
    let started = client
        .post(format!("{}/api/generate", server.base))
        .bearer_auth(ADMIN_KEY)
        .json(&serde_json::json!({"repo_path": repo, "ai_provider": "claude", "ai_model": "opus"}))
        .send()
        .await?;
    anyhow::ensure!(
        started.status() == 202,
        "generate: {}",
        started.text().await?
    );
    let project: serde_json::Value = started.json().await?;
    let name = project["project"].as_str().unwrap_or_default().to_string();
    let variant = format!("{}/api/projects/{name}/main/claude/opus", server.base);
    let status = loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now: serde_json::Value = client
            .get(&variant)
            .bearer_auth(ADMIN_KEY)
            .send()
            .await?
            .json()
            .await?;
        if now["status"] != "generating" {
            break now;
        }
    };
    let peak = sampler.stop();
    anyhow::ensure!(
        status["status"] == "ready" && status["page_count"] == GENERATED_PAGES,
        "the generation did not succeed: {status}"
    );
    tokio::time::sleep(AFTER_GENERATION).await;
    Ok((peak, rss_kib(server.pid())?))
}

/// The variant the docs route serves, its 8 KB page, and enough variants for a real listing,
/// written before the server starts.
async fn seed(data: &Path) -> anyhow::Result<std::path::PathBuf> {
    let store = docsfy::store::Store::open(data).await?;
    let bench = VariantKey {
        name: "bench".into(),
        branch: "main".into(),
        provider: "claude".into(),
        model: "opus".into(),
        owner: "admin".into(),
    };
    for i in 0..VARIANTS {
        let key = if i == 0 {
            bench.clone()
        } else {
            VariantKey {
                name: format!("project{i:04}"),
                branch: "main".into(),
                provider: "gemini".into(),
                model: format!("model{}", i % 4),
                owner: format!("user{:03}", i % 100),
            }
        };
        store
            .put_variant(&NewVariant {
                key: key.clone(),
                repo_url: "https://example.com/a/b".into(),
                status: Status::Generating,
                generation_id: uuid::Uuid::new_v4().to_string(),
            })
            .await?;
        store
            .mark_ready(&key, "abc", 12, "{\"navigation\":[]}", None)
            .await?;
    }
    let site = Artifacts::new(data).site_dir(&bench);
    std::fs::create_dir_all(&site)?;
    let paragraph =
        "<p>docsfy serves this page to measure how fast a generated page is served.</p>\n";
    let body = paragraph.repeat(8 * 1024 / paragraph.len());
    std::fs::write(
        site.join("page.html"),
        format!("<!doctype html><title>Bench</title>{body}"),
    )?;
    Ok(site)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}
