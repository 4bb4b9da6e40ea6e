//! The heartbeat of one socket: a `ping` every interval, a pong expected within the timeout,
//! and the socket given up after two pings go unanswered.

use std::time::Duration;

use tokio::time::Instant;

/// Unanswered pings after which the socket is closed with 1001.
pub const MISSED_PONGS_LIMIT: u32 = 2;

/// What the heartbeat wants done when its timer fires.
#[derive(Debug, PartialEq, Eq)]
pub enum Beat {
    /// Send `{"type":"ping"}` now.
    Ping,
    /// Nothing to send; the pong just went missing but the client has another chance.
    Missed,
    /// Two pongs went missing: close with 1001.
    GiveUp,
}

/// The heartbeat state.
pub struct Heartbeat {
    interval: Duration,
    timeout: Duration,
    next_ping: Instant,
    /// When the pong for the last ping is due, while it is awaited.
    pong_due: Option<Instant>,
    missed: u32,
}

impl Heartbeat {
    /// A heartbeat whose first ping is one interval from `now`.
    pub fn new(interval: Duration, timeout: Duration, now: Instant) -> Heartbeat {
        Heartbeat {
            interval,
            timeout,
            next_ping: now + interval,
            pong_due: None,
            missed: 0,
        }
    }

    /// When the timer must fire next.
    pub fn wakes_at(&self) -> Instant {
        match self.pong_due {
            Some(due) if due < self.next_ping => due,
            _ => self.next_ping,
        }
    }

    /// The timer fired at `now`.
    pub fn fire(&mut self, now: Instant) -> Option<Beat> {
        if self.pong_due.is_some_and(|due| due <= now) {
            self.pong_due = None;
            self.missed += 1;
            return Some(if self.missed >= MISSED_PONGS_LIMIT {
                Beat::GiveUp
            } else {
                Beat::Missed
            });
        }
        if self.next_ping <= now {
            self.next_ping = now + self.interval;
            self.pong_due = Some(now + self.timeout);
            return Some(Beat::Ping);
        }
        None
    }

    /// The client answered.
    pub fn pong(&mut self) {
        self.pong_due = None;
        self.missed = 0;
    }
}

/// Whether a client's text is the one message the server listens to: `{"type":"pong"}`.
pub fn is_pong(text: &str) -> bool {
    // A map, not a struct: serde would also read a struct from an array (`["pong"]`).
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(text)
        .is_ok_and(|message| message.get("type").and_then(|t| t.as_str()) == Some("pong"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTERVAL: Duration = Duration::from_secs(30);
    const TIMEOUT: Duration = Duration::from_secs(10);

    #[test]
    fn two_unanswered_pings_give_up_and_a_pong_forgives() {
        let start = Instant::now();
        let mut heart = Heartbeat::new(INTERVAL, TIMEOUT, start);
        assert_eq!(heart.wakes_at(), start + INTERVAL);
        assert_eq!(heart.fire(start + INTERVAL), Some(Beat::Ping));
        assert_eq!(heart.wakes_at(), start + INTERVAL + TIMEOUT);
        assert_eq!(heart.fire(start + INTERVAL + TIMEOUT), Some(Beat::Missed));
        assert_eq!(heart.fire(start + 2 * INTERVAL), Some(Beat::Ping));
        heart.pong();
        assert_eq!(
            heart.wakes_at(),
            start + 3 * INTERVAL,
            "the answered ping is settled"
        );
        assert_eq!(heart.fire(start + 3 * INTERVAL), Some(Beat::Ping));
        assert_eq!(
            heart.fire(start + 3 * INTERVAL + TIMEOUT),
            Some(Beat::Missed)
        );
        assert_eq!(heart.fire(start + 4 * INTERVAL), Some(Beat::Ping));
        assert_eq!(
            heart.fire(start + 4 * INTERVAL + TIMEOUT),
            Some(Beat::GiveUp)
        );
    }

    #[test]
    fn only_a_json_pong_counts() {
        assert!(is_pong(r#"{"type":"pong"}"#));
        assert!(is_pong(r#"{ "type" : "pong", "extra": 1 }"#));
        for other in [
            r#"{"type":"ping"}"#,
            r#"["pong"]"#,
            r#""pong""#,
            "pong",
            r#"{"type":["pong"]}"#,
            "{",
            "",
        ] {
            assert!(!is_pong(other), "{other}");
        }
    }
}
