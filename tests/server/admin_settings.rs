//! `GET`/`PUT /api/admin/settings` (docsfy 1.9): run-time defaults stored in the database,
//! used by the next generation without a restart, overridden by what the environment or the
//! config file sets, refused with 422 when invalid.

use serde_json::json;

use crate::generation::{PAGES, finished, generate, start};
use crate::support::api::{ADMIN_KEY, As, create_user, get, request};
use crate::support::fake_ai::{FakeClaude, SampleRepo};

async fn put(
    server: &crate::support::server::RunningServer,
    who: As<'_>,
    body: serde_json::Value,
) -> crate::support::api::Answer {
    request(
        server,
        reqwest::Method::PUT,
        "/api/admin/settings",
        who,
        Some(body),
    )
    .await
}

#[tokio::test]
async fn an_admin_changes_the_defaults_of_the_next_generation() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let shown = get(&server, "/api/admin/settings", As::Bearer(ADMIN_KEY)).await;
    assert_eq!(shown.status, 200, "{}", shown.text());
    assert_eq!(
        shown.json(),
        json!({
            "settings": {"ai_provider": "claude", "ai_model": "opus", "ai_cli_timeout": 600, "max_concurrent_pages": 10},
            "overridden": ["ai_model"],
        }),
        "AI_MODEL is set in the server's environment"
    );

    let changed = put(
        &server,
        As::Bearer(ADMIN_KEY),
        json!({"max_concurrent_pages": 1, "ai_cli_timeout": 30, "ai_model": "sonnet"}),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    let settings = &changed.json()["settings"];
    assert_eq!(settings["max_concurrent_pages"], 1);
    assert_eq!(settings["ai_cli_timeout"], 30);
    assert_eq!(settings["ai_model"], "opus", "the environment wins");

    fake.track_concurrency();
    let repo = SampleRepo::new();
    assert_eq!(generate(&server, &repo, json!({})).await.status, 202);
    assert_eq!(finished(&server, &repo).await["status"], "ready");
    let (_, per_job) = fake.peak_concurrency();
    assert_eq!(per_job, 1, "the next generation writes one page at a time");

    let server = {
        let mut server = server;
        server.terminate();
        server.start_again()
    };
    let kept = get(&server, "/api/admin/settings", As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert_eq!(
        kept["settings"]["max_concurrent_pages"], 1,
        "stored in the database"
    );
}

#[tokio::test]
async fn the_default_provider_changes_without_a_restart_and_bad_values_change_nothing() {
    let server = crate::support::api::start_server();
    let before = get(&server, "/api/admin/settings", As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert_eq!(before["overridden"], json!([]));
    for (body, detail) in [
        (
            json!({"max_concurrent_pages": 0}),
            "max_concurrent_pages must be an integer from 1 to 100",
        ),
        (
            json!({"ai_cli_timeout": "60"}),
            "ai_cli_timeout must be an integer from 1 to 3600",
        ),
        (
            json!({"ai_cli_timeout": 99999}),
            "ai_cli_timeout must be an integer from 1 to 3600",
        ),
        (
            json!({"ai_provider": "watsonx"}),
            "Invalid AI provider: 'watsonx'. Must be one of: claude, cursor, gemini, openai",
        ),
        (json!({"ai_model": 3}), "ai_model must be a string"),
        (
            json!({"colour": "blue"}),
            "Unknown setting 'colour'. Settings: ai_provider, ai_model, ai_cli_timeout, max_concurrent_pages",
        ),
        (
            json!({"ai_provider": "gemini", "max_concurrent_pages": -1}),
            "max_concurrent_pages must be an integer from 1 to 100",
        ),
    ] {
        let refused = put(&server, As::Bearer(ADMIN_KEY), body.clone()).await;
        assert_eq!(refused.status, 422, "{body}");
        assert_eq!(refused.detail(), detail, "{body}");
    }
    let after = get(&server, "/api/admin/settings", As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert_eq!(after, before, "a refused request changes nothing");

    let alice = create_user(&server, "alice", "user").await;
    assert_eq!(
        get(&server, "/api/admin/settings", As::Bearer(&alice))
            .await
            .status,
        403
    );
    assert_eq!(
        put(
            &server,
            As::Bearer(&alice),
            json!({"ai_provider": "gemini"})
        )
        .await
        .status,
        403
    );
    assert_eq!(
        get(&server, "/api/admin/settings", As::Anonymous)
            .await
            .status,
        401
    );

    let set = put(
        &server,
        As::Bearer(ADMIN_KEY),
        json!({"ai_provider": "gemini", "ai_model": ""}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text());
    let models = get(&server, "/api/models", As::Anonymous).await.json();
    assert_eq!(models["default_provider"], "gemini", "in force at once");
}
