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

#[tokio::test]
async fn text_is_sent_compressed_from_the_copies_made_at_publish_and_assets_are_kept() {
    use std::io::Read as _;
    let fake = crate::support::fake_ai::FakeClaude::new(crate::generation::PAGES);
    let server = crate::generation::start(&fake);
    let repo = crate::support::fake_ai::SampleRepo::new();
    crate::generation::generate(&server, &repo, serde_json::json!({})).await;
    let variant = crate::generation::finished(&server, &repo).await;
    assert_eq!(variant["status"], "ready");
    let key = crate::support::api::ADMIN_KEY;
    let path = format!("/docs/{}/main/claude/opus/usage.html", repo.project());

    let plain = get_with(&server, key, &path, ("accept", "text/html")).await;
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(plain.headers()["vary"], "Accept-Encoding");
    let plain_etag = plain.headers()["etag"].clone();
    let plain = plain.bytes().await.expect("body");

    let gzipped = get_with(
        &server,
        key,
        &path,
        ("accept-encoding", "br;q=0, gzip;q=0.8"),
    )
    .await;
    assert_eq!(gzipped.status(), 200);
    assert_eq!(gzipped.headers()["content-encoding"], "gzip");
    assert_eq!(gzipped.headers()["content-type"], "text/html");
    assert_ne!(
        gzipped.headers()["etag"],
        plain_etag,
        "each encoding has its own tag"
    );
    let compressed = gzipped.bytes().await.expect("body");
    assert!(compressed.len() < plain.len());
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(compressed.as_ref())
        .read_to_end(&mut unpacked)
        .expect("gzip");
    assert_eq!(unpacked, plain, "the same page");

    let brotli = get_with(
        &server,
        key,
        &path,
        ("accept-encoding", "gzip, deflate, br"),
    )
    .await;
    assert_eq!(
        brotli.headers()["content-encoding"],
        "br",
        "the smaller copy when both are taken"
    );
    let compressed_more = brotli.bytes().await.expect("body");
    assert!(compressed_more.len() < plain.len());
    let mut unpacked = Vec::new();
    brotli::BrotliDecompress(&mut compressed_more.as_ref(), &mut unpacked).expect("brotli");
    assert_eq!(unpacked, plain, "the same page");

    // Assets are named by their content: a browser keeps them; pages it asks about again.
    let page = String::from_utf8(plain.to_vec()).expect("html");
    let style = page
        .split('"')
        .find(|part| part.starts_with("assets/style.") && part.ends_with(".css"))
        .expect("the page links its versioned stylesheet");
    let asset = get_with(
        &server,
        key,
        &format!("/docs/{}/main/claude/opus/{style}", repo.project()),
        ("accept", "*/*"),
    )
    .await;
    assert_eq!(asset.status(), 200);
    assert_eq!(
        asset.headers()["cache-control"],
        "private, max-age=31536000, immutable"
    );
    assert_eq!(
        get_with(&server, key, &path, ("accept", "*/*"))
            .await
            .headers()["cache-control"],
        "private, no-cache"
    );

    let refused = get_with(&server, key, &path, ("accept-encoding", "gzip;q=0")).await;
    assert!(
        refused.headers().get("content-encoding").is_none(),
        "q=0 refuses gzip"
    );

    let tarball = crate::support::api::get(
        &server,
        &format!("/api/projects/{}/main/claude/opus/download", repo.project()),
        As::Bearer(key),
    )
    .await;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tarball.body.as_slice()));
    let names: Vec<String> = archive
        .entries()
        .expect("entries")
        .map(|e| {
            e.expect("entry")
                .path()
                .expect("path")
                .display()
                .to_string()
        })
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with("/usage.html")),
        "{names:?}"
    );
    assert!(
        !names
            .iter()
            .any(|n| n.contains(".compressed") || n.ends_with(".gz")),
        "the serving copies stay out of the archive: {names:?}"
    );
}

/// A browser that asks for a page the site lacks sees the site's own 404 page (with a 404
/// status); a script gets the JSON error as before; a site without one gets the JSON too.
#[tokio::test]
async fn browsers_see_the_sites_404_page_and_scripts_the_json_error() {
    let server = start_server();
    let alice = create_user(&server, "alice", "user").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    let browser = ("accept", "text/html,application/xhtml+xml,*/*;q=0.8");
    let missing = "/docs/alpha/main/claude/opus/renamed-page.html";

    let without = get_with(&server, &alice, missing, browser).await;
    assert_eq!(without.status(), 404);
    let body: serde_json::Value = without.json().await.expect("JSON");
    assert_eq!(body["detail"], "File not found");

    let site = server
        .data_dir
        .path()
        .join("projects/alice/alpha/main/claude/opus/site");
    std::fs::write(site.join("404.html"), "<h1>Page not found</h1>").expect("404 page");
    for path in [missing, "/docs/alpha/renamed-page.html"] {
        let shown = get_with(&server, &alice, path, browser).await;
        assert_eq!(shown.status(), 404, "{path}");
        assert!(
            shown.headers()["content-type"]
                .to_str()
                .unwrap_or_default()
                .starts_with("text/html")
        );
        assert!(shown.headers().contains_key("content-security-policy"));
        assert!(
            !shown.headers().contains_key("etag"),
            "not a version of the missing page"
        );
        assert_eq!(shown.text().await.expect("body"), "<h1>Page not found</h1>");
    }

    let script = crate::support::api::get(&server, missing, As::Bearer(&alice)).await;
    assert_eq!(script.status, 404);
    assert!(
        script.text().contains("File not found"),
        "{}",
        script.text()
    );
    // Deeper down, the page's relative links would not work: the JSON error.
    let deep = get_with(
        &server,
        &alice,
        "/docs/alpha/main/claude/opus/guide/gone.html",
        browser,
    )
    .await;
    assert_eq!(deep.status(), 404);
    assert!(deep.text().await.expect("body").contains("File not found"));
}
