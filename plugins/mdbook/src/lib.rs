//! The `mdbook` renderer: the generated docs as an mdBook source tree, for teams who build
//! their documentation with mdBook. Written against the plugin SDK alone.
//!
//! Output: `book.toml`, `src/SUMMARY.md` (the plan's groups as parts, its pages as
//! chapters) and `src/<slug>.md` for every page. Pages already link to each other as
//! `<slug>.md`, which is what mdBook expects.

mod book;

use docsfy_plugin_sdk::{Error, PluginInfo, Renderer, SiteFile, SiteInput, export_renderer};

struct MdBook;

impl Renderer for MdBook {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "mdbook".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "mdBook source tree: book.toml, src/SUMMARY.md and one .md per page"
                .into(),
            default_model: None,
            models: Vec::new(),
        }
    }

    fn render(site: SiteInput) -> Result<Vec<SiteFile>, Error> {
        book::render(&site)
    }
}

export_renderer!(MdBook);
