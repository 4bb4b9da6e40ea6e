//! The HTTP capability and plugin settings (WIT 0.2.0) against the sandbox probe and a real
//! server on loopback: what is not declared and granted is `denied` before anything is sent,
//! and the host keeps serving.

use std::collections::BTreeMap;
use std::time::Duration;

use docsfy::plugins::operator_settings::SettingSource;
use docsfy::plugins::{
    CallContext, CompletionRequest, PluginErrorKind, PluginRegistry, PluginSettings, grants::Grant,
};

use crate::support::fake_openai::FakeOpenAi;
use crate::support::{FakeBin, install_test_plugin, load_registry, probe_manifest};

const PROBE_SECRET: &str = "tok-SECRET-4711";

struct Probe {
    _plugins: tempfile::TempDir,
    _bin: FakeBin,
    registry: PluginRegistry,
}

/// The probe with `http` granted, its two settings set, and a setting for another plugin.
async fn load_probe(http: &[String], body_cap_kb: u64) -> Probe {
    let plugins = tempfile::tempdir().expect("plugins dir");
    install_test_plugin(
        plugins.path(),
        "sandbox-probe",
        "docsfy_sandbox_probe",
        &probe_manifest(),
    );
    let mut settings = PluginSettings {
        dirs: vec![plugins.path().to_path_buf()],
        http_body_cap_kb: body_cap_kb,
        ..PluginSettings::default()
    };
    settings.grants.insert(
        "sandbox-probe".into(),
        Grant {
            http: http.to_vec(),
            ..Grant::default()
        },
    );
    settings.settings.insert(
        "sandbox-probe".into(),
        BTreeMap::from([
            (
                "probe_token".to_string(),
                SettingSource::Secret {
                    secret: PROBE_SECRET.into(),
                },
            ),
            (
                "probe_label".to_string(),
                SettingSource::Text("plain".into()),
            ),
        ]),
    );
    settings.settings.insert(
        "openai".into(),
        BTreeMap::from([(
            "api_key".to_string(),
            SettingSource::Text("sk-belongs-to-openai".into()),
        )]),
    );
    let bin = FakeBin::new();
    let registry = load_registry(settings, &bin, true, &[]).await;
    assert!(registry.skipped().is_empty(), "{:?}", registry.skipped());
    Probe {
        _plugins: plugins,
        _bin: bin,
        registry,
    }
}

impl Probe {
    async fn ask(&self, prompt: &str) -> Result<String, PluginErrorKind> {
        self.ask_within(prompt, Duration::from_secs(30)).await
    }

    async fn ask_within(&self, prompt: &str, limit: Duration) -> Result<String, PluginErrorKind> {
        let request = CompletionRequest {
            model: "none".into(),
            prompt: prompt.into(),
            timeout_secs: 30,
            workdir: None,
        };
        let context = CallContext {
            max_program_time: limit,
            ..CallContext::default()
        };
        let handle = self.registry.provider("sandbox-probe").expect("probe");
        handle
            .complete(&request, context)
            .await
            .map(|c| c.text)
            .map_err(|e| e.kind)
    }

    /// The host still answers: a plain call works after whatever came before.
    async fn still_serving(&self) {
        assert_eq!(self.ask("echo alive").await, Ok("alive".to_string()));
    }
}

fn denied(outcome: Result<String, PluginErrorKind>) -> String {
    match outcome {
        Err(PluginErrorKind::Denied(message)) => message,
        other => panic!("expected a denial, got {other:?}"),
    }
}

#[tokio::test]
async fn a_granted_origin_is_reached_and_an_ungranted_one_is_denied_unsent() {
    let granted = FakeOpenAi::start(&[]);
    let other = FakeOpenAi::start(&[]);
    let probe = load_probe(std::slice::from_ref(&granted.base), 1024).await;
    assert_eq!(
        probe.ask(&format!("http GET {}/hello", granted.base)).await,
        Ok("200 hello from the test server".to_string())
    );
    let message = denied(probe.ask(&format!("http GET {}/hello", other.base)).await);
    assert_eq!(
        message,
        format!(
            "{} is not granted to plugin `sandbox-probe` by the server's configuration \
             (add it to plugins.grants.sandbox-probe.http)",
            other.base
        )
    );
    assert!(
        other.requests().is_empty(),
        "nothing reached the ungranted server"
    );
    probe.still_serving().await;
}

#[tokio::test]
async fn a_non_public_address_needs_a_grant_that_names_it() {
    let server = FakeOpenAi::start(&[]);
    let port = server.port();
    let probe = load_probe(&["http://*:*".to_string()], 1024).await;
    let by_address = denied(probe.ask(&format!("http GET {}/hello", server.base)).await);
    assert_eq!(
        by_address,
        format!(
            "http://127.0.0.1:{port} is not a public address, and no grant names it \
             (add \"http://127.0.0.1:{port}\" to plugins.grants.sandbox-probe.http to allow it)"
        )
    );
    let by_name = denied(
        probe
            .ask(&format!("http GET http://localhost:{port}/hello"))
            .await,
    );
    assert!(
        by_name.starts_with("localhost resolves only to non-public addresses"),
        "{by_name}"
    );
    assert!(server.requests().is_empty(), "nothing was sent");
    probe.still_serving().await;

    let named = load_probe(&[format!("http://localhost:{port}")], 1024).await;
    assert_eq!(
        named
            .ask(&format!("http GET http://localhost:{port}/hello"))
            .await,
        Ok("200 hello from the test server".to_string())
    );
}

#[tokio::test]
async fn redirects_are_checked_hop_by_hop_and_credentials_stay_with_their_origin() {
    let first = FakeOpenAi::start(&[]);
    let second = FakeOpenAi::start(&[]);
    let redirect = |to: String| {
        let to: String = url::form_urlencoded::byte_serialize(to.as_bytes()).collect();
        format!("http GET {}/redirect?to={to}", first.base)
    };
    let only_first = load_probe(std::slice::from_ref(&first.base), 1024).await;
    let message = denied(
        only_first
            .ask(&redirect(format!("{}/hello", second.base)))
            .await,
    );
    assert!(
        message.contains("is not granted to plugin `sandbox-probe`"),
        "{message}"
    );
    assert!(
        second.requests().is_empty(),
        "the redirect was not followed"
    );
    assert_eq!(
        only_first
            .ask(&redirect(format!("{}/echo-auth", first.base)))
            .await,
        Ok("200 Bearer probe-credential".to_string()),
        "within one origin the request keeps its headers"
    );
    only_first.still_serving().await;

    let both = load_probe(&[first.base.clone(), second.base.clone()], 1024).await;
    assert_eq!(
        both.ask(&redirect(format!("{}/echo-auth", second.base)))
            .await,
        Ok("200 none".to_string()),
        "the credential is not carried to another origin"
    );
}

#[tokio::test]
async fn oversized_and_slow_answers_fail_with_the_limit_named() {
    let server = FakeOpenAi::start(&[]);
    let probe = load_probe(std::slice::from_ref(&server.base), 64).await;
    let port = server.port();
    assert_eq!(
        probe.ask(&format!("http GET {}/big", server.base)).await,
        Err(PluginErrorKind::Failed(format!(
            "the response from http://127.0.0.1:{port} is larger than the 64 KiB a plugin may \
             receive (plugins.http_body_cap_kb)"
        )))
    );
    let slow = probe
        .ask_within(
            &format!("http GET {}/slow", server.base),
            Duration::from_secs(1),
        )
        .await;
    assert_eq!(
        slow,
        Err(PluginErrorKind::Timeout(format!(
            "http://127.0.0.1:{port} did not answer within 1 s"
        )))
    );
    probe.still_serving().await;
}

#[tokio::test]
async fn settings_are_the_plugins_own_and_secrets_stay_out_of_its_errors() {
    let probe = load_probe(&[], 1024).await;
    assert_eq!(probe.ask("setting probe_label").await, Ok("plain".into()));
    assert_eq!(
        probe.ask("setting probe_token").await,
        Ok(PROBE_SECRET.into())
    );
    let message = denied(probe.ask("setting api_key").await);
    assert_eq!(
        message, "setting `api_key` is not declared in the plugin's plugin.toml ([settings])",
        "another plugin's setting is not readable"
    );
    assert_eq!(
        probe.ask("leak probe_token").await,
        Err(PluginErrorKind::Failed("the value is [secret]".into()))
    );
    let listed = probe
        .registry
        .descriptions()
        .into_iter()
        .find(|d| d.name == "sandbox-probe")
        .expect("listed");
    let shown = serde_json::to_string(&listed).expect("json");
    assert!(!shown.contains(PROBE_SECRET), "{shown}");
    assert!(shown.contains("\"probe_token\""), "{shown}");
    probe.still_serving().await;
}
