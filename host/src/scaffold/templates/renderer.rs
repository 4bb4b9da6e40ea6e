//! {{name}}: a docsfy site renderer that writes each page's Markdown and an index.

use docsfy_plugin_sdk::{Error, PluginInfo, Renderer, SiteFile, SiteInput, export_renderer};

struct Plugin;

impl Renderer for Plugin {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "{{name}}".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Writes the pages as Markdown files with an index".into(),
            default_model: None,
            models: Vec::new(),
        }
    }

    fn render(site: SiteInput) -> Result<Vec<SiteFile>, Error> {
        let mut index = format!("# {}\n\n", site.project_name);
        let mut files = Vec::new();
        for page in site.pages {
            index.push_str(&format!("- [{}]({}.md)\n", page.title, page.slug));
            files.push(SiteFile {
                path: format!("{}.md", page.slug),
                contents: page.markdown.into_bytes(),
            });
        }
        files.push(SiteFile {
            path: "index.md".into(),
            contents: index.into_bytes(),
        });
        Ok(files)
    }
}

export_renderer!(Plugin);
