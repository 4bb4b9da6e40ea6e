//! `render.extra`: renderers that run after the site, their output kept per variant and
//! downloadable with `?format=<renderer>` on both download routes (here the bundled
//! `mdbook`, an mdBook source tree).

use std::collections::BTreeMap;
use std::io::Read as _;

use serde_json::json;

use crate::generation::{PAGES, finished, generate, start_with, variant_path};
use crate::support::api::{ADMIN_KEY, Answer, As, get};
use crate::support::client::Client;
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::server::{RunningServer, docsfy_command};

/// The configuration that renders the mdbook export.
const MDBOOK: &str = "[render]\nextra = [\"mdbook\"]\n";

/// A server started with `config`, and a ready generation of a sample repository on it.
async fn generated(config: &str) -> (FakeClaude, SampleRepo, RunningServer) {
    let fake = FakeClaude::new(PAGES);
    let repo = SampleRepo::new();
    let server = start_with(&fake, config);
    let started = generate(&server, &repo, json!({"ai_model": "opus"})).await;
    assert_eq!(started.status, 202, "{}", started.text());
    assert_eq!(finished(&server, &repo).await["status"], "ready");
    (fake, repo, server)
}

/// `GET {variant}/download{query}` of `repo`'s variant, as the admin.
async fn download(server: &RunningServer, repo: &SampleRepo, query: &str) -> Answer {
    let path = format!("{}/download{query}", variant_path(repo));
    get(server, &path, As::Bearer(ADMIN_KEY)).await
}

/// The files of a `.tar.gz`, by path.
fn unpack(archive: &[u8]) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(archive));
    for entry in tar.entries().expect("a tar") {
        let mut entry = entry.expect("an entry");
        if entry.header().entry_type().is_file() {
            let path = entry.path().expect("a path").display().to_string();
            let mut text = String::new();
            entry.read_to_string(&mut text).expect("text");
            files.insert(path, text);
        }
    }
    files
}

#[tokio::test]
async fn an_mdbook_export_is_built_with_the_site_and_downloaded_by_format() {
    let (_fake, repo, server) = generated(MDBOOK).await;

    let exported = download(&server, &repo, "?format=mdbook").await;
    assert_eq!(exported.status, 200, "{}", exported.text());
    let folder = format!("{}-main-claude-opus", repo.project());
    assert_eq!(
        exported.header("content-disposition"),
        Some(format!("attachment; filename=\"{folder}-mdbook.tar.gz\"").as_str())
    );
    let book = unpack(&exported.body);
    let book_toml: toml::Table = book[&format!("{folder}/book.toml")]
        .parse()
        .expect("book.toml is TOML");
    assert_eq!(book_toml["book"]["title"].as_str(), Some("Sample"));
    assert_eq!(book_toml["book"]["src"].as_str(), Some("src"));
    // Every chapter of SUMMARY.md is a file of the book, and every page is a chapter.
    let summary = &book[&format!("{folder}/src/SUMMARY.md")];
    let linked: Vec<&str> = summary
        .lines()
        .filter_map(|line| line.strip_prefix("- ["))
        .map(|line| {
            line.rsplit_once("](")
                .expect("a link")
                .1
                .trim_end_matches(')')
        })
        .collect();
    assert_eq!(linked, ["intro.md", "usage.md", "api.md"], "{summary}");
    for chapter in &linked {
        let page = &book[&format!("{folder}/src/{chapter}")];
        assert!(page.starts_with("# "), "{chapter}: {page}");
    }
    assert_eq!(
        book.len(),
        2 + linked.len(),
        "nothing else: {:?}",
        book.keys()
    );

    // The project's route takes the format too; its folder is the project's name.
    let latest = get(
        &server,
        &format!("/api/projects/{}/download?format=mdbook", repo.project()),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(latest.status, 200);
    assert!(unpack(&latest.body).contains_key(&format!("{}/src/SUMMARY.md", repo.project())));

    // No format, or `site`, is the site as before.
    for query in ["", "?format=site"] {
        let site = download(&server, &repo, query).await;
        assert_eq!(site.status, 200);
        assert!(
            unpack(&site.body).contains_key(&format!("{folder}/index.html")),
            "{query}"
        );
    }
    let unknown = download(&server, &repo, "?format=pdf").await;
    assert_eq!(unknown.status, 400);
    assert_eq!(
        unknown.detail(),
        "Unknown download format 'pdf'; this server offers: site, mdbook"
    );
}

#[tokio::test]
async fn a_format_the_server_does_not_render_is_refused_and_an_old_variant_says_why() {
    let (_fake, repo, server) = generated("").await;
    let refused = download(&server, &repo, "?format=mdbook").await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.detail(),
        "Unknown download format 'mdbook'; this server offers: site"
    );

    // Configured later: the variant made before has no export until generated again.
    let mut server = server;
    server.terminate();
    let server = server.start_again_with(MDBOOK);
    let missing = download(&server, &repo, "?format=mdbook").await;
    assert_eq!(missing.status, 404);
    assert!(
        missing.detail().contains("has no mdbook export"),
        "{}",
        missing.detail()
    );
    assert!(missing.detail().contains("generate it again with force"));
}

#[test]
fn an_extra_renderer_that_is_not_loaded_stops_the_start() {
    let data = tempfile::tempdir().expect("data dir");
    let config = data.path().join("docsfy.toml");
    std::fs::write(&config, "[render]\nextra = [\"pdf\"]\n").expect("config");
    let output = docsfy_command(data.path())
        .args(["serve", "--port", "0", "--config"])
        .arg(&config)
        .output()
        .expect("run docsfy serve");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "render.extra names `pdf`, which is not a loaded renderer (loaded: mdbook, site)"
        ),
        "{stderr}"
    );
}

#[tokio::test]
async fn docsfy_download_takes_a_format() {
    let (_fake, repo, server) = generated(MDBOOK).await;
    let client = Client::new();
    client.init(&server, ADMIN_KEY);

    let book = client.home.path().join("book");
    let extracted = client.run(&[
        "download",
        &repo.project(),
        "--format",
        "mdbook",
        "-o",
        book.to_str().expect("utf-8"),
        "--flatten",
    ]);
    assert_eq!(extracted.code, 0, "{}", extracted.stderr);
    assert!(book.join("book.toml").is_file() && book.join("src/SUMMARY.md").is_file());
    let saved = client.run(&["download", &repo.project(), "-f", "mdbook"]);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    assert!(
        client
            .home
            .path()
            .join(format!("{}-mdbook.tar.gz", repo.project()))
            .is_file(),
        "{}",
        saved.stdout
    );
    let refused = client.run(&["download", &repo.project(), "--format", "pdf"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .contains("Unknown download format 'pdf'; this server offers: site, mdbook"),
        "{}",
        refused.stderr
    );
}
