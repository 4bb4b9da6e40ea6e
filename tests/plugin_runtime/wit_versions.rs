//! Plugins built against WIT 0.1.0 keep loading and running next to 0.2.0 ones.

use docsfy::plugins::{
    CallContext, CompletionRequest, Page, PluginSettings, SiteInput, grants::Grant,
};

use crate::support::{FakeBin, install_test_plugin, load_registry, probe_manifest};

#[tokio::test]
async fn a_0_1_plugin_loads_and_runs_next_to_0_2_ones() {
    let plugins = tempfile::tempdir().expect("plugins dir");
    let legacy_manifest = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/plugins/legacy-provider/plugin.toml"),
    )
    .expect("legacy manifest");
    install_test_plugin(
        plugins.path(),
        "legacy",
        "docsfy_legacy_provider",
        &legacy_manifest,
    );
    install_test_plugin(
        plugins.path(),
        "probe",
        "docsfy_sandbox_probe",
        &probe_manifest(),
    );
    let mut settings = PluginSettings {
        dirs: vec![plugins.path().to_path_buf()],
        ..PluginSettings::default()
    };
    settings.grants.insert(
        "legacy-provider".into(),
        Grant {
            programs: vec!["legacy-tool".into()],
            ..Grant::default()
        },
    );
    let bin = FakeBin::new();
    bin.script("legacy-tool", "echo ran through the 0.1 host interface");
    let registry = load_registry(settings, &bin, true, &[]).await;
    assert!(registry.skipped().is_empty(), "{:?}", registry.skipped());
    let versions: Vec<(String, String)> = registry
        .descriptions()
        .into_iter()
        .map(|d| (d.name, d.wit))
        .filter(|(name, _)| ["legacy-provider", "sandbox-probe", "openai"].contains(&name.as_str()))
        .collect();
    assert_eq!(
        versions,
        [
            ("legacy-provider".to_string(), "0.1.0".to_string()),
            ("openai".to_string(), "0.2.0".to_string()),
            ("sandbox-probe".to_string(), "0.2.0".to_string()),
        ]
    );

    let legacy = registry.provider("legacy-provider").expect("legacy loaded");
    let ask = |prompt: &str| CompletionRequest {
        model: "old".into(),
        prompt: prompt.into(),
        timeout_secs: 10,
        workdir: None,
    };
    let answer = legacy
        .complete(&ask("hello"), CallContext::default())
        .await
        .expect("the legacy plugin answers");
    assert_eq!(answer.text, "legacy: hello");
    assert_eq!(answer.usage.output_tokens, Some(2));
    let ran = legacy
        .complete(&ask("run"), CallContext::default())
        .await
        .expect("its run goes through");
    assert_eq!(ran.text, "ran through the 0.1 host interface\n");
    legacy
        .check("old", CallContext::default())
        .await
        .expect("check");

    let probe = registry.provider("sandbox-probe").expect("probe loaded");
    let echoed = probe
        .complete(&ask("echo next door"), CallContext::default())
        .await
        .expect("the 0.2 plugin answers");
    assert_eq!(echoed.text, "next door");
}

/// A 0.1.0 renderer takes the smaller `site-input` of its version and still renders.
#[tokio::test]
async fn a_0_1_renderer_renders_from_the_input_of_its_version() {
    let plugins = tempfile::tempdir().expect("plugins dir");
    let manifest = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/plugins/legacy-renderer/plugin.toml"),
    )
    .expect("legacy renderer manifest");
    install_test_plugin(
        plugins.path(),
        "legacy-renderer",
        "docsfy_legacy_renderer",
        &manifest,
    );
    let settings = PluginSettings {
        dirs: vec![plugins.path().to_path_buf()],
        ..PluginSettings::default()
    };
    let registry = load_registry(settings, &FakeBin::new(), true, &[]).await;
    assert!(registry.skipped().is_empty(), "{:?}", registry.skipped());
    let renderer = registry.renderer("legacy-renderer").expect("loaded");
    assert_eq!(renderer.description().wit, "0.1.0");
    let input = SiteInput {
        project_name: "acme".into(),
        branch: "main".into(),
        commit_sha: "0123456".into(),
        provider: "claude".into(),
        model: "opus".into(),
        generated_at: "2026-12-03 08:00:00".into(),
        plan_json: "{}".into(),
        pages: vec![Page {
            slug: "intro".into(),
            title: "Introduction".into(),
            markdown: "# Hi".into(),
        }],
        project_version: Some("1.2.3".into()),
        site_url: None,
    };
    let files = renderer
        .render(&input, CallContext::default())
        .await
        .expect("renders");
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].path, "index.html");
    assert_eq!(files[0].contents, b"acme: Introduction");
    let refused = renderer
        .render(
            &SiteInput {
                pages: vec![],
                ..input
            },
            CallContext::default(),
        )
        .await
        .expect_err("its own error comes through");
    assert!(refused.to_string().contains("no pages"), "{refused}");
}
