//! `docsfy config init | show | set`: the profile file, never the server.

use std::path::Path;

use super::error::{CliError, CliResult};
use super::profile;
use super::prompt::{ask, ask_secret};

/// The answers `config init` was given as flags; the rest are asked for.
pub struct InitAnswers {
    pub name: Option<String>,
    pub url: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
}

pub fn init(path: &Path, given: InitAnswers) -> CliResult {
    let name = match given.name {
        Some(name) => name,
        None => ask("Profile name", Some("dev"))?,
    };
    let url = match given.url {
        Some(url) => url,
        None => ask("Server URL", None)?,
    };
    let username = match given.username {
        Some(username) => username,
        None => ask("Username", None)?,
    };
    let password = match given.password {
        Some(password) => password,
        None => ask_secret("Password")?,
    };
    let mut config = profile::load(path)?;
    let mut server = toml::Table::new();
    server.insert("url".into(), url.into());
    server.insert("username".into(), username.into());
    server.insert("password".into(), password.into());
    let servers = config
        .entry("servers")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    let Some(servers) = servers.as_table_mut() else {
        return Err(CliError::message(
            "Error: `servers` in the config is not a table",
        ));
    };
    servers.insert(name.clone(), toml::Value::Table(server));
    if !config.contains_key("default") {
        let mut default = toml::Table::new();
        default.insert("server".into(), name.clone().into());
        config.insert("default".into(), toml::Value::Table(default));
    }
    profile::save(path, &config)?;
    println!("Profile '{name}' saved to {}", path.display());
    Ok(())
}

pub fn show(path: &Path) -> CliResult {
    let config = profile::load(path)?;
    if config.is_empty() {
        return Err(CliError::message(
            "Config not found. Run 'docsfy config init' to set up.",
        ));
    }
    let default = config
        .get("default")
        .and_then(|d| d.get("server"))
        .and_then(toml::Value::as_str)
        .unwrap_or_default();
    println!("Config file: {}", path.display());
    println!(
        "Default server: {}\n",
        if default.is_empty() {
            "not set"
        } else {
            default
        }
    );
    let servers = config.get("servers").and_then(toml::Value::as_table);
    let Some(servers) = servers.filter(|s| !s.is_empty()) else {
        println!("No server profiles configured.");
        return Ok(());
    };
    for (name, server) in servers {
        let field = |key: &str| {
            server
                .get(key)
                .and_then(toml::Value::as_str)
                .map(String::from)
        };
        let mark = if name == default { " (default)" } else { "" };
        println!("[{name}]{mark}");
        println!(
            "  URL:      {}",
            field("url").unwrap_or_else(|| "not set".into())
        );
        println!(
            "  Username: {}",
            field("username").unwrap_or_else(|| "not set".into())
        );
        println!(
            "  Password: {}\n",
            mask(&field("password").unwrap_or_default())
        );
    }
    Ok(())
}

/// The first two characters of a key and `***`, as docsfy shows it.
pub fn mask(secret: &str) -> String {
    if secret.chars().count() > 2 {
        format!("{}***", secret.chars().take(2).collect::<String>())
    } else {
        "***".into()
    }
}

pub fn set(path: &Path, key: &str, value: &str) -> CliResult {
    let mut config = profile::load(path)?;
    if config.is_empty() {
        return Err(CliError::message(
            "Config not found. Run 'docsfy config init' first.",
        ));
    }
    if !(key.starts_with("default.") || key.starts_with("servers.")) {
        return Err(CliError::message(format!(
            "Invalid key: {key}. Keys must start with 'default.' or 'servers.'"
        )));
    }
    let parts: Vec<&str> = key.split('.').collect();
    let Some((last, tables)) = parts.split_last() else {
        return Err(CliError::message(format!("Invalid key: {key}")));
    };
    let mut table = &mut config;
    for part in tables {
        let entry = table
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        let Some(inner) = entry.as_table_mut() else {
            return Err(CliError::message(format!("Invalid key: {key}")));
        };
        table = inner;
    }
    table.insert(last.to_string(), value.into());
    profile::save(path, &config)?;
    println!("Updated {key}");
    Ok(())
}
