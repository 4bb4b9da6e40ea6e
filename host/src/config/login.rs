//! The `[login]` section: how many wrong credentials are tolerated before a username or a
//! client address has to wait.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::auth::Limits;

/// Limits on failed logins and failed bearer keys. A request that presents no credentials
/// is not a failure.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LoginSettings {
    /// Failed logins for one username within the window before it must wait.
    pub failures_per_user: u32,
    /// Failed logins and wrong keys from one address within the window before it must wait.
    pub failures_per_address: u32,
    /// The window, in seconds; the wait lasts until it ends.
    pub window_secs: u64,
}

impl Default for LoginSettings {
    fn default() -> Self {
        LoginSettings {
            failures_per_user: 10,
            failures_per_address: 100,
            window_secs: 60,
        }
    }
}

impl LoginSettings {
    pub(super) fn validate(&self) -> Result<(), String> {
        if self.failures_per_user == 0 || self.failures_per_address == 0 {
            return Err(
                "login.failures_per_user and login.failures_per_address must be at least 1".into(),
            );
        }
        if !(1..=86_400).contains(&self.window_secs) {
            return Err("login.window_secs must be between 1 and 86400".into());
        }
        Ok(())
    }

    /// The limits as the authenticator applies them.
    pub fn limits(&self) -> Limits {
        Limits {
            per_user: self.failures_per_user,
            per_address: self.failures_per_address,
            window: Duration::from_secs(self.window_secs),
        }
    }
}
