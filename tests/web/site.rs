//! The generated site in Chromium: a real generation (the fake claude writes the pages)
//! rendered by the bundled `site` plugin and served by the real server. What a reader sees
//! and does: highlighted code, callouts, the table of contents, previous/next and the arrow
//! keys, Ctrl-K search, the theme kept across pages, a phone's width, AA contrast.

use std::time::Duration;

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use serde_json::{Value, json};

use crate::browser::{Page, with_browser};
use crate::support::api::{ADMIN_KEY, As, get, post};
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::server::RunningServer;

const CONTRAST: &str = include_str!("contrast.js");

/// Sentences enough to make a section taller than the window.
fn filler(topic: &str) -> String {
    (1..=5)
        .map(|n| {
            format!(
                "Paragraph {n} about {topic}: the sample reads its notes, groups them by \
                 heading, and writes a report that a person can read in a minute or two.\n\n"
            )
        })
        .collect()
}

fn introduction() -> String {
    format!(
        "# Introduction\n\nSample turns notes into a report.\n\n\
         > **Note:** Sample needs Rust 1.80 or newer.\n\n\
         ## Overview\n\n{}\
         ## Configuration\n\n```toml\n[report]\ntitle = \"Weekly\"\nlimit = 20\n```\n\n{}\
         ## Running\n\n```rust\nfn main() {{\n    let greeting = \"hello\";\n    println!(\"{{greeting}}\");\n}}\n```\n\n\
         > [!WARNING]\n> Running twice overwrites the report.\n\n{}\
         ## Troubleshooting\n\n| Option | Default | What it does |\n|---|---|---|\n\
         | `--verbose-output-with-every-detail` | `false` | Prints every step of every stage as it happens |\n\n\
         See https://example.com/a/very/long/path/without/any/breaks/that/would/push/the/page/sideways/on/a/phone for more.\n\n{}",
        filler("the overview"),
        filler("configuration"),
        filler("running"),
        filler("troubleshooting")
    )
}

fn install() -> String {
    format!(
        "# Install\n\n> **Tip:** `cargo install sample` is the quickest way.\n\n\
         ## From source\n\n```sh\ngit clone https://example.com/sample.git\ncargo build --release\n```\n\n{}\
         ## Checking it works\n\n{}",
        filler("building"),
        filler("checking")
    )
}

fn usage() -> String {
    format!(
        "# Usage\n\n## Everyday reports\n\n{}\
         ## Advanced filters\n\nThe quetzalcoatl filter keeps only notes tagged as urgent.\n\n{}",
        filler("reports"),
        filler("filters")
    )
}

/// A server whose generation of a sample repository (version 3.1.4) is ready, signed in as
/// the admin; returns the server, the repository and the site's base URL.
async fn generated_site(page: &Page) -> (RunningServer, SampleRepo, FakeClaude, String) {
    let fake = FakeClaude::new(&[
        ("intro", "Introduction"),
        ("install", "Install"),
        ("usage", "Usage"),
    ]);
    fake.write_page("Introduction", &introduction());
    fake.write_page("Install", &install());
    fake.write_page("Usage", &usage());
    let repo = SampleRepo::new();
    repo.commit(
        &[(
            "Cargo.toml",
            "[package]\nname = \"sample\"\nversion = \"3.1.4\"\n",
        )],
        "version",
    );
    let server = fake.server("");
    let body = json!({"repo_path": repo.path().display().to_string(), "ai_provider": "claude", "ai_model": "opus"});
    let started = post(&server, "/api/generate", As::Bearer(ADMIN_KEY), body).await;
    assert_eq!(started.status, 202, "{}", started.text());
    let variant = format!("/api/projects/{}/main/claude/opus", repo.project());
    let mut status = Value::Null;
    for _ in 0..300 {
        status = get(&server, &variant, As::Bearer(ADMIN_KEY)).await.json()["status"].clone();
        if status != "generating" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "ready");
    page.sign_in(&server.url(""), "admin", ADMIN_KEY).await;
    let base = server.url(&format!("/docs/{}/", repo.project()));
    (server, repo, fake, base)
}

async fn press(page: &Page, keys: &[Key], key: char) {
    let mut actions = KeyActions::new("keyboard".into());
    for modifier in keys {
        actions = actions.then(KeyAction::Down {
            value: char::from(*modifier),
        });
    }
    actions = actions
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    for modifier in keys.iter().rev() {
        actions = actions.then(KeyAction::Up {
            value: char::from(*modifier),
        });
    }
    page.client
        .perform_actions(actions)
        .await
        .expect("keys pressed");
}

/// Opens the search dialog with `key` (and `modifiers`), types `query` and waits for results.
async fn search(page: &Page, modifiers: &[Key], key: char, query: &str) {
    press(page, modifiers, key).await;
    page.wait_until(
        "the search dialog",
        5,
        "return document.getElementById('docsfy-search').open;",
    )
    .await;
    page.find("#docsfy-search-input")
        .await
        .send_keys(query)
        .await
        .expect("types");
    page.wait_until(
        "search results",
        5,
        "return document.querySelectorAll('#docsfy-search-results li').length > 0;",
    )
    .await;
}

async fn open(page: &Page, url: &str) {
    page.client.goto(url).await.expect("navigates");
    page.wait_until(
        "the page's script",
        10,
        "return document.readyState === 'complete' && !!document.querySelector('.code-block .copy, .content');",
    )
    .await;
}

async fn assert_aa_contrast(page: &Page, what: &str) {
    let measured = page
        .client
        .execute(CONTRAST, vec![json!("page")])
        .await
        .expect("the measurement runs");
    assert!(
        measured["checked"].as_u64().unwrap_or_default() > 20,
        "{what}: {measured}"
    );
    let failures = measured["failures"].as_array().cloned().unwrap_or_default();
    assert!(
        failures.is_empty(),
        "{what} misses AA contrast: {failures:#?}"
    );
}

/// Every resource the page loaded came from the server itself.
async fn assert_nothing_left_the_server(page: &Page) {
    let foreign = page
        .run("return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin));")
        .await;
    assert_eq!(foreign, json!([]), "requests to other origins");
}

#[test]
fn a_reader_finds_highlighted_code_callouts_contents_and_moves_between_pages() {
    with_browser(1280, |page| async move {
        let (_server, _repo, _fake, base) = generated_site(&page).await;
        open(&page, &format!("{base}intro.html")).await;

        // Highlighted at render time, labelled, with a copy button.
        let highlighted = page
            .run("return [...document.querySelectorAll('.code-block')].map(b => [b.querySelector('.code-lang').textContent, b.querySelectorAll('[class*=\"hl-\"]').length > 3, !!b.querySelector('button.copy')]);")
            .await;
        assert_eq!(
            highlighted,
            json!([["TOML", true, true], ["Rust", true, true]])
        );
        let keyword_colour = page
            .run("const k = document.querySelector('.code-block .hl-keyword, .code-block .hl-storage'); return getComputedStyle(k).color !== getComputedStyle(document.querySelector('.code-block pre')).color;")
            .await;
        assert_eq!(keyword_colour, json!(true), "tokens are coloured");
        page.click(".code-block .copy").await;
        page.wait_until(
            "the copy confirmation",
            5,
            "return document.querySelector('.code-block .copy').textContent === 'Copied';",
        )
        .await;

        // Callouts from docsfy's marker and from GitHub's.
        let callouts = page
            .run("return [...document.querySelectorAll('.callout')].map(c => [c.className, c.querySelector('.callout-title').textContent]);")
            .await;
        assert_eq!(
            callouts,
            json!([
                ["callout callout-note", "Note"],
                ["callout callout-warning", "Warning"]
            ])
        );

        // Footer facts, the project's version included.
        let footer = page.text(".footer").await;
        assert!(
            footer.contains("Sample 3.1.4") && footer.contains("claude/opus"),
            "{footer}"
        );
        page.screenshot("site-desktop-light").await;
        page.run("document.getElementById('configuration').scrollIntoView(); return null;")
            .await;
        page.screenshot("site-code-light").await;

        // "On this page": a link scrolls to its section, which is then marked as current.
        let toc = page
            .run("return [...document.querySelectorAll('#docsfy-toc a')].map(a => a.textContent);")
            .await;
        assert_eq!(
            toc,
            json!([
                "Overview",
                "Configuration",
                "Running",
                "Troubleshooting",
                "Related pages"
            ])
        );
        page.click("#docsfy-toc a[href='#troubleshooting']").await;
        page.wait_until(
            "the section at the top and marked in the contents",
            5,
            "const h = document.getElementById('troubleshooting').getBoundingClientRect().top; \
             return location.hash === '#troubleshooting' && h >= 0 && h < 200 \
               && document.querySelector('#docsfy-toc a[aria-current]')?.getAttribute('href') === '#troubleshooting';",
        )
        .await;

        // → goes to the next page, ← back; the links say where.
        assert_eq!(
            page.text(".pager a[rel='next'] .pager-title").await,
            "Install"
        );
        press(&page, &[], char::from(Key::Right)).await;
        page.wait_until(
            "the next page",
            5,
            "return location.pathname.endsWith('/install.html');",
        )
        .await;
        press(&page, &[], char::from(Key::Left)).await;
        page.wait_until(
            "the previous page",
            5,
            "return location.pathname.endsWith('/intro.html');",
        )
        .await;

        // Ctrl-K, a word from a page's body, Enter: that page, at its section.
        search(&page, &[Key::Control], 'k', "quetzal").await;
        let first = page
            .run("const li = document.querySelector('#docsfy-search-results li'); return [li.querySelector('.hit-title').textContent, li.querySelector('mark').textContent, li.getAttribute('aria-selected')];")
            .await;
        assert_eq!(
            first,
            json!(["Usage › Advanced filters", "quetzal", "true"])
        );
        page.screenshot("site-search").await;
        press(&page, &[], char::from(Key::Enter)).await;
        page.wait_until("the found page", 5, "return location.pathname.endsWith('/usage.html') && location.hash === '#advanced-filters';").await;

        // "/" opens it too. A title outranks a heading, which outranks the text; the arrow
        // keys move the selection; Escape closes the dialog.
        open(&page, &format!("{base}usage.html")).await;
        search(&page, &[], '/', "instal").await;
        let ranked = page
            .run("return [...document.querySelectorAll('#docsfy-search-results .hit-title')].map(t => t.textContent);")
            .await;
        let ranked: Vec<&str> = ranked
            .as_array()
            .expect("titles")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            ranked.first().is_some_and(|t| t.starts_with("Install")) && ranked.len() > 1,
            "{ranked:?}"
        );
        let selected = "return [...document.querySelectorAll('#docsfy-search-results li')].findIndex(li => li.getAttribute('aria-selected') === 'true');";
        press(&page, &[], char::from(Key::Down)).await;
        assert_eq!(page.run(selected).await, json!(1));
        press(&page, &[], char::from(Key::Up)).await;
        assert_eq!(page.run(selected).await, json!(0));
        press(&page, &[], char::from(Key::Escape)).await;
        page.wait_until(
            "the dialog closed",
            5,
            "return !document.getElementById('docsfy-search').open;",
        )
        .await;

        // Landmarks and names a screen reader announces.
        let landmarks = page
            .run("return ['header.top', 'nav#docsfy-sidebar[aria-label]', 'main', 'nav#docsfy-toc[aria-label]', 'footer', 'dialog#docsfy-search[aria-label]', '#docsfy-theme[aria-label]'].filter(css => !document.querySelector(css));")
            .await;
        assert_eq!(landmarks, json!([]), "missing");

        // Printed, the page is its text: no header, sidebar, contents or pager.
        page.cdp("Emulation.setEmulatedMedia", json!({"media": "print"}))
            .await;
        let printed = page
            .run("return ['.top', '.sidebar', '.toc', '.pager'].map(css => getComputedStyle(document.querySelector(css)).display).concat([getComputedStyle(document.querySelector('.content')).display]);")
            .await;
        page.cdp("Emulation.setEmulatedMedia", json!({"media": ""}))
            .await;
        assert_eq!(printed, json!(["none", "none", "none", "none", "block"]));

        assert_nothing_left_the_server(&page).await;
        page.assert_no_console_errors().await;
    });
}

#[test]
fn the_theme_is_kept_across_pages_and_both_meet_aa_contrast() {
    with_browser(1280, |page| async move {
        let (_server, _repo, _fake, base) = generated_site(&page).await;
        open(&page, &format!("{base}intro.html")).await;
        page.run("localStorage.removeItem('docsfy-site-theme'); return null;")
            .await;
        assert_aa_contrast(&page, "the light theme").await;
        search(&page, &[Key::Control], 'k', "paragraph").await;
        assert_aa_contrast(&page, "the search in the light theme").await;
        press(&page, &[], char::from(Key::Escape)).await;

        page.find("#docsfy-theme")
            .await
            .select_by_value("dark")
            .await
            .expect("dark");
        page.wait_until(
            "the dark theme",
            5,
            "return document.documentElement.dataset.theme === 'dark';",
        )
        .await;
        open(&page, &format!("{base}usage.html")).await;
        let kept = page
            .run("return [document.documentElement.dataset.theme, document.getElementById('docsfy-theme').value, getComputedStyle(document.body).backgroundColor];")
            .await;
        assert_eq!(
            kept,
            json!(["dark", "dark", "rgb(20, 23, 28)"]),
            "kept on the next page"
        );
        open(&page, &format!("{base}intro.html")).await;
        assert_aa_contrast(&page, "the dark theme").await;
        search(&page, &[Key::Control], 'k', "paragraph").await;
        assert_aa_contrast(&page, "the search in the dark theme").await;
        page.screenshot("site-search-dark").await;
        press(&page, &[], char::from(Key::Escape)).await;
        page.screenshot("site-desktop-dark").await;
        page.run("document.getElementById('running').scrollIntoView(); return null;")
            .await;
        page.screenshot("site-code-dark").await;

        page.find("#docsfy-theme")
            .await
            .select_by_value("system")
            .await
            .expect("system");
        open(&page, &format!("{base}install.html")).await;
        let system = page
            .run("return document.documentElement.dataset.theme === undefined;")
            .await;
        assert_eq!(system, json!(true));
        page.assert_no_console_errors().await;
    });
}

#[test]
fn at_a_phones_width_the_sidebar_waits_behind_a_button_and_nothing_scrolls_sideways() {
    with_browser(360, |page| async move {
        let (_server, _repo, _fake, base) = generated_site(&page).await;
        for theme in ["light", "dark"] {
            open(&page, &format!("{base}intro.html")).await;
            page.run(&format!(
                "localStorage.setItem('docsfy-site-theme', '{theme}'); return null;"
            ))
            .await;
            open(&page, &format!("{base}intro.html")).await;
            let layout = page
                .run("return [getComputedStyle(document.getElementById('docsfy-sidebar')).display, getComputedStyle(document.getElementById('docsfy-menu')).display !== 'none', document.documentElement.scrollWidth <= window.innerWidth];")
                .await;
            assert_eq!(
                layout,
                json!(["none", true, true]),
                "{theme}: sidebar hidden, menu shown, no sideways scroll"
            );
            page.screenshot(&format!("site-mobile-{theme}")).await;
            page.click("#docsfy-menu").await;
            page.wait_until("the sidebar", 5, "return getComputedStyle(document.getElementById('docsfy-sidebar')).display === 'block';").await;
            let expanded = page
                .run("return document.getElementById('docsfy-menu').getAttribute('aria-expanded');")
                .await;
            assert_eq!(expanded, json!("true"));
            page.screenshot(&format!("site-mobile-menu-{theme}")).await;
            let wide = page.run("window.scrollTo(0, document.body.scrollHeight); return document.documentElement.scrollWidth <= window.innerWidth;").await;
            assert_eq!(
                wide,
                json!(true),
                "{theme}: the table and the long link stay inside"
            );
        }
        page.assert_no_console_errors().await;
    });
}

#[test]
fn a_downloaded_site_opened_from_disk_still_searches() {
    with_browser(1280, |page| async move {
        let (server, repo, _fake, _base) = generated_site(&page).await;
        let download = get(
            &server,
            &format!("/api/projects/{}/download", repo.project()),
            As::Bearer(ADMIN_KEY),
        )
        .await;
        assert_eq!(download.status, 200);
        let unpacked = tempfile::tempdir().expect("dir");
        tar::Archive::new(flate2::read::GzDecoder::new(download.body.as_slice()))
            .unpack(unpacked.path())
            .expect("unpacks");
        let intro = unpacked.path().join(repo.project()).join("intro.html");
        open(&page, &format!("file://{}", intro.display())).await;
        search(&page, &[Key::Control], 'k', "quetzal").await;
        press(&page, &[], char::from(Key::Enter)).await;
        page.wait_until(
            "the page from disk",
            5,
            "return location.protocol === 'file:' && location.pathname.endsWith('/usage.html');",
        )
        .await;
        page.assert_no_console_errors().await;
    });
}
