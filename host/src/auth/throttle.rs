//! Failed credentials, counted per username and per client address, so that a guessing loop
//! is stopped within tens of attempts while a person's occasional typo never is.
//!
//! Each key (a username, an address) may fail `limit` times within a window; the next
//! attempts are refused until the window that started with its first failure has passed. A
//! success for a username clears it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Past this many tracked keys, expired ones are dropped before another is added.
const PRUNE_ABOVE: usize = 10_000;

/// How many failures are allowed, and over how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failures per username within the window.
    pub per_user: u32,
    /// Failures per client address within the window.
    pub per_address: u32,
    /// The window.
    pub window: Duration,
}

/// A refusal: try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// Until the window ends (at least one second, as `Retry-After` counts).
    pub retry_after: Duration,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    failures: u32,
}

/// The failure counts of one kind of key.
#[derive(Debug)]
struct Counts<K> {
    windows: Mutex<HashMap<K, Window>>,
}

impl<K> Default for Counts<K> {
    fn default() -> Self {
        Counts {
            windows: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Counts<K> {
    fn check(&self, key: &K, limit: u32, window: Duration, now: Instant) -> Result<(), Throttled> {
        let windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        match windows.get(key) {
            Some(w) if now.duration_since(w.started) < window && w.failures >= limit => {
                let left = window - now.duration_since(w.started);
                Err(Throttled {
                    retry_after: left.max(Duration::from_secs(1)),
                })
            }
            _ => Ok(()),
        }
    }

    fn fail(&self, key: &K, window: Duration, now: Instant) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if windows.len() > PRUNE_ABOVE {
            windows.retain(|_, w| now.duration_since(w.started) < window);
        }
        let entry = windows.entry(key.clone()).or_insert(Window {
            started: now,
            failures: 0,
        });
        if now.duration_since(entry.started) >= window {
            *entry = Window {
                started: now,
                failures: 0,
            };
        }
        entry.failures = entry.failures.saturating_add(1);
    }

    fn clear(&self, key: &K) {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        windows.remove(key);
    }
}

/// Failed logins and keys, by username and by address.
#[derive(Debug)]
pub struct Throttle {
    limits: Limits,
    users: Counts<String>,
    addresses: Counts<IpAddr>,
}

impl Throttle {
    /// A throttle with no failures recorded.
    pub fn new(limits: Limits) -> Throttle {
        Throttle {
            limits,
            users: Counts::default(),
            addresses: Counts::default(),
        }
    }

    /// Whether an attempt for `username` (if it names one) from `address` (if known) may go
    /// ahead now.
    pub fn check(&self, username: Option<&str>, address: Option<IpAddr>) -> Result<(), Throttled> {
        self.check_at(username, address, Instant::now())
    }

    /// Records a failed attempt.
    pub fn fail(&self, username: Option<&str>, address: Option<IpAddr>) {
        self.fail_at(username, address, Instant::now());
    }

    /// A successful login: the username's failures are forgiven (the address's are not: a
    /// guesser must not reset its count by logging in to an account of its own).
    pub fn succeed(&self, username: &str) {
        self.users.clear(&username.to_string());
    }

    fn check_at(
        &self,
        username: Option<&str>,
        address: Option<IpAddr>,
        now: Instant,
    ) -> Result<(), Throttled> {
        let Limits {
            per_user,
            per_address,
            window,
        } = self.limits;
        if let Some(username) = username {
            self.users
                .check(&username.to_string(), per_user, window, now)?;
        }
        if let Some(address) = address {
            self.addresses.check(&address, per_address, window, now)?;
        }
        Ok(())
    }

    fn fail_at(&self, username: Option<&str>, address: Option<IpAddr>, now: Instant) {
        let window = self.limits.window;
        if let Some(username) = username {
            self.users.fail(&username.to_string(), window, now);
        }
        if let Some(address) = address {
            self.addresses.fail(&address, window, now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle() -> Throttle {
        Throttle::new(Limits {
            per_user: 3,
            per_address: 5,
            window: Duration::from_secs(60),
        })
    }

    #[test]
    fn a_username_is_refused_after_its_limit_until_the_window_ends() {
        let throttle = throttle();
        let start = Instant::now();
        let address: Option<IpAddr> = Some("10.0.0.1".parse().expect("ip"));
        for _ in 0..3 {
            assert!(throttle.check_at(Some("alice"), address, start).is_ok());
            throttle.fail_at(Some("alice"), address, start);
        }
        let refused = throttle
            .check_at(Some("alice"), None, start + Duration::from_secs(20))
            .expect_err("fourth attempt");
        assert_eq!(refused.retry_after, Duration::from_secs(40));
        assert!(
            throttle.check_at(Some("bob"), None, start).is_ok(),
            "others go on"
        );
        assert!(
            throttle
                .check_at(Some("alice"), None, start + Duration::from_secs(60))
                .is_ok(),
            "a new window"
        );
    }

    #[test]
    fn an_address_is_refused_across_usernames_and_a_success_forgives_the_username_only() {
        let throttle = throttle();
        let now = Instant::now();
        let address: Option<IpAddr> = Some("10.0.0.2".parse().expect("ip"));
        for name in ["a", "b", "c", "d"] {
            throttle.fail_at(Some(name), address, now);
        }
        throttle.fail_at(Some("e"), address, now);
        throttle.fail_at(Some("e"), address, now);
        throttle.succeed("e");
        assert!(throttle.check_at(Some("e"), None, now).is_ok());
        let refused = throttle
            .check_at(Some("z"), address, now)
            .expect_err("address");
        assert_eq!(refused.retry_after, Duration::from_secs(60));
        assert!(
            throttle
                .check_at(None, Some("10.0.0.3".parse().expect("ip")), now)
                .is_ok()
        );
    }
}
