//! Which variant a docs request names, remembered until the next event. Every change to
//! variants, shares and accounts is stored before its event is published, so an answer
//! found after the last event still holds; reading the event count before the query means an
//! answer that raced a change is already out of date when it is stored. This spares the
//! docs route a database round trip per file, which cost most of its time.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{ApiError, resolve};
use crate::auth::Principal;
use crate::domain::Visibility;
use crate::events::EventBus;
use crate::store::Store;
use crate::store::variants::Variant;

/// More remembered answers than this and they are all forgotten (a crawler walking every
/// path of every variant should not grow the server).
const MOST_REMEMBERED: usize = 10_000;

/// Who asks and what they name: every input of `resolve::variant`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Question {
    visibility: Visibility,
    username: String,
    admin: bool,
    segments: [String; 4],
    owner: Option<String>,
}

/// The answers found while the event count was the first number.
type Answers = (u64, HashMap<Question, Result<Variant, ApiError>>);

/// Answers as of a count of published events.
pub struct Resolutions {
    events: EventBus,
    remembered: Mutex<Answers>,
}

impl Resolutions {
    pub fn new(events: EventBus) -> Resolutions {
        Resolutions {
            events,
            remembered: Mutex::new((0, HashMap::new())),
        }
    }

    /// `resolve::variant`, answered from memory when nothing changed since it was asked.
    pub async fn variant(
        &self,
        store: &Store,
        principal: &Principal,
        segments: [&str; 4],
        owner: Option<&str>,
    ) -> Result<Variant, ApiError> {
        let question = Question {
            visibility: principal.visibility(),
            username: principal.username.clone(),
            admin: principal.is_admin(),
            segments: segments.map(str::to_string),
            owner: owner.map(str::to_string),
        };
        let as_of = self.events.published();
        {
            let remembered = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
            if remembered.0 == as_of
                && let Some(answer) = remembered.1.get(&question)
            {
                return answer.clone();
            }
        }
        let answer = resolve::variant(store, principal, segments, owner).await;
        // Only answers that say what is stored: a failing database is asked again.
        if answer.is_ok() || answer.as_ref().is_err_and(|e| e.status.is_client_error()) {
            let mut remembered = self.remembered.lock().unwrap_or_else(|e| e.into_inner());
            if remembered.0 != as_of || remembered.1.len() >= MOST_REMEMBERED {
                // Older answers may be stale; one asked before a newer event is not kept.
                if remembered.0 > as_of {
                    return answer;
                }
                *remembered = (as_of, HashMap::new());
            }
            remembered.1.insert(question, answer.clone());
        }
        answer
    }
}
