//! The `users` table: database users with a role and an API key (stored only as digests).

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::{DbError, Store, composed};
use crate::domain::Role;

/// A database user as the API shows it (never the key).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// Numeric ID.
    pub id: i64,
    /// Unique username.
    pub username: String,
    /// admin, user or viewer.
    pub role: Role,
    /// When the user was created.
    pub created_at: String,
}

/// A user with the stored digests of their key, for verification.
#[derive(Debug, Clone)]
pub struct UserWithKey {
    /// The user.
    pub user: User,
    /// argon2id PHC string of the key.
    pub key_hash: String,
}

fn user_from(row: &SqliteRow) -> Result<User, sqlx::Error> {
    let role: String = row.try_get("role")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: role
            .parse()
            .map_err(|e: String| sqlx::Error::Decode(e.into()))?,
        created_at: row.try_get("created_at")?,
    })
}

const COLUMNS: &str = "id, username, role, created_at, key_hash";

impl Store {
    /// Creates a user; `Conflict` when the username or key is taken.
    pub async fn create_user(
        &self,
        username: &str,
        role: Role,
        key_hash: &str,
        key_lookup: &str,
    ) -> Result<User, DbError> {
        let row = sqlx::query(composed(format!(
            "INSERT INTO users (username, role, key_hash, key_lookup) VALUES (?, ?, ?, ?) \
             RETURNING {COLUMNS}"
        )))
        .bind(username)
        .bind(role.as_str())
        .bind(key_hash)
        .bind(key_lookup)
        .fetch_one(self.pool())
        .await?;
        Ok(user_from(&row)?)
    }

    /// Every user, oldest first.
    pub async fn list_users(&self) -> Result<Vec<User>, DbError> {
        let rows = sqlx::query(composed(format!("SELECT {COLUMNS} FROM users ORDER BY id")))
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(user_from).collect::<Result<_, _>>()?)
    }

    /// The user called `username`.
    pub async fn user_by_name(&self, username: &str) -> Result<UserWithKey, DbError> {
        let row = sqlx::query(composed(format!(
            "SELECT {COLUMNS} FROM users WHERE username = ?"
        )))
        .bind(username)
        .fetch_one(self.pool())
        .await?;
        Ok(UserWithKey {
            user: user_from(&row)?,
            key_hash: row.try_get("key_hash")?,
        })
    }

    /// The user whose key has this lookup digest.
    pub async fn user_by_key_lookup(&self, key_lookup: &str) -> Result<UserWithKey, DbError> {
        let row = sqlx::query(composed(format!(
            "SELECT {COLUMNS} FROM users WHERE key_lookup = ?"
        )))
        .bind(key_lookup)
        .fetch_one(self.pool())
        .await?;
        Ok(UserWithKey {
            user: user_from(&row)?,
            key_hash: row.try_get("key_hash")?,
        })
    }

    /// Replaces a user's key and ends all their sessions, in one transaction.
    pub async fn replace_user_key(
        &self,
        username: &str,
        key_hash: &str,
        key_lookup: &str,
    ) -> Result<User, DbError> {
        let mut tx = self.write_transaction().await?;
        let row = sqlx::query(composed(format!(
            "UPDATE users SET key_hash = ?, key_lookup = ? WHERE username = ? RETURNING {COLUMNS}"
        )))
        .bind(key_hash)
        .bind(key_lookup)
        .bind(username)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM sessions WHERE username = ? AND admin_key IS NULL")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(user_from(&row)?)
    }

    /// Deletes a user with their sessions, their variants and every access grant naming them,
    /// in one transaction. Returns the deleted variants' keys so their files can go too.
    pub async fn delete_user(
        &self,
        username: &str,
    ) -> Result<Vec<super::variants::VariantKey>, DbError> {
        let mut tx = self.write_transaction().await?;
        let deleted = sqlx::query("DELETE FROM users WHERE username = ?")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(DbError::NotFound);
        }
        sqlx::query("DELETE FROM sessions WHERE username = ? AND admin_key IS NULL")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM project_access WHERE username = ? OR project_owner = ?")
            .bind(username)
            .bind(username)
            .execute(&mut *tx)
            .await?;
        let rows = sqlx::query(
            "DELETE FROM variants WHERE owner = ? RETURNING name, branch, ai_provider, ai_model, owner",
        )
        .bind(username)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(rows
            .iter()
            .map(super::variants::key_from)
            .collect::<Result<_, _>>()?)
    }
}
