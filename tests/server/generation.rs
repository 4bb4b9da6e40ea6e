//! `POST /api/generate` end to end: a fake claude CLI, git repositories made in the test, the
//! real server, and what a client sees (status, served files, tarball, call counts).

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::api::{ADMIN_KEY, As, create_user, get, post};
use crate::support::fake_ai::{FakeClaude, SampleRepo, claude_result};
use crate::support::server::RunningServer;

pub(crate) const PAGES: &[(&str, &str)] = &[
    ("intro", "Introduction"),
    ("usage", "Usage"),
    ("api", "API"),
];

pub(crate) fn start(fake: &FakeClaude) -> RunningServer {
    start_with(fake, "")
}

/// A server with `config` as its config file whose claude is `fake`.
pub(crate) fn start_with(fake: &FakeClaude, config: &str) -> RunningServer {
    fake.server(config)
}

pub(crate) fn variant_path(repo: &SampleRepo) -> String {
    format!("/api/projects/{}/main/claude/opus", repo.project())
}

pub(crate) async fn generate(
    server: &RunningServer,
    repo: &SampleRepo,
    extra: Value,
) -> crate::support::api::Answer {
    let mut body = json!({"repo_path": repo.path().display().to_string(), "ai_provider": "claude"});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    post(server, "/api/generate", As::Bearer(ADMIN_KEY), body).await
}

/// Aborts the generation of `repo`'s variant as the admin.
pub(crate) async fn abort(
    server: &RunningServer,
    repo: &SampleRepo,
) -> crate::support::api::Answer {
    post(
        server,
        &format!("{}/abort", variant_path(repo)),
        As::Bearer(ADMIN_KEY),
        json!({}),
    )
    .await
}

/// Polls the variant until it leaves `generating`.
pub(crate) async fn finished(server: &RunningServer, repo: &SampleRepo) -> Value {
    finished_at(server, &variant_path(repo)).await
}

/// Polls the variant at `path` until it leaves `generating`.
pub(crate) async fn finished_at(server: &RunningServer, path: &str) -> Value {
    for _ in 0..600 {
        let variant = get(server, path, As::Bearer(ADMIN_KEY)).await.json();
        if variant["status"] != "generating" {
            return variant;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the generation did not finish");
}

fn page_calls(calls: &[String]) -> usize {
    calls.iter().filter(|c| c.starts_with("page")).count()
}

#[tokio::test]
async fn a_generation_goes_from_202_to_a_served_site() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    let accepted = generate(&server, &repo, json!({})).await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let id = accepted.json()["generation_id"]
        .as_str()
        .expect("a generation id")
        .to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_eq!(
        accepted.json(),
        json!({"project": repo.project(), "status": "generating", "branch": "main", "generation_id": id})
    );

    let variant = finished(&server, &repo).await;
    assert_eq!(variant["status"], "ready", "{variant}");
    assert_eq!(variant["page_count"], 3);
    assert_eq!(variant["owner"], "admin");
    assert_eq!(
        variant["generation_id"],
        id.as_str(),
        "the id is kept after the run"
    );
    assert_eq!(variant["current_stage"], Value::Null);
    assert!(
        variant["last_commit_sha"]
            .as_str()
            .is_some_and(|s| s.len() == 40)
    );
    assert!(
        variant["plan_json"]
            .as_str()
            .expect("plan")
            .contains("\"usage\"")
    );
    assert_eq!(fake.calls().iter().filter(|c| *c == "plan").count(), 1);
    assert_eq!(page_calls(&fake.calls()), 3);

    let docs = format!("/docs/{}/main/claude/opus", repo.project());
    let usage = get(
        &server,
        &format!("{docs}/usage.html"),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(usage.status, 200);
    assert!(
        usage.text().contains("This page explains Usage"),
        "{}",
        usage.text()
    );
    assert!(usage.text().contains("Related pages"), "cross-linked");
    let index = get(&server, &format!("{docs}/"), As::Bearer(ADMIN_KEY)).await;
    assert!(index.text().contains("Sample"));
    let llms = get(&server, &format!("{docs}/llms.txt"), As::Bearer(ADMIN_KEY)).await;
    assert!(
        llms.text().contains("- [API](api.md): About API"),
        "{}",
        llms.text()
    );
    let tarball = get(
        &server,
        &format!("{}/download", variant_path(&repo)),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(tarball.status, 200);
    assert!(tarball.body.len() > 500);
}

#[tokio::test]
async fn the_same_commit_is_up_to_date_without_ai_and_force_regenerates() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    generate(&server, &repo, json!({})).await;
    finished(&server, &repo).await;
    let before = fake.calls().len();

    assert_eq!(generate(&server, &repo, json!({})).await.status, 202);
    let variant = finished(&server, &repo).await;
    assert_eq!(variant["status"], "ready");
    assert_eq!(variant["current_stage"], "up_to_date");
    assert_eq!(
        fake.calls().len(),
        before,
        "no AI call for an unchanged commit"
    );

    assert_eq!(
        generate(&server, &repo, json!({"force": true}))
            .await
            .status,
        202
    );
    let forced = finished(&server, &repo).await;
    assert_eq!(forced["status"], "ready");
    assert_eq!(forced["current_stage"], Value::Null);
    let calls = fake.calls();
    assert_eq!(
        calls[before..].iter().filter(|c| *c == "plan").count(),
        1,
        "{calls:?}"
    );
    assert_eq!(page_calls(&calls[before..]), 3, "{calls:?}");
}

#[tokio::test]
async fn a_new_commit_updates_only_the_pages_the_ai_names() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    generate(&server, &repo, json!({})).await;
    finished(&server, &repo).await;
    let before = fake.calls().len();

    repo.commit(&[("src/api.rs", "pub fn get() {}\n")], "add the api");
    fake.answer("redo", &claude_result("[\"api\", \"usage\"]"));
    // The api page can be patched; the usage page's edit does not apply, so it is rewritten.
    fake.answer(
        "update",
        &claude_result(r#"{"edits": [{"find": "This page explains API", "replace": "This page explains the new API"}]}"#),
    );
    assert_eq!(generate(&server, &repo, json!({})).await.status, 202);
    let variant = finished(&server, &repo).await;
    assert_eq!(variant["status"], "ready", "{variant}");
    let calls = fake.calls()[before..].to_vec();
    assert_eq!(
        calls.iter().filter(|c| *c == "plan").count(),
        0,
        "{calls:?}"
    );
    assert_eq!(
        calls.iter().filter(|c| *c == "redo").count(),
        1,
        "{calls:?}"
    );
    assert_eq!(
        calls.iter().filter(|c| *c == "update").count(),
        2,
        "{calls:?}"
    );
    assert_eq!(
        calls
            .iter()
            .filter(|c| c.starts_with("page"))
            .cloned()
            .collect::<Vec<_>>(),
        ["page Usage"],
        "{calls:?}"
    );

    let docs = format!("/docs/{}/main/claude/opus", repo.project());
    let api = get(&server, &format!("{docs}/api.md"), As::Bearer(ADMIN_KEY))
        .await
        .text();
    assert!(api.contains("This page explains the new API"), "{api}");
    let intro = get(&server, &format!("{docs}/intro.md"), As::Bearer(ADMIN_KEY))
        .await
        .text();
    assert!(
        intro.contains("This page explains Introduction"),
        "untouched: {intro}"
    );
}

#[tokio::test]
async fn a_garbage_plan_fails_clearly_after_one_retry() {
    let fake = FakeClaude::new(PAGES);
    fake.answer("plan", &claude_result("I would rather write a poem."));
    let server = start(&fake);
    let repo = SampleRepo::new();
    generate(&server, &repo, json!({})).await;
    let variant = finished(&server, &repo).await;
    assert_eq!(variant["status"], "error");
    let message = variant["error_message"].as_str().expect("message");
    assert!(
        message.contains("unusable documentation plan twice"),
        "{message}"
    );
    assert!(message.contains("no JSON object"), "{message}");
    assert_eq!(fake.calls(), ["plan", "plan"]);
}

#[tokio::test]
async fn a_missing_cli_ends_in_an_error_naming_it() {
    let server = RunningServer::start("", &[("ADMIN_KEY", ADMIN_KEY), ("PATH", "/usr/bin:/bin")]);
    let repo = SampleRepo::new();
    generate(&server, &repo, json!({"ai_model": "opus"})).await;
    let variant = finished(&server, &repo).await;
    assert_eq!(variant["status"], "error");
    assert_eq!(
        variant["error_message"],
        "claude 0.1.0: claude CLI not found on PATH"
    );
}

#[tokio::test]
async fn another_model_is_a_separate_variant() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    generate(&server, &repo, json!({})).await;
    finished(&server, &repo).await;
    assert_eq!(
        generate(&server, &repo, json!({"ai_model": "sonnet"}))
            .await
            .status,
        202
    );
    let sonnet = format!("/api/projects/{}/main/claude/sonnet", repo.project());
    assert_eq!(finished_at(&server, &sonnet).await["status"], "ready");
    let project = get(
        &server,
        &format!("/api/projects/{}", repo.project()),
        As::Bearer(ADMIN_KEY),
    )
    .await
    .json();
    let models: Vec<&str> = project["variants"]
        .as_array()
        .expect("variants")
        .iter()
        .filter_map(|v| v["ai_model"].as_str())
        .collect();
    assert_eq!(models.len(), 2, "{project}");
    assert!(models.contains(&"opus") && models.contains(&"sonnet"));
}

#[tokio::test]
async fn bad_generate_requests_get_the_documented_statuses() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    let user = create_user(&server, "alice", "user").await;
    let viewer = create_user(&server, "vic", "viewer").await;
    let path = repo.path().display().to_string();
    let not_git = tempfile::tempdir().expect("plain dir");
    let cases: Vec<(As<'_>, Value, u16, &str)> = vec![
        (
            As::Bearer(ADMIN_KEY),
            json!({"repo_url": "not-a-url"}),
            422,
            "Invalid git repository URL",
        ),
        (
            As::Bearer(ADMIN_KEY),
            json!({}),
            422,
            "Either 'repo_url' or 'repo_path'",
        ),
        (
            As::Bearer(ADMIN_KEY),
            json!({"repo_url": "https://github.com/o/r", "repo_path": path}),
            422,
            "not both",
        ),
        (
            As::Bearer(ADMIN_KEY),
            json!({"repo_path": "relative/path"}),
            422,
            "absolute",
        ),
        (
            As::Bearer(ADMIN_KEY),
            json!({"repo_path": path, "ai_cli_timeout": 0}),
            422,
            "greater than 0",
        ),
        (
            As::Bearer(ADMIN_KEY),
            json!({"repo_path": path, "branch": "feature//x"}),
            422,
            "Invalid branch",
        ),
        (
            As::Bearer(ADMIN_KEY),
            json!({"repo_path": path, "ai_provider": "watsonx"}),
            422,
            "Must be one of: claude, cursor, gemini",
        ),
        (
            As::Bearer(ADMIN_KEY),
            json!({"repo_path": path, "ai_provider": "CLAUDE"}),
            422,
            "Invalid AI provider: 'CLAUDE'. Must be one of: claude, cursor, gemini",
        ),
        (
            As::Bearer(ADMIN_KEY),
            json!({"repo_path": "/nonexistent/repo"}),
            400,
            "does not exist",
        ),
        (
            As::Bearer(ADMIN_KEY),
            json!({"repo_path": not_git.path().display().to_string()}),
            400,
            "not a git repository",
        ),
        (
            As::Bearer(ADMIN_KEY),
            json!({"repo_url": "https://localhost/org/repo.git"}),
            400,
            "not a public address",
        ),
        (
            As::Bearer(ADMIN_KEY),
            json!({"repo_url": "http://127.0.0.1/org/repo"}),
            400,
            "not a public address",
        ),
        (
            As::Bearer(&user),
            json!({"repo_path": path}),
            403,
            "admin privileges",
        ),
        (
            As::Bearer(&viewer),
            json!({"repo_url": "https://github.com/o/r"}),
            403,
            "Write access required",
        ),
        (
            As::Anonymous,
            json!({"repo_url": "https://github.com/o/r"}),
            401,
            "Unauthorized",
        ),
    ];
    for (who, body, status, fragment) in cases {
        let answer = post(&server, "/api/generate", who, body.clone()).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.text());
        assert!(
            answer.detail().contains(fragment),
            "{body}: {}",
            answer.detail()
        );
    }
    let malformed = reqwest::Client::new()
        .post(server.url("/api/generate"))
        .bearer_auth(ADMIN_KEY)
        .body("{oops")
        .send()
        .await
        .expect("sent");
    assert_eq!(malformed.status(), 422);
    assert!(fake.calls().is_empty());
}
