//! The server's own credentials (SSH agent, git credential helpers) go only to the hosts the
//! operator lists in `[git] credential_hosts`.

use git2::{Cred, CredentialType};

/// The hosts one clone may give the server's credentials to.
#[derive(Debug, Clone, Default)]
pub struct CredentialScope {
    /// The hosts listed in `[git] credential_hosts`, lower case.
    pub hosts: Vec<String>,
    /// An `http://` remote's clone URL names the relay, which reaches only that remote:
    /// the relay's base URL and the remote's own URL.
    pub relayed: Option<(String, String)>,
}

impl CredentialScope {
    /// The URL a request for credentials is really for, when its host may be given them.
    fn admits(&self, url: &str) -> Option<String> {
        let url = match &self.relayed {
            Some((base, remote))
                if url
                    .strip_prefix(base.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/')) =>
            {
                remote.clone()
            }
            _ => url.to_string(),
        };
        let host = super::remote::RemoteUrl::parse(&url)?.host;
        self.hosts.contains(&host).then_some(url)
    }
}

/// Answers a remote's request for credentials: the server's SSH agent or git credential
/// helpers, only for a host the operator lists (the host asking, which after a redirect is
/// not the one first named), and once per kind: libgit2 asks again after a refusal, and an
/// agent that answers every time would keep it asking forever.
pub fn answer(
    scope: CredentialScope,
) -> impl FnMut(&str, Option<&str>, CredentialType) -> Result<Cred, git2::Error> {
    let mut given = CredentialType::empty();
    move |url, username, allowed| {
        let Some(url) = scope.admits(url) else {
            return Err(git2::Error::from_str(
                "the remote asks for credentials, and the server gives its own only to hosts \
                 listed in [git] credential_hosts",
            ));
        };
        let kind = [
            CredentialType::USERNAME,
            CredentialType::SSH_KEY,
            CredentialType::USER_PASS_PLAINTEXT,
        ]
        .into_iter()
        .find(|kind| allowed.contains(*kind))
        .ok_or_else(|| {
            git2::Error::from_str(
                "the remote asks for credentials of a kind the server does not have",
            )
        })?;
        if given.contains(kind) {
            return Err(git2::Error::from_str(
                "the remote refused the server's credentials",
            ));
        }
        given |= kind;
        if kind == CredentialType::USERNAME {
            Cred::username(username.unwrap_or("git"))
        } else if kind == CredentialType::SSH_KEY {
            Cred::ssh_key_from_agent(username.unwrap_or("git"))
        } else {
            let config = git2::Config::open_default()?;
            Cred::credential_helper(&config, &url, username)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(relayed: Option<(&str, &str)>) -> CredentialScope {
        CredentialScope {
            hosts: vec!["git.corp".into()],
            relayed: relayed.map(|(base, url)| (base.into(), url.into())),
        }
    }

    #[test]
    fn only_listed_hosts_get_credentials_even_after_a_redirect() {
        let mut answer = answer(scope(None));
        let refused = answer("https://evil.example/r.git", None, CredentialType::USERNAME)
            .map(|_| ())
            .expect_err("refused");
        assert!(refused.message().contains("credential_hosts"), "{refused}");
        answer("https://git.corp/r.git", None, CredentialType::USERNAME).expect("listed");
    }

    #[test]
    fn a_relayed_remote_is_judged_by_its_own_url() {
        let relayed = Some(("http://127.0.0.1:4000", "http://git.corp:8080/r.git"));
        let mut answer = answer(scope(relayed));
        answer(
            "http://127.0.0.1:4000/r.git",
            None,
            CredentialType::USERNAME,
        )
        .expect("the relay reaches only the listed remote");
        answer(
            "http://127.0.0.1:40001/r.git",
            None,
            CredentialType::USERNAME,
        )
        .map(|_| ())
        .expect_err("another port is not the relay");
        let mut other = answer_for_unlisted();
        other(
            "http://127.0.0.1:4000/r.git",
            None,
            CredentialType::USERNAME,
        )
        .map(|_| ())
        .expect_err("a relayed remote not listed gets nothing");
    }

    fn answer_for_unlisted()
    -> impl FnMut(&str, Option<&str>, CredentialType) -> Result<Cred, git2::Error> {
        answer(CredentialScope {
            hosts: vec!["git.corp".into()],
            relayed: Some((
                "http://127.0.0.1:4000".into(),
                "http://git.lan/r.git".into(),
            )),
        })
    }

    #[test]
    fn each_kind_is_offered_once_so_a_refusing_remote_ends_the_clone() {
        let mut answer = answer(scope(None));
        let url = "git@git.corp:r.git";
        answer(url, Some("git"), CredentialType::SSH_KEY).expect("the agent, once");
        let again = answer(url, Some("git"), CredentialType::SSH_KEY)
            .map(|_| ())
            .expect_err("not twice");
        assert!(again.message().contains("refused"), "{again}");
    }
}
