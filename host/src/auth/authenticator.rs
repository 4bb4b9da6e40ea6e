//! Turning a bearer token or a session cookie into a [`Principal`], fast.
//!
//! A request's key is digested once (HMAC under the server secret); the digest finds the
//! ADMIN_KEY, a cached user, or the user's row. argon2 runs only on a cache miss for a digest
//! that matched a row, so a verified key costs microseconds afterwards. Rotation and deletion
//! drop the user's cache entries.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use tokio::sync::{OnceCell, Semaphore};

use super::keys::{self, KeyDigester};
use super::throttle::{Limits, Throttle, Throttled};
use super::{ADMIN_USERNAME, Principal, SESSION_LIFETIME_SECS};
use crate::domain::Role;
use crate::store::users::User;
use crate::store::{DbError, Store};

/// Answers "who is this?" for every request.
pub struct Authenticator {
    store: Store,
    digester: KeyDigester,
    admin_lookup: String,
    /// Verified keys by lookup digest: no raw key is ever kept.
    verified: RwLock<HashMap<String, CachedUser>>,
    /// Bumped whenever cache entries are dropped, so that a verification that read a row
    /// before a rotation or deletion does not put the old key back.
    forgets: AtomicU64,
    /// One verification per lookup digest at a time: a crowd presenting the same key (every
    /// socket of a dashboard reconnecting after a restart) runs argon2 once, not once each.
    verifying: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// argon2 verifications run so far (for tests and benchmarks).
    argon2_runs: AtomicU64,
    /// argon2 runs at once: each takes ~19 MiB and a core for tens of milliseconds, so a
    /// crowd of wrong logins queues instead of exhausting memory.
    argon2_turns: Semaphore,
    /// The hash an unknown username's key is checked against, so that an unknown user costs
    /// what a known one does and logins do not tell which usernames exist.
    dummy_hash: OnceCell<String>,
    /// Failed logins and keys, by username and address.
    throttle: Throttle,
}

#[derive(Clone)]
struct CachedUser {
    username: String,
    role: Role,
}

/// Why a login failed.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// Wrong username or key.
    #[error("Invalid username or API key")]
    Invalid,
    /// Too many failures for this username or from this address.
    #[error("Too many failed logins; try again later")]
    Throttled(Throttled),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Why a credential could not be checked.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Too many wrong keys from this address.
    #[error("Too many failed attempts; try again later")]
    Throttled(Throttled),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Why a key could not be rotated.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    /// The chosen key is too short or already used.
    #[error("{0}")]
    BadKey(String),
    /// No such user.
    #[error("User not found")]
    NotFound,
    /// Anything else.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Authenticator {
    /// An authenticator for this store, server secret and ADMIN_KEY.
    pub fn new(
        store: Store,
        server_secret: [u8; 32],
        admin_key: &str,
        limits: Limits,
    ) -> Authenticator {
        let digester = KeyDigester::new(server_secret);
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Authenticator {
            admin_lookup: digester.lookup(admin_key),
            digester,
            store,
            verified: RwLock::new(HashMap::new()),
            forgets: AtomicU64::new(0),
            verifying: Mutex::new(HashMap::new()),
            argon2_runs: AtomicU64::new(0),
            argon2_turns: Semaphore::new(cores),
            dummy_hash: OnceCell::new(),
            throttle: Throttle::new(limits),
        }
    }

    /// The caller behind an `Authorization: Bearer` token (or a socket's `?token=`), if
    /// any. Keys already verified pass at once; from an address with too many wrong keys,
    /// others are refused.
    pub async fn bearer(
        &self,
        token: &str,
        from: Option<IpAddr>,
    ) -> Result<Option<Principal>, AuthError> {
        let lookup = self.digester.lookup(token);
        if keys::digests_equal(&lookup, &self.admin_lookup) {
            return Ok(Some(admin_principal()));
        }
        if let Some(user) = self.cached(&lookup) {
            return Ok(Some(principal(&user.username, user.role)));
        }
        self.throttle
            .check(None, from)
            .map_err(AuthError::Throttled)?;
        let gate = self.gate(&lookup);
        let verified = {
            let _turn = gate.lock().await;
            match self.cached(&lookup) {
                Some(user) => Ok(Some(principal(&user.username, user.role))),
                None => self.verify(token, &lookup).await,
            }
        };
        self.close_gate(&lookup, gate);
        if matches!(verified, Ok(None)) {
            self.throttle.fail(None, from);
        }
        Ok(verified?)
    }

    /// The database and argon2 half of [`Authenticator::bearer`].
    async fn verify(&self, token: &str, lookup: &str) -> Result<Option<Principal>, DbError> {
        let forgets = self.forgets.load(Ordering::SeqCst);
        let stored = match self.store.user_by_key_lookup(lookup).await {
            Ok(stored) => stored,
            Err(DbError::NotFound) => return Ok(None),
            Err(error) => return Err(error),
        };
        if !self.verify_key(token, stored.key_hash).await {
            return Ok(None);
        }
        let user = stored.user;
        if self.forgets.load(Ordering::SeqCst) == forgets {
            self.remember(lookup.to_string(), &user);
        }
        Ok(Some(principal(&user.username, user.role)))
    }

    /// How many times a key was checked with argon2 (cache misses that matched a row).
    pub fn argon2_runs(&self) -> u64 {
        self.argon2_runs.load(Ordering::Relaxed)
    }

    fn gate(&self, lookup: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut gates = self.verifying.lock().unwrap_or_else(|e| e.into_inner());
        gates.entry(lookup.to_string()).or_default().clone()
    }

    fn close_gate(&self, lookup: &str, gate: Arc<tokio::sync::Mutex<()>>) {
        let mut gates = self.verifying.lock().unwrap_or_else(|e| e.into_inner());
        // Clones are only made under this lock: two means the map's and ours, nobody waits.
        if Arc::strong_count(&gate) <= 2 {
            gates.remove(lookup);
        }
    }

    /// Which ADMIN_KEY is in force, as tokens signed for the admin record it.
    pub(super) fn admin_binding(&self) -> String {
        self.admin_lookup.chars().take(16).collect()
    }

    /// The server secret's HMAC of `text`, in hex.
    pub(super) fn lookup_digest(&self, text: &str) -> String {
        self.digester.lookup(text)
    }

    /// The role of the account `username`, if it exists.
    pub(super) async fn user(&self, username: &str) -> Result<Option<Role>, DbError> {
        match self.store.user_by_name(username).await {
            Ok(stored) => Ok(Some(stored.user.role)),
            Err(DbError::NotFound) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// The caller behind a session cookie, if the session is live.
    pub async fn session(&self, token: &str) -> Result<Option<Principal>, DbError> {
        let owner = match self.store.session(&keys::session_digest(token)).await {
            Ok(owner) => owner,
            Err(DbError::NotFound) => return Ok(None),
            Err(error) => return Err(error),
        };
        if let Some(admin_lookup) = owner.admin_key {
            // A session opened with an ADMIN_KEY that has since changed is over.
            return Ok(keys::digests_equal(&admin_lookup, &self.admin_lookup).then(admin_principal));
        }
        match self.store.user_by_name(&owner.username).await {
            Ok(stored) => Ok(Some(principal(&stored.user.username, stored.user.role))),
            Err(DbError::NotFound) => Ok(None),
            Err(error) => Err(error),
        }
    }

    /// Checks a username and key and opens a session; returns the principal and the token.
    /// Failures count against the username and the address `from`.
    pub async fn login(
        &self,
        username: &str,
        key: &str,
        from: Option<IpAddr>,
    ) -> Result<(Principal, String), LoginError> {
        self.throttle
            .check(Some(username), from)
            .map_err(LoginError::Throttled)?;
        let Some((who, admin_key)) = self.check_login(username, key).await? else {
            self.throttle.fail(Some(username), from);
            return Err(LoginError::Invalid);
        };
        self.throttle.succeed(username);
        let token = keys::random_token();
        self.store
            .create_session(
                &keys::session_digest(&token),
                &who.username,
                admin_key,
                SESSION_LIFETIME_SECS,
            )
            .await?;
        Ok((who, token))
    }

    /// The principal a username and key stand for (with the ADMIN_KEY's lookup digest for the
    /// built-in admin), or `None`. A username with no account is checked against a dummy
    /// hash, at the same cost as a real one.
    async fn check_login(
        &self,
        username: &str,
        key: &str,
    ) -> Result<Option<(Principal, Option<&str>)>, DbError> {
        if username == ADMIN_USERNAME {
            let lookup = self.digester.lookup(key);
            let valid = keys::digests_equal(&lookup, &self.admin_lookup);
            return Ok(valid.then(|| (admin_principal(), Some(self.admin_lookup.as_str()))));
        }
        let stored = match self.store.user_by_name(username).await {
            Ok(stored) => stored,
            Err(DbError::NotFound) => {
                let dummy = self
                    .dummy_hash
                    .get_or_init(|| async {
                        hash_off_thread(keys::random_token())
                            .await
                            .unwrap_or_default()
                    })
                    .await;
                self.verify_key(key, dummy.clone()).await;
                return Ok(None);
            }
            Err(error) => return Err(error),
        };
        if !self.verify_key(key, stored.key_hash).await {
            return Ok(None);
        }
        Ok(Some((
            principal(&stored.user.username, stored.user.role),
            None,
        )))
    }

    /// One argon2 verification, off the async workers and within the limit of runs at once.
    async fn verify_key(&self, key: &str, hash: String) -> bool {
        let Ok(_turn) = self.argon2_turns.acquire().await else {
            return false;
        };
        self.argon2_runs.fetch_add(1, Ordering::Relaxed);
        let key = key.to_string();
        tokio::task::spawn_blocking(move || keys::verify_key(&key, &hash))
            .await
            .unwrap_or(false)
    }

    /// Ends the session behind a cookie; returns the username it belonged to, if any.
    pub async fn logout(&self, token: &str) -> Result<Option<String>, DbError> {
        self.store
            .delete_session(&keys::session_digest(token))
            .await
    }

    /// Creates a user with a generated key; returns the user and the raw key.
    pub async fn create_user(&self, username: &str, role: Role) -> anyhow::Result<(User, String)> {
        let key = keys::random_token();
        let hash = hash_off_thread(key.clone()).await?;
        let user = self
            .store
            .create_user(username, role, &hash, &self.digester.lookup(&key))
            .await
            .map_err(|e| match e {
                DbError::Conflict => anyhow::anyhow!("User '{username}' already exists"),
                other => anyhow::Error::from(other),
            })?;
        Ok((user, key))
    }

    /// Gives a user a new key (the chosen one, or a generated one) and ends their sessions.
    pub async fn rotate(
        &self,
        username: &str,
        chosen: Option<String>,
    ) -> Result<String, RotateError> {
        let key = match chosen {
            Some(key) if key.chars().count() < keys::MIN_KEY_LENGTH => {
                return Err(RotateError::BadKey(format!(
                    "new_key must be at least {} characters long",
                    keys::MIN_KEY_LENGTH
                )));
            }
            Some(key) => key,
            None => keys::random_token(),
        };
        let lookup = self.digester.lookup(&key);
        if keys::digests_equal(&lookup, &self.admin_lookup) {
            return Err(RotateError::BadKey(
                "new_key cannot be used; choose another".into(),
            ));
        }
        let hash = hash_off_thread(key.clone()).await?;
        match self.store.replace_user_key(username, &hash, &lookup).await {
            Ok(_) => {}
            Err(DbError::NotFound) => return Err(RotateError::NotFound),
            Err(DbError::Conflict) => {
                return Err(RotateError::BadKey(
                    "new_key cannot be used; choose another".into(),
                ));
            }
            Err(other) => return Err(RotateError::Other(other.into())),
        }
        self.forget(username);
        Ok(key)
    }

    /// Drops every cached verification of `username`'s key (after deletion or rotation).
    pub fn forget(&self, username: &str) {
        self.forgets.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut verified) = self.verified.write() {
            verified.retain(|_, user| user.username != username);
        }
    }

    fn cached(&self, lookup: &str) -> Option<CachedUser> {
        self.verified.read().ok()?.get(lookup).cloned()
    }

    fn remember(&self, lookup: String, user: &User) {
        if let Ok(mut verified) = self.verified.write() {
            verified.insert(
                lookup,
                CachedUser {
                    username: user.username.clone(),
                    role: user.role,
                },
            );
        }
    }
}

fn admin_principal() -> Principal {
    Principal {
        username: ADMIN_USERNAME.into(),
        role: Role::Admin,
        admin_key: true,
    }
}

fn principal(username: &str, role: Role) -> Principal {
    Principal {
        username: username.to_string(),
        role,
        admin_key: false,
    }
}

async fn hash_off_thread(key: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || keys::hash_key(&key)).await?
}

#[cfg(test)]
#[path = "authenticator_tests.rs"]
mod tests;
