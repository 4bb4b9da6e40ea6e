// figment::Jail's closures return figment::Error, which is large by figment's design.
#![allow(clippy::result_large_err)]

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
        jail.set_env("DOCSFY_WEBSOCKET__PONG_TIMEOUT_MS", "10000");
        jail.set_env("DOCSFY_DOCS_ORIGIN", "https://docs.example.com");
        let error = load_in(jail, None).expect_err("a docs origin alone");
        assert!(error.to_string().contains("needs api_origin"), "{error}");
        jail.set_env("DOCSFY_API_ORIGIN", "https://docs.example.com:443");
        let error = load_in(jail, None).expect_err("the same origin twice");
        assert!(error.to_string().contains("different origins"), "{error}");
        jail.set_env("DOCSFY_API_ORIGIN", "https://docsfy.example.com");
        load_in(jail, None).expect("both origins");
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
