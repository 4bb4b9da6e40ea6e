//! The pages of a variant's last run, kept as Markdown under `cache/pages/<slug>.md` so that
//! an incremental run starts from them.

use std::collections::BTreeMap;
use std::path::Path;

use super::error::GenerationError;
use super::plan::{Plan, parse_plan};
use crate::store::variants::Variant;

/// What the last ready run left: its plan, its commit and every page of the plan.
pub struct EarlierRun {
    pub plan: Plan,
    pub commit: String,
    pub pages: BTreeMap<String, String>,
}

/// The last run of `previous`, when its plan, commit and every cached page are there.
pub fn earlier_run(previous: &Variant, cache: &Path) -> Option<EarlierRun> {
    let plan = parse_plan(previous.plan_json.as_deref()?).ok()?;
    let commit = previous.last_commit_sha.clone()?;
    let mut pages = BTreeMap::new();
    for page in plan.pages() {
        let markdown = std::fs::read_to_string(cache.join(format!("{}.md", page.slug))).ok()?;
        pages.insert(page.slug.clone(), markdown);
    }
    Some(EarlierRun {
        plan,
        commit,
        pages,
    })
}

/// Replaces the cache with `pages` (the next incremental run starts from them).
pub async fn save(cache: &Path, pages: &BTreeMap<String, String>) -> Result<(), GenerationError> {
    let (cache, pages) = (cache.to_path_buf(), pages.clone());
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        let staging = cache.with_extension("new");
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging)?;
        for (slug, markdown) in &pages {
            std::fs::write(staging.join(format!("{slug}.md")), markdown)?;
        }
        let _ = std::fs::remove_dir_all(&cache);
        std::fs::rename(&staging, &cache)
    })
    .await?
    .map_err(GenerationError::PageCache)
}
