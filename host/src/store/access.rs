//! The `project_access` table: a user may see every variant of (project name, owner).

use sqlx::Row;

use super::{DbError, Store};

impl Store {
    /// Grants `username` access to `name` owned by `owner`; granting twice is harmless.
    pub async fn grant_access(
        &self,
        name: &str,
        owner: &str,
        username: &str,
    ) -> Result<(), DbError> {
        sqlx::query(
            "INSERT OR IGNORE INTO project_access (project_name, project_owner, username) \
             VALUES (?, ?, ?)",
        )
        .bind(name)
        .bind(owner)
        .bind(username)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Removes a grant; removing one that does not exist is harmless.
    pub async fn revoke_access(
        &self,
        name: &str,
        owner: &str,
        username: &str,
    ) -> Result<(), DbError> {
        sqlx::query(
            "DELETE FROM project_access WHERE project_name = ? AND project_owner = ? AND username = ?",
        )
        .bind(name)
        .bind(owner)
        .bind(username)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The (project name, owner) pairs shared with `username`.
    pub async fn shared_with(&self, username: &str) -> Result<Vec<(String, String)>, DbError> {
        let rows = sqlx::query(
            "SELECT project_name, project_owner FROM project_access WHERE username = ?",
        )
        .bind(username)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| Ok((r.try_get("project_name")?, r.try_get("project_owner")?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    /// Usernames granted access to `name` owned by `owner`, sorted.
    pub async fn access_list(&self, name: &str, owner: &str) -> Result<Vec<String>, DbError> {
        let rows = sqlx::query(
            "SELECT username FROM project_access WHERE project_name = ? AND project_owner = ? \
             ORDER BY username",
        )
        .bind(name)
        .bind(owner)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get("username"))
            .collect::<Result<_, _>>()?)
    }
}
