//! Why a generation failed, in the words its variant's `error_message` shows.

use super::checkout::CheckoutError;
use super::plan::PlanProblem;
use crate::plugins::PluginError;
use crate::store::DbError;

/// A generation that could not finish. The messages are the ones users have seen since the
/// first release; scripts match on them.
#[derive(Debug, thiserror::Error)]
pub enum GenerationError {
    /// The variant's provider is not among the loaded plugins.
    #[error("The provider '{0}' is not loaded")]
    ProviderMissing(String),
    /// The provider refused or failed a call (its CLI is missing, it timed out, it crashed).
    #[error("{0}")]
    Provider(#[from] PluginError),
    /// The job's work directory could not be made.
    #[error("Cannot create the work directory: {0}")]
    WorkDirectory(std::io::Error),
    /// The repository could not be cloned or opened.
    #[error("Cloning failed: {0}")]
    Clone(CheckoutError),
    /// The checkout could not be read for the plan prompt.
    #[error("Cannot read the repository: {0}")]
    ReadRepository(std::io::Error),
    /// The previous and the new commit could not be compared.
    #[error("Cannot compare commits: {0}")]
    Compare(CheckoutError),
    /// Agent configuration could not be removed before an AI call.
    #[error("Cannot remove agent configuration from the checkout: {0}")]
    AgentConfig(std::io::Error),
    /// Two answers in a row were not a usable plan.
    #[error("The AI returned an unusable documentation plan twice: {0}")]
    Plan(PlanProblem),
    /// The pages could not be kept for the next incremental run.
    #[error("Cannot write the page cache: {0}")]
    PageCache(std::io::Error),
    /// The site renderer is not loaded.
    #[error("The renderer '{0}' is not loaded")]
    RendererMissing(&'static str),
    /// The renderer failed.
    #[error("Rendering failed: {0}")]
    Render(PluginError),
    /// A renderer of `render.extra` is not loaded, or failed.
    #[error("Rendering the {0} export failed: {1}")]
    Export(String, String),
    /// The rendered files could not replace the site being served.
    #[error("Publishing failed: {0:#}")]
    Publish(anyhow::Error),
    /// The result could not be stored.
    #[error("Could not record the result: {0}")]
    Record(DbError),
    /// The server is stopping: the limit on AI calls no longer hands out turns.
    #[error("The server is stopping")]
    Cancelled,
    /// A blocking step panicked or was cancelled.
    #[error("{0}")]
    Task(#[from] tokio::task::JoinError),
}
