//! Shared helpers for docsfy's benchmarks: each binary in `src/bin` prints its figures.

use std::time::Duration;

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
