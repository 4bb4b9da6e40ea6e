//! Serving over HTTP side by side with nginx, on the same machine, with the same wrk settings
//! (2 threads, 32 connections), A and B alternating:
//! - `GET /health` (nginx answers the same JSON),
//! - `GET /docs/<project>/<branch>/<provider>/<model>/page.html` with bearer auth (nginx
//!   serves the same 8 KB file without any),
//! - `GET /api/status` with 1,000 variants (no nginx equivalent: the target is 10k req/s).
//!
//! Needs `wrk` and `nginx` (Debian: `apt-get install wrk nginx-light`).
//! Run: `cargo run --release -p docsfy-bench --bin serving`

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use docsfy::artifacts::Artifacts;
use docsfy::config::Config;
use docsfy::domain::Status;
use docsfy::store::variants::{NewVariant, VariantKey};

const ADMIN_KEY: &str = "bench-admin-key-0123456789";
const VARIANTS: usize = 1_000;
const ROUNDS: usize = 2;
const SECONDS: u32 = 5;
const NGINX: &str = "/usr/sbin/nginx";

/// What wrk measured.
struct Run {
    requests_per_second: f64,
    p99_ms: f64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    for (tool, path) in [("wrk", "wrk"), ("nginx", NGINX)] {
        anyhow::ensure!(
            Command::new("sh")
                .args(["-c", &format!("command -v {path}")])
                .stdout(Stdio::null())
                .status()?
                .success(),
            "{tool} is needed: apt-get install wrk nginx-light"
        );
    }
    let data = tempfile::tempdir()?;
    let config = Config {
        data_dir: data.path().to_path_buf(),
        admin_key: ADMIN_KEY.into(),
        log_level: "error".into(),
        ..Config::default()
    };
    let state = docsfy::server::prepare(config).await?;
    let page = seed(&state.store, data.path()).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let docsfy = format!("http://{}", listener.local_addr()?);
    tokio::spawn(docsfy::server::serve_routes(
        listener,
        state,
        std::future::pending(),
    ));
    let nginx_port = free_port()?;
    let mut nginx = start_nginx(data.path(), nginx_port, &page)?;
    let nginx_base = format!("http://127.0.0.1:{nginx_port}");
    tokio::time::sleep(Duration::from_millis(300)).await;

    let docs_path = "/docs/bench/main/claude/opus/page.html";
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
    anyhow::ensure!(projects["projects"].as_array().map(Vec::len) == Some(VARIANTS));
    println!(
        "page {} bytes, listing {} bytes ({VARIANTS} variants)",
        mine.len(),
        listing.len()
    );
    println!("wrk -t2 -c32 -d{SECONDS}s, {ROUNDS} rounds, docsfy and nginx alternating:");
    compare(
        "GET /health",
        &format!("{docsfy}/health"),
        None,
        &format!("{nginx_base}/health"),
    )?;
    compare(
        "GET /docs page (8 KB, bearer)",
        &format!("{docsfy}{docs_path}"),
        Some(&bearer),
        &format!("{nginx_base}{docs_path}"),
    )?;
    let mut status = Vec::new();
    for _ in 0..ROUNDS {
        status.push(wrk(&format!("{docsfy}/api/status"), Some(&bearer))?);
    }
    let best = best(&status);
    println!(
        "  GET /api/status ({VARIANTS} variants): docsfy {:.0} req/s, p99 {:.1} ms (target 10k req/s, p99 < 10 ms)",
        best.requests_per_second, best.p99_ms
    );
    let _ = nginx.kill();
    let _ = nginx.wait();
    Ok(())
}

/// The variant the docs route serves, its 8 KB page, and enough variants for a real listing.
async fn seed(store: &docsfy::store::Store, data: &Path) -> anyhow::Result<std::path::PathBuf> {
    for i in 0..VARIANTS {
        let key = if i == 0 {
            VariantKey {
                name: "bench".into(),
                branch: "main".into(),
                provider: "claude".into(),
                model: "opus".into(),
                owner: "admin".into(),
            }
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
        if i == 0 {
            let site = Artifacts::new(data).site_dir(&key);
            std::fs::create_dir_all(&site)?;
            let paragraph =
                "<p>docsfy serves this page to measure how fast a generated page is served.</p>\n";
            let body = paragraph.repeat(8 * 1024 / paragraph.len());
            std::fs::write(
                site.join("page.html"),
                format!("<!doctype html><title>Bench</title>{body}"),
            )?;
        }
    }
    Ok(Artifacts::new(data).site_dir(&VariantKey {
        name: "bench".into(),
        branch: "main".into(),
        provider: "claude".into(),
        model: "opus".into(),
        owner: "admin".into(),
    }))
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// nginx with one worker: `/health` as docsfy answers it, the page at the same path.
fn start_nginx(dir: &Path, port: u16, site: &Path) -> anyhow::Result<Child> {
    let prefix = dir.join("nginx");
    std::fs::create_dir_all(prefix.join("logs"))?;
    let config = format!(
        r#"worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  types {{ text/html html; }}
  server {{
    listen 127.0.0.1:{port};
    location = /health {{ default_type application/json; return 200 '{{"status":"ok"}}'; }}
    location /docs/bench/main/claude/opus/ {{ alias {site}/; }}
  }}
}}
"#,
        prefix = prefix.display(),
        site = site.display(),
    );
    let path = prefix.join("nginx.conf");
    std::fs::write(&path, config)?;
    Ok(Command::new(NGINX)
        .arg("-p")
        .arg(&prefix)
        .arg("-c")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?)
}

/// docsfy then nginx, `ROUNDS` times; prints the best of each and their ratio.
fn compare(label: &str, ours: &str, header: Option<&str>, theirs: &str) -> anyhow::Result<()> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        a.push(wrk(ours, header)?);
        b.push(wrk(theirs, None)?);
    }
    let (a, b) = (best(&a), best(&b));
    println!(
        "  {label}: docsfy {:.0} req/s (p99 {:.1} ms), nginx {:.0} req/s (p99 {:.1} ms): {:.2} x nginx",
        a.requests_per_second,
        a.p99_ms,
        b.requests_per_second,
        b.p99_ms,
        a.requests_per_second / b.requests_per_second
    );
    Ok(())
}

fn best(runs: &[Run]) -> &Run {
    runs.iter()
        .max_by(|x, y| x.requests_per_second.total_cmp(&y.requests_per_second))
        .expect("at least one run")
}

/// One wrk run against `url`; fails on any non-2xx answer or socket error.
fn wrk(url: &str, header: Option<&str>) -> anyhow::Result<Run> {
    let mut command = Command::new("wrk");
    command.args(["-t2", "-c32", &format!("-d{SECONDS}s"), "--latency"]);
    if let Some(header) = header {
        command.args(["-H", header]);
    }
    let output = command.arg(url).output()?;
    let text = String::from_utf8_lossy(&output.stdout);
    anyhow::ensure!(output.status.success(), "wrk failed: {text}");
    anyhow::ensure!(
        !text.contains("Non-2xx") && !text.contains("Socket errors"),
        "errors while measuring {url}:\n{text}"
    );
    let requests_per_second = text
        .lines()
        .find_map(|line| line.strip_prefix("Requests/sec:"))
        .and_then(|value| value.trim().parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no Requests/sec in:\n{text}"))?;
    let p99 = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("99%"))
        .map(str::trim)
        .ok_or_else(|| anyhow::anyhow!("no 99% latency in:\n{text}"))?;
    Ok(Run {
        requests_per_second,
        p99_ms: latency_ms(p99)?,
    })
}

/// wrk's latency text (`812.00us`, `1.23ms`, `2.00s`) in milliseconds.
fn latency_ms(text: &str) -> anyhow::Result<f64> {
    let (number, factor) = if let Some(n) = text.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else {
        anyhow::bail!("a latency wrk did not print: {text}")
    };
    Ok(number.parse::<f64>()? * factor)
}
