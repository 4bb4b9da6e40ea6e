//! The server's public basics: health, models (with third-party providers), and JSON errors
//! for anything it does not serve.

use crate::support::probe_plugins;
use crate::support::server::RunningServer;

#[tokio::test]
async fn models_lists_every_loaded_provider_with_the_defaults() {
    let (_plugins, config) = probe_plugins();
    let server = RunningServer::start(&config, &[("AI_PROVIDER", "gemini")]);

    let response = reqwest::get(server.url("/api/models")).await.expect("GET");
    assert_eq!(response.status(), 200);
    let mut body: serde_json::Value = response.json().await.expect("JSON");
    let available = body
        .as_object_mut()
        .and_then(|b| b.remove("available_models"))
        .expect("available_models (models_discovery tests it)");
    assert_eq!(
        available["sandbox-probe"],
        serde_json::json!([{"id": "none", "name": "none"}])
    );
    assert_eq!(
        body,
        serde_json::json!({
            "providers": ["claude", "cursor", "gemini", "openai", "sandbox-probe"],
            "default_provider": "gemini",
            "default_model": "gemini-2.5-pro",
            "known_models": {},
        })
    );
}

#[tokio::test]
async fn health_answers_and_unknown_routes_get_json_errors() {
    let server = RunningServer::start("", &[("AI_MODEL", "opus")]);
    let client = reqwest::Client::new();

    let health = client.get(server.url("/health")).send().await.expect("GET");
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<serde_json::Value>().await.expect("JSON")["status"],
        "ok"
    );

    let models: serde_json::Value = client
        .get(server.url("/api/models"))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        models["default_model"], "opus",
        "AI_MODEL overrides the provider's default"
    );

    let missing = client
        .get(server.url("/api/nothing-here"))
        .send()
        .await
        .expect("GET");
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.headers()["content-type"], "application/json");
    assert_eq!(
        missing.json::<serde_json::Value>().await.expect("JSON"),
        serde_json::json!({"detail": "Not Found"})
    );

    let wrong_method = client
        .delete(server.url("/health"))
        .send()
        .await
        .expect("DELETE");
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(
        wrong_method
            .json::<serde_json::Value>()
            .await
            .expect("JSON"),
        serde_json::json!({"detail": "Method Not Allowed"})
    );
}

#[tokio::test]
async fn models_reports_the_models_of_ready_variants() {
    use crate::support::api::{Seed, seed};
    let server = RunningServer::start("", &[("ADMIN_KEY", crate::support::api::ADMIN_KEY)]);
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    seed(
        server.data_dir.path(),
        &Seed {
            provider: "gemini",
            model: "flash",
            ..Seed::ready("bob", "beta")
        },
    )
    .await;
    seed(
        server.data_dir.path(),
        &Seed {
            status: "error",
            model: "broken",
            ..Seed::ready("bob", "gamma")
        },
    )
    .await;
    let body: serde_json::Value = reqwest::get(server.url("/api/models"))
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        body["known_models"],
        serde_json::json!({"claude": ["opus"], "gemini": ["flash"]})
    );
}
