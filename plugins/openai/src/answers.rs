//! The JSON an OpenAI-compatible server answers with.

use docsfy_plugin_sdk::http::Response;
use docsfy_plugin_sdk::{Completion, Error, Usage};
use serde::Deserialize;

/// `GET /models`.
#[derive(Deserialize)]
pub struct ModelList {
    data: Vec<Model>,
}

#[derive(Deserialize)]
struct Model {
    id: String,
}

impl ModelList {
    pub fn ids(self) -> Vec<String> {
        self.data.into_iter().map(|m| m.id).collect()
    }
}

/// `POST /chat/completions`.
#[derive(Deserialize)]
pub struct ChatAnswer {
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<TokenUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: Message,
}

#[derive(Deserialize)]
struct Message {
    content: Option<String>,
}

#[derive(Deserialize)]
struct TokenUsage {
    prompt_tokens: Option<u64>,
    completion_tokens: Option<u64>,
}

impl ChatAnswer {
    pub fn into_completion(self, base_url: &str) -> Result<Completion, Error> {
        let text = self
            .choices
            .into_iter()
            .next()
            .and_then(|c| c.message.content)
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                Error::Failed(format!("the server at {base_url} answered with no text"))
            })?;
        Ok(Completion {
            text,
            usage: Usage {
                input_tokens: self.usage.as_ref().and_then(|u| u.prompt_tokens),
                output_tokens: self.usage.as_ref().and_then(|u| u.completion_tokens),
                cost_usd: None,
                duration_ms: None,
            },
        })
    }
}

/// The server's explanation: `error.message` of the usual error body, else the body's text.
pub fn server_message(response: &Response) -> String {
    #[derive(Deserialize)]
    struct Body {
        error: Detail,
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Detail {
        Object { message: String },
        Text(String),
    }
    match response.json::<Body>().map(|b| b.error) {
        Ok(Detail::Object { message } | Detail::Text(message)) => message,
        Err(_) => {
            let text = response.text();
            let text = text.trim();
            if text.is_empty() {
                "(no explanation)".into()
            } else {
                docsfy_plugin_sdk::cli::tail(text, 500)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_token_usage_are_read() {
        let answer: ChatAnswer = serde_json::from_str(
            r##"{"choices":[{"message":{"role":"assistant","content":"# Hi"}}],
                "usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}"##,
        )
        .expect("parses");
        let completion = answer.into_completion("http://h").expect("text");
        assert_eq!(completion.text, "# Hi");
        assert_eq!(completion.usage.input_tokens, Some(12));
        assert_eq!(completion.usage.output_tokens, Some(3));
    }

    #[test]
    fn an_empty_answer_is_an_error() {
        let answer: ChatAnswer =
            serde_json::from_str(r#"{"choices":[{"message":{"content":""}}]}"#).expect("parses");
        let error = answer.into_completion("http://h").expect_err("empty");
        assert_eq!(
            error.message(),
            "the server at http://h answered with no text"
        );
    }
}
