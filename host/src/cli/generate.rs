//! `docsfy generate`: starts a generation, and with `--watch` follows it to its end.

use serde_json::{Value, json};

use super::args::GenerateArgs;
use super::error::{CliError, CliResult};
use super::http::Api;
use super::output::text;
use super::watch::{self, Watched};

pub async fn generate(api: &Api, args: GenerateArgs) -> CliResult {
    let mut body = json!({"branch": args.branch, "force": args.force});
    match (&args.repo_url, &args.repo_path) {
        (_, Some(path)) => body["repo_path"] = json!(path),
        (Some(url), None) => body["repo_url"] = json!(url),
        (None, None) => return Err(CliError::message("Give a repository URL or --repo-path")),
    }
    if let Some(provider) = &args.provider {
        body["ai_provider"] = json!(provider);
    }
    if let Some(model) = &args.model {
        body["ai_model"] = json!(model);
    }
    let started = api.post("/api/generate", body).await?;
    let project = text(&started, "project");
    let branch = Some(text(&started, "branch"))
        .filter(|b| !b.is_empty())
        .unwrap_or(args.branch.clone());
    println!("Project: {project}");
    println!("Branch: {branch}");
    println!("Status: {}", text(&started, "status"));
    let generation_id = text(&started, "generation_id");
    if !generation_id.is_empty() {
        println!("Generation ID: {generation_id}");
    }
    if !args.watch || started["status"] != "generating" {
        return Ok(());
    }
    let watched = which_variant(api, &project, &branch, &args).await?;
    watch::follow(api, &watched, args.abort_on_interrupt).await
}

/// The variant the server started: the caller's generating one of that project and branch
/// (and provider and model, when given), as the listing shows it.
async fn which_variant(
    api: &Api,
    project: &str,
    branch: &str,
    args: &GenerateArgs,
) -> Result<Watched, CliError> {
    let me = api.get("/api/auth/me").await?;
    let owner = text(&me, "username");
    let listing = api.get("/api/status").await?;
    let projects = listing["projects"].as_array().cloned().unwrap_or_default();
    let matches = |p: &&Value| {
        p["name"] == project
            && p["branch"] == branch
            && p["owner"] == owner.as_str()
            && p["status"] == "generating"
            && args
                .provider
                .as_ref()
                .is_none_or(|w| p["ai_provider"] == w.as_str())
            && args
                .model
                .as_ref()
                .is_none_or(|w| p["ai_model"] == w.as_str())
    };
    let variant = projects.iter().find(matches).ok_or_else(|| {
        CliError::message(format!(
            "Cannot determine the variant to watch. Check status with: docsfy status {project}"
        ))
    })?;
    Ok(Watched {
        name: project.to_string(),
        branch: branch.to_string(),
        provider: text(variant, "ai_provider"),
        model: text(variant, "ai_model"),
        owner,
    })
}
