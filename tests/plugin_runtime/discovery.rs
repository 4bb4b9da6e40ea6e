//! Finding plugins in the configured directories: valid ones load, each invalid one is
//! skipped with a reason, and compiled components are reused across restarts.

use docsfy::plugins::{LoadOptions, PluginKind, PluginRegistry, PluginSettings};

use crate::support::{FakeBin, install_test_plugin, load_registry, probe_manifest};

const PROBE: &str = "docsfy_sandbox_probe";

fn reason_for<'a>(registry: &'a PluginRegistry, dir: &str) -> &'a str {
    registry
        .skipped()
        .iter()
        .find(|s| s.source.ends_with(dir))
        .map(|s| s.reason.as_str())
        .unwrap_or_else(|| panic!("{dir} was not skipped: {:?}", registry.skipped()))
}

#[tokio::test]
async fn invalid_plugins_are_skipped_with_a_reason_and_the_rest_load() {
    let plugins = tempfile::tempdir().expect("plugins dir");
    let dir = plugins.path();
    let manifest = probe_manifest();
    install_test_plugin(dir, "a-valid", PROBE, &manifest);
    install_test_plugin(dir, "b-duplicate", PROBE, &manifest);
    install_test_plugin(
        dir,
        "c-unknown-key",
        PROBE,
        &format!("{manifest}\nsandbox = false\n"),
    );
    install_test_plugin(
        dir,
        "d-future-wit",
        PROBE,
        &manifest.replace("wit = \"0.2.0\"", "wit = \"2.0.0\""),
    );
    install_test_plugin(
        dir,
        "e-wrong-name",
        PROBE,
        &manifest.replace("name = \"sandbox-probe\"", "name = \"impostor\""),
    );
    install_test_plugin(
        dir,
        "f-wrong-kind",
        PROBE,
        &manifest
            .replace("name = \"sandbox-probe\"", "name = \"not-a-renderer\"")
            .replace("kind = \"provider\"", "kind = \"renderer\""),
    );
    install_test_plugin(
        dir,
        "g-garbage-wasm",
        PROBE,
        &manifest.replace("name = \"sandbox-probe\"", "name = \"garbage\""),
    );
    std::fs::write(dir.join("g-garbage-wasm/plugin.wasm"), b"not wasm at all").expect("write");
    std::fs::create_dir(dir.join("h-empty")).expect("mkdir");

    let settings = PluginSettings {
        dirs: vec![dir.to_path_buf(), dir.join("missing")],
        ..PluginSettings::default()
    };
    let registry = load_registry(settings, &FakeBin::new(), true, &[]).await;

    assert_eq!(
        registry.provider_names(),
        ["claude", "cursor", "gemini", "openai", "sandbox-probe"],
        "skipped: {:?}",
        registry.skipped()
    );
    let probe = registry
        .provider("sandbox-probe")
        .expect("probe")
        .description();
    assert!(probe.source.ends_with("a-valid"), "{}", probe.source);
    assert_eq!(probe.kind, PluginKind::Provider);

    assert_eq!(
        reason_for(&registry, "b-duplicate"),
        "a plugin named `sandbox-probe` is already loaded"
    );
    assert!(
        reason_for(&registry, "c-unknown-key").contains("unknown field `sandbox`"),
        "{}",
        reason_for(&registry, "c-unknown-key")
    );
    assert_eq!(
        reason_for(&registry, "d-future-wit"),
        "plugin.toml asks for WIT version 2.0.0, but this docsfy supports 0.1.0, 0.2.0"
    );
    assert_eq!(
        reason_for(&registry, "e-wrong-name"),
        "plugin.wasm says it is `sandbox-probe 0.1.0`, but plugin.toml says `impostor 0.1.0`"
    );
    assert!(
        reason_for(&registry, "f-wrong-kind")
            .starts_with("plugin.wasm does not implement the renderer world its manifest names"),
        "{}",
        reason_for(&registry, "f-wrong-kind")
    );
    assert!(
        reason_for(&registry, "g-garbage-wasm").starts_with("plugin.wasm is not a valid component"),
        "{}",
        reason_for(&registry, "g-garbage-wasm")
    );
    assert!(reason_for(&registry, "h-empty").starts_with("cannot read plugin.toml"));
    assert!(reason_for(&registry, "missing").starts_with("cannot read the directory"));
    assert_eq!(registry.skipped().len(), 8, "{:?}", registry.skipped());
}

#[tokio::test]
async fn a_third_party_plugin_cannot_replace_a_bundled_one() {
    let plugins = tempfile::tempdir().expect("plugins dir");
    let manifest = probe_manifest().replace("name = \"sandbox-probe\"", "name = \"claude\"");
    install_test_plugin(plugins.path(), "claude", PROBE, &manifest);
    let settings = PluginSettings {
        dirs: vec![plugins.path().to_path_buf()],
        ..PluginSettings::default()
    };
    let registry = load_registry(settings, &FakeBin::new(), true, &[]).await;
    assert_eq!(
        reason_for(&registry, "claude"),
        "a plugin named `claude` is already loaded"
    );
    assert_eq!(
        registry
            .provider("claude")
            .expect("claude")
            .description()
            .source,
        "bundled"
    );
}

#[tokio::test]
async fn compiled_plugins_are_cached_across_restarts() {
    let cache = tempfile::tempdir().expect("cache dir");
    let settings = PluginSettings::default();

    let first = PluginRegistry::load(&settings, cache.path(), LoadOptions::default())
        .await
        .expect("loads");
    let bundled = first.descriptions().len();
    assert!(bundled >= 3);
    assert_eq!(
        first.engine().cache_counts(),
        (0, bundled),
        "a fresh cache compiles everything"
    );
    drop(first);

    // A new engine, as after a restart: nothing is compiled again.
    let second = PluginRegistry::load(&settings, cache.path(), LoadOptions::default())
        .await
        .expect("loads");
    assert_eq!(second.engine().cache_counts(), (bundled, 0));
}
