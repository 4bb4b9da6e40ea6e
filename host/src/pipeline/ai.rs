//! One variant's way of asking the AI: its provider and model, the checkout as the working
//! directory, and the server-wide limit on calls in flight.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::error::GenerationError;
use super::prompts::PromptKind;
use crate::plugins::{CallContext, CompletionRequest, ProviderHandle};
use crate::store::Store;
use crate::store::variants::VariantKey;

/// The provider of one job, bound to its model, checkout and limits.
pub struct Ai {
    pub provider: ProviderHandle,
    pub model: String,
    pub timeout: Duration,
    pub workdir: PathBuf,
    pub label: String,
    pub permits: Arc<Semaphore>,
    pub spending: Spending,
}

/// Where the cost of each call goes: the variant's `total_cost_usd`, as calls finish, so an
/// aborted or failed generation still shows what it cost.
pub struct Spending {
    pub store: Store,
    pub key: VariantKey,
}

impl Spending {
    async fn add(&self, usd: Option<f64>) {
        let Some(usd) = usd.filter(|usd| usd.is_finite() && *usd > 0.0) else {
            return;
        };
        if let Err(error) = self.store.add_cost(&self.key, usd).await {
            tracing::warn!("could not record the cost of a call: {error}");
        }
    }
}

impl Ai {
    /// What every call of this job runs with.
    pub fn context(&self) -> CallContext {
        CallContext {
            workdir: Some(self.workdir.clone()).filter(|d| d.is_dir()),
            max_program_time: self.timeout,
            label: self.label.clone(),
            call_kind: None,
            programs_allowed: true,
        }
    }

    /// Whether the provider can serve the model (its CLI is there, it is logged in).
    pub async fn check(&self) -> Result<(), GenerationError> {
        self.clear_agent_config()?;
        Ok(self.provider.check(&self.model, self.context()).await?)
    }

    /// Removes agent configuration an earlier call may have written at the top of the
    /// checkout, before the next CLI starts there (the clone was swept already).
    fn clear_agent_config(&self) -> Result<(), GenerationError> {
        super::tree::remove_agent_config(&self.workdir)
            .map(drop)
            .map_err(GenerationError::AgentConfig)
    }

    /// Sends `prompt` (a call of `kind`), waiting for a turn under the server-wide limit;
    /// the answer's text.
    pub async fn ask(&self, kind: PromptKind, prompt: String) -> Result<String, GenerationError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| GenerationError::Cancelled)?;
        self.clear_agent_config()?;
        let request = CompletionRequest {
            model: self.model.clone(),
            prompt,
            timeout_secs: u32::try_from(self.timeout.as_secs()).unwrap_or(u32::MAX),
            workdir: Some(self.workdir.display().to_string()),
        };
        let mut context = self.context();
        context.call_kind = Some(kind.as_str());
        let completion = self.provider.complete(&request, context).await?;
        self.spending.add(completion.usage.cost_usd).await;
        Ok(completion.text)
    }
}
