//! The real binary as a client (`docsfy list`, `docsfy admin ...`, the profile file) against
//! the real binary as a server, with a HOME of its own for the profile file.

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use crate::generation::{PAGES, start};
use crate::support::api::ADMIN_KEY;
use crate::support::client::Client;
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::server::docsfy_binary;

#[tokio::test]
async fn profiles_are_docsfy_s_file_written_0600_and_resolved_flags_first() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let client = Client::new();

    let nothing = client.run(&["health"]);
    assert_eq!(nothing.code, 1);
    assert_eq!(
        nothing.stderr.trim(),
        "No server configured. Use --server, --host, or run 'docsfy config init'."
    );

    client.init(&server, ADMIN_KEY);
    let mode = std::fs::metadata(client.profile_file())
        .expect("profile file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let written = std::fs::read_to_string(client.profile_file()).expect("read");
    let parsed: toml::Table = written.parse().expect("toml");
    assert_eq!(
        parsed["servers"]["local"]["url"].as_str(),
        Some(server.base.as_str())
    );
    assert_eq!(parsed["default"]["server"].as_str(), Some("local"));

    let health = client.run(&["health"]);
    assert_eq!(health.code, 0, "{}", health.stderr);
    assert_eq!(
        health.stdout,
        format!("Server: {}\nStatus: ok\n", server.base)
    );

    let shown = client.run(&["config", "show"]);
    assert!(
        shown.stdout.contains("[local] (default)"),
        "{}",
        shown.stdout
    );
    assert!(shown.stdout.contains("Password: te***"), "{}", shown.stdout);
    assert!(!shown.stdout.contains(ADMIN_KEY));

    // A file as docsfy 1.9 writes it, read unchanged: the default is a server that is down,
    // the named profile and the flags win over it.
    let port = server.base.rsplit(':').next().expect("port");
    std::fs::write(
        client.profile_file(),
        format!(
            "[servers.dead]\nurl = \"http://127.0.0.1:9\"\nusername = \"admin\"\npassword = \"x\"\n\n\
             [servers.live]\nurl = \"{}\"\nusername = \"admin\"\npassword = \"{ADMIN_KEY}\"\n\n\
             [default]\nserver = \"dead\"\n",
            server.base
        ),
    )
    .expect("docsfy's file");
    assert_eq!(client.run(&["health"]).code, 1, "the default is down");
    assert_eq!(client.run(&["-s", "live", "health"]).code, 0);
    let by_flags = client.run(&[
        "--host",
        "127.0.0.1",
        "--port",
        port,
        "-p",
        ADMIN_KEY,
        "whoami",
    ]);
    // --host keeps the default profile's scheme (http here).
    assert_eq!(by_flags.code, 0, "{}", by_flags.stderr);
    assert_eq!(by_flags.stdout, "Username: admin\nRole: admin\n");
    let unknown = client.run(&["-s", "staging", "health"]);
    assert_eq!(unknown.code, 1);
    assert_eq!(
        unknown.stderr.trim(),
        "Server profile 'staging' not found in config. Available: dead, live"
    );
    let set = client.run(&["config", "set", "default.server", "live"]);
    assert_eq!(set.stdout, "Updated default.server\n");
    assert_eq!(client.run(&["health"]).code, 0);
    let bad_key = client.run(&["-p", "wrong-key-0123456789", "list"]);
    assert_eq!(bad_key.code, 1);
    assert_eq!(bad_key.stderr.trim(), "Error (401): Unauthorized");
}

#[tokio::test]
async fn admin_commands_manage_users_and_access() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let client = Client::new();
    client.init(&server, ADMIN_KEY);
    let created = client
        .run(&["admin", "users", "create", "alice", "--json"])
        .json();
    assert_eq!(created["username"], "alice");
    let key = created["api_key"].as_str().expect("key").to_string();
    let people = client.run(&["admin", "users", "create", "bob", "-r", "viewer"]);
    assert!(people.stdout.contains("Role: viewer") && people.stdout.contains("Save this API key"));
    let listed = client.run(&["admin", "users", "list", "--json"]).json();
    let names: Vec<&str> = listed
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|u| u["username"].as_str())
        .collect();
    assert_eq!(names, ["alice", "bob"]);
    let as_alice = client.run(&["-p", &key, "whoami", "--json"]).json();
    assert_eq!(as_alice["username"], "alice");
    let rotated = client.run(&["-p", &key, "rotate-key", "--json"]).json();
    let new_key = rotated["new_api_key"]
        .as_str()
        .expect("new key")
        .to_string();
    assert_eq!(
        client.run(&["-p", &key, "whoami"]).code,
        1,
        "the old key is dead"
    );
    assert_eq!(client.run(&["-p", &new_key, "whoami"]).code, 0);
    let not_admin = client.run(&["-p", &new_key, "admin", "users", "list"]);
    assert_eq!(not_admin.code, 1);
    assert!(
        not_admin.stderr.starts_with("Error (403): "),
        "{}",
        not_admin.stderr
    );

    let repo = SampleRepo::new();
    assert_eq!(client.generate_watching(&repo, &[]).code, 0);
    let project = repo.project();
    let granted = client.run(&[
        "admin",
        "access",
        "grant",
        &project,
        "--username",
        "bob",
        "--owner",
        "admin",
    ]);
    assert_eq!(
        granted.stdout,
        format!("Granted 'bob' access to '{project}' (owner: admin).\n"),
        "{}",
        granted.stderr
    );
    let access = client.run(&["admin", "access", "list", &project, "--owner", "admin"]);
    assert!(
        access.stdout.contains("Users with access: bob"),
        "{}",
        access.stdout
    );
    let revoked = client.run(&[
        "admin",
        "access",
        "revoke",
        &project,
        "--username",
        "bob",
        "--owner",
        "admin",
    ]);
    assert_eq!(revoked.code, 0, "{}", revoked.stderr);
    assert!(
        client
            .run(&["admin", "access", "list", &project, "--owner", "admin"])
            .stdout
            .contains("No access grants.")
    );
    let gone = client.run(&["admin", "users", "delete", "bob", "-y"]);
    assert_eq!(gone.stdout, "Deleted user 'bob'.\n");
}

#[test]
fn completions_and_help_are_there_for_every_shell_and_command() {
    let client = Client::new();
    for shell in ["bash", "zsh", "fish"] {
        let script = client.run(&["completions", shell]);
        assert_eq!(script.code, 0, "{shell}");
        assert!(
            script.stdout.contains("generate") && script.stdout.contains("rotate-key"),
            "{shell}"
        );
    }
    let help = client.run(&["generate", "--help"]);
    assert!(
        help.stdout
            .contains("Ctrl-C stops watching, not the generation"),
        "{}",
        help.stdout
    );
    assert_eq!(
        client.run(&["status"]).code,
        2,
        "a missing argument is a usage error"
    );
    assert!(Path::new(&docsfy_binary()).is_file());
}

#[tokio::test]
async fn models_lists_the_providers_and_marks_the_defaults() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let client = Client::new();
    client.init(&server, ADMIN_KEY);
    let repo = SampleRepo::new();
    let made = client.generate_watching(&repo, &[]);
    assert_eq!(made.code, 0, "{}", made.stderr);
    let listed = client.run(&["models"]);
    assert!(
        listed
            .stdout
            .contains("Provider: claude (default)\n  opus  (default)\n"),
        "{}",
        listed.stdout
    );
    assert!(
        listed
            .stdout
            .contains("Provider: gemini\n  gemini-2.5-pro\n")
    );
    let json = client.run(&["models", "-P", "claude", "--json"]).json();
    assert_eq!(json["providers"], serde_json::json!(["claude"]));
    assert_eq!(json["default_model"], "opus");
    let unknown = client.run(&["models", "-P", "watsonx"]);
    assert_eq!(unknown.code, 1);
    assert_eq!(unknown.stderr.trim(), "Unknown provider: watsonx");
}
