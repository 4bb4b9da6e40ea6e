//! Generations as `/api/ws` clients see them: `progress` through the stages, then a
//! `status_change`, then a `sync`; for the owner, for users the project is shared with, and
//! for nobody else. Also the reuse (`up_to_date`), failure and abort endings, and a stuck
//! client that must neither hold up the others nor be sent a backlog.

use docsfy::store::Store;
use docsfy::store::variants::{NewVariant, VariantKey};
use serde_json::{Value, json};
use tokio_tungstenite::MaybeTlsStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::generation::{PAGES, abort, generate, start};
use crate::support::api::{ADMIN_KEY, As, Seed, create_user, delete, grant, revoke, seed};
use crate::support::fake_ai::{FakeClaude, SampleRepo, claude_result};
use crate::support::server::RunningServer;
use crate::support::ws::{Socket, WsAuth, barrier, connect, listed};

/// The stages of a first generation, in the order the spec lists them.
const STAGES: &[&str] = &[
    "cloning",
    "planning",
    "generating_pages",
    "validating",
    "cross_linking",
    "rendering",
];

/// Messages from just after the generation was accepted to the `sync` that follows its
/// `status_change`.
async fn one_generation(socket: &mut Socket) -> Vec<Value> {
    let mut seen = socket.until("status_change").await;
    seen.push(socket.next().await);
    seen
}

fn of_type<'a>(messages: &'a [Value], kind: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["type"] == kind).collect()
}

/// The stage of each progress message, with repeats collapsed.
fn stages(messages: &[Value]) -> Vec<String> {
    let mut stages: Vec<String> = Vec::new();
    for message in of_type(messages, "progress") {
        let stage = message["current_stage"]
            .as_str()
            .expect("a stage")
            .to_string();
        if stages.last() != Some(&stage) {
            stages.push(stage);
        }
    }
    stages
}

fn project<'a>(sync: &'a Value, name: &str, model: &str) -> &'a Value {
    sync["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .find(|p| p["name"] == name && p["ai_model"] == model)
        .unwrap_or_else(|| panic!("{name}/{model} is not in {sync}"))
}

#[tokio::test]
async fn a_generation_is_seen_as_progress_then_status_change_then_sync() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    let name = repo.project();
    let alice_key = create_user(&server, "alice", "viewer").await;
    let bob_key = create_user(&server, "bob", "user").await;
    // The admin's project exists (another model) and is shared with alice, not with bob.
    seed(
        server.data_dir.path(),
        &Seed {
            model: "sonnet",
            ..Seed::ready("admin", &name)
        },
    )
    .await;
    let granted = grant(&server, &name, "admin", "alice").await;
    assert_eq!(granted.status, 200, "{}", granted.text());
    let mut admin = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    let mut alice = connect(&server, WsAuth::Token(&alice_key)).await;
    let mut bob = connect(&server, WsAuth::Token(&bob_key)).await;
    admin.sync().await;
    assert_eq!(
        listed(&alice.sync().await),
        [(name.clone(), "admin".into())]
    );
    assert_eq!(listed(&bob.sync().await), []);

    let accepted = generate(&server, &repo, json!({})).await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let seen = one_generation(&mut admin).await;

    // The new variant is announced first, while it is generating.
    assert_eq!(seen[0]["type"], "sync", "{}", seen[0]);
    assert_eq!(project(&seen[0], &name, "opus")["status"], "generating");
    assert_eq!(stages(&seen), STAGES, "every stage, in order");
    for progress in of_type(&seen, "progress") {
        assert_eq!(progress["name"], name.as_str());
        assert_eq!(progress["branch"], "main");
        assert_eq!(progress["provider"], "claude");
        assert_eq!(progress["model"], "opus");
        assert_eq!(progress["owner"], "admin");
        assert_eq!(progress["status"], "generating");
        assert!(progress.get("ai_provider").is_none(), "{progress}");
    }
    let page_counts: Vec<i64> = of_type(&seen, "progress")
        .iter()
        .filter(|p| p["current_stage"] == "generating_pages")
        .map(|p| p["page_count"].as_i64().expect("page_count"))
        .collect();
    assert_eq!(page_counts, [0, 1, 2, 3], "one message per page");
    let rendering = of_type(&seen, "progress")
        .into_iter()
        .find(|p| p["current_stage"] == "rendering")
        .expect("rendering");
    assert_eq!(rendering["page_count"], 3, "later stages carry the total");
    assert!(
        rendering["plan_json"]
            .as_str()
            .is_some_and(|plan| plan.contains("\"usage\"")),
        "plan_json is a JSON string: {rendering}"
    );

    let [.., ended, last] = seen.as_slice() else {
        panic!("too few messages: {seen:?}");
    };
    assert_eq!(ended["type"], "status_change");
    assert_eq!(ended["status"], "ready");
    assert_eq!(ended["provider"], "claude");
    assert_eq!(ended["model"], "opus");
    assert_eq!(ended["owner"], "admin");
    assert_eq!(ended["page_count"], 3);
    let head = git2::Repository::open(repo.path())
        .and_then(|r| Ok(r.head()?.peel_to_commit()?.id()))
        .expect("head")
        .to_string();
    assert_eq!(ended["last_commit_sha"], head.as_str());
    let stamp = ended["last_generated"].as_str().expect("last_generated");
    assert_eq!(stamp.len(), "YYYY-MM-DD HH:MM:SS".len(), "{stamp}");
    assert!(ended.get("error_message").is_none(), "{ended}");
    assert_eq!(
        last["type"], "sync",
        "a status_change is followed by a sync"
    );
    let ready = project(last, &name, "opus");
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["page_count"], 3);
    assert_eq!(ready["current_stage"], Value::Null);
    assert_eq!(last["known_models"], json!({"claude": ["opus", "sonnet"]}));

    // alice, who the project is shared with, sees the same story; bob sees nothing.
    let alice_seen = one_generation(&mut alice).await;
    let kinds = |messages: &[Value]| -> Vec<String> {
        messages
            .iter()
            .map(|m| m["type"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(kinds(&alice_seen), kinds(&seen));
    assert_eq!(alice_seen[alice_seen.len() - 2], *ended);
    // bob only learns that a model is now in use somewhere (`known_models` is server-wide),
    // never anything of the project.
    let bob_sync = bob.sync().await;
    assert_eq!(listed(&bob_sync), []);
    assert_eq!(
        bob_sync["known_models"],
        json!({"claude": ["opus", "sonnet"]})
    );
    barrier(&server, &mut bob, "bob", &mut [&mut admin]).await;
}

#[tokio::test]
async fn a_revoked_user_hears_nothing_more_of_a_running_generation() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    let name = repo.project();
    let alice_key = create_user(&server, "alice", "viewer").await;
    seed(
        server.data_dir.path(),
        &Seed {
            branch: "old",
            ..Seed::ready("admin", &name)
        },
    )
    .await;
    assert_eq!(grant(&server, &name, "admin", "alice").await.status, 200);
    let mut alice = connect(&server, WsAuth::Token(&alice_key)).await;
    let mut admin = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    alice.sync().await;
    admin.sync().await;

    fake.slow(true);
    assert_eq!(generate(&server, &repo, json!({})).await.status, 202);
    fake.wait_for_slow_call().await;
    let seen = alice.until("progress").await;
    assert_eq!(seen.last().expect("progress")["name"], name.as_str());

    let revoked = revoke(&server, &name, "admin", "alice").await;
    assert_eq!(revoked.status, 200, "{}", revoked.text());
    // Progress already queued may still come; then the new listing.
    let seen = alice.until("sync").await;
    assert_eq!(listed(seen.last().expect("sync")), []);

    assert_eq!(abort(&server, &repo).await.status, 200);
    admin.until("status_change").await;
    fake.slow(false);
    let again = generate(&server, &repo, json!({"force": true})).await;
    assert_eq!(again.status, 202, "{}", again.text());
    let ended = admin.until("status_change").await;
    assert_eq!(ended.last().expect("ended")["status"], "ready");
    admin.sync().await;
    barrier(&server, &mut alice, "alice", &mut [&mut admin]).await;
}

#[tokio::test]
async fn a_reused_variant_ends_ready_and_the_sync_shows_up_to_date() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    let mut admin = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    admin.sync().await;
    assert_eq!(generate(&server, &repo, json!({})).await.status, 202);
    one_generation(&mut admin).await;

    assert_eq!(generate(&server, &repo, json!({})).await.status, 202);
    let seen = one_generation(&mut admin).await;
    assert_eq!(
        stages(&seen),
        ["cloning"],
        "no AI stage for the same commit"
    );
    let [.., ended, last] = seen.as_slice() else {
        panic!("too few messages: {seen:?}");
    };
    assert_eq!(ended["type"], "status_change");
    assert_eq!(ended["status"], "ready");
    assert_eq!(ended["page_count"], 3);
    let reused = project(last, &repo.project(), "opus");
    assert_eq!(reused["status"], "ready");
    assert_eq!(reused["current_stage"], "up_to_date");
}

#[tokio::test]
async fn failed_and_aborted_generations_end_with_their_status_change() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    let mut admin = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    admin.sync().await;

    fake.answer("plan", &claude_result("I would rather write a poem."));
    assert_eq!(generate(&server, &repo, json!({})).await.status, 202);
    let seen = one_generation(&mut admin).await;
    let [.., ended, last] = seen.as_slice() else {
        panic!("too few messages: {seen:?}");
    };
    assert_eq!(ended["status"], "error", "{ended}");
    assert!(
        ended["error_message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{ended}"
    );
    assert!(ended.get("last_generated").is_none(), "sent on ready only");
    assert_eq!(project(last, &repo.project(), "opus")["status"], "error");

    fake.plan(PAGES);
    fake.slow(true);
    assert_eq!(generate(&server, &repo, json!({})).await.status, 202);
    fake.wait_for_slow_call().await;
    let aborted = abort(&server, &repo).await;
    assert_eq!(aborted.status, 200, "{}", aborted.text());
    let seen = one_generation(&mut admin).await;
    let [.., ended, last] = seen.as_slice() else {
        panic!("too few messages: {seen:?}");
    };
    assert_eq!(ended["status"], "aborted", "{ended}");
    assert_eq!(ended["error_message"], "Generation aborted by user");
    assert_eq!(project(last, &repo.project(), "opus")["status"], "aborted");
}

/// Seeds `count` ready variants of the admin whose plans are `plan_bytes` long, so that each
/// `sync` weighs about `count * plan_bytes`.
async fn seed_heavy_listing(server: &RunningServer, count: usize, plan_bytes: usize) {
    let store = Store::open(server.data_dir.path()).await.expect("store");
    let plan = json!({"project_name": "x", "padding": "p".repeat(plan_bytes)}).to_string();
    for index in 0..count {
        let key = VariantKey {
            name: format!("heavy-{index:03}"),
            branch: "main".into(),
            provider: "claude".into(),
            model: "opus".into(),
            owner: "admin".into(),
        };
        store
            .put_variant(&NewVariant {
                key: key.clone(),
                repo_url: "https://github.com/acme/heavy.git".into(),
                status: docsfy::domain::Status::Generating,
                generation_id: uuid::Uuid::new_v4().to_string(),
            })
            .await
            .expect("put");
        store
            .mark_ready(&key, "abc123", 1, &plan, None)
            .await
            .expect("ready");
    }
}

/// A socket whose client reads nothing until told to, with a small receive buffer so that
/// the server's side fills up quickly.
async fn stuck_socket(server: &RunningServer) -> Socket {
    let address = server.base.trim_start_matches("http://");
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(4096).expect("small buffer");
    let stream = socket
        .connect(address.parse().expect("address"))
        .await
        .expect("connect");
    let request = format!("ws://{address}/api/ws?token={ADMIN_KEY}")
        .into_client_request()
        .expect("request");
    let (stream, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream))
        .await
        .expect("handshake");
    Socket::from_stream(stream)
}

#[tokio::test]
async fn a_stuck_client_neither_delays_the_others_nor_is_sent_a_backlog() {
    const VARIANTS: usize = 100;
    const DELETES: usize = 30;
    let server = RunningServer::start(
        "",
        &[
            ("ADMIN_KEY", ADMIN_KEY),
            ("DOCSFY_WEBSOCKET__QUEUE_MESSAGES", "4"),
        ],
    );
    seed_heavy_listing(&server, VARIANTS, 20_000).await;
    let mut stuck = stuck_socket(&server).await;
    let mut healthy = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    assert_eq!(listed(&healthy.sync().await).len(), VARIANTS);

    // Each delete sends every admin socket a ~2 MB sync: far more in all than the stuck
    // client's socket buffers and queue can hold.
    for index in 0..DELETES {
        let path = format!("/api/projects/heavy-{index:03}?owner=admin");
        let deleted = delete(&server, &path, As::Bearer(ADMIN_KEY)).await;
        assert_eq!(deleted.status, 200, "{}", deleted.text());
        let sync = healthy.sync().await;
        assert_eq!(
            listed(&sync).len(),
            VARIANTS - index - 1,
            "the healthy client hears of every delete, in order"
        );
    }

    let mut syncs = 0;
    loop {
        let sync = stuck.sync().await;
        syncs += 1;
        if listed(&sync).len() == VARIANTS - DELETES {
            break;
        }
    }
    // What the kernel buffers and the queue held, then the fresh state: at most half of
    // the syncs sent to the healthy client (7 of 31 on the 2-core CI machine).
    assert!(
        syncs <= DELETES / 2,
        "the stuck client got {syncs} syncs: a backlog instead of a fresh state"
    );
    barrier(&server, &mut stuck, "admin", &mut [&mut healthy]).await;
}
