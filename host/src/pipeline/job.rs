//! One generation, one method per stage: cloning, then up_to_date, or incremental_planning or
//! planning, then generating_pages, validating, cross_linking and rendering. Each stage is
//! recorded and announced through the pipeline before it starts.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;

use super::ai::{Ai, Spending};
use super::checkout;
use super::error::GenerationError;
use super::incremental::{self, Redo};
use super::page_cache::{self, EarlierRun};
use super::pages;
use super::plan::{Plan, PlannedPage, parse_plan};
use super::prompts::{self, PromptKind};
use super::publish;
use super::repo_summary;
use super::run::{JobSpec, Pipeline, RENDERER};
use super::source::Source;
use super::version;
use crate::domain::Stage;
use crate::plugins::{CallContext, Page, SiteInput};
use crate::store::variants::VariantKey;

/// Pages by slug, as Markdown.
type Pages = BTreeMap<String, String>;

/// The most diff text an incremental prompt quotes.
const MAX_DIFF_CHARS: usize = 60_000;

/// What a successful run produced.
pub struct Finished {
    pub commit: String,
    pub page_count: i64,
    pub plan_json: String,
    /// `up_to_date` when nothing had to be done.
    pub stage: Option<Stage>,
}

/// A running generation: the spec, its provider and where its files go.
pub struct Job<'a> {
    pipeline: &'a Pipeline,
    spec: &'a JobSpec,
    ai: Ai,
    checkout: PathBuf,
    site: PathBuf,
    cache: PathBuf,
}

impl<'a> Job<'a> {
    /// Runs `spec` to its end in a work directory of its own, removed afterwards.
    pub async fn run(
        pipeline: &'a Pipeline,
        spec: &'a JobSpec,
    ) -> Result<Finished, GenerationError> {
        let key = &spec.key;
        let provider = pipeline
            .plugins
            .provider(&key.provider)
            .cloned()
            .ok_or_else(|| GenerationError::ProviderMissing(key.provider.clone()))?;
        std::fs::create_dir_all(&pipeline.work_root).map_err(GenerationError::WorkDirectory)?;
        let work = tempfile::Builder::new()
            .prefix("job-")
            .tempdir_in(&pipeline.work_root)
            .map_err(GenerationError::WorkDirectory)?;
        let checkout = work.path().join("repo");
        let job = Job {
            pipeline,
            spec,
            ai: Ai {
                provider,
                model: key.model.clone(),
                timeout: spec.ai_timeout,
                workdir: checkout.clone(),
                label: key.to_string(),
                permits: pipeline.ai_calls.clone(),
                spending: Spending {
                    store: pipeline.store.clone(),
                    key: key.clone(),
                },
            },
            checkout,
            site: pipeline.artifacts.site_dir(key),
            cache: pipeline
                .artifacts
                .variant_dir(key)
                .join("cache")
                .join("pages"),
        };
        job.generate().await
    }

    async fn generate(&self) -> Result<Finished, GenerationError> {
        let commit = self.clone_repository().await?;
        if let Some(done) = self.up_to_date(&commit) {
            return Ok(done);
        }
        let (plan, pages) = self.plan_and_write(&commit).await?;
        // Every later stage announces the plan: serialised once.
        let plan_json = plan.to_json();
        let pages = self.validate(&plan, &plan_json, pages).await?;
        let linked = self.cross_link(&plan, &plan_json, &pages).await;
        self.render(commit, plan_json, linked).await
    }

    fn key(&self) -> &VariantKey {
        &self.spec.key
    }

    /// Records and announces `stage`; `plan_json` once there is a plan.
    async fn stage(&self, stage: Stage, page_count: usize, plan_json: Option<&str>) {
        self.pipeline
            .stage(
                self.spec,
                stage,
                page_count as i64,
                plan_json.map(str::to_owned),
            )
            .await;
    }

    /// `cloning`: the provider is checked first (a missing CLI fails before any download),
    /// then the branch is cloned; the commit it is at.
    async fn clone_repository(&self) -> Result<String, GenerationError> {
        self.stage(Stage::Cloning, 0, None).await;
        self.ai.check().await?;
        let (source, branch, dest) = (
            self.spec.source.clone(),
            self.key().branch.clone(),
            self.checkout.clone(),
        );
        // Dropping the job (abort) flags the transfer to stop at its next progress callback.
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = cancel.clone();
        let _stop_on_drop = StopOnDrop(cancel);
        match &source {
            Source::Url(url) => {
                super::fetch::clone_remote(url, &branch, dest, &self.pipeline.remotes, flag).await
            }
            Source::Path(path) => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || checkout::clone_local(&path, &branch, &dest))
                    .await?
            }
        }
        .map_err(GenerationError::Clone)
    }

    /// `up_to_date`: the same commit as the last ready run, whose site is still there.
    fn up_to_date(&self, commit: &str) -> Option<Finished> {
        let previous = self.spec.previous.as_ref()?;
        let reusable = !self.spec.force
            && previous.status == crate::domain::Status::Ready
            && self.site.is_dir()
            && previous.last_commit_sha.as_deref() == Some(commit);
        reusable.then(|| {
            tracing::info!("same commit as the last ready run: up to date");
            Finished {
                commit: commit.to_string(),
                page_count: previous.page_count,
                plan_json: previous.plan_json.clone().unwrap_or_default(),
                stage: Some(Stage::UpToDate),
            }
        })
    }

    /// An incremental update of the last run when there is one to start from, else a full run.
    async fn plan_and_write(&self, commit: &str) -> Result<(Plan, Pages), GenerationError> {
        let earlier = match &self.spec.previous {
            Some(previous) if !self.spec.force => page_cache::earlier_run(previous, &self.cache),
            _ => None,
        };
        if let Some(earlier) = earlier {
            self.stage(Stage::IncrementalPlanning, 0, None).await;
            let plan = earlier.plan.clone();
            if let Some(pages) = self.incremental(earlier, commit).await? {
                return Ok((plan, pages));
            }
        }
        let plan = self.plan().await?;
        let all: Vec<&PlannedPage> = plan.pages().collect();
        let pages = self.write_pages(&plan, &all, Pages::new()).await?;
        Ok((plan, pages))
    }

    /// `planning`: the plan from a summary of the repository, with one retry that quotes
    /// what was wrong with the first answer.
    async fn plan(&self) -> Result<Plan, GenerationError> {
        self.stage(Stage::Planning, 0, None).await;
        let root = self.checkout.clone();
        let summary = tokio::task::spawn_blocking(move || repo_summary::summarize(&root))
            .await?
            .map_err(GenerationError::ReadRepository)?;
        let name = &self.key().name;
        let first = self
            .ai
            .ask(PromptKind::Plan, prompts::plan_prompt(name, &summary))
            .await?;
        match parse_plan(&first) {
            Ok(plan) => Ok(plan),
            Err(problem) => {
                tracing::info!("unusable plan, retrying: {problem}");
                let retry = prompts::plan_retry_prompt(name, &summary, &problem);
                let second = self.ai.ask(PromptKind::PlanRetry, retry).await?;
                parse_plan(&second).map_err(GenerationError::Plan)
            }
        }
    }

    /// After new commits: asks which pages to redo and patches them. `None`: plan again.
    async fn incremental(
        &self,
        earlier: EarlierRun,
        commit: &str,
    ) -> Result<Option<Pages>, GenerationError> {
        let dir = self.checkout.clone();
        let (old, new) = (earlier.commit.clone(), commit.to_string());
        let changes = tokio::task::spawn_blocking(move || {
            checkout::changes(&dir, &old, &new, MAX_DIFF_CHARS)
        })
        .await?
        .map_err(GenerationError::Compare)?;
        let Some(changes) = changes else {
            tracing::info!("the last generated commit is not in the clone: planning again");
            return Ok(None);
        };
        let (name, plan) = (&self.key().name, &earlier.plan);
        let prompt = prompts::incremental_prompt(name, plan, &changes.files, &changes.patch);
        let slugs =
            match incremental::parse_redo(&self.ai.ask(PromptKind::Redo, prompt).await?, plan) {
                Redo::Everything => return Ok(None),
                Redo::Nothing => Vec::new(),
                Redo::Pages(slugs) => slugs,
            };
        tracing::info!("pages to update: {slugs:?}");
        let mut pages = earlier.pages;
        let mut rewrite = Vec::new();
        for page in plan.pages().filter(|page| slugs.contains(&page.slug)) {
            let current = pages.get(&page.slug).cloned().unwrap_or_default();
            let prompt = prompts::page_update_prompt(name, page, &current, &changes.patch);
            let answer = self.ai.ask(PromptKind::Update, prompt).await?;
            match incremental::parse_edits(&answer)
                .and_then(|edits| incremental::apply_edits(&current, &edits))
            {
                Some(updated) => {
                    pages.insert(page.slug.clone(), updated);
                }
                None => rewrite.push(page),
            }
        }
        Ok(Some(self.write_pages(plan, &rewrite, pages).await?))
    }

    /// `generating_pages`: writes `todo` in parallel (bounded per job and server-wide),
    /// adding them to `pages`; each finished page is announced.
    async fn write_pages(
        &self,
        plan: &Plan,
        todo: &[&PlannedPage],
        mut pages: Pages,
    ) -> Result<Pages, GenerationError> {
        let plan_json = plan.to_json();
        self.stage(Stage::GeneratingPages, pages.len(), Some(&plan_json))
            .await;
        // Built up front: a stream over a borrowing closure trips the compiler's Send check.
        let calls: Vec<_> = todo
            .iter()
            .map(|page| {
                let page: PlannedPage = (*page).clone();
                let prompt = prompts::page_prompt(&self.key().name, plan, &page);
                async move {
                    let answer = self.ai.ask(PromptKind::Page, prompt).await?;
                    let markdown = pages::clean_page(&answer, &page);
                    Ok::<_, GenerationError>((page.slug, markdown))
                }
            })
            .collect();
        let per_job = self.spec.pages_at_once.max(1);
        let mut written = futures_util::stream::iter(calls).buffer_unordered(per_job);
        while let Some(result) = written.next().await {
            let (slug, markdown) = result?;
            pages.insert(slug, markdown);
            self.stage(Stage::GeneratingPages, pages.len(), Some(&plan_json))
                .await;
        }
        Ok(pages)
    }

    /// `validating`: a page with problems (empty, cut off, naming files that do not exist)
    /// is written once more with the problems quoted. The result is cached for the next run.
    async fn validate(
        &self,
        plan: &Plan,
        plan_json: &str,
        mut pages: Pages,
    ) -> Result<Pages, GenerationError> {
        self.stage(Stage::Validating, pages.len(), Some(plan_json))
            .await;
        for page in plan.pages() {
            let found = pages
                .get(&page.slug)
                .map(|markdown| pages::problems(markdown, &self.checkout))
                .unwrap_or_default();
            if !found.is_empty() {
                tracing::info!(page = %page.slug, "regenerating after validation: {found:?}");
                let prompt = prompts::page_retry_prompt(&self.key().name, plan, page, &found);
                let answer = self.ai.ask(PromptKind::PageRetry, prompt).await?;
                pages.insert(page.slug.clone(), pages::clean_page(&answer, page));
            }
        }
        page_cache::save(&self.cache, &pages).await?;
        Ok(pages)
    }

    /// `cross_linking`: every page, in plan order, linked to the others.
    async fn cross_link(&self, plan: &Plan, plan_json: &str, pages: &Pages) -> Vec<Page> {
        self.stage(Stage::CrossLinking, pages.len(), Some(plan_json))
            .await;
        plan.pages()
            .map(|page| {
                let markdown = pages
                    .get(&page.slug)
                    .map(String::as_str)
                    .unwrap_or_default();
                Page {
                    slug: page.slug.clone(),
                    title: page.title.clone(),
                    markdown: pages::cross_link(markdown, page, plan),
                }
            })
            .collect()
    }

    /// `rendering`: the renderer turns the pages into files, which replace the served site
    /// at once or not at all.
    async fn render(
        &self,
        commit: String,
        plan_json: String,
        pages: Vec<Page>,
    ) -> Result<Finished, GenerationError> {
        self.stage(Stage::Rendering, pages.len(), Some(&plan_json))
            .await;
        let renderer = self
            .pipeline
            .plugins
            .renderer(RENDERER)
            .ok_or(GenerationError::RendererMissing(RENDERER))?;
        let key = self.key();
        let root = self.checkout.clone();
        let project_version = tokio::task::spawn_blocking(move || version::project_version(&root))
            .await
            .unwrap_or_default();
        let site_url = self
            .pipeline
            .site_origin
            .as_deref()
            .map(|origin| site_url(origin, key));
        let input = SiteInput {
            project_name: key.name.clone(),
            branch: key.branch.clone(),
            commit_sha: commit.clone(),
            provider: key.provider.clone(),
            model: key.model.clone(),
            generated_at: super::now_utc(),
            plan_json,
            pages,
            project_version,
            site_url,
        };
        let call = CallContext {
            label: key.to_string(),
            programs_allowed: false,
            ..CallContext::default()
        };
        let files = renderer
            .render(&input, call.clone())
            .await
            .map_err(GenerationError::Render)?;
        // Every renderer has answered before anything is published: a failed export leaves
        // the served site and the exports as they were.
        let mut exports = Vec::new();
        for name in &self.pipeline.extra_renderers {
            let renderer = self.pipeline.plugins.renderer(name).ok_or_else(|| {
                GenerationError::Export(name.clone(), "the renderer is not loaded".into())
            })?;
            let files = renderer
                .render(&input, call.clone())
                .await
                .map_err(|e| GenerationError::Export(name.clone(), e.to_string()))?;
            exports.push((self.pipeline.artifacts.export_dir(key, name), files));
        }
        let site = self.site.clone();
        let owner = key.clone();
        tokio::task::spawn_blocking(move || {
            publish::publish_site(&site, &files, &owner)?;
            for (dir, files) in &exports {
                publish::publish_export(dir, files, &owner)?;
            }
            anyhow::Ok(())
        })
        .await?
        .map_err(GenerationError::Publish)?;
        Ok(Finished {
            commit,
            page_count: input.pages.len() as i64,
            plan_json: input.plan_json,
            stage: None,
        })
    }
}

/// Where a variant's site is read: `{origin}/docs/{project}/{branch}/{provider}/{model}/`,
/// each segment written as docsfy's routes read it (`/` in a branch as `~2F`).
fn site_url(origin: &str, key: &VariantKey) -> String {
    use crate::domain::{encode_branch, encode_segment};
    format!(
        "{origin}/docs/{}/{}/{}/{}/",
        encode_segment(&key.name),
        encode_segment(&encode_branch(&key.branch)),
        encode_segment(&key.provider),
        encode_segment(&key.model)
    )
}

/// Flags a clone to stop when the job that started it is dropped.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}
