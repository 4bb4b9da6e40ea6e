//! The `[websocket]` section: heartbeat and per-connection queue of `/api/ws`.

use serde::{Deserialize, Serialize};

/// How `/api/ws` keeps connections honest. The defaults are docsfy's (a ping every 30 s, 10 s
/// for the pong); tests shorten them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebSocketSettings {
    /// Milliseconds between two `ping` messages.
    pub ping_interval_ms: u64,
    /// Milliseconds a client has to answer a `ping`; two unanswered pings close the socket.
    pub pong_timeout_ms: u64,
    /// Messages queued for one client before it counts as behind and is sent a fresh `sync`
    /// instead of the backlog.
    pub queue_messages: usize,
}

impl Default for WebSocketSettings {
    fn default() -> Self {
        WebSocketSettings {
            ping_interval_ms: 30_000,
            pong_timeout_ms: 10_000,
            queue_messages: 64,
        }
    }
}

/// Bounds that keep the settings meaningful (and clear of overflow).
const DAY_MS: u64 = 24 * 60 * 60 * 1000;
const MAX_QUEUE: usize = 65_536;

impl WebSocketSettings {
    pub(super) fn validate(&self) -> Result<(), String> {
        if self.ping_interval_ms > DAY_MS {
            return Err("websocket.ping_interval_ms must be at most a day (86400000)".into());
        }
        if self.pong_timeout_ms == 0 || self.pong_timeout_ms >= self.ping_interval_ms {
            return Err(
                "websocket.pong_timeout_ms must be at least 1 and less than websocket.ping_interval_ms"
                    .into(),
            );
        }
        if !(4..=MAX_QUEUE).contains(&self.queue_messages) {
            return Err(format!(
                "websocket.queue_messages must be between 4 and {MAX_QUEUE}"
            ));
        }
        Ok(())
    }
}
