//! Writing variants: a generation's start, progress and end, and deletions.

use sqlx::Row;

use super::{
    BY_KEY, COLUMNS, CallUsage, ENDED, NewVariant, TOUCH, Variant, VariantKey, bind_key, key_from,
    variant_from,
};
use crate::domain::{Stage, Status};
use crate::store::{DbError, Store, composed};

impl Store {
    /// Creates a variant, or resets an existing one to the given status and source.
    pub async fn put_variant(&self, new: &NewVariant) -> Result<Variant, DbError> {
        let columns = &*COLUMNS;
        let sql = format!(
            "INSERT INTO variants (name, branch, ai_provider, ai_model, owner, repo_url, status, \
               generation_id, generation_started_at, touched) VALUES (?, ?, ?, ?, ?, ?, ?, ?, \
               datetime('now'), (SELECT ifnull(max(touched), 0) + 1 FROM variants)) \
             ON CONFLICT (name, branch, ai_provider, ai_model, owner) DO UPDATE SET \
               repo_url = excluded.repo_url, status = excluded.status, \
               generation_id = excluded.generation_id, error_message = NULL, \
               total_cost_usd = 0, total_input_tokens = 0, total_output_tokens = 0, \
               generation_started_at = datetime('now'), \
               generation_duration = NULL, {TOUCH} \
             RETURNING {columns}"
        );
        let row = bind_key(sqlx::query(composed(sql)), &new.key)
            .bind(&new.repo_url)
            .bind(new.status)
            .bind(&new.generation_id)
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
        stage: Option<Stage>,
    ) -> Result<Variant, DbError> {
        let columns = &*COLUMNS;
        let sql = format!(
            "UPDATE variants SET status = ?, current_stage = ?, last_commit_sha = ?, \
               page_count = ?, plan_json = ?, error_message = NULL, \
               last_generated = datetime('now'), {ENDED}, {TOUCH} \
             WHERE {BY_KEY} RETURNING {columns}"
        );
        let query = sqlx::query(composed(sql))
            .bind(Status::Ready)
            .bind(stage)
            .bind(commit_sha)
            .bind(page_count)
            .bind(plan_json);
        let row = bind_key(query, key).fetch_one(self.pool()).await?;
        Ok(variant_from(&row)?)
    }

    /// Adds what one AI call of the running generation cost and the tokens it used.
    pub async fn add_usage(&self, key: &VariantKey, usage: &CallUsage) -> Result<(), DbError> {
        let sql = format!(
            "UPDATE variants SET total_cost_usd = total_cost_usd + ?, \
               total_input_tokens = total_input_tokens + ?, \
               total_output_tokens = total_output_tokens + ?, {TOUCH} WHERE {BY_KEY}"
        );
        let query = sqlx::query(composed(sql))
            .bind(usage.cost_usd)
            .bind(usage.input_tokens)
            .bind(usage.output_tokens);
        bind_key(query, key).execute(self.pool()).await?;
        Ok(())
    }

    /// Records a generation's progress.
    pub async fn set_progress(
        &self,
        key: &VariantKey,
        stage: Stage,
        page_count: i64,
    ) -> Result<(), DbError> {
        let sql = format!(
            "UPDATE variants SET current_stage = ?, page_count = ?, {TOUCH} \
             WHERE {BY_KEY}"
        );
        let query = sqlx::query(composed(sql)).bind(stage).bind(page_count);
        bind_key(query, key).execute(self.pool()).await?;
        Ok(())
    }

    /// Ends a generation that is still running as `error` or `aborted`; returns the row, or
    /// `NotFound` if it was no longer generating (it finished first).
    pub async fn end_generation(
        &self,
        key: &VariantKey,
        status: Status,
        message: &str,
    ) -> Result<Variant, DbError> {
        let columns = &*COLUMNS;
        let sql = format!(
            "UPDATE variants SET status = ?, error_message = ?, current_stage = NULL, \
               {ENDED}, {TOUCH} \
             WHERE {BY_KEY} AND status = ? RETURNING {columns}"
        );
        let query = sqlx::query(composed(sql)).bind(status).bind(message);
        let row = bind_key(query, key)
            .bind(Status::Generating)
            .fetch_one(self.pool())
            .await?;
        Ok(variant_from(&row)?)
    }

    /// At start-up: generations that were running when the server stopped can never finish.
    pub async fn fail_interrupted_generations(&self) -> Result<u64, DbError> {
        let sql = format!(
            "UPDATE variants SET status = ?, current_stage = NULL, \
               error_message = 'Server restarted during generation', {TOUCH} \
             WHERE status = ?"
        );
        let done = sqlx::query(composed(sql))
            .bind(Status::Error)
            .bind(Status::Generating)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }

    /// Deletes one variant unless it is generating (`Conflict`).
    pub async fn delete_variant(&self, key: &VariantKey) -> Result<(), DbError> {
        let mut tx = self.write_transaction().await?;
        let read = format!("SELECT status FROM variants WHERE {BY_KEY}");
        let status: Status = bind_key(sqlx::query(composed(read)), key)
            .fetch_one(&mut *tx)
            .await?
            .try_get("status")?;
        if status == Status::Generating {
            return Err(DbError::Conflict);
        }
        let delete = format!("DELETE FROM variants WHERE {BY_KEY}");
        bind_key(sqlx::query(composed(delete)), key)
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
        let mut tx = self.write_transaction().await?;
        let generating: i64 = sqlx::query(
            "SELECT COUNT(*) AS n FROM variants WHERE name = ? AND owner = ? AND status = ?",
        )
        .bind(name)
        .bind(owner)
        .bind(Status::Generating)
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
}
