//! Headers that keep a generated page from doing more than showing itself, and every answer
//! from being sniffed into another type.

use crate::support::api::{ADMIN_KEY, As, Seed, create_user, get, seed, start_server};

#[tokio::test]
async fn generated_pages_carry_a_strict_policy_and_every_answer_nosniff() {
    let server = start_server();
    let alice = create_user(&server, "alice", "user").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    for path in [
        "/docs/alpha/main/claude/opus/index.html",
        "/docs/alpha/style.css",
    ] {
        let page = get(&server, path, As::Bearer(&alice)).await;
        assert_eq!(page.status, 200, "{path}");
        let policy = page.header("content-security-policy").expect("a CSP");
        for directive in [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "frame-ancestors 'self'",
            "base-uri 'none'",
            "form-action 'none'",
        ] {
            assert!(
                policy.contains(directive),
                "{path}: {directive} missing in {policy}"
            );
        }
        assert!(!policy.contains("unsafe"), "{policy}");
        assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    }
    for (path, who, status) in [
        ("/api/status", As::Bearer(ADMIN_KEY), 200),
        ("/api/status", As::Anonymous, 401),
        ("/health", As::Anonymous, 200),
        ("/no/such/thing", As::Anonymous, 404),
    ] {
        let answer = get(&server, path, who).await;
        assert_eq!(answer.status, status, "{path}");
        assert_eq!(
            answer.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn answers_that_carry_a_key_are_never_stored() {
    let server = start_server();
    let created = crate::support::api::post(
        &server,
        "/api/admin/users",
        As::Bearer(ADMIN_KEY),
        serde_json::json!({"username": "alice", "role": "user"}),
    )
    .await;
    assert_eq!(created.status, 200);
    assert_eq!(created.header("cache-control"), Some("no-store"));
    let key = created.json()["api_key"].as_str().expect("key").to_string();
    for (path, who) in [
        ("/api/auth/rotate-key", As::Bearer(&key)),
        ("/api/admin/users/alice/rotate-key", As::Bearer(ADMIN_KEY)),
    ] {
        let rotated = crate::support::api::post(&server, path, who, serde_json::json!({})).await;
        assert_eq!(rotated.status, 200, "{path}: {}", rotated.text());
        assert_eq!(rotated.header("cache-control"), Some("no-store"), "{path}");
    }
}
