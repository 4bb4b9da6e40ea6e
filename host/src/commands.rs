//! Operator commands that run without the server.

use std::fmt::Write as _;

use crate::config::Config;
use crate::plugins::{LoadOptions, PluginDescription, PluginRegistry, SkippedPlugin};

/// `docsfy plugins`: every loaded plugin with its capabilities, then the skipped ones.
pub async fn print_plugins(config: &Config, json: bool) -> anyhow::Result<()> {
    let registry = PluginRegistry::load(
        &config.plugins,
        &config.plugin_cache_dir(),
        LoadOptions::default(),
    )
    .await?;
    let plugins = registry.descriptions();
    if json {
        let listing = serde_json::json!({ "plugins": plugins, "skipped": registry.skipped() });
        println!("{}", serde_json::to_string_pretty(&listing)?);
    } else {
        print!("{}", plugin_listing(&plugins, registry.skipped()));
    }
    Ok(())
}

/// The text `docsfy plugins` prints.
pub fn plugin_listing(plugins: &[PluginDescription], skipped: &[SkippedPlugin]) -> String {
    let mut text = String::new();
    for plugin in plugins {
        let _ = writeln!(
            text,
            "{} {} ({}, WIT {}, {})",
            plugin.name, plugin.version, plugin.kind, plugin.wit, plugin.source
        );
        let _ = writeln!(text, "  {}", plugin.description);
        if let Some(model) = &plugin.default_model {
            let _ = writeln!(text, "  default model: {model}");
        }
        let _ = writeln!(text, "  programs: {}", list_or_none(&plugin.programs));
        let _ = writeln!(text, "  environment: {}", list_or_none(&plugin.env));
        if !plugin.http.is_empty() {
            let _ = writeln!(text, "  http: {}", plugin.http.join(", "));
        }
        for setting in &plugin.settings {
            let secret = if setting.secret { ", secret" } else { "" };
            let set = if setting.set { "set" } else { "not set" };
            let _ = writeln!(
                text,
                "  setting {} ({set}{secret}): {}",
                setting.name, setting.description
            );
        }
    }
    for skip in skipped {
        let _ = writeln!(text, "skipped {}: {}", skip.source, skip.reason);
    }
    text
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
