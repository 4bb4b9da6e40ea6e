//! The bundled `openai` provider against a fake OpenAI-compatible server on loopback: a whole
//! generation to `ready` over HTTP, a busy server retried, and each failure (wrong key,
//! unknown model, slow, oversized, down) as a clear error on the variant, with no secret in it.

use serde_json::{Value, json};

use crate::generation::{PAGES, finished_at};
use crate::support::api::{ADMIN_KEY, As, get, post};
use crate::support::fake_ai::SampleRepo;
use crate::support::fake_openai::{FAKE_KEY, FAKE_MODEL, FakeOpenAi};
use crate::support::server::RunningServer;

/// A server whose `openai` plugin is granted the fake and reads its key from the
/// environment, with `extra` appended to the `[plugins]` section.
fn server_for(fake: &FakeOpenAi, key: &str, extra: &str) -> RunningServer {
    let config = format!(
        "[plugins]\n{extra}\n\
         [plugins.grants.openai]\nhttp = [\"{base}\"]\n\
         [plugins.settings.openai]\nbase_url = \"{base}/v1\"\n\
         api_key = {{ env = \"FAKE_OPENAI_KEY\" }}\nmodel = \"{FAKE_MODEL}\"\n",
        base = fake.base
    );
    RunningServer::start(
        &config,
        &[
            ("ADMIN_KEY", ADMIN_KEY),
            ("SECURE_COOKIES", "false"),
            ("FAKE_OPENAI_KEY", key),
        ],
    )
}

/// Generates `repo` with the openai provider and waits for the variant to settle.
async fn generate(server: &RunningServer, repo: &SampleRepo, model: &str, extra: Value) -> Value {
    let mut body = json!({
        "repo_path": repo.path().display().to_string(),
        "ai_provider": "openai",
        "ai_model": model,
        "force": true,
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let started = post(server, "/api/generate", As::Bearer(ADMIN_KEY), body).await;
    assert_eq!(started.status, 202, "{}", started.text());
    let path = format!("/api/projects/{}/main/openai/{model}", repo.project());
    finished_at(server, &path).await
}

fn error_of(variant: &Value) -> &str {
    assert_eq!(variant["status"], "error", "{variant}");
    variant["error_message"].as_str().expect("an error message")
}

#[tokio::test]
async fn a_whole_generation_reaches_ready_over_http_through_a_busy_server() {
    let fake = FakeOpenAi::start(PAGES);
    let server = server_for(&fake, FAKE_KEY, "");
    let models = get(&server, "/api/models", As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert!(
        models["providers"]
            .as_array()
            .expect("providers")
            .contains(&json!("openai")),
        "{models}"
    );
    assert_eq!(models["available_models"]["openai"][0]["id"], FAKE_MODEL);

    // A 429 then a 503 first: retried with backoff inside the call, invisible to the user.
    fake.busy_for(2);
    let repo = SampleRepo::new();
    let variant = generate(&server, &repo, FAKE_MODEL, json!({})).await;
    assert_eq!(variant["status"], "ready", "{variant}");
    // The fake reports 100 tokens read and 20 written per answer; refused attempts none.
    let answers = 1 + PAGES.len() as u64;
    assert_eq!(variant["total_input_tokens"], 100 * answers, "{variant}");
    assert_eq!(variant["total_output_tokens"], 20 * answers, "{variant}");
    let cost = get(&server, "/api/cost", As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert_eq!(
        cost["projects"][0]["variants"][0]["total_input_tokens"],
        100 * answers
    );
    let page = get(
        &server,
        &format!(
            "/docs/{}/main/openai/{FAKE_MODEL}/usage.html",
            repo.project()
        ),
        As::Bearer(ADMIN_KEY),
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("This page explains Usage"),
        "{}",
        page.text()
    );

    let requests = fake.requests();
    assert_eq!(
        requests[0], "GET /v1/models",
        "check asks for the model list first"
    );
    let completions = requests
        .iter()
        .filter(|r| *r == "POST /v1/chat/completions")
        .count();
    assert_eq!(
        completions,
        1 + PAGES.len() + 2,
        "a plan, the pages, a retried 429 and 503"
    );
}

#[tokio::test]
async fn failures_are_clear_errors_on_the_variant() {
    let mut fake = FakeOpenAi::start(PAGES);
    let server = server_for(&fake, FAKE_KEY, "http_body_cap_kb = 64");
    let repo = SampleRepo::new();

    let unknown = generate(&server, &repo, "no-such-model", json!({})).await;
    assert!(
        error_of(&unknown).contains(&format!(
            "the server at {}/v1 does not offer model `no-such-model`; it offers: fake-model, \
             other-model",
            fake.base
        )),
        "{unknown}"
    );

    fake.slow(std::time::Duration::from_secs(5));
    let slow = generate(&server, &repo, FAKE_MODEL, json!({"ai_cli_timeout": 1})).await;
    assert!(
        error_of(&slow).contains(&format!("{} did not answer within 1 s", fake.base)),
        "{slow}"
    );
    fake.slow(std::time::Duration::ZERO);

    fake.oversized(200 * 1024);
    let oversized = generate(&server, &repo, FAKE_MODEL, json!({})).await;
    assert!(
        error_of(&oversized).contains("is larger than the 64 KiB a plugin may receive"),
        "{oversized}"
    );
    fake.oversized(0);

    fake.stop();
    let down = generate(&server, &repo, FAKE_MODEL, json!({})).await;
    assert!(
        error_of(&down).contains(&format!(
            "cannot reach the OpenAI-compatible server at {}/v1",
            fake.base
        )),
        "{down}"
    );
}

#[tokio::test]
async fn a_wrong_key_is_named_and_never_shown() {
    let fake = FakeOpenAi::start(PAGES);
    let wrong = "sk-wrong-key-987654";
    let server = server_for(&fake, wrong, "");
    let repo = SampleRepo::new();
    let variant = generate(&server, &repo, FAKE_MODEL, json!({})).await;
    let message = error_of(&variant);
    assert!(
        message.contains(&format!(
            "the server at {}/v1 refused the API key (HTTP 401): Incorrect API key provided",
            fake.base
        )),
        "{message}"
    );
    assert!(!message.contains(wrong), "{message}");
    assert!(
        !server
            .stdout_lines()
            .iter()
            .any(|line| line.contains(wrong)),
        "the key is not in the server's log"
    );
}
