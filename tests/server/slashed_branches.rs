//! Branches with `/` (docsfy 1.9): accepted, stored and listed with the real `/`, written in
//! path segments as `~2F` (or `%2F`) on every variant route, the docs, downloads and delete.

use serde_json::json;

use crate::generation::{PAGES, finished_at, start};
use crate::support::api::{ADMIN_KEY, As, delete, get, post};
use crate::support::client::Client;
use crate::support::fake_ai::{FakeClaude, SampleRepo};

#[tokio::test]
async fn a_branch_with_a_slash_goes_from_generate_to_delete() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    let git = git2::Repository::open(repo.path()).expect("repo");
    let head = git.head().and_then(|h| h.peel_to_commit()).expect("head");
    git.branch("feature/x", &head, false)
        .expect("branch feature/x");

    let body = json!({"repo_path": repo.path().display().to_string(), "ai_provider": "claude", "branch": "feature/x"});
    let accepted = post(&server, "/api/generate", As::Bearer(ADMIN_KEY), body).await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    assert_eq!(accepted.json()["branch"], "feature/x");
    let name = repo.project();
    let variant = finished_at(
        &server,
        &format!("/api/projects/{name}/feature~2Fx/claude/opus"),
    )
    .await;
    assert_eq!(variant["status"], "ready", "{variant}");
    assert_eq!(variant["branch"], "feature/x");
    let percent = get(
        &server,
        &format!("/api/projects/{name}/feature%2Fx/claude/opus"),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(percent.status, 200, "%2F works too");
    let listing = get(&server, "/api/status", As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert_eq!(listing["projects"][0]["branch"], "feature/x");

    let page = get(
        &server,
        &format!("/docs/{name}/feature~2Fx/claude/opus/index.html"),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(page.status, 200);
    let sites = server
        .data_dir
        .path()
        .join(format!("projects/admin/{name}"));
    let branches: Vec<String> = std::fs::read_dir(&sites)
        .expect("the project's folder")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(branches, ["feature%2Fx"], "one folder for the branch");

    let archive = get(
        &server,
        &format!("/api/projects/{name}/feature~2Fx/claude/opus/download"),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(archive.status, 200);
    let folder = format!("{name}-feature~2Fx-claude-opus");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive.body.as_slice()));
    let first = tar
        .entries()
        .expect("entries")
        .next()
        .expect("one")
        .expect("entry");
    let path = first.path().expect("path").display().to_string();
    assert!(path.starts_with(&folder), "{path}");

    let deleted = delete(
        &server,
        &format!("/api/projects/{name}/feature~2Fx/claude/opus?owner=admin"),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    assert_eq!(
        deleted.json(),
        json!({"deleted": format!("{name}/feature/x/claude/opus")})
    );
    assert!(!sites.join("feature%2Fx").exists());
}

/// The CLI writes only the branch docsfy's way (`~2F`); a model's `/` is percent-encoded,
/// so a variant of model `org/model` on branch `feature/x` is found and downloaded.
#[tokio::test]
async fn the_cli_finds_a_model_with_a_slash_on_a_branch_with_a_slash() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    let git = git2::Repository::open(repo.path()).expect("repo");
    let head = git.head().and_then(|h| h.peel_to_commit()).expect("head");
    git.branch("feature/x", &head, false).expect("branch");
    let body = json!({"repo_path": repo.path().display().to_string(), "ai_provider": "claude",
                      "ai_model": "org/model", "branch": "feature/x"});
    let accepted = post(&server, "/api/generate", As::Bearer(ADMIN_KEY), body).await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let name = repo.project();
    let variant = finished_at(
        &server,
        &format!("/api/projects/{name}/feature~2Fx/claude/org%2Fmodel"),
    )
    .await;
    assert_eq!(variant["status"], "ready", "{variant}");

    let client = Client::new();
    client.init(&server, ADMIN_KEY);
    let selector = ["-b", "feature/x", "-p", "claude", "-m", "org/model"];
    let mut status = vec!["status", name.as_str()];
    status.extend(selector);
    status.push("--json");
    let shown = client.run(&status);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert_eq!(shown.json()["ai_model"], "org/model", "{}", shown.stdout);
    let out = client.home.path().join("site");
    let mut download = vec!["download", name.as_str()];
    download.extend(selector);
    download.extend(["-o", out.to_str().expect("utf-8"), "--flatten"]);
    let downloaded = client.run(&download);
    assert_eq!(downloaded.code, 0, "{}", downloaded.stderr);
    assert!(out.join("index.html").is_file(), "{}", downloaded.stdout);
}
