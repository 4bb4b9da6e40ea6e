//! The `[git]` section: what clones may reach, with which credentials, and how much.

use serde::{Deserialize, Serialize};

/// Limits and permissions of remote clones.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct GitSettings {
    /// Git hosts that may be cloned although they are not on public addresses (`host` or
    /// `host:port`), such as a GitLab or Gitea in the LAN.
    pub allow_hosts: Vec<String>,
    /// Hosts for which the server's SSH agent and git credential helpers are used. SSH clones
    /// are only made from these.
    pub credential_hosts: Vec<String>,
    /// The most one clone may download, in MiB.
    pub max_clone_mb: u64,
    /// The longest one clone may take, in seconds.
    pub clone_timeout_secs: u64,
}

impl Default for GitSettings {
    fn default() -> Self {
        GitSettings {
            allow_hosts: Vec::new(),
            credential_hosts: Vec::new(),
            max_clone_mb: 1024,
            clone_timeout_secs: 600,
        }
    }
}

impl GitSettings {
    pub(super) fn validate(&self) -> Result<(), String> {
        if self.max_clone_mb == 0 || self.clone_timeout_secs == 0 {
            return Err("git.max_clone_mb and git.clone_timeout_secs must be at least 1".into());
        }
        for entry in self.allow_hosts.iter().chain(&self.credential_hosts) {
            if entry.is_empty() || entry.contains(['/', '@', ' ']) {
                return Err(format!(
                    "git hosts are written `host` or `host:port`, not `{entry}`"
                ));
            }
        }
        Ok(())
    }
}
