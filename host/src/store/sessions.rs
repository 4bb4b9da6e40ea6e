//! The `sessions` table: browser sessions, stored by the SHA-256 of their token.

use sqlx::Row;

use super::{DbError, Store};

/// Who a live session belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOwner {
    /// The username (`admin` for ADMIN_KEY sessions).
    pub username: String,
    /// For sessions opened with ADMIN_KEY: that key's lookup digest.
    pub admin_key: Option<String>,
}

impl Store {
    /// Records a session that expires after `lifetime_secs`.
    pub async fn create_session(
        &self,
        token_hash: &str,
        username: &str,
        admin_key: Option<&str>,
        lifetime_secs: u64,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, username, admin_key, expires_at) \
             VALUES (?, ?, ?, datetime('now', '+' || ? || ' seconds'))",
        )
        .bind(token_hash)
        .bind(username)
        .bind(admin_key)
        .bind(i64::try_from(lifetime_secs).unwrap_or(i64::MAX))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The owner of a session that has not expired.
    pub async fn session(&self, token_hash: &str) -> Result<SessionOwner, DbError> {
        let row = sqlx::query(
            "SELECT username, admin_key FROM sessions \
             WHERE token_hash = ? AND expires_at > datetime('now')",
        )
        .bind(token_hash)
        .fetch_one(self.pool())
        .await?;
        Ok(SessionOwner {
            username: row.try_get("username")?,
            admin_key: row.try_get("admin_key")?,
        })
    }

    /// Ends one session (logout); returns whose it was. Ending a session that does not exist
    /// is not an error.
    pub async fn delete_session(&self, token_hash: &str) -> Result<Option<String>, DbError> {
        let owner = sqlx::query("DELETE FROM sessions WHERE token_hash = ? RETURNING username")
            .bind(token_hash)
            .fetch_optional(self.pool())
            .await?;
        Ok(owner.map(|row| row.try_get("username")).transpose()?)
    }

    /// Forgets expired sessions.
    pub async fn purge_expired_sessions(&self) -> Result<u64, DbError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= datetime('now')")
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}
