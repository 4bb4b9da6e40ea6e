//! The `[render]` section: renderers that run after the site.

use serde::{Deserialize, Serialize};

/// What is rendered besides the served site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RenderSettings {
    /// Renderer plugins run after the site, in order (`["mdbook"]`); each one's output is
    /// kept per variant and downloadable with `?format=<name>`.
    pub extra: Vec<String>,
}

impl RenderSettings {
    pub(super) fn validate(&self) -> Result<(), String> {
        for (n, name) in self.extra.iter().enumerate() {
            if name == "site" {
                return Err("render.extra must not name `site`: the site always renders".into());
            }
            if self.extra[..n].contains(name) {
                return Err(format!("render.extra names `{name}` twice"));
            }
            let plain = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
            if !plain {
                return Err(format!(
                    "render.extra: `{name}` is not a plugin name (lowercase letters, digits, '-', '_')"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::RenderSettings;

    #[test]
    fn extra_renderers_are_plugin_names_once_each_and_never_the_site() {
        let extra = |names: &[&str]| RenderSettings {
            extra: names.iter().map(|n| n.to_string()).collect(),
        };
        assert!(extra(&[]).validate().is_ok());
        assert!(extra(&["mdbook", "my-pdf"]).validate().is_ok());
        for (bad, says) in [
            (&["site"][..], "must not name `site`"),
            (&["mdbook", "mdbook"][..], "`mdbook` twice"),
            (&["../x"][..], "not a plugin name"),
            (&[""][..], "not a plugin name"),
        ] {
            let error = extra(bad).validate().expect_err("refused");
            assert!(error.contains(says), "{bad:?}: {error}");
        }
    }
}
