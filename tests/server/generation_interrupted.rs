//! Generations that do not end on their own: aborted by a user, cut by a crash, or by the
//! server being stopped. None of them may damage the site served before.

use serde_json::{Value, json};

use crate::generation::{PAGES, abort, finished, generate, start, variant_path};
use crate::support::api::{ADMIN_KEY, As, delete, get, post};
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::server::RunningServer;
use crate::support::ws::{WsAuth, connect, listed};

/// The site of the run before the interrupted one still answers.
async fn the_earlier_site_is_served(server: &RunningServer, repo: &SampleRepo) {
    let index = get(
        server,
        &format!("/docs/{}/main/claude/opus/", repo.project()),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(index.status, 200, "the earlier site is still served");
}

/// A server whose variant of a fresh repository has a ready site and a second, forced run
/// stuck in its CLI.
async fn ready_then_stuck() -> (FakeClaude, RunningServer, SampleRepo) {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    generate(&server, &repo, json!({})).await;
    assert_eq!(finished(&server, &repo).await["status"], "ready");
    fake.slow(true);
    generate(&server, &repo, json!({"force": true})).await;
    fake.wait_for_slow_call().await;
    assert!(!fake.cli_processes().is_empty(), "the stuck CLI is running");
    (fake, server, repo)
}

#[tokio::test]
async fn aborting_stops_the_cli_and_keeps_the_previous_site() {
    let (fake, server, repo) = ready_then_stuck().await;
    let conflict = generate(&server, &repo, json!({"force": true})).await;
    assert_eq!(conflict.status, 409, "already generating");
    assert_eq!(
        delete(
            &server,
            &format!("{}?owner=admin", variant_path(&repo)),
            As::Bearer(ADMIN_KEY)
        )
        .await
        .status,
        409
    );

    let aborted = abort(&server, &repo).await;
    assert_eq!(aborted.status, 200, "{}", aborted.text());
    assert_eq!(
        aborted.json(),
        json!({"aborted": format!("{}/main/claude/opus", repo.project())})
    );
    assert!(fake.cli_gone_soon(), "the CLI outlived the abort");
    let variant = get(&server, &variant_path(&repo), As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert_eq!(variant["status"], "aborted");
    the_earlier_site_is_served(&server, &repo).await;
    let again = abort(&server, &repo).await;
    assert_eq!(again.status, 404);
    let named = post(
        &server,
        &format!("/api/projects/{}/abort", repo.project()),
        As::Bearer(ADMIN_KEY),
        json!({}),
    )
    .await;
    assert_eq!(named.status, 404);
}

#[tokio::test]
async fn a_crash_mid_generation_leaves_an_error_and_the_old_site() {
    let (fake, server, repo) = ready_then_stuck().await;
    fake.slow(false);
    let server = server.crash_and_restart();
    // A killed server cannot stop what it started, but its sandbox dies with it.
    assert!(
        fake.cli_gone_soon(),
        "the sandboxed CLI outlived a killed server"
    );
    let variant = get(&server, &variant_path(&repo), As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert_eq!(variant["status"], "error");
    assert_eq!(
        variant["error_message"],
        "Server restarted during generation"
    );
    the_earlier_site_is_served(&server, &repo).await;

    // The restarted server generates the variant again, and says so.
    let mut socket = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    assert_eq!(listed(&socket.sync().await).len(), 1);
    assert_eq!(
        generate(&server, &repo, json!({"force": true}))
            .await
            .status,
        202
    );
    let ended = socket.until("status_change").await;
    assert_eq!(ended.last().expect("status_change")["status"], "ready");
    let sync = socket.sync().await;
    assert_eq!(sync["projects"][0]["status"], "ready");
    let listing = get(&server, "/api/status", As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert_eq!(listing["projects"][0]["status"], "ready");
    assert_eq!(listing["projects"][0]["error_message"], Value::Null);
}

#[tokio::test]
async fn sigterm_mid_generation_stops_the_cli_and_the_run_ends_as_an_error() {
    let (fake, mut server, repo) = ready_then_stuck().await;
    assert!(
        server.terminate().success(),
        "SIGTERM stops the server cleanly"
    );
    assert!(fake.cli_gone_soon(), "the CLI outlived the server");
    fake.slow(false);
    let server = server.start_again();
    let variant = get(&server, &variant_path(&repo), As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert_eq!(variant["status"], "error");
    assert_eq!(variant["current_stage"], Value::Null);
    the_earlier_site_is_served(&server, &repo).await;
}
