//! `docsfy plugin new` writes a provider that `docsfy plugin build` turns into a component,
//! `docsfy plugins` lists, and a server generates docs with, over HTTP to a model server.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::generation::{PAGES, finished_at};
use crate::support::api::{ADMIN_KEY, As, post};
use crate::support::fake_ai::SampleRepo;
use crate::support::fake_openai::{FAKE_KEY, FAKE_MODEL, FakeOpenAi};
use crate::support::server::{RunningServer, docsfy_command};

fn run(command: &mut Command) -> String {
    let output = command.output().expect("run docsfy");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[tokio::test]
async fn a_new_provider_builds_loads_and_writes_docs() {
    let data = tempfile::tempdir().expect("data dir");
    let plugins = tempfile::tempdir().expect("plugins dir");
    let created = run(docsfy_command(data.path())
        .args(["plugin", "new", "hello-ai", "--dir"])
        .arg(plugins.path()));
    let dir = plugins.path().join("hello-ai");
    assert!(
        created.starts_with(&format!("created {}", dir.display())),
        "{created}"
    );

    // One build directory for every run: the SDK's dependencies compile once.
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scaffolded-plugins");
    let mut build = docsfy_command(data.path());
    build
        .args(["plugin", "build"])
        .arg(&dir)
        .env("CARGO_TARGET_DIR", &target);
    for key in ["CARGO_HOME", "RUSTUP_HOME", "RUSTUP_TOOLCHAIN"] {
        if let Some(value) = std::env::var_os(key) {
            build.env(key, value);
        }
    }
    let built = run(&mut build);
    assert_eq!(
        built.trim(),
        format!("built {}", dir.join("plugin.wasm").display())
    );

    let fake = FakeOpenAi::start(PAGES);
    let config = format!(
        "[plugins]\ndirs = [{dirs:?}]\n\
         [plugins.grants.hello-ai]\nhttp = [\"{base}\"]\n\
         [plugins.settings.hello-ai]\nbase_url = \"{base}/v1\"\napi_key = {{ secret = \"{FAKE_KEY}\" }}\n",
        dirs = plugins.path().display().to_string(),
        base = fake.base
    );
    let config_file = data.path().join("config.toml");
    std::fs::write(&config_file, &config).expect("config");
    let listing = run(docsfy_command(data.path())
        .args(["plugins", "--config"])
        .arg(&config_file));
    assert!(
        listing.contains(&format!(
            "hello-ai 0.1.0 (provider, WIT 0.2.0, {})\n",
            dir.display()
        )),
        "{listing}"
    );
    assert!(
        listing.contains("  setting api_key (set, secret)"),
        "{listing}"
    );

    let server = RunningServer::start(&config, &[("ADMIN_KEY", ADMIN_KEY)]);
    let repo = SampleRepo::new();
    let started = post(
        &server,
        "/api/generate",
        As::Bearer(ADMIN_KEY),
        json!({"repo_path": repo.path().display().to_string(), "ai_provider": "hello-ai", "ai_model": FAKE_MODEL}),
    )
    .await;
    assert_eq!(started.status, 202, "{}", started.text());
    let path = format!(
        "/api/projects/{}/main/hello-ai/{FAKE_MODEL}",
        repo.project()
    );
    let variant = finished_at(&server, &path).await;
    assert_eq!(variant["status"], "ready", "{variant}");
    assert_eq!(variant["page_count"], PAGES.len());
}
