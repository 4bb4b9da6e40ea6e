//! The variant's panel beyond the first generation: a failure explained, regenerated with
//! force preselected; the tree's summaries and folders; deleting a whole project.

use crate::browser::{panel_shows, tree_lists, with_browser};
use crate::support::api::ADMIN_KEY;
use crate::support::fake_ai::{FakeClaude, SampleRepo, claude_result};

#[test]
fn a_failed_generation_is_explained_and_regenerated_from_its_panel_then_the_project_deleted() {
    with_browser(360, |page| async move {
        let fake = FakeClaude::new(&[("intro", "Introduction")]);
        fake.answer("plan", &claude_result("this is not a plan"));
        let repo = SampleRepo::new();
        let server = fake.server("");
        page.sign_in(&server.url(""), "admin", ADMIN_KEY).await;
        page.fill("#repo_path", &repo.path().display().to_string())
            .await;
        page.fill("#ai_model", "opus").await;
        page.click("#generate button[type=submit]").await;
        page.wait_until("the failure", 60, &panel_shows("error"))
            .await;
        let stored = crate::support::api::get(
            &server,
            "/api/status",
            crate::support::api::As::Bearer(ADMIN_KEY),
        )
        .await
        .json();
        let message = stored["projects"][0]["error_message"]
            .as_str()
            .expect("an error message")
            .to_string();
        assert_eq!(
            page.text("#detail .error").await,
            message,
            "the server's own words"
        );
        assert!(
            page.text("#tree").await.contains("1 failed"),
            "{}",
            page.text("#tree").await
        );
        let force = page.find("#regen-force").await;
        assert!(
            force.is_selected().await.expect("checked or not"),
            "force is preselected after a failure"
        );
        page.screenshot("variant-failed-360").await;

        fake.plan(&[("intro", "Introduction")]);
        page.click("#regenerate button[type=submit]").await;
        page.wait_until("the regeneration to be ready", 60, &panel_shows("ready"))
            .await;
        assert!(page.text("#tree").await.contains("1 ready"));
        assert!(page.text("#detail .notice").await.contains("ready"));
        let suggested = page
            .run("return [...document.querySelectorAll('#branches option')].map(o => o.value);")
            .await;
        assert_eq!(
            suggested,
            serde_json::json!(["main"]),
            "the generated branch is suggested"
        );
        page.screenshot("variant-regenerated-360").await;

        page.click("#collapse-all").await;
        page.wait_until(
            "the folders to close",
            5,
            "return !document.querySelector('#tree .variant');",
        )
        .await;
        page.click("#expand-all").await;
        page.wait_until(
            "the folders to open",
            5,
            "return !!document.querySelector('#tree .variant');",
        )
        .await;

        let delete_all = format!("Delete every variant of {}", repo.project());
        let buttons = page
            .client
            .find_all(fantoccini::Locator::Css("#detail button"))
            .await
            .expect("buttons");
        let mut clicked = false;
        for button in buttons {
            if button.text().await.unwrap_or_default() == delete_all {
                button.click().await.expect("clicks");
                clicked = true;
                break;
            }
        }
        assert!(clicked, "a button to {delete_all}");
        page.wait_for_confirmation().await;
        assert!(page.text("#confirm-text").await.contains(&repo.project()));
        page.click("#confirm-dialog button.danger").await;
        page.wait_until("the project to be gone", 10, &tree_lists("No projects yet"))
            .await;
        page.assert_no_console_errors().await;
    });
}
