//! A real git server on loopback for clone tests: git's own smart-HTTP backend
//! (`git http-backend`, run as CGI) behind a small hyper server, or a server that redirects
//! every request elsewhere, or one that accepts and never answers.

use std::convert::Infallible;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use tokio::io::AsyncWriteExt;

use super::fake_ai::SampleRepo;
use super::loopback::LoopbackServer;

/// What the server does with each request.
#[derive(Clone)]
enum Behaviour {
    /// Serves the bare repositories under this root.
    Serve(PathBuf),
    /// Answers 302 to the same path on this base URL.
    Redirect(String),
    /// Never answers.
    Stall,
}

/// A git HTTP server on `127.0.0.1`, running on a thread of its own until dropped.
pub struct GitHttpServer {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// `127.0.0.1:<port>`, as `[git] allow_hosts` names it.
    pub authority: String,
    requests: Arc<AtomicUsize>,
    _root: Option<tempfile::TempDir>,
    _server: LoopbackServer,
}

impl GitHttpServer {
    /// Serves `repo` as `<base>/acme/<repo's project name>.git`.
    pub fn serving(repo: &SampleRepo) -> GitHttpServer {
        let root = tempfile::tempdir().expect("git root");
        let bare = root
            .path()
            .join("acme")
            .join(format!("{}.git", repo.project()));
        let cloned = std::process::Command::new("git")
            .args(["clone", "--quiet", "--bare"])
            .arg(repo.path())
            .arg(&bare)
            .status()
            .expect("git clone --bare");
        assert!(cloned.success(), "bare copy of the sample repository");
        let behaviour = Behaviour::Serve(root.path().to_path_buf());
        GitHttpServer::start(behaviour, Some(root))
    }

    /// Redirects every request to the same path on `target`'s base.
    pub fn redirecting_to(target: &GitHttpServer) -> GitHttpServer {
        GitHttpServer::start(Behaviour::Redirect(target.base.clone()), None)
    }

    /// Accepts requests and never answers them.
    pub fn stalling() -> GitHttpServer {
        GitHttpServer::start(Behaviour::Stall, None)
    }

    /// A server config that allows this git server although it is on loopback.
    pub fn allowed_by_config(&self) -> String {
        format!("[git]\nallow_hosts = [\"{}\"]\n", self.authority)
    }

    /// The clone URL of `repo` on this server.
    pub fn url(&self, repo: &SampleRepo) -> String {
        format!("{}/acme/{}.git", self.base, repo.project())
    }

    /// How many requests reached this server.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    fn start(behaviour: Behaviour, root: Option<tempfile::TempDir>) -> GitHttpServer {
        let requests = Arc::new(AtomicUsize::new(0));
        let counted = requests.clone();
        let server = LoopbackServer::start(move |request| {
            counted.fetch_add(1, Ordering::SeqCst);
            answer(behaviour.clone(), request)
        });
        GitHttpServer {
            base: format!("http://{}", server.authority),
            authority: server.authority.clone(),
            requests,
            _root: root,
            _server: server,
        }
    }
}

async fn answer(
    behaviour: Behaviour,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    match behaviour {
        Behaviour::Redirect(base) => Ok(Response::builder()
            .status(302)
            .header("Location", format!("{base}{path_and_query}"))
            .body(Full::new(Bytes::new()))
            .expect("response")),
        Behaviour::Stall => {
            tokio::time::sleep(std::time::Duration::from_secs(3600)).await;
            Ok(Response::new(Full::new(Bytes::new())))
        }
        Behaviour::Serve(root) => Ok(cgi(&root, request).await),
    }
}

/// Runs `git http-backend` for one request, as a web server runs a CGI program.
async fn cgi(root: &std::path::Path, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let mut command = tokio::process::Command::new("git");
    command
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", parts.uri.path())
        .env("QUERY_STRING", parts.uri.query().unwrap_or_default())
        .env("REQUEST_METHOD", parts.method.as_str())
        .env("CONTENT_TYPE", header("content-type"))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", header("content-encoding"))
        .env("GIT_PROTOCOL", header("git-protocol"))
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let mut child = command.spawn().expect("git http-backend");
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = tokio::spawn(async move {
        let _ = stdin.write_all(&body).await;
    });
    let output = child.wait_with_output().await.expect("http-backend output");
    let _ = writer.await;
    let out = output.stdout;
    let (head_end, separator) = match out.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(at) => (at, 4),
        None => (out.windows(2).position(|w| w == b"\n\n").unwrap_or(0), 2),
    };
    let head = String::from_utf8_lossy(&out[..head_end]).into_owned();
    let mut response = Response::builder();
    let mut status = 200;
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            status = value
                .split(' ')
                .next()
                .and_then(|c| c.parse().ok())
                .unwrap_or(500);
        } else {
            response = response.header(name, value);
        }
    }
    let body = out.get(head_end + separator..).unwrap_or_default().to_vec();
    response
        .status(status)
        .body(Full::new(Bytes::from(body)))
        .expect("response")
}
