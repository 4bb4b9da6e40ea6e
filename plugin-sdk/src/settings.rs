//! The settings the server's operator gave this plugin (WIT 0.2.0).
//!
//! Declare each in `plugin.toml`; the operator sets it in the server's configuration:
//!
//! ```toml
//! # plugin.toml
//! [settings.base_url]
//! description = "Where the model server is"
//! [settings.api_key]
//! description = "The key it wants"
//! secret = true
//! ```
//!
//! ```toml
//! # docsfy's config.toml
//! [plugins.settings.my-provider]
//! base_url = "http://localhost:8000/v1"
//! api_key = { env = "MY_PROVIDER_KEY" }
//! ```
//!
//! ```no_run
//! let base_url = docsfy_plugin_sdk::settings::get_or("base_url", "https://api.example.com/v1")?;
//! let key = docsfy_plugin_sdk::settings::get("api_key")?;
//! # Ok::<(), docsfy_plugin_sdk::Error>(())
//! ```
//!
//! A secret's value is removed by the host from the plugin's log lines and error messages.

use crate::Error;
use crate::bindings::provider::docsfy::plugin::settings as wit;

/// The value of `name`, or `None` when the operator did not set it. A name the manifest does
/// not declare is [`Error::Denied`].
pub fn get(name: &str) -> Result<Option<String>, Error> {
    wit::get(name)
}

/// The value of `name`, or `default` when it is not set.
pub fn get_or(name: &str, default: &str) -> Result<String, Error> {
    Ok(get(name)?.unwrap_or_else(|| default.to_string()))
}
