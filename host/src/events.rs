//! The in-process bus on which the pipeline and the API announce changes; the WebSocket
//! forwards them to the clients allowed to see them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use serde::Serialize;
use tokio::sync::broadcast;

use crate::domain::{Stage, Status};
use crate::store::variants::{Variant, VariantKey};

/// How many events a slow subscriber may fall behind before it is told to resynchronise.
const CAPACITY: usize = 1024;

/// Something a client may want to hear about.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// A generation moved on (a stage, or one more page).
    Progress {
        name: String,
        branch: String,
        provider: String,
        model: String,
        owner: String,
        status: Status,
        current_stage: Stage,
        page_count: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        plan_json: Option<String>,
        generation_id: String,
    },
    /// A generation ended: ready, error or aborted.
    StatusChange {
        name: String,
        branch: String,
        provider: String,
        model: String,
        owner: String,
        status: Status,
        page_count: i64,
        #[serde(skip_serializing_if = "Option::is_none")]
        last_generated: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        last_commit_sha: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        error_message: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        generation_id: Option<String>,
        total_cost_usd: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        generation_started_at: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        generation_duration: Option<f64>,
    },
    /// Variants of (name, owner) appeared, were replaced or deleted: the listings of
    /// everyone who can see them must be refreshed.
    Changed { name: String, owner: String },
    /// Every project of `owner` is gone (the user was deleted), and their shares with it.
    OwnerGone { owner: String },
    /// `username` was granted or lost access to (name, owner).
    AccessChanged {
        name: String,
        owner: String,
        username: String,
    },
    /// `username`'s credentials changed (key rotated, logged out, account deleted): whoever
    /// authenticated as them must show their credentials still hold.
    AccountChanged { username: String },
    /// The server is stopping: live connections should say goodbye.
    ServerStopping,
}

impl Event {
    /// A progress event for `key`.
    pub fn progress(
        key: &VariantKey,
        generation_id: &str,
        stage: Stage,
        page_count: i64,
        plan_json: Option<String>,
    ) -> Event {
        Event::Progress {
            name: key.name.clone(),
            branch: key.branch.clone(),
            provider: key.provider.clone(),
            model: key.model.clone(),
            owner: key.owner.clone(),
            status: Status::Generating,
            current_stage: stage,
            page_count,
            plan_json,
            generation_id: generation_id.to_string(),
        }
    }

    /// The terminal event for a variant, from its row as it was stored: `last_generated` and
    /// `last_commit_sha` are sent on `ready` only, `error_message` when the run did not
    /// succeed.
    pub fn status_change(variant: &Variant) -> Event {
        let ready = variant.status == Status::Ready;
        let key = variant.key.clone();
        Event::StatusChange {
            name: key.name,
            branch: key.branch,
            provider: key.provider,
            model: key.model,
            owner: key.owner,
            status: variant.status,
            page_count: variant.page_count,
            last_generated: variant.last_generated.clone().filter(|_| ready),
            // On error or abort the stored sha is the previous run's, not this one's.
            last_commit_sha: variant.last_commit_sha.clone().filter(|_| ready),
            error_message: variant.error_message.clone().filter(|_| !ready),
            generation_id: variant.generation_id.clone(),
            total_cost_usd: variant.total_cost_usd,
            generation_started_at: variant.generation_started_at.clone(),
            generation_duration: variant.generation_duration,
        }
    }
}

/// An event as its listeners receive it: shared, and turned into JSON at most once however
/// many sockets forward it.
#[derive(Debug)]
pub struct Published {
    /// What happened.
    pub event: Event,
    json: OnceLock<String>,
}

impl Published {
    /// The event as the WebSocket sends it.
    pub fn json(&self) -> &str {
        self.json.get_or_init(|| {
            serde_json::to_string(&self.event).unwrap_or_else(|error| {
                // Strings and integers only: this cannot fail, but a socket must not panic.
                tracing::error!("cannot serialise {:?}: {error}", self.event);
                String::from("{}")
            })
        })
    }
}

/// The bus. Cloning shares it.
#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Arc<Published>>,
    published: Arc<AtomicU64>,
}

impl Default for EventBus {
    fn default() -> Self {
        EventBus {
            sender: broadcast::channel(CAPACITY).0,
            published: Arc::default(),
        }
    }
}

impl EventBus {
    /// Announces an event; nobody listening is fine. Publish after the change is stored, so
    /// that whoever hears of it reads the new state.
    pub fn publish(&self, event: Event) {
        // Counted before sending: a listener that hears the event also sees the new count,
        // which is what lets snapshots built before it be told apart (see `published`).
        self.published.fetch_add(1, Ordering::SeqCst);
        let _ = self.sender.send(Arc::new(Published {
            event,
            json: OnceLock::new(),
        }));
    }

    /// How many events were published so far. A snapshot of stored state taken when this
    /// read `n` reflects every change announced by the first `n` events.
    pub fn published(&self) -> u64 {
        self.published.load(Ordering::SeqCst)
    }

    /// Listens from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Published>> {
        self.sender.subscribe()
    }
}
