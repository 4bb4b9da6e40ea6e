//! The `variants` table: one row per (name, branch, provider, model, owner), with every field
//! of the API's Project object. Reads are in `reads`, writes in `writes`; the column list, the
//! by-key condition and the visibility condition are written once, here.

mod reads;
mod writes;

use std::sync::LazyLock;

use serde::Serialize;
use sqlx::Row;
use sqlx::sqlite::{SqliteArguments, SqliteRow};

pub use crate::domain::Visibility;
use crate::domain::{Stage, Status};

/// Identifies one variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct VariantKey {
    /// Project name.
    pub name: String,
    /// Git branch.
    pub branch: String,
    /// AI provider.
    #[serde(rename = "ai_provider")]
    pub provider: String,
    /// AI model.
    #[serde(rename = "ai_model")]
    pub model: String,
    /// Owner username ('' for legacy rows).
    pub owner: String,
}

impl VariantKey {
    /// `name/branch/provider/model`, as the API reports deletions and aborts.
    pub fn path(&self) -> String {
        format!(
            "{}/{}/{}/{}",
            self.name, self.branch, self.provider, self.model
        )
    }
}

impl std::fmt::Display for VariantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.path())
    }
}

/// A variant exactly as the API's Project object (the key's fields first).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variant {
    /// Which variant.
    #[serde(flatten)]
    pub key: VariantKey,
    pub repo_url: String,
    pub status: Status,
    pub current_stage: Option<Stage>,
    pub last_commit_sha: Option<String>,
    pub last_generated: Option<String>,
    pub page_count: i64,
    pub error_message: Option<String>,
    pub plan_json: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The id of the variant's latest generation (a UUID).
    pub generation_id: Option<String>,
    /// What the latest generation's AI calls cost, as the providers reported it.
    pub total_cost_usd: f64,
    /// Tokens the latest generation's AI calls read, as the providers reported them.
    pub total_input_tokens: i64,
    /// Tokens they wrote.
    pub total_output_tokens: i64,
    /// When the latest generation started.
    pub generation_started_at: Option<String>,
    /// How long it took, in seconds, once it ended.
    pub generation_duration: Option<f64>,
}

/// What one AI call used, as its provider reported it (0 for what it did not report).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallUsage {
    /// Its cost in US dollars.
    pub cost_usd: f64,
    /// Tokens read.
    pub input_tokens: i64,
    /// Tokens written.
    pub output_tokens: i64,
}

/// A new or replaced variant row; the fields a generation sets at its start.
#[derive(Debug, Clone)]
pub struct NewVariant {
    /// Which variant.
    pub key: VariantKey,
    /// Where it comes from.
    pub repo_url: String,
    /// Its status.
    pub status: Status,
    /// The generation's id.
    pub generation_id: String,
}

/// The Project object's fields, in order: each is a column of the same name.
const FIELDS: [&str; 21] = [
    "name",
    "branch",
    "ai_provider",
    "ai_model",
    "owner",
    "repo_url",
    "status",
    "current_stage",
    "last_commit_sha",
    "last_generated",
    "page_count",
    "error_message",
    "plan_json",
    "created_at",
    "updated_at",
    "generation_id",
    "total_cost_usd",
    "total_input_tokens",
    "total_output_tokens",
    "generation_started_at",
    "generation_duration",
];

/// The columns of a Project object, for `SELECT` and `RETURNING`.
static COLUMNS: LazyLock<String> = LazyLock::new(|| FIELDS.join(", "));

/// One row as the API's Project object, built by SQLite.
static PROJECT_OBJECT: LazyLock<String> = LazyLock::new(|| {
    let pairs: Vec<String> = FIELDS
        .iter()
        .map(|field| format!("'{field}', {field}"))
        .collect();
    format!("json_object({})", pairs.join(", "))
});

/// The condition that picks one variant, bound by [`bind_key`].
const BY_KEY: &str = "name = ? AND branch = ? AND ai_provider = ? AND ai_model = ? AND owner = ?";

/// Most recently written first, by the write sequence [`TOUCH`] keeps.
const NEWEST_FIRST: &str = "ORDER BY touched DESC, rowid DESC";

/// What every write of a row sets: `updated_at`, and its place in the write sequence (SQLite
/// runs one write at a time, so the sequence is a total order even within one second).
const TOUCH: &str =
    "updated_at = datetime('now'), touched = (SELECT ifnull(max(touched), 0) + 1 FROM variants)";

type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, SqliteArguments>;

/// What the end of a generation sets besides its status: how long it took.
const ENDED: &str = "generation_duration = \
    round((julianday('now') - julianday(generation_started_at)) * 86400.0, 1)";

/// Binds a variant's key in the order of [`BY_KEY`].
fn bind_key<'q>(query: Query<'q>, key: &'q VariantKey) -> Query<'q> {
    query
        .bind(&key.name)
        .bind(&key.branch)
        .bind(&key.provider)
        .bind(&key.model)
        .bind(&key.owner)
}

/// [`Visibility::sees`] as an SQL condition on a `variants` row, with its bind values.
fn visible(visibility: &Visibility) -> (&'static str, Vec<&str>) {
    match visibility {
        Visibility::All => ("1 = 1", Vec::new()),
        Visibility::User(username) => (
            "(owner = ? OR EXISTS (SELECT 1 FROM project_access a \
              WHERE a.project_name = variants.name AND a.project_owner = variants.owner \
              AND a.username = ?))",
            vec![username, username],
        ),
    }
}

fn variant_from(row: &SqliteRow) -> Result<Variant, sqlx::Error> {
    Ok(Variant {
        key: key_from(row)?,
        repo_url: row.try_get("repo_url")?,
        status: row.try_get("status")?,
        current_stage: row.try_get("current_stage")?,
        last_commit_sha: row.try_get("last_commit_sha")?,
        last_generated: row.try_get("last_generated")?,
        page_count: row.try_get("page_count")?,
        error_message: row.try_get("error_message")?,
        plan_json: row.try_get("plan_json")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        generation_id: row.try_get("generation_id")?,
        total_cost_usd: row.try_get("total_cost_usd")?,
        total_input_tokens: row.try_get("total_input_tokens")?,
        total_output_tokens: row.try_get("total_output_tokens")?,
        generation_started_at: row.try_get("generation_started_at")?,
        generation_duration: row.try_get("generation_duration")?,
    })
}

pub(super) fn key_from(row: &SqliteRow) -> Result<VariantKey, sqlx::Error> {
    Ok(VariantKey {
        name: row.try_get("name")?,
        branch: row.try_get("branch")?,
        provider: row.try_get("ai_provider")?,
        model: row.try_get("ai_model")?,
        owner: row.try_get("owner")?,
    })
}

#[cfg(test)]
mod tests;
