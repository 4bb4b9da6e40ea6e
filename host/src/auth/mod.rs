//! Who is calling: roles, principals, API keys, sessions.

mod authenticator;
mod docs_tokens;
pub mod keys;
mod throttle;

use crate::domain::{Role, Visibility};
pub use authenticator::{AuthError, Authenticator, LoginError, RotateError};
pub use docs_tokens::{DocsAccess, DocsTokenKind};
pub use throttle::{Limits, Throttled};

/// The username of the ADMIN_KEY administrator; reserved for database users.
pub const ADMIN_USERNAME: &str = "admin";

/// How long a browser session lasts, in seconds (8 hours).
pub const SESSION_LIFETIME_SECS: u64 = 8 * 60 * 60;

/// The session cookie's name, as docsfy clients know it.
pub const SESSION_COOKIE: &str = "docsfy_session";

/// The cookie of the separate docs origin (`docs_origin`): reads documentation there, and
/// is not a session of the API.
pub const DOCS_COOKIE: &str = "docsfy_docs";

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The username (`admin` for the ADMIN_KEY administrator).
    pub username: String,
    /// The caller's role.
    pub role: Role,
    /// Whether the caller authenticated with ADMIN_KEY (which has no users row).
    pub admin_key: bool,
}

impl Principal {
    /// Admins see and may do everything.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Viewers may not write.
    pub fn can_write(&self) -> bool {
        self.role != Role::Viewer
    }

    /// The variants this caller may see.
    pub fn visibility(&self) -> Visibility {
        if self.is_admin() {
            Visibility::All
        } else {
            Visibility::User(self.username.clone())
        }
    }
}
