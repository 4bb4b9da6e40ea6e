//! Work the server does on its own while it runs.

use std::time::Duration;

use crate::store::Store;

/// How often expired sessions are deleted.
pub const SESSION_PURGE_EVERY: Duration = Duration::from_secs(15 * 60);

/// Deletes expired sessions every `every`, for as long as the server runs. An expired
/// session no longer authenticates anyone; deleting it keeps the table as small as the
/// number of people logged in.
pub async fn purge_expired_sessions(store: Store, every: Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The first tick is at once, and start-up has just purged.
    ticks.tick().await;
    loop {
        ticks.tick().await;
        match store.purge_expired_sessions().await {
            Ok(0) => {}
            Ok(purged) => tracing::debug!("forgot {purged} expired sessions"),
            Err(error) => tracing::warn!("could not delete expired sessions: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::Row as _;

    async fn sessions(store: &Store) -> i64 {
        sqlx::query("SELECT count(*) AS n FROM sessions")
            .fetch_one(store.pool())
            .await
            .expect("count")
            .try_get("n")
            .expect("n")
    }

    #[tokio::test]
    async fn expired_sessions_are_deleted_while_the_server_runs() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).await.expect("store");
        store
            .create_session("live", "alice", None, 3600)
            .await
            .expect("live session");
        let purging = tokio::spawn(purge_expired_sessions(
            store.clone(),
            Duration::from_millis(20),
        ));
        // Opened after the loop started: only a later round can delete it.
        store
            .create_session("expired", "alice", None, 0)
            .await
            .expect("expired session");
        let mut remaining = sessions(&store).await;
        for _ in 0..200 {
            if remaining == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
            remaining = sessions(&store).await;
        }
        purging.abort();
        assert_eq!(
            remaining, 1,
            "the expired session is gone, the live one kept"
        );
        assert!(store.session("live").await.is_ok());
    }
}
