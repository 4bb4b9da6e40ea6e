//! Every connection of an HTTP(S) clone goes through this loopback relay. For each one it
//! resolves the host once, applies the [`RemotePolicy`] to the addresses, and connects to an
//! address it checked, so a name that resolves differently the second time (DNS rebinding)
//! or a redirect to an internal host gets nowhere. It also holds the clone to its size and
//! time limits, which a stalled server cannot escape.
//!
//! HTTPS remotes: libgit2 uses it as its proxy and sends `CONNECT host:port` for the
//! remote and for every host a redirect leads to; TLS runs end to end through the tunnel.
//! HTTP remotes: libgit2 would connect to the server itself despite a proxy, so the clone
//! URL is rewritten to this relay, which forwards to the one remote host, one request per
//! connection (`Connection: close`, so that every request passes here), and refuses
//! redirects, which libgit2 would follow around it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

use super::remote::{RemotePolicy, split_authority};

/// The most a request head from libgit2 may take.
const MAX_HEAD: usize = 16 * 1024;

/// Why the proxy ended the clone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CloneStopped {
    /// A connection's target failed the policy (an internal address, a malformed request).
    #[error("{0}")]
    Refused(String),
    /// More than the size limit came down.
    #[error("the clone was stopped at the size limit of {0} MiB ([git] max_clone_mb)")]
    TooBig(u64),
    /// The time limit passed.
    #[error("the clone was stopped at the time limit of {0} s ([git] clone_timeout_secs)")]
    TooSlow(u64),
}

/// Where the relay's connections go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Upstream {
    /// Wherever a `CONNECT` asks, once the policy allows it (HTTPS remotes).
    Tunnel,
    /// Always this host and port; requests arrive as if this were the server (HTTP remotes).
    Origin { host: String, port: u16 },
}

/// A running proxy for one clone; stops when dropped.
pub struct CloneProxy {
    address: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

struct Shared {
    policy: RemotePolicy,
    upstream: Upstream,
    deadline: Instant,
    received: std::sync::atomic::AtomicU64,
    stopped: Mutex<Option<CloneStopped>>,
}

impl Shared {
    /// Counts `n` more bytes received; false (and the clone stopped) past the size limit.
    fn count(&self, n: usize) -> bool {
        use std::sync::atomic::Ordering;
        let total = self.received.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        if total > self.policy.max_clone_bytes {
            self.stop(CloneStopped::TooBig(
                self.policy.max_clone_bytes / (1024 * 1024),
            ));
            return false;
        }
        true
    }

    /// Records the first reason the clone was stopped.
    fn stop(&self, reason: CloneStopped) {
        if let Ok(mut stopped) = self.stopped.lock() {
            stopped.get_or_insert(reason);
        }
    }
}

impl CloneProxy {
    /// Listens on a free loopback port.
    pub async fn start(policy: RemotePolicy, upstream: Upstream) -> std::io::Result<CloneProxy> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            deadline: Instant::now() + policy.clone_timeout,
            policy,
            upstream,
            received: Default::default(),
            stopped: Mutex::new(None),
        });
        let serving = shared.clone();
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        if let Ok((client, _)) = accepted {
                            connections.spawn(relay(client, serving.clone()));
                        }
                    }
                    () = tokio::time::sleep_until(serving.deadline) => {
                        serving.stop(CloneStopped::TooSlow(serving.policy.clone_timeout.as_secs()));
                        // Dropping the set closes every connection, so libgit2 stops waiting.
                        return;
                    }
                }
            }
        });
        Ok(CloneProxy {
            address,
            shared,
            task,
        })
    }

    /// The relay's own URL: libgit2's proxy, or the base replacing an HTTP remote's.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Why the proxy stopped the clone, if it did.
    pub fn stopped(&self) -> Option<CloneStopped> {
        self.shared.stopped.lock().ok().and_then(|s| s.clone())
    }
}

impl Drop for CloneProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// One connection from libgit2, relayed to a checked address of its host.
async fn relay(mut client: TcpStream, shared: Arc<Shared>) {
    let Some((head, rest)) = read_head(&mut client).await else {
        return;
    };
    let request = match Request::parse(&head, &shared.upstream) {
        Ok(request) => request,
        Err(reason) => return refuse(&mut client, &shared, reason).await,
    };
    tracing::debug!(host = %request.host, port = request.port, "clone connection");
    let addresses = match shared.policy.addresses(&request.host, request.port).await {
        Ok(addresses) => addresses,
        Err(refused) => return refuse(&mut client, &shared, refused.to_string()).await,
    };
    let Some(mut upstream) = connect_any(&addresses).await else {
        let _ = client
            .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            .await;
        return;
    };
    let sent = match &request.forward {
        None => client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await
            .is_ok(),
        Some(first) => upstream.write_all(first).await.is_ok(),
    };
    if !sent || upstream.write_all(&rest).await.is_err() {
        return;
    }
    let origin = request.forward.is_some();
    let (mut client_read, client_write) = client.split();
    let (upstream_read, mut upstream_write) = upstream.split();
    let up = tokio::io::copy(&mut client_read, &mut upstream_write);
    let down = copy_counted(upstream_read, client_write, &shared, origin);
    // Whichever side is done first ends the relay: libgit2 does not half-close.
    let relayed = async {
        tokio::select! {
            _ = up => {}
            () = down => {}
        }
    };
    let _ = tokio::time::timeout_at(shared.deadline, relayed).await;
}

/// Reads up to the end of the request head; the head and whatever came after it.
async fn read_head(client: &mut TcpStream) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    loop {
        let n = client.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buffer.split_off(end + 4);
            return Some((buffer, rest));
        }
        if buffer.len() > MAX_HEAD {
            return None;
        }
    }
}

/// What libgit2 asked the proxy for.
struct Request {
    host: String,
    port: u16,
    /// For a plain HTTP request: its head rewritten for the origin server. `None` for a
    /// CONNECT, whose tunnel carries TLS end to end.
    forward: Option<Vec<u8>>,
}

impl Request {
    fn parse(head: &[u8], upstream: &Upstream) -> Result<Request, String> {
        let text = std::str::from_utf8(head).map_err(|_| "a malformed request".to_string())?;
        let text = text.strip_suffix("\r\n\r\n").unwrap_or(text);
        let (first, headers) = text.split_once("\r\n").unwrap_or((text, ""));
        let mut words = first.split(' ');
        let (method, target, version) = match (words.next(), words.next(), words.next()) {
            (Some(m), Some(t), Some(v)) => (m, t, v),
            _ => return Err(format!("a malformed request line `{first}`")),
        };
        match upstream {
            Upstream::Tunnel if method == "CONNECT" => {
                let (host, port) = split_authority(target, 443)
                    .ok_or_else(|| format!("a malformed CONNECT target `{target}`"))?;
                Ok(Request {
                    host,
                    port,
                    forward: None,
                })
            }
            Upstream::Tunnel => Err(format!(
                "a plain `{method}` through the HTTPS clone's tunnel"
            )),
            Upstream::Origin { host, port } => {
                if !target.starts_with('/') {
                    return Err(format!("a request for `{target}`"));
                }
                // The remote's own name, and one request per connection.
                let kept: String = headers
                    .split("\r\n")
                    .filter(|line| {
                        let name = line.split(':').next().unwrap_or_default().trim();
                        !line.is_empty()
                            && !["host", "connection", "keep-alive"]
                                .iter()
                                .any(|n| name.eq_ignore_ascii_case(n))
                            && !name.to_ascii_lowercase().starts_with("proxy-")
                    })
                    .map(|line| format!("{line}\r\n"))
                    .collect();
                let authority = if *port == 80 {
                    host.clone()
                } else {
                    format!("{host}:{port}")
                };
                let forward = format!(
                    "{method} {target} {version}\r\nHost: {authority}\r\n{kept}Connection: close\r\n\r\n"
                );
                Ok(Request {
                    host: host.clone(),
                    port: *port,
                    forward: Some(forward.into_bytes()),
                })
            }
        }
    }
}

/// The `Location` of a response head with a 3xx status.
fn redirect_location(head: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(head);
    if status_class(&text) != Some(b'3') {
        return None;
    }
    let location = text
        .split("\r\n")
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("location")
                .then(|| value.trim().to_string())
        })
        .unwrap_or_else(|| "another location".into());
    Some(location)
}

/// The first digit of a response head's status code.
fn status_class(head: &str) -> Option<u8> {
    let status = head.split(' ').nth(1)?;
    (status.len() >= 3 && status.bytes().all(|b| b.is_ascii_digit())).then(|| status.as_bytes()[0])
}

/// A final response head rewritten to end the connection after it, so that libgit2 sends
/// its next request on a new connection, which passes the relay again.
fn closing_head(head: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(head);
    let text = text.strip_suffix("\r\n\r\n").unwrap_or(&text);
    let mut out = String::with_capacity(text.len() + 24);
    for line in text.split("\r\n") {
        let name = line.split(':').next().unwrap_or_default().trim();
        // HTTP parsers read `Proxy-Connection` as `Connection` too.
        if !["connection", "keep-alive", "proxy-connection"]
            .iter()
            .any(|n| name.eq_ignore_ascii_case(n))
        {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out.push_str("Connection: close\r\n\r\n");
    out.into_bytes()
}

async fn refuse(client: &mut TcpStream, shared: &Shared, reason: String) {
    tracing::warn!("clone refused: {reason}");
    shared.stop(CloneStopped::Refused(reason));
    let _ = client
        .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        .await;
}

async fn connect_any(addresses: &[SocketAddr]) -> Option<TcpStream> {
    for address in addresses {
        let attempt = tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(address));
        if let Ok(Ok(stream)) = attempt.await {
            return Some(stream);
        }
    }
    None
}

/// Copies what the remote sends, counting it against the clone's size limit. From an HTTP
/// origin, the response heads are read whole first: a redirect ends the clone (libgit2 would
/// follow it around the relay), interim `1xx` heads pass, and the final head is made to
/// close the connection.
async fn copy_counted(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    shared: &Shared,
    origin: bool,
) {
    let mut body = Vec::new();
    if origin {
        match origin_head(&mut from, shared).await {
            Some(Answer::Pass { head, rest }) => {
                if to.write_all(&head).await.is_err() {
                    return;
                }
                body = rest;
            }
            Some(Answer::Redirect(location)) => {
                shared.stop(CloneStopped::Refused(format!(
                    "the git server redirected the clone to {location}; redirects of http:// \
                     remotes are not followed (use the repository's final URL)"
                )));
                let _ = to
                    .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                    .await;
                return;
            }
            None => return,
        }
    }
    // What came with the head was counted as it was read.
    if to.write_all(&body).await.is_err() {
        return;
    }
    let mut buffer = vec![0u8; 64 * 1024];
    while let Ok(n @ 1..) = from.read(&mut buffer).await {
        if !shared.count(n) || to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
    let _ = to.shutdown().await;
}

/// What an HTTP origin answered, once its final response head is in.
enum Answer {
    /// Heads to pass on (interim ones as they were, the final one closing), and the start
    /// of the body that came with them.
    Pass { head: Vec<u8>, rest: Vec<u8> },
    /// A redirect to this location.
    Redirect(String),
}

/// Reads response heads up to the final one; `None` when the origin closed, sent something
/// that is not HTTP or went over the size limit first.
async fn origin_head(from: &mut (impl AsyncRead + Unpin), shared: &Shared) -> Option<Answer> {
    let mut buffer = Vec::with_capacity(4096);
    let mut passed = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        while let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buffer.split_off(end + 4);
            let head = std::mem::replace(&mut buffer, rest);
            if let Some(location) = redirect_location(&head) {
                return Some(Answer::Redirect(location));
            }
            match status_class(&String::from_utf8_lossy(&head))? {
                b'1' => passed.extend_from_slice(&head),
                _ => {
                    passed.extend_from_slice(&closing_head(&head));
                    return Some(Answer::Pass {
                        head: passed,
                        rest: buffer,
                    });
                }
            }
        }
        if buffer.len() > MAX_HEAD {
            return None;
        }
        let n = from.read(&mut chunk).await.ok()?;
        if n == 0 || !shared.count(n) {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

#[cfg(test)]
#[path = "clone_proxy_tests.rs"]
mod tests;
