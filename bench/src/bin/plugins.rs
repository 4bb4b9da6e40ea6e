//! Plugin runtime figures:
//! - the overhead of one call to a pre-instantiated plugin (fresh sandbox + instantiate + call),
//! - the cold load time of all bundled plugins, with an empty compiled cache and with a warm one.
//!
//! Run: `cargo run --release -p docsfy-bench --bin plugins`

use std::path::Path;
use std::time::{Duration, Instant};

use docsfy::plugins::{
    CallContext, CompletionRequest, LoadOptions, PluginRegistry, PluginSettings,
};
use docsfy_bench::{micros, millis, summarize};

const CALLS: usize = 5_000;
const LOADS: usize = 5;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let settings = PluginSettings::default();

    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for _ in 0..LOADS {
        let cache = tempfile::tempdir()?;
        cold.push(time_load(&settings, cache.path()).await?);
        warm.push(time_load(&settings, cache.path()).await?);
    }
    let bundled = docsfy::plugins::registry::BUNDLED.len();
    let cold = summarize(&mut cold);
    let warm = summarize(&mut warm);
    println!("load of all {bundled} bundled plugins ({LOADS} runs, median):");
    println!("  empty compiled cache: {}", millis(cold.p50));
    println!("  warm compiled cache:  {}", millis(warm.p50));

    let plugins = tempfile::tempdir()?;
    install_probe(plugins.path())?;
    let settings = PluginSettings {
        dirs: vec![plugins.path().to_path_buf()],
        ..PluginSettings::default()
    };
    let cache = tempfile::tempdir()?;
    let options = LoadOptions {
        bundled: false,
        environment: Some(Vec::new()),
        // The plugin runtime's own overhead; programs are not run here.
        confinement: None,
    };
    let registry = PluginRegistry::load(&settings, cache.path(), options).await?;
    let probe = registry
        .provider("sandbox-probe")
        .ok_or_else(|| anyhow::anyhow!("probe not loaded: {:?}", registry.skipped()))?;
    let request = CompletionRequest {
        model: "none".into(),
        prompt: "echo hi".into(),
        timeout_secs: 10,
        workdir: None,
    };
    for _ in 0..100 {
        probe.complete(&request, CallContext::default()).await?;
    }
    let mut calls = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let started = Instant::now();
        let answer = probe.complete(&request, CallContext::default()).await?;
        calls.push(started.elapsed());
        assert_eq!(answer.text, "hi");
    }
    let calls = summarize(&mut calls);
    println!(
        "one call to a pre-instantiated plugin (new sandbox + instantiate + call), {} calls:",
        calls.count
    );
    println!(
        "  mean {}, p50 {}, p99 {}",
        micros(calls.mean),
        micros(calls.p50),
        micros(calls.p99)
    );
    Ok(())
}

async fn time_load(settings: &PluginSettings, cache: &Path) -> anyhow::Result<Duration> {
    let started = Instant::now();
    let registry = PluginRegistry::load(settings, cache, LoadOptions::default()).await?;
    let elapsed = started.elapsed();
    anyhow::ensure!(
        registry.skipped().is_empty(),
        "skipped: {:?}",
        registry.skipped()
    );
    Ok(elapsed)
}

fn install_probe(plugins: &Path) -> anyhow::Result<()> {
    let dir = plugins.join("sandbox-probe");
    std::fs::create_dir_all(&dir)?;
    std::fs::copy(
        docsfy::plugins::guest_wasm_dir().join("docsfy_sandbox_probe.wasm"),
        dir.join("plugin.wasm"),
    )?;
    let manifest =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/plugins/sandbox-probe/plugin.toml");
    std::fs::copy(manifest, dir.join("plugin.toml"))?;
    Ok(())
}
