//! {{name}}: a docsfy provider for an OpenAI-compatible chat completion server
//! (Ollama, vLLM, llama.cpp's server, LM Studio, OpenAI).

use docsfy_plugin_sdk::http::Request;
use docsfy_plugin_sdk::{
    Completion, CompletionRequest, Error, PluginInfo, Provider, Usage, export_provider, settings,
};

struct Plugin;

impl Provider for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "{{name}}".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Chat completions from an OpenAI-compatible server".into(),
            default_model: Some("llama3.2".into()),
            models: vec!["llama3.2".into()],
        }
    }

    fn complete(request: CompletionRequest) -> Result<Completion, Error> {
        let base = settings::get_or("base_url", "http://localhost:11434/v1")?;
        let mut call = Request::post(format!("{base}/chat/completions"))
            .json(&serde_json::json!({
                "model": request.model,
                "messages": [{"role": "user", "content": request.prompt}],
            }))
            .timeout_secs(request.timeout_secs);
        if let Some(key) = settings::get("api_key")? {
            call = call.bearer_auth(&key);
        }
        let response = call.send()?;
        if !response.is_success() {
            let status = response.status();
            return Err(Error::Failed(format!("{base} answered HTTP {status}: {}", response.text())));
        }
        let answer: serde_json::Value = response.json()?;
        let text = answer["choices"][0]["message"]["content"].as_str();
        let text = text.ok_or_else(|| Error::Failed(format!("{base} sent no answer")))?;
        let usage = Usage {
            input_tokens: answer["usage"]["prompt_tokens"].as_u64(),
            output_tokens: answer["usage"]["completion_tokens"].as_u64(),
            ..Usage::default()
        };
        let text = text.to_string();
        Ok(Completion { text, usage })
    }
}

export_provider!(Plugin);
