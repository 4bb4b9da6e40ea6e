//! The server configuration, layered with figment:
//! built-in defaults < config file < `DOCSFY_*` variables < docsfy's plain variable names
//! (`ADMIN_KEY`, `AI_PROVIDER`, `AI_MODEL`, `AI_CLI_TIMEOUT`, `DATA_DIR`, `SECURE_COOKIES`,
//! `LOG_LEVEL`, `HOST`, `PORT`, `MAX_CONCURRENT_PAGES`), so existing deployments keep working.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::plugins::PluginSettings;

/// The variable that names a config file when `--config` is not given.
pub const CONFIG_ENV: &str = "DOCSFY_CONFIG";

/// docsfy's original environment variable names, read last so they win.
const PLAIN_NAMES: &[&str] = &[
    "ADMIN_KEY",
    "AI_PROVIDER",
    "AI_MODEL",
    "AI_CLI_TIMEOUT",
    "DATA_DIR",
    "SECURE_COOKIES",
    "LOG_LEVEL",
    "HOST",
    "PORT",
    "MAX_CONCURRENT_PAGES",
];

/// Every setting of the server. `config/docsfy.toml` documents each key with its default.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on.
    pub host: String,
    /// Port to listen on; 0 picks a free one.
    pub port: u16,
    /// Where the database, generated sites and caches live.
    pub data_dir: PathBuf,
    /// The administrator's key (at least 16 characters). Empty: one is generated on first
    /// start and kept in the data directory.
    pub admin_key: String,
    /// The provider used when a request names none.
    pub ai_provider: String,
    /// The model used when a request names none. Empty: the provider's own default.
    pub ai_model: String,
    /// Seconds one AI call may take.
    pub ai_cli_timeout: u64,
    /// Whether the session cookie carries `Secure` (turn off only for plain-HTTP setups).
    pub secure_cookies: bool,
    /// Log filter: `error`, `warn`, `info`, `debug`, `trace`, or a tracing directive.
    pub log_level: String,
    /// Pages generated at once within one job.
    pub max_concurrent_pages: usize,
    /// AI calls in flight at once across the whole server, all jobs together.
    pub max_concurrent_ai_calls: usize,
    /// Plugins: directories, limits and grants.
    pub plugins: PluginSettings,
    /// The WebSocket `/api/ws`: heartbeat and per-connection queue.
    pub websocket: WebSocketSettings,
}

/// How `/api/ws` keeps connections honest. The defaults are docsfy's (a ping every 30 s, 10 s
/// for the pong); tests shorten them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebSocketSettings {
    /// Milliseconds between two `ping` messages.
    pub ping_interval_ms: u64,
    /// Milliseconds a client has to answer a `ping`; two unanswered pings close the socket.
    pub pong_timeout_ms: u64,
    /// Messages queued for one client before it counts as behind and is sent a fresh `sync`
    /// instead of the backlog.
    pub queue_messages: usize,
}

impl Default for WebSocketSettings {
    fn default() -> Self {
        WebSocketSettings {
            ping_interval_ms: 30_000,
            pong_timeout_ms: 10_000,
            queue_messages: 64,
        }
    }
}

/// Bounds that keep the settings meaningful (and clear of overflow).
const DAY_MS: u64 = 24 * 60 * 60 * 1000;
const MAX_QUEUE: usize = 65_536;

impl WebSocketSettings {
    fn validate(&self) -> Result<(), String> {
        if self.ping_interval_ms > DAY_MS {
            return Err("websocket.ping_interval_ms must be at most a day (86400000)".into());
        }
        if self.pong_timeout_ms == 0 || self.pong_timeout_ms >= self.ping_interval_ms {
            return Err(
                "websocket.pong_timeout_ms must be at least 1 and less than websocket.ping_interval_ms"
                    .into(),
            );
        }
        if !(4..=MAX_QUEUE).contains(&self.queue_messages) {
            return Err(format!(
                "websocket.queue_messages must be between 4 and {MAX_QUEUE}"
            ));
        }
        Ok(())
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            host: "127.0.0.1".into(),
            port: 8000,
            data_dir: PathBuf::from("data"),
            admin_key: String::new(),
            ai_provider: "claude".into(),
            ai_model: String::new(),
            ai_cli_timeout: 600,
            secure_cookies: true,
            log_level: "info".into(),
            max_concurrent_pages: 10,
            max_concurrent_ai_calls: 20,
            plugins: PluginSettings::default(),
            websocket: WebSocketSettings::default(),
        }
    }
}

/// A configuration that cannot be used, with a message that says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file, a variable, or a value's type is wrong.
    #[error("invalid configuration: {0}")]
    Load(String),
    /// A value is of the right type but unusable.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads the configuration from `file` (or `$DOCSFY_CONFIG`) and the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os(CONFIG_ENV).map(PathBuf::from));
        let config = Self::figment(file.as_deref())?
            .extract::<Config>()
            .map_err(|e| ConfigError::Load(e.to_string()))
            .and_then(Config::validated)?;
        let working_dir = std::env::current_dir()
            .map_err(|e| ConfigError::Invalid(format!("cannot read the working directory: {e}")))?;
        Ok(config.anchored_at(&working_dir))
    }

    /// The configuration with every path made absolute against `base` (the working
    /// directory at start-up). wasmtime's cache refuses relative paths, and a relative program
    /// path would otherwise be looked up inside a job's checkout, where the repository could
    /// ship a file of that name.
    pub fn anchored_at(mut self, base: &Path) -> Config {
        let anchor = |path: &mut PathBuf| {
            if path.is_relative() {
                *path = base.join(&*path);
            }
        };
        anchor(&mut self.data_dir);
        self.plugins.dirs.iter_mut().for_each(anchor);
        self.plugins.cache_dir.iter_mut().for_each(anchor);
        for grant in self.plugins.grants.values_mut() {
            grant.program_paths.values_mut().for_each(anchor);
        }
        if let Some(search_path) = &self.plugins.search_path {
            let anchored: Vec<PathBuf> = std::env::split_paths(search_path)
                .filter(|dir| !dir.as_os_str().is_empty())
                .map(|mut dir| {
                    anchor(&mut dir);
                    dir
                })
                .collect();
            if let Ok(joined) = std::env::join_paths(anchored) {
                self.plugins.search_path = Some(joined.to_string_lossy().into_owned());
            }
        }
        self
    }

    /// The layered sources, for `load` and for tests.
    pub fn figment(file: Option<&Path>) -> Result<Figment, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(ConfigError::Load(format!(
                    "config file {} does not exist",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file(file));
        }
        Ok(figment
            .merge(Env::prefixed("DOCSFY_").ignore(&["CONFIG"]).split("__"))
            .merge(
                Env::raw()
                    .only(PLAIN_NAMES)
                    .map(|key| key.as_str().to_lowercase().into()),
            ))
    }

    fn validated(self) -> Result<Config, ConfigError> {
        if !self.admin_key.is_empty() && self.admin_key.chars().count() < 16 {
            return Err(ConfigError::Invalid(
                "ADMIN_KEY must be at least 16 characters long (or unset, to have one generated)"
                    .into(),
            ));
        }
        if self.ai_cli_timeout == 0 {
            return Err(ConfigError::Invalid(
                "AI_CLI_TIMEOUT must be at least 1 second".into(),
            ));
        }
        if self.max_concurrent_pages == 0 || self.max_concurrent_ai_calls == 0 {
            return Err(ConfigError::Invalid(
                "MAX_CONCURRENT_PAGES and max_concurrent_ai_calls must be at least 1".into(),
            ));
        }
        self.plugins.validate().map_err(ConfigError::Invalid)?;
        self.websocket.validate().map_err(ConfigError::Invalid)?;
        self.log_filter()?;
        Ok(self)
    }

    /// `log_level` as a tracing filter. docsfy's level names are Python's, so `WARNING` and
    /// `CRITICAL` (any case) mean warn and error; a single word that names no level is refused
    /// rather than read as a target name, which would silently log nothing.
    pub fn log_filter(&self) -> Result<String, ConfigError> {
        let value = self.log_level.trim();
        let level = match value.to_ascii_lowercase().as_str() {
            "trace" | "notset" => Some("trace"),
            "debug" => Some("debug"),
            "info" => Some("info"),
            "warn" | "warning" => Some("warn"),
            "error" | "critical" | "fatal" => Some("error"),
            "off" => Some("off"),
            _ => None,
        };
        if let Some(level) = level {
            return Ok(level.into());
        }
        let refused = || {
            ConfigError::Invalid(format!(
                "LOG_LEVEL `{value}` is not a level (trace, debug, info, warning, error, \
                 critical) or a tracing directive such as `info,docsfy::plugins=debug`"
            ))
        };
        let bare_word = !value.contains(['=', ',', ':', '[']);
        if bare_word {
            return Err(refused());
        }
        tracing_subscriber::EnvFilter::try_new(value).map_err(|_| refused())?;
        Ok(value.into())
    }

    /// Where compiled plugins are cached.
    pub fn plugin_cache_dir(&self) -> PathBuf {
        self.plugins
            .cache_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join("plugin-cache"))
    }

    /// The configuration as TOML with secrets replaced, for `docsfy config`.
    pub fn redacted_toml(&self) -> String {
        let mut shown = self.clone();
        if !shown.admin_key.is_empty() {
            shown.admin_key = "<redacted>".into();
        }
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot be shown: {e}\n"))
    }
}

#[cfg(test)]
// figment::Jail's closures return figment::Error, which is large by figment's design.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    fn load_in(jail: &Jail, file: Option<&str>) -> Result<Config, ConfigError> {
        let _ = jail;
        Config::load(file.map(Path::new))
    }

    #[test]
    fn defaults_apply_without_file_or_environment() {
        Jail::expect_with(|jail| {
            let config = load_in(jail, None).expect("defaults are valid");
            assert_eq!(config, Config::default().anchored_at(jail.directory()));
            assert!(config.data_dir.is_absolute());
            assert!(config.plugin_cache_dir().is_absolute());
            Ok(())
        });
    }

    #[test]
    fn file_then_prefixed_then_plain_names_win_in_that_order() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "docsfy.toml",
                "port = 9000\nai_model = \"from-file\"\nlog_level = \"debug\"\n\
                 [plugins]\nmemory_mb = 128\n",
            )?;
            jail.set_env("DOCSFY_AI_MODEL", "from-prefixed");
            jail.set_env("DOCSFY_PORT", "9100");
            jail.set_env("DOCSFY_PLUGINS__CALL_DEADLINE_MS", "500");
            jail.set_env("PORT", "9200");
            let config = load_in(jail, Some("docsfy.toml")).expect("valid");
            assert_eq!(config.port, 9200, "plain PORT wins");
            assert_eq!(config.ai_model, "from-prefixed", "DOCSFY_ beats the file");
            assert_eq!(config.log_level, "debug", "the file beats the default");
            assert_eq!(config.plugins.memory_mb, 128);
            assert_eq!(config.plugins.call_deadline_ms, 500);
            Ok(())
        });
    }

    #[test]
    fn every_configured_path_is_made_absolute_against_the_working_directory() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "docsfy.toml",
                "data_dir = \"state\"\n[plugins]\ndirs = [\"extra\", \"/opt/plugins\"]\n\
                 cache_dir = \"cache\"\nsearch_path = \"bin:/usr/bin::tools\"\n\
                 [plugins.grants.claude]\nprograms = [\"claude\"]\n\
                 [plugins.grants.claude.program_paths]\nclaude = \"vendor/claude\"\n",
            )?;
            let here = jail.directory().to_path_buf();
            let config = load_in(jail, Some("docsfy.toml")).expect("valid");
            assert_eq!(config.data_dir, here.join("state"));
            assert_eq!(
                config.plugins.dirs,
                [here.join("extra"), PathBuf::from("/opt/plugins")]
            );
            assert_eq!(config.plugin_cache_dir(), here.join("cache"));
            assert_eq!(
                config.plugins.grants["claude"].program_paths["claude"],
                here.join("vendor/claude")
            );
            let search_path = config.plugins.search_path.expect("kept");
            let dirs: Vec<PathBuf> = std::env::split_paths(&search_path).collect();
            assert_eq!(
                dirs,
                [
                    here.join("bin"),
                    PathBuf::from("/usr/bin"),
                    here.join("tools")
                ]
            );
            Ok(())
        });
    }

    #[test]
    fn the_config_file_can_come_from_docsfy_config() {
        Jail::expect_with(|jail| {
            jail.create_file("elsewhere.toml", "host = \"0.0.0.0\"\n")?;
            jail.set_env(CONFIG_ENV, "elsewhere.toml");
            assert_eq!(load_in(jail, None).expect("valid").host, "0.0.0.0");
            Ok(())
        });
    }

    #[test]
    fn the_plain_docsfy_variables_are_read() {
        Jail::expect_with(|jail| {
            jail.set_env("ADMIN_KEY", "a-very-long-admin-key");
            jail.set_env("AI_PROVIDER", "gemini");
            jail.set_env("AI_MODEL", "gemini-2.5-pro");
            jail.set_env("AI_CLI_TIMEOUT", "90");
            jail.set_env("DATA_DIR", "/srv/docsfy");
            jail.set_env("SECURE_COOKIES", "false");
            jail.set_env("LOG_LEVEL", "warn");
            jail.set_env("HOST", "0.0.0.0");
            jail.set_env("MAX_CONCURRENT_PAGES", "3");
            let config = load_in(jail, None).expect("valid");
            assert_eq!(config.admin_key, "a-very-long-admin-key");
            assert_eq!(config.ai_provider, "gemini");
            assert_eq!(config.ai_model, "gemini-2.5-pro");
            assert_eq!(config.ai_cli_timeout, 90);
            assert_eq!(config.data_dir, PathBuf::from("/srv/docsfy"));
            assert!(!config.secure_cookies);
            assert_eq!(config.log_level, "warn");
            assert_eq!(config.host, "0.0.0.0");
            assert_eq!(config.max_concurrent_pages, 3);
            Ok(())
        });
    }

    #[test]
    fn bad_values_are_refused_with_a_clear_message() {
        Jail::expect_with(|jail| {
            jail.set_env("ADMIN_KEY", "short");
            let error = load_in(jail, None).expect_err("short key");
            assert!(
                error.to_string().contains("at least 16 characters"),
                "{error}"
            );
            jail.set_env("ADMIN_KEY", "");
            jail.set_env("PORT", "not-a-port");
            let error = load_in(jail, None).expect_err("bad port");
            assert!(error.to_string().contains("port"), "{error}");
            jail.set_env("PORT", "8000");
            jail.set_env("DOCSFY_WEBSOCKET__PONG_TIMEOUT_MS", "30000");
            let error = load_in(jail, None).expect_err("pong wait as long as the interval");
            assert!(
                error
                    .to_string()
                    .contains("less than websocket.ping_interval_ms"),
                "{error}"
            );
            Ok(())
        });
    }

    #[test]
    fn log_levels_take_docsfy_python_names_and_refuse_unknown_words() {
        let filter = |level: &str| {
            Config {
                log_level: level.into(),
                ..Config::default()
            }
            .log_filter()
        };
        for (given, meant) in [
            ("WARNING", "warn"),
            ("warning", "warn"),
            ("CRITICAL", "error"),
            ("Error", "error"),
            ("INFO", "info"),
            ("DEBUG", "debug"),
            ("warn", "warn"),
            ("info,docsfy::plugins=debug", "info,docsfy::plugins=debug"),
        ] {
            assert_eq!(filter(given).expect(given), meant, "{given}");
        }
        for refused in ["verbose", "WARNINGS", "info,docsfy=loud"] {
            let error = filter(refused).expect_err(refused);
            assert!(error.to_string().contains("is not a level"), "{error}");
        }
    }

    #[test]
    fn unknown_keys_and_missing_files_are_refused() {
        Jail::expect_with(|jail| {
            jail.create_file("typo.toml", "prot = 1\n")?;
            let error = load_in(jail, Some("typo.toml")).expect_err("typo");
            assert!(error.to_string().contains("prot"), "{error}");
            let error = load_in(jail, Some("absent.toml")).expect_err("missing");
            assert!(error.to_string().contains("does not exist"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn the_documented_config_file_states_the_defaults() {
        let documented = Path::new(env!("CARGO_MANIFEST_DIR")).join("../config/docsfy.toml");
        let text = std::fs::read_to_string(&documented).expect("config/docsfy.toml");
        let parsed: Config = toml::from_str(&text).expect("config/docsfy.toml parses");
        assert_eq!(parsed, Config::default());
        let table: toml::Table = toml::from_str(&text).expect("a table");
        let shown: toml::Table = toml::from_str(&Config::default().redacted_toml()).expect("table");
        for key in shown.keys() {
            assert!(
                table.contains_key(key),
                "config/docsfy.toml does not document `{key}`"
            );
        }
    }

    #[test]
    fn secrets_are_redacted_when_shown() {
        let config = Config {
            admin_key: "a-very-long-admin-key".into(),
            ..Config::default()
        };
        let shown = config.redacted_toml();
        assert!(!shown.contains("a-very-long-admin-key"));
        assert!(shown.contains("admin_key = \"<redacted>\""), "{shown}");
    }
}
