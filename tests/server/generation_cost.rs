//! Cost and timing (docsfy 1.9): what the providers report per call is summed per
//! generation, shown on the variant, in `status_change`, across the listing and by
//! `GET /api/cost`; zero, not missing, when a provider reports nothing.

use serde_json::json;

use crate::generation::{PAGES, finished, generate, start, variant_path};
use crate::support::api::{ADMIN_KEY, As, create_user, get};
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::ws::{WsAuth, connect};

#[tokio::test]
async fn the_cost_of_every_call_is_summed_per_generation() {
    let fake = FakeClaude::new(PAGES);
    fake.report_cost(0.25);
    let server = start(&fake);
    let alice = create_user(&server, "alice", "user").await;
    let repo = SampleRepo::new();
    let mut socket = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    socket.sync().await;
    assert_eq!(generate(&server, &repo, json!({})).await.status, 202);
    let ended = socket.until("status_change").await;
    let status_change = ended.last().expect("status_change");
    assert_eq!(
        status_change["total_cost_usd"], 1.0,
        "a plan and three pages at 0.25"
    );
    assert!(
        status_change["generation_duration"].as_f64().is_some(),
        "{status_change}"
    );
    let variant = finished(&server, &repo).await;
    assert_eq!(variant["total_cost_usd"], 1.0);
    assert_eq!(
        variant["generation_started_at"],
        status_change["generation_started_at"]
    );

    let listing = get(&server, "/api/status", As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert_eq!(listing["total_cost_usd"], 1.0);
    let cost = get(&server, "/api/cost", As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert_eq!(cost["total_cost_usd"], 1.0);
    assert_eq!(cost["projects"][0]["name"], repo.project());
    assert_eq!(cost["projects"][0]["owner"], "admin");
    assert_eq!(cost["projects"][0]["variants"][0]["ai_model"], "opus");
    assert_eq!(cost["projects"][0]["variants"][0]["total_cost_usd"], 1.0);
    let theirs = get(&server, "/api/cost", As::Bearer(&alice)).await.json();
    assert_eq!(
        theirs,
        json!({"total_cost_usd": 0.0, "projects": []}),
        "only what alice sees"
    );
    assert_eq!(get(&server, "/api/cost", As::Anonymous).await.status, 401);

    // The same commit again costs nothing: it is up to date without an AI call.
    assert_eq!(generate(&server, &repo, json!({})).await.status, 202);
    let again = finished(&server, &repo).await;
    assert_eq!(again["total_cost_usd"], 0.0);
    let path = variant_path(&repo);
    assert_eq!(
        get(&server, &path, As::Bearer(ADMIN_KEY)).await.json()["total_cost_usd"],
        0.0
    );
}
