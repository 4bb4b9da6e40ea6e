//! What a person notices without naming it: contrast that holds in both themes, and a
//! dashboard that works from the keyboard alone with the focus always visible.

use serde_json::{Value, json};

use crate::browser::{Page, tree_lists, with_browser};
use crate::support::api::{ADMIN_KEY, Seed, seed, start_server};

/// The WCAG contrast measurement, run in the page.
const CONTRAST: &str = include_str!("contrast.js");

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";

/// Fails with every text and control on screen that misses AA contrast.
async fn assert_aa_contrast(page: &Page, screen: &str) {
    let measured = page
        .client
        .execute(CONTRAST, vec![json!("page")])
        .await
        .expect("the measurement runs");
    let checked = measured["checked"].as_u64().unwrap_or_default();
    assert!(checked > 5, "{screen}: only {checked} elements measured");
    let failures = measured["failures"].as_array().cloned().unwrap_or_default();
    assert!(
        failures.is_empty(),
        "{screen} misses AA contrast: {failures:#?}"
    );
}

async fn choose_theme(page: &Page, theme: &str) {
    let select = page.find("#theme").await;
    select
        .select_by_value(theme)
        .await
        .expect("picks the theme");
    let script = format!("return document.documentElement.dataset.theme === '{theme}';");
    page.wait_until("the theme", 5, &script).await;
}

#[test]
fn every_screen_meets_aa_contrast_in_the_light_and_the_dark_theme() {
    with_browser(1280, |page| async move {
        let server = start_server();
        seed(server.data_dir.path(), &Seed::ready("admin", "alpha")).await;
        for theme in ["light", "dark"] {
            page.goto(&server.url("/login")).await;
            page.run(&format!(
                "localStorage.setItem('docsfy-theme', '{theme}'); location.reload(); return null;"
            ))
            .await;
            page.submit_wrong_login("admin", "not-the-key").await;
            assert_aa_contrast(&page, &format!("the login page ({theme})")).await;
            page.screenshot(&format!("contrast-login-{theme}")).await;

            page.sign_in(&server.url(""), "admin", ADMIN_KEY).await;
            choose_theme(&page, theme).await;
            page.fill("#repo_url", "ftp://example.com/nope").await;
            page.click("#generate button[type=submit]").await;
            page.fill("#new-username", &format!("reader-{theme}")).await;
            page.click("#create-user button[type=submit]").await;
            page.click("#tree .variant").await;
            page.wait_until(
                "the refusal, the new key and the variant's panel",
                10,
                "return !document.getElementById('generate-error').hidden \
                 && !!document.querySelector('#user-key .new-key') \
                 && !document.getElementById('detail').hidden \
                 && !!document.getElementById('settings');",
            )
            .await;
            assert_aa_contrast(&page, &format!("the dashboard ({theme})")).await;
            page.screenshot(&format!("contrast-dashboard-{theme}"))
                .await;

            page.click("#detail button.danger").await;
            page.wait_for_confirmation().await;
            assert_aa_contrast(&page, &format!("the confirmation ({theme})")).await;
            page.screenshot(&format!("contrast-confirm-{theme}")).await;
            page.click("#confirm-dialog button:not(.danger)").await;
            page.click("#logout").await;
            page.wait_for_path("/login").await;
        }
        page.assert_no_console_errors_but(&["/api/auth/login", "/api/generate"])
            .await;
    });
}

/// Presses `key` where the focus is.
async fn press(page: &Page, key: &str) {
    let focused = page
        .client
        .active_element()
        .await
        .expect("a focused element");
    focused.send_keys(key).await.expect("the key is pressed");
}

/// The focused element, and whether its focus ring shows.
async fn focus(page: &Page) -> Value {
    page.client
        .execute(CONTRAST, vec![json!("focus")])
        .await
        .expect("the focus is read")
}

/// Tabs until `wanted` returns true for the focused element, asserting that every element
/// the focus passes shows its ring.
async fn tab_until(page: &Page, what: &str, wanted: impl Fn(&Value) -> bool) {
    let mut passed = Vec::new();
    for _ in 0..80 {
        press(page, TAB).await;
        let now = focus(page).await;
        if now.is_null() {
            continue;
        }
        assert_eq!(now["visible"], true, "no visible focus on {now}");
        passed.push(format!("{} {}", now["name"], now["text"]));
        if wanted(&now) {
            return;
        }
    }
    page.screenshot("keyboard-lost").await;
    panic!("the keyboard never reached {what}; it passed {passed:#?}");
}

#[test]
fn the_dashboard_is_worked_from_the_keyboard_alone_with_the_focus_always_visible() {
    with_browser(1280, |page| async move {
        let server = start_server();
        seed(server.data_dir.path(), &Seed::ready("admin", "alpha")).await;
        page.goto(&server.url("/login")).await;
        let first = focus(&page).await;
        assert!(
            first["name"]
                .as_str()
                .unwrap_or_default()
                .contains("#username"),
            "{first}"
        );
        press(&page, "admin").await;
        press(&page, TAB).await;
        press(&page, ADMIN_KEY).await;
        press(&page, ENTER).await;
        page.wait_until(
            "the live dashboard",
            10,
            "return document.getElementById('connection').textContent === 'Live';",
        )
        .await;

        // Every control on the page is reached by Tab, each showing its focus ring.
        let controls = page
            .run(
                "const all = [...document.querySelectorAll('a[href], button, input, select')] \
                 .filter(n => !n.disabled && n.getClientRects().length && !n.closest('[hidden]')); \
                 all.forEach((n, i) => { n.dataset.kb = i; }); return all.length;",
            )
            .await
            .as_u64()
            .expect("a count");
        let mut reached = std::collections::BTreeSet::new();
        for _ in 0..controls + 3 {
            press(&page, TAB).await;
            let now = focus(&page).await;
            if now.is_null() {
                continue;
            }
            assert_eq!(now["visible"], true, "no visible focus on {now}");
            if let Value::String(index) = page
                .run("return document.activeElement.dataset.kb ?? null;")
                .await
            {
                reached.insert(index.parse::<u64>().expect("an index"));
            }
        }
        let missed = page
            .client
            .execute(
                "return [...document.querySelectorAll('[data-kb]')].filter(n => !arguments[0].includes(Number(n.dataset.kb))) \
                 .map(n => n.id || n.textContent.trim());",
                vec![json!(reached)],
            )
            .await
            .expect("runs");
        assert_eq!(missed, json!([]), "controls the keyboard never reached");

        tab_until(&page, "the project's variant", |f| {
            f["name"].as_str().unwrap_or_default().contains(".variant")
        })
        .await;
        press(&page, ENTER).await;
        let detail = focus(&page).await;
        assert!(
            detail["name"]
                .as_str()
                .unwrap_or_default()
                .contains("#detail"),
            "the panel takes the focus: {detail}"
        );
        tab_until(&page, "the Delete button", |f| f["text"] == "Delete").await;
        page.screenshot("keyboard-delete-focused-1280").await;

        // Escape keeps the variant and gives the focus back to the button.
        press(&page, ENTER).await;
        let cancel = focus(&page).await;
        assert_eq!(cancel["text"], "Cancel", "the safe choice is focused first");
        page.screenshot("keyboard-confirm-1280").await;
        press(&page, ESCAPE).await;
        let back = focus(&page).await;
        assert_eq!(back["text"], "Delete", "the focus returns: {back}");
        assert!(page.text("#tree").await.contains("alpha"));

        press(&page, ENTER).await;
        press(&page, TAB).await;
        let confirm = focus(&page).await;
        assert_eq!(confirm["text"], "Delete", "{confirm}");
        assert!(
            confirm["name"]
                .as_str()
                .unwrap_or_default()
                .contains("danger")
        );
        press(&page, ENTER).await;
        page.wait_until(
            "the variant to be deleted",
            10,
            &tree_lists("No projects yet"),
        )
        .await;
        page.screenshot("keyboard-deleted-1280").await;
        page.assert_no_console_errors().await;
    });
}
