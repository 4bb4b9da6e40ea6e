//! Generation throughput: a 20-page generation against a fake claude CLI that answers every
//! prompt after a fixed 500 ms, next to the AI-bound limit for the same concurrency (the
//! plan call, then the pages in rounds of MAX_CONCURRENT_PAGES). Target: within 5%.
//!
//! Run: `cargo run --release -p docsfy-bench --bin generation`

use std::time::{Duration, Instant};

use docsfy::config::Config;
use docsfy::pipeline::run::JobSpec;
use docsfy::pipeline::source::Source;
use docsfy::store::variants::{NewVariant, VariantKey};
use docsfy_bench::{millis, write_fake_claude};

const PAGES: usize = 20;
const LATENCY: Duration = Duration::from_millis(500);
const CONCURRENCY: usize = 10;
const RUNS: usize = 3;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let fake = tempfile::tempdir()?;
    write_fake_claude(fake.path(), PAGES, LATENCY)?;
    let repo = tempfile::tempdir()?;
    docsfy_bench::git::commit_files(repo.path(), &[("README.md", "# Bench\n")], "initial");
    let data = tempfile::tempdir()?;
    let mut config = Config {
        data_dir: data.path().to_path_buf(),
        admin_key: "bench-admin-key-0123456789".into(),
        log_level: "error".into(),
        max_concurrent_pages: CONCURRENCY,
        ..Config::default()
    };
    config.plugins.search_path = Some(format!("{}:/usr/bin:/bin", fake.path().display()));
    let state = docsfy::server::prepare(config).await?;

    let mut walls = Vec::new();
    for run in 0..RUNS {
        let key = VariantKey {
            name: format!("bench{run}"),
            branch: "main".into(),
            provider: "claude".into(),
            model: "opus".into(),
            owner: "admin".into(),
        };
        let generation_id = format!("00000000-0000-4000-8000-{run:012}");
        state
            .store
            .put_variant(&NewVariant {
                key: key.clone(),
                repo_url: repo.path().display().to_string(),
                status: docsfy::domain::Status::Generating,
                generation_id: generation_id.clone(),
            })
            .await?;
        let started = Instant::now();
        state
            .pipeline
            .start(JobSpec {
                key: key.clone(),
                source: Source::Path(repo.path().to_path_buf()),
                force: true,
                ai_timeout: Duration::from_secs(60),
                previous: None,
                generation_id: generation_id.clone(),
                pages_at_once: state.config.max_concurrent_pages,
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let variant = loop {
            let variant = state.store.variant(&key).await?;
            if variant.status != docsfy::domain::Status::Generating {
                break variant;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        let wall = started.elapsed();
        anyhow::ensure!(
            variant.status == docsfy::domain::Status::Ready,
            "run {run}: {:?}",
            variant.error_message
        );
        anyhow::ensure!(
            variant.page_count == PAGES as i64,
            "run {run}: {} pages",
            variant.page_count
        );
        walls.push(wall);
    }
    walls.sort();
    let wall = walls[RUNS / 2];
    let rounds = PAGES.div_ceil(CONCURRENCY) as u32;
    let limit = LATENCY * (1 + rounds);
    let overhead = (wall.as_secs_f64() / limit.as_secs_f64() - 1.0) * 100.0;
    println!(
        "generation of {PAGES} pages, AI latency {} per call, {CONCURRENCY} pages at once ({RUNS} runs, median):",
        millis(LATENCY)
    );
    println!(
        "  wall time {}; AI-bound limit {} (1 plan call + {rounds} rounds of pages); overhead {overhead:.1}%",
        millis(wall),
        millis(limit)
    );
    Ok(())
}
