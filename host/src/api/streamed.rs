//! A response whose body is a file, read as it is sent: warp builds bodies from bytes only,
//! so a route opens the file, attaches it to an empty response, and the server's connection
//! loop (`server::connections`) sends it in chunks. Memory per download stays at one chunk
//! however large the file.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use http_body::{Body, Frame, SizeHint};
use tokio_util::io::ReaderStream;
use warp::http::HeaderValue;
use warp::http::header::CONTENT_LENGTH;
use warp::reply::Response;

/// The file a response's body is to be read from, taken once by the connection loop.
#[derive(Clone)]
pub struct StreamedFile(Arc<Mutex<Option<(tokio::fs::File, u64)>>>);

impl StreamedFile {
    /// An answer whose body will be `file`'s `length` bytes.
    pub fn response(file: tokio::fs::File, length: u64) -> Response {
        let mut response = Response::default();
        response
            .headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(length));
        response
            .extensions_mut()
            .insert(StreamedFile(Arc::new(Mutex::new(Some((file, length))))));
        response
    }

    /// The body to send in place of `response`'s, if a route attached a file.
    pub fn take_from<B>(response: &mut http::Response<B>) -> Option<FileBody> {
        let attached = response.extensions_mut().remove::<StreamedFile>()?;
        let (file, length) = attached.0.lock().ok()?.take()?;
        Some(FileBody {
            chunks: ReaderStream::with_capacity(file, 64 * 1024),
            remaining: length,
        })
    }
}

/// A file as an HTTP body, in chunks of up to 64 KiB.
pub struct FileBody {
    chunks: ReaderStream<tokio::fs::File>,
    remaining: u64,
}

impl Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        match Pin::new(&mut this.chunks).poll_next(context) {
            Poll::Ready(Some(Ok(chunk))) => {
                this.remaining = this.remaining.saturating_sub(chunk.len() as u64);
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
