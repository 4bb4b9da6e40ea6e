//! Who is calling: roles, principals, API keys, sessions.

mod authenticator;
pub mod keys;

use serde::{Deserialize, Serialize};

pub use authenticator::{Authenticator, LoginError, RotateError};

/// The username of the ADMIN_KEY administrator; reserved for database users.
pub const ADMIN_USERNAME: &str = "admin";

/// How long a browser session lasts, in seconds (8 hours).
pub const SESSION_LIFETIME_SECS: u64 = 8 * 60 * 60;

/// The session cookie's name, as docsfy clients know it.
pub const SESSION_COOKIE: &str = "docsfy_session";

/// What a caller may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everything, including `/api/admin/*`.
    Admin,
    /// Read and write their own and shared projects.
    User,
    /// Read their own and shared projects.
    Viewer,
}

impl Role {
    /// The role's name in the API and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
            Role::Viewer => "viewer",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Role, String> {
        match text {
            "admin" => Ok(Role::Admin),
            "user" => Ok(Role::User),
            "viewer" => Ok(Role::Viewer),
            other => Err(format!(
                "Invalid role '{other}'. Must be one of: admin, user, viewer"
            )),
        }
    }
}

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
}
