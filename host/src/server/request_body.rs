//! The request body, shared between the route that may read it and the connection that has to
//! finish it. A route that answers early (401 before reading a JSON body, 404 for an unknown
//! path) leaves the body on the wire; hyper then closes the connection after the response
//! without saying so, and a keep-alive client that sends its next request on it sees
//! "server disconnected". What the route left is drained here, or the response says
//! `Connection: close`.

use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt as _;
use hyper::body::Incoming;

/// At most this much of a body no route read is drained to keep the connection; past it the
/// connection is closed instead. Well above the largest body a route accepts, so that a client
/// refused with 413 or 404 still reads its answer rather than a reset.
const DRAIN_LIMIT: usize = 1024 * 1024;

/// How long a client may take to send the rest of a body no route wanted.
const DRAIN_TIME: Duration = Duration::from_secs(5);

/// The body a route sees. It reads through to hyper's body, which stays reachable for
/// [`Unread::finish`] after the route is done.
pub struct RequestBody {
    incoming: Arc<Mutex<Option<Incoming>>>,
}

/// The connection's handle on the same body.
pub struct Unread {
    incoming: Arc<Mutex<Option<Incoming>>>,
    expects_continue: bool,
}

/// Splits `incoming` into the body for the route and the handle to finish it.
/// `expects_continue`: the client waits for `100 Continue` before sending the body, so an
/// unread body is better refused (closing) than asked for.
pub fn share(incoming: Incoming, expects_continue: bool) -> (RequestBody, Unread) {
    let incoming = Arc::new(Mutex::new(Some(incoming)));
    (
        RequestBody {
            incoming: incoming.clone(),
        },
        Unread {
            incoming,
            expects_continue,
        },
    )
}

fn lock(slot: &Mutex<Option<Incoming>>) -> MutexGuard<'_, Option<Incoming>> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let mut slot = lock(&self.incoming);
        let Some(incoming) = slot.as_mut() else {
            return Poll::Ready(None);
        };
        let polled = Pin::new(incoming).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) {
            *slot = None;
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        lock(&self.incoming)
            .as_ref()
            .is_none_or(Incoming::is_end_stream)
    }

    fn size_hint(&self) -> SizeHint {
        lock(&self.incoming)
            .as_ref()
            .map_or_else(|| SizeHint::with_exact(0), Incoming::size_hint)
    }
}

impl Unread {
    /// Reads what the route left of the body. Returns whether the connection can be kept:
    /// the body was read to its end (by the route or here).
    pub async fn finish(self) -> bool {
        let Some(mut incoming) = lock(&self.incoming).take() else {
            return true;
        };
        if incoming.is_end_stream() {
            return true;
        }
        if self.expects_continue {
            return false;
        }
        let drain = async {
            let mut drained = 0usize;
            while let Some(frame) = incoming.frame().await {
                let Ok(frame) = frame else { return false };
                if let Some(data) = frame.data_ref() {
                    drained += data.len();
                    if drained > DRAIN_LIMIT {
                        return false;
                    }
                }
            }
            true
        };
        tokio::time::timeout(DRAIN_TIME, drain)
            .await
            .unwrap_or(false)
    }
}
