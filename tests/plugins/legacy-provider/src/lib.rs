//! A provider as plugins were built against the first WIT release (0.1.0), bound with
//! wit-bindgen directly from the frozen package: it proves the host still loads and runs
//! such plugins next to 0.2.0 ones.

// The generated bindings' `run-output` constructor takes every field.
#![allow(clippy::too_many_arguments)]

wit_bindgen::generate!({
    world: "provider",
    path: "../../../wit/0.1.0",
    generate_all,
});

// The world's `use` statements bring its types into scope here already.
use docsfy::plugin::host::{self, LogLevel, RunRequest};
use docsfy::plugin::types::Usage;

struct Legacy;

impl Guest for Legacy {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "legacy-provider".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Built against docsfy:plugin@0.1.0 (test only)".into(),
            default_model: Some("old".into()),
            models: vec!["old".into()],
        }
    }

    fn check(_model: String) -> Result<(), Error> {
        Ok(())
    }

    fn complete(request: CompletionRequest) -> Result<Completion, Error> {
        host::log(LogLevel::Info, "legacy provider answering");
        let text = if request.prompt == "run" {
            let output = host::run(&RunRequest {
                program: "legacy-tool".into(),
                args: vec![],
                stdin: String::new(),
                timeout_ms: 10_000,
            })?;
            output.stdout
        } else {
            format!("legacy: {}", request.prompt)
        };
        Ok(Completion {
            text,
            usage: Usage {
                input_tokens: Some(1),
                output_tokens: Some(2),
                cost_usd: None,
                duration_ms: None,
            },
        })
    }
}

export!(Legacy);
