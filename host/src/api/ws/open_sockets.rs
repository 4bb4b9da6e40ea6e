//! A count of the open sockets, so that a stopping server can wait for them to say goodbye
//! (a close frame with 1001) before the process exits.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Notify;

/// The open sockets of one server.
#[derive(Default)]
pub struct OpenSockets {
    count: AtomicUsize,
    all_closed: Notify,
    stopping: AtomicBool,
}

/// Held by a socket for as long as it is open.
pub struct OpenSocket(Arc<OpenSockets>);

impl OpenSockets {
    /// Counts a socket as open until the returned guard is dropped.
    pub fn opened(self: &Arc<Self>) -> OpenSocket {
        self.count.fetch_add(1, Ordering::SeqCst);
        OpenSocket(self.clone())
    }

    /// Whether the server is stopping (sockets opened now are closed at once).
    pub fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Marks the server as stopping; call before announcing it, so that a socket opened
    /// after the announcement sees the mark.
    pub fn begin_stopping(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    /// Waits until no socket is open, or `limit` has passed.
    pub async fn all_closed_within(&self, limit: Duration) {
        let _ = tokio::time::timeout(limit, async {
            loop {
                let closed = self.all_closed.notified();
                if self.count.load(Ordering::SeqCst) == 0 {
                    return;
                }
                closed.await;
            }
        })
        .await;
    }
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.all_closed.notify_waiters();
        }
    }
}
