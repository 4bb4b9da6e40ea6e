//! Content that is not plain ASCII or not small: unicode titles and pages, a README that is
//! not UTF-8, a repository folder whose name no project may have, a WebSocket frame over the
//! limit, and a download of a large site.

use std::io::Read;

use serde_json::{Value, json};

use crate::generation::{generate, start};
use crate::support::api::{ADMIN_KEY, As, Seed, create_user, get, seed, start_server};
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::ws::{WsAuth, connect};

const UNICODE_PAGES: &[(&str, &str)] = &[
    ("uber", "Über uns"),
    ("guide", "日本語のガイド"),
    ("start", "Démarrage 🚀"),
];

#[tokio::test]
async fn unicode_pages_and_a_latin1_readme_make_a_site_that_shows_them() {
    let fake = FakeClaude::new(UNICODE_PAGES);
    let server = start(&fake);
    let repo = SampleRepo::new();
    std::fs::write(
        repo.path().join("README.md"),
        b"# Caf\xe9 cr\xe8me\n\nWritten in Latin-1, not UTF-8: \xff\xfe.\n",
    )
    .expect("write a Latin-1 README");
    repo.commit(&[], "a README that is not UTF-8");
    assert_eq!(generate(&server, &repo, json!({})).await.status, 202);
    let variant = crate::generation::finished_at(
        &server,
        &format!("/api/projects/{}/main/claude/opus", repo.project()),
    )
    .await;
    assert_eq!(variant["status"], "ready", "{variant}");

    let docs = format!("/docs/{}/main/claude/opus", repo.project());
    let guide = get(
        &server,
        &format!("{docs}/guide.html"),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(guide.status, 200);
    assert!(
        guide.text().contains("This page explains 日本語のガイド"),
        "{}",
        guide.text()
    );
    assert!(
        guide.text().contains("Démarrage 🚀"),
        "the navigation names every page"
    );

    let index = get(
        &server,
        &format!("{docs}/search-index.json"),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    let entries: Value = serde_json::from_slice(&index.body).expect("the index is JSON");
    let titles: Vec<&str> = entries["pages"]
        .as_array()
        .expect("pages")
        .iter()
        .map(|e| e["t"].as_str().expect("title"))
        .collect();
    assert_eq!(titles, ["Über uns", "日本語のガイド", "Démarrage 🚀"]);
    let first_page_text: String = entries["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .filter(|s| s["p"] == 0)
        .map(|s| s["x"].as_str().expect("text"))
        .collect();
    assert!(
        first_page_text.contains("This page explains Über uns"),
        "{first_page_text}"
    );

    let llms = get(&server, &format!("{docs}/llms.txt"), As::Bearer(ADMIN_KEY)).await;
    assert!(
        llms.text()
            .contains("- [日本語のガイド](guide.md): About 日本語のガイド"),
        "{}",
        llms.text()
    );
    let full = get(
        &server,
        &format!("{docs}/llms-full.txt"),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert!(full.text().contains("# Démarrage 🚀"), "{}", full.text());
}

#[tokio::test]
async fn a_repository_folder_with_a_unicode_name_is_refused_by_name() {
    let fake = FakeClaude::new(UNICODE_PAGES);
    let server = start(&fake);
    let repo = SampleRepo::in_folder_named("projét-");
    let answer = generate(&server, &repo, json!({})).await;
    assert_eq!(answer.status, 400, "{}", answer.text());
    assert_eq!(
        answer.detail(),
        format!("Invalid project name: '{}'", repo.project())
    );
    assert!(fake.calls().is_empty(), "refused before any AI call");
}

#[tokio::test]
async fn a_websocket_frame_over_the_limit_ends_that_connection_only() {
    let server = start_server();
    let mut big = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    let mut other = connect(&server, WsAuth::Token(ADMIN_KEY)).await;
    big.sync().await;
    other.sync().await;
    big.send_text(&"x".repeat(100 * 1024)).await;
    let (code, _) = big.closed().await;
    assert_eq!(code, 1009, "message too big");
    let key = create_user(&server, "later", "user").await;
    seed(server.data_dir.path(), &Seed::ready("later", "still")).await;
    let mut again = connect(&server, WsAuth::Token(&key)).await;
    assert_eq!(
        again.sync().await["projects"][0]["name"],
        "still",
        "the server goes on"
    );
}

/// Bytes that gzip cannot shrink much, so the archive is as large as the site.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect()
}

#[tokio::test]
async fn a_large_site_downloads_whole() {
    let server = start_server();
    let alice = create_user(&server, "alice", "user").await;
    let seeded = Seed::ready("alice", "big");
    seed(server.data_dir.path(), &seeded).await;
    let site = server
        .data_dir
        .path()
        .join("projects/alice/big/main/claude/opus/site");
    let blob = noise(40 * 1024 * 1024);
    std::fs::write(site.join("assets.bin"), &blob).expect("a large file");

    let answer = get(
        &server,
        "/api/projects/big/main/claude/opus/download",
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(answer.body.as_slice()));
    let mut found = None;
    for entry in archive.entries().expect("a tar.gz") {
        let mut entry = entry.expect("an entry");
        if entry.path().expect("path").ends_with("assets.bin") {
            let mut content = Vec::new();
            entry.read_to_end(&mut content).expect("read");
            found = Some(content);
        }
    }
    let content = found.expect("the large file is in the archive");
    assert_eq!(content.len(), blob.len());
    assert!(content == blob, "the large file arrives unchanged");
}
