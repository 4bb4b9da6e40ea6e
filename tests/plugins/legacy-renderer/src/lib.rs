//! A renderer as plugins were built against the first WIT release (0.1.0), whose
//! `site-input` lacks the fields 0.2.0 added: it proves the host still calls such renderers.

// The generated bindings' `run-output` constructor takes every field.
#![allow(clippy::too_many_arguments)]

wit_bindgen::generate!({
    world: "renderer",
    path: "../../../wit/0.1.0",
    generate_all,
});

struct Legacy;

impl Guest for Legacy {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "legacy-renderer".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Built against docsfy:plugin@0.1.0 (test only)".into(),
            default_model: None,
            models: vec![],
        }
    }

    fn render(site: SiteInput) -> Result<Vec<SiteFile>, Error> {
        if site.pages.is_empty() {
            return Err(Error::InvalidInput("no pages".into()));
        }
        let titles: Vec<String> = site.pages.iter().map(|p| p.title.clone()).collect();
        Ok(vec![SiteFile {
            path: "index.html".into(),
            contents: format!("{}: {}", site.project_name, titles.join(", ")).into_bytes(),
        }])
    }
}

export!(Legacy);
