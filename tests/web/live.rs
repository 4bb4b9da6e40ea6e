//! The dashboard's live connection: back by itself when the server returns, and polling
//! when a WebSocket cannot connect at all.

use crate::browser::{tree_lists, with_browser};
use crate::support::api::{ADMIN_KEY, As, post};
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::server::RunningServer;

/// Whether the connection badge reads `text` at its start.
fn badge_reads(text: &str) -> String {
    format!("return document.getElementById('connection').textContent.startsWith('{text}');")
}

/// Starts a generation of a repository in a folder named `folder…` from outside the browser
/// (a script, the CLI), as the admin.
async fn generate_elsewhere(server: &RunningServer, folder: &str) -> SampleRepo {
    let repo = SampleRepo::in_folder_named(folder);
    let started = post(
        server,
        "/api/generate",
        As::Bearer(ADMIN_KEY),
        serde_json::json!({"repo_path": repo.path(), "ai_model": "opus"}),
    )
    .await;
    assert_eq!(started.status, 202, "{}", started.text());
    repo
}

#[test]
fn the_badge_goes_offline_while_the_server_is_down_and_live_when_it_is_back() {
    with_browser(1280, |page| async move {
        let fake = FakeClaude::new(&[("intro", "Introduction")]);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port()
            .to_string();
        let mut server = fake.server_with("", &[("PORT", &port)]);
        page.sign_in(&server.url(""), "admin", ADMIN_KEY).await;
        server.terminate();
        page.wait_until("the offline badge", 10, &badge_reads("Offline"))
            .await;
        page.screenshot("dashboard-server-down-1280").await;

        // The same server again, on the same port and data: the session still holds.
        let server = server.start_again();
        page.wait_until("the socket to be live again", 40, &badge_reads("Live"))
            .await;
        let _repo = generate_elsewhere(&server, "after-restart").await;
        page.wait_until("the new project, live", 15, &tree_lists("after-restart"))
            .await;
        page.screenshot("dashboard-back-live-1280").await;
        // While the server was down, the socket and the polling failed, as they had to.
        page.assert_no_console_errors_but(&["/api/ws", "/api/status"])
            .await;
    });
}

#[test]
fn without_the_socket_the_dashboard_polls_and_still_shows_new_projects() {
    with_browser(1280, |page| async move {
        let fake = FakeClaude::new(&[("intro", "Introduction")]);
        let server = fake.server("");
        page.sign_in(&server.url(""), "admin", ADMIN_KEY).await;
        // A socket that never connects, as behind a proxy that refuses upgrades.
        let refusing = "window.WebSocket = class extends EventTarget { \
            constructor() { super(); setTimeout(() => this.dispatchEvent(new CloseEvent('close', { code: 1006 })), 10); } \
            send() {} close() {} };";
        let script = page
            .cdp(
                "Page.addScriptToEvaluateOnNewDocument",
                serde_json::json!({"source": refusing}),
            )
            .await;
        page.client.refresh().await.expect("reloads");
        page.wait_until("the offline badge", 10, &badge_reads("Offline"))
            .await;
        // A generation started elsewhere (a script, the CLI) shows up by polling.
        let _repo = generate_elsewhere(&server, "polled").await;
        page.wait_until("the polled project", 15, &tree_lists("polled"))
            .await;
        page.screenshot("dashboard-polling-1280").await;
        page.cdp(
            "Page.removeScriptToEvaluateOnNewDocument",
            serde_json::json!({"identifier": script["identifier"]}),
        )
        .await;
        page.assert_no_console_errors().await;
    });
}
