//! The bytes docsfy clients parse, compared with golden text: field names, their order, the
//! text of statuses and stages, nulls, and what is left out. Only values that cannot be known
//! in advance (times, the commit, the plan) are filled in from the answer itself.

use serde_json::{Value, json};

use crate::generation::{PAGES, generate, start};
use crate::support::api::{ADMIN_KEY, As, get};
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::ws::{WsAuth, connect};

/// A JSON string literal, as serde writes it.
fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string")
}

#[tokio::test]
async fn status_variant_and_websocket_messages_match_the_golden_text() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    let name = repo.project();
    let mut socket = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    assert_eq!(
        socket.next_text().await,
        r#"{"type":"sync","projects":[],"known_models":{},"known_branches":{},"total_cost_usd":0.0}"#
    );

    let accepted = generate(&server, &repo, json!({})).await;
    assert_eq!(accepted.status, 202);
    let id = accepted.json()["generation_id"]
        .as_str()
        .expect("the generation's id")
        .to_string();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let with_id = format!(",\"generation_id\":\"{id}\"}}");
    let mut texts = Vec::new();
    loop {
        let text = socket.next_text().await;
        let kind = serde_json::from_str::<Value>(&text).expect("JSON")["type"].clone();
        texts.push(text);
        if kind == "status_change" {
            break;
        }
    }
    let progress = |stage: &str, pages: usize| {
        format!(
            r#"{{"type":"progress","name":{name},"branch":"main","provider":"claude","model":"opus","owner":"admin","status":"generating","current_stage":"{stage}","page_count":{pages}"#,
            name = quoted(&name),
        )
    };
    let cloning = progress("cloning", 0) + &with_id;
    assert!(
        texts.contains(&cloning),
        "no message is exactly {cloning}: {texts:#?}"
    );
    let rendering = texts
        .iter()
        .find(|t| t.starts_with(&progress("rendering", PAGES.len())))
        .expect("a rendering progress message");
    let plan: Value = serde_json::from_str(rendering).expect("JSON");
    let plan_json = plan["plan_json"]
        .as_str()
        .expect("progress carries the plan");
    assert_eq!(
        *rendering,
        format!(
            "{},\"plan_json\":{}{with_id}",
            progress("rendering", PAGES.len()),
            quoted(plan_json)
        )
    );

    let status: Value = serde_json::from_str(texts.last().expect("status_change")).expect("JSON");
    let commit = status["last_commit_sha"].as_str().expect("a commit");
    let generated = status["last_generated"].as_str().expect("a time");
    let started = status["generation_started_at"].as_str().expect("a start");
    let took = status["generation_duration"].as_f64().expect("a duration");
    assert!((0.0..60.0).contains(&took), "{took}");
    let timing = format!(
        r#""total_cost_usd":0.0,"generation_started_at":"{started}","generation_duration":{}"#,
        serde_json::to_string(&status["generation_duration"]).expect("number")
    );
    assert_eq!(
        *texts.last().expect("status_change"),
        format!(
            r#"{{"type":"status_change","name":{name},"branch":"main","provider":"claude","model":"opus","owner":"admin","status":"ready","page_count":3,"last_generated":"{generated}","last_commit_sha":"{commit}","generation_id":"{id}",{timing}}}"#,
            name = quoted(&name),
        )
    );

    let listing = get(&server, "/api/status", As::Bearer(ADMIN_KEY)).await;
    let parsed = listing.json();
    let stored = &parsed["projects"][0];
    let object = format!(
        r#"{{"name":{name},"branch":"main","ai_provider":"claude","ai_model":"opus","owner":"admin","repo_url":{url},"status":"ready","current_stage":null,"last_commit_sha":"{commit}","last_generated":"{generated}","page_count":3,"error_message":null,"plan_json":{plan},"created_at":{created},"updated_at":{updated},"generation_id":"{id}",{stored_timing}}}"#,
        // The Project object also carries the tokens the generation used.
        stored_timing = timing.replace(
            r#""total_cost_usd":0.0,"#,
            r#""total_cost_usd":0.0,"total_input_tokens":0,"total_output_tokens":0,"#
        ),
        name = quoted(&name),
        url = quoted(&repo.path().display().to_string()),
        plan = quoted(stored["plan_json"].as_str().expect("plan")),
        created = quoted(stored["created_at"].as_str().expect("created_at")),
        updated = quoted(stored["updated_at"].as_str().expect("updated_at")),
    );
    assert_eq!(
        listing.text(),
        format!(
            r#"{{"projects":[{object}],"known_models":{{"claude":["opus"]}},"known_branches":{{{name}:["main"]}},"total_cost_usd":0.0}}"#,
            name = quoted(&name),
        )
    );
    let one = get(
        &server,
        &format!("/api/projects/{name}/main/claude/opus"),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(one.text(), object, "one variant is the listing's object");
}
