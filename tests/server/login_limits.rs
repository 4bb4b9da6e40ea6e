//! Guessing credentials is stopped, and nobody else is: failed logins per username, wrong keys
//! per address, 429 with `Retry-After`; a request without credentials is not a failure.

use std::net::IpAddr;

use serde_json::json;

use crate::support::api::{ADMIN_KEY, As, create_user, get, post};
use crate::support::server::RunningServer;

const LIMITS: &str = "[login]\nfailures_per_user = 3\nfailures_per_address = 6\nwindow_secs = 60\n";

fn server() -> RunningServer {
    RunningServer::start(
        LIMITS,
        &[("ADMIN_KEY", ADMIN_KEY), ("SECURE_COOKIES", "false")],
    )
}

/// A client whose requests come from `address` (any of 127.0.0.0/8 reaches the server).
fn client_from(address: &str) -> reqwest::Client {
    let address: IpAddr = address.parse().expect("an address");
    reqwest::Client::builder()
        .local_address(address)
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_username_that_keeps_failing_waits_and_others_do_not() {
    let server = server();
    let alice = create_user(&server, "alice", "user").await;
    let bob = create_user(&server, "bob", "user").await;
    for _ in 0..20 {
        let empty = post(&server, "/api/auth/login", As::Anonymous, json!({})).await;
        assert_eq!(empty.status, 401, "no credentials is no failed attempt");
    }
    for _ in 0..3 {
        let wrong = post(
            &server,
            "/api/auth/login",
            As::Anonymous,
            json!({"username": "alice", "api_key": "not-alices-key-at-all"}),
        )
        .await;
        assert_eq!(wrong.status, 401);
    }
    for key in ["not-alices-key-at-all", alice.as_str()] {
        let refused = post(
            &server,
            "/api/auth/login",
            As::Anonymous,
            json!({"username": "alice", "api_key": key}),
        )
        .await;
        assert_eq!(refused.status, 429, "{}", refused.text());
        assert_eq!(refused.detail(), "Too many failed logins; try again later");
        let wait: u64 = refused
            .header("retry-after")
            .expect("Retry-After")
            .parse()
            .expect("seconds");
        assert!((1..=60).contains(&wait), "{wait}");
    }
    let other = post(
        &server,
        "/api/auth/login",
        As::Anonymous,
        json!({"username": "bob", "api_key": bob}),
    )
    .await;
    assert_eq!(other.status, 200, "another user logs in: {}", other.text());
    assert_eq!(
        get(&server, "/api/auth/me", As::Bearer(&alice))
            .await
            .status,
        200,
        "alice's key still works where no login is asked"
    );
}

#[tokio::test]
async fn an_address_that_keeps_presenting_wrong_keys_waits_and_others_do_not() {
    let server = server();
    let carol = create_user(&server, "carol", "user").await;
    let url = server.url("/api/auth/me");
    let guesser = client_from("127.0.0.2");
    for n in 0..6 {
        let answer = guesser
            .get(&url)
            .bearer_auth(format!("guess-{n:020}"))
            .send()
            .await
            .expect("sent");
        assert_eq!(answer.status(), 401);
    }
    let refused = guesser
        .get(&url)
        .bearer_auth("guess-number-seven-000")
        .send()
        .await
        .expect("sent");
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    // No credentials from there is still the spec's 401, not a 429.
    let anonymous = guesser.get(&url).send().await.expect("sent");
    assert_eq!(anonymous.status(), 401);
    let elsewhere = client_from("127.0.0.3")
        .get(&url)
        .bearer_auth(&carol)
        .send()
        .await
        .expect("sent");
    assert_eq!(elsewhere.status(), 200, "other addresses are not affected");
}
