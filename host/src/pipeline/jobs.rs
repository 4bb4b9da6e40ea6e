//! The running generations: at most one per variant, each abortable.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::AbortHandle;

use crate::store::variants::VariantKey;

/// How long an abort waits for the job to stop before answering "still finishing".
pub const ABORT_WAIT: Duration = Duration::from_secs(10);

/// Why a job could not be started or aborted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// That variant is already generating.
    #[error("already running")]
    AlreadyRunning,
    /// No generation is running for that variant.
    #[error("not running")]
    NotRunning,
    /// The job was told to stop but has not finished stopping.
    #[error("still finishing")]
    StillFinishing,
}

struct Running {
    abort: AbortHandle,
    finished: watch::Receiver<bool>,
    aborting: bool,
}

/// The registry of running jobs. Cloning shares it.
#[derive(Clone, Default)]
pub struct Jobs {
    running: Arc<Mutex<HashMap<VariantKey, Running>>>,
}

/// Marks a job finished however its future ends: completed, failed, or dropped by an abort.
struct FinishedOnDrop(watch::Sender<bool>);

impl Drop for FinishedOnDrop {
    fn drop(&mut self) {
        let _ = self.0.send(true);
    }
}

impl Jobs {
    /// Starts `job` for `key` unless one is running.
    pub fn start(
        &self,
        key: VariantKey,
        job: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), JobError> {
        let mut running = self.running.lock().map_err(|_| JobError::AlreadyRunning)?;
        if running.contains_key(&key) {
            return Err(JobError::AlreadyRunning);
        }
        let (sender, finished) = watch::channel(false);
        let registry = self.clone();
        let own_key = key.clone();
        // The lock is held until the entry is in, so a job that ends at once still finds it.
        let task = tokio::spawn(async move {
            let _finished = FinishedOnDrop(sender);
            job.await;
            registry.forget(&own_key);
        });
        running.insert(
            key,
            Running {
                abort: task.abort_handle(),
                finished,
                aborting: false,
            },
        );
        Ok(())
    }

    /// The running variants, in no particular order.
    pub fn running(&self) -> Vec<VariantKey> {
        self.running
            .lock()
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Stops the job for `key` and waits for it to be gone (its program group terminated).
    pub async fn abort(&self, key: &VariantKey) -> Result<(), JobError> {
        let mut finished = {
            let mut running = self.running.lock().map_err(|_| JobError::NotRunning)?;
            let job = running.get_mut(key).ok_or(JobError::NotRunning)?;
            if job.aborting {
                return Err(JobError::StillFinishing);
            }
            job.aborting = true;
            job.abort.abort();
            job.finished.clone()
        };
        let stopped = tokio::time::timeout(ABORT_WAIT, finished.wait_for(|done| *done)).await;
        match stopped {
            Ok(_) => {
                self.forget(key);
                Ok(())
            }
            Err(_) => Err(JobError::StillFinishing),
        }
    }

    fn forget(&self, key: &VariantKey) {
        if let Ok(mut running) = self.running.lock() {
            running.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> VariantKey {
        VariantKey {
            name: name.into(),
            branch: "main".into(),
            provider: "p".into(),
            model: "m".into(),
            owner: "o".into(),
        }
    }

    #[tokio::test]
    async fn one_job_per_variant_and_finished_jobs_leave() {
        let jobs = Jobs::default();
        let (release, wait) = tokio::sync::oneshot::channel::<()>();
        jobs.start(key("a"), async move {
            let _ = wait.await;
        })
        .expect("starts");
        assert_eq!(
            jobs.start(key("a"), async {}),
            Err(JobError::AlreadyRunning)
        );
        jobs.start(key("b"), async {}).expect("another variant");
        let _ = release.send(());
        for _ in 0..100 {
            if jobs.running().is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert!(jobs.running().is_empty());
    }

    #[tokio::test]
    async fn aborting_drops_the_job_and_frees_the_variant() {
        let jobs = Jobs::default();
        let (dropped, was_dropped) = tokio::sync::oneshot::channel::<()>();
        struct Signal(Option<tokio::sync::oneshot::Sender<()>>);
        impl Drop for Signal {
            fn drop(&mut self) {
                if let Some(s) = self.0.take() {
                    let _ = s.send(());
                }
            }
        }
        let signal = Signal(Some(dropped));
        jobs.start(key("a"), async move {
            let _signal = signal;
            std::future::pending::<()>().await;
        })
        .expect("starts");
        jobs.abort(&key("a")).await.expect("aborted");
        assert!(was_dropped.await.is_ok(), "the job's future was dropped");
        assert!(!jobs.running().contains(&key("a")));
        assert_eq!(jobs.abort(&key("a")).await, Err(JobError::NotRunning));
        jobs.start(key("a"), async {}).expect("can run again");
    }
}
