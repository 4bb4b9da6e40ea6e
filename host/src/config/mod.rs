//! The server configuration, layered with figment:
//! built-in defaults < config file < `DOCSFY_*` variables < docsfy's plain variable names
//! (`ADMIN_KEY`, `AI_PROVIDER`, `AI_MODEL`, `AI_CLI_TIMEOUT`, `DATA_DIR`, `SECURE_COOKIES`,
//! `LOG_LEVEL`, `HOST`, `PORT`, `MAX_CONCURRENT_PAGES`), so existing deployments keep working.

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

mod docs_origin;
mod generations;
mod git;
mod login;
mod render;
mod sandbox;
mod websocket;

use crate::plugins::PluginSettings;
pub use docs_origin::DocsOrigin;
pub use generations::GenerationSettings;
pub use git::GitSettings;
pub use login::LoginSettings;
pub use render::RenderSettings;
pub use sandbox::{SandboxMode, SandboxSettings};
pub use websocket::WebSocketSettings;

/// The variable that names a config file when `--config` is not given.
pub const CONFIG_ENV: &str = "DOCSFY_CONFIG";

/// The defaults an admin may change at run time (`/api/admin/settings`), unless the config
/// file or the environment sets them.
pub const RUNTIME_SETTINGS: &[&str] = &[
    "ai_provider",
    "ai_model",
    "ai_cli_timeout",
    "max_concurrent_pages",
];

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
    /// Serve generated sites from this origin (`https://docs.example.com`, pointing at this
    /// same server) instead of the API's. Empty: from the API's origin.
    pub docs_origin: String,
    /// The API's own public origin (`https://docsfy.example.com`), where the docs origin
    /// sends a reader to sign in. Required with `docs_origin`: a `Host` header cannot be
    /// trusted to name it.
    pub api_origin: String,
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
    /// How many wrong credentials are tolerated.
    pub login: LoginSettings,
    /// How much generation work runs at once.
    pub generations: GenerationSettings,
    /// Whether the AI CLIs run inside bubblewrap.
    pub sandbox: SandboxSettings,
    /// The keys of [`RUNTIME_SETTINGS`] that the config file or the environment set: those
    /// win over what an admin stores at run time.
    #[serde(skip)]
    pub set_by_operator: Vec<String>,
    /// What clones may reach and how much they may take.
    pub git: GitSettings,
    /// Renderers that run after the site.
    pub render: RenderSettings,
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
            docs_origin: String::new(),
            api_origin: String::new(),
            log_level: "info".into(),
            max_concurrent_pages: 10,
            max_concurrent_ai_calls: 20,
            plugins: PluginSettings::default(),
            websocket: WebSocketSettings::default(),
            login: LoginSettings::default(),
            generations: GenerationSettings::default(),
            sandbox: SandboxSettings::default(),
            render: RenderSettings::default(),
            set_by_operator: Vec::new(),
            git: GitSettings::default(),
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
        let figment = Self::figment(file.as_deref())?;
        let mut config = figment
            .extract::<Config>()
            .map_err(|e| ConfigError::Load(e.to_string()))
            .and_then(Config::validated)?;
        let operator = Self::operator_sources(file.as_deref())?;
        config.set_by_operator = RUNTIME_SETTINGS
            .iter()
            .filter(|key| operator.find_value(key).is_ok())
            .map(|key| key.to_string())
            .collect();
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

    /// The file and the environment without the built-in defaults: what the operator set.
    fn operator_sources(file: Option<&Path>) -> Result<Figment, ConfigError> {
        Self::layered(Figment::new(), file)
    }

    /// The layered sources, for `load` and for tests.
    pub fn figment(file: Option<&Path>) -> Result<Figment, ConfigError> {
        Self::layered(Figment::from(Serialized::defaults(Config::default())), file)
    }

    fn layered(mut figment: Figment, file: Option<&Path>) -> Result<Figment, ConfigError> {
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
        self.login.validate().map_err(ConfigError::Invalid)?;
        self.generations
            .validate(self.ai_cli_timeout)
            .map_err(ConfigError::Invalid)?;
        self.sandbox.validate().map_err(ConfigError::Invalid)?;
        if let Some(docs) = self
            .docs_origin()
            .transpose()
            .map_err(ConfigError::Invalid)?
        {
            let api = self
                .api_origin()
                .ok_or_else(|| {
                    ConfigError::Invalid(
                        "docs_origin needs api_origin: the API's public origin, where readers \
                         of the docs origin are sent to sign in"
                            .into(),
                    )
                })?
                .map_err(|e| ConfigError::Invalid(e.replace("docs_origin", "api_origin")))?;
            if api.host == docs.host && api.port == docs.port {
                return Err(ConfigError::Invalid(
                    "api_origin and docs_origin must be different origins".into(),
                ));
            }
        }
        self.git.validate().map_err(ConfigError::Invalid)?;
        self.render.validate().map_err(ConfigError::Invalid)?;
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

    /// The separate origin of generated sites, when one is configured.
    pub fn docs_origin(&self) -> Option<Result<DocsOrigin, String>> {
        let text = self.docs_origin.trim();
        (!text.is_empty()).then(|| DocsOrigin::parse(text))
    }

    /// The API's public origin, when one is configured.
    pub fn api_origin(&self) -> Option<Result<DocsOrigin, String>> {
        let text = self.api_origin.trim();
        (!text.is_empty()).then(|| DocsOrigin::parse(text))
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
        // Which plugin settings are secret is the plugins' to say, and they are not loaded
        // here: every written value is hidden but those of names that read as plain.
        for settings in shown.plugins.settings.values_mut() {
            for (name, source) in settings.iter_mut() {
                source.redact_unless_plain(name);
            }
        }
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot be shown: {e}\n"))
    }
}

#[cfg(test)]
mod tests;
