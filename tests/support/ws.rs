//! A WebSocket client for the black-box tests of `/api/ws`, built on tokio-tungstenite: it
//! reads what a docsfy client reads (JSON text messages and the close frame).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Bytes, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::server::RunningServer;

/// How long a test waits for a message that must come.
const PATIENCE: Duration = Duration::from_secs(20);

/// How a socket authenticates.
#[derive(Debug, Clone, Copy)]
pub enum WsAuth<'a> {
    Anonymous,
    /// `?token=`.
    Token(&'a str),
    /// The `docsfy_session` cookie.
    Cookie(&'a str),
    /// An `Authorization: Bearer` header, which `/api/ws` must not read.
    Header(&'a str),
    /// `?token=` and a session cookie at once.
    TokenAndCookie(&'a str, &'a str),
    /// The session cookie, sent by a browser page of the given origin.
    CookieFromPage(&'a str, &'a str),
}

/// An open socket.
pub struct Socket {
    stream: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// Connects to `/api/ws`; the handshake must succeed (auth failures close afterwards).
pub async fn connect(server: &RunningServer, auth: WsAuth<'_>) -> Socket {
    let base = server.base.replacen("http://", "ws://", 1);
    let url = match auth {
        WsAuth::Token(token) | WsAuth::TokenAndCookie(token, _) => {
            format!("{base}/api/ws?token={token}")
        }
        _ => format!("{base}/api/ws"),
    };
    let mut request = url.into_client_request().expect("a request");
    let header = match auth {
        WsAuth::Cookie(token)
        | WsAuth::TokenAndCookie(_, token)
        | WsAuth::CookieFromPage(token, _) => Some(("cookie", format!("docsfy_session={token}"))),
        WsAuth::Header(token) => Some(("authorization", format!("Bearer {token}"))),
        WsAuth::Anonymous | WsAuth::Token(_) => None,
    };
    if let WsAuth::CookieFromPage(_, origin) = auth {
        request
            .headers_mut()
            .insert("origin", HeaderValue::from_str(origin).expect("origin"));
    }
    if let Some((name, value)) = header {
        request
            .headers_mut()
            .insert(name, HeaderValue::from_str(&value).expect("header"));
    }
    let (stream, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("the handshake completes");
    assert_eq!(response.status().as_u16(), 101);
    Socket { stream }
}

impl Socket {
    /// A socket whose handshake the test made itself.
    pub fn from_stream(stream: WebSocketStream<MaybeTlsStream<TcpStream>>) -> Socket {
        Socket { stream }
    }

    /// The next frame, or None when the connection ended.
    async fn frame(&mut self, within: Duration) -> Option<Message> {
        match tokio::time::timeout(within, self.stream.next()).await {
            Ok(Some(Ok(message))) => Some(message),
            Ok(Some(Err(_))) | Ok(None) => None,
            Err(_) => panic!("no message within {within:?}"),
        }
    }

    /// The next text message exactly as it arrived, pings included.
    pub async fn next_text(&mut self) -> String {
        loop {
            match self.frame(PATIENCE).await {
                Some(Message::Text(text)) => return text.to_string(),
                Some(Message::Close(frame)) => panic!("closed: {frame:?}"),
                Some(_) => continue,
                None => panic!("the connection ended"),
            }
        }
    }

    /// The next JSON message, pings included.
    pub async fn next_any(&mut self) -> Value {
        let text = self.next_text().await;
        serde_json::from_str(&text).expect("the server sends JSON")
    }

    /// The next JSON message that is not a heartbeat ping.
    pub async fn next(&mut self) -> Value {
        loop {
            let message = self.next_any().await;
            if message["type"] != "ping" {
                return message;
            }
        }
    }

    /// The next message, which must be a `sync`.
    pub async fn sync(&mut self) -> Value {
        let message = self.next().await;
        assert_eq!(message["type"], "sync", "expected a sync: {message}");
        message
    }

    /// Messages until (and including) the first of type `kind`.
    pub async fn until(&mut self, kind: &str) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let message = self.next().await;
            let done = message["type"] == kind;
            seen.push(message);
            if done {
                return seen;
            }
        }
    }

    /// Reads until the server closes; returns the close code and reason. Pings are not
    /// answered meanwhile.
    pub async fn closed(&mut self) -> (u16, String) {
        let (_, code, reason) = self.until_closed(&[]).await;
        (code, reason)
    }

    /// Answers every `ping` with `replies` until the server closes; returns how many pings
    /// came and the close code.
    pub async fn reply_to_pings_until_closed(&mut self, replies: &[&str]) -> (usize, u16) {
        let (pings, code, _) = self.until_closed(replies).await;
        (pings, code)
    }

    /// Reads until the close frame, answering each `ping` with `replies`; returns the pings
    /// seen, the close code and its reason.
    async fn until_closed(&mut self, replies: &[&str]) -> (usize, u16, String) {
        let mut pings = 0;
        loop {
            match self.frame(PATIENCE).await {
                Some(Message::Text(text)) if text.as_str() == r#"{"type":"ping"}"# => {
                    pings += 1;
                    for reply in replies {
                        self.send_text(reply).await;
                    }
                }
                Some(Message::Close(Some(CloseFrame { code, reason }))) => {
                    return (pings, code.into(), reason.to_string());
                }
                Some(Message::Close(None)) => return (pings, 1005, String::new()),
                Some(_) => {}
                None => panic!("the connection ended without a close frame"),
            }
        }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.stream
            .send(Message::text(text))
            .await
            .expect("send text");
    }

    pub async fn send_binary(&mut self, bytes: &[u8]) {
        self.stream
            .send(Message::Binary(Bytes::copy_from_slice(bytes)))
            .await
            .expect("send binary");
    }

    pub async fn pong(&mut self) {
        self.send_text(r#"{"type":"pong"}"#).await;
    }
}

/// The `(name, owner)` of each project in a `sync`, in order.
pub fn listed(sync: &Value) -> Vec<(String, String)> {
    listed_by(sync, "owner")
}

/// The `(name, <field>)` of each project in a `sync`, in order.
pub fn listed_by(sync: &Value, field: &str) -> Vec<(String, String)> {
    sync["projects"]
        .as_array()
        .expect("projects")
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap_or_default().to_string(),
                p[field].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// Shows that `quiet` was sent nothing about what happened before this call, without waiting
/// and hoping: a variant of `owner` appears, then goes, both announced; the next two messages
/// `quiet` reads must be the syncs of exactly that, since a socket's messages keep the order
/// of their events. `quiet` must see `owner`'s projects (be `owner`, or an admin); every
/// socket in `bystanders` sees them too and reads the same two syncs. Listings end as they
/// were.
pub async fn barrier(
    server: &RunningServer,
    quiet: &mut Socket,
    owner: &str,
    bystanders: &mut [&mut Socket],
) {
    use super::api::{ADMIN_KEY, As, Seed, delete, seed};
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let (shown, trigger) = (format!("barrier-{n}"), format!("barrier-{n}-trigger"));
    // Written behind the server's back: unannounced until the trigger's deletion is.
    seed(server.data_dir.path(), &Seed::ready(owner, &shown)).await;
    seed(server.data_dir.path(), &Seed::ready(owner, &trigger)).await;
    let gone = |name: &str| format!("/api/projects/{name}?owner={owner}");
    assert_eq!(
        delete(server, &gone(&trigger), As::Bearer(ADMIN_KEY))
            .await
            .status,
        200
    );
    let appeared = |sync: &Value| listed(sync).contains(&(shown.clone(), owner.to_string()));
    let first = quiet.next().await;
    assert_eq!(first["type"], "sync", "something else came first: {first}");
    assert!(appeared(&first), "a sync from before the barrier: {first}");
    // Each sync is rendered when sent: read them all before the state changes again.
    for socket in bystanders.iter_mut() {
        assert!(appeared(&socket.sync().await));
    }
    assert_eq!(
        delete(server, &gone(&shown), As::Bearer(ADMIN_KEY))
            .await
            .status,
        200
    );
    assert!(!appeared(&quiet.sync().await));
    for socket in bystanders.iter_mut() {
        assert!(!appeared(&socket.sync().await));
    }
}
