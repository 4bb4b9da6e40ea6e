//! Reading variants: listings by visibility, one variant by key, and the server-wide
//! summaries (`known_models`, `known_branches`).

use std::collections::BTreeMap;

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{
    BY_KEY, COLUMNS, NEWEST_FIRST, PROJECT_OBJECT, Variant, VariantKey, Visibility, bind_key,
    variant_from, visible,
};
use crate::domain::Status;
use crate::store::{DbError, Store, composed};

impl Store {
    /// Every visible variant, most recently updated first.
    pub async fn list_variants(&self, visibility: &Visibility) -> Result<Vec<Variant>, DbError> {
        self.select_visible(visibility, "1 = 1", &[], NEWEST_FIRST)
            .await
    }

    /// Every visible variant as a JSON array of Project objects, most recently updated first.
    /// SQLite builds the JSON itself: for large listings this is several times cheaper than
    /// decoding every row and serialising it again.
    pub async fn list_variants_json(&self, visibility: &Visibility) -> Result<String, DbError> {
        let (condition, values) = visible(visibility);
        let object = &*PROJECT_OBJECT;
        let sql = format!(
            "SELECT coalesce(json_group_array({object} {NEWEST_FIRST}), \
             '[]') AS projects FROM variants WHERE {condition}"
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
        visibility: &Visibility,
        name: &str,
    ) -> Result<Vec<Variant>, DbError> {
        self.select_visible(visibility, "name = ?", &[name], NEWEST_FIRST)
            .await
    }

    /// What the latest generations of every visible variant cost, together.
    pub async fn total_cost(&self, visibility: &Visibility) -> Result<f64, DbError> {
        let (condition, values) = visible(visibility);
        let sql = format!("SELECT total(total_cost_usd) AS cost FROM variants WHERE {condition}");
        let mut query = sqlx::query(composed(sql));
        for value in values {
            query = query.bind(value);
        }
        Ok(query.fetch_one(self.pool()).await?.try_get("cost")?)
    }

    /// The visible variant whose latest generation has this id.
    pub async fn variant_by_generation_id(
        &self,
        visibility: &Visibility,
        generation_id: &str,
    ) -> Result<Option<Variant>, DbError> {
        let found = self
            .select_visible(visibility, "generation_id = ?", &[generation_id], "")
            .await?;
        Ok(found.into_iter().next())
    }

    /// Visible variants with this name, branch, provider and model: one per owner.
    pub async fn variants_matching(
        &self,
        visibility: &Visibility,
        [name, branch, provider, model]: [&str; 4],
    ) -> Result<Vec<Variant>, DbError> {
        self.select_visible(
            visibility,
            "name = ? AND branch = ? AND ai_provider = ? AND ai_model = ?",
            &[name, branch, provider, model],
            "ORDER BY owner",
        )
        .await
    }

    /// Variants matching `filter` (a constant condition with `?` placeholders for
    /// `filter_values`) that `visibility` allows, in `order`.
    async fn select_visible(
        &self,
        visibility: &Visibility,
        filter: &str,
        filter_values: &[&str],
        order: &str,
    ) -> Result<Vec<Variant>, DbError> {
        let (condition, visibility_values) = visible(visibility);
        let columns = &*COLUMNS;
        let sql = format!("SELECT {columns} FROM variants WHERE {filter} AND {condition} {order}");
        let mut query = sqlx::query(composed(sql));
        for value in filter_values.iter().chain(&visibility_values) {
            query = query.bind(*value);
        }
        let rows = query.fetch_all(self.pool()).await?;
        Ok(rows.iter().map(variant_from).collect::<Result<_, _>>()?)
    }

    /// One variant by its full key.
    pub async fn variant(&self, key: &VariantKey) -> Result<Variant, DbError> {
        let columns = &*COLUMNS;
        let sql = format!("SELECT {columns} FROM variants WHERE {BY_KEY}");
        let row = bind_key(sqlx::query(composed(sql)), key)
            .fetch_one(self.pool())
            .await?;
        Ok(variant_from(&row)?)
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
            "SELECT EXISTS (SELECT 1 FROM variants WHERE owner = ? AND status = ?) AS e",
        )
        .bind(owner)
        .bind(Status::Generating)
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get::<bool, _>("e")?)
    }

    /// Ready model IDs grouped by provider, across the whole server.
    pub async fn known_models(&self) -> Result<BTreeMap<String, Vec<String>>, DbError> {
        let rows = sqlx::query(
            "SELECT DISTINCT ai_provider, ai_model FROM variants WHERE status = ? \
             ORDER BY ai_provider, ai_model",
        )
        .bind(Status::Ready)
        .fetch_all(self.pool())
        .await?;
        group(&rows, "ai_provider", "ai_model")
    }

    /// Ready branches grouped by project name: all of them, or only `owner`'s.
    pub async fn known_branches(
        &self,
        owner: Option<&str>,
    ) -> Result<BTreeMap<String, Vec<String>>, DbError> {
        let rows = sqlx::query(
            "SELECT DISTINCT name, branch FROM variants WHERE status = ? \
             AND (?2 IS NULL OR owner = ?2) ORDER BY name, branch",
        )
        .bind(Status::Ready)
        .bind(owner)
        .fetch_all(self.pool())
        .await?;
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
