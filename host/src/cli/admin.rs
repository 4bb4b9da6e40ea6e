//! `docsfy admin users ...` and `docsfy admin access ...`.

use serde_json::{Value, json};

use super::args::{AccessCommand, UsersCommand};
use super::error::CliResult;
use super::http::{Api, owner_query, segment};
use super::output::{print_json, table, text};
use super::prompt::confirm;

pub async fn users(api: &Api, command: UsersCommand) -> CliResult {
    match command {
        UsersCommand::List { json } => {
            let listed = api.get("/api/admin/users").await?;
            let users = listed["users"].as_array().cloned().unwrap_or_default();
            if json {
                print_json(&Value::Array(users));
            } else if users.is_empty() {
                println!("No users found.");
            } else {
                let rows: Vec<Vec<String>> = users
                    .iter()
                    .map(|u| {
                        vec![
                            text(u, "username"),
                            text(u, "role"),
                            text(u, "created_at").chars().take(19).collect(),
                        ]
                    })
                    .collect();
                println!("{}", table(&["USERNAME", "ROLE", "CREATED"], &rows));
            }
        }
        UsersCommand::Create {
            username,
            role,
            json,
        } => {
            let body = json!({"username": username, "role": role});
            let created = api.post("/api/admin/users", body).await?;
            if json {
                print_json(&created);
            } else {
                println!(
                    "User created: {}\nRole: {}\nAPI Key: {}\n\nSave this API key -- it will not be shown again.",
                    text(&created, "username"),
                    text(&created, "role"),
                    text(&created, "api_key")
                );
            }
        }
        UsersCommand::Delete { username, yes } => {
            if !yes && !confirm(&format!("Delete user '{username}'?"))? {
                println!("Aborted.");
                return Ok(());
            }
            api.delete(&format!("/api/admin/users/{}", segment(&username)))
                .await?;
            println!("Deleted user '{username}'.");
        }
        UsersCommand::RotateKey {
            username,
            new_key,
            json,
        } => {
            let path = format!("/api/admin/users/{}/rotate-key", segment(&username));
            rotate_key(api, &path, new_key.as_deref(), json, "").await?;
        }
    }
    Ok(())
}

/// Rotates a key at `path` (a user's, or the caller's own) and shows the new one once;
/// `hint` follows the usual warning.
pub(super) async fn rotate_key(
    api: &Api,
    path: &str,
    new_key: Option<&str>,
    json: bool,
    hint: &str,
) -> CliResult {
    let body = match new_key {
        Some(key) => json!({"new_key": key}),
        None => json!({}),
    };
    let rotated = api.post(path, body).await?;
    if json {
        print_json(&rotated);
    } else {
        println!(
            "User: {}\nNew API Key: {}\n\nSave this API key -- it will not be shown again.{hint}",
            text(&rotated, "username"),
            text(&rotated, "new_api_key")
        );
    }
    Ok(())
}

pub async fn access(api: &Api, command: AccessCommand) -> CliResult {
    match command {
        AccessCommand::List {
            project,
            owner,
            json,
        } => {
            let path = format!(
                "/api/admin/projects/{}/access{}",
                segment(&project),
                owner_query(Some(&owner))
            );
            let listed = api.get(&path).await?;
            if json {
                print_json(&listed);
                return Ok(());
            }
            let users: Vec<String> = listed["users"]
                .as_array()
                .map(|u| {
                    u.iter()
                        .filter_map(|n| n.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            println!("Project: {project}\nOwner: {owner}");
            if users.is_empty() {
                println!("No access grants.");
            } else {
                println!("Users with access: {}", users.join(", "));
            }
        }
        AccessCommand::Grant {
            project,
            username,
            owner,
        } => {
            let path = format!("/api/admin/projects/{}/access", segment(&project));
            api.post(&path, json!({"username": username, "owner": owner}))
                .await?;
            println!("Granted '{username}' access to '{project}' (owner: {owner}).");
        }
        AccessCommand::Revoke {
            project,
            username,
            owner,
        } => {
            let path = format!(
                "/api/admin/projects/{}/access/{}{}",
                segment(&project),
                segment(&username),
                owner_query(Some(&owner))
            );
            api.delete(&path).await?;
            println!("Revoked '{username}' access to '{project}' (owner: {owner}).");
        }
    }
    Ok(())
}
