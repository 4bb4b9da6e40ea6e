//! One open socket: the first `sync`, then the events its viewer may see, the heartbeat, and
//! a bounded queue towards the client. Reading the bus never waits for the client: when the
//! queue is full the socket drops what it cannot send and, once the client catches up, sends
//! one fresh `sync` in place of the backlog.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;
use warp::ws::Message;

use super::credential::Credential;
use super::heartbeat::{Beat, Heartbeat, is_pong};
use super::viewer::Viewer;
use super::writer::{Outgoing, finish, write_queued};
use crate::api::AppState;
use crate::auth::AuthError;
use crate::events::{Event, Published};
use crate::store::DbError;

/// Close codes of the spec, and the one for a server-side failure.
pub const AUTH_FAILED: u16 = 1008;
const GOING_AWAY: u16 = 1001;
const INTERNAL_ERROR: u16 = 1011;

const PING: &str = r#"{"type":"ping"}"#;

/// Why the socket is being closed by the server.
struct Close {
    code: u16,
    reason: &'static str,
}

impl Close {
    fn auth_failed() -> Close {
        Close {
            code: AUTH_FAILED,
            reason: "Authentication failed",
        }
    }

    fn server_stopping() -> Close {
        Close {
            code: GOING_AWAY,
            reason: "Server shutting down",
        }
    }

    /// The close a client that broke the protocol is owed (RFC 6455, 7.4.1): 1009 for a
    /// message over the limit, 1007 for text that is not UTF-8, 1002 for anything else it
    /// got wrong. `None` when the connection itself failed and nothing can be sent.
    fn broken_by_client(error: &warp::Error) -> Option<Close> {
        use std::error::Error as _;
        let (code, reason) = match error.source()?.downcast_ref::<tungstenite::Error>()? {
            tungstenite::Error::Capacity(_) => (1009, "Message too big"),
            tungstenite::Error::Utf8(_) => (1007, "Text is not UTF-8"),
            tungstenite::Error::Protocol(_) => (1002, "Protocol error"),
            _ => return None,
        };
        Some(Close { code, reason })
    }

    /// The credential could not be checked: throttled (a policy violation, 1008) or the
    /// database failed.
    fn refused(error: AuthError) -> Close {
        match error {
            AuthError::Throttled(_) => Close {
                code: AUTH_FAILED,
                reason: "Too many failed attempts",
            },
            AuthError::Db(error) => Close::internal(error),
        }
    }

    fn internal(error: DbError) -> Close {
        tracing::error!("websocket: {error}");
        Close {
            code: INTERNAL_ERROR,
            reason: "Internal server error",
        }
    }
}

/// The server side of one socket.
struct Connection {
    state: AppState,
    credential: Credential,
    viewer: Viewer,
    outbox: mpsc::Sender<Outgoing>,
    /// Messages were dropped: the next thing the client gets is a fresh `sync`.
    behind: bool,
}

/// Serves an upgraded socket whose handshake presented `credential` (`None`: nothing, and
/// the socket is closed with 1008).
pub async fn serve<S>(socket: S, state: AppState, credential: Option<Credential>)
where
    S: Stream<Item = Result<Message, warp::Error>> + Sink<Message> + Send + 'static,
{
    let _open = state.sockets.opened();
    let settings = state.config.websocket.clone();
    let grace = Duration::from_millis(settings.pong_timeout_ms);
    let (mut sink, mut incoming) = socket.split();
    // Listening starts before the credential is checked and the first snapshot taken, so
    // that no change (a revoked key, a new variant) falls between them.
    let events = state.pipeline.subscribe();
    let accepted = match accept(&state, credential).await {
        // Opened while the server is saying goodbye: it missed the announcement.
        Ok(_) if state.sockets.stopping() => Err(Close::server_stopping()),
        other => other,
    };
    let (credential, viewer) = match accepted {
        Ok(accepted) => accepted,
        Err(Close { code, reason }) => {
            let goodbye = async {
                let _ = sink.send(Message::close_with(code, reason)).await;
                let _ = sink.close().await;
            };
            let _ = tokio::time::timeout(grace, goodbye).await;
            return;
        }
    };
    let (outbox, queued) = mpsc::channel(settings.queue_messages);
    let writer = tokio::spawn(write_queued(sink, queued, state.listings.clone()));
    let mut connection = Connection {
        state,
        credential,
        viewer,
        outbox: outbox.clone(),
        behind: false,
    };
    let close = connection.run(&mut incoming, events).await;
    drop(connection);
    finish(outbox, writer, close.map(|c| (c.code, c.reason)), grace).await;
}

/// The credential and its viewer, or why the socket must close.
async fn accept(
    state: &AppState,
    credential: Option<Credential>,
) -> Result<(Credential, Viewer), Close> {
    let credential = credential.ok_or_else(Close::auth_failed)?;
    let principal = credential
        .principal(&state.auth)
        .await
        .map_err(Close::refused)?
        .ok_or_else(Close::auth_failed)?;
    let viewer = Viewer::load(&state.store, principal)
        .await
        .map_err(Close::internal)?;
    Ok((credential, viewer))
}

impl Connection {
    /// Until the client leaves or the server closes the socket; returns the server's reason.
    async fn run<R>(
        &mut self,
        incoming: &mut R,
        mut events: broadcast::Receiver<Arc<Published>>,
    ) -> Option<Close>
    where
        R: Stream<Item = Result<Message, warp::Error>> + Unpin,
    {
        self.send_sync();
        let settings = &self.state.config.websocket;
        let mut heartbeat = Heartbeat::new(
            Duration::from_millis(settings.ping_interval_ms),
            Duration::from_millis(settings.pong_timeout_ms),
            Instant::now(),
        );
        // A handle of its own, so that a reserved slot does not hold `self` borrowed.
        let outbox = self.outbox.clone();
        loop {
            let outcome = tokio::select! {
                message = incoming.next() => match message {
                    Some(Ok(message)) if message.is_close() => return None,
                    Some(Ok(message)) => {
                        // Anything but a pong is ignored, whatever its shape.
                        if message.to_str().is_ok_and(is_pong) {
                            heartbeat.pong();
                        }
                        Ok(())
                    }
                    Some(Err(error)) => return Close::broken_by_client(&error),
                    None => return None,
                },
                event = events.recv() => match event {
                    Ok(published) => self.on_event(&published).await,
                    Err(RecvError::Lagged(_)) => {
                        self.behind = true;
                        Ok(())
                    }
                    Err(RecvError::Closed) => Err(Close::server_stopping()),
                },
                permit = outbox.reserve(), if self.behind => match permit {
                    Ok(permit) => self.resync(permit).await,
                    Err(_) => return None,
                },
                () = tokio::time::sleep_until(heartbeat.wakes_at()) => {
                    match heartbeat.fire(Instant::now()) {
                        Some(Beat::Ping) => self.ping().await,
                        Some(Beat::GiveUp) => Err(Close {
                            code: GOING_AWAY,
                            reason: "Heartbeat timeout",
                        }),
                        Some(Beat::Missed) | None => Ok(()),
                    }
                },
            };
            if let Err(close) = outcome {
                return Some(close);
            }
        }
    }

    async fn on_event(&mut self, published: &Published) -> Result<(), Close> {
        match &published.event {
            Event::Progress { name, owner, .. } => {
                if self.viewer.sees(name, owner) {
                    self.deliver(published.json().to_string());
                }
                Ok(())
            }
            Event::StatusChange { name, owner, .. } => {
                if self.viewer.sees(name, owner) {
                    self.deliver(published.json().to_string());
                    self.send_sync();
                } else {
                    self.sync_if_models_changed();
                }
                Ok(())
            }
            Event::Changed { name, owner } => {
                // Grants go with their projects when an owner is deleted: read them again.
                if self.viewer.sees(name, owner) {
                    self.resync_with_grants().await
                } else {
                    self.sync_if_models_changed();
                    Ok(())
                }
            }
            Event::OwnerGone { owner } => {
                if self.viewer.sees_any_of(owner) {
                    self.resync_with_grants().await
                } else {
                    self.sync_if_models_changed();
                    Ok(())
                }
            }
            Event::AccessChanged { username, .. } => {
                if self.viewer.is(username) {
                    self.resync_with_grants().await?;
                }
                Ok(())
            }
            Event::AccountChanged { username } => {
                // Also for `admin`: an ADMIN_KEY session ends at logout like any other.
                if self.viewer.principal.username == *username {
                    self.check_credential().await?;
                }
                Ok(())
            }
            Event::ServerStopping => Err(Close::server_stopping()),
        }
    }

    /// Closes the socket with 1008 unless its credential still holds (keys get rotated,
    /// sessions end, accounts are deleted).
    async fn check_credential(&mut self) -> Result<(), Close> {
        match self.credential.principal(&self.state.auth).await {
            Ok(Some(principal)) if principal == self.viewer.principal => Ok(()),
            Ok(Some(principal)) => {
                // Same credential, new standing (a role changed): start over as that.
                self.viewer = Viewer::load(&self.state.store, principal)
                    .await
                    .map_err(Close::internal)?;
                self.send_sync();
                Ok(())
            }
            Ok(None) => Err(Close::auth_failed()),
            Err(error) => Err(Close::refused(error)),
        }
    }

    async fn ping(&mut self) -> Result<(), Close> {
        // Credentials also expire on their own (sessions last 8 hours): each beat checks.
        self.check_credential().await?;
        // Sent even while behind, whenever there is room: a client catching up must get the
        // chance to answer. One whose queue stays full for two beats is treated as gone.
        let _ = self.outbox.try_send(Outgoing::Message(Message::text(PING)));
        Ok(())
    }

    async fn resync_with_grants(&mut self) -> Result<(), Close> {
        self.viewer
            .reload_grants(&self.state.store)
            .await
            .map_err(Close::internal)?;
        self.send_sync();
        Ok(())
    }

    /// Queues a `sync` unless the socket is behind (it gets one when it catches up).
    fn send_sync(&mut self) {
        self.queue(Outgoing::Sync(self.viewer.principal.clone()));
    }

    /// A `sync` for a change the viewer cannot see, if it changed their `known_models`.
    fn sync_if_models_changed(&mut self) {
        self.queue(Outgoing::SyncIfModelsChanged(self.viewer.principal.clone()));
    }

    /// The fresh `sync` of a socket that fell behind. Events it skipped may have revoked a
    /// grant or a credential: both are read again first.
    async fn resync(&mut self, permit: mpsc::Permit<'_, Outgoing>) -> Result<(), Close> {
        self.check_credential().await?;
        self.viewer
            .reload_grants(&self.state.store)
            .await
            .map_err(Close::internal)?;
        permit.send(Outgoing::Sync(self.viewer.principal.clone()));
        self.behind = false;
        Ok(())
    }

    /// Queues an event's `text` without waiting.
    fn deliver(&mut self, text: String) {
        self.queue(Outgoing::Message(Message::text(text)));
    }

    /// Queues without waiting; a full queue puts the socket behind.
    fn queue(&mut self, outgoing: Outgoing) {
        if self.behind {
            return;
        }
        if let Err(mpsc::error::TrySendError::Full(_)) = self.outbox.try_send(outgoing) {
            self.behind = true;
        }
    }
}
