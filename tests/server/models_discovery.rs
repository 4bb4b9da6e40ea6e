//! Model discovery (docsfy 1.9): `GET /api/models` carries `available_models` per provider
//! next to today's fields, and `POST /api/models/refresh` (admins) asks the providers again.

use serde_json::{Value, json};

use crate::support::api::{ADMIN_KEY, As, create_user, get, post, start_server};

fn ids(models: &Value, provider: &str) -> Vec<String> {
    models["available_models"][provider]
        .as_array()
        .unwrap_or_else(|| panic!("{provider}: {models}"))
        .iter()
        .map(|m| {
            assert_eq!(m["id"], m["name"], "{m}");
            m["id"].as_str().expect("an id").to_string()
        })
        .collect()
}

#[tokio::test]
async fn every_provider_offers_its_models_and_an_admin_can_ask_again() {
    let server = start_server();
    let models = get(&server, "/api/models", As::Anonymous).await;
    assert_eq!(models.status, 200);
    let models = models.json();
    for field in [
        "providers",
        "default_provider",
        "default_model",
        "known_models",
    ] {
        assert!(
            models.get(field).is_some(),
            "{field} is still there: {models}"
        );
    }
    assert_eq!(
        ids(&models, "claude"),
        ["claude-opus-4-6[1m]", "opus", "sonnet", "haiku"],
        "the provider's default first, then its list"
    );
    assert_eq!(ids(&models, "gemini")[0], "gemini-2.5-pro");
    assert_eq!(ids(&models, "cursor")[0], "auto");

    let refreshed = post(
        &server,
        "/api/models/refresh",
        As::Bearer(ADMIN_KEY),
        json!({}),
    )
    .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.text());
    assert_eq!(
        refreshed.json()["available_models"],
        models["available_models"]
    );
    let alice = create_user(&server, "alice", "user").await;
    assert_eq!(
        post(
            &server,
            "/api/models/refresh",
            As::Bearer(&alice),
            json!({})
        )
        .await
        .status,
        403
    );
    assert_eq!(
        post(&server, "/api/models/refresh", As::Anonymous, json!({}))
            .await
            .status,
        401
    );
}
