//! `/api/auth/*`: login, logout, me and rotate-key, as a client sees them.

use serde_json::json;

use crate::support::api::{ADMIN_KEY, As, create_user, get, login, post, start_server};

#[tokio::test]
async fn admin_login_sets_the_documented_session_cookie() {
    let server = start_server();
    let answer = post(
        &server,
        "/api/auth/login",
        As::Anonymous,
        json!({"username": "admin", "api_key": ADMIN_KEY}),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.json(),
        json!({"username": "admin", "role": "admin", "is_admin": true})
    );
    let cookie = answer.header("set-cookie").expect("cookie");
    assert!(cookie.starts_with("docsfy_session="), "{cookie}");
    for attribute in ["HttpOnly", "SameSite=Strict", "Max-Age=28800", "Path=/"] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "SECURE_COOKIES=false: {cookie}");

    let token = login(&server, "admin", ADMIN_KEY).await;
    let me = get(&server, "/api/auth/me", As::Cookie(&token)).await;
    assert_eq!(me.json()["username"], "admin");
}

#[tokio::test]
async fn secure_cookies_are_marked_secure() {
    let server = crate::support::server::RunningServer::start("", &[("ADMIN_KEY", ADMIN_KEY)]);
    let answer = post(
        &server,
        "/api/auth/login",
        As::Anonymous,
        json!({"username": "admin", "api_key": ADMIN_KEY}),
    )
    .await;
    assert!(
        answer
            .header("set-cookie")
            .expect("cookie")
            .ends_with("; Secure")
    );
}

#[tokio::test]
async fn wrong_credentials_and_bad_bodies_are_refused() {
    let server = start_server();
    let alice = create_user(&server, "alice", "user").await;
    let cases = [
        (
            json!({"username": "admin", "api_key": "wrong-key-0123456789"}),
            401,
        ),
        // The admin key works only with the username `admin`.
        (json!({"username": "alice", "api_key": ADMIN_KEY}), 401),
        // A user's key works only with its own username.
        (json!({"username": "bob", "api_key": alice}), 401),
        // Spec: "401 ErrorResponse Username and API key did not authenticate." A JSON object
        // without usable credentials did not authenticate; "400 ErrorResponse Invalid JSON
        // body or body is not a JSON object" is for the rest.
        (json!({}), 401),
        (json!({"username": "alice"}), 401),
        (json!({"api_key": alice}), 401),
        (json!({"username": "", "api_key": ""}), 401),
        (json!({"username": "alice", "api_key": ""}), 401),
        (json!({"username": 7, "api_key": alice}), 401),
        (json!(["alice", alice]), 400),
        (json!("alice"), 400),
    ];
    for (body, status) in cases {
        let answer = post(&server, "/api/auth/login", As::Anonymous, body.clone()).await;
        assert_eq!(answer.status, status, "{body}: {}", answer.text());
        assert!(!answer.detail().is_empty(), "{body}: no detail");
        assert!(
            answer.header("set-cookie").is_none(),
            "{body}: a cookie was set"
        );
    }
    let client = reqwest::Client::new();
    let malformed = client
        .post(server.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .expect("sent");
    assert_eq!(malformed.status(), 400);
    let body: serde_json::Value = malformed.json().await.expect("JSON error");
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .starts_with("Invalid JSON body")
    );
}

#[tokio::test]
async fn me_answers_for_bearer_and_cookie_and_401_without() {
    let server = start_server();
    let key = create_user(&server, "vera", "viewer").await;
    let by_key = get(&server, "/api/auth/me", As::Bearer(&key)).await;
    assert_eq!(
        by_key.json(),
        json!({"username": "vera", "role": "viewer", "is_admin": false})
    );
    let token = login(&server, "vera", &key).await;
    assert_eq!(
        get(&server, "/api/auth/me", As::Cookie(&token))
            .await
            .json(),
        by_key.json()
    );
    let anonymous = get(&server, "/api/auth/me", As::Anonymous).await;
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.json(), json!({"detail": "Unauthorized"}));
    assert_eq!(
        get(&server, "/api/auth/me", As::Bearer("not-a-key-at-all-123"))
            .await
            .status,
        401
    );
    assert_eq!(
        get(&server, "/api/auth/me", As::Cookie("forged"))
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn logout_ends_the_session_and_clears_the_cookie() {
    let server = start_server();
    let token = login(&server, "admin", ADMIN_KEY).await;
    let answer = post(&server, "/api/auth/logout", As::Cookie(&token), json!({})).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), json!({"ok": true}));
    assert!(
        answer
            .header("set-cookie")
            .expect("cleared")
            .contains("Max-Age=0")
    );
    assert_eq!(
        get(&server, "/api/auth/me", As::Cookie(&token))
            .await
            .status,
        401
    );
    // Logging out without a session is fine too.
    let bare = reqwest::Client::new()
        .post(server.url("/api/auth/logout"))
        .send()
        .await
        .expect("sent");
    assert_eq!(bare.status(), 200);
}

#[tokio::test]
async fn rotating_a_key_replaces_it_and_ends_sessions() {
    let server = start_server();
    let old = create_user(&server, "alice", "user").await;
    let session = login(&server, "alice", &old).await;

    let answer = post(&server, "/api/auth/rotate-key", As::Bearer(&old), json!({})).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert!(
        answer
            .header("set-cookie")
            .expect("cleared")
            .contains("Max-Age=0")
    );
    let new = answer.json()["new_api_key"]
        .as_str()
        .expect("key")
        .to_string();
    assert_eq!(answer.json()["username"], "alice");
    assert_ne!(new, old);

    assert_eq!(
        get(&server, "/api/auth/me", As::Bearer(&old)).await.status,
        401,
        "old key"
    );
    assert_eq!(
        get(&server, "/api/auth/me", As::Cookie(&session))
            .await
            .status,
        401,
        "old session"
    );
    assert_eq!(
        get(&server, "/api/auth/me", As::Bearer(&new)).await.status,
        200,
        "new key"
    );

    let chosen = "my-very-secure-custom-password-123";
    let answer = post(
        &server,
        "/api/auth/rotate-key",
        As::Bearer(&new),
        json!({"new_key": chosen}),
    )
    .await;
    assert_eq!(answer.json()["new_api_key"], chosen);
    assert_eq!(
        get(&server, "/api/auth/me", As::Bearer(chosen))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn bad_rotations_are_400() {
    let server = start_server();
    let key = create_user(&server, "alice", "user").await;
    let short = post(
        &server,
        "/api/auth/rotate-key",
        As::Bearer(&key),
        json!({"new_key": "short"}),
    )
    .await;
    assert_eq!(short.status, 400);
    assert!(
        short.detail().contains("at least 16 characters"),
        "{}",
        short.detail()
    );
    let not_object = post(
        &server,
        "/api/auth/rotate-key",
        As::Bearer(&key),
        json!("x"),
    )
    .await;
    assert_eq!(not_object.status, 400);
    let admin = post(
        &server,
        "/api/auth/rotate-key",
        As::Bearer(ADMIN_KEY),
        json!({}),
    )
    .await;
    assert_eq!(admin.status, 400);
    assert!(admin.detail().contains("ADMIN_KEY"), "{}", admin.detail());
    // The old key still works after refused rotations.
    assert_eq!(
        get(&server, "/api/auth/me", As::Bearer(&key)).await.status,
        200
    );
}

#[tokio::test]
async fn a_database_admin_has_admin_powers() {
    let server = start_server();
    let root = create_user(&server, "root", "admin").await;
    let me = get(&server, "/api/auth/me", As::Bearer(&root)).await;
    assert_eq!(
        me.json(),
        json!({"username": "root", "role": "admin", "is_admin": true})
    );
    assert_eq!(
        get(&server, "/api/admin/users", As::Bearer(&root))
            .await
            .status,
        200
    );
    let created = post(
        &server,
        "/api/admin/users",
        As::Bearer(&root),
        json!({"username": "bob"}),
    )
    .await;
    assert_eq!(created.status, 200);
    // And may rotate its own key, unlike the ADMIN_KEY admin.
    assert_eq!(
        post(
            &server,
            "/api/auth/rotate-key",
            As::Bearer(&root),
            json!({})
        )
        .await
        .status,
        200
    );
}
