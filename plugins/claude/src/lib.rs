//! The `claude` provider: Anthropic's Claude Code CLI in print mode.
//!
//! Runs `claude --model M -p --output-format json --setting-sources user --strict-mcp-config`
//! with the prompt on stdin (project settings ignored) and reads the
//! JSON result (`result`, `total_cost_usd`, `usage`); plain text is accepted as a fallback.

use docsfy_plugin_sdk::{
    Completion, CompletionRequest, Error, PluginInfo, Provider, Usage, cli, export_provider,
};
use serde::Deserialize;

const PROGRAM: &str = "claude";

struct Claude;

impl Provider for Claude {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "claude".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Anthropic Claude through the `claude` CLI".into(),
            default_model: Some("claude-opus-4-6[1m]".into()),
            models: ["claude-opus-4-6[1m]", "opus", "sonnet", "haiku"]
                .map(String::from)
                .to_vec(),
        }
    }

    fn check(model: &str) -> Result<(), Error> {
        cli::model_arg(model)?;
        cli::probe(PROGRAM, &["--version"])
    }

    fn complete(request: CompletionRequest) -> Result<Completion, Error> {
        // The checkout is the repository's, not the operator's: its `.claude/` settings
        // (hooks run commands), `CLAUDE.md` and MCP servers are not to be loaded.
        let args = [
            "--model",
            cli::model_arg(&request.model)?,
            "-p",
            "--output-format",
            "json",
            "--setting-sources",
            "user",
            "--strict-mcp-config",
        ]
        .map(String::from);
        let output = cli::run(PROGRAM, &args, &request.prompt, request.timeout_secs)?;
        parse_output(&output.stdout)
    }
}

export_provider!(Claude);

/// The final JSON object `claude -p --output-format json` prints.
#[derive(Deserialize)]
struct ClaudeResult {
    result: Option<String>,
    #[serde(default)]
    is_error: bool,
    subtype: Option<String>,
    total_cost_usd: Option<f64>,
    duration_ms: Option<u64>,
    usage: Option<ClaudeUsage>,
}

#[derive(Deserialize)]
struct ClaudeUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
}

fn parse_output(stdout: &str) -> Result<Completion, Error> {
    let Ok(parsed) = serde_json::from_str::<ClaudeResult>(stdout.trim()) else {
        return cli::plain_text(PROGRAM, stdout);
    };
    if parsed.is_error {
        let why = parsed
            .result
            .or(parsed.subtype)
            .unwrap_or_else(|| "no detail given".into());
        return Err(Error::Failed(format!("claude reported an error: {why}")));
    }
    let Some(text) = parsed.result else {
        return Err(Error::Failed(format!(
            "claude returned JSON without a `result` ({})",
            parsed.subtype.unwrap_or_else(|| "no subtype".into())
        )));
    };
    let input_tokens = parsed.usage.as_ref().map(|u| {
        u.input_tokens.unwrap_or(0)
            + u.cache_creation_input_tokens.unwrap_or(0)
            + u.cache_read_input_tokens.unwrap_or(0)
    });
    Ok(Completion {
        text,
        usage: Usage {
            input_tokens,
            output_tokens: parsed.usage.and_then(|u| u.output_tokens),
            cost_usd: parsed.total_cost_usd,
            duration_ms: parsed.duration_ms,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_result_cost_and_usage() {
        let out = r##"{"type":"result","subtype":"success","is_error":false,"result":"# Title","total_cost_usd":0.25,"duration_ms":900,"usage":{"input_tokens":10,"cache_read_input_tokens":5,"output_tokens":7}}"##;
        let completion = parse_output(out).expect("parses");
        assert_eq!(completion.text, "# Title");
        assert_eq!(completion.usage.input_tokens, Some(15));
        assert_eq!(completion.usage.output_tokens, Some(7));
        assert_eq!(completion.usage.cost_usd, Some(0.25));
        assert_eq!(completion.usage.duration_ms, Some(900));
    }

    #[test]
    fn reported_errors_fail() {
        let out = r#"{"type":"result","subtype":"error_max_turns","is_error":true}"#;
        let error = parse_output(out).expect_err("is an error");
        assert!(error.message().contains("error_max_turns"), "{error}");
    }

    #[test]
    fn plain_text_is_accepted_and_empty_output_is_not() {
        assert_eq!(
            parse_output("just text\n").expect("text").text,
            "just text\n"
        );
        assert!(parse_output("  \n").is_err());
    }
}
