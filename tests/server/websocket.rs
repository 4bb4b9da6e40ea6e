//! `/api/ws` as docsfy's clients meet it: authentication and its close code, the first
//! `sync`, who hears about what, resyncs after deletes and sharing changes, ignored client
//! messages, and the heartbeat. Generation events are in `websocket_generation.rs`.

use serde_json::json;

use crate::support::api::{
    ADMIN_KEY, As, PROJECT_FIELDS, Seed, create_user, delete, get, grant, login, post, revoke, seed,
};
use crate::support::server::RunningServer;
use crate::support::ws::{WsAuth, barrier, connect, listed};

fn start_server() -> RunningServer {
    crate::support::api::start_server()
}

/// A server whose heartbeat beats every 300 ms and waits 150 ms for the pong.
fn start_fast_heartbeat_server() -> RunningServer {
    RunningServer::start(
        "",
        &[
            ("ADMIN_KEY", ADMIN_KEY),
            ("SECURE_COOKIES", "false"),
            // A pong window a loaded 2-core machine answers in, and few enough beats that
            // the test stays short.
            ("DOCSFY_WEBSOCKET__PING_INTERVAL_MS", "600"),
            ("DOCSFY_WEBSOCKET__PONG_TIMEOUT_MS", "500"),
        ],
    )
}

fn pair(name: &str, owner: &str) -> (String, String) {
    (name.to_string(), owner.to_string())
}

#[tokio::test]
async fn the_first_message_is_a_sync_of_what_the_token_may_see() {
    let server = start_server();
    create_user(&server, "alice", "user").await;
    let bob_key = create_user(&server, "bob", "user").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    seed(server.data_dir.path(), &Seed::ready("bob", "beta")).await;
    seed(
        server.data_dir.path(),
        &Seed {
            model: "sonnet",
            ..Seed::ready("bob", "gamma")
        },
    )
    .await;

    let mut admin = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    let sync = admin.sync().await;
    assert_eq!(
        listed(&sync),
        [
            pair("gamma", "bob"),
            pair("beta", "bob"),
            pair("alpha", "alice")
        ],
        "most recently updated first"
    );
    let project = &sync["projects"][0];
    for field in PROJECT_FIELDS {
        assert!(project.get(field).is_some(), "{field} missing in {project}");
    }
    assert_eq!(project["ai_provider"], "claude");
    assert_eq!(project["ai_model"], "sonnet");
    assert!(
        project["plan_json"].is_string(),
        "plan_json is a JSON string"
    );
    assert_eq!(sync["known_models"], json!({"claude": ["opus", "sonnet"]}));
    assert_eq!(
        sync["known_branches"],
        json!({"alpha": ["main"], "beta": ["main"], "gamma": ["main"]}),
        "admins see every ready branch"
    );

    let mut bob = connect(&server, WsAuth::Token(&bob_key)).await;
    let sync = bob.sync().await;
    assert_eq!(listed(&sync), [pair("gamma", "bob"), pair("beta", "bob")]);
    assert_eq!(
        sync["known_branches"],
        json!({"beta": ["main"], "gamma": ["main"]}),
        "users see their own ready branches only"
    );
    // Each listed object is the variant as its own route answers it (built by serde from
    // the row, where the listing is built by SQLite).
    for project in sync["projects"].as_array().expect("projects") {
        let path = format!(
            "/api/projects/{}/{}/{}/{}",
            project["name"].as_str().expect("name"),
            project["branch"].as_str().expect("branch"),
            project["ai_provider"].as_str().expect("provider"),
            project["ai_model"].as_str().expect("model"),
        );
        let variant = get(&server, &path, As::Bearer(&bob_key)).await.json();
        assert_eq!(*project, variant, "{path}");
    }
    let rest = get(&server, "/api/status", As::Bearer(&bob_key))
        .await
        .json();
    assert_eq!(
        sync["projects"], rest["projects"],
        "the same listing as /api/status"
    );
}

#[tokio::test]
async fn a_session_cookie_authenticates_the_socket() {
    let server = start_server();
    let key = create_user(&server, "carol", "viewer").await;
    seed(server.data_dir.path(), &Seed::ready("carol", "notes")).await;
    let session = login(&server, "carol", &key).await;
    let mut socket = connect(&server, WsAuth::Cookie(&session)).await;
    assert_eq!(listed(&socket.sync().await), [pair("notes", "carol")]);

    // From one of our own pages, as the dashboard opens it.
    let mut own = connect(&server, WsAuth::CookieFromPage(&session, &server.base)).await;
    assert_eq!(listed(&own.sync().await), [pair("notes", "carol")]);
    // A page of another site that the reader has open gets nothing of the session.
    let mut foreign = connect(
        &server,
        WsAuth::CookieFromPage(&session, "http://evil.example"),
    )
    .await;
    assert_eq!(foreign.closed().await.0, 1008);
}

#[tokio::test]
async fn failed_authentication_completes_the_handshake_and_closes_with_1008() {
    let server = start_server();
    let key = create_user(&server, "dave", "user").await;
    let session = login(&server, "dave", &key).await;
    let wrong_key = format!("{key}x");
    for (case, auth) in [
        ("no credentials", WsAuth::Anonymous),
        ("a wrong token", WsAuth::Token(&wrong_key)),
        ("a wrong cookie", WsAuth::Cookie("not-a-session")),
        ("the Authorization header", WsAuth::Header(ADMIN_KEY)),
    ] {
        let mut socket = connect(&server, auth).await;
        let (code, reason) = socket.closed().await;
        assert_eq!(code, 1008, "{case}: {reason}");
    }
    // A live session is still refused when the socket names a wrong token: an explicit
    // credential is never silently replaced by another.
    let mut socket = connect(&server, WsAuth::Cookie(&session)).await;
    socket.sync().await;
    let mut socket = connect(&server, WsAuth::TokenAndCookie(&wrong_key, &session)).await;
    assert_eq!(socket.closed().await.0, 1008);
}

#[tokio::test]
async fn a_plain_request_to_the_socket_path_gets_a_json_error() {
    let server = start_server();
    let answer = get(&server, "/api/ws", As::Bearer(ADMIN_KEY)).await;
    assert_eq!(answer.status, 400);
    assert!(answer.detail().contains("WebSocket"), "{}", answer.text());
    let answer = post(&server, "/api/ws", As::Bearer(ADMIN_KEY), json!({})).await;
    assert_eq!(answer.status, 405, "{}", answer.text());
}

#[tokio::test]
async fn deleting_a_variant_resyncs_only_those_who_can_see_it() {
    let server = start_server();
    let alice_key = create_user(&server, "alice", "user").await;
    let bob_key = create_user(&server, "bob", "user").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    seed(server.data_dir.path(), &Seed::ready("alice", "omega")).await;
    seed(server.data_dir.path(), &Seed::ready("bob", "beta")).await;
    let mut alice = connect(&server, WsAuth::Token(&alice_key)).await;
    let mut bob = connect(&server, WsAuth::Token(&bob_key)).await;
    let mut admin = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    assert_eq!(
        listed(&alice.sync().await),
        [pair("omega", "alice"), pair("alpha", "alice")]
    );
    assert_eq!(listed(&bob.sync().await), [pair("beta", "bob")]);
    admin.sync().await;

    let deleted = delete(
        &server,
        "/api/projects/alpha/main/claude/opus",
        As::Bearer(&alice_key),
    )
    .await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert_eq!(listed(&alice.sync().await), [pair("omega", "alice")]);
    assert_eq!(
        listed(&admin.sync().await),
        [pair("beta", "bob"), pair("omega", "alice")]
    );
    barrier(&server, &mut bob, "bob", &mut [&mut admin]).await;

    let deleted = delete(&server, "/api/projects/omega", As::Bearer(&alice_key)).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert_eq!(listed(&alice.sync().await), []);
    assert_eq!(listed(&admin.sync().await), [pair("beta", "bob")]);
    barrier(&server, &mut bob, "bob", &mut [&mut admin]).await;
}

#[tokio::test]
async fn granting_and_revoking_access_resyncs_that_user_only() {
    let server = start_server();
    let alice_key = create_user(&server, "alice", "user").await;
    let bob_key = create_user(&server, "bob", "viewer").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    // Another ready claude/opus variant: deleting alpha leaves `known_models` as it was.
    seed(server.data_dir.path(), &Seed::ready("alice", "other")).await;
    let mut alice = connect(&server, WsAuth::Token(&alice_key)).await;
    let mut bob = connect(&server, WsAuth::Token(&bob_key)).await;
    alice.sync().await;
    assert_eq!(listed(&bob.sync().await), []);

    let granted = grant(&server, "alpha", "alice", "bob").await;
    assert_eq!(granted.status, 200, "{}", granted.text());
    let sync = bob.sync().await;
    assert_eq!(listed(&sync), [pair("alpha", "alice")]);
    assert_eq!(
        sync["known_branches"],
        json!({}),
        "shared branches are not the viewer's own"
    );
    barrier(&server, &mut alice, "alice", &mut []).await;

    // Once revoked, bob no longer hears of alpha, not even of its deletion.
    let revoked = revoke(&server, "alpha", "alice", "bob").await;
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    assert_eq!(listed(&bob.sync().await), []);
    barrier(&server, &mut alice, "alice", &mut []).await;

    let deleted = delete(&server, "/api/projects/alpha", As::Bearer(&alice_key)).await;
    assert_eq!(deleted.status, 200);
    alice.sync().await;
    barrier(&server, &mut bob, "bob", &mut []).await;
}

#[tokio::test]
async fn deleting_a_user_resyncs_the_users_they_shared_with_and_closes_their_sockets() {
    let server = start_server();
    let alice_key = create_user(&server, "alice", "user").await;
    let bob_key = create_user(&server, "bob", "user").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    seed(server.data_dir.path(), &Seed::ready("alice", "omega")).await;
    seed(server.data_dir.path(), &Seed::ready("bob", "beta")).await;
    let granted = grant(&server, "alpha", "alice", "bob").await;
    assert_eq!(granted.status, 200);
    let mut alice = connect(&server, WsAuth::Token(&alice_key)).await;
    let mut bob = connect(&server, WsAuth::Token(&bob_key)).await;
    let mut admin = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    alice.sync().await;
    assert_eq!(
        listed(&bob.sync().await),
        [pair("beta", "bob"), pair("alpha", "alice")]
    );
    admin.sync().await;

    let deleted = delete(&server, "/api/admin/users/alice", As::Bearer(ADMIN_KEY)).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert_eq!(listed(&bob.sync().await), [pair("beta", "bob")]);
    let (code, _) = alice.closed().await;
    assert_eq!(code, 1008);
    assert_eq!(
        listed(&admin.sync().await),
        [pair("beta", "bob")],
        "one sync for all of alice's projects"
    );
    barrier(&server, &mut admin, "admin", &mut []).await;
    barrier(&server, &mut bob, "bob", &mut [&mut admin]).await;
}

#[tokio::test]
async fn a_rotated_key_or_an_ended_session_closes_the_sockets_opened_with_it() {
    let server = start_server();
    let key = create_user(&server, "erin", "user").await;
    let session = login(&server, "erin", &key).await;
    let mut by_token = connect(&server, WsAuth::Token(&key)).await;
    let mut by_session = connect(&server, WsAuth::Cookie(&session)).await;
    let mut admin = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    by_token.sync().await;
    by_session.sync().await;
    admin.sync().await;

    let rotated = post(
        &server,
        "/api/admin/users/erin/rotate-key",
        As::Bearer(ADMIN_KEY),
        json!({}),
    )
    .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text());
    assert_eq!(
        by_token.closed().await.0,
        1008,
        "the old key no longer holds"
    );
    assert_eq!(by_session.closed().await.0, 1008, "rotation ends sessions");
    barrier(&server, &mut admin, "admin", &mut []).await;

    let new_key = rotated.json()["new_api_key"]
        .as_str()
        .expect("new key")
        .to_string();
    let first = login(&server, "erin", &new_key).await;
    let second = login(&server, "erin", &new_key).await;
    let mut ending = connect(&server, WsAuth::Cookie(&first)).await;
    let mut staying = connect(&server, WsAuth::Cookie(&second)).await;
    ending.sync().await;
    staying.sync().await;
    let logout = post(&server, "/api/auth/logout", As::Cookie(&first), json!({})).await;
    assert_eq!(logout.status, 200);
    assert_eq!(ending.closed().await.0, 1008);
    barrier(&server, &mut staying, "erin", &mut [&mut admin]).await;

    // The ADMIN_KEY administrator's sessions end the same way.
    let admin_session = login(&server, "admin", ADMIN_KEY).await;
    let mut admin_by_session = connect(&server, WsAuth::Cookie(&admin_session)).await;
    admin_by_session.sync().await;
    let logout = post(
        &server,
        "/api/auth/logout",
        As::Cookie(&admin_session),
        json!({}),
    )
    .await;
    assert_eq!(logout.status, 200);
    assert_eq!(admin_by_session.closed().await.0, 1008);
    barrier(&server, &mut admin, "admin", &mut []).await;
}

#[tokio::test]
async fn client_messages_other_than_a_pong_are_ignored_without_closing() {
    let server = start_server();
    let key = create_user(&server, "frank", "user").await;
    seed(server.data_dir.path(), &Seed::ready("frank", "alpha")).await;
    seed(server.data_dir.path(), &Seed::ready("frank", "beta")).await;
    let mut socket = connect(&server, WsAuth::Token(&key)).await;
    socket.sync().await;
    for text in [
        "[1, 2, 3]",
        "\"pong\"",
        "not json at all {",
        "",
        r#"{"type":"subscribe","project":"beta"}"#,
        r#"{"type":"sync"}"#,
        "null",
    ] {
        socket.send_text(text).await;
    }
    socket.send_binary(&[0, 159, 146, 150]).await;
    barrier(&server, &mut socket, "frank", &mut []).await;

    let deleted = delete(&server, "/api/projects/alpha", As::Bearer(&key)).await;
    assert_eq!(deleted.status, 200);
    assert_eq!(
        listed(&socket.sync().await),
        [pair("beta", "frank")],
        "the socket is still open and served"
    );
}

#[tokio::test]
async fn the_heartbeat_pings_and_closes_after_two_missed_pongs() {
    let server = start_fast_heartbeat_server();
    let mut silent = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    let mut chatty = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    let mut answering = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    silent.sync().await;
    chatty.sync().await;
    answering.sync().await;

    // `silent` never answers; `chatty` answers every ping with messages that are not a
    // pong; `answering` answers properly and must outlive both.
    let garbage = [
        r#"{"type":"ping"}"#,
        r#"["pong"]"#,
        r#"{"type":"PONG"}"#,
        "pong",
    ];
    let answering_alive = async {
        let mut pings = 0;
        while pings < 4 {
            if answering.next_any().await["type"] == "ping" {
                pings += 1;
                answering.pong().await;
            }
        }
        pings
    };
    let (silent_close, chatty_close, answered) = tokio::join!(
        silent.reply_to_pings_until_closed(&[]),
        chatty.reply_to_pings_until_closed(&garbage),
        answering_alive
    );
    assert_eq!(silent_close, (2, 1001), "two pings, then 1001");
    assert_eq!(chatty_close, (2, 1001), "only a pong counts as one");
    assert_eq!(
        answered, 4,
        "a client that answers is kept for as long as it likes"
    );
}

#[tokio::test]
async fn stopping_the_server_closes_open_sockets_with_1001() {
    let mut server = start_server();
    let mut socket = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    socket.sync().await;
    let stopped = tokio::task::spawn_blocking(move || {
        let status = server.terminate();
        (server, status)
    });
    let (code, reason) = socket.closed().await;
    assert_eq!(code, 1001, "{reason}");
    let (_server, status) = stopped.await.expect("joined");
    assert!(status.success(), "{status:?}");
}
