//! Generating from the dashboard's form and following it live.

use crate::browser::{Page, panel_shows, tree_lists, with_browser};
use crate::support::api::ADMIN_KEY;
use crate::support::fake_ai::{FakeClaude, SampleRepo};

async fn sign_in(page: &Page, base: &str) {
    page.sign_in(base, "admin", ADMIN_KEY).await;
}

/// Generates `repo` (a path on the server, as admins may) with the form.
async fn generate_from_form(page: &Page, repo: &SampleRepo) {
    page.fill("#repo_path", &repo.path().display().to_string())
        .await;
    page.fill("#ai_model", "opus").await;
    page.click("#generate button[type=submit]").await;
}

#[test]
fn a_generation_started_from_the_form_advances_live_and_opens_its_docs() {
    with_browser(1280, |page| async move {
        let fake = FakeClaude::new(&[
            ("intro", "Introduction"),
            ("usage", "Usage"),
            ("api", "API"),
        ]);
        fake.track_concurrency();
        fake.report_cost(0.1);
        fake.report_tokens(1200, 340);
        let repo = SampleRepo::new();
        let server = fake.server("");
        sign_in(&page, &server.url("")).await;
        generate_from_form(&page, &repo).await;
        page.wait_until(
            "the progress of the new generation",
            20,
            "return !!document.getElementById('progress-text');",
        )
        .await;
        page.screenshot("dashboard-generating-1280").await;
        page.wait_until(
            "the generation to be ready, with no reload",
            60,
            &panel_shows("ready"),
        )
        .await;
        let activity = page.text("#activity").await;
        for stage in [
            "Planning the documentation",
            "Writing pages",
            "Rendering the site",
        ] {
            assert!(activity.contains(stage), "the activity log: {activity}");
        }
        assert!(
            activity.contains(" of 3"),
            "pages are logged as they are written: {activity}"
        );
        assert!(page.text("#tree").await.contains(&repo.project()));
        let cost = crate::support::api::get(
            &server,
            "/api/cost",
            crate::support::api::As::Bearer(ADMIN_KEY),
        )
        .await
        .json();
        let variant = &cost["projects"][0]["variants"][0];
        assert_eq!(
            page.field("Generation").await,
            variant["generation_id"].as_str().expect("an id")
        );
        let usd = variant["total_cost_usd"].as_f64().expect("a cost");
        assert!(usd > 0.0, "{cost}");
        assert_eq!(page.field("Cost").await, format!("${usd:.2}"));
        let read = variant["total_input_tokens"].as_u64().expect("tokens read");
        let written = variant["total_output_tokens"]
            .as_u64()
            .expect("tokens written");
        assert_eq!(
            (read, written),
            (3600, 1020),
            "three pages of 1,200 and 340"
        );
        assert_eq!(page.field("Tokens").await, "3,600 in · 1,020 out");
        assert!(page.field("Took").await.ends_with(" s"));
        page.screenshot("dashboard-ready-1280").await;
        page.click("#detail a.primary").await;
        page.wait_until(
            "the generated site",
            10,
            "return location.pathname.startsWith('/docs/') && document.body.textContent.includes('Introduction');",
        )
        .await;
        page.screenshot("docs-opened-from-dashboard-1280").await;
        page.assert_no_console_errors().await;
    });
}

#[test]
fn a_slow_generation_is_aborted_then_deleted_from_its_panel() {
    with_browser(360, |page| async move {
        let fake = FakeClaude::new(&[("intro", "Introduction")]);
        fake.slow(true);
        let repo = SampleRepo::new();
        let server = fake.server("");
        sign_in(&page, &server.url("")).await;
        generate_from_form(&page, &repo).await;
        fake.wait_for_slow_call().await;
        page.wait_until(
            "the Abort button",
            20,
            "return [...document.querySelectorAll('#detail button')].some(b => b.textContent === 'Abort');",
        )
        .await;
        page.screenshot("dashboard-slow-generation-360").await;
        page.click("#detail button.danger").await;
        page.wait_for_confirmation().await;
        page.click("#confirm-dialog button.danger").await;
        page.wait_until("the generation to be aborted", 20, &panel_shows("aborted"))
            .await;
        page.screenshot("dashboard-aborted-360").await;
        page.click("#detail button.danger").await;
        page.wait_for_confirmation().await;
        assert!(page.text("#confirm-text").await.contains("is removed"));
        page.screenshot("dashboard-confirm-delete-360").await;
        page.click("#confirm-dialog button.danger").await;
        page.wait_until(
            "the variant to leave the tree",
            20,
            &tree_lists("No projects yet"),
        )
        .await;
        page.assert_no_console_errors().await;
    });
}

#[test]
fn the_form_shows_the_server_s_refusal_remembers_its_inputs_and_the_badge_shows_offline() {
    with_browser(1280, |page| async move {
        let fake = FakeClaude::new(&[("intro", "Introduction")]);
        let server = fake.server("");
        sign_in(&page, &server.url("")).await;
        let bad_url = "ftp://example.com/owner/repo";
        page.fill("#repo_url", bad_url).await;
        page.fill("#branch", "release").await;
        page.click("#generate button[type=submit]").await;
        page.wait_until(
            "the refusal",
            10,
            "return !document.getElementById('generate-error').hidden;",
        )
        .await;
        let expected = crate::support::api::post(
            &server,
            "/api/generate",
            crate::support::api::As::Bearer(ADMIN_KEY),
            serde_json::json!({"repo_url": bad_url, "branch": "release", "ai_provider": "claude", "ai_model": "opus"}),
        )
        .await
        .detail();
        assert!(!expected.is_empty());
        assert_eq!(
            page.text("#generate-error").await,
            expected,
            "the server's own words"
        );
        page.screenshot("dashboard-refused-1280").await;

        page.client.refresh().await.expect("reloads");
        page.wait_until(
            "the remembered inputs",
            10,
            &format!("return document.getElementById('repo_url').value === '{bad_url}' && document.getElementById('branch').value === 'release';"),
        )
        .await;
        drop(server);
        page.wait_until(
            "the offline badge",
            10,
            "return document.getElementById('connection').textContent.startsWith('Offline');",
        )
        .await;
        page.screenshot("dashboard-offline-1280").await;
        // Failed reconnects and the refused form are what the test asked for.
        page.assert_no_console_errors_but(&["/api/ws", "/api/status", "/api/generate"])
            .await;
    });
}
