//! Run-time defaults (`GET`/`PUT /api/admin/settings`, admins): the default provider and
//! model, `ai_cli_timeout` and `max_concurrent_pages`, stored in the database and used by the
//! next generation. A key the config file or the environment sets wins, as in docsfy, and
//! the answer says which ones do.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use warp::Filter;
use warp::Reply;
use warp::http::StatusCode;
use warp::reply::Response;

use super::error::respond;
use super::principal::{caller, require_admin};
use super::{ApiError, AppState, Shared};
use crate::auth::Principal;
use crate::config::RUNTIME_SETTINGS;

/// The most pages one generation may write at once.
const MAX_PAGES_AT_ONCE: u64 = 100;

/// The defaults in force now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Defaults {
    pub ai_provider: String,
    pub ai_model: String,
    pub ai_cli_timeout: u64,
    pub max_concurrent_pages: usize,
}

impl Shared {
    /// The defaults in force: what the operator set, else what an admin stored, else the
    /// built-in defaults.
    pub async fn defaults(&self) -> Result<Defaults, ApiError> {
        let stored = self.store.stored_settings().await?;
        let config = &self.config;
        let pick = |key: &str| -> Option<&String> {
            if config.set_by_operator.iter().any(|k| k == key) {
                None
            } else {
                stored.get(key)
            }
        };
        Ok(Defaults {
            ai_provider: pick("ai_provider")
                .cloned()
                .unwrap_or_else(|| config.ai_provider.clone()),
            ai_model: pick("ai_model")
                .cloned()
                .unwrap_or_else(|| config.ai_model.clone()),
            ai_cli_timeout: pick("ai_cli_timeout")
                .and_then(|v| v.parse().ok())
                .unwrap_or(config.ai_cli_timeout),
            max_concurrent_pages: pick("max_concurrent_pages")
                .and_then(|v| v.parse().ok())
                .unwrap_or(config.max_concurrent_pages),
        })
    }

    /// The model used with `provider` when a request names none: the default model if
    /// `provider` is the default provider (that model belongs to it), else the provider's own
    /// default.
    pub fn default_model_for(&self, defaults: &Defaults, provider: &str) -> String {
        if provider == defaults.ai_provider && !defaults.ai_model.is_empty() {
            return defaults.ai_model.clone();
        }
        self.plugins
            .provider(provider)
            .and_then(|p| p.description().default_model.clone())
            .unwrap_or_default()
    }
}

pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let read = warp::path!("api" / "admin" / "settings")
        .and(warp::get())
        .and(caller(state.clone()))
        .then(|who: Principal, state: AppState| async move {
            respond(
                async {
                    require_admin(&who).map(drop)?;
                    shown(&state).await
                }
                .await,
            )
        });
    let write = warp::path!("api" / "admin" / "settings")
        .and(warp::put())
        .and(caller(state))
        .and(super::body::json_object())
        .then(
            |who: Principal, state: AppState, body: serde_json::Map<String, Value>| async move {
                respond(
                    async {
                        require_admin(&who).map(drop)?;
                        let values = checked(&state, &body)?;
                        state.store.put_settings(&values).await?;
                        shown(&state).await
                    }
                    .await,
                )
            },
        );
    read.or(write).unify()
}

/// `{"settings": {...in force...}, "overridden": [keys the operator set]}`.
async fn shown(state: &AppState) -> Result<Response, ApiError> {
    let defaults = state.defaults().await?;
    let body = json!({
        "settings": {
            "ai_provider": defaults.ai_provider,
            "ai_model": defaults.ai_model,
            "ai_cli_timeout": defaults.ai_cli_timeout,
            "max_concurrent_pages": defaults.max_concurrent_pages,
        },
        "overridden": state.config.set_by_operator,
    });
    Ok(warp::reply::json(&body).into_response())
}

/// The body's settings as stored text, or a 422 naming what is wrong.
fn checked(
    state: &AppState,
    body: &serde_json::Map<String, Value>,
) -> Result<BTreeMap<String, String>, ApiError> {
    let refuse = |detail: String| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, detail);
    let mut values = BTreeMap::new();
    for (key, value) in body {
        let text = match (key.as_str(), value) {
            ("ai_provider", Value::String(name)) => {
                if state.plugins.provider(name).is_none() {
                    return Err(refuse(format!(
                        "Invalid AI provider: '{name}'. Must be one of: {}",
                        state.plugins.provider_names().join(", ")
                    )));
                }
                name.clone()
            }
            ("ai_model", Value::String(model)) => model.trim().to_string(),
            ("ai_cli_timeout", value) => match value.as_u64() {
                Some(secs @ 1..) if secs <= state.config.generations.max_ai_cli_timeout => {
                    secs.to_string()
                }
                _ => {
                    return Err(refuse(format!(
                        "ai_cli_timeout must be an integer from 1 to {}",
                        state.config.generations.max_ai_cli_timeout
                    )));
                }
            },
            ("max_concurrent_pages", value) => match value.as_u64() {
                Some(pages @ 1..=MAX_PAGES_AT_ONCE) => pages.to_string(),
                _ => {
                    return Err(refuse(format!(
                        "max_concurrent_pages must be an integer from 1 to {MAX_PAGES_AT_ONCE}"
                    )));
                }
            },
            (known, _) if RUNTIME_SETTINGS.contains(&known) => {
                return Err(refuse(format!("{known} must be a string")));
            }
            (unknown, _) => {
                return Err(refuse(format!(
                    "Unknown setting '{unknown}'. Settings: {}",
                    RUNTIME_SETTINGS.join(", ")
                )));
            }
        };
        values.insert(key.clone(), text);
    }
    Ok(values)
}
