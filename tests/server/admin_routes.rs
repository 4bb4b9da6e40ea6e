//! `/api/admin/*`: users and project sharing.

use serde_json::json;

use crate::generation::{PAGES, start};
use crate::support::fake_ai::{FakeClaude, SampleRepo};

use crate::support::api::{
    ADMIN_KEY, As, Seed, create_user, delete, get, login, post, revoke, seed, start_server,
};

#[tokio::test]
async fn creating_users_returns_their_key_once() {
    let server = start_server();
    let answer = post(
        &server,
        "/api/admin/users",
        As::Bearer(ADMIN_KEY),
        json!({"username": "alice", "role": "viewer"}),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let body = answer.json();
    assert_eq!(body["username"], "alice");
    assert_eq!(body["role"], "viewer");
    let key = body["api_key"].as_str().expect("key");
    assert!(key.len() >= 32, "high entropy: {key}");
    let default_role = post(
        &server,
        "/api/admin/users",
        As::Bearer(ADMIN_KEY),
        json!({"username": "bob"}),
    )
    .await;
    assert_eq!(default_role.json()["role"], "user");

    let users = get(&server, "/api/admin/users", As::Bearer(ADMIN_KEY))
        .await
        .json();
    let listed = users["users"].as_array().expect("users");
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["username"], "alice");
    assert_eq!(listed[0]["role"], "viewer");
    assert!(listed[0]["id"].is_i64() && listed[0]["created_at"].is_string());
    let text = users.to_string();
    assert!(
        !text.contains(key) && !text.contains("argon2") && !text.contains("key"),
        "{text}"
    );
}

#[tokio::test]
async fn invalid_user_requests_are_400() {
    let server = start_server();
    create_user(&server, "alice", "user").await;
    for (body, fragment) in [
        (json!({}), "'username' is required"),
        (json!({"username": "a"}), "Invalid username"),
        (json!({"username": "has space"}), "Invalid username"),
        (json!({"username": "x".repeat(51)}), "Invalid username"),
        (json!({"username": "admin"}), "reserved"),
        (json!({"username": "Admin"}), "reserved"),
        (
            json!({"username": "carol", "role": "owner"}),
            "Invalid role",
        ),
        (json!({"username": "alice"}), "already exists"),
        (json!([1]), "must be a JSON object"),
    ] {
        let answer = post(
            &server,
            "/api/admin/users",
            As::Bearer(ADMIN_KEY),
            body.clone(),
        )
        .await;
        assert_eq!(answer.status, 400, "{body}");
        assert!(
            answer.detail().contains(fragment),
            "{body}: {}",
            answer.detail()
        );
    }
}

#[tokio::test]
async fn deleting_a_user_removes_their_sessions_projects_files_and_grants() {
    let server = start_server();
    let alice = create_user(&server, "alice", "user").await;
    let bob = create_user(&server, "bob", "user").await;
    let session = login(&server, "alice", &alice).await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    seed(server.data_dir.path(), &Seed::ready("bob", "beta")).await;
    post(
        &server,
        "/api/admin/projects/beta/access",
        As::Bearer(ADMIN_KEY),
        json!({"username": "alice", "owner": "bob"}),
    )
    .await;
    let alice_files = server.data_dir.path().join("projects/alice");
    assert!(alice_files.is_dir());

    let answer = delete(&server, "/api/admin/users/alice", As::Bearer(ADMIN_KEY)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json(), json!({"deleted": "alice"}));
    assert_eq!(
        get(&server, "/api/auth/me", As::Bearer(&alice))
            .await
            .status,
        401
    );
    assert_eq!(
        get(&server, "/api/auth/me", As::Cookie(&session))
            .await
            .status,
        401
    );
    assert!(!alice_files.exists(), "alice's files remain");
    let all = get(&server, "/api/status", As::Bearer(ADMIN_KEY))
        .await
        .json();
    let names: Vec<&str> = all["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names, ["beta"]);
    let access = get(
        &server,
        "/api/admin/projects/beta/access?owner=bob",
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(access.json()["users"], json!([]));
    assert_eq!(
        get(&server, "/api/auth/me", As::Bearer(&bob)).await.status,
        200
    );

    assert_eq!(
        delete(&server, "/api/admin/users/alice", As::Bearer(ADMIN_KEY))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn users_cannot_be_deleted_while_generating_or_by_themselves() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    // A real running generation (an admin's, since only admins may name a local path).
    let gina = create_user(&server, "gina", "admin").await;
    let root = create_user(&server, "root", "admin").await;
    let repo = SampleRepo::new();
    fake.slow(true);
    let started = post(
        &server,
        "/api/generate",
        As::Bearer(&gina),
        json!({"repo_path": repo.path().display().to_string()}),
    )
    .await;
    assert_eq!(started.status, 202, "{}", started.text());
    fake.wait_for_slow_call().await;
    let busy = delete(&server, "/api/admin/users/gina", As::Bearer(ADMIN_KEY)).await;
    assert_eq!(busy.status, 409);
    assert!(
        busy.detail().contains("generation in progress"),
        "{}",
        busy.detail()
    );
    assert_eq!(
        get(&server, "/api/auth/me", As::Bearer(&gina)).await.status,
        200,
        "the refused delete kept the account"
    );
    let abort = post(
        &server,
        &format!("/api/projects/{}/abort", repo.project()),
        As::Bearer(&gina),
        json!({}),
    )
    .await;
    assert_eq!(abort.status, 200, "{}", abort.text());
    let own = delete(&server, "/api/admin/users/root", As::Bearer(&root)).await;
    assert_eq!(own.status, 400);
    assert_eq!(
        get(&server, "/api/auth/me", As::Bearer(&root)).await.status,
        200
    );
}

#[tokio::test]
async fn admins_rotate_other_users_keys() {
    let server = start_server();
    let old = create_user(&server, "alice", "user").await;
    let session = login(&server, "alice", &old).await;
    let answer = post(
        &server,
        "/api/admin/users/alice/rotate-key",
        As::Bearer(ADMIN_KEY),
        json!({"new_key": "alice-rotated-password-123"}),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    assert_eq!(
        answer.json(),
        json!({"username": "alice", "new_api_key": "alice-rotated-password-123"})
    );
    assert_eq!(
        get(&server, "/api/auth/me", As::Bearer(&old)).await.status,
        401
    );
    assert_eq!(
        get(&server, "/api/auth/me", As::Cookie(&session))
            .await
            .status,
        401
    );
    assert_eq!(
        get(
            &server,
            "/api/auth/me",
            As::Bearer("alice-rotated-password-123")
        )
        .await
        .status,
        200
    );

    let generated = post(
        &server,
        "/api/admin/users/alice/rotate-key",
        As::Bearer(ADMIN_KEY),
        json!({}),
    )
    .await;
    assert_eq!(generated.status, 200);
    assert_eq!(
        post(
            &server,
            "/api/admin/users/nobody/rotate-key",
            As::Bearer(ADMIN_KEY),
            json!({})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        post(
            &server,
            "/api/admin/users/alice/rotate-key",
            As::Bearer(ADMIN_KEY),
            json!({"new_key": "short"})
        )
        .await
        .status,
        400
    );
}

#[tokio::test]
async fn access_grants_share_a_project_and_can_be_listed_and_revoked() {
    let server = start_server();
    create_user(&server, "alice", "user").await;
    let bob = create_user(&server, "bob", "viewer").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    seed(
        server.data_dir.path(),
        &Seed {
            model: "sonnet",
            ..Seed::ready("alice", "alpha")
        },
    )
    .await;

    assert_eq!(
        get(&server, "/api/projects/alpha", As::Bearer(&bob))
            .await
            .status,
        404
    );
    let granted = post(
        &server,
        "/api/admin/projects/alpha/access",
        As::Bearer(ADMIN_KEY),
        json!({"username": "bob", "owner": "alice"}),
    )
    .await;
    assert_eq!(granted.status, 200);
    assert_eq!(
        granted.json(),
        json!({"granted": "alpha", "username": "bob", "owner": "alice"})
    );
    let shared = get(&server, "/api/projects/alpha", As::Bearer(&bob)).await;
    assert_eq!(
        shared.json()["variants"]
            .as_array()
            .expect("variants")
            .len(),
        2,
        "every variant is shared"
    );
    let listed = get(
        &server,
        "/api/admin/projects/alpha/access?owner=alice",
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(
        listed.json(),
        json!({"project": "alpha", "owner": "alice", "users": ["bob"]})
    );

    let revoked = revoke(&server, "alpha", "alice", "bob").await;
    assert_eq!(
        revoked.json(),
        json!({"revoked": "alpha", "username": "bob", "owner": "alice"})
    );
    assert_eq!(
        get(&server, "/api/projects/alpha", As::Bearer(&bob))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn access_requests_with_missing_or_unknown_parts_are_refused() {
    let server = start_server();
    create_user(&server, "alice", "user").await;
    create_user(&server, "bob", "user").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    let grant = |body| {
        post(
            &server,
            "/api/admin/projects/alpha/access",
            As::Bearer(ADMIN_KEY),
            body,
        )
    };
    assert_eq!(grant(json!({"username": "bob"})).await.status, 400);
    assert_eq!(grant(json!({"owner": "alice"})).await.status, 400);
    assert_eq!(
        grant(json!({"username": "nobody", "owner": "alice"}))
            .await
            .status,
        404
    );
    assert_eq!(
        grant(json!({"username": "bob", "owner": "bob"}))
            .await
            .status,
        404,
        "bob owns no alpha"
    );
    assert_eq!(
        get(
            &server,
            "/api/admin/projects/alpha/access",
            As::Bearer(ADMIN_KEY)
        )
        .await
        .status,
        400
    );
    assert_eq!(
        delete(
            &server,
            "/api/admin/projects/alpha/access/bob",
            As::Bearer(ADMIN_KEY)
        )
        .await
        .status,
        400
    );
}
