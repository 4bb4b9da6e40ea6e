//! The `site` renderer: a static documentation site from a plan and its pages.
//!
//! Output: `index.html`, one `<slug>.html` and one `<slug>.md` per page, `search-index.json`,
//! `llms.txt`, `llms-full.txt` and `assets/`. Pages are rendered from Markdown with raw HTML
//! sanitised; every text from the plan is escaped in the templates.

mod markdown;
mod outputs;
mod plan;

use docsfy_plugin_sdk::{Error, Page, PluginInfo, Renderer, SiteFile, SiteInput, export_renderer};
use liquid::model::{Object, Value};

use plan::Plan;

const LAYOUT: &str = include_str!("../templates/layout.html");
const STYLE: &str = include_str!("../templates/style.css");
const SEARCH: &str = include_str!("../templates/search.js");

struct Site;

impl Renderer for Site {
    fn describe() -> PluginInfo {
        PluginInfo {
            name: "site".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Static HTML site with search, Markdown copies and llms.txt".into(),
            default_model: None,
            models: Vec::new(),
        }
    }

    fn render(site: SiteInput) -> Result<Vec<SiteFile>, Error> {
        render_site(&site)
    }
}

export_renderer!(Site);

fn render_site(site: &SiteInput) -> Result<Vec<SiteFile>, Error> {
    let plan = Plan::parse(&site.plan_json)?;
    let pages = Pages(&site.pages);
    for planned in plan.pages() {
        if pages.get(&planned.slug).is_none() {
            return Err(Error::InvalidInput(format!(
                "the plan lists page `{}` but no content was given for it",
                planned.slug
            )));
        }
    }
    let project = plan
        .project_name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| site.project_name.clone());
    let layout = liquid::ParserBuilder::with_stdlib()
        .build()
        .and_then(|parser| parser.parse(LAYOUT))
        .map_err(|e| Error::Failed(format!("the page template is broken: {e}")))?;
    let (style_path, script_path) = (
        versioned("style", "css", STYLE),
        versioned("search", "js", SEARCH),
    );
    let mut base = base_globals(site, &project, &plan);
    base.insert("style_href".into(), Value::scalar(style_path.clone()));
    base.insert("script_href".into(), Value::scalar(script_path.clone()));
    let render = |title: &str, current: &str, content: String| -> Result<Vec<u8>, Error> {
        let mut globals = base.clone();
        globals.insert("page_title".into(), Value::scalar(title.to_string()));
        globals.insert("current".into(), Value::scalar(current.to_string()));
        globals.insert("content".into(), Value::scalar(content));
        layout
            .render(&globals)
            .map(String::into_bytes)
            .map_err(|e| Error::Failed(format!("rendering {current}: {e}")))
    };

    let mut files = vec![
        file("index.html", render("", "", index_content(&plan, &pages))?),
        file(&style_path, STYLE.as_bytes().to_vec()),
        file(&script_path, SEARCH.as_bytes().to_vec()),
        file(
            "search-index.json",
            outputs::search_index(&plan, &pages).into_bytes(),
        ),
        file("llms.txt", outputs::llms_txt(&project, &plan).into_bytes()),
        file(
            "llms-full.txt",
            outputs::llms_full_txt(&project, &plan, &pages).into_bytes(),
        ),
    ];
    for planned in plan.pages() {
        let Some(page) = pages.get(&planned.slug) else {
            continue;
        };
        let html = render(
            &planned.title,
            &planned.slug,
            markdown::to_safe_html(&page.markdown),
        )?;
        files.push(file(&format!("{}.html", planned.slug), html));
        files.push(file(
            &format!("{}.md", planned.slug),
            page.markdown.clone().into_bytes(),
        ));
    }
    Ok(files)
}

/// The pages given to the renderer, found by slug.
pub(crate) struct Pages<'a>(&'a [Page]);

impl<'a> Pages<'a> {
    pub(crate) fn get(&self, slug: &str) -> Option<&'a Page> {
        self.0.iter().find(|p| p.slug == slug)
    }
}

/// `assets/<stem>.<16 hex digits of the content's hash>.<extension>`: a new content is a new
/// name, so a browser may keep an asset for as long as it likes (the host says so for names
/// of this form under `assets/`).
fn versioned(stem: &str, extension: &str, content: &str) -> String {
    use std::hash::{Hash as _, Hasher as _};
    let mut hasher = std::hash::DefaultHasher::new();
    content.hash(&mut hasher);
    format!("assets/{stem}.{:016x}.{extension}", hasher.finish())
}

fn base_globals(site: &SiteInput, project: &str, plan: &Plan) -> Object {
    let navigation: Vec<Value> = plan
        .navigation
        .iter()
        .map(|group| {
            let pages: Vec<Value> = group
                .pages
                .iter()
                .map(|p| {
                    Value::Object(Object::from_iter([
                        ("slug".into(), Value::scalar(p.slug.clone())),
                        ("title".into(), Value::scalar(p.title.clone())),
                    ]))
                })
                .collect();
            Value::Object(Object::from_iter([
                ("name".into(), Value::scalar(group.group.clone())),
                ("pages".into(), Value::Array(pages)),
            ]))
        })
        .collect();
    let short: String = site.commit_sha.chars().take(7).collect();
    Object::from_iter([
        ("project_name".into(), Value::scalar(project.to_string())),
        ("tagline".into(), Value::scalar(plan.tagline.clone())),
        ("navigation".into(), Value::Array(navigation)),
        (
            "generated_at".into(),
            Value::scalar(site.generated_at.clone()),
        ),
        ("branch".into(), Value::scalar(site.branch.clone())),
        ("commit_short".into(), Value::scalar(short)),
        ("provider".into(), Value::scalar(site.provider.clone())),
        ("model".into(), Value::scalar(site.model.clone())),
    ])
}

/// The index page: the tagline, then every group's pages as cards.
fn index_content(plan: &Plan, pages: &Pages<'_>) -> String {
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
        for page in group.pages.iter().filter(|p| pages.get(&p.slug).is_some()) {
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

fn escape(text: &str) -> String {
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
