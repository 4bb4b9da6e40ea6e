//! The `cursor` provider: Cursor's `agent` CLI in print mode.
//!
//! Runs `agent --model M --print --trust --workspace DIR --output-format stream-json` with the
//! prompt on stdin. The output is one JSON event a line; the answer is the `result` event.
//! Output that holds no JSON events at all is taken as plain text.

use docsfy_plugin_sdk::{
    Completion, CompletionRequest, Error, PluginInfo, Provider, Usage, cli, export_provider,
};
use serde::Deserialize;

const PROGRAM: &str = "agent";

struct Cursor;

impl Provider for Cursor {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "cursor".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Cursor's agent through the `agent` CLI".into(),
            default_model: Some("auto".into()),
            models: ["auto", "sonnet-4.5", "gpt-5"].map(String::from).to_vec(),
        }
    }

    fn check(model: &str) -> Result<(), Error> {
        cli::model_arg(model)?;
        cli::probe(PROGRAM, &["--version"])
    }

    fn complete(request: CompletionRequest) -> Result<Completion, Error> {
        let workspace = request.workdir.clone().unwrap_or_else(|| ".".into());
        let args = [
            "--model",
            cli::model_arg(&request.model)?,
            "--print",
            "--trust",
            "--workspace",
            &workspace,
            "--output-format",
            "stream-json",
        ]
        .map(String::from);
        let output = cli::run(PROGRAM, &args, &request.prompt, request.timeout_secs)?;
        parse_output(&output.stdout)
    }
}

export_provider!(Cursor);

/// The events of `--output-format stream-json` that matter here; others are skipped.
#[derive(Deserialize)]
struct Event {
    #[serde(rename = "type")]
    kind: String,
    subtype: Option<String>,
    #[serde(default)]
    is_error: bool,
    result: Option<String>,
    duration_ms: Option<u64>,
}

fn parse_output(stdout: &str) -> Result<Completion, Error> {
    let events: Vec<Event> = stdout
        .lines()
        .filter_map(|line| serde_json::from_str(line.trim()).ok())
        .collect();
    if events.is_empty() {
        return cli::plain_text(PROGRAM, stdout);
    }
    let Some(result) = events.into_iter().rev().find(|e| e.kind == "result") else {
        return Err(Error::Failed(
            "agent's output ended without a result event (was it cut off?)".into(),
        ));
    };
    if result.is_error {
        let why = result
            .result
            .or(result.subtype)
            .unwrap_or_else(|| "no detail given".into());
        return Err(Error::Failed(format!("agent reported an error: {why}")));
    }
    let Some(text) = result.result else {
        return Err(Error::Failed(
            "agent's result event has no `result` text".into(),
        ));
    };
    Ok(Completion {
        text,
        usage: Usage {
            duration_ms: result.duration_ms,
            ..Usage::default()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_result_event() {
        let out = concat!(
            r#"{"type":"system","subtype":"init","model":"auto"}"#,
            "\n",
            r#"{"type":"assistant","message":{"content":[{"type":"text","text":"draft"}]}}"#,
            "\n",
            r#"{"type":"result","subtype":"success","is_error":false,"duration_ms":42,"result":"final"}"#,
            "\n"
        );
        let completion = parse_output(out).expect("parses");
        assert_eq!(completion.text, "final");
        assert_eq!(completion.usage.duration_ms, Some(42));
    }

    #[test]
    fn events_without_result_fail_and_plain_text_passes() {
        assert!(parse_output(r#"{"type":"system","subtype":"init"}"#).is_err());
        assert_eq!(parse_output("plain").expect("text").text, "plain");
    }
}
