//! Credentials of the separate docs origin (`docs_origin`): signed with the server secret,
//! good for reading documentation there and nothing else, never a session of the API.
//!
//! The API origin hands a browser with a session a one-minute *grant* in the redirect to the
//! docs origin, which trades it for a *cookie* of its own. Both name the user (checked again
//! on every use: a deleted user's cookie is dead) and, for the ADMIN_KEY admin, which
//! ADMIN_KEY it was. A grant also names the nonce the docs origin gave the browser before
//! sending it to the API, so a grant taken from one browser is worthless in another (no one
//! can sign a reader in to the docs as someone else).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::authenticator::Authenticator;
use super::{ADMIN_USERNAME, Principal, keys};
use crate::domain::Role;
use crate::store::DbError;

/// What a docs token is for; a grant is not a cookie and the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocsTokenKind {
    Grant,
    Cookie,
}

impl DocsTokenKind {
    fn tag(self) -> &'static str {
        match self {
            DocsTokenKind::Grant => "grant",
            DocsTokenKind::Cookie => "cookie",
        }
    }
}

/// What a docs token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocsAccess {
    /// Valid: the reader, and the nonce it is bound to (empty for cookies).
    Granted(Principal, String),
    /// Signed by this server but expired.
    Expired,
    /// Not a token of this server, of this kind, or of a user who still exists.
    Refused,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Authenticator {
    /// A token of `kind` for `who`, valid for `lifetime`, bound to `nonce`.
    pub fn docs_token(
        &self,
        kind: DocsTokenKind,
        who: &Principal,
        nonce: &str,
        lifetime: Duration,
    ) -> String {
        let binding = if who.admin_key {
            self.admin_binding()
        } else {
            String::new()
        };
        let expires = now().saturating_add(lifetime.as_secs());
        let payload = format!(
            "{}|{expires}|{binding}|{nonce}|{}",
            kind.tag(),
            who.username
        );
        format!("{}.{}", encode(payload.as_bytes()), self.docs_mac(&payload))
    }

    /// What `token` grants, read as a token of `kind`.
    pub async fn docs_access(
        &self,
        kind: DocsTokenKind,
        token: &str,
    ) -> Result<DocsAccess, DbError> {
        let Some((encoded, mac)) = token.split_once('.') else {
            return Ok(DocsAccess::Refused);
        };
        let Some(payload) = decode(encoded).and_then(|b| String::from_utf8(b).ok()) else {
            return Ok(DocsAccess::Refused);
        };
        if !keys::digests_equal(mac, &self.docs_mac(&payload)) {
            return Ok(DocsAccess::Refused);
        }
        let mut fields = payload.splitn(5, '|');
        let (Some(tag), Some(expires), Some(binding), Some(nonce), Some(username)) = (
            fields.next(),
            fields.next().and_then(|e| e.parse::<u64>().ok()),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return Ok(DocsAccess::Refused);
        };
        if tag != kind.tag() {
            return Ok(DocsAccess::Refused);
        }
        if expires < now() {
            return Ok(DocsAccess::Expired);
        }
        let who = if username == ADMIN_USERNAME && !binding.is_empty() {
            // Signed for an ADMIN_KEY that has since changed: over, like its sessions.
            if !keys::digests_equal(binding, &self.admin_binding()) {
                return Ok(DocsAccess::Refused);
            }
            Principal {
                username: ADMIN_USERNAME.into(),
                role: Role::Admin,
                admin_key: true,
            }
        } else {
            match self.user(username).await? {
                Some(role) => Principal {
                    username: username.to_string(),
                    role,
                    admin_key: false,
                },
                None => return Ok(DocsAccess::Refused),
            }
        };
        Ok(DocsAccess::Granted(who, nonce.to_string()))
    }

    fn docs_mac(&self, payload: &str) -> String {
        // Domain-separated from key lookups, which use the same secret.
        self.lookup_digest(&format!("docsfy-docs-token|{payload}"))
    }
}

fn encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}
