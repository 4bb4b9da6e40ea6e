//! One generation, stage by stage: cloning, up_to_date or incremental_planning or planning,
//! generating_pages, validating, cross_linking, rendering. Every stage is recorded and
//! announced; the end is `ready`, `error` or (through [`Pipeline::abort`]) `aborted`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::Semaphore;

use super::checkout;
use super::incremental::{self, Redo};
use super::jobs::{JobError, Jobs};
use super::pages;
use super::plan::{Plan, PlannedPage, parse_plan};
use super::prompts;
use super::publish;
use super::repo_summary;
use super::request::Source;
use crate::artifacts::Artifacts;
use crate::domain::{Stage, Status};
use crate::events::{Event, EventBus};
use crate::plugins::{CallContext, CompletionRequest, PluginRegistry, ProviderHandle, SiteInput};
use crate::store::variants::{Variant, VariantKey};
use crate::store::{DbError, Store};

/// The renderer every site is built with.
pub const RENDERER: &str = "site";

/// The most diff text an incremental prompt quotes.
const MAX_DIFF_CHARS: usize = 60_000;

/// Everything a generation needs. Shared by all jobs.
pub struct Pipeline {
    /// The database.
    pub store: Store,
    /// Generated files.
    pub artifacts: Artifacts,
    /// Providers and renderers.
    pub plugins: PluginRegistry,
    /// Where changes are announced.
    pub events: EventBus,
    /// Running jobs.
    pub jobs: Jobs,
    /// The server-wide bound on AI calls in flight.
    pub ai_calls: Arc<Semaphore>,
    /// Pages generated at once within one job.
    pub pages_per_job: usize,
    /// Where checkouts live while a job runs.
    pub work_root: PathBuf,
}

/// One generation to run.
#[derive(Debug, Clone)]
pub struct JobSpec {
    /// Which variant.
    pub key: VariantKey,
    /// Where the repository comes from.
    pub source: Source,
    /// Regenerate everything.
    pub force: bool,
    /// How long one AI call may take.
    pub ai_timeout: Duration,
    /// The variant as it was before this run (for up_to_date and incremental runs).
    pub previous: Option<Variant>,
}

/// What a successful run produced.
struct Finished {
    commit: String,
    page_count: i64,
    plan_json: String,
    stage: Option<Stage>,
}

impl Pipeline {
    /// Starts a job for `spec`; `AlreadyRunning` if its variant is generating.
    pub fn start(self: &Arc<Self>, spec: JobSpec) -> Result<(), JobError> {
        // The variant's row was just written as `generating`; announced before the job can
        // report progress, so listeners know the variant before they hear of its stages.
        self.changed(&spec.key);
        let pipeline = self.clone();
        self.jobs
            .start(spec.key.clone(), async move { pipeline.run(spec).await })
    }

    /// Aborts the job for `key`: its plugin call and programs are stopped, the variant ends
    /// `aborted`, and the previous site, if any, is left as it was.
    pub async fn abort(self: &Arc<Self>, key: &VariantKey) -> Result<(), JobError> {
        // Its own task: a client that hangs up mid-abort must not leave the job stopped but
        // its variant still `generating`.
        let pipeline = self.clone();
        let key = key.clone();
        tokio::spawn(async move {
            pipeline.jobs.abort(&key).await?;
            pipeline
                .end(&key, Status::Aborted, "Generation aborted by user")
                .await;
            Ok(())
        })
        .await
        .unwrap_or(Err(JobError::StillFinishing))
    }

    async fn run(self: Arc<Self>, spec: JobSpec) {
        let span = tracing::info_span!("generation", variant = %spec.key);
        let _entered = span.enter();
        tracing::info!("generation started");
        match self.generate(&spec).await {
            Ok(done) => self.succeed(&spec.key, done).await,
            Err(message) => {
                tracing::warn!("generation failed: {message}");
                self.end(&spec.key, Status::Error, &message).await;
            }
        }
    }

    async fn succeed(&self, key: &VariantKey, done: Finished) {
        let marked = self
            .store
            .mark_ready(
                key,
                &done.commit,
                done.page_count,
                &done.plan_json,
                done.stage,
            )
            .await;
        match marked {
            Ok(variant) => {
                tracing::info!(pages = done.page_count, "generation ready");
                // A status change also tells listeners to refresh their listings.
                self.events.publish(Event::status_change(&variant));
            }
            Err(error) => {
                self.end(
                    key,
                    Status::Error,
                    &format!("Could not record the result: {error}"),
                )
                .await
            }
        }
    }

    async fn end(&self, key: &VariantKey, status: Status, message: &str) {
        match self.store.end_generation(key, status, message).await {
            Ok(variant) => self.events.publish(Event::status_change(&variant)),
            // It finished or was deleted meanwhile: nothing to end, but whatever it became
            // (an abort racing the last write can find it `ready`) must reach the listings.
            Err(DbError::NotFound) => self.changed(key),
            Err(error) => tracing::error!("could not end the generation of {key}: {error}"),
        }
    }

    fn changed(&self, key: &VariantKey) {
        self.events.publish(Event::Changed {
            name: key.name.clone(),
            owner: key.owner.clone(),
        });
    }

    async fn stage(
        &self,
        key: &VariantKey,
        stage: Stage,
        page_count: i64,
        plan_json: Option<String>,
    ) {
        if let Err(error) = self.store.set_progress(key, stage, page_count).await {
            tracing::warn!("could not record progress: {error}");
        }
        self.events
            .publish(Event::progress(key, stage, page_count, plan_json));
    }

    async fn generate(&self, spec: &JobSpec) -> Result<Finished, String> {
        let key = &spec.key;
        let provider = self
            .plugins
            .provider(&key.provider)
            .cloned()
            .ok_or_else(|| format!("The provider '{}' is not loaded", key.provider))?;
        std::fs::create_dir_all(&self.work_root)
            .map_err(|e| format!("Cannot create the work directory: {e}"))?;
        let work = tempfile::Builder::new()
            .prefix("job-")
            .tempdir_in(&self.work_root)
            .map_err(|e| format!("Cannot create the work directory: {e}"))?;
        let checkout = work.path().join("repo");
        let ai = Ai {
            provider,
            model: key.model.clone(),
            timeout: spec.ai_timeout,
            workdir: checkout.clone(),
            label: key.to_string(),
            permits: self.ai_calls.clone(),
        };

        self.stage(key, Stage::Cloning, 0, None).await;
        ai.provider
            .check(&key.model, ai.context())
            .await
            .map_err(|e| e.to_string())?;
        let commit = clone(&spec.source, &key.branch, &checkout).await?;

        let previous = spec.previous.as_ref();
        let site = self.artifacts.site_dir(key);
        if !spec.force
            && let Some(previous) = previous.filter(|p| p.status == Status::Ready && site.is_dir())
            && previous.last_commit_sha.as_deref() == Some(commit.as_str())
        {
            tracing::info!("same commit as the last ready run: up to date");
            return Ok(Finished {
                commit,
                page_count: previous.page_count,
                plan_json: previous.plan_json.clone().unwrap_or_default(),
                stage: Some(Stage::UpToDate),
            });
        }

        let cache = self.artifacts.variant_dir(key).join("cache").join("pages");
        let earlier = if spec.force {
            None
        } else {
            previous.and_then(|p| earlier_run(p, &cache))
        };
        let (plan, mut pages) = match earlier {
            Some((plan, old_commit, cached)) => {
                self.stage(key, Stage::IncrementalPlanning, 0, None).await;
                match self
                    .incremental(&ai, key, &checkout, &plan, &old_commit, &commit, cached)
                    .await?
                {
                    Some(pages) => (plan, pages),
                    None => self.full(&ai, key, &checkout).await?,
                }
            }
            None => self.full(&ai, key, &checkout).await?,
        };

        let plan_json = plan.to_json();
        self.stage(
            key,
            Stage::Validating,
            pages.len() as i64,
            Some(plan_json.clone()),
        )
        .await;
        for page in plan.pages() {
            let found = pages
                .get(&page.slug)
                .map(|md| pages::problems(md, &checkout))
                .unwrap_or_default();
            if !found.is_empty() {
                tracing::info!(page = %page.slug, "regenerating after validation: {found:?}");
                let answer = ai
                    .ask(prompts::page_retry_prompt(&key.name, &plan, page, &found))
                    .await?;
                pages.insert(page.slug.clone(), pages::clean_page(&answer, page));
            }
        }
        save_cache(&cache, &pages).await?;

        self.stage(
            key,
            Stage::CrossLinking,
            pages.len() as i64,
            Some(plan_json.clone()),
        )
        .await;
        let linked: Vec<crate::plugins::Page> = plan
            .pages()
            .map(|page| crate::plugins::Page {
                slug: page.slug.clone(),
                title: page.title.clone(),
                markdown: pages::cross_link(
                    pages
                        .get(&page.slug)
                        .map(String::as_str)
                        .unwrap_or_default(),
                    page,
                    &plan,
                ),
            })
            .collect();

        self.stage(
            key,
            Stage::Rendering,
            linked.len() as i64,
            Some(plan_json.clone()),
        )
        .await;
        let renderer = self
            .plugins
            .renderer(RENDERER)
            .ok_or_else(|| format!("The renderer '{RENDERER}' is not loaded"))?;
        let input = SiteInput {
            project_name: key.name.clone(),
            branch: key.branch.clone(),
            commit_sha: commit.clone(),
            provider: key.provider.clone(),
            model: key.model.clone(),
            generated_at: now_utc(),
            plan_json: plan_json.clone(),
            pages: linked,
        };
        let files = renderer
            .render(
                &input,
                CallContext {
                    label: key.to_string(),
                    programs_allowed: false,
                    ..CallContext::default()
                },
            )
            .await
            .map_err(|e| format!("Rendering failed: {e}"))?;
        let page_count = input.pages.len() as i64;
        tokio::task::spawn_blocking(move || publish::publish_site(&site, &files))
            .await
            .map_err(|e| format!("Publishing failed: {e}"))?
            .map_err(|e| format!("Publishing failed: {e:#}"))?;
        Ok(Finished {
            commit,
            page_count,
            plan_json,
            stage: None,
        })
    }

    /// Plans from scratch (one retry quoting what was wrong) and writes every page.
    async fn full(
        &self,
        ai: &Ai,
        key: &VariantKey,
        checkout: &Path,
    ) -> Result<(Plan, BTreeMap<String, String>), String> {
        self.stage(key, Stage::Planning, 0, None).await;
        let root = checkout.to_path_buf();
        let summary = tokio::task::spawn_blocking(move || repo_summary::summarize(&root))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("Cannot read the repository: {e}"))?;
        let first = ai.ask(prompts::plan_prompt(&key.name, &summary)).await?;
        let plan = match parse_plan(&first) {
            Ok(plan) => plan,
            Err(problem) => {
                tracing::info!("unusable plan, retrying: {problem}");
                let second = ai
                    .ask(prompts::plan_retry_prompt(&key.name, &summary, &problem))
                    .await?;
                parse_plan(&second).map_err(|e| {
                    format!("The AI returned an unusable documentation plan twice: {e}")
                })?
            }
        };
        let all: Vec<&PlannedPage> = plan.pages().collect();
        let pages = self
            .write_pages(ai, key, &plan, &all, BTreeMap::new())
            .await?;
        Ok((plan, pages))
    }

    /// After new commits: asks which pages to redo and patches them. `None`: plan again.
    #[allow(clippy::too_many_arguments)]
    async fn incremental(
        &self,
        ai: &Ai,
        key: &VariantKey,
        checkout: &Path,
        plan: &Plan,
        old_commit: &str,
        new_commit: &str,
        cached: BTreeMap<String, String>,
    ) -> Result<Option<BTreeMap<String, String>>, String> {
        let dir = checkout.to_path_buf();
        let (old, new) = (old_commit.to_string(), new_commit.to_string());
        let changes = tokio::task::spawn_blocking(move || {
            checkout::changes(&dir, &old, &new, MAX_DIFF_CHARS)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("Cannot compare commits: {e}"))?;
        let Some(changes) = changes else {
            tracing::info!("the last generated commit is not in the clone: planning again");
            return Ok(None);
        };
        let answer = ai
            .ask(prompts::incremental_prompt(
                &key.name,
                plan,
                &changes.files,
                &changes.patch,
            ))
            .await?;
        let slugs = match incremental::parse_redo(&answer, plan) {
            Redo::Everything => return Ok(None),
            Redo::Nothing => Vec::new(),
            Redo::Pages(slugs) => slugs,
        };
        tracing::info!("pages to update: {slugs:?}");
        let mut pages = cached;
        let mut rewrite = Vec::new();
        for slug in &slugs {
            let Some(page) = plan.pages().find(|p| &p.slug == slug) else {
                continue;
            };
            let current = pages.get(slug).cloned().unwrap_or_default();
            let answer = ai
                .ask(prompts::page_update_prompt(
                    &key.name,
                    page,
                    &current,
                    &changes.patch,
                ))
                .await?;
            match incremental::parse_edits(&answer)
                .and_then(|edits| incremental::apply_edits(&current, &edits))
            {
                Some(updated) => {
                    pages.insert(slug.clone(), updated);
                }
                None => rewrite.push(page),
            }
        }
        let pages = self.write_pages(ai, key, plan, &rewrite, pages).await?;
        Ok(Some(pages))
    }

    /// Writes `todo` in parallel (bounded per job and server-wide), adding them to `pages`.
    async fn write_pages(
        &self,
        ai: &Ai,
        key: &VariantKey,
        plan: &Plan,
        todo: &[&PlannedPage],
        mut pages: BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, String> {
        let plan_json = plan.to_json();
        let mut count = pages.len() as i64;
        self.stage(key, Stage::GeneratingPages, count, Some(plan_json.clone()))
            .await;
        // Built up front: a stream over a borrowing closure trips the compiler's Send check.
        let calls: Vec<_> = todo
            .iter()
            .map(|page| {
                let page: PlannedPage = (*page).clone();
                let prompt = prompts::page_prompt(&key.name, plan, &page);
                async move {
                    let answer = ai.ask(prompt).await?;
                    Ok::<_, String>((page.slug.clone(), pages::clean_page(&answer, &page)))
                }
            })
            .collect();
        let mut written =
            futures_util::stream::iter(calls).buffer_unordered(self.pages_per_job.max(1));
        while let Some(result) = written.next().await {
            let (slug, markdown) = result?;
            if pages.insert(slug, markdown).is_none() {
                count += 1;
            }
            self.stage(key, Stage::GeneratingPages, count, Some(plan_json.clone()))
                .await;
        }
        Ok(pages)
    }
}

/// One variant's way of asking the AI: its provider and model, the checkout as the working
/// directory, and the server-wide limit on calls in flight.
struct Ai {
    provider: ProviderHandle,
    model: String,
    timeout: Duration,
    workdir: PathBuf,
    label: String,
    permits: Arc<Semaphore>,
}

impl Ai {
    fn context(&self) -> CallContext {
        CallContext {
            workdir: Some(self.workdir.clone()).filter(|d| d.is_dir()),
            max_program_time: self.timeout,
            label: self.label.clone(),
            programs_allowed: true,
        }
    }

    async fn ask(&self, prompt: String) -> Result<String, String> {
        let _permit = self.permits.acquire().await.map_err(|e| e.to_string())?;
        let request = CompletionRequest {
            model: self.model.clone(),
            prompt,
            timeout_secs: u32::try_from(self.timeout.as_secs()).unwrap_or(u32::MAX),
            workdir: Some(self.workdir.display().to_string()),
        };
        self.provider
            .complete(&request, self.context())
            .await
            .map(|c| c.text)
            .map_err(|e| e.to_string())
    }
}

async fn clone(source: &Source, branch: &str, dest: &Path) -> Result<String, String> {
    let (source, branch, dest) = (source.clone(), branch.to_string(), dest.to_path_buf());
    // Dropping the job (abort) flags the transfer to stop at its next progress callback.
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let _stop_on_drop = StopOnDrop(cancel);
    tokio::task::spawn_blocking(move || match &source {
        Source::Url(url) => checkout::clone_remote(url, &branch, &dest, flag),
        Source::Path(path) => checkout::clone_local(path, &branch, &dest),
    })
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("Cloning failed: {e}"))
}

struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The plan, commit and cached pages of the last ready run, when all are there.
fn earlier_run(
    previous: &Variant,
    cache: &Path,
) -> Option<(Plan, String, BTreeMap<String, String>)> {
    let plan = parse_plan(previous.plan_json.as_deref()?).ok()?;
    let commit = previous.last_commit_sha.clone()?;
    let mut pages = BTreeMap::new();
    for page in plan.pages() {
        let markdown = std::fs::read_to_string(cache.join(format!("{}.md", page.slug))).ok()?;
        pages.insert(page.slug.clone(), markdown);
    }
    Some((plan, commit, pages))
}

/// Replaces the page cache with `pages` (the next incremental run starts from them).
async fn save_cache(cache: &Path, pages: &BTreeMap<String, String>) -> Result<(), String> {
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
    .await
    .map_err(|e| e.to_string())?
    .map_err(|e| format!("Cannot write the page cache: {e}"))
}

/// `YYYY-MM-DD HH:MM:SS` in UTC.
fn now_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }
}
