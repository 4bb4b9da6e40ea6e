//! Renderer throughput: the bundled `site` and `mdbook` renderers turning a plan of 1,000
//! pages of about 4 KB each (headings, paragraphs, lists, a table, a callout and two code
//! blocks per page) into their files, timed inside the sandbox as a generation calls them.
//! The target for the site is 2 s.
//!
//! Run: `cargo run --release -p docsfy-bench --bin render`

use std::time::{Duration, Instant};

use docsfy::plugins::{CallContext, LoadOptions, Page, PluginRegistry, PluginSettings, SiteInput};
use docsfy_bench::{millis, summarize};

const PAGES: usize = 1_000;
const RUNS: usize = 5;
const SITE_TARGET: Duration = Duration::from_secs(2);

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cache = tempfile::tempdir()?;
    let registry = PluginRegistry::load(
        &PluginSettings::default(),
        cache.path(),
        LoadOptions::default(),
    )
    .await?;
    let input = site_input();
    let bytes: usize = input.pages.iter().map(|p| p.markdown.len()).sum();
    println!(
        "{PAGES} pages, {:.1} KB of Markdown each on average, {RUNS} runs per renderer:",
        bytes as f64 / PAGES as f64 / 1024.0
    );
    for name in ["site", "mdbook"] {
        let renderer = registry
            .renderer(name)
            .ok_or_else(|| anyhow::anyhow!("{name} is not loaded"))?;
        let mut times = Vec::with_capacity(RUNS);
        let mut output = (0, 0);
        for _ in 0..RUNS {
            let started = Instant::now();
            let files = renderer.render(&input, CallContext::default()).await?;
            times.push(started.elapsed());
            output = (
                files.len(),
                files.iter().map(|f| f.contents.len()).sum::<usize>(),
            );
        }
        let times = summarize(&mut times);
        let verdict = if name == "site" {
            let met = if times.p50 <= SITE_TARGET {
                "met"
            } else {
                "MISSED"
            };
            format!(" (target {}: {met})", millis(SITE_TARGET))
        } else {
            String::new()
        };
        println!(
            "  {name:<7} median {}, per page {:.2} ms, {} files, {:.1} MB{verdict}",
            millis(times.p50),
            times.p50.as_secs_f64() * 1000.0 / PAGES as f64,
            output.0,
            output.1 as f64 / 1e6
        );
    }
    Ok(())
}

/// A plan of ten groups of a hundred pages, and the pages.
fn site_input() -> SiteInput {
    let groups: Vec<serde_json::Value> = (0..10)
        .map(|g| {
            let pages: Vec<serde_json::Value> = (0..PAGES / 10)
                .map(|p| {
                    let n = g * (PAGES / 10) + p;
                    serde_json::json!({"slug": format!("page-{n}"), "title": format!("Page {n}"),
                                       "description": format!("What page {n} covers")})
                })
                .collect();
            serde_json::json!({"group": format!("Group {g}"), "pages": pages})
        })
        .collect();
    let plan = serde_json::json!({"project_name": "Bench", "tagline": "A thousand pages", "navigation": groups});
    SiteInput {
        project_name: "bench".into(),
        branch: "main".into(),
        commit_sha: "0123456789abcdef0123456789abcdef01234567".into(),
        provider: "claude".into(),
        model: "opus".into(),
        generated_at: "2026-12-03 08:00:00".into(),
        plan_json: plan.to_string(),
        pages: (0..PAGES)
            .map(|n| Page {
                slug: format!("page-{n}"),
                title: format!("Page {n}"),
                markdown: page(n),
            })
            .collect(),
        project_version: Some("1.0.0".into()),
        site_url: None,
    }
}

/// About 4 KB of the Markdown a page has.
fn page(n: usize) -> String {
    let paragraph = "The server reads the repository, plans the pages and writes each one; \
                     this paragraph stands for the prose between the examples, the kind a \
                     reader skims to find the command or the option they came for, with a \
                     [link](page-0.md) now and then and some *emphasis* where it matters. ";
    format!(
        "# Page {n}\n\n{p}{p}\n\n> **Note:** page {n} is one of many.\n\n\
         ## Setting it up\n\n{p}\n\n- first step with `docsfy serve`\n- second step\n- [next page](page-{next}.md)\n\n\
         ```rust\nfn main() {{\n    let pages = {n};\n    for page in 0..pages {{\n        println!(\"page {{page}}\");\n    }}\n}}\n```\n\n\
         ## Options\n\n| option | default | meaning |\n|---|---|---|\n| `port` | `8000` | where it listens |\n| `data_dir` | `data` | where it keeps files |\n\n\
         {p}{p}\n\n```toml\n[server]\nport = 8000\ndata_dir = \"data\"\n```\n\n\
         ## Troubleshooting\n\n{p}{p}{p}\n\n### When it fails\n\n{p}{p}\n\n\
         > [!WARNING]\n> {p}\n\n## See also\n\n{p}{p}\n\n1. one\n2. two\n3. three\n",
        p = paragraph,
        next = (n + 1) % PAGES
    )
}
