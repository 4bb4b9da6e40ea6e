//! The bundled `site` renderer, driven through the host as the pipeline drives it.

use std::collections::BTreeMap;

use docsfy::plugins::{CallContext, Page, PluginErrorKind, PluginSettings, SiteInput};

use crate::support::{FakeBin, load_registry};

const PLAN: &str = r#"{
  "project_name": "Acme <Tools>",
  "tagline": "Build & ship",
  "navigation": [
    {"group": "Start", "pages": [
      {"slug": "intro", "title": "Introduction", "description": "What it is"},
      {"slug": "install", "title": "Install <fast>", "description": "Get it running"}
    ]},
    {"group": "Reference", "pages": [
      {"slug": "api", "title": "API", "description": "Every call"}
    ]}
  ]
}"#;

fn page(slug: &str, title: &str, markdown: &str) -> Page {
    Page {
        slug: slug.into(),
        title: title.into(),
        markdown: markdown.into(),
    }
}

fn site(pages: Vec<Page>) -> SiteInput {
    SiteInput {
        project_name: "acme".into(),
        branch: "main".into(),
        commit_sha: "0123456789abcdef".into(),
        provider: "claude".into(),
        model: "opus".into(),
        generated_at: "2026-11-23 12:00:00".into(),
        plan_json: PLAN.into(),
        pages,
        project_version: Some("2.4.1".into()),
        site_url: None,
    }
}

fn gzipped(bytes: &[u8]) -> usize {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).expect("compresses");
    encoder.finish().expect("compressed").len()
}

async fn render(
    input: &SiteInput,
) -> Result<BTreeMap<String, String>, docsfy::plugins::PluginError> {
    let registry = load_registry(PluginSettings::default(), &FakeBin::new(), true, &[]).await;
    let renderer = registry
        .renderer("site")
        .expect("the bundled site renderer");
    let files = renderer.render(input, CallContext::default()).await?;
    Ok(files
        .into_iter()
        .map(|f| (f.path, String::from_utf8(f.contents).expect("text")))
        .collect())
}

#[tokio::test]
async fn a_site_has_pages_navigation_markdown_copies_search_and_llms_txt() {
    let files = render(&site(vec![
        page(
            "intro",
            "Introduction",
            "# Introduction\n\nSee [install](install.md#linux).\n\n```rust\nfn main() {}\n```",
        ),
        page(
            "install",
            "Install",
            "# Install\n\n## Linux\n\nRun `cargo install acme`.",
        ),
        page(
            "api",
            "API",
            "# API\n\n| call | what |\n|---|---|\n| `get` | reads |",
        ),
    ]))
    .await
    .expect("renders");

    // Assets are named by their content, so browsers may keep them: `style.<hash>.css`.
    let (assets, paths): (Vec<&str>, Vec<&str>) = files
        .keys()
        .map(String::as_str)
        .partition(|path| path.starts_with("assets/"));
    assert_eq!(assets.len(), 4, "{assets:?}");
    for (asset, stem, extension) in [
        (assets[0], "print", "css"),
        (assets[1], "site", "js"),
        (assets[2], "style", "css"),
        (assets[3], "theme", "js"),
    ] {
        let hash = asset
            .strip_prefix(&format!("assets/{stem}."))
            .and_then(|rest| rest.strip_suffix(&format!(".{extension}")))
            .unwrap_or_else(|| panic!("{asset}"));
        assert!(
            hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()),
            "{asset}"
        );
        assert!(
            files["index.html"].contains(&format!("\"{asset}\"")),
            "pages link {asset}"
        );
    }
    assert_eq!(
        paths,
        [
            "404.html",
            "api.html",
            "api.md",
            "index.html",
            "install.html",
            "install.md",
            "intro.html",
            "intro.md",
            "llms-full.txt",
            "llms.txt",
            "search-index.js",
            "search-index.json",
            "sitemap.xml",
        ]
    );
    let index = &files["index.html"];
    assert!(
        index.contains("<title>Acme &lt;Tools&gt;</title>"),
        "plan text is escaped: {index}"
    );
    assert!(
        index.contains("<a href=\"install.html\">Install &lt;fast&gt;</a>"),
        "{index}"
    );
    let intro = &files["intro.html"];
    assert!(
        intro.contains("href=\"install.html#linux\""),
        "links between pages: {intro}"
    );
    assert!(
        intro.contains("<a href=\"intro.html\" aria-current=\"page\">Introduction</a>"),
        "{intro}"
    );
    assert!(
        intro.contains("<p class=\"group\">Reference</p>"),
        "navigation: {intro}"
    );
    assert!(intro.contains("0123456"), "commit in the footer");
    assert!(
        files["install.html"]
            .contains("<h2 id=\"linux\">Linux <a class=\"heading-anchor\" href=\"#linux\"")
    );
    // Footer: the project's version and where the page's Markdown is.
    assert!(
        intro.contains("Acme &lt;Tools&gt; 2.4.1 · commit <code>0123456</code>"),
        "{intro}"
    );
    assert!(
        intro.contains("<a href=\"intro.md\">This page as Markdown</a>"),
        "{intro}"
    );
    // Previous and next follow the plan's order across groups.
    let install = &files["install.html"];
    assert!(
        install.contains("<a rel=\"prev\" href=\"intro.html\">"),
        "{install}"
    );
    assert!(
        install.contains("<a rel=\"next\" href=\"api.html\">"),
        "{install}"
    );
    assert!(!files["api.html"].contains("rel=\"next\""));
    // The plan's description is the page's description, for search engines and link previews.
    assert!(install.contains("<meta name=\"description\" content=\"Get it running\">"));
    assert!(install.contains("<meta property=\"og:title\" content=\"Install &lt;fast&gt;\">"));
    assert!(files["404.html"].contains("<meta name=\"robots\" content=\"noindex\">"));
    let sitemap = &files["sitemap.xml"];
    for slug in ["index", "intro", "install", "api"] {
        assert!(
            sitemap.contains(&format!("<loc>{slug}.html</loc>")),
            "{sitemap}"
        );
    }
    assert!(files["api.html"].contains("<table>"));
    assert_eq!(
        files["install.md"],
        "# Install\n\n## Linux\n\nRun `cargo install acme`."
    );

    // The search index has each page and the text under each of its headings.
    let index: serde_json::Value = serde_json::from_str(&files["search-index.json"]).expect("JSON");
    assert_eq!(index["pages"][1]["t"], "Install <fast>");
    assert_eq!(index["pages"][1]["u"], "install.html");
    assert_eq!(index["pages"][1]["g"], "Start");
    let linux = index["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["h"] == "Linux")
        .expect("the Linux section");
    assert_eq!(linux["p"], 1);
    assert_eq!(linux["a"], "linux");
    assert_eq!(linux["x"], "Run cargo install acme.");
    assert_eq!(
        files["llms.txt"],
        "# Acme <Tools>\n\n> Build & ship\n\n## Start\n\n- [Introduction](intro.md): What it is\n\
         - [Install <fast>](install.md): Get it running\n\n## Reference\n\n- [API](api.md): Every call\n"
    );
    // What a page costs beyond its own text: the layout and every asset it loads, compressed
    // as they are served, within 100 KB.
    let html = &files["intro.html"];
    let (start, end) = (
        html.find("<article").expect("article"),
        html.find("</article>").expect("end"),
    );
    let chrome = format!("{}{}", &html[..start], &html[end..]);
    let mut weight = gzipped(chrome.as_bytes());
    for asset in &assets {
        weight += gzipped(files[*asset].as_bytes());
    }
    assert!(
        weight < 100 * 1024,
        "a page's layout and assets weigh {weight} bytes compressed"
    );

    // The theme is chosen by a script that blocks rendering, before anything is painted.
    let head = &html[..html.find("</head>").expect("head")];
    let theme_script = head
        .lines()
        .find(|l| l.contains("assets/theme."))
        .expect("the theme script is in the head");
    assert!(
        !theme_script.contains("defer") && !theme_script.contains("async"),
        "{theme_script}"
    );

    let full = &files["llms-full.txt"];
    assert!(
        full.find("# Introduction") < full.find("# Install")
            && full.find("# Install") < full.find("# API")
    );
}

#[tokio::test]
async fn raw_html_from_the_ai_is_sanitised() {
    let hostile = "# Intro\n\n<script>steal()</script>\n\n<img src=x onerror=\"steal()\">\n\n\
                   [x](javascript:steal()) <a href=\"javascript:steal()\" onclick=\"steal()\">y</a>\n\n\
                   <iframe src=\"https://evil.example\"></iframe><details><summary>ok</summary>kept</details>";
    let files = render(&site(vec![
        page("intro", "Introduction", hostile),
        page("install", "Install", "x"),
        page("api", "API", "y"),
    ]))
    .await
    .expect("renders");
    let html = &files["intro.html"];
    let article =
        &html[html.find("<article").expect("article")..html.find("</article>").expect("end")];
    for bad in [
        "<script",
        "steal()",
        "onerror",
        "onclick",
        "javascript:",
        "<iframe",
    ] {
        assert!(!article.contains(bad), "{bad} survived: {article}");
    }
    assert!(
        article.contains("<details><summary>ok</summary>kept</details>"),
        "{article}"
    );
    // The Markdown copy is the AI's text as it was: it is served as text/markdown.
    assert_eq!(files["intro.md"], hostile);
}

#[tokio::test]
async fn a_plan_the_renderer_cannot_use_is_an_error() {
    let mut missing_page = site(vec![page("intro", "Introduction", "x")]);
    let error = render(&missing_page).await.expect_err("pages missing");
    assert_eq!(
        error.kind,
        PluginErrorKind::InvalidInput(
            "the plan lists page `install` but no content was given for it".into()
        )
    );
    missing_page.plan_json = "{\"navigation\": [{\"group\": \"g\", \"pages\": [{\"slug\": \"../up\", \"title\": \"t\"}]}]}".into();
    let error = render(&missing_page).await.expect_err("bad slug");
    assert!(
        matches!(error.kind, PluginErrorKind::InvalidInput(_)),
        "{error}"
    );
    missing_page.plan_json = "not json".into();
    assert!(render(&missing_page).await.is_err());
}
