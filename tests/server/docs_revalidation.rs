//! A browser keeps a generated page and asks again cheaply: `ETag` and `Last-Modified` on
//! every file, `304` with no body when its copy is current, the file when it is not.

use crate::support::api::{As, Seed, create_user, seed, start_server};
use crate::support::server::RunningServer;

async fn get_with(
    server: &RunningServer,
    key: &str,
    path: &str,
    header: (&str, &str),
) -> reqwest::Response {
    reqwest::Client::new()
        .get(server.url(path))
        .bearer_auth(key)
        .header(header.0, header.1)
        .send()
        .await
        .expect("sent")
}

#[tokio::test]
async fn unchanged_files_answer_304_and_changed_ones_the_file() {
    let server = start_server();
    let alice = create_user(&server, "alice", "user").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    let path = "/docs/alpha/main/claude/opus/guide/setup.html";
    let first = crate::support::api::get(&server, path, As::Bearer(&alice)).await;
    assert_eq!(first.status, 200);
    let etag = first.header("etag").expect("an ETag").to_string();
    let modified = first
        .header("last-modified")
        .expect("Last-Modified")
        .to_string();
    assert_eq!(first.header("cache-control"), Some("private, no-cache"));

    let current = get_with(&server, &alice, path, ("if-none-match", &etag)).await;
    assert_eq!(current.status(), 304);
    assert_eq!(current.headers()["etag"], etag.as_str());
    assert!(current.headers().contains_key("content-security-policy"));
    assert!(current.bytes().await.expect("body").is_empty());
    let weak = get_with(
        &server,
        &alice,
        path,
        ("if-none-match", &format!("\"x\", W/{etag}")),
    )
    .await;
    assert_eq!(weak.status(), 304, "a list and a weak tag match too");
    let by_date = get_with(&server, &alice, path, ("if-modified-since", &modified)).await;
    assert_eq!(by_date.status(), 304);

    let stale = get_with(
        &server,
        &alice,
        path,
        ("if-none-match", "\"an-old-version\""),
    )
    .await;
    assert_eq!(stale.status(), 200);
    assert_eq!(stale.text().await.expect("body"), "<h1>setup</h1>");
    let old_date = get_with(
        &server,
        &alice,
        path,
        ("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT"),
    )
    .await;
    assert_eq!(old_date.status(), 200);

    // A new generation writes the file anew: the old tag no longer matches.
    let site = server
        .data_dir
        .path()
        .join("projects/alice/alpha/main/claude/opus/site");
    std::fs::write(site.join("guide/setup.html"), "<h1>setup, regenerated</h1>").expect("write");
    let changed = get_with(&server, &alice, path, ("if-none-match", &etag)).await;
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"], etag.as_str());
    assert_eq!(
        changed.text().await.expect("body"),
        "<h1>setup, regenerated</h1>"
    );
}
