//! What a socket authenticated with, kept so that it can be checked again: a revoked key, an
//! ended session or a deleted account closes the sockets opened with it.

use std::net::IpAddr;

use crate::auth::{AuthError, Authenticator, Principal};

/// The credential a socket presented.
#[derive(Clone)]
pub enum Credential {
    /// The `token` query parameter: ADMIN_KEY or a user's API key, and the address it came
    /// from (wrong keys count against it).
    Token(String, Option<IpAddr>),
    /// The `docsfy_session` cookie.
    Session(String),
}

impl Credential {
    /// The credential of a handshake: the `token` parameter when given (even if it turns out
    /// wrong: a bad explicit credential is not rescued by a cookie), else the session cookie.
    /// The `Authorization` header is never read, as docsfy's clients expect.
    pub fn from_handshake(
        token: Option<String>,
        cookie: Option<String>,
        from: Option<IpAddr>,
    ) -> Option<Credential> {
        match (token, cookie) {
            (Some(token), _) if !token.is_empty() => Some(Credential::Token(token, from)),
            (_, Some(cookie)) if !cookie.is_empty() => Some(Credential::Session(cookie)),
            _ => None,
        }
    }

    /// Who this credential stands for now, if it still holds.
    pub async fn principal(&self, auth: &Authenticator) -> Result<Option<Principal>, AuthError> {
        match self {
            Credential::Token(token, from) => auth.bearer(token, *from).await,
            Credential::Session(token) => Ok(auth.session(token).await?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Credential;

    fn kind(credential: Option<Credential>) -> Option<(&'static str, String)> {
        credential.map(|c| match c {
            Credential::Token(t, _) => ("token", t),
            Credential::Session(s) => ("session", s),
        })
    }

    #[test]
    fn an_explicit_token_wins_over_the_cookie_and_empty_values_count_as_absent() {
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            kind(Credential::from_handshake(
                some("key"),
                some("cookie"),
                None
            )),
            Some(("token", "key".into()))
        );
        assert_eq!(
            kind(Credential::from_handshake(some(""), some("cookie"), None)),
            Some(("session", "cookie".into()))
        );
        assert_eq!(kind(Credential::from_handshake(None, some(""), None)), None);
        assert_eq!(kind(Credential::from_handshake(None, None, None)), None);
    }
}
