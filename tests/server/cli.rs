//! `docsfy plugins` and `docsfy server config`, and refusing a bad configuration.

use crate::support::server::docsfy_command;
use crate::support::{install_test_plugin, probe_manifest};

fn config_with_plugin_dir(dir: &std::path::Path, plugins: &std::path::Path) -> std::path::PathBuf {
    let config = dir.join("docsfy.toml");
    std::fs::write(
        &config,
        format!(
            "[plugins]\ndirs = [{:?}]\n[plugins.grants.sandbox-probe]\nprograms = [\"probe-tool\"]\nenv = [\"PROBE_*\"]\n",
            plugins.display().to_string()
        ),
    )
    .expect("write config");
    config
}

#[test]
fn plugins_lists_bundled_and_third_party_plugins_and_the_skipped_ones() {
    let data = tempfile::tempdir().expect("data dir");
    let plugins = tempfile::tempdir().expect("plugins dir");
    install_test_plugin(
        plugins.path(),
        "probe",
        "docsfy_sandbox_probe",
        &probe_manifest(),
    );
    install_test_plugin(
        plugins.path(),
        "broken",
        "docsfy_sandbox_probe",
        &probe_manifest().replace("wit = \"0.2.0\"", "wit = \"0.9.0\""),
    );
    let config = config_with_plugin_dir(data.path(), plugins.path());

    let output = docsfy_command(data.path())
        .arg("plugins")
        .arg("--config")
        .arg(&config)
        .output()
        .expect("run docsfy plugins");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    assert!(
        stdout.contains("claude 0.1.0 (provider, WIT 0.2.0, bundled)\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("  default model: claude-opus-4-6[1m]\n"),
        "{stdout}"
    );
    assert!(stdout.contains("  programs: claude\n"), "{stdout}");
    assert!(stdout.contains("cursor 0.1.0 (provider, WIT 0.2.0, bundled)\n  Cursor's agent through the `agent` CLI\n  default model: auto\n  programs: agent\n"), "{stdout}");
    assert!(stdout.contains("gemini 0.1.0 (provider"), "{stdout}");
    let probe_dir = plugins.path().join("probe").display().to_string();
    assert!(
        stdout.contains(&format!(
            "sandbox-probe 0.1.0 (provider, WIT 0.2.0, {probe_dir})\n"
        )),
        "{stdout}"
    );
    // Declared-and-granted only: `declared-not-granted` is declared but not granted.
    assert!(
        stdout.contains("  programs: probe-tool\n  environment: PROBE_*\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  setting probe_label (not set): A plain setting\n  \
             setting probe_token (not set, secret): A secret the probe may read\n"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("openai 0.1.0 (provider, WIT 0.2.0, bundled)\n")
            && stdout.contains("  http: https://api.openai.com\n"),
        "{stdout}"
    );
    let broken = plugins.path().join("broken").display().to_string();
    assert!(
        stdout.contains(&format!(
            "skipped {broken}: plugin.toml asks for WIT version 0.9.0, but this docsfy supports 0.1.0, 0.2.0\n"
        )),
        "{stdout}"
    );
}

#[test]
fn plugins_can_print_json() {
    let data = tempfile::tempdir().expect("data dir");
    let output = docsfy_command(data.path())
        .args(["plugins", "--json"])
        .output()
        .expect("run docsfy plugins --json");
    assert!(output.status.success());
    let listing: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let names: Vec<&str> = listing["plugins"]
        .as_array()
        .expect("plugins")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["claude", "cursor", "gemini", "openai", "mdbook", "site"]
    );
    assert_eq!(listing["plugins"][0]["kind"], "provider");
    assert_eq!(listing["plugins"][4]["kind"], "renderer");
    assert_eq!(listing["skipped"], serde_json::json!([]));
}

#[test]
fn config_prints_the_effective_values_with_secrets_redacted() {
    let data = tempfile::tempdir().expect("data dir");
    let output = docsfy_command(data.path())
        .args(["server", "config"])
        .env("ADMIN_KEY", "super-secret-admin-key")
        .env("AI_PROVIDER", "gemini")
        .env(
            "DOCSFY_PLUGINS__SETTINGS__OPENAI__API_KEY",
            "sk-env-secret-1",
        )
        .env(
            "DOCSFY_PLUGINS__SETTINGS__OPENAI__BASE_URL",
            "http://models.lan/v1",
        )
        .output()
        .expect("run docsfy server config");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("ai_provider = \"gemini\""), "{stdout}");
    assert!(stdout.contains("admin_key = \"<redacted>\""), "{stdout}");
    assert!(!stdout.contains("super-secret-admin-key"), "{stdout}");
    assert!(!stdout.contains("sk-env-secret-1"), "{stdout}");
    assert!(
        stdout.contains("base_url = \"http://models.lan/v1\""),
        "{stdout}"
    );
}

#[test]
fn a_short_admin_key_refuses_to_start() {
    let data = tempfile::tempdir().expect("data dir");
    let output = docsfy_command(data.path())
        .arg("serve")
        .env("ADMIN_KEY", "too-short")
        .output()
        .expect("run docsfy serve");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("ADMIN_KEY must be at least 16 characters long"),
        "{stderr}"
    );
}
