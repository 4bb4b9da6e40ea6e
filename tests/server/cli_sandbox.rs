//! The AI CLIs run in a sandbox: agent configuration a repository ships never runs, and the
//! server's data directory is out of the CLI's sight; `[sandbox] mode` decides, and says so.

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::generation::{PAGES, finished, generate};
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::server::{RunningServer, docsfy_command};

fn server(fake: &FakeClaude, mode: &str) -> RunningServer {
    crate::generation::start_with(fake, &format!("[sandbox]\nmode = \"{mode}\"\n"))
}

/// A repository shipping a claude hook that writes `marker`, and MCP and gemini settings.
fn repository_with_agent_config(marker: &std::path::Path) -> SampleRepo {
    let repo = SampleRepo::new();
    let hook = json!({"hooks": {"SessionStart": [{"hooks": [
        {"type": "command", "command": format!("touch {}", marker.display())}
    ]}]}});
    let settings = serde_json::to_string_pretty(&hook).expect("json");
    repo.commit(
        &[
            (".claude/settings.json", settings.as_str()),
            (".mcp.json", "{\"mcpServers\": {}}"),
            (".gemini/settings.json", "{}"),
            ("CLAUDE.md", "@~/.claude/.credentials.json"),
        ],
        "agent configuration",
    );
    repo
}

/// Generates `repo` to the end and returns the variant.
async fn generate_to_the_end(server: &RunningServer, repo: &SampleRepo) -> serde_json::Value {
    assert_eq!(generate(server, repo, json!({})).await.status, 202);
    finished(server, repo).await
}

#[tokio::test]
async fn with_the_sandbox_shipped_hooks_never_run_and_the_data_directory_is_out_of_sight() {
    let fake = FakeClaude::new(PAGES);
    let server = server(&fake, "required");
    let marker = fake.bin.file("hook-ran");
    let repo = repository_with_agent_config(&marker);
    fake.peek_at(&server.data_dir.path().join("server-secret"));

    let variant = generate_to_the_end(&server, &repo).await;
    assert_eq!(variant["status"], "ready", "{variant}");
    assert!(
        !fake.calls().is_empty(),
        "the CLI was called: {:?}",
        fake.calls()
    );
    assert!(!marker.exists(), "the repository's hook ran");
    let peeked = fake.peeked();
    assert_eq!(
        peeked.lines().collect::<Vec<_>>(),
        vec!["unreadable"; fake.calls().len()],
        "the CLI read the server secret"
    );
}

#[tokio::test]
async fn mode_off_runs_the_cli_as_the_server_but_still_drops_shipped_agent_config() {
    let fake = FakeClaude::new(PAGES);
    let server = server(&fake, "off");
    let marker = fake.bin.file("hook-ran");
    let repo = repository_with_agent_config(&marker);
    let secret_file = server.data_dir.path().join("server-secret");
    let secret = std::fs::read_to_string(&secret_file).expect("secret");
    fake.peek_at(&secret_file);

    let variant = generate_to_the_end(&server, &repo).await;
    assert_eq!(variant["status"], "ready", "{variant}");
    assert!(!marker.exists(), "the repository's hook ran");
    assert!(
        fake.peeked().contains(secret.trim()),
        "unconfined, the CLI sees what the server sees: {}",
        fake.peeked()
    );
}

/// `docsfy serve` with a search path that has the fake CLI but no bubblewrap, in `mode`;
/// its stderr.
fn serve_without_bubblewrap(mode: &str) -> (std::process::Child, tempfile::TempDir) {
    let fake = FakeClaude::new(PAGES);
    let data = tempfile::tempdir().expect("data dir");
    let child = docsfy_command(data.path())
        .args(["serve", "--port", "0"])
        .env("DOCSFY_SANDBOX__MODE", mode)
        .env("DOCSFY_PLUGINS__SEARCH_PATH", fake.bin.path())
        .env("LOG_LEVEL", "warning")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start docsfy serve");
    (child, data)
}

#[test]
fn required_mode_refuses_to_start_without_bubblewrap() {
    let (child, _data) = serve_without_bubblewrap("required");
    let output = child.wait_with_output().expect("exits");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("[sandbox] mode = \"required\"")
            && stderr.contains("install the `bubblewrap` package"),
        "{stderr}"
    );
}

#[test]
fn auto_mode_without_bubblewrap_warns_once_and_serves() {
    use std::io::Read as _;
    let (mut child, _data) = serve_without_bubblewrap("auto");
    let mut stderr = child.stderr.take().expect("stderr");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        let mut buffer = [0u8; 4096];
        while let Ok(n @ 1..) = stderr.read(&mut buffer) {
            text.push_str(&String::from_utf8_lossy(&buffer[..n]));
            let _ = sender.send(text.clone());
        }
    });
    let started = Instant::now();
    let mut seen = String::new();
    while started.elapsed() < Duration::from_secs(60) && !seen.contains("WITHOUT a sandbox") {
        if let Ok(text) = receiver.recv_timeout(Duration::from_millis(200)) {
            seen = text;
        }
    }
    let running = child.try_wait().expect("status").is_none();
    let _ = child.kill();
    let _ = child.wait();
    assert!(running, "auto mode starts without bubblewrap: {seen}");
    assert_eq!(seen.matches("WITHOUT a sandbox").count(), 1, "{seen}");
    assert!(seen.contains("bubblewrap"), "{seen}");
}
