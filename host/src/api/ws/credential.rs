//! What a socket authenticated with, kept so that it can be checked again: a revoked key, an
//! ended session or a deleted account closes the sockets opened with it.

use crate::auth::{Authenticator, Principal};
use crate::store::DbError;

/// The credential a socket presented.
#[derive(Clone)]
pub enum Credential {
    /// The `token` query parameter: ADMIN_KEY or a user's API key.
    Token(String),
    /// The `docsfy_session` cookie.
    Session(String),
}

impl Credential {
    /// The credential of a handshake: the `token` parameter when given (even if it turns out
    /// wrong: a bad explicit credential is not rescued by a cookie), else the session cookie.
    /// The `Authorization` header is never read, as docsfy's clients expect.
    pub fn from_handshake(token: Option<String>, cookie: Option<String>) -> Option<Credential> {
        match (token, cookie) {
            (Some(token), _) if !token.is_empty() => Some(Credential::Token(token)),
            (_, Some(cookie)) if !cookie.is_empty() => Some(Credential::Session(cookie)),
            _ => None,
        }
    }

    /// Who this credential stands for now, if it still holds.
    pub async fn principal(&self, auth: &Authenticator) -> Result<Option<Principal>, DbError> {
        match self {
            Credential::Token(token) => auth.bearer(token).await,
            Credential::Session(token) => auth.session(token).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Credential;

    fn kind(credential: Option<Credential>) -> Option<(&'static str, String)> {
        credential.map(|c| match c {
            Credential::Token(t) => ("token", t),
            Credential::Session(s) => ("session", s),
        })
    }

    #[test]
    fn an_explicit_token_wins_over_the_cookie_and_empty_values_count_as_absent() {
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            kind(Credential::from_handshake(some("key"), some("cookie"))),
            Some(("token", "key".into()))
        );
        assert_eq!(
            kind(Credential::from_handshake(some(""), some("cookie"))),
            Some(("session", "cookie".into()))
        );
        assert_eq!(kind(Credential::from_handshake(None, some(""))), None);
        assert_eq!(kind(Credential::from_handshake(None, None)), None);
    }
}
