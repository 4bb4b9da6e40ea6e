//! The bundled claude, gemini and cursor plugins, each driven through the host against a fake
//! CLI written by the test.

use std::time::Duration;

use docsfy::plugins::{
    CallContext, CompletionRequest, PluginErrorKind, PluginRegistry, PluginSettings, grants::Grant,
};

use crate::support::{FakeBin, load_registry, process_gone_soon};

/// What each bundled provider is expected to do with its CLI.
struct Cli {
    provider: &'static str,
    program: &'static str,
    /// The arguments the CLI must receive for model `m1` in workdir `W`.
    args: &'static str,
    /// What the fake CLI prints on success.
    stdout: &'static str,
    /// The answer the provider must extract from it.
    text: &'static str,
}

const CLIS: [Cli; 3] = [
    Cli {
        provider: "claude",
        program: "claude",
        args: "--model m1 -p --output-format json --setting-sources user --strict-mcp-config",
        stdout: r#"{"type":"result","subtype":"success","is_error":false,"result":"claude says hi","total_cost_usd":0.5,"duration_ms":10,"usage":{"input_tokens":3,"output_tokens":4}}"#,
        text: "claude says hi",
    },
    Cli {
        provider: "gemini",
        program: "gemini",
        args: "--model m1 --output-format json",
        stdout: r#"{"response":"gemini says hi","stats":{"models":{"m1":{"api":{"totalLatencyMs":10},"tokens":{"prompt":3,"candidates":4}}}}}"#,
        text: "gemini says hi",
    },
    Cli {
        provider: "cursor",
        program: "agent",
        args: "--model m1 --print --trust --workspace W --output-format stream-json",
        stdout: "{\"type\":\"system\",\"subtype\":\"init\"}\n{\"type\":\"result\",\"subtype\":\"success\",\"is_error\":false,\"duration_ms\":10,\"result\":\"cursor says hi\"}",
        text: "cursor says hi",
    },
];

fn request(prompt: &str, timeout_secs: u32, workdir: &std::path::Path) -> CompletionRequest {
    CompletionRequest {
        model: "m1".into(),
        prompt: prompt.into(),
        timeout_secs,
        workdir: Some(workdir.display().to_string()),
    }
}

fn call(workdir: &std::path::Path) -> CallContext {
    CallContext {
        workdir: Some(workdir.to_path_buf()),
        max_program_time: Duration::from_secs(60),
        label: "test".into(),
        ..CallContext::default()
    }
}

async fn registry(bin: &FakeBin, settings: PluginSettings) -> PluginRegistry {
    let environment = [
        ("PATH", "/usr/bin:/bin"),
        ("HOME", "/home/tester"),
        ("ANTHROPIC_API_KEY", "anthropic-key"),
        ("GEMINI_API_KEY", "gemini-key"),
        ("CURSOR_API_KEY", "cursor-key"),
        ("DOCSFY_SECRET", "must-not-leak"),
    ];
    load_registry(settings, bin, true, &environment).await
}

#[tokio::test]
async fn each_provider_sends_the_prompt_on_stdin_and_parses_its_cli_json() {
    for cli in &CLIS {
        let bin = FakeBin::new();
        let log = bin.file("args.log");
        let stdin = bin.file("stdin.log");
        bin.script(
            cli.program,
            &format!(
                "echo \"$*\" > {log}\ncat > {stdin}\nprintf '%s' '{}'",
                cli.stdout,
                log = log.display(),
                stdin = stdin.display()
            ),
        );
        let registry = registry(&bin, PluginSettings::default()).await;
        let provider = registry.provider(cli.provider).expect("bundled provider");
        let workdir = tempfile::tempdir().expect("workdir");

        let completion = provider
            .complete(
                &request("Document this repo", 30, workdir.path()),
                call(workdir.path()),
            )
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", cli.provider));

        assert_eq!(completion.text, cli.text, "{}", cli.provider);
        assert_eq!(
            completion.usage.output_tokens,
            Some(4).filter(|_| cli.provider != "cursor")
        );
        assert_eq!(completion.usage.duration_ms, Some(10), "{}", cli.provider);
        let expected_args = cli.args.replace('W', &workdir.path().display().to_string());
        assert_eq!(
            bin.read("args.log").trim(),
            expected_args,
            "{}",
            cli.provider
        );
        assert_eq!(
            bin.read("stdin.log"),
            "Document this repo",
            "{}",
            cli.provider
        );
    }
}

#[tokio::test]
async fn claude_reports_its_cost() {
    let bin = FakeBin::new();
    bin.script("claude", &format!("printf '%s' '{}'", CLIS[0].stdout));
    let registry = registry(&bin, PluginSettings::default()).await;
    let workdir = tempfile::tempdir().expect("workdir");
    let completion = registry
        .provider("claude")
        .expect("claude")
        .complete(&request("p", 30, workdir.path()), call(workdir.path()))
        .await
        .expect("completes");
    assert_eq!(completion.usage.cost_usd, Some(0.5));
    assert_eq!(completion.usage.input_tokens, Some(3));
}

#[tokio::test]
async fn plain_text_output_is_accepted() {
    for cli in &CLIS {
        let bin = FakeBin::new();
        bin.script(cli.program, "cat >/dev/null; echo '# Plain markdown'");
        let registry = registry(&bin, PluginSettings::default()).await;
        let workdir = tempfile::tempdir().expect("workdir");
        let completion = registry
            .provider(cli.provider)
            .expect("provider")
            .complete(&request("p", 30, workdir.path()), call(workdir.path()))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", cli.provider));
        assert_eq!(
            completion.text.trim(),
            "# Plain markdown",
            "{}",
            cli.provider
        );
    }
}

#[tokio::test]
async fn a_failing_cli_reports_its_exit_code_and_the_end_of_stderr() {
    for cli in &CLIS {
        let bin = FakeBin::new();
        bin.script(
            cli.program,
            "cat >/dev/null; echo 'lots of noise' >&2; echo 'Error: rate limit reached' >&2; exit 7",
        );
        let registry = registry(&bin, PluginSettings::default()).await;
        let workdir = tempfile::tempdir().expect("workdir");
        let error = registry
            .provider(cli.provider)
            .expect("provider")
            .complete(&request("p", 30, workdir.path()), call(workdir.path()))
            .await
            .expect_err("the CLI failed");
        let message = error.to_string();
        assert!(
            message.starts_with(&format!(
                "{} 0.1.0: {} exited with code 7: ",
                cli.provider, cli.program
            )),
            "{message}"
        );
        assert!(message.ends_with("Error: rate limit reached"), "{message}");
        assert!(
            matches!(error.kind, PluginErrorKind::Failed(_)),
            "{message}"
        );
    }
}

#[tokio::test]
async fn a_cli_that_reports_an_error_in_json_fails_with_its_message() {
    let cases = [
        (
            "claude",
            "claude",
            r#"{"type":"result","subtype":"error_during_execution","is_error":true,"result":"context too long"}"#,
            "claude reported an error: context too long",
        ),
        (
            "gemini",
            "gemini",
            r#"{"error":{"type":"ApiError","message":"quota exceeded"}}"#,
            "gemini reported an error (ApiError): quota exceeded",
        ),
        (
            "cursor",
            "agent",
            r#"{"type":"result","subtype":"error","is_error":true,"result":"not logged in"}"#,
            "agent reported an error: not logged in",
        ),
    ];
    for (provider, program, stdout, expected) in cases {
        let bin = FakeBin::new();
        bin.script(program, &format!("cat >/dev/null; printf '%s' '{stdout}'"));
        let registry = registry(&bin, PluginSettings::default()).await;
        let workdir = tempfile::tempdir().expect("workdir");
        let error = registry
            .provider(provider)
            .expect("provider")
            .complete(&request("p", 30, workdir.path()), call(workdir.path()))
            .await
            .expect_err("reported error");
        assert_eq!(error.to_string(), format!("{provider} 0.1.0: {expected}"));
    }
}

#[tokio::test]
async fn a_slow_cli_times_out_and_leaves_no_process_behind() {
    for cli in &CLIS {
        let bin = FakeBin::new();
        let pids = bin.file("pids");
        // The CLI starts a helper that ignores SIGTERM, as real CLIs' subprocesses may.
        bin.script(
            cli.program,
            &format!(
                "sh -c 'trap \"\" TERM; echo $$ >> {pids}; sleep 60' &\necho $$ >> {pids}\nsleep 60",
                pids = pids.display()
            ),
        );
        let registry = registry(&bin, PluginSettings::default()).await;
        let workdir = tempfile::tempdir().expect("workdir");
        let error = registry
            .provider(cli.provider)
            .expect("provider")
            .complete(&request("p", 1, workdir.path()), call(workdir.path()))
            .await
            .expect_err("times out");
        assert_eq!(
            error.to_string(),
            format!(
                "{} 0.1.0: {} did not finish within 1 s and was stopped",
                cli.provider, cli.program
            )
        );
        assert!(matches!(error.kind, PluginErrorKind::Timeout(_)));
        let pids: Vec<i32> = bin
            .read("pids")
            .lines()
            .filter_map(|l| l.trim().parse().ok())
            .collect();
        assert_eq!(pids.len(), 2, "both processes started: {pids:?}");
        for pid in pids {
            assert!(
                process_gone_soon(pid),
                "{}: process {pid} outlived the timeout",
                cli.provider
            );
        }
    }
}

#[tokio::test]
async fn the_hosts_own_limit_caps_what_the_plugin_asks_for() {
    let bin = FakeBin::new();
    bin.script("claude", "sleep 60");
    let registry = registry(&bin, PluginSettings::default()).await;
    let workdir = tempfile::tempdir().expect("workdir");
    let mut context = call(workdir.path());
    context.max_program_time = Duration::from_millis(500);
    let error = registry
        .provider("claude")
        .expect("claude")
        .complete(&request("p", 3600, workdir.path()), context)
        .await
        .expect_err("stopped by the host's limit");
    // The limit that stopped it is the host's 0.5 s, not the 3600 s the plugin asked for.
    assert!(matches!(error.kind, PluginErrorKind::Timeout(_)), "{error}");
    assert!(
        error.to_string().contains("within 0.5 s"),
        "the 3600 s request was not capped: {error}"
    );
}

#[tokio::test]
async fn aborting_a_call_terminates_the_cli_process_group() {
    let bin = FakeBin::new();
    let pids = bin.file("pids");
    bin.script(
        "claude",
        &format!(
            "sh -c 'echo $$ >> {pids}; sleep 60' &\necho $$ >> {pids}\nsleep 60",
            pids = pids.display()
        ),
    );
    let registry = registry(&bin, PluginSettings::default()).await;
    let workdir = tempfile::tempdir().expect("workdir");
    let provider = registry.provider("claude").expect("claude").clone();
    let dir = workdir.path().to_path_buf();
    let job = tokio::spawn(async move {
        provider
            .complete(&request("p", 600, &dir), call(&dir))
            .await
    });
    // Wait until both processes are up, then abort the job as `abort` does.
    let mut started = Vec::new();
    for _ in 0..250 {
        started = bin
            .read("pids")
            .lines()
            .filter_map(|l| l.trim().parse::<i32>().ok())
            .collect();
        if started.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(started.len(), 2, "the fake CLI started");
    job.abort();
    assert!(job.await.expect_err("aborted").is_cancelled());
    for pid in started {
        assert!(process_gone_soon(pid), "process {pid} outlived the abort");
    }
}

#[tokio::test]
async fn output_cut_at_the_cap_is_refused_not_published() {
    let bin = FakeBin::new();
    bin.script(
        "claude",
        "cat >/dev/null; head -c 5000 /dev/zero | tr '\\0' x",
    );
    let settings = PluginSettings {
        output_cap_kb: 1,
        ..PluginSettings::default()
    };
    let registry = registry(&bin, settings).await;
    let workdir = tempfile::tempdir().expect("workdir");
    let error = registry
        .provider("claude")
        .expect("claude")
        .complete(&request("p", 30, workdir.path()), call(workdir.path()))
        .await
        .expect_err("cut output");
    assert!(
        error
            .to_string()
            .contains("output was longer than the server keeps"),
        "{error}"
    );
}

#[tokio::test]
async fn a_model_that_looks_like_an_option_is_refused_before_the_cli_runs() {
    for cli in &CLIS {
        let bin = FakeBin::new();
        let ran = bin.file("ran");
        bin.script(cli.program, &format!("touch {}", ran.display()));
        let registry = registry(&bin, PluginSettings::default()).await;
        let workdir = tempfile::tempdir().expect("workdir");
        let mut bad = request("p", 30, workdir.path());
        bad.model = "--yolo".into();
        let error = registry
            .provider(cli.provider)
            .expect("provider")
            .complete(&bad, call(workdir.path()))
            .await
            .expect_err("refused");
        assert_eq!(
            error.kind,
            PluginErrorKind::InvalidInput("\"--yolo\" is not a valid model name".into())
        );
        assert!(!ran.exists(), "{}: the CLI ran", cli.provider);
    }
}

#[tokio::test]
async fn a_missing_cli_reads_not_found_on_path() {
    for cli in &CLIS {
        let bin = FakeBin::new();
        let registry = registry(&bin, PluginSettings::default()).await;
        let provider = registry.provider(cli.provider).expect("provider");
        let error = provider
            .check("m1", CallContext::default())
            .await
            .expect_err("no CLI installed");
        assert_eq!(
            error.to_string(),
            format!(
                "{} 0.1.0: {} CLI not found on PATH",
                cli.provider, cli.program
            )
        );
        assert!(matches!(error.kind, PluginErrorKind::NotFound(_)));
    }
}

#[tokio::test]
async fn check_passes_when_the_cli_answers() {
    for cli in &CLIS {
        let bin = FakeBin::new();
        bin.script(cli.program, "[ \"$1\" = --version ] && echo 1.0.0");
        let registry = registry(&bin, PluginSettings::default()).await;
        let provider = registry.provider(cli.provider).expect("provider");
        provider
            .check("m1", CallContext::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

#[tokio::test]
async fn a_program_not_granted_by_the_config_is_denied() {
    let bin = FakeBin::new();
    let ran = bin.file("ran");
    bin.script("claude", &format!("touch {}", ran.display()));
    let mut settings = PluginSettings::default();
    // The operator narrows claude's grant to nothing.
    settings.grants.insert("claude".into(), Grant::default());
    let registry = registry(&bin, settings).await;
    let workdir = tempfile::tempdir().expect("workdir");
    let error = registry
        .provider("claude")
        .expect("claude")
        .complete(&request("p", 30, workdir.path()), call(workdir.path()))
        .await
        .expect_err("denied");
    assert!(error.kind.is_denied(), "{error}");
    assert_eq!(
        error.to_string(),
        "claude 0.1.0: program `claude` is not granted to plugin `claude` by the server's \
         configuration (add it to plugins.grants.claude.programs)"
    );
    assert!(!ran.exists(), "the program must not run");
}

#[tokio::test]
async fn programs_get_only_granted_variables_and_run_in_the_job_directory() {
    for cli in &CLIS {
        let bin = FakeBin::new();
        bin.script(cli.program, "cat >/dev/null; pwd; env | sort");
        let registry = registry(&bin, PluginSettings::default()).await;
        let workdir = tempfile::tempdir().expect("workdir");
        let completion = registry
            .provider(cli.provider)
            .expect("provider")
            .complete(&request("p", 30, workdir.path()), call(workdir.path()))
            .await
            .expect("completes");
        let lines: Vec<&str> = completion.text.lines().collect();
        let cwd = std::fs::canonicalize(workdir.path()).expect("canonical");
        assert_eq!(lines[0], cwd.display().to_string(), "{}", cli.provider);
        assert!(
            lines.contains(&"HOME=/home/tester"),
            "{}: {lines:?}",
            cli.provider
        );
        assert!(
            !completion.text.contains("must-not-leak"),
            "{}: {lines:?}",
            cli.provider
        );
        let own_key = match cli.provider {
            "claude" => "ANTHROPIC_API_KEY=anthropic-key",
            "gemini" => "GEMINI_API_KEY=gemini-key",
            _ => "CURSOR_API_KEY=cursor-key",
        };
        assert!(lines.contains(&own_key), "{}: {lines:?}", cli.provider);
        // Another provider's key is not this provider's business.
        let leaked = ["ANTHROPIC_API_KEY", "GEMINI_API_KEY", "CURSOR_API_KEY"]
            .iter()
            .filter(|k| !own_key.starts_with(*k))
            .any(|k| completion.text.contains(*k));
        assert!(!leaked, "{}: {lines:?}", cli.provider);
    }
}

#[tokio::test]
async fn the_bundled_providers_describe_themselves() {
    let bin = FakeBin::new();
    let registry = registry(&bin, PluginSettings::default()).await;
    assert_eq!(
        registry.provider_names(),
        ["claude", "cursor", "gemini", "openai"]
    );
    assert!(registry.skipped().is_empty(), "{:?}", registry.skipped());
    let claude = registry.provider("claude").expect("claude").description();
    assert_eq!(claude.default_model.as_deref(), Some("claude-opus-4-6[1m]"));
    assert_eq!(claude.programs, ["claude"]);
    assert_eq!(claude.source, "bundled");
    let cursor = registry.provider("cursor").expect("cursor").description();
    assert_eq!(cursor.programs, ["agent"]);
    let openai = registry.provider("openai").expect("openai").description();
    assert_eq!(openai.wit, "0.2.0");
    assert_eq!(openai.default_model.as_deref(), Some("gpt-4o-mini"));
    assert_eq!(openai.http, ["https://api.openai.com"]);
    assert!(openai.programs.is_empty());
    let settings: Vec<(&str, bool, bool)> = openai
        .settings
        .iter()
        .map(|s| (s.name.as_str(), s.secret, s.set))
        .collect();
    assert_eq!(
        settings,
        [
            ("api_key", true, false),
            ("base_url", false, false),
            ("model", false, false),
            ("models", false, false)
        ],
        "OPENAI_API_KEY is not in this test's environment"
    );
}
