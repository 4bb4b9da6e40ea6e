//! A small HTTP client for the black-box tests, and seeding of variants through the store
//! layer (with a real site directory on disk), since generation is tested elsewhere.

use std::path::Path;

use docsfy::artifacts::Artifacts;
use docsfy::domain::Status;
use docsfy::store::Store;
use docsfy::store::variants::{NewVariant, VariantKey};
use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;

use super::server::RunningServer;

/// The ADMIN_KEY every test server runs with.
pub const ADMIN_KEY: &str = "test-admin-key-0123456789";

/// Every field of the spec's Project object.
pub const PROJECT_FIELDS: &[&str] = &[
    "name",
    "branch",
    "ai_provider",
    "ai_model",
    "owner",
    "repo_url",
    "status",
    "current_stage",
    "last_commit_sha",
    "last_generated",
    "page_count",
    "error_message",
    "plan_json",
    "created_at",
    "updated_at",
    "generation_id",
];

/// What a request returned.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as JSON (Null when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The `detail` of an error body.
    pub fn detail(&self) -> String {
        self.json()["detail"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// How a request authenticates.
#[derive(Debug, Clone, Copy)]
pub enum As<'a> {
    Anonymous,
    Bearer(&'a str),
    Cookie(&'a str),
}

/// Starts a server with the test ADMIN_KEY.
pub fn start_server() -> RunningServer {
    RunningServer::start("", &[("ADMIN_KEY", ADMIN_KEY), ("SECURE_COOKIES", "false")])
}

thread_local! {
    /// One client per test thread: building one sets up TLS (~35 ms), more than a request
    /// costs. Nothing is pooled, because each test runs on a runtime of its own and a pooled
    /// connection would outlive it.
    static CLIENT: reqwest::Client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
}

/// Sends a request; `body` is sent as JSON when given.
pub async fn request(
    server: &RunningServer,
    method: Method,
    path: &str,
    who: As<'_>,
    body: Option<Value>,
) -> Answer {
    let mut builder = CLIENT.with(|client| client.request(method, server.url(path)));
    builder = match who {
        As::Anonymous => builder,
        As::Bearer(token) => builder.bearer_auth(token),
        As::Cookie(token) => builder.header("cookie", format!("docsfy_session={token}")),
    };
    if let Some(body) = body {
        builder = builder.json(&body);
    }
    let response = builder.send().await.expect("request sent");
    Answer {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: response.bytes().await.expect("body").to_vec(),
    }
}

pub async fn get(server: &RunningServer, path: &str, who: As<'_>) -> Answer {
    request(server, Method::GET, path, who, None).await
}

pub async fn post(server: &RunningServer, path: &str, who: As<'_>, body: Value) -> Answer {
    request(server, Method::POST, path, who, Some(body)).await
}

pub async fn delete(server: &RunningServer, path: &str, who: As<'_>) -> Answer {
    request(server, Method::DELETE, path, who, None).await
}

/// Creates a user through the admin API; returns the raw key.
pub async fn create_user(server: &RunningServer, username: &str, role: &str) -> String {
    let answer = post(
        server,
        "/api/admin/users",
        As::Bearer(ADMIN_KEY),
        serde_json::json!({ "username": username, "role": role }),
    )
    .await;
    assert_eq!(answer.status, 200, "creating {username}: {}", answer.text());
    answer.json()["api_key"]
        .as_str()
        .expect("api_key")
        .to_string()
}

/// Shares `owner`'s project `name` with `username` through the admin API.
pub async fn grant(server: &RunningServer, name: &str, owner: &str, username: &str) -> Answer {
    post(
        server,
        &format!("/api/admin/projects/{name}/access"),
        As::Bearer(ADMIN_KEY),
        serde_json::json!({"username": username, "owner": owner}),
    )
    .await
}

/// Takes back `username`'s access to `owner`'s project `name` through the admin API.
pub async fn revoke(server: &RunningServer, name: &str, owner: &str, username: &str) -> Answer {
    delete(
        server,
        &format!("/api/admin/projects/{name}/access/{username}?owner={owner}"),
        As::Bearer(ADMIN_KEY),
    )
    .await
}

/// Logs in and returns the session token from the cookie.
pub async fn login(server: &RunningServer, username: &str, key: &str) -> String {
    let answer = post(
        server,
        "/api/auth/login",
        As::Anonymous,
        serde_json::json!({ "username": username, "api_key": key }),
    )
    .await;
    assert_eq!(answer.status, 200, "login: {}", answer.text());
    let cookie = answer.header("set-cookie").expect("a session cookie");
    cookie
        .split(';')
        .next()
        .and_then(|pair| pair.strip_prefix("docsfy_session="))
        .expect("docsfy_session=")
        .to_string()
}

/// A variant to seed.
pub struct Seed<'a> {
    pub owner: &'a str,
    pub name: &'a str,
    pub branch: &'a str,
    pub provider: &'a str,
    pub model: &'a str,
    pub status: &'a str,
}

impl<'a> Seed<'a> {
    pub fn ready(owner: &'a str, name: &'a str) -> Seed<'a> {
        Seed {
            owner,
            name,
            branch: "main",
            provider: "claude",
            model: "opus",
            status: "ready",
        }
    }

    pub fn key(&self) -> VariantKey {
        VariantKey {
            name: self.name.into(),
            branch: self.branch.into(),
            provider: self.provider.into(),
            model: self.model.into(),
            owner: self.owner.into(),
        }
    }
}

/// Writes a variant row through the store and, when ready, a site with an index page, a
/// nested page and a stylesheet whose content names the variant.
pub async fn seed(data_dir: &Path, seed: &Seed<'_>) {
    let store = Store::open(data_dir)
        .await
        .expect("open the server's database");
    let key = seed.key();
    store
        .put_variant(&NewVariant {
            key: key.clone(),
            repo_url: format!("https://github.com/acme/{}.git", seed.name),
            status: if seed.status == "ready" {
                Status::Generating
            } else {
                seed.status.parse().expect("a status")
            },
            generation_id: uuid::Uuid::new_v4().to_string(),
        })
        .await
        .expect("insert variant");
    if seed.status == "ready" {
        store
            .mark_ready(&key, "abc123", 2, "{\"project_name\":\"x\"}", None)
            .await
            .expect("mark ready");
        let site = Artifacts::new(data_dir).site_dir(&key);
        std::fs::create_dir_all(site.join("guide")).expect("site dirs");
        std::fs::write(site.join("index.html"), format!("<h1>{key}</h1>")).expect("index");
        std::fs::write(site.join("guide/index.html"), "<h1>guide</h1>").expect("guide");
        std::fs::write(site.join("guide/setup.html"), "<h1>setup</h1>").expect("setup");
        std::fs::write(site.join("style.css"), "body{}").expect("css");
    }
}

/// Sends `GET path` exactly as written (no client-side normalisation of `..` or `%2e%2e`)
/// and returns the status and body.
pub async fn raw_get(server: &RunningServer, path: &str, token: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = server.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("send");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}
