//! Administration from the dashboard: users and their keys, sharing a project, and the
//! shared project appearing and disappearing live in the other user's browser.

use serde_json::json;

use crate::browser::{tree_lists, with_browser};
use crate::support::api::{ADMIN_KEY, As, Seed, post, revoke, seed, start_server};

#[test]
fn an_admin_creates_a_user_shares_a_project_and_the_user_sees_access_change_live() {
    with_browser(1280, |page| async move {
        let server = start_server();
        seed(server.data_dir.path(), &Seed::ready("admin", "alpha")).await;
        page.sign_in(&server.url(""), "admin", ADMIN_KEY).await;

        page.fill("#new-username", "bob").await;
        page.click("#create-user button[type=submit]").await;
        page.wait_until(
            "bob in the users table",
            10,
            "return document.getElementById('users').textContent.includes('bob');",
        )
        .await;
        let key = page.text("#user-key .new-key").await;
        assert_eq!(key.len(), 64, "the new key is shown: {key:?}");
        assert!(page.text("#user-key").await.contains("only this once"));
        page.screenshot("admin-user-created-1280").await;

        page.click("#tree .variant").await;
        page.fill("#grant-user", "bob").await;
        page.click("#grant button[type=submit]").await;
        page.wait_until(
            "bob in the access list",
            10,
            "return document.getElementById('access-list').textContent.includes('bob');",
        )
        .await;
        page.screenshot("admin-access-granted-1280").await;
        page.client.refresh().await.expect("reloads");
        page.wait_until(
            "the users table again",
            10,
            "return !!document.getElementById('users');",
        )
        .await;
        assert!(
            page.text("#user-key").await.is_empty(),
            "a key is never shown twice"
        );
        page.click("#logout").await;
        page.wait_for_path("/login").await;

        page.sign_in(&server.url(""), "bob", &key).await;
        page.wait_until("the shared project", 10, &tree_lists("alpha"))
            .await;
        let administration = page.find("#admin-panel").await;
        let shown = administration
            .is_displayed()
            .await
            .expect("displayed or not");
        assert!(!shown, "no administration for a user");
        let revoked = revoke(&server, "alpha", "admin", "bob").await;
        assert_eq!(revoked.status, 200, "{}", revoked.text());
        page.wait_until(
            "the project to disappear with no reload",
            10,
            "return !document.getElementById('tree').textContent.includes('alpha');",
        )
        .await;
        let granted = post(
            &server,
            "/api/admin/projects/alpha/access",
            As::Bearer(ADMIN_KEY),
            json!({"username": "bob", "owner": "admin"}),
        )
        .await;
        assert_eq!(granted.status, 200, "{}", granted.text());
        page.wait_until(
            "the project to appear with no reload",
            10,
            &tree_lists("alpha"),
        )
        .await;
        page.screenshot("user-sees-shared-project-1280").await;
        page.assert_no_console_errors().await;
    });
}

#[test]
fn an_admin_sees_every_owner_s_projects_grouped_and_filters_them() {
    with_browser(1280, |page| async move {
        let server = start_server();
        for (owner, name, model) in [
            ("admin", "widgets", "opus"),
            ("admin", "widgets", "sonnet"),
            ("alice", "gizmo", "opus"),
            ("alice", "ledger", "opus"),
        ] {
            let variant = Seed {
                model,
                ..Seed::ready(owner, name)
            };
            seed(server.data_dir.path(), &variant).await;
        }
        page.sign_in(&server.url(""), "admin", ADMIN_KEY).await;
        page.wait_until("every project", 10, &tree_lists("ledger"))
            .await;
        let tree = page.text("#tree").await;
        for owner in ["admin (2)", "alice (2)"] {
            assert!(tree.contains(owner), "grouped by owner: {tree}");
        }
        assert!(page.text("#counts").await.starts_with("4 of 4 variants"));
        page.click("#tree .variant").await;
        page.wait_until(
            "the variant's panel",
            10,
            "return !document.getElementById('detail').hidden;",
        )
        .await;
        page.client
            .execute("window.scrollTo(0, 0); return null;", vec![])
            .await
            .expect("scrolls");
        page.screenshot("readme-dashboard").await;
        page.fill("#filter", "gizmo").await;
        page.wait_until(
            "the filter to leave one project",
            10,
            "return !document.getElementById('tree').textContent.includes('ledger');",
        )
        .await;
        assert!(page.text("#counts").await.starts_with("1 of 4 variants"));
        page.assert_no_console_errors().await;
    });
}
