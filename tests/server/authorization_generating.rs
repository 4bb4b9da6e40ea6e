//! The authorization matrix's write rows against a variant that exists and is generating: a
//! real generation by a user (`alice`, from an allowed git host on loopback), held in its CLI.
//! Callers: anonymous, a viewer it is shared with, the owner, another user (whose `?owner=`
//! must not reach alice's variant), a database admin and the ADMIN_KEY admin.

use reqwest::Method;
use serde_json::{Value, json};

use crate::generation::PAGES;
use crate::support::api::{ADMIN_KEY, As, create_user, get, grant, post, request};
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::git_http::GitHttpServer;
use crate::support::server::RunningServer;
use crate::support::ws::{WsAuth, connect, listed_by};

struct World {
    fake: FakeClaude,
    repo: SampleRepo,
    git: GitHttpServer,
    server: RunningServer,
    viewer: String,
    owner: String,
    other: String,
    admin: String,
}

impl World {
    async fn new() -> World {
        let fake = FakeClaude::new(PAGES);
        let repo = SampleRepo::new();
        let git = GitHttpServer::serving(&repo);
        let server = crate::generation::start_with(&fake, &git.allowed_by_config());
        let viewer = create_user(&server, "vic", "viewer").await;
        let owner = create_user(&server, "alice", "user").await;
        let other = create_user(&server, "olivia", "user").await;
        let admin = create_user(&server, "root", "admin").await;
        fake.slow(true);
        let world = World {
            fake,
            repo,
            git,
            server,
            viewer,
            owner,
            other,
            admin,
        };
        world.alice_generates(false).await;
        let shared = grant(&world.server, &world.repo.project(), "alice", "vic").await;
        assert_eq!(shared.status, 200, "{}", shared.text());
        world
    }

    /// alice (re)starts her generation and waits until it is held in the CLI.
    async fn alice_generates(&self, force: bool) {
        let held = self.fake.slow_calls().len();
        let body =
            json!({"repo_url": self.git.url(&self.repo), "ai_provider": "claude", "force": force});
        let answer = post(&self.server, "/api/generate", As::Bearer(&self.owner), body).await;
        assert_eq!(answer.status, 202, "{}", answer.text());
        for _ in 0..200 {
            if self.fake.slow_calls().len() > held {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("alice's generation never reached its CLI");
    }

    fn callers(&self) -> [(&'static str, As<'_>); 6] {
        [
            ("anonymous", As::Anonymous),
            ("viewer", As::Bearer(&self.viewer)),
            ("owner", As::Bearer(&self.owner)),
            ("other user", As::Bearer(&self.other)),
            ("database admin", As::Bearer(&self.admin)),
            ("ADMIN_KEY", As::Bearer(ADMIN_KEY)),
        ]
    }

    fn variant(&self) -> String {
        format!("/api/projects/{}/main/claude/opus", self.repo.project())
    }

    async fn status(&self) -> Value {
        let path = format!("{}?owner=alice", self.variant());
        get(&self.server, &path, As::Bearer(ADMIN_KEY)).await.json()["status"].clone()
    }
}

#[tokio::test]
async fn write_routes_against_a_generating_variant_answer_each_caller_as_the_spec_says() {
    let world = World::new().await;
    let name = world.repo.project();
    let variant = format!("{}?owner=alice", world.variant());
    let project = format!("/api/projects/{name}?owner=alice");
    let download = format!("{}/download?owner=alice", world.variant());
    let internal =
        json!({"repo_url": "http://10.255.255.1/acme/tool.git", "ai_provider": "claude"});
    let rows: Vec<(Method, String, Option<Value>, [u16; 6])> = vec![
        (
            Method::GET,
            variant.clone(),
            None,
            [401, 200, 200, 404, 200, 200],
        ),
        (Method::GET, download, None, [401, 400, 400, 404, 400, 400]),
        (
            Method::POST,
            "/api/generate".into(),
            Some(internal),
            [401, 403, 400, 400, 400, 400],
        ),
        (
            Method::DELETE,
            variant.clone(),
            None,
            [401, 403, 409, 404, 409, 409],
        ),
        (
            Method::DELETE,
            project,
            None,
            [401, 403, 409, 404, 409, 409],
        ),
    ];
    let mut mismatches = Vec::new();
    for (method, path, body, expected) in &rows {
        for (column, (who, credential)) in world.callers().into_iter().enumerate() {
            let answer = request(
                &world.server,
                method.clone(),
                path,
                credential,
                body.clone(),
            )
            .await;
            if answer.status != expected[column] {
                mismatches.push(format!(
                    "{method} {path} as {who}: got {}, want {} ({})",
                    answer.status,
                    expected[column],
                    answer.text()
                ));
            }
        }
    }
    // The aborts of those who may not: nothing stops.
    let abort_variant = format!("{}/abort?owner=alice", world.variant());
    let abort_named = format!("/api/projects/{name}/abort");
    for path in [&abort_variant, &abort_named] {
        for (column, (who, credential)) in world.callers().into_iter().enumerate().take(4) {
            if column == 2 {
                continue;
            }
            let answer = post(&world.server, path, credential, json!({})).await;
            let want = [401, 403, 0, 404][column];
            if answer.status != want {
                mismatches.push(format!(
                    "POST {path} as {who}: got {}, want {want} ({})",
                    answer.status,
                    answer.text()
                ));
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    assert_eq!(
        world.status().await,
        "generating",
        "a refused request changed nothing"
    );

    // Those who may abort, each through one of the routes.
    let aborts = [
        (As::Bearer(&world.owner), abort_variant.as_str()),
        (As::Bearer(&world.admin), abort_named.as_str()),
        (As::Bearer(ADMIN_KEY), abort_variant.as_str()),
    ];
    for (round, (credential, path)) in aborts.into_iter().enumerate() {
        if round > 0 {
            world.alice_generates(true).await;
            assert_eq!(world.status().await, "generating");
        }
        let aborted = post(&world.server, path, credential, json!({})).await;
        assert_eq!(aborted.status, 200, "{path}: {}", aborted.text());
        assert_eq!(world.status().await, "aborted", "{path}");
    }
}

#[tokio::test]
async fn the_socket_shows_a_generating_variant_to_those_who_may_see_it_only() {
    let world = World::new().await;
    let name = world.repo.project();
    let listed = |sync: &Value| listed_by(sync, "status");
    let alices = vec![(name.clone(), "generating".to_string())];
    for (who, key, expected) in [
        ("viewer", world.viewer.as_str(), alices.clone()),
        ("owner", world.owner.as_str(), alices.clone()),
        ("other user", world.other.as_str(), vec![]),
        ("database admin", world.admin.as_str(), alices.clone()),
        ("ADMIN_KEY", ADMIN_KEY, alices.clone()),
    ] {
        let mut socket = connect(&world.server, WsAuth::Token(key)).await;
        assert_eq!(listed(&socket.sync().await), expected, "{who}");
    }
    let mut stranger = connect(&world.server, WsAuth::Anonymous).await;
    assert_eq!(stranger.closed().await.0, 1008);
}
