//! Shared helpers for docsfy's benchmarks: each binary in `src/bin` prints its figures.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

#[path = "../../tests/support/git.rs"]
pub mod git;
pub mod nginx;
pub mod rss;
pub mod spawned;
pub mod wrk;

/// Summary statistics of a set of durations.
pub struct Summary {
    /// Number of samples.
    pub count: usize,
    /// Arithmetic mean.
    pub mean: Duration,
    /// Median.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
}

/// Summarises `samples` (sorted in place).
pub fn summarize(samples: &mut [Duration]) -> Summary {
    assert!(!samples.is_empty(), "no samples");
    samples.sort();
    let total: Duration = samples.iter().sum();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    Summary {
        count: samples.len(),
        mean: total / samples.len() as u32,
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// Microseconds with one decimal.
pub fn micros(duration: Duration) -> String {
    format!("{:.1} µs", duration.as_secs_f64() * 1e6)
}

/// Milliseconds with one decimal.
pub fn millis(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1e3)
}

/// Writes a fake `claude` CLI into `dir` that plans `pages` pages and answers every prompt
/// after `latency`, as a real provider would after thinking.
pub fn write_fake_claude(dir: &Path, pages: usize, latency: Duration) -> anyhow::Result<()> {
    let navigation: Vec<_> = (1..=pages)
        .map(|i| serde_json::json!({"slug": format!("page-{i}"), "title": format!("Page {i}"), "description": "d"}))
        .collect();
    let plan = serde_json::json!({"project_name": "Bench", "navigation": [{"group": "All", "pages": navigation}]});
    let answer =
        serde_json::json!({"type": "result", "is_error": false, "result": plan.to_string()});
    std::fs::write(dir.join("plan.out"), answer.to_string())?;
    let script = format!(
        r##"#!/bin/sh
[ "$1" = "--version" ] && {{ echo 1.0.0; exit 0; }}
prompt=$(cat)
sleep {latency}
case "$DOCSFY_CALL_KIND" in
  plan|plan-retry) cat {dir}/plan.out ;;
  *) printf '{{"type":"result","is_error":false,"result":"# Page\\n\\nThis page documents one part of the benchmark project in enough words to pass the checks that the pipeline runs."}}' ;;
esac
"##,
        latency = latency.as_secs_f64(),
        dir = dir.display()
    );
    let path = dir.join("claude");
    std::fs::write(&path, script)?;
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    Ok(())
}
