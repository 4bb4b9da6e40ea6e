//! The `gemini` provider: Google's Gemini CLI in non-interactive mode.
//!
//! Runs `gemini --model M --output-format json` with the prompt on stdin and reads the JSON
//! answer (`response`, `stats`, `error`); plain text is accepted as a fallback.

use std::collections::BTreeMap;

use docsfy_plugin_sdk::{
    Completion, CompletionRequest, Error, PluginInfo, Provider, Usage, cli, export_provider,
};
use serde::Deserialize;

const PROGRAM: &str = "gemini";

struct Gemini;

impl Provider for Gemini {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "gemini".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Google Gemini through the `gemini` CLI".into(),
            default_model: Some("gemini-2.5-pro".into()),
            models: ["gemini-2.5-pro", "gemini-2.5-flash"]
                .map(String::from)
                .to_vec(),
        }
    }

    fn check(model: &str) -> Result<(), Error> {
        cli::model_arg(model)?;
        cli::probe(PROGRAM, &["--version"])
    }

    fn complete(request: CompletionRequest) -> Result<Completion, Error> {
        let args = [
            "--model",
            cli::model_arg(&request.model)?,
            "--output-format",
            "json",
        ]
        .map(String::from);
        let output = cli::run(PROGRAM, &args, &request.prompt, request.timeout_secs)?;
        parse_output(&output.stdout)
    }
}

export_provider!(Gemini);

/// The JSON object `gemini --output-format json` prints.
#[derive(Deserialize)]
struct GeminiOutput {
    response: Option<String>,
    stats: Option<GeminiStats>,
    error: Option<GeminiError>,
}

#[derive(Deserialize)]
struct GeminiError {
    message: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

#[derive(Deserialize)]
struct GeminiStats {
    #[serde(default)]
    models: BTreeMap<String, ModelStats>,
}

#[derive(Deserialize)]
struct ModelStats {
    api: Option<ApiStats>,
    tokens: Option<TokenStats>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiStats {
    total_latency_ms: Option<u64>,
}

#[derive(Deserialize)]
struct TokenStats {
    prompt: Option<u64>,
    candidates: Option<u64>,
}

fn parse_output(stdout: &str) -> Result<Completion, Error> {
    let Ok(parsed) = serde_json::from_str::<GeminiOutput>(stdout.trim()) else {
        return cli::plain_text(PROGRAM, stdout);
    };
    if let Some(error) = parsed.error {
        let message = error.message.unwrap_or_else(|| "no detail given".into());
        let kind = error.kind.map(|k| format!(" ({k})")).unwrap_or_default();
        return Err(Error::Failed(format!(
            "gemini reported an error{kind}: {message}"
        )));
    }
    let Some(text) = parsed.response else {
        return Err(Error::Failed(
            "gemini returned JSON without a `response`".into(),
        ));
    };
    Ok(Completion {
        text,
        usage: parsed.stats.map(usage_of).unwrap_or_default(),
    })
}

/// Sums the per-model figures: one CLI call may use several models (routing, tools).
fn usage_of(stats: GeminiStats) -> Usage {
    let mut usage = Usage::default();
    for model in stats.models.into_values() {
        if let Some(tokens) = model.tokens {
            add(&mut usage.input_tokens, tokens.prompt);
            add(&mut usage.output_tokens, tokens.candidates);
        }
        add(
            &mut usage.duration_ms,
            model.api.and_then(|a| a.total_latency_ms),
        );
    }
    usage
}

fn add(total: &mut Option<u64>, value: Option<u64>) {
    if let Some(value) = value {
        *total = Some(total.unwrap_or(0) + value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_response_and_sums_model_stats() {
        let out = r#"{"response":"Hello","stats":{"models":{
            "gemini-2.5-pro":{"api":{"totalLatencyMs":1200},"tokens":{"prompt":100,"candidates":20}},
            "gemini-2.5-flash":{"api":{"totalLatencyMs":300},"tokens":{"prompt":5,"candidates":1}}}}}"#;
        let completion = parse_output(out).expect("parses");
        assert_eq!(completion.text, "Hello");
        assert_eq!(completion.usage.input_tokens, Some(105));
        assert_eq!(completion.usage.output_tokens, Some(21));
        assert_eq!(completion.usage.duration_ms, Some(1500));
        assert_eq!(completion.usage.cost_usd, None);
    }

    #[test]
    fn reported_errors_fail() {
        let out = r#"{"error":{"type":"ApiError","message":"quota exceeded","code":429}}"#;
        let error = parse_output(out).expect_err("is an error");
        assert_eq!(
            error.message(),
            "gemini reported an error (ApiError): quota exceeded"
        );
    }

    #[test]
    fn plain_text_is_accepted() {
        assert_eq!(parse_output("text").expect("text").text, "text");
    }
}
