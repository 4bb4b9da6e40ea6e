//! Which variants one socket may hear about: admins all of them, everyone else their own and
//! the projects shared with them. Nothing else, ever.

use std::collections::{HashMap, HashSet};

use crate::auth::Principal;
use crate::domain::Visibility;
use crate::store::{DbError, Store};

/// A socket's principal and the projects shared with it.
pub struct Viewer {
    /// Who is listening.
    pub principal: Principal,
    /// What the principal may see, kept: asked for every event.
    visibility: Visibility,
    /// Project names shared with the principal, by owner.
    shared: HashMap<String, HashSet<String>>,
}

impl Viewer {
    /// The viewer for `principal`, with the grants stored now.
    pub async fn load(store: &Store, principal: Principal) -> Result<Viewer, DbError> {
        let mut viewer = Viewer {
            visibility: principal.visibility(),
            principal,
            shared: HashMap::new(),
        };
        viewer.reload_grants(store).await?;
        Ok(viewer)
    }

    /// Reads the grants again (after one changed, or a shared project went away).
    pub async fn reload_grants(&mut self, store: &Store) -> Result<(), DbError> {
        if self.principal.is_admin() {
            return Ok(());
        }
        self.shared.clear();
        for (name, owner) in store.shared_with(&self.principal.username).await? {
            self.shared.entry(owner).or_default().insert(name);
        }
        Ok(())
    }

    /// Whether the variants of `name` owned by `owner` are visible to this socket.
    pub fn sees(&self, name: &str, owner: &str) -> bool {
        self.visibility.sees(owner, || {
            self.shared
                .get(owner)
                .is_some_and(|names| names.contains(name))
        })
    }

    /// Whether any project of `owner` is visible to this socket.
    pub fn sees_any_of(&self, owner: &str) -> bool {
        self.visibility
            .sees(owner, || self.shared.contains_key(owner))
    }

    /// Whether the socket was opened by the user `username` (ADMIN_KEY sockets are nobody's
    /// account: that key changes only with the server's configuration).
    pub fn is(&self, username: &str) -> bool {
        !self.principal.admin_key && self.principal.username == username
    }
}
