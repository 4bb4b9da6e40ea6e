//! One variant's way of asking the AI: its provider and model, the checkout as the working
//! directory, and the server-wide limit on calls in flight.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use super::error::GenerationError;
use super::prompts::PromptKind;
use crate::plugins::{CallContext, CompletionRequest, ProviderHandle, Usage};
use crate::store::Store;
use crate::store::variants::{CallUsage, VariantKey};

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

/// Where the cost and tokens of each call go: the variant's `total_cost_usd`,
/// `total_input_tokens` and `total_output_tokens`, as calls finish, so an aborted or failed
/// generation still shows what it used.
pub struct Spending {
    pub store: Store,
    pub key: VariantKey,
}

impl Spending {
    async fn add(&self, usage: &Usage) {
        let tokens = |n: Option<u64>| n.map_or(0, |n| i64::try_from(n).unwrap_or(i64::MAX));
        let call = CallUsage {
            cost_usd: usage
                .cost_usd
                .filter(|usd| usd.is_finite() && *usd > 0.0)
                .unwrap_or(0.0),
            input_tokens: tokens(usage.input_tokens),
            output_tokens: tokens(usage.output_tokens),
        };
        if call == CallUsage::default() {
            return;
        }
        if let Err(error) = self.store.add_usage(&self.key, &call).await {
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
        self.spending.add(&completion.usage).await;
        Ok(completion.text)
    }
}
