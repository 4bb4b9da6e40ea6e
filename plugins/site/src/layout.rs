//! The page layout: one liquid template for every page, filled with what the site shares
//! (project, navigation, footer facts, assets) and what the page has of its own.
//!
//! The sidebar is built once as HTML and only marked per page, so that a site of a thousand
//! pages does not rebuild a thousand links a thousand times.

use docsfy_plugin_sdk::{Error, SiteInput};
use liquid::model::{Object, Value};

use crate::headings::Heading;
use crate::plan::{Plan, PlannedPage};
use crate::{Assets, escape};

const LAYOUT: &str = include_str!("../templates/layout.html");

/// What one page puts in the layout.
pub struct PageView<'a> {
    pub title: &'a str,
    /// The page's slug; empty for the start page and the 404 page.
    pub slug: &'a str,
    pub content: String,
    pub description: &'a str,
    pub headings: &'a [Heading],
    pub prev: Option<&'a PlannedPage>,
    pub next: Option<&'a PlannedPage>,
    pub not_found: bool,
}

pub struct Layout {
    template: liquid::Template,
    base: Object,
    sidebar: String,
    site_url: Option<String>,
}

impl Layout {
    pub fn new(
        site: &SiteInput,
        project: &str,
        plan: &Plan,
        assets: &Assets,
    ) -> Result<Layout, Error> {
        let template = liquid::ParserBuilder::with_stdlib()
            .build()
            .and_then(|parser| parser.parse(LAYOUT))
            .map_err(|e| Error::Failed(format!("the page template is broken: {e}")))?;
        let short: String = site.commit_sha.chars().take(7).collect();
        let scalar = |text: &str| Value::scalar(text.to_string());
        let base = Object::from_iter([
            ("project_name".into(), scalar(project)),
            ("tagline".into(), scalar(&plan.tagline)),
            ("generated_at".into(), scalar(&site.generated_at)),
            ("branch".into(), scalar(&site.branch)),
            ("commit_short".into(), scalar(&short)),
            ("provider".into(), scalar(&site.provider)),
            ("model".into(), scalar(&site.model)),
            (
                "version".into(),
                scalar(site.project_version.as_deref().unwrap_or_default()),
            ),
            ("style_href".into(), scalar(&assets.style)),
            ("print_href".into(), scalar(&assets.print)),
            ("theme_href".into(), scalar(&assets.theme)),
            ("script_href".into(), scalar(&assets.script)),
        ]);
        Ok(Layout {
            template,
            base,
            sidebar: sidebar(plan),
            site_url: site.site_url.clone(),
        })
    }

    /// The page's HTML.
    pub fn page(&self, view: PageView<'_>) -> Result<Vec<u8>, Error> {
        let mut globals = self.base.clone();
        let scalar = |text: &str| Value::scalar(text.to_string());
        let file = if view.slug.is_empty() {
            "index.html".to_string()
        } else {
            format!("{}.html", view.slug)
        };
        let page_url = match (&self.site_url, view.not_found) {
            (Some(base), false) => format!("{base}{file}"),
            _ => String::new(),
        };
        let (prev_slug, prev_title) = view.prev.map_or(("", ""), |p| (&p.slug, &p.title));
        let (next_slug, next_title) = view.next.map_or(("", ""), |p| (&p.slug, &p.title));
        for (name, value) in [
            ("page_title", view.title),
            ("current", view.slug),
            ("description", view.description),
            ("page_url", &page_url),
            ("prev_slug", prev_slug),
            ("prev_title", prev_title),
            ("next_slug", next_slug),
            ("next_title", next_title),
        ] {
            globals.insert(name.into(), scalar(value));
        }
        globals.insert("content".into(), Value::scalar(view.content));
        globals.insert("toc".into(), Value::scalar(toc(view.headings)));
        globals.insert("not_found".into(), Value::scalar(view.not_found));
        globals.insert(
            "sidebar".into(),
            Value::scalar(mark_current(&self.sidebar, view.slug)),
        );
        self.template
            .render(&globals)
            .map(String::into_bytes)
            .map_err(|e| Error::Failed(format!("rendering {file}: {e}")))
    }
}

/// Every group's pages as lists of links, the plan's text escaped.
fn sidebar(plan: &Plan) -> String {
    let mut html = String::new();
    for group in &plan.navigation {
        html.push_str(&format!(
            "<p class=\"group\">{}</p>\n<ul>\n",
            escape(&group.group)
        ));
        for page in &group.pages {
            html.push_str(&format!(
                "<li><a href=\"{}.html\">{}</a></li>\n",
                page.slug,
                escape(&page.title)
            ));
        }
        html.push_str("</ul>\n");
    }
    html
}

/// The sidebar with the page's own link marked as the current one. Slugs are unique and
/// made of `[a-z0-9_-]`, so the link's `href="slug.html">` is found once.
fn mark_current(sidebar: &str, slug: &str) -> String {
    if slug.is_empty() {
        return sidebar.to_string();
    }
    let link = format!("href=\"{slug}.html\">");
    sidebar.replacen(
        &link,
        &format!("href=\"{slug}.html\" aria-current=\"page\">"),
        1,
    )
}

/// "On this page": the second- and third-level headings, when there are two or more.
fn toc(headings: &[Heading]) -> String {
    let listed: Vec<&Heading> = headings
        .iter()
        .filter(|h| h.level == 2 || h.level == 3)
        .collect();
    if listed.len() < 2 {
        return String::new();
    }
    let mut html = String::from("<ul>\n");
    for heading in listed {
        html.push_str(&format!(
            "<li class=\"level-{}\"><a href=\"#{}\">{}</a></li>\n",
            heading.level,
            escape(&heading.anchor),
            escape(&heading.text)
        ));
    }
    html.push_str("</ul>");
    html
}
