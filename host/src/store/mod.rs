//! Storage: SQLite through sqlx, one module per table, runtime queries only (building needs
//! no database), migrations from `migrations/` embedded and run when the pool opens.

pub mod access;
mod migrations;
pub mod sessions;
mod settings;
mod text_enums;
pub mod users;
pub mod variants;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "docsfy.db";

/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The row asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule was broken (a username or key already in use).
    #[error("already exists")]
    Conflict,
    /// Anything else the database said.
    #[error("database error: {0}")]
    Other(sqlx::Error),
}

impl From<sqlx::Error> for DbError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => DbError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => DbError::Conflict,
            _ => DbError::Other(error),
        }
    }
}

/// Query text put together in this module from constant fragments (column lists, visibility
/// conditions). Values always travel as bind parameters, never in the text.
pub(crate) fn composed(sql: String) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(sql)
}

/// The database: a pool of connections to one SQLite file.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir` and brings its schema up to date.
    pub async fn open(data_dir: &Path) -> anyhow::Result<Store> {
        let path = data_dir.join(DATABASE_FILE);
        let options = SqliteConnectOptions::from_str("sqlite://")?
            .filename(&path)
            .create_if_missing(true)
            // WAL: readers never wait for the writer; busy_timeout: writers queue, not fail.
            .journal_mode(SqliteJournalMode::Wal)
            // With WAL, NORMAL never corrupts the database; a power cut may lose the last
            // commits (progress updates), and every commit skips an fsync.
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await
            .map_err(|e| anyhow::anyhow!("opening the database {}: {e}", path.display()))?;
        migrations::run(&pool)
            .await
            .map_err(|e| anyhow::anyhow!("migrating the database {}: {e}", path.display()))?;
        Ok(Store { pool })
    }

    /// The pool, for the table modules.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A transaction that holds the write lock from its start. A deferred one that reads
    /// first fails at once with "database is locked" when another connection wrote meanwhile
    /// (SQLite cannot wait for a read to become a write); this one waits its turn instead.
    pub(crate) async fn write_transaction(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, DbError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    /// Whether the database answers (for `/ready`).
    pub async fn ping(&self) -> Result<(), DbError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
