//! The `settings` table: run-time defaults an admin stored, as text by key.

use std::collections::BTreeMap;

use sqlx::Row;

use super::{DbError, Store};

impl Store {
    /// Every stored setting.
    pub async fn stored_settings(&self) -> Result<BTreeMap<String, String>, DbError> {
        let rows = sqlx::query("SELECT key, value FROM settings")
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|row| Ok((row.try_get("key")?, row.try_get("value")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(DbError::from)
    }

    /// Stores these settings together (all or none).
    pub async fn put_settings(&self, values: &BTreeMap<String, String>) -> Result<(), DbError> {
        let mut transaction = self.write_transaction().await?;
        for (key, value) in values {
            sqlx::query(
                "INSERT INTO settings (key, value) VALUES (?, ?) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind(key)
            .bind(value)
            .execute(&mut *transaction)
            .await?;
        }
        transaction.commit().await?;
        Ok(())
    }
}
