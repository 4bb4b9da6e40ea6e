//! The `site` renderer: a static documentation site from a plan and its pages.
//!
//! Output: `index.html`, `404.html`, one `<slug>.html` and one `<slug>.md` per page,
//! `search-index.json` (and `.js`, for a site opened from disk), `sitemap.xml`, `llms.txt`, `llms-full.txt` and `assets/` (named by
//! their content). Pages are rendered from Markdown with raw HTML sanitised and code
//! highlighted here, not in the browser; every text from the plan is escaped.

mod callouts;
mod headings;
mod highlight;
mod layout;
mod markdown;
mod outputs;
mod plan;
mod sanitize;
mod sections;

use std::collections::HashMap;

use docsfy_plugin_sdk::{Error, Page, PluginInfo, Renderer, SiteFile, SiteInput, export_renderer};

use layout::{Layout, PageView};
use markdown::RenderedPage;
use plan::{Plan, PlannedPage};

const STYLE: &str = include_str!("../templates/style.css");
const PRINT: &str = include_str!("../templates/print.css");
const THEME: &str = include_str!("../templates/theme.js");
const SCRIPT: &str = include_str!("../templates/site.js");

struct Site;

impl Renderer for Site {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "site".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description:
                "Static HTML site: highlighted code, callouts, search, dark theme, llms.txt".into(),
            default_model: None,
            models: Vec::new(),
        }
    }

    fn render(site: SiteInput) -> Result<Vec<SiteFile>, Error> {
        render_site(&site)
    }
}

export_renderer!(Site);

/// The site's assets, each under a name made from its content.
pub(crate) struct Assets {
    pub style: String,
    pub print: String,
    pub theme: String,
    pub script: String,
}

impl Assets {
    fn new() -> Assets {
        Assets {
            style: versioned("style", "css", STYLE),
            print: versioned("print", "css", PRINT),
            theme: versioned("theme", "js", THEME),
            script: versioned("site", "js", SCRIPT),
        }
    }
}

fn render_site(site: &SiteInput) -> Result<Vec<SiteFile>, Error> {
    let plan = Plan::parse(&site.plan_json)?;
    let by_slug: HashMap<&str, &Page> = site.pages.iter().map(|p| (p.slug.as_str(), p)).collect();
    // Every page of the plan with its content, in the plan's order.
    let sources: Vec<(&PlannedPage, &Page)> = plan
        .pages()
        .map(|planned| match by_slug.get(planned.slug.as_str()) {
            Some(page) => Ok((planned, *page)),
            None => Err(Error::InvalidInput(format!(
                "the plan lists page `{}` but no content was given for it",
                planned.slug
            ))),
        })
        .collect::<Result<_, _>>()?;
    let planned = |n: usize| sources.get(n).map(|(planned, _)| *planned);
    let project = plan
        .project_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| site.project_name.clone());
    let assets = Assets::new();
    let layout = Layout::new(site, &project, &plan, &assets)?;
    let rendered: Vec<(&PlannedPage, RenderedPage)> = sources
        .iter()
        .map(|(planned, page)| (*planned, markdown::render(&page.markdown)))
        .collect();

    let site_description = if plan.tagline.is_empty() {
        format!("Documentation for {project}")
    } else {
        plan.tagline.clone()
    };
    let search_index = outputs::search_index(&plan, &rendered);
    let mut files = vec![
        file(
            "index.html",
            layout.page(PageView {
                title: "",
                slug: "",
                content: index_content(&plan),
                description: &site_description,
                headings: &[],
                prev: None,
                next: planned(0),
                not_found: false,
            })?,
        ),
        file(
            "404.html",
            layout.page(PageView {
                title: "Page not found",
                slug: "",
                content: NOT_FOUND.to_string(),
                description: &site_description,
                headings: &[],
                prev: None,
                next: None,
                not_found: true,
            })?,
        ),
        file(&assets.style, STYLE.as_bytes().to_vec()),
        file(&assets.print, PRINT.as_bytes().to_vec()),
        file(&assets.theme, THEME.as_bytes().to_vec()),
        file(&assets.script, SCRIPT.as_bytes().to_vec()),
        file("search-index.json", search_index.clone().into_bytes()),
        // The same index as a script, for a site opened from disk, where `fetch` is refused.
        file(
            "search-index.js",
            format!("window.docsfySearchIndex = {search_index};\n").into_bytes(),
        ),
        file(
            "sitemap.xml",
            outputs::sitemap(&plan, site.site_url.as_deref(), &site.generated_at).into_bytes(),
        ),
        file("llms.txt", outputs::llms_txt(&project, &plan).into_bytes()),
        file(
            "llms-full.txt",
            outputs::llms_full_txt(&project, &plan, &sources).into_bytes(),
        ),
    ];
    for (n, ((planned_page, page), (_, source))) in rendered.into_iter().zip(&sources).enumerate() {
        let description = if planned_page.description.is_empty() {
            page.summary.as_str()
        } else {
            planned_page.description.as_str()
        };
        let html = layout.page(PageView {
            title: &planned_page.title,
            slug: &planned_page.slug,
            description,
            headings: &page.headings,
            prev: n.checked_sub(1).and_then(planned),
            next: planned(n + 1),
            not_found: false,
            content: page.html,
        })?;
        files.push(file(&format!("{}.html", planned_page.slug), html));
        files.push(file(
            &format!("{}.md", planned_page.slug),
            source.markdown.clone().into_bytes(),
        ));
    }
    Ok(files)
}

const NOT_FOUND: &str = "<h1>Page not found</h1>\n<p>This page is not part of these docs: it \
    may have been renamed by a newer generation. Start again from \
    <a href=\"index.html\">the first page</a>, or search with <kbd>/</kbd>.</p>\n";

/// `assets/<stem>.<16 hex digits of the content's hash>.<extension>`: a new content is a new
/// name, so a browser may keep an asset for as long as it likes (the host says so for names
/// of this form under `assets/`).
fn versioned(stem: &str, extension: &str, content: &str) -> String {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::hash::DefaultHasher::new();
    content.hash(&mut hasher);
    format!("assets/{stem}.{:016x}.{extension}", hasher.finish())
}

/// The index page: the tagline, then every group's pages as cards.
fn index_content(plan: &Plan) -> String {
    let mut html = String::new();
    if !plan.tagline.is_empty() {
        html.push_str(&format!(
            "<p class=\"lead\">{}</p>\n",
            escape(&plan.tagline)
        ));
    }
    for group in &plan.navigation {
        html.push_str(&format!(
            "<h2>{}</h2>\n<ul class=\"cards\">\n",
            escape(&group.group)
        ));
        for page in &group.pages {
            html.push_str(&format!(
                "<li><a href=\"{}.html\">{}</a><p>{}</p></li>\n",
                page.slug,
                escape(&page.title),
                escape(&page.description)
            ));
        }
        html.push_str("</ul>\n");
    }
    html
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn file(path: &str, contents: Vec<u8>) -> SiteFile {
    SiteFile {
        path: path.to_string(),
        contents,
    }
}
