//! The `variants` table: one row per (name, branch, provider, model, owner), with every field
//! of the API's Project object.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{DbError, Store, composed};

/// Identifies one variant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VariantKey {
    /// Project name.
    pub name: String,
    /// Git branch.
    pub branch: String,
    /// AI provider.
    pub provider: String,
    /// AI model.
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

/// A variant exactly as the API's Project object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Variant {
    pub name: String,
    pub branch: String,
    pub ai_provider: String,
    pub ai_model: String,
    pub owner: String,
    pub repo_url: String,
    pub status: String,
    pub current_stage: Option<String>,
    pub last_commit_sha: Option<String>,
    pub last_generated: Option<String>,
    pub page_count: i64,
    pub error_message: Option<String>,
    pub plan_json: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl Variant {
    /// The variant's key.
    pub fn key(&self) -> VariantKey {
        VariantKey {
            name: self.name.clone(),
            branch: self.branch.clone(),
            provider: self.ai_provider.clone(),
            model: self.ai_model.clone(),
            owner: self.owner.clone(),
        }
    }
}

/// Which variants a caller may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility<'a> {
    /// Admins: every variant.
    All,
    /// Others: their own, and those of projects shared with them.
    User(&'a str),
}

/// The columns of a Project object, in order.
const COLUMNS: &str = "v.name, v.branch, v.ai_provider, v.ai_model, v.owner, v.repo_url, \
     v.status, v.current_stage, v.last_commit_sha, v.last_generated, v.page_count, \
     v.error_message, v.plan_json, v.created_at, v.updated_at";

/// The same columns unqualified, for `RETURNING` (which cannot name a table alias).
const RETURNED: &str = "name, branch, ai_provider, ai_model, owner, repo_url, status, \
     current_stage, last_commit_sha, last_generated, page_count, error_message, plan_json, \
     created_at, updated_at";

/// One row as the API's Project object, built by SQLite.
const PROJECT_OBJECT: &str = "json_object('name', v.name, 'branch', v.branch, \
     'ai_provider', v.ai_provider, 'ai_model', v.ai_model, 'owner', v.owner, \
     'repo_url', v.repo_url, 'status', v.status, 'current_stage', v.current_stage, \
     'last_commit_sha', v.last_commit_sha, 'last_generated', v.last_generated, \
     'page_count', v.page_count, 'error_message', v.error_message, 'plan_json', v.plan_json, \
     'created_at', v.created_at, 'updated_at', v.updated_at)";

/// Most recently updated first; rowid breaks ties between updates in the same second.
const NEWEST_FIRST: &str = "ORDER BY v.updated_at DESC, v.rowid DESC";

fn variant_from(row: &SqliteRow) -> Result<Variant, sqlx::Error> {
    Ok(Variant {
        name: row.try_get("name")?,
        branch: row.try_get("branch")?,
        ai_provider: row.try_get("ai_provider")?,
        ai_model: row.try_get("ai_model")?,
        owner: row.try_get("owner")?,
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

/// Binds a variant's key, in the order of the `name = ? AND branch = ? AND ai_provider = ?
/// AND ai_model = ? AND owner = ?` condition that ends each by-key query.
fn bind_key<'q>(
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>,
    key: &'q VariantKey,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments> {
    query
        .bind(&key.name)
        .bind(&key.branch)
        .bind(&key.provider)
        .bind(&key.model)
        .bind(&key.owner)
}

/// The SQL condition for a visibility, with its bind values.
fn visible(visibility: Visibility<'_>) -> (&'static str, Vec<&str>) {
    match visibility {
        Visibility::All => ("1 = 1", Vec::new()),
        Visibility::User(username) => (
            "(v.owner = ? OR EXISTS (SELECT 1 FROM project_access a \
              WHERE a.project_name = v.name AND a.project_owner = v.owner AND a.username = ?))",
            vec![username, username],
        ),
    }
}

/// A new or replaced variant row; the fields a generation sets at its start.
#[derive(Debug, Clone)]
pub struct NewVariant {
    /// Which variant.
    pub key: VariantKey,
    /// Where it comes from.
    pub repo_url: String,
    /// Its status.
    pub status: String,
}

impl Store {
    /// Every visible variant, most recently updated first.
    pub async fn list_variants(&self, visibility: Visibility<'_>) -> Result<Vec<Variant>, DbError> {
        self.select_visible(visibility, "1 = 1", &[], NEWEST_FIRST)
            .await
    }

    /// Every visible variant as a JSON array of Project objects, most recently updated first.
    /// SQLite builds the JSON itself: for large listings this is several times cheaper than
    /// decoding every row and serialising it again.
    pub async fn list_variants_json(&self, visibility: Visibility<'_>) -> Result<String, DbError> {
        let (condition, values) = visible(visibility);
        let sql = format!(
            "SELECT coalesce(json_group_array({PROJECT_OBJECT} ORDER BY v.updated_at DESC, v.rowid DESC), '[]') AS projects \
             FROM variants v WHERE {condition}"
        );
        let mut query = sqlx::query(composed(sql));
        for value in values {
            query = query.bind(value);
        }
        let row = query.fetch_one(self.pool()).await?;
        Ok(row.try_get("projects")?)
    }

    /// Visible variants of project `name`, most recently updated first.
    pub async fn variants_named(
        &self,
        visibility: Visibility<'_>,
        name: &str,
    ) -> Result<Vec<Variant>, DbError> {
        self.select_visible(visibility, "v.name = ?", &[name], NEWEST_FIRST)
            .await
    }

    /// Visible variants with this name, branch, provider and model: one per owner.
    pub async fn variants_matching(
        &self,
        visibility: Visibility<'_>,
        name: &str,
        branch: &str,
        provider: &str,
        model: &str,
    ) -> Result<Vec<Variant>, DbError> {
        self.select_visible(
            visibility,
            "v.name = ? AND v.branch = ? AND v.ai_provider = ? AND v.ai_model = ?",
            &[name, branch, provider, model],
            "ORDER BY v.owner",
        )
        .await
    }

    /// Variants matching `filter` (a constant condition with `?` placeholders for
    /// `filter_values`) that `visibility` allows, in `order`.
    async fn select_visible(
        &self,
        visibility: Visibility<'_>,
        filter: &str,
        filter_values: &[&str],
        order: &str,
    ) -> Result<Vec<Variant>, DbError> {
        let (condition, visibility_values) = visible(visibility);
        let sql =
            format!("SELECT {COLUMNS} FROM variants v WHERE {filter} AND {condition} {order}");
        let mut query = sqlx::query(composed(sql));
        for value in filter_values.iter().chain(&visibility_values) {
            query = query.bind(*value);
        }
        let rows = query.fetch_all(self.pool()).await?;
        Ok(rows.iter().map(variant_from).collect::<Result<_, _>>()?)
    }

    /// One variant by its full key.
    pub async fn variant(&self, key: &VariantKey) -> Result<Variant, DbError> {
        let row = bind_key(
            sqlx::query(composed(format!(
                "SELECT {COLUMNS} FROM variants v WHERE v.name = ? AND v.branch = ? \
             AND v.ai_provider = ? AND v.ai_model = ? AND v.owner = ?"
            ))),
            key,
        )
        .fetch_one(self.pool())
        .await?;
        Ok(variant_from(&row)?)
    }

    /// Creates a variant, or resets an existing one to the given status and source.
    pub async fn put_variant(&self, new: &NewVariant) -> Result<Variant, DbError> {
        let key = &new.key;
        let row = bind_key(sqlx::query(composed(format!(
            "INSERT INTO variants (name, branch, ai_provider, ai_model, owner, repo_url, status) \
             VALUES (?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (name, branch, ai_provider, ai_model, owner) DO UPDATE SET \
               repo_url = excluded.repo_url, status = excluded.status, \
               error_message = NULL, updated_at = datetime('now') \
             RETURNING {RETURNED}"
        ))), key)
        .bind(&new.repo_url)
        .bind(&new.status)
        .fetch_one(self.pool())
        .await?;
        Ok(variant_from(&row)?)
    }

    /// Marks a variant ready with what the finished generation produced.
    pub async fn mark_ready(
        &self,
        key: &VariantKey,
        commit_sha: &str,
        page_count: i64,
        plan_json: &str,
        stage: Option<&str>,
    ) -> Result<Variant, DbError> {
        let row = bind_key(
            sqlx::query(composed(format!(
                "UPDATE variants SET status = 'ready', current_stage = ?, last_commit_sha = ?, \
               page_count = ?, plan_json = ?, error_message = NULL, \
               last_generated = datetime('now'), updated_at = datetime('now') \
             WHERE name = ? AND branch = ? AND ai_provider = ? AND ai_model = ? AND owner = ? \
             RETURNING {RETURNED}"
            )))
            .bind(stage)
            .bind(commit_sha)
            .bind(page_count)
            .bind(plan_json),
            key,
        )
        .fetch_one(self.pool())
        .await?;
        Ok(variant_from(&row)?)
    }

    /// Records a generation's progress.
    pub async fn set_progress(
        &self,
        key: &VariantKey,
        stage: &str,
        page_count: i64,
    ) -> Result<(), DbError> {
        bind_key(sqlx::query(
            "UPDATE variants SET current_stage = ?, page_count = ?, updated_at = datetime('now') \
             WHERE name = ? AND branch = ? AND ai_provider = ? AND ai_model = ? AND owner = ?",
        )
        .bind(stage)
        .bind(page_count), key)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Ends a generation that is still running as `error` or `aborted`; returns the row, or
    /// `NotFound` if it was no longer generating (it finished first).
    pub async fn end_generation(
        &self,
        key: &VariantKey,
        status: &str,
        message: &str,
    ) -> Result<Variant, DbError> {
        let row = bind_key(
            sqlx::query(composed(format!(
                "UPDATE variants SET status = ?, error_message = ?, current_stage = NULL, \
               updated_at = datetime('now') \
             WHERE name = ? AND branch = ? AND ai_provider = ? AND ai_model = ? AND owner = ? \
               AND status = 'generating' \
             RETURNING {RETURNED}"
            )))
            .bind(status)
            .bind(message),
            key,
        )
        .fetch_one(self.pool())
        .await?;
        Ok(variant_from(&row)?)
    }

    /// At start-up: generations that were running when the server stopped can never finish.
    pub async fn fail_interrupted_generations(&self) -> Result<u64, DbError> {
        let done = sqlx::query(
            "UPDATE variants SET status = 'error', current_stage = NULL, \
               error_message = 'Server restarted during generation', updated_at = datetime('now') \
             WHERE status = 'generating'",
        )
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Deletes one variant unless it is generating (`Conflict`).
    pub async fn delete_variant(&self, key: &VariantKey) -> Result<(), DbError> {
        let mut tx = self.pool().begin().await?;
        let status: String = bind_key(
            sqlx::query(
                "SELECT status FROM variants WHERE name = ? AND branch = ? AND ai_provider = ? \
             AND ai_model = ? AND owner = ?",
            ),
            key,
        )
        .fetch_one(&mut *tx)
        .await?
        .try_get("status")?;
        if status == "generating" {
            return Err(DbError::Conflict);
        }
        bind_key(
            sqlx::query(
                "DELETE FROM variants WHERE name = ? AND branch = ? AND ai_provider = ? \
             AND ai_model = ? AND owner = ?",
            ),
            key,
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes every variant of `name` owned by `owner`, unless one is generating
    /// (`Conflict`) or there is none (`NotFound`). Returns the deleted keys.
    pub async fn delete_project(
        &self,
        name: &str,
        owner: &str,
    ) -> Result<Vec<VariantKey>, DbError> {
        let mut tx = self.pool().begin().await?;
        let generating: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM variants WHERE name = ? AND owner = ? AND status = 'generating'",
        )
        .bind(name)
        .bind(owner)
        .fetch_one(&mut *tx)
        .await?
        .try_get("n")?;
        if generating > 0 {
            return Err(DbError::Conflict);
        }
        let rows = sqlx::query(
            "DELETE FROM variants WHERE name = ? AND owner = ? \
             RETURNING name, branch, ai_provider, ai_model, owner",
        )
        .bind(name)
        .bind(owner)
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            return Err(DbError::NotFound);
        }
        tx.commit().await?;
        Ok(rows.iter().map(key_from).collect::<Result<_, _>>()?)
    }

    /// Whether `owner` has any variant of `name`.
    pub async fn project_exists(&self, name: &str, owner: &str) -> Result<bool, DbError> {
        let row =
            sqlx::query("SELECT EXISTS (SELECT 1 FROM variants WHERE name = ? AND owner = ?) AS e")
                .bind(name)
                .bind(owner)
                .fetch_one(self.pool())
                .await?;
        Ok(row.try_get::<bool, _>("e")?)
    }

    /// Whether `owner` has a variant that is generating.
    pub async fn owner_is_generating(&self, owner: &str) -> Result<bool, DbError> {
        let row = sqlx::query(
            "SELECT EXISTS (SELECT 1 FROM variants WHERE owner = ? AND status = 'generating') AS e",
        )
        .bind(owner)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<bool, _>("e")?)
    }

    /// Ready model IDs grouped by provider, across the whole server.
    pub async fn known_models(&self) -> Result<BTreeMap<String, Vec<String>>, DbError> {
        let rows = sqlx::query(
            "SELECT DISTINCT ai_provider, ai_model FROM variants WHERE status = 'ready' \
             ORDER BY ai_provider, ai_model",
        )
        .fetch_all(self.pool())
        .await?;
        group(&rows, "ai_provider", "ai_model")
    }

    /// Ready branches grouped by project name: all of them, or only `owner`'s.
    pub async fn known_branches(
        &self,
        owner: Option<&str>,
    ) -> Result<BTreeMap<String, Vec<String>>, DbError> {
        let rows = match owner {
            None => {
                sqlx::query(
                    "SELECT DISTINCT name, branch FROM variants WHERE status = 'ready' \
                     ORDER BY name, branch",
                )
                .fetch_all(self.pool())
                .await?
            }
            Some(owner) => {
                sqlx::query(
                    "SELECT DISTINCT name, branch FROM variants WHERE status = 'ready' \
                     AND owner = ? ORDER BY name, branch",
                )
                .bind(owner)
                .fetch_all(self.pool())
                .await?
            }
        };
        group(&rows, "name", "branch")
    }
}

fn group(
    rows: &[SqliteRow],
    key_column: &str,
    value_column: &str,
) -> Result<BTreeMap<String, Vec<String>>, DbError> {
    let mut grouped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in rows {
        let key: String = row.try_get(key_column)?;
        let value: String = row.try_get(value_column)?;
        grouped.entry(key).or_default().push(value);
    }
    Ok(grouped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_json_listing_equals_the_decoded_rows() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).await.expect("store");
        for (owner, name, status) in [
            ("alice", "a", "ready"),
            ("bob", "b", "error"),
            ("", "legacy", "generating"),
        ] {
            let key = VariantKey {
                name: name.into(),
                branch: "main".into(),
                provider: "claude".into(),
                model: "m[1m]".into(),
                owner: owner.into(),
            };
            store
                .put_variant(&NewVariant {
                    key: key.clone(),
                    repo_url: "u \"quoted\"".into(),
                    status: status.into(),
                })
                .await
                .expect("insert");
            if status == "ready" {
                store
                    .mark_ready(&key, "sha", 3, "{\"x\":[1]}", Some("up_to_date"))
                    .await
                    .expect("ready");
            }
        }
        for visibility in [
            Visibility::All,
            Visibility::User("alice"),
            Visibility::User("nobody"),
        ] {
            let decoded =
                serde_json::to_value(store.list_variants(visibility).await.expect("rows"))
                    .expect("json");
            let built: serde_json::Value =
                serde_json::from_str(&store.list_variants_json(visibility).await.expect("json"))
                    .expect("parse");
            assert_eq!(built, decoded, "{visibility:?}");
        }
    }
}
