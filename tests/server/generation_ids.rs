//! Generation ids (docsfy 1.9): every generation gets a UUID, returned by `POST
//! /api/generate`, kept on the variant, and resolved by `GET /api/projects/by-id/{id}` with
//! the visibility of every other route; the client takes an id wherever it takes a name.

use serde_json::json;

use crate::generation::{PAGES, finished_at};
use crate::support::api::{ADMIN_KEY, As, create_user, get, grant, post};
use crate::support::client::Client;
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::git_http::GitHttpServer;

#[tokio::test]
async fn an_id_names_its_variant_for_those_who_may_see_it() {
    let fake = FakeClaude::new(PAGES);
    let repo = SampleRepo::new();
    let git = GitHttpServer::serving(&repo);
    let server = crate::generation::start_with(&fake, &git.allowed_by_config());
    let alice = create_user(&server, "alice", "user").await;
    let vic = create_user(&server, "vic", "viewer").await;
    let olivia = create_user(&server, "olivia", "user").await;
    let body = json!({"repo_url": git.url(&repo), "ai_provider": "claude"});
    let accepted = post(&server, "/api/generate", As::Bearer(&alice), body).await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let id = accepted.json()["generation_id"]
        .as_str()
        .expect("id")
        .to_string();
    let variant_path = format!("/api/projects/{}/main/claude/opus", repo.project());
    let variant = finished_at(&server, &format!("{variant_path}?owner=alice")).await;
    assert_eq!(variant["status"], "ready", "{variant}");
    assert_eq!(variant["generation_id"], id.as_str());

    let by_id = format!("/api/projects/by-id/{id}");
    let mine = get(&server, &by_id, As::Bearer(&alice)).await;
    assert_eq!(mine.status, 200);
    assert_eq!(mine.json(), variant, "the variant's own object");
    let shouted = get(
        &server,
        &by_id
            .to_uppercase()
            .replace("/API/PROJECTS/BY-ID/", "/api/projects/by-id/"),
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(shouted.status, 200, "any spelling of the UUID");
    assert_eq!(
        get(&server, &by_id, As::Bearer(ADMIN_KEY)).await.status,
        200
    );
    let stranger = get(&server, &by_id, As::Bearer(&olivia)).await;
    assert_eq!(stranger.status, 404);
    assert_eq!(stranger.detail(), "Generation ID not found");
    assert_eq!(
        get(&server, &by_id, As::Bearer(&vic)).await.status,
        404,
        "not shared yet"
    );
    assert_eq!(
        grant(&server, &repo.project(), "alice", "vic").await.status,
        200
    );
    assert_eq!(
        get(&server, &by_id, As::Bearer(&vic)).await.status,
        200,
        "shared now"
    );
    let malformed = get(
        &server,
        "/api/projects/by-id/not-a-uuid",
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.detail(), "Invalid generation ID format");
    let unknown = get(
        &server,
        "/api/projects/by-id/00000000-0000-4000-8000-000000000000",
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(get(&server, &by_id, As::Anonymous).await.status, 401);

    // The client takes the id where it takes a name.
    let client = Client::new();
    let status = client.run(&[
        "--host",
        "127.0.0.1",
        "--port",
        server.base.rsplit(':').next().expect("port"),
        "-p",
        &alice,
        "status",
        &id,
        "--json",
    ]);
    assert_eq!(
        status.code, 1,
        "--host without a profile means https: {}",
        status.stderr
    );
    std::fs::create_dir_all(client.profile_file().parent().expect("dir")).expect("dir");
    std::fs::write(client.profile_file(), format!("[servers.s]\nurl = \"{}\"\nusername = \"alice\"\npassword = \"{alice}\"\n\n[default]\nserver = \"s\"\n", server.base)).expect("profile");
    let status = client.run(&["status", &id, "--json"]).json();
    assert_eq!(status["generation_id"], id.as_str());
    assert_eq!(status["ai_model"], "opus");
    let listed = client.run(&["list"]).stdout;
    assert!(listed.contains(&id), "the GEN ID column: {listed}");
    let gone = client.run(&["delete", &id, "-y"]);
    assert_eq!(gone.code, 0, "{}", gone.stderr);
    assert_eq!(
        get(&server, &by_id, As::Bearer(&alice)).await.status,
        404,
        "deleted with its variant"
    );
}
