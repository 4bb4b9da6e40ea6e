//! Signing in and out.

use crate::browser::{Page, with_browser};
use crate::support::api::{ADMIN_KEY, start_server};

/// The active element's id.
async fn focused(page: &Page) -> String {
    let id = page
        .client
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await
        .expect("runs");
    id.as_str().unwrap_or_default().to_string()
}

async fn sign_in_and_out(page: Page, width: u32) {
    let server = start_server();
    page.goto(&server.url("/")).await;
    page.wait_for_path("/login").await;
    page.submit_wrong_login("admin", "not-the-admin-key-at-all")
        .await;
    assert!(
        page.text("#login-error").await.contains("do not match"),
        "{}",
        page.text("#login-error").await
    );
    assert_eq!(focused(&page).await, "api_key", "the key field keeps focus");
    page.screenshot(&format!("login-wrong-key-{width}")).await;

    page.fill("#api_key", ADMIN_KEY).await;
    page.click("button[type=submit]").await;
    page.wait_for_path("/").await;
    page.wait_until(
        "the socket to be live",
        10,
        "return document.getElementById('connection').textContent === 'Live';",
    )
    .await;
    assert_eq!(page.text("#whoami").await, "admin (admin)");
    assert!(page.text("#tree").await.contains("No projects yet"));
    let sideways = page
        .client
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .expect("runs");
    assert_eq!(sideways, false, "nothing scrolls sideways at {width} px");
    page.screenshot(&format!("dashboard-empty-{width}")).await;
    let theme = page.find("#theme").await;
    theme.select_by_value("dark").await.expect("picks dark");
    page.client.refresh().await.expect("reloads");
    page.wait_until(
        "the dark theme to be kept across a reload",
        10,
        "return document.documentElement.dataset.theme === 'dark' && document.getElementById('theme').value === 'dark';",
    )
    .await;
    page.screenshot(&format!("dashboard-dark-{width}")).await;

    page.click("#logout").await;
    page.wait_for_path("/login").await;
    page.goto(&server.url("/")).await;
    page.wait_for_path("/login").await;
    // The wrong key's 401 is the one error the test asked for.
    page.assert_no_console_errors_but(&[
        "/api/auth/login - Failed to load resource: the server responded with a status of 401",
    ])
    .await;
}

#[test]
fn a_wrong_key_is_refused_clearly_and_the_admin_signs_in_and_out_on_a_desktop() {
    with_browser(1280, |page| sign_in_and_out(page, 1280));
}

#[test]
fn a_wrong_key_is_refused_clearly_and_the_admin_signs_in_and_out_on_a_phone() {
    with_browser(360, |page| sign_in_and_out(page, 360));
}
