//! The writing half of a socket. It takes what the connection queued and writes it, one
//! flush per batch. A queued `sync` is only a marker, rendered when its turn comes: queued
//! syncs cost no memory however large the listing, and the client always gets the newest.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{Sink, SinkExt};
use tokio::sync::mpsc;
use warp::ws::Message;

use crate::api::listing::{Listing, Listings};
use crate::auth::Principal;
use crate::store::DbError;

/// What the connection queues for the writer.
pub enum Outgoing {
    /// A message, sent as it is.
    Message(Message),
    /// The principal's listing as a `sync`, as it stands when it is written.
    Sync(Principal),
    /// The same, but only if its `known_models` differ from the last `sync`'s: a change the
    /// viewer cannot see may still alter them (they are server-wide).
    SyncIfModelsChanged(Principal),
}

/// Writes queued messages to the client, flushing once per batch, until a close frame is
/// written, the queue ends or the client is gone. A `sync` that would repeat the previous
/// one with nothing sent in between is skipped.
pub async fn write_queued<W>(sink: W, mut queued: mpsc::Receiver<Outgoing>, listings: Arc<Listings>)
where
    W: Sink<Message> + Send,
{
    let mut sink = std::pin::pin!(sink);
    let mut sent = SentSyncs::default();
    let mut next = queued.recv().await;
    while let Some(outgoing) = next {
        let message = match outgoing {
            Outgoing::Message(message) => {
                sent.last_body = None;
                Some(message)
            }
            Outgoing::Sync(principal) => {
                sent.render(listings.for_principal(&principal).await, false)
            }
            Outgoing::SyncIfModelsChanged(principal) => {
                sent.render(listings.for_principal(&principal).await, true)
            }
        };
        if let Some(message) = message {
            let closing = message.is_close();
            if sink.feed(message).await.is_err() {
                return;
            }
            if closing {
                break;
            }
        }
        next = match queued.try_recv() {
            Ok(more) => Some(more),
            Err(_) => {
                if sink.flush().await.is_err() {
                    return;
                }
                queued.recv().await
            }
        };
    }
    let _ = sink.close().await;
}

/// What the writer remembers of the syncs it sent.
#[derive(Default)]
struct SentSyncs {
    /// The last sync's body, while nothing else has been sent since.
    last_body: Option<Arc<str>>,
    /// The last sync's `known_models`.
    last_models: Option<Arc<str>>,
}

impl SentSyncs {
    /// The `sync` to send for `listing`, if any.
    fn render(
        &mut self,
        listing: Result<Listing, DbError>,
        only_if_models_changed: bool,
    ) -> Option<Message> {
        let listing = match listing {
            Ok(listing) => listing,
            Err(error) => {
                tracing::error!("websocket: cannot build a sync: {error}");
                return Some(Message::close_with(1011u16, "Internal server error"));
            }
        };
        let repeated = self.last_body.as_ref() == Some(&listing.body);
        let models_unchanged = self.last_models.as_ref() == Some(&listing.known_models);
        if repeated || (only_if_models_changed && models_unchanged) {
            return None;
        }
        let message = Message::text(listing.sync_message());
        self.last_body = Some(listing.body);
        self.last_models = Some(listing.known_models);
        Some(message)
    }
}

/// Sends the close frame, if the server is the one closing, and gives the writer `grace` to
/// deliver what is queued; a client too stuck to take it is cut off.
pub async fn finish(
    outbox: mpsc::Sender<Outgoing>,
    mut writer: tokio::task::JoinHandle<()>,
    close: Option<(u16, &'static str)>,
    grace: Duration,
) {
    if let Some((code, reason)) = close
        && outbox
            .try_send(Outgoing::Message(Message::close_with(code, reason)))
            .is_err()
    {
        writer.abort();
        return;
    }
    drop(outbox);
    if tokio::time::timeout(grace, &mut writer).await.is_err() {
        writer.abort();
    }
}
