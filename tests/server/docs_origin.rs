//! `docs_origin`: generated sites on an origin of their own, where the API is not served and
//! the API's session means nothing; browsers are sent there with a short grant, clients with
//! a Bearer key are served where they ask.

use crate::support::api::{ADMIN_KEY, As, Seed, create_user, login, seed};
use crate::support::server::RunningServer;

const DOCS_HOST: &str = "docs.test";
const API_HOST: &str = "api.test";
const PAGE: &str = "/docs/alpha/main/claude/opus/index.html";

/// A plain GET with exactly these headers, redirects not followed: status, Location,
/// Set-Cookie, body.
async fn raw(server: &RunningServer, path: &str, headers: &[(&str, &str)]) -> Answer {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut request = client.get(server.url(path));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("answer");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let (location, cookie, policy) = (
        header("location"),
        header("set-cookie"),
        header("content-security-policy"),
    );
    Answer {
        status: response.status().as_u16(),
        location,
        cookie,
        policy,
        body: response.text().await.unwrap_or_default(),
    }
}

struct Answer {
    status: u16,
    location: String,
    cookie: String,
    policy: String,
    body: String,
}

async fn server_with_alpha() -> (RunningServer, String) {
    let server = RunningServer::start(
        &format!("docs_origin = \"http://{DOCS_HOST}\"\napi_origin = \"http://{API_HOST}\"\n"),
        &[("ADMIN_KEY", ADMIN_KEY), ("SECURE_COOKIES", "false")],
    );
    let key = create_user(&server, "alice", "user").await;
    seed(server.data_dir.path(), &Seed::ready("alice", "alpha")).await;
    seed(server.data_dir.path(), &Seed::ready("bob", "beta")).await;
    (server, key)
}

/// The `name=value` of a Set-Cookie header.
fn cookie_pair(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .expect("name=value")
        .to_string()
}

/// The path of a redirect to `host`.
fn path_on(location: &str, host: &str) -> String {
    location
        .strip_prefix(&format!("http://{host}"))
        .unwrap_or_else(|| panic!("sent to {host}: {location}"))
        .to_string()
}

/// A browser's first visit to the docs origin: sent to the API's origin with a nonce it
/// keeps as a cookie. The nonce cookie and the path on the API.
async fn nonce_for(server: &RunningServer) -> (String, String) {
    let html = ("accept", "text/html");
    let bounced = raw(server, PAGE, &[("host", DOCS_HOST), html]).await;
    assert_eq!(bounced.status, 302, "{}", bounced.body);
    let path = path_on(&bounced.location, API_HOST);
    assert!(path.starts_with(&format!("{PAGE}?docsfy_nonce=")), "{path}");
    (cookie_pair(&bounced.cookie), path)
}

/// The API origin's answer to a signed-in browser coming with a nonce: the grant's path.
async fn grant_for(server: &RunningServer, session: &str, api_path: &str) -> String {
    let cookie = format!("docsfy_session={session}");
    let html = ("accept", "text/html");
    let granted = raw(
        server,
        api_path,
        &[("host", API_HOST), ("cookie", &cookie), html],
    )
    .await;
    assert_eq!(granted.status, 302, "{}", granted.body);
    let path = path_on(&granted.location, DOCS_HOST);
    assert!(path.starts_with(&format!("{PAGE}?docsfy_grant=")), "{path}");
    path
}

/// Follows the browser's way in: from the API's origin to the docs origin, back with a
/// nonce, there with a grant bound to it, traded for a cookie.
async fn docs_cookie(server: &RunningServer, session: &str) -> String {
    let cookie = format!("docsfy_session={session}");
    let html = ("accept", "text/html");
    let sent = raw(server, PAGE, &[("cookie", &cookie), html]).await;
    assert_eq!(sent.status, 302, "{}", sent.body);
    assert_eq!(path_on(&sent.location, DOCS_HOST), PAGE);
    let (nonce, api_path) = nonce_for(server).await;
    let grant_path = grant_for(server, session, &api_path).await;
    let traded = raw(
        server,
        &grant_path,
        &[("host", DOCS_HOST), ("cookie", &nonce), html],
    )
    .await;
    assert_eq!(traded.status, 302, "{}", traded.body);
    assert_eq!(traded.location, PAGE, "the grant leaves the URL");
    for attribute in ["Path=/docs", "HttpOnly", "SameSite=Lax"] {
        assert!(traded.cookie.contains(attribute), "{}", traded.cookie);
    }
    cookie_pair(&traded.cookie)
}

#[tokio::test]
async fn a_grant_taken_from_one_browser_opens_nothing_in_another() {
    let (server, alice_key) = server_with_alpha().await;
    let session = login(&server, "alice", &alice_key).await;
    // Alice's own browser gets a grant; she sends its link to someone else.
    let (_, api_path) = nonce_for(&server).await;
    let grant_path = grant_for(&server, &session, &api_path).await;
    let (other_nonce, _) = nonce_for(&server).await;
    let html = ("accept", "text/html");
    for cookies in [vec![], vec![("cookie", other_nonce.as_str())]] {
        let mut headers = vec![("host", DOCS_HOST), html];
        headers.extend(cookies);
        let opened = raw(&server, &grant_path, &headers).await;
        assert_eq!(opened.status, 401, "{}", opened.body);
        assert!(
            opened.body.contains("made for another browser"),
            "{}",
            opened.body
        );
        assert!(!opened.cookie.contains("docsfy_docs="), "{}", opened.cookie);
    }
    // A browser whose cookie is not (or no longer) good is sent to sign in again.
    let stale = raw(
        &server,
        PAGE,
        &[("host", DOCS_HOST), ("cookie", "docsfy_docs=00.00"), html],
    )
    .await;
    assert_eq!(stale.status, 302, "{}", stale.body);
    assert!(path_on(&stale.location, API_HOST).contains("docsfy_nonce="));
}

#[tokio::test]
async fn a_browser_reads_docs_on_their_own_origin_where_the_api_is_not_served() {
    let (server, alice_key) = server_with_alpha().await;
    let session = login(&server, "alice", &alice_key).await;
    let docs_cookie = docs_cookie(&server, &session).await;

    let page = raw(
        &server,
        PAGE,
        &[("host", DOCS_HOST), ("cookie", &docs_cookie)],
    )
    .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.policy.contains("default-src 'none'"),
        "{}",
        page.policy
    );
    let bobs = raw(
        &server,
        "/docs/beta/main/claude/opus/index.html",
        &[("host", DOCS_HOST), ("cookie", &docs_cookie)],
    )
    .await;
    assert_eq!(bobs.status, 404, "visibility holds on the docs origin");

    // The API is not there, whatever the page's script sends.
    let session_cookie = format!("docsfy_session={session}");
    for cookie in [docs_cookie.as_str(), session_cookie.as_str()] {
        let api = raw(
            &server,
            "/api/status",
            &[("host", DOCS_HOST), ("cookie", cookie)],
        )
        .await;
        assert_eq!(api.status, 404, "{cookie}");
    }
    // And the docs cookie is no session of the API.
    let token = docs_cookie.trim_start_matches("docsfy_docs=");
    let as_session = format!("docsfy_session={token}");
    let api = raw(&server, "/api/status", &[("cookie", &as_session)]).await;
    assert_eq!(api.status, 401);
    // Without a cookie, or with a forged one, the docs origin says how to get in.
    let none = raw(&server, PAGE, &[("host", DOCS_HOST)]).await;
    assert_eq!(none.status, 401);
    assert!(
        none.body.contains("open it from the docsfy server"),
        "{}",
        none.body
    );
    let forged = format!("{docs_cookie}00");
    let refused = raw(&server, PAGE, &[("host", DOCS_HOST), ("cookie", &forged)]).await;
    assert_eq!(refused.status, 401);
    let bad_grant = raw(
        &server,
        &format!("{PAGE}?docsfy_grant=x.y"),
        &[("host", DOCS_HOST)],
    )
    .await;
    assert_eq!(bad_grant.status, 401);
    assert!(
        bad_grant.body.contains("expired or is not valid"),
        "{}",
        bad_grant.body
    );
}

#[tokio::test]
async fn clients_with_a_bearer_key_are_served_on_either_origin() {
    let (server, key) = server_with_alpha().await;
    let bearer = format!("Bearer {key}");
    let api_origin = raw(&server, PAGE, &[("authorization", &bearer)]).await;
    assert_eq!(api_origin.status, 200, "{}", api_origin.body);
    let docs_origin = raw(
        &server,
        PAGE,
        &[("host", DOCS_HOST), ("authorization", &bearer)],
    )
    .await;
    assert_eq!(docs_origin.status, 200, "{}", docs_origin.body);
    let api = raw(
        &server,
        "/api/status",
        &[("host", DOCS_HOST), ("authorization", &bearer)],
    )
    .await;
    assert_eq!(
        api.status, 404,
        "no API on the docs origin, even with a key"
    );
}

#[tokio::test]
async fn a_deleted_user_s_docs_cookie_stops_working() {
    let (server, key) = server_with_alpha().await;
    let session = login(&server, "alice", &key).await;
    let cookie = docs_cookie(&server, &session).await;
    let deleted =
        crate::support::api::delete(&server, "/api/admin/users/alice", As::Bearer(ADMIN_KEY)).await;
    assert_eq!(deleted.status, 200, "{}", deleted.text());
    let page = raw(&server, PAGE, &[("host", DOCS_HOST), ("cookie", &cookie)]).await;
    assert_eq!(page.status, 401);
}

/// A signed-in browser's DELETE of alice's variant with these extra headers: the status.
async fn delete_from_browser(
    server: &RunningServer,
    session: &str,
    headers: &[(&str, &str)],
) -> u16 {
    let mut request = reqwest::Client::new()
        .delete(server.url("/api/projects/alpha/main/claude/opus"))
        .header("cookie", format!("docsfy_session={session}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.expect("answer").status().as_u16()
}

#[tokio::test]
async fn a_page_on_a_sibling_origin_cannot_act_with_the_reader_s_session() {
    let (server, alice_key) = server_with_alpha().await;
    let session = login(&server, "alice", &alice_key).await;
    let page_origin = format!("http://{DOCS_HOST}");
    for headers in [
        vec![("origin", page_origin.as_str())],
        vec![("sec-fetch-site", "same-site")],
        vec![("origin", "null")],
    ] {
        assert_eq!(
            delete_from_browser(&server, &session, &headers).await,
            403,
            "{headers:?}"
        );
    }
    let still_there = reqwest::Client::new()
        .get(server.url("/api/projects/alpha/main/claude/opus"))
        .bearer_auth(&alice_key)
        .send()
        .await
        .expect("answer");
    assert_eq!(
        still_there.status(),
        200,
        "a refused request changes nothing"
    );
    // Nor sign the reader in as someone else, or out.
    for path in ["/api/auth/login", "/api/auth/logout"] {
        let answer = reqwest::Client::new()
            .post(server.url(path))
            .header("origin", &page_origin)
            .header("content-type", "text/plain")
            .body(format!(r#"{{"username":"alice","api_key":"{alice_key}"}}"#))
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status(), 403, "{path}");
        assert!(answer.headers().get("set-cookie").is_none(), "{path}");
    }
    // The server's own pages may.
    let own_origin = server.url("").trim_end_matches('/').to_string();
    let own = [
        ("origin", own_origin.as_str()),
        ("sec-fetch-site", "same-origin"),
    ];
    assert_eq!(delete_from_browser(&server, &session, &own).await, 200);
}
