//! `/docs/...` and the two download routes.

use std::io::Read;

use serde_json::json;

use crate::support::api::{
    ADMIN_KEY, As, Seed, create_user, get, post, raw_get, seed, start_server,
};

#[tokio::test]
async fn a_variant_site_is_served_with_index_defaults_and_nested_paths() {
    let server = start_server();
    let alice = create_user(&server, "alice", "user").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    let base = "/docs/alpha/main/claude/opus";
    for (path, body, mime) in [
        (
            base.to_string(),
            "<h1>alice/alpha/main/claude/opus</h1>",
            "text/html",
        ),
        (
            format!("{base}/"),
            "<h1>alice/alpha/main/claude/opus</h1>",
            "text/html",
        ),
        (
            format!("{base}/index.html"),
            "<h1>alice/alpha/main/claude/opus</h1>",
            "text/html",
        ),
        (format!("{base}/guide/"), "<h1>guide</h1>", "text/html"),
        (format!("{base}/guide"), "<h1>guide</h1>", "text/html"),
        (
            format!("{base}/guide/setup.html"),
            "<h1>setup</h1>",
            "text/html",
        ),
        (format!("{base}/style.css"), "body{}", "text/css"),
    ] {
        let answer = get(&server, &path, As::Bearer(&alice)).await;
        assert_eq!(answer.status, 200, "{path}");
        assert_eq!(answer.text(), body, "{path}");
        assert!(
            answer
                .header("content-type")
                .is_some_and(|t| t.starts_with(mime)),
            "{path}"
        );
    }
    assert_eq!(
        get(&server, &format!("{base}/missing.html"), As::Bearer(&alice))
            .await
            .status,
        404
    );
    let token = crate::support::api::login(&server, "alice", &alice).await;
    assert_eq!(
        get(&server, &format!("{base}/style.css"), As::Cookie(&token))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn the_latest_ready_variant_is_served_without_naming_it() {
    let server = start_server();
    let alice = create_user(&server, "alice", "user").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    seed(
        server.data_dir.path(),
        &Seed {
            status: "error",
            model: "sonnet",
            ..Seed::ready("alice", "alpha")
        },
    )
    .await;
    let index = get(&server, "/docs/alpha/", As::Bearer(&alice)).await;
    assert_eq!(index.text(), "<h1>alice/alpha/main/claude/opus</h1>");
    assert_eq!(
        get(&server, "/docs/alpha/guide/setup.html", As::Bearer(&alice))
            .await
            .text(),
        "<h1>setup</h1>"
    );
    assert_eq!(
        get(&server, "/docs/nothing/", As::Bearer(&alice))
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn paths_that_leave_the_site_are_403() {
    let server = start_server();
    let alice = create_user(&server, "alice", "user").await;
    let data = server.data_dir.path();
    seed(data, &Seed::ready("alice", "alpha")).await;
    std::fs::write(data.join("secret.txt"), "secret").expect("secret");
    let site = data.join("projects/alice/alpha/main/claude/opus/site");
    std::os::unix::fs::symlink(data.join("secret.txt"), site.join("leak.txt")).expect("symlink");
    std::os::unix::fs::symlink(data, site.join("up")).expect("dir symlink");

    for path in [
        "/docs/alpha/main/claude/opus/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        "/docs/alpha/main/claude/opus/..%2f..%2fsecret.txt",
        "/docs/alpha/main/claude/opus/guide%2F..%2F..%2Fx",
        "/docs/alpha/main/claude/opus/leak.txt",
        "/docs/alpha/main/claude/opus/up/secret.txt",
        "/docs/alpha/leak.txt",
        "/docs/alpha/main/claude/opus/../../../../../../secret.txt",
        "/docs/alpha/%2E%2E/%2E%2E/%2E%2E/%2E%2E/%2E%2E/secret.txt",
    ] {
        let (status, body) = raw_get(&server, path, &alice).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert!(
            body.contains("Path escapes the documentation site"),
            "{path}: {body}"
        );
    }
}

#[tokio::test]
async fn anonymous_browsers_are_sent_to_login_and_scripts_get_401() {
    let server = start_server();
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let browser = client
        .get(server.url("/docs/alpha/main/claude/opus/"))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .expect("sent");
    assert_eq!(browser.status(), 302);
    assert_eq!(browser.headers()["location"], "/login");
    let script = client
        .get(server.url("/docs/alpha/"))
        .send()
        .await
        .expect("sent");
    assert_eq!(script.status(), 401);
    assert_eq!(
        script.json::<serde_json::Value>().await.expect("JSON"),
        json!({"detail": "Unauthorized"})
    );
}

#[tokio::test]
async fn others_docs_are_404_until_shared() {
    let server = start_server();
    let bob = create_user(&server, "bob", "viewer").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    assert_eq!(
        get(&server, "/docs/alpha/main/claude/opus/", As::Bearer(&bob))
            .await
            .status,
        404
    );
    assert_eq!(
        get(&server, "/docs/alpha/", As::Bearer(&bob)).await.status,
        404
    );
    post(
        &server,
        "/api/admin/projects/alpha/access",
        As::Bearer(ADMIN_KEY),
        json!({"username": "bob", "owner": "alice"}),
    )
    .await;
    assert_eq!(
        get(&server, "/docs/alpha/main/claude/opus/", As::Bearer(&bob))
            .await
            .status,
        200
    );
    assert_eq!(
        get(&server, "/docs/alpha/", As::Bearer(&bob)).await.status,
        200
    );
}

fn entries(tarball: &[u8]) -> Vec<(String, String)> {
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tarball));
    let mut found = Vec::new();
    for entry in archive.entries().expect("a tar.gz") {
        let mut entry = entry.expect("entry");
        if entry.header().entry_type().is_file() {
            let path = entry.path().expect("path").display().to_string();
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("read");
            found.push((path, text));
        }
    }
    found.sort();
    found
}

#[tokio::test]
async fn a_ready_variant_downloads_as_a_tarball() {
    let server = start_server();
    let alice = create_user(&server, "alice", "user").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    let answer = get(
        &server,
        "/api/projects/alpha/main/claude/opus/download",
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/gzip"));
    assert_eq!(
        answer.header("content-disposition"),
        Some("attachment; filename=\"alpha-main-claude-opus-docs.tar.gz\"")
    );
    // docsfy's archives hold `<name>-<branch>-<provider>-<model>/`; only the file name ends
    // in `-docs.tar.gz` (spec: "Content-Disposition filename format:
    // <name>-<branch>-<provider>-<model>-docs.tar.gz").
    let files = entries(&answer.body);
    let prefix = "alpha-main-claude-opus";
    assert_eq!(
        files.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
        [
            format!("{prefix}/guide/index.html"),
            format!("{prefix}/guide/setup.html"),
            format!("{prefix}/index.html"),
            format!("{prefix}/style.css"),
        ]
    );
    assert!(files.contains(&(
        format!("{prefix}/guide/setup.html"),
        "<h1>setup</h1>".into()
    )));

    let latest = get(&server, "/api/projects/alpha/download", As::Bearer(&alice)).await;
    assert_eq!(latest.status, 200);
    assert_eq!(
        latest.header("content-disposition"),
        Some("attachment; filename=\"alpha-docs.tar.gz\"")
    );
    let latest_files: Vec<String> = entries(&latest.body).into_iter().map(|(p, _)| p).collect();
    assert_eq!(
        latest_files,
        [
            "alpha/guide/index.html",
            "alpha/guide/setup.html",
            "alpha/index.html",
            "alpha/style.css"
        ]
    );
}

#[tokio::test]
async fn downloads_refuse_what_is_not_ready_missing_or_ambiguous() {
    let server = start_server();
    let alice = create_user(&server, "alice", "user").await;
    let carol = create_user(&server, "carol", "user").await;
    let data = server.data_dir.path();
    // A generating variant's download is refused the same way: authorization_generating.rs.
    seed(
        data,
        &Seed {
            status: "error",
            ..Seed::ready("alice", "alpha")
        },
    )
    .await;
    let not_ready = get(
        &server,
        "/api/projects/alpha/main/claude/opus/download",
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(not_ready.status, 400);
    assert_eq!(
        get(&server, "/api/projects/alpha/download", As::Bearer(&alice))
            .await
            .status,
        404
    );
    assert_eq!(
        get(
            &server,
            "/api/projects/zeta/main/claude/opus/download",
            As::Bearer(&alice)
        )
        .await
        .status,
        404
    );

    seed(data, &Seed::ready("alice", "beta")).await;
    std::fs::remove_dir_all(data.join("projects/alice/beta")).expect("remove the site");
    let missing = get(
        &server,
        "/api/projects/beta/main/claude/opus/download",
        As::Bearer(&alice),
    )
    .await;
    assert_eq!(missing.status, 404);

    // Two owners' equally recent variants shared with carol: the latest route cannot choose.
    seed(data, &Seed::ready("dave", "gamma")).await;
    seed(data, &Seed::ready("erin", "gamma")).await;
    // The same time for both, whatever second each seed ran in.
    let store = docsfy::store::Store::open(data).await.expect("store");
    sqlx::query("UPDATE variants SET last_generated = '2026-01-02 03:04:05' WHERE name = 'gamma'")
        .execute(store.pool())
        .await
        .expect("tie the two variants");
    for owner in ["dave", "erin"] {
        post(
            &server,
            "/api/admin/projects/gamma/access",
            As::Bearer(ADMIN_KEY),
            json!({"username": "carol", "owner": owner}),
        )
        .await;
    }
    let tied = get(&server, "/api/projects/gamma/download", As::Bearer(&carol)).await;
    assert_eq!(tied.status, 409, "{}", tied.text());
    assert_eq!(
        get(
            &server,
            "/api/projects/gamma/main/claude/opus/download",
            As::Bearer(ADMIN_KEY)
        )
        .await
        .status,
        409
    );
    assert_eq!(
        get(
            &server,
            "/api/projects/gamma/main/claude/opus/download?owner=erin",
            As::Bearer(ADMIN_KEY)
        )
        .await
        .status,
        200
    );
}
