//! Cloning a remote under the operator's rules: HTTP(S) through the checking proxy, SSH only
//! to hosts given credentials, both within the size and time limits.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use super::checkout::{self, CheckoutError, RemoteClone};
use super::clone_proxy::{CloneProxy, CloneStopped, Upstream};
use super::credentials::CredentialScope;
use super::remote::{RemotePolicy, RemoteUrl, Transport};

/// Clones `branch` of `url` into `dest`; the commit it is at.
pub async fn clone_remote(
    url: &str,
    branch: &str,
    dest: PathBuf,
    policy: &RemotePolicy,
    cancel: Arc<AtomicBool>,
) -> Result<String, CheckoutError> {
    let refused = |reason: String| CheckoutError::Stopped(CloneStopped::Refused(reason));
    let remote =
        RemoteUrl::parse(url).ok_or_else(|| refused(format!("'{url}' is not a clonable URL")))?;
    if remote.transport == Transport::Ssh && !policy.gives_credentials_to(&remote.host) {
        return Err(refused(format!(
            "SSH clones are made only from hosts listed in [git] credential_hosts; '{}' is not \
             one",
            remote.host
        )));
    }
    let (proxy, clone_url) = relay(url, &remote, policy).await?;
    let credentials = CredentialScope {
        hosts: policy.credential_hosts().to_vec(),
        relayed: proxy
            .as_ref()
            .filter(|_| remote.transport == Transport::Http)
            .map(|relay| (relay.url(), url.to_string())),
    };
    let clone = RemoteClone {
        url: clone_url,
        branch: branch.to_string(),
        dest,
        cancel,
        // HTTPS connections go through the relay as libgit2's proxy; an HTTP remote's URL
        // names the relay itself.
        proxy: proxy
            .as_ref()
            .filter(|_| remote.transport == Transport::Https)
            .map(CloneProxy::url),
        follow_redirects: remote.transport == Transport::Https,
        credentials,
        max_bytes: policy.max_clone_bytes,
        timeout: policy.clone_timeout,
    };
    // The relay holds HTTP(S) clones to the time limit; an SSH connection that stalls gives
    // libgit2 no progress callback to stop at, so the wait for it is bounded here (the
    // blocking thread ends when its connection does, at the latest at its next progress
    // callback, which is past the limit; its checkout is discarded).
    let limit = policy.clone_timeout + std::time::Duration::from_secs(5);
    let cloning = tokio::task::spawn_blocking(move || checkout::clone_remote(clone));
    let result = match tokio::time::timeout(limit, cloning).await {
        Ok(joined) => {
            joined.map_err(|e| CheckoutError::Git(format!("the clone did not finish: {e}")))?
        }
        Err(_) => Err(CheckoutError::Stopped(CloneStopped::TooSlow(
            policy.clone_timeout.as_secs(),
        ))),
    };
    // What the proxy saw explains a failure better than libgit2's view of it.
    match (result, proxy.and_then(|p| p.stopped())) {
        (Err(_), Some(reason)) => Err(CheckoutError::Stopped(reason)),
        (result, _) => result,
    }
}

/// What follows the authority of an `http(s)://` URL: `/owner/repo.git`.
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.find('/').map_or("/", |slash| &rest[slash..])
}

/// The relay an HTTP(S) clone goes through, and the URL libgit2 is given: an `http://`
/// remote's URL names the relay itself. SSH clones have none.
async fn relay(
    url: &str,
    remote: &RemoteUrl,
    policy: &RemotePolicy,
) -> Result<(Option<CloneProxy>, String), CheckoutError> {
    let upstream = match remote.transport {
        Transport::Ssh => return Ok((None, url.to_string())),
        Transport::Https => Upstream::Tunnel,
        Transport::Http => Upstream::Origin {
            host: remote.host.clone(),
            port: remote.port,
        },
    };
    let relay = CloneProxy::start(policy.clone(), upstream)
        .await
        .map_err(|e| {
            CheckoutError::Stopped(CloneStopped::Refused(format!(
                "cannot start the clone relay: {e}"
            )))
        })?;
    let clone_url = match remote.transport {
        Transport::Http => format!("{}{}", relay.url(), path_of(url)),
        _ => url.to_string(),
    };
    Ok((Some(relay), clone_url))
}
