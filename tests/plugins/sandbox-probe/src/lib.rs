//! A test-only provider that misbehaves on request, to prove the host's sandbox holds.
//!
//! The prompt names the behaviour; the tests in `tests/plugins` drive it through the host.

use docsfy_plugin_sdk::host::{self, LogLevel, RunRequest};
use docsfy_plugin_sdk::http::Request;
use docsfy_plugin_sdk::settings;
use docsfy_plugin_sdk::{
    Completion, CompletionRequest, Error, PluginInfo, Provider, Usage, export_provider,
};

struct Probe;

impl Provider for Probe {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "sandbox-probe".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Tries to escape the sandbox (test only)".into(),
            default_model: Some("none".into()),
            models: Vec::new(),
        }
    }

    fn complete(request: CompletionRequest) -> Result<Completion, Error> {
        let (command, argument) = request
            .prompt
            .split_once(' ')
            .unwrap_or((request.prompt.as_str(), ""));
        let text = match command {
            "echo" => argument.to_string(),
            "loop" => spin_forever(),
            "sleep" => {
                std::thread::sleep(std::time::Duration::from_secs(3600));
                "woke up".to_string()
            }
            "alloc" => allocate_gigabyte(),
            "trap" => panic!("the probe was asked to trap"),
            "read-file" => std::fs::read_to_string(argument)
                .map_err(|e| Error::Failed(format!("open {argument}: {e}")))?,
            "list-dir" => std::fs::read_dir(argument)
                .map(|entries| format!("{} entries", entries.count()))
                .map_err(|e| Error::Failed(format!("list {argument}: {e}")))?,
            "env" => {
                let all: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
                if all.is_empty() {
                    return Err(Error::Failed("no environment variables".into()));
                }
                all.join("\n")
            }
            "connect" => std::net::TcpStream::connect(argument)
                .map(|_| "connected".to_string())
                .map_err(|e| Error::Failed(format!("connect {argument}: {e}")))?,
            // `http GET <url>`: the status and body, or the host's refusal.
            "http" => {
                let (method, url) = argument.split_once(' ').unwrap_or(("GET", argument));
                let outgoing = match method {
                    "POST" => Request::post(url).body("probe body"),
                    _ => Request::get(url),
                };
                let response = outgoing
                    .header("authorization", "Bearer probe-credential")
                    .timeout_secs(request.timeout_secs)
                    .send()?;
                format!("{} {}", response.status(), response.text())
            }
            // `setting <name>`: the value, `unset`, or the host's refusal.
            "setting" => settings::get(argument)?.unwrap_or_else(|| "unset".into()),
            // `leak <name>`: fails with the setting's value in the message.
            "leak" => {
                let value = settings::get(argument)?.unwrap_or_default();
                host::log(LogLevel::Warn, &format!("leaking {value}"));
                return Err(Error::Failed(format!("the value is {value}")));
            }
            "run" => {
                host::log(LogLevel::Info, &format!("running {argument}"));
                let output = host::run(&RunRequest {
                    program: argument.to_string(),
                    args: vec!["from-probe".into()],
                    stdin: "probe input".into(),
                    timeout_ms: u64::from(request.timeout_secs) * 1000,
                })?;
                format!(
                    "exit={:?}\n{}{}",
                    output.exit_code, output.stdout, output.stderr
                )
            }
            other => {
                return Err(Error::InvalidInput(format!(
                    "unknown probe command {other:?}"
                )));
            }
        };
        Ok(Completion {
            text,
            usage: Usage::default(),
        })
    }
}

export_provider!(Probe);

fn spin_forever() -> String {
    let mut counter: u64 = 0;
    loop {
        counter = std::hint::black_box(counter.wrapping_add(1));
    }
}

fn allocate_gigabyte() -> String {
    let block = vec![1u8; 1 << 30];
    format!("allocated {} bytes", std::hint::black_box(block).len())
}
