//! The writing half of a socket. It takes what the connection queued and writes it, one
//! flush per batch. A queued `sync` is only a marker, rendered when its turn comes: queued
//! syncs cost no memory however large the listing, and the client always gets the newest.

use std::sync::{Arc, RwLock};
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
    /// The viewer's listing as a `sync`, as it stands when it is written.
    Sync,
}

/// Where the writer gets a `sync` from.
pub struct SyncSource {
    /// The shared listings.
    pub listings: Arc<Listings>,
    /// Whose listing: the connection updates it when the viewer's standing changes.
    pub principal: Arc<RwLock<Principal>>,
}

impl SyncSource {
    async fn listing(&self) -> Result<Listing, DbError> {
        let principal = self
            .principal
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        self.listings.for_principal(&principal).await
    }
}

/// Writes queued messages to the client, flushing once per batch, until a close frame is
/// written, the queue ends or the client is gone. A `sync` that would repeat the previous
/// one with nothing sent in between is skipped.
pub async fn write_queued<W>(sink: W, mut queued: mpsc::Receiver<Outgoing>, syncs: SyncSource)
where
    W: Sink<Message> + Send,
{
    let mut sink = std::pin::pin!(sink);
    let mut last_sync: Option<Arc<str>> = None;
    let mut next = queued.recv().await;
    while let Some(outgoing) = next {
        let message = match outgoing {
            Outgoing::Message(message) => {
                last_sync = None;
                Some(message)
            }
            Outgoing::Sync => match syncs.listing().await {
                Ok(listing) if last_sync.as_ref() == Some(&listing.body) => None,
                Ok(listing) => {
                    let message = Message::text(listing.sync_message());
                    last_sync = Some(listing.body);
                    Some(message)
                }
                Err(error) => {
                    tracing::error!("websocket: cannot build a sync: {error}");
                    Some(Message::close_with(1011u16, "Internal server error"))
                }
            },
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
