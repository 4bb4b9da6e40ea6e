//! `list`, `status`, `delete`, `abort`, `models`, `health`, `whoami`, `rotate-key`.

use serde_json::{Value, json};

use super::args::Selector;
use super::error::{CliError, CliResult};
use super::http::{Api, branch_segment, owner_query, segment};
use super::output::{print_json, table, text};
use super::prompt::confirm;

/// A selector with a generation ID resolved to the variant it names; explicit flags win.
pub struct Resolved {
    pub name: String,
    pub branch: Option<String>,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub owner: Option<String>,
}

impl Resolved {
    /// All of branch, provider and model, when all three are known.
    pub fn variant(&self) -> Option<(&str, &str, &str)> {
        Some((
            self.branch.as_deref()?,
            self.provider.as_deref()?,
            self.model.as_deref()?,
        ))
    }

    /// Some but not all of branch, provider and model.
    pub fn partial(&self) -> bool {
        let given = [&self.branch, &self.provider, &self.model]
            .iter()
            .filter(|s| s.is_some())
            .count();
        given > 0 && given < 3
    }

    /// `/api/projects/{name}/{branch}/{provider}/{model}` for a full selector.
    pub fn variant_path(&self) -> Option<String> {
        let (branch, provider, model) = self.variant()?;
        Some(format!(
            "/api/projects/{}/{}/{}/{}",
            segment(&self.name),
            branch_segment(branch),
            segment(provider),
            segment(model)
        ))
    }
}

/// Whether `name` is a generation ID (a hyphenated UUID), as docsfy decides it.
pub fn is_generation_id(name: &str) -> bool {
    let groups: Vec<&str> = name.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Resolves a generation ID through `GET /api/projects/by-id/{id}`; names pass unchanged.
pub async fn resolve(api: &Api, selector: &Selector) -> Result<Resolved, CliError> {
    let mut resolved = Resolved {
        name: selector.name.clone(),
        branch: selector.branch.clone(),
        provider: selector.provider.clone(),
        model: selector.model.clone(),
        owner: selector.owner.clone().filter(|o| !o.is_empty()),
    };
    if is_generation_id(&selector.name) {
        let variant = api
            .get(&format!("/api/projects/by-id/{}", selector.name))
            .await?;
        resolved.name = text(&variant, "name");
        let fill = |mine: &mut Option<String>, field: &str| {
            if mine.is_none() {
                *mine = Some(text(&variant, field)).filter(|v| !v.is_empty());
            }
        };
        fill(&mut resolved.branch, "branch");
        fill(&mut resolved.provider, "ai_provider");
        fill(&mut resolved.model, "ai_model");
        fill(&mut resolved.owner, "owner");
    }
    Ok(resolved)
}

pub async fn list(
    api: &Api,
    status: Option<&str>,
    provider: Option<&str>,
    json: bool,
) -> CliResult {
    let listing = api.get("/api/status").await?;
    let projects: Vec<Value> = listing["projects"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|p| status.is_none_or(|s| p["status"] == s))
        .filter(|p| provider.is_none_or(|s| p["ai_provider"] == s))
        .collect();
    if json {
        print_json(&Value::Array(projects));
        return Ok(());
    }
    if projects.is_empty() {
        println!("No projects found.");
        return Ok(());
    }
    let rows: Vec<Vec<String>> = projects
        .iter()
        .map(|p| {
            let pages = text(p, "page_count");
            vec![
                text(p, "name"),
                text(p, "branch"),
                text(p, "ai_provider"),
                text(p, "ai_model"),
                text(p, "status"),
                text(p, "owner"),
                if pages == "0" { String::new() } else { pages },
                text(p, "generation_id"),
            ]
        })
        .collect();
    let headings = [
        "NAME", "BRANCH", "PROVIDER", "MODEL", "STATUS", "OWNER", "PAGES", "GEN ID",
    ];
    println!("{}", table(&headings, &rows));
    Ok(())
}

pub async fn status(api: &Api, selector: &Selector, json: bool) -> CliResult {
    let wanted = resolve(api, selector).await?;
    if let Some(path) = wanted.variant_path() {
        let variant = api
            .get(&format!("{path}{}", owner_query(wanted.owner.as_deref())))
            .await?;
        if json {
            print_json(&variant);
        } else {
            print!("{}", variant_block(&variant));
        }
        return Ok(());
    }
    let project = api
        .get(&format!(
            "/api/projects/{}{}",
            segment(&wanted.name),
            owner_query(wanted.owner.as_deref())
        ))
        .await?;
    let variants: Vec<Value> = project["variants"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|v| {
            wanted
                .branch
                .as_ref()
                .is_none_or(|b| v["branch"] == b.as_str())
        })
        .filter(|v| {
            wanted
                .provider
                .as_ref()
                .is_none_or(|p| v["ai_provider"] == p.as_str())
        })
        .filter(|v| {
            wanted
                .model
                .as_ref()
                .is_none_or(|m| v["ai_model"] == m.as_str())
        })
        .collect();
    if json {
        print_json(&json!({"name": wanted.name, "variants": variants}));
        return Ok(());
    }
    if variants.is_empty() {
        println!("No variants found for '{}'.", wanted.name);
        return Ok(());
    }
    println!("Project: {}\nVariants: {}\n", wanted.name, variants.len());
    for variant in &variants {
        println!("{}", variant_block(variant));
    }
    Ok(())
}

/// One variant as `status` shows it: what a person wants to know, empty fields left out.
fn variant_block(variant: &Value) -> String {
    let mut lines = vec![format!(
        "  {}/{}/{}",
        text(variant, "branch"),
        text(variant, "ai_provider"),
        text(variant, "ai_model")
    )];
    let sha = text(variant, "last_commit_sha");
    let fields = [
        ("ID", text(variant, "generation_id"), false),
        ("Status", text(variant, "status"), true),
        ("Owner", text(variant, "owner"), true),
        ("Pages", text(variant, "page_count"), false),
        ("Updated", text(variant, "last_generated"), false),
        ("Commit", sha.chars().take(8).collect(), false),
        ("Stage", text(variant, "current_stage"), false),
        ("Error", text(variant, "error_message"), false),
        ("Repo", text(variant, "repo_url"), false),
    ];
    for (label, value, always) in fields {
        if always || !(value.is_empty() || (label == "Pages" && value == "0")) {
            lines.push(format!("    {:<9}{value}", format!("{label}:")));
        }
    }
    lines.join("\n") + "\n"
}

pub async fn delete(api: &Api, selector: &Selector, all: bool, yes: bool) -> CliResult {
    let wanted = resolve(api, selector).await?;
    let owner = owner_query(wanted.owner.as_deref());
    if all && (selector.branch.is_some() || selector.provider.is_some() || selector.model.is_some())
    {
        return Err(CliError::message(
            "Use either --all or --branch/--provider/--model, not both.",
        ));
    }
    if all {
        if !yes && !confirm(&format!("Delete ALL variants of '{}'?", wanted.name))? {
            println!("Aborted.");
            return Ok(());
        }
        api.delete(&format!("/api/projects/{}{owner}", segment(&wanted.name)))
            .await?;
        println!("Deleted all variants of '{}'.", wanted.name);
        return Ok(());
    }
    let (Some(path), Some((branch, provider, model))) = (wanted.variant_path(), wanted.variant())
    else {
        return Err(CliError::message(
            "Specify --branch, --provider, and --model to delete a specific variant, or use --all to delete all variants.",
        ));
    };
    let target = format!("{}/{branch}/{provider}/{model}", wanted.name);
    if !yes && !confirm(&format!("Delete variant '{target}'?"))? {
        println!("Aborted.");
        return Ok(());
    }
    api.delete(&format!("{path}{owner}")).await?;
    println!("Deleted variant '{target}'.");
    Ok(())
}

pub async fn abort(api: &Api, selector: &Selector) -> CliResult {
    let wanted = resolve(api, selector).await?;
    if wanted.partial() {
        return Err(CliError::message(
            "Specify --branch, --provider, and --model together to abort a specific variant, or omit all three to abort by project name.",
        ));
    }
    let owner = owner_query(wanted.owner.as_deref());
    match (wanted.variant_path(), wanted.variant()) {
        (Some(path), Some((branch, provider, model))) => {
            api.post(&format!("{path}/abort{owner}"), json!({})).await?;
            println!(
                "Aborted generation for '{}/{branch}/{provider}/{model}'.",
                wanted.name
            );
        }
        _ => {
            let path = format!("/api/projects/{}/abort{owner}", segment(&wanted.name));
            api.post(&path, json!({})).await?;
            println!("Aborted generation for '{}'.", wanted.name);
        }
    }
    Ok(())
}

pub async fn models(api: &Api, provider: Option<&str>, json: bool) -> CliResult {
    let models = api.get("/api/models").await?;
    let providers: Vec<String> = models["providers"]
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|p| p.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    if let Some(wanted) = provider
        && !providers.iter().any(|p| p == wanted)
    {
        return Err(CliError::message(format!("Unknown provider: {wanted}")));
    }
    let available = |name: &str| -> Vec<String> {
        let listed = models["available_models"][name]
            .as_array()
            .or_else(|| models["known_models"][name].as_array());
        listed
            .map(|list| {
                list.iter()
                    .filter_map(|m| m.get("id").and_then(Value::as_str).or(m.as_str()))
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    if json {
        match provider {
            None => print_json(&models),
            Some(wanted) => print_json(&json!({
                "providers": [wanted],
                "default_provider": models["default_provider"],
                "default_model": models["default_model"],
                "known_models": {wanted: available(wanted)},
            })),
        }
        return Ok(());
    }
    let default_provider = text(&models, "default_provider");
    let default_model = text(&models, "default_model");
    for name in providers
        .iter()
        .filter(|p| provider.is_none_or(|w| w == p.as_str()))
    {
        let is_default = *name == default_provider;
        println!(
            "Provider: {name}{}",
            if is_default { " (default)" } else { "" }
        );
        let listed = available(name);
        if listed.is_empty() {
            println!("  (no models available)");
        }
        for model in listed {
            let mark = if is_default && model == default_model {
                "  (default)"
            } else {
                ""
            };
            println!("  {model}{mark}");
        }
        println!();
    }
    Ok(())
}

pub async fn health(api: &Api) -> CliResult {
    let health = api.get("/health").await?;
    println!("Server: {}", api.target.url);
    println!("Status: {}", health["status"].as_str().unwrap_or("unknown"));
    Ok(())
}

pub async fn whoami(api: &Api, json: bool) -> CliResult {
    let me = api.get("/api/auth/me").await?;
    if json {
        print_json(&me);
    } else {
        println!(
            "Username: {}\nRole: {}",
            text(&me, "username"),
            text(&me, "role")
        );
    }
    Ok(())
}

pub async fn rotate_own_key(api: &Api, new_key: Option<&str>, json: bool) -> CliResult {
    let hint = " Update your profile with: docsfy config set servers.<profile>.password <key>";
    super::admin::rotate_key(api, "/api/auth/rotate-key", new_key, json, hint).await
}
