//! wrk runs and side-by-side comparisons: same settings for both servers, alternating, the
//! best run of each kept.

use std::process::Command;

/// wrk's settings for every run.
pub const THREADS: u32 = 2;
pub const CONNECTIONS: u32 = 32;
pub const SECONDS: u32 = 5;
pub const ROUNDS: usize = 2;

/// What wrk measured.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub requests_per_second: f64,
    pub p99_ms: f64,
}

/// One wrk run against `url`; fails on any non-2xx answer or socket error.
pub fn run(url: &str, header: Option<&str>) -> anyhow::Result<Run> {
    let mut command = Command::new("wrk");
    command.args([
        format!("-t{THREADS}"),
        format!("-c{CONNECTIONS}"),
        format!("-d{SECONDS}s"),
        "--latency".into(),
    ]);
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

/// The run with the most requests per second.
pub fn best(runs: &[Run]) -> Run {
    *runs
        .iter()
        .max_by(|x, y| x.requests_per_second.total_cmp(&y.requests_per_second))
        .expect("at least one run")
}

/// Ours then theirs, `ROUNDS` times; the best of each.
pub fn side_by_side(
    ours: &str,
    header: Option<&str>,
    theirs: &str,
    their_header: Option<&str>,
) -> anyhow::Result<(Run, Run)> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        a.push(run(ours, header)?);
        b.push(run(theirs, their_header)?);
    }
    Ok((best(&a), best(&b)))
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
