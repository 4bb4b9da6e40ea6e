//! The project listing (`/api/status`, `/api/projects` and the WebSocket's `sync`), built once
//! per audience and per state: a thousand sockets told of the same change share one query.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::OnceCell;

use crate::auth::Principal;
use crate::domain::Visibility;
use crate::events::EventBus;
use crate::store::{DbError, Store};

/// The body of `/api/status`, `/api/projects` and the WebSocket's `sync`.
#[derive(Debug, Serialize)]
pub struct ProjectsResponse {
    /// Accessible variants (Project objects), most recently updated first, as JSON built by
    /// the database.
    pub projects: Box<serde_json::value::RawValue>,
    /// Ready model IDs grouped by provider, across the server.
    pub known_models: BTreeMap<String, Vec<String>>,
    /// Ready branches grouped by project name: all for admins, the caller's own otherwise.
    pub known_branches: BTreeMap<String, Vec<String>>,
    /// What the latest generations of the listed variants cost, together.
    pub total_cost_usd: f64,
}

/// What `principal` sees in the project listing, read from the database now.
pub async fn projects_for(
    store: &Store,
    principal: &Principal,
) -> Result<ProjectsResponse, DbError> {
    let visibility = principal.visibility();
    // Branches: all for those who see everything, otherwise the user's own.
    let owner = match &visibility {
        Visibility::All => None,
        Visibility::User(username) => Some(username.as_str()),
    };
    Ok(ProjectsResponse {
        projects: serde_json::value::RawValue::from_string(
            store.list_variants_json(&visibility).await?,
        )
        .map_err(unserialisable)?,
        known_models: store.known_models().await?,
        known_branches: store.known_branches(owner).await?,
        total_cost_usd: store.total_cost(&visibility).await?,
    })
}

/// One audience's listing, rendered.
#[derive(Clone)]
pub struct Listing {
    /// The JSON body of `/api/status`.
    pub body: Arc<str>,
    /// Its `known_models`, as JSON: server-wide, so a change elsewhere can alter it.
    pub known_models: Arc<str>,
}

impl Listing {
    /// The WebSocket `sync` message: the listing with its `type`.
    pub fn sync_message(&self) -> String {
        // The body is a JSON object; its fields follow the discriminator.
        format!("{{\"type\":\"sync\",{}", &self.body[1..])
    }
}

/// One audience's listing as of a count of published events.
struct Snapshot {
    as_of: u64,
    listing: OnceCell<Listing>,
}

/// Listings as JSON text, rebuilt only after an event says something changed.
pub struct Listings {
    store: Store,
    events: EventBus,
    // Everyone with the same visibility (all admins alike, every other user their own)
    // sees the same listing.
    latest: Mutex<HashMap<Visibility, Arc<Snapshot>>>,
}

impl Listings {
    /// Listings of `store`, kept fresh by the events on `events`.
    pub fn new(store: Store, events: EventBus) -> Listings {
        Listings {
            store,
            events,
            latest: Mutex::new(HashMap::new()),
        }
    }

    /// The listing `principal` sees. Every change is stored before its event is published,
    /// so a snapshot started after the last event shows every change announced so far.
    pub async fn for_principal(&self, principal: &Principal) -> Result<Listing, DbError> {
        let now = self.events.published();
        let audience = principal.visibility();
        let snapshot = {
            let mut latest = self.latest.lock().unwrap_or_else(|e| e.into_inner());
            match latest.get(&audience) {
                Some(snapshot) if snapshot.as_of >= now => snapshot.clone(),
                _ => {
                    // Older snapshots of every audience are of no more use: drop them so
                    // memory holds one listing per audience still being asked for.
                    latest.retain(|_, s| s.as_of >= now);
                    let fresh = Arc::new(Snapshot {
                        as_of: now,
                        listing: OnceCell::new(),
                    });
                    latest.insert(audience, fresh.clone());
                    fresh
                }
            }
        };
        snapshot
            .listing
            .get_or_try_init(|| async {
                let listing = projects_for(&self.store, principal).await?;
                let listing_json = serde_json::to_string(&listing).map_err(unserialisable)?;
                let models_json =
                    serde_json::to_string(&listing.known_models).map_err(unserialisable)?;
                Ok::<_, DbError>(Listing {
                    body: Arc::from(listing_json),
                    known_models: Arc::from(models_json),
                })
            })
            .await
            .cloned()
    }
}

fn unserialisable(error: serde_json::Error) -> DbError {
    DbError::Other(sqlx::Error::Decode(error.into()))
}
