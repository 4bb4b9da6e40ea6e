//! The defaults panel: an admin changes what the next generations use; what the operator
//! fixed in the environment is shown and cannot be changed; a refused value is explained.

use crate::browser::with_browser;
use crate::support::api::{ADMIN_KEY, As, get};
use crate::support::fake_ai::FakeClaude;

#[test]
fn an_admin_changes_the_defaults_and_sees_what_the_operator_fixed() {
    with_browser(1280, |page| async move {
        let fake = FakeClaude::new(&[("intro", "Introduction")]);
        // The fake's server sets AI_MODEL in its environment: the operator's choice.
        let server = fake.server("");
        page.sign_in(&server.url(""), "admin", ADMIN_KEY).await;
        page.wait_until(
            "the defaults",
            10,
            "return !!document.getElementById('setting-max_concurrent_pages');",
        )
        .await;
        let model = page.find("#setting-ai_model").await;
        assert_eq!(
            model.prop("value").await.expect("a value").as_deref(),
            Some("opus")
        );
        assert!(
            !model.is_enabled().await.expect("enabled or not"),
            "the operator's model is fixed"
        );
        assert!(
            page.text("#settings")
                .await
                .contains("Set by the server's configuration.")
        );

        page.fill("#setting-max_concurrent_pages", "3").await;
        page.fill("#setting-ai_cli_timeout", "90").await;
        page.click("#settings button[type=submit]").await;
        page.wait_until(
            "the defaults to be saved",
            10,
            "return document.getElementById('settings-status').textContent === 'Saved.';",
        )
        .await;
        page.screenshot("settings-saved-1280").await;
        let stored = get(&server, "/api/admin/settings", As::Bearer(ADMIN_KEY))
            .await
            .json();
        assert_eq!(stored["settings"]["max_concurrent_pages"], 3, "{stored}");
        assert_eq!(stored["settings"]["ai_cli_timeout"], 90, "{stored}");

        page.fill("#setting-max_concurrent_pages", "0").await;
        page.click("#settings button[type=submit]").await;
        page.wait_until(
            "the refusal",
            10,
            "return document.getElementById('settings-status').className === 'error';",
        )
        .await;
        assert_eq!(
            page.text("#settings-status").await,
            "max_concurrent_pages must be an integer from 1 to 100",
            "the server's own words"
        );
        let unchanged = get(&server, "/api/admin/settings", As::Bearer(ADMIN_KEY))
            .await
            .json();
        assert_eq!(
            unchanged["settings"]["max_concurrent_pages"], 3,
            "a refused change changes nothing"
        );
        page.screenshot("settings-refused-1280").await;
        page.assert_no_console_errors_but(&["/api/admin/settings"])
            .await;
    });
}
