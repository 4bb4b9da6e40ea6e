//! Accepting connections and serving the routes on them with hyper, in place of
//! `warp::serve`, so that every request body is finished before its connection is reused (see
//! `request_body`) and handlers can learn the peer's address.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use http::header::{CONNECTION, EXPECT};
use http::{HeaderValue, Request};
use http_body_util::Either;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower_service::Service;
use warp::reply::Response;

use super::request_body::{self, RequestBody, Unread};
use crate::api::PeerAddr;
use crate::api::streamed::{FileBody, StreamedFile};

/// Serves `routes` on every connection `listener` accepts until `stopping` completes, then
/// waits for the requests in flight (upgraded WebSockets are the caller's to close).
pub async fn serve<S>(listener: TcpListener, routes: S, stopping: impl Future<Output = ()>)
where
    S: Service<Request<RequestBody>, Response = Response, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
{
    let graceful = GracefulShutdown::new();
    let mut stopping = std::pin::pin!(stopping);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(error) => {
                    accept_failed(error).await;
                    continue;
                }
            },
            () = &mut stopping => break,
        };
        // One copy of the routes per connection, as warp makes (copying the route tree per
        // request would cost more than most requests); its requests take turns calling it.
        let routes = std::sync::Mutex::new(routes.clone());
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |request: Request<Incoming>| {
                let (request, unread) = prepare(request, peer);
                let answer = routes
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .call(request);
                finish(answer, unread)
            });
            let builder = auto::Builder::new(TokioExecutor::new());
            let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), service);
            if let Err(error) = watcher.watch(connection).await {
                tracing::debug!("connection from {peer} ended: {error}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// The request as the routes see it (its body shared, the peer's address attached), and the
/// connection's handle on what they leave of the body.
fn prepare(request: Request<Incoming>, peer: SocketAddr) -> (Request<RequestBody>, Unread) {
    let expects_continue = request
        .headers()
        .get(EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    let (parts, incoming) = request.into_parts();
    let (body, unread) = request_body::share(incoming, expects_continue);
    let mut request = Request::from_parts(parts, body);
    request.extensions_mut().insert(PeerAddr(peer));
    (request, unread)
}

/// The routes' answer, once what they left of the body is drained; or, when it cannot be,
/// the answer closes the connection.
/// A route that attached a file (`StreamedFile`) has it sent as the body.
async fn finish<B>(
    answer: impl Future<Output = Result<http::Response<B>, Infallible>>,
    unread: Unread,
) -> Result<http::Response<Either<B, FileBody>>, Infallible> {
    let mut response = answer.await?;
    if !unread.finish().await {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    let file = StreamedFile::take_from(&mut response);
    Ok(response.map(|body| match file {
        Some(file) => Either::Right(file),
        None => Either::Left(body),
    }))
}

/// Errors of the connection itself (a client that hung up during the handshake) are the
/// client's; others (out of file descriptors) get a pause, so the loop does not spin.
async fn accept_failed(error: std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        error.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::error!("accepting a connection failed: {error}");
    tokio::time::sleep(Duration::from_secs(1)).await;
}
