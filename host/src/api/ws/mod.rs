//! `GET /api/ws`: the live socket of docsfy's clients. One connection receives every update
//! its user may see: a `sync` snapshot first and after every change to the listing,
//! `progress` while a visible variant generates, `status_change` when it ends, and a `ping`
//! heartbeat. Authentication is the `token` query parameter or the session cookie; a failed
//! one completes the handshake and closes with 1008, as docsfy's clients expect.

mod connection;
mod credential;
mod heartbeat;
mod open_sockets;
mod viewer;
mod writer;

use warp::Filter;
use warp::Reply;
use warp::http::StatusCode;
use warp::reply::Response;
use warp::ws::Ws;

use super::principal::same_origin;
use super::{ApiError, AppState, Query, client_address, with_state};
use crate::auth::SESSION_COOKIE;
use credential::Credential;
pub use open_sockets::OpenSockets;

/// The largest message a client may send. Clients only ever answer pings; anything this big
/// is abuse, and tungstenite ends such a connection.
const MAX_CLIENT_MESSAGE: usize = 64 * 1024;

/// The socket route, and a JSON 400 for plain requests to its path.
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let upgrade = warp::path!("api" / "ws")
        .and(warp::ws())
        .and(warp::query::<Query>())
        .and(warp::cookie::optional::<String>(SESSION_COOKIE))
        .and(warp::header::optional::<String>("origin"))
        .and(warp::header::optional::<String>("host"))
        .and(client_address())
        .and(with_state(state))
        .map(
            |ws: Ws,
             query: Query,
             cookie: Option<String>,
             origin: Option<String>,
             host: Option<String>,
             from,
             state: AppState| {
                // A page of another site may open a socket to us, and the browser would
                // send the reader's cookie along: a session counts only from our own pages.
                let cookie = cookie.filter(|_| same_origin(origin.as_deref(), host.as_deref()));
                // Checked once upgraded: a failed authentication still completes the
                // handshake, then closes with 1008, as docsfy's clients expect.
                let token = query.get("token").cloned();
                let credential = Credential::from_handshake(token, cookie, from);
                ws.max_message_size(MAX_CLIENT_MESSAGE)
                    .max_frame_size(MAX_CLIENT_MESSAGE)
                    .on_upgrade(move |socket| connection::serve(socket, state, credential))
                    .into_response()
            },
        );
    let plain = warp::path!("api" / "ws").and(warp::get()).map(|| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "/api/ws is a WebSocket endpoint: connect with a WebSocket client",
        )
        .into_response()
    });
    upgrade.or(plain).unify()
}

#[cfg(test)]
mod tests {
    use crate::api::principal::same_origin;

    #[test]
    fn only_our_own_pages_or_non_browsers_are_the_same_origin() {
        let host = Some("docs.example.org:8000");
        assert!(same_origin(None, host));
        assert!(same_origin(Some("http://docs.example.org:8000"), host));
        assert!(same_origin(Some("https://DOCS.example.org:8000"), host));
        assert!(!same_origin(Some("http://evil.example"), host));
        assert!(!same_origin(Some("http://docs.example.org:8001"), host));
        assert!(!same_origin(Some("null"), host));
        assert!(!same_origin(Some("http://docs.example.org:8000"), None));
    }
}
