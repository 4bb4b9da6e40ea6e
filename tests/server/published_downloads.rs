//! Downloads of a generated site come from the archive built when it was published: the
//! bytes on the wire are that file's, its length is announced, a new generation replaces it
//! with the site, and the docs route never serves the server's hidden files.

use serde_json::json;

use crate::generation::{PAGES, finished, generate, start, variant_path};
use crate::support::api::{ADMIN_KEY, As, get};
use crate::support::fake_ai::{FakeClaude, SampleRepo};

fn archive_on_disk(
    server: &crate::support::server::RunningServer,
    repo: &SampleRepo,
    file: &str,
) -> Vec<u8> {
    let path = server.data_dir.path().join(format!(
        "projects/admin/{}/main/claude/opus/site/.archives/{file}",
        repo.project()
    ));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test]
async fn a_download_streams_the_archive_published_with_the_site() {
    let fake = FakeClaude::new(PAGES);
    let repo = SampleRepo::new();
    let server = start(&fake);
    assert_eq!(
        generate(&server, &repo, json!({"ai_model": "opus"}))
            .await
            .status,
        202
    );
    assert_eq!(finished(&server, &repo).await["status"], "ready");

    let download = get(
        &server,
        &format!("{}/download", variant_path(&repo)),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(download.status, 200, "{}", download.text());
    let published = archive_on_disk(&server, &repo, "variant.tar.gz");
    assert!(
        download.body == published,
        "the bytes sent are the published archive's"
    );
    assert_eq!(
        download.header("content-length"),
        Some(published.len().to_string().as_str())
    );
    let latest = get(
        &server,
        &format!("/api/projects/{}/download", repo.project()),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert!(latest.body == archive_on_disk(&server, &repo, "project.tar.gz"));

    // A new generation publishes a new archive with its site.
    repo.commit(&[("src/extra.rs", "pub fn extra() {}\n")], "more");
    let forced = generate(&server, &repo, json!({"ai_model": "opus", "force": true})).await;
    assert_eq!(forced.status, 202, "{}", forced.text());
    assert_eq!(finished(&server, &repo).await["status"], "ready");
    let again = get(
        &server,
        &format!("{}/download", variant_path(&repo)),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert!(again.body == archive_on_disk(&server, &repo, "variant.tar.gz"));
    assert!(again.body != download.body, "the archive follows the site");

    for hidden in [".archives/variant.tar.gz", ".compressed/index.html.gz"] {
        let docs = format!("/docs/{}/main/claude/opus/{hidden}", repo.project());
        let answer = get(&server, &docs, As::Bearer(ADMIN_KEY)).await;
        assert_eq!(answer.status, 404, "{hidden}: {}", answer.text());
    }
}
