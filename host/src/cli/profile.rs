//! Server profiles in `~/.config/docsfy/config.toml`, in docsfy's layout, so that a file
//! written by either tool is read by the other:
//!
//! ```toml
//! [servers.dev]
//! url = "https://docs.example.com"
//! username = "admin"
//! password = "..."
//!
//! [default]
//! server = "dev"
//! ```

use std::path::{Path, PathBuf};

use super::args::Connection;
use super::error::CliError;

/// Where the profiles live: `$HOME/.config/docsfy/config.toml`, as docsfy has it.
pub fn config_file() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".config").join("docsfy").join("config.toml")
}

/// The profile file's contents; an absent file is an empty table.
pub fn load(path: &Path) -> Result<toml::Table, CliError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(toml::Table::new()),
        Err(error) => {
            return Err(CliError::message(format!(
                "Error: Failed to read config file {}: {error}",
                path.display()
            )));
        }
    };
    text.parse::<toml::Table>().map_err(|error| {
        CliError::message(format!(
            "Error: Failed to parse config file {}: {}",
            path.display(),
            error.message()
        ))
    })
}

/// Writes the profiles: the directory 0700 and the file 0600 (it holds keys).
pub fn save(path: &Path, table: &toml::Table) -> Result<(), CliError> {
    use std::io::Write as _;
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let failed = |error: std::io::Error| {
        CliError::message(format!(
            "Error: Failed to write {}: {error}",
            path.display()
        ))
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(failed)?;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(failed)?;
    }
    let text = toml::to_string(table)
        .map_err(|e| CliError::message(format!("Error: cannot write the config: {e}")))?;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(failed)?;
    // A file that existed with wider permissions is narrowed too.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(failed)?;
    file.write_all(text.as_bytes()).map_err(failed)
}

/// Where to send requests and with which key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `https://host:port`, without a trailing slash.
    pub url: String,
    pub username: String,
    /// The API key, sent as `Authorization: Bearer`.
    pub password: String,
}

/// Flags first, then the named profile (`-s`), then the default profile.
pub fn resolve(flags: &Connection, table: &toml::Table) -> Result<Target, CliError> {
    let servers = table.get("servers").and_then(toml::Value::as_table);
    let named = flags.server.clone().filter(|s| !s.is_empty());
    let default = table
        .get("default")
        .and_then(|d| d.get("server"))
        .and_then(toml::Value::as_str)
        .filter(|s| !s.is_empty())
        .map(String::from);
    let profile_name = named.clone().or(default);
    let profile = profile_name
        .as_deref()
        .and_then(|name| servers.and_then(|s| s.get(name)))
        .and_then(toml::Value::as_table);
    if let (Some(name), None) = (&named, profile) {
        let available: Vec<&str> = servers
            .map(|s| s.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let available = if available.is_empty() {
            "none".to_string()
        } else {
            available.join(", ")
        };
        return Err(CliError::message(format!(
            "Server profile '{name}' not found in config. Available: {available}"
        )));
    }
    let field = |key: &str| {
        profile
            .and_then(|p| p.get(key))
            .and_then(toml::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let url = match flags.host.as_deref().filter(|h| !h.is_empty()) {
        Some(host) => {
            let scheme = if field("url").starts_with("http://") {
                "http"
            } else {
                "https"
            };
            format!("{scheme}://{host}:{}", flags.port.unwrap_or(8000))
        }
        None => field("url"),
    };
    if url.is_empty() {
        return Err(CliError::message(match profile_name {
            Some(name) => format!(
                "Server profile '{name}' has no url. Set one with: docsfy config set servers.{name}.url URL"
            ),
            None => "No server configured. Use --server, --host, or run 'docsfy config init'."
                .to_string(),
        }));
    }
    Ok(Target {
        url: url.trim_end_matches('/').to_string(),
        username: flags.username.clone().unwrap_or_else(|| field("username")),
        password: flags.password.clone().unwrap_or_else(|| field("password")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> toml::Table {
        text.parse().expect("toml")
    }

    const TWO: &str = r#"
[servers.dev]
url = "http://dev.lan:8000/"
username = "alice"
password = "dev-key"

[servers.prod]
url = "https://docs.example.com"
username = "admin"
password = "prod-key"

[default]
server = "dev"
"#;

    #[test]
    fn flags_then_the_named_profile_then_the_default() {
        let config = table(TWO);
        let default = resolve(&Connection::default(), &config).expect("default");
        assert_eq!(default.url, "http://dev.lan:8000");
        assert_eq!(default.password, "dev-key");
        let named = Connection {
            server: Some("prod".into()),
            ..Connection::default()
        };
        assert_eq!(resolve(&named, &config).expect("prod").username, "admin");
        let flags = Connection {
            host: Some("other".into()),
            port: Some(9000),
            password: Some("flag-key".into()),
            ..Connection::default()
        };
        let mixed = resolve(&flags, &config).expect("mixed");
        assert_eq!(
            mixed.url, "http://other:9000",
            "the profile's scheme is kept"
        );
        assert_eq!(
            (mixed.username.as_str(), mixed.password.as_str()),
            ("alice", "flag-key")
        );
    }

    #[test]
    fn missing_profiles_and_servers_are_named() {
        let none = resolve(&Connection::default(), &toml::Table::new()).expect_err("nothing");
        assert_eq!(
            none.to_string(),
            "No server configured. Use --server, --host, or run 'docsfy config init'."
        );
        let unknown = Connection {
            server: Some("staging".into()),
            ..Connection::default()
        };
        assert_eq!(
            resolve(&unknown, &table(TWO))
                .expect_err("unknown")
                .to_string(),
            "Server profile 'staging' not found in config. Available: dev, prod"
        );
        let host_only = Connection {
            host: Some("h".into()),
            ..Connection::default()
        };
        assert_eq!(
            resolve(&host_only, &toml::Table::new()).expect("host").url,
            "https://h:8000"
        );
    }
}
