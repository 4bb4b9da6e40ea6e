//! Limits that hold under load: with several generations at once, no job writes more pages at
//! once than `MAX_CONCURRENT_PAGES`, and the server never makes more AI calls at once than
//! `max_concurrent_ai_calls`; and both limits are reached, so they are what bounds it.

use serde_json::json;

use crate::generation::finished;
use crate::support::api::{ADMIN_KEY, As, post};
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::server::RunningServer;

const PAGES: &[(&str, &str)] = &[
    ("one", "One"),
    ("two", "Two"),
    ("three", "Three"),
    ("four", "Four"),
    ("five", "Five"),
    ("six", "Six"),
];

#[tokio::test]
async fn pages_per_job_and_ai_calls_across_jobs_stay_within_their_limits() {
    let fake = FakeClaude::new(PAGES);
    let path = fake.path_var();
    let (sandbox_key, writable) = fake.sandbox_env();
    let server = RunningServer::start(
        "max_concurrent_ai_calls = 3\n",
        &[
            ("ADMIN_KEY", ADMIN_KEY),
            ("PATH", path.as_str()),
            (sandbox_key, writable.as_str()),
            ("AI_MODEL", "opus"),
            ("MAX_CONCURRENT_PAGES", "2"),
        ],
    );
    fake.track_concurrency();
    let repos: Vec<SampleRepo> = (0..3).map(|_| SampleRepo::new()).collect();
    for repo in &repos {
        let started = post(
            &server,
            "/api/generate",
            As::Bearer(ADMIN_KEY),
            json!({"repo_path": repo.path().display().to_string()}),
        )
        .await;
        assert_eq!(started.status, 202, "{}", started.text());
    }
    for repo in &repos {
        assert_eq!(finished(&server, repo).await["status"], "ready");
    }
    let (in_all, in_one_job) = fake.peak_concurrency();
    assert_eq!(
        in_all, 3,
        "max_concurrent_ai_calls bounds the server, and is reached"
    );
    assert_eq!(
        in_one_job, 2,
        "MAX_CONCURRENT_PAGES bounds each job, and is reached"
    );
}
