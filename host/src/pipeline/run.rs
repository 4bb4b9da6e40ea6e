//! The pipeline: taking a generation in (its row, its job, its announcement), following it
//! through its stages ([`Job`]), and ending it `ready`, `error` or (through
//! [`Pipeline::abort`]) `aborted`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, broadcast};
use tracing::Instrument as _;

use super::error::GenerationError;
use super::job::{Finished, Job};
use super::jobs::{JobError, Jobs};
use super::remote::RemotePolicy;
use super::source::{Source, SourceError};
use crate::artifacts::Artifacts;
use crate::domain::{Stage, Status};
use crate::events::{Event, EventBus, Published};
use crate::plugins::PluginRegistry;
use crate::store::variants::{NewVariant, Variant, VariantKey};
use crate::store::{DbError, Store};

/// The renderer every site is built with.
pub const RENDERER: &str = "site";

/// Everything a generation needs. Shared by all jobs.
pub struct Pipeline {
    /// The database.
    pub store: Store,
    /// Generated files.
    pub artifacts: Artifacts,
    /// Providers and renderers.
    pub plugins: PluginRegistry,
    /// Where changes are announced.
    pub(super) events: EventBus,
    /// Running jobs.
    pub(super) jobs: Jobs,
    /// The server-wide bound on AI calls in flight.
    pub ai_calls: Arc<Semaphore>,
    /// Where checkouts live while a job runs.
    pub work_root: PathBuf,
    /// Running generations allowed per owner and in all.
    running_limits: RunningLimits,
    /// What clones may reach.
    pub(super) remotes: RemotePolicy,
    /// See [`PipelineParts::site_origin`].
    pub(super) site_origin: Option<String>,
    /// See [`PipelineParts::extra_renderers`].
    pub(super) extra_renderers: Vec<String>,
    /// Held while a submission is checked and written, so that two at once cannot both
    /// take the last place, and a refused one changes nothing.
    submitting: tokio::sync::Mutex<()>,
}

/// How many generations may run at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunningLimits {
    /// Per owner.
    pub per_owner: usize,
    /// On the whole server.
    pub total: usize,
}

/// What the pipeline needs to build it; see [`Pipeline`]'s fields.
pub struct PipelineParts {
    pub store: Store,
    pub artifacts: Artifacts,
    pub plugins: PluginRegistry,
    pub events: EventBus,
    pub max_ai_calls: usize,
    pub work_root: PathBuf,
    pub running_limits: RunningLimits,
    pub remotes: RemotePolicy,
    /// The public origin sites are read at (`https://docs.example.com`), when configured.
    pub site_origin: Option<String>,
    /// Renderers run after the site, whose output is kept as exports (`render.extra`).
    pub extra_renderers: Vec<String>,
}

/// A generation someone asked for.
#[derive(Debug, Clone)]
pub struct Submission {
    /// Which variant.
    pub key: VariantKey,
    /// Where the repository comes from.
    pub source: Source,
    /// The source as the variant's `repo_url` shows it.
    pub repo_url: String,
    /// Regenerate everything.
    pub force: bool,
    /// How long one AI call may take.
    pub ai_timeout: Duration,
    /// Pages written at once.
    pub pages_at_once: usize,
}

/// Why a submission was not taken.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The variant is already generating.
    #[error("already generating")]
    Busy,
    /// The owner already runs as many generations as they may.
    #[error(
        "You already have {0} generation(s) running, the most you may; try again when one has finished"
    )]
    OwnerAtLimit(usize),
    /// The server already runs as many generations as it may.
    #[error("The server is running {0} generation(s), the most it takes at once; try again later")]
    ServerAtLimit(usize),
    /// The variant's row could not be written.
    #[error(transparent)]
    Store(#[from] DbError),
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
    /// This generation's id.
    pub generation_id: String,
    /// Pages written at once.
    pub pages_at_once: usize,
}

impl Pipeline {
    /// Whether a generation may come from `source` under the operator's rules (answered
    /// before anything is written; the clone checks again as it connects).
    pub async fn check_source(&self, source: &Source) -> Result<(), SourceError> {
        source.check(&self.remotes).await
    }

    /// A pipeline with no job running.
    pub fn new(parts: PipelineParts) -> Pipeline {
        Pipeline {
            store: parts.store,
            artifacts: parts.artifacts,
            plugins: parts.plugins,
            events: parts.events,
            jobs: Jobs::default(),
            ai_calls: Arc::new(Semaphore::new(parts.max_ai_calls)),
            work_root: parts.work_root,
            running_limits: parts.running_limits,
            remotes: parts.remotes,
            site_origin: parts.site_origin,
            extra_renderers: parts.extra_renderers,
            submitting: tokio::sync::Mutex::new(()),
        }
    }

    /// Takes a generation in: writes its variant as `generating` (keeping what the last run
    /// left for an incremental update), starts its job and announces it.
    pub async fn submit(self: &Arc<Self>, submission: Submission) -> Result<String, SubmitError> {
        let _one_at_a_time = self.submitting.lock().await;
        let key = submission.key;
        let running = self.jobs.running();
        if running.contains(&key) {
            return Err(SubmitError::Busy);
        }
        let RunningLimits { per_owner, total } = self.running_limits;
        if running.iter().filter(|k| k.owner == key.owner).count() >= per_owner {
            return Err(SubmitError::OwnerAtLimit(per_owner));
        }
        if running.len() >= total {
            return Err(SubmitError::ServerAtLimit(total));
        }
        let previous = self.store.variant(&key).await.ok();
        let generation_id = uuid::Uuid::new_v4().to_string();
        self.store
            .put_variant(&NewVariant {
                key: key.clone(),
                repo_url: submission.repo_url,
                status: Status::Generating,
                generation_id: generation_id.clone(),
            })
            .await?;
        let spec = JobSpec {
            key,
            source: submission.source,
            force: submission.force,
            ai_timeout: submission.ai_timeout,
            previous,
            generation_id: generation_id.clone(),
            pages_at_once: submission.pages_at_once,
        };
        self.start(spec).map_err(|_| SubmitError::Busy)?;
        Ok(generation_id)
    }

    /// Starts a job for `spec`, whose row is already `generating`.
    pub fn start(self: &Arc<Self>, spec: JobSpec) -> Result<(), JobError> {
        // Announced before the job can report progress, so listeners know the variant before
        // they hear of its stages.
        self.changed(&spec.key);
        let pipeline = self.clone();
        let span = tracing::info_span!("generation", variant = %spec.key);
        self.jobs.start(
            spec.key.clone(),
            async move { pipeline.run(spec).await }.instrument(span),
        )
    }

    /// The variants whose generation is running now.
    pub fn running(&self) -> Vec<VariantKey> {
        self.jobs.running()
    }

    /// Announces a change that is already stored.
    pub fn publish(&self, event: Event) {
        self.events.publish(event);
    }

    /// Every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.events.subscribe()
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
        tracing::info!("generation started");
        match Job::run(&self, &spec).await {
            Ok(done) => self.succeed(&spec.key, done).await,
            Err(error) => {
                tracing::warn!("generation failed: {error}");
                self.end(&spec.key, Status::Error, &error.to_string()).await;
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
                let message = GenerationError::Record(error).to_string();
                self.end(key, Status::Error, &message).await
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

    /// Records and announces that `key`'s job reached `stage`.
    pub(super) async fn stage(
        &self,
        spec: &JobSpec,
        stage: Stage,
        page_count: i64,
        plan_json: Option<String>,
    ) {
        if let Err(error) = self.store.set_progress(&spec.key, stage, page_count).await {
            tracing::warn!("could not record progress: {error}");
        }
        self.events.publish(Event::progress(
            &spec.key,
            &spec.generation_id,
            stage,
            page_count,
            plan_json,
        ));
    }
}
