//! One user, or everyone together, cannot start more generations than the operator allows,
//! nor make one AI call wait longer than the server's maximum.

use serde_json::json;

use crate::generation::{PAGES, finished};
use crate::support::api::{ADMIN_KEY, As, create_user, get, post};
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::server::RunningServer;

fn server(fake: &FakeClaude, config: &str) -> RunningServer {
    crate::generation::start_with(fake, config)
}

async fn generate_as(server: &RunningServer, key: &str, repo: &SampleRepo) -> (u16, String) {
    let answer = post(
        server,
        "/api/generate",
        As::Bearer(key),
        json!({"repo_path": repo.path().display().to_string()}),
    )
    .await;
    (answer.status, answer.detail())
}

#[tokio::test]
async fn generations_past_the_limits_answer_429_and_change_nothing() {
    let fake = FakeClaude::new(PAGES);
    let server = server(
        &fake,
        "[generations]\nrunning_per_user = 1\nrunning_total = 2\n",
    );
    let root = create_user(&server, "root", "admin").await;
    let ops = create_user(&server, "ops", "admin").await;
    let repos: Vec<SampleRepo> = (0..3).map(|_| SampleRepo::new()).collect();
    fake.slow(true);

    assert_eq!(generate_as(&server, ADMIN_KEY, &repos[0]).await.0, 202);
    let (status, detail) = generate_as(&server, ADMIN_KEY, &repos[1]).await;
    assert_eq!(status, 429, "{detail}");
    assert_eq!(
        detail,
        "You already have 1 generation(s) running, the most you may; try again when one has finished"
    );
    let untouched = get(
        &server,
        &format!("/api/projects/{}", repos[1].project()),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(untouched.status, 404, "the refused request left no variant");

    assert_eq!(generate_as(&server, &root, &repos[1]).await.0, 202);
    let (status, detail) = generate_as(&server, &ops, &repos[2]).await;
    assert_eq!(status, 429, "{detail}");
    assert!(
        detail.starts_with("The server is running 2 generation(s)"),
        "{detail}"
    );

    for (key, repo) in [(ADMIN_KEY, &repos[0]), (root.as_str(), &repos[1])] {
        let aborted = post(
            &server,
            &format!("/api/projects/{}/abort", repo.project()),
            As::Bearer(key),
            json!({}),
        )
        .await;
        assert_eq!(aborted.status, 200, "{}", aborted.text());
    }
    fake.slow(false);
    assert_eq!(
        generate_as(&server, &ops, &repos[2]).await.0,
        202,
        "room again"
    );
}

#[tokio::test]
async fn a_request_cannot_make_an_ai_call_wait_longer_than_the_server_allows() {
    let fake = FakeClaude::new(PAGES);
    let server = server(
        &fake,
        "ai_cli_timeout = 1\n[generations]\nmax_ai_cli_timeout = 1\n",
    );
    let repo = SampleRepo::new();
    fake.slow(true);
    let accepted = post(
        &server,
        "/api/generate",
        As::Bearer(ADMIN_KEY),
        json!({"repo_path": repo.path().display().to_string(), "ai_cli_timeout": 3600}),
    )
    .await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let variant = finished(&server, &repo).await;
    assert_eq!(variant["status"], "error");
    let message = variant["error_message"].as_str().expect("a message");
    assert!(
        message.contains("within 1 s"),
        "stopped at the server's maximum: {message}"
    );
}
