//! The sandbox against a plugin that tries to escape it (`tests/plugins/sandbox-probe`).
//! Every attempt must end as a plugin error, quickly, while the host keeps serving.

use std::time::Duration;

use docsfy::plugins::{
    CallContext, CompletionRequest, PluginErrorKind, PluginRegistry, PluginSettings,
    ProviderHandle, grants::Grant,
};

use crate::support::{FakeBin, install_test_plugin, load_registry, probe_manifest};

const DEADLINE_MS: u64 = 300;
const MEMORY_MB: u64 = 64;

struct Probe {
    _plugins: tempfile::TempDir,
    bin: FakeBin,
    registry: PluginRegistry,
}

impl Probe {
    async fn load() -> Probe {
        let plugins = tempfile::tempdir().expect("plugins dir");
        install_test_plugin(
            plugins.path(),
            "sandbox-probe",
            "docsfy_sandbox_probe",
            &probe_manifest(),
        );
        let mut settings = PluginSettings {
            dirs: vec![plugins.path().to_path_buf()],
            ..PluginSettings::default()
        };
        settings.grants.insert(
            "sandbox-probe".into(),
            Grant {
                // `declared-not-granted` is declared in the manifest but not granted here;
                // `sh` is granted here but not declared.
                programs: vec!["probe-tool".into(), "sh".into()],
                env: vec!["PROBE_*".into(), "PATH".into()],
                memory_mb: Some(MEMORY_MB),
                call_deadline_ms: Some(DEADLINE_MS),
                ..Grant::default()
            },
        );
        let bin = FakeBin::new();
        let environment = [
            ("PATH", "/usr/bin:/bin"),
            ("PROBE_TOKEN", "t0k"),
            ("HOME", "/root"),
        ];
        let registry = load_registry(settings, &bin, false, &environment).await;
        assert!(registry.skipped().is_empty(), "{:?}", registry.skipped());
        Probe {
            _plugins: plugins,
            bin,
            registry,
        }
    }

    fn handle(&self) -> ProviderHandle {
        self.registry
            .provider("sandbox-probe")
            .expect("probe loaded")
            .clone()
    }

    async fn ask(&self, prompt: &str) -> Result<String, docsfy::plugins::PluginError> {
        ask(&self.handle(), prompt).await
    }
}

async fn ask(
    handle: &ProviderHandle,
    prompt: &str,
) -> Result<String, docsfy::plugins::PluginError> {
    let request = CompletionRequest {
        model: "none".into(),
        prompt: prompt.into(),
        timeout_secs: 10,
        workdir: None,
    };
    handle
        .complete(&request, CallContext::default())
        .await
        .map(|c| c.text)
}

#[tokio::test]
async fn an_infinite_loop_is_stopped_at_the_deadline() {
    let probe = Probe::load().await;
    let error = probe.ask("loop").await.expect_err("stopped");
    // The kind says which limit stopped it: the compute deadline, not the call's time limit
    // (a wall-clock bound here would fail on a loaded machine without saying anything more).
    assert_eq!(
        error.kind,
        PluginErrorKind::DeadlineExceeded(Duration::from_millis(DEADLINE_MS))
    );
    assert_eq!(
        error.to_string(),
        "sandbox-probe 0.1.0: computed for more than 300 ms and was stopped"
    );
}

#[tokio::test]
async fn a_plugin_that_blocks_outside_wasm_is_stopped_at_the_call_time_limit() {
    let probe = Probe::load().await;
    let request = CompletionRequest {
        model: "none".into(),
        prompt: "sleep".into(),
        timeout_secs: 1,
        workdir: None,
    };
    let context = CallContext {
        max_program_time: Duration::from_secs(1),
        ..CallContext::default()
    };
    let limit = context.time_limit(Duration::from_millis(DEADLINE_MS));
    let error = probe
        .handle()
        .complete(&request, context)
        .await
        .expect_err("stopped");
    assert_eq!(error.kind, PluginErrorKind::TimeLimitExceeded(limit));
}

#[tokio::test]
async fn a_gigabyte_allocation_hits_the_memory_cap() {
    let probe = Probe::load().await;
    let error = probe.ask("alloc").await.expect_err("refused");
    assert_eq!(error.kind, PluginErrorKind::MemoryExceeded(MEMORY_MB));
}

#[tokio::test]
async fn a_trap_is_a_plugin_error_with_the_panic_message() {
    let probe = Probe::load().await;
    let error = probe.ask("trap").await.expect_err("crashed");
    let PluginErrorKind::Crashed(message) = &error.kind else {
        panic!("expected a crash, got {error}");
    };
    assert!(message.contains("the probe was asked to trap"), "{message}");
}

#[tokio::test]
async fn an_undeclared_program_is_denied_even_when_granted() {
    let probe = Probe::load().await;
    let error = probe.ask("run sh").await.expect_err("denied");
    assert_eq!(
        error.kind,
        PluginErrorKind::Denied("program `sh` is not declared in the plugin's plugin.toml".into())
    );
}

#[tokio::test]
async fn a_declared_program_is_denied_until_granted() {
    let probe = Probe::load().await;
    probe.bin.script("declared-not-granted", "echo ran");
    let error = probe
        .ask("run declared-not-granted")
        .await
        .expect_err("denied");
    assert!(error.kind.is_denied(), "{error}");
    assert!(
        error
            .to_string()
            .contains("is not granted to plugin `sandbox-probe`"),
        "{error}"
    );
}

#[tokio::test]
async fn files_are_out_of_reach() {
    let probe = Probe::load().await;
    for target in ["/etc/passwd", "/", "."] {
        let command = if target == "/etc/passwd" {
            "read-file"
        } else {
            "list-dir"
        };
        let error = probe
            .ask(&format!("{command} {target}"))
            .await
            .expect_err("no filesystem");
        let PluginErrorKind::Failed(message) = &error.kind else {
            panic!("expected the plugin's own failure, got {error}");
        };
        assert!(message.contains(target), "{message}");
    }
}

#[tokio::test]
async fn the_environment_is_empty() {
    let probe = Probe::load().await;
    let error = probe.ask("env").await.expect_err("no variables");
    assert_eq!(
        error.kind,
        PluginErrorKind::Failed("no environment variables".into())
    );
}

#[tokio::test]
async fn the_network_is_closed() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let address = listener.local_addr().expect("address");
    let probe = Probe::load().await;
    let error = probe
        .ask(&format!("connect {address}"))
        .await
        .expect_err("no network");
    assert!(matches!(error.kind, PluginErrorKind::Failed(_)), "{error}");
    listener.set_nonblocking(true).expect("nonblocking");
    assert!(listener.accept().is_err(), "a connection arrived");
}

#[tokio::test]
async fn a_granted_program_runs_with_only_granted_variables() {
    let probe = Probe::load().await;
    probe.bin.script(
        "probe-tool",
        "echo \"args=$*\"; echo \"stdin=$(cat)\"; env | sort",
    );
    let text = probe.ask("run probe-tool").await.expect("runs");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "exit=Some(0)");
    assert!(lines.contains(&"args=from-probe"), "{lines:?}");
    assert!(lines.contains(&"stdin=probe input"), "{lines:?}");
    assert!(lines.contains(&"PROBE_TOKEN=t0k"), "{lines:?}");
    // PATH is granted but not declared, HOME neither: neither may pass.
    assert!(!text.contains("PATH="), "{lines:?}");
    assert!(!text.contains("HOME="), "{lines:?}");
}

#[tokio::test]
async fn the_host_keeps_serving_while_plugins_misbehave() {
    let probe = Probe::load().await;
    let handle = probe.handle();
    let misbehaving: Vec<_> = ["loop", "alloc", "trap", "loop"]
        .into_iter()
        .map(|prompt| {
            let handle = handle.clone();
            tokio::spawn(async move { ask(&handle, prompt).await })
        })
        .collect();
    for i in 0..20 {
        let answer = ask(&handle, &format!("echo hello {i}"))
            .await
            .expect("echo");
        assert_eq!(answer, format!("hello {i}"));
    }
    for call in misbehaving {
        assert!(call.await.expect("joined").is_err());
    }
    assert_eq!(
        ask(&handle, "echo still here").await.expect("echo"),
        "still here"
    );
}
