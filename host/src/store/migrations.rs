//! The schema migrations in `migrations/`, embedded in the binary so that a server needs no
//! files beside it; applied in order when the pool opens.

use sqlx::SqlitePool;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// Every migration: (version, description, SQL). Append; never edit one that has shipped.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../../../migrations/0001_initial.sql"),
    ),
    (
        2,
        "update order",
        include_str!("../../../migrations/0002_update_order.sql"),
    ),
    (
        3,
        "generation ids",
        include_str!("../../../migrations/0003_generation_ids.sql"),
    ),
    (
        4,
        "cost and timing",
        include_str!("../../../migrations/0004_cost_and_timing.sql"),
    ),
    (
        5,
        "settings",
        include_str!("../../../migrations/0005_settings.sql"),
    ),
    (
        6,
        "token usage",
        include_str!("../../../migrations/0006_token_usage.sql"),
    ),
];

/// Brings the database's schema up to date.
pub async fn run(pool: &SqlitePool) -> Result<(), sqlx::migrate::MigrateError> {
    let migrations = MIGRATIONS
        .iter()
        .map(|(version, description, sql)| {
            Migration::new(
                *version,
                (*description).into(),
                MigrationType::Simple,
                sqlx::SqlSafeStr::into_sql_str(*sql),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations).run(pool).await
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_file_in_migrations_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        let files = std::fs::read_dir(dir)
            .expect("migrations/")
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
            .count();
        assert_eq!(files, super::MIGRATIONS.len());
    }
}
