//! Error shapes for anything the server does not serve, and the first start without an
//! ADMIN_KEY.

use serde_json::json;

use crate::support::api::{ADMIN_KEY, As, get, start_server};
use crate::support::server::RunningServer;

#[tokio::test]
async fn every_error_is_json_with_a_detail() {
    let server = start_server();
    let client = reqwest::Client::new();
    let checks = [
        (client.get(server.url("/api/unknown")), 404),
        (client.get(server.url("/nowhere/at/all")), 404),
        (client.put(server.url("/api/auth/login")), 405),
        (client.delete(server.url("/api/models")), 405),
        (
            client
                .post(server.url("/api/auth/login"))
                .header("content-type", "application/json")
                .body(vec![b' '; 70 * 1024]),
            413,
        ),
        (
            client
                .post(server.url("/api/admin/users"))
                .bearer_auth(ADMIN_KEY)
                .header("content-type", "application/json")
                .body("{not json"),
            400,
        ),
    ];
    for (builder, status) in checks {
        let response = builder.send().await.expect("sent");
        let url = response.url().clone();
        assert_eq!(response.status().as_u16(), status, "{url}");
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{url}"
        );
        let body: serde_json::Value = response.json().await.expect("JSON");
        assert!(
            body["detail"].as_str().is_some_and(|d| !d.is_empty()),
            "{url}: {body}"
        );
    }
}

#[tokio::test]
async fn readiness_checks_the_database() {
    let server = start_server();
    let ready = get(&server, "/ready", As::Anonymous).await;
    assert_eq!(ready.status, 200);
    assert_eq!(ready.json(), json!({"status": "ready"}));
    assert!(server.data_dir.path().join("docsfy.db").is_file());
}

#[tokio::test]
async fn a_first_start_without_admin_key_generates_one_that_works() {
    use std::os::unix::fs::PermissionsExt;
    let server = RunningServer::start("", &[("SECURE_COOKIES", "false")]);
    let key_file = server.data_dir.path().join("admin-key");
    let key = std::fs::read_to_string(&key_file)
        .expect("admin-key written")
        .trim()
        .to_string();
    assert!(key.len() >= 32);
    let mode = std::fs::metadata(&key_file)
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let printed = server
        .stdout_lines()
        .iter()
        .filter(|l| l.contains(&key))
        .count();
    assert_eq!(printed, 1, "the key is printed exactly once");
    let me = get(&server, "/api/auth/me", As::Bearer(&key)).await;
    assert_eq!(me.json()["username"], "admin");
}
