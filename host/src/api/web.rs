//! The web app, embedded in the binary: `/login`, the dashboard at `/`, and its assets under
//! `/ui/`, a prefix of their own that never meets `/api` or `/docs`. Plain HTML, ES modules
//! and CSS from the repository's `web/` folder; no build step, no inline script, so the
//! pages work under a strict Content-Security-Policy.

use warp::Filter;
use warp::Reply;
use warp::http::{HeaderValue, StatusCode, header};
use warp::reply::Response;

use super::AppState;
use super::principal::authenticated_or_login;

/// What the app's pages may load: their own scripts, styles and connections, nothing else.
const APP_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// One embedded file.
struct Asset {
    name: &'static str,
    body: &'static [u8],
    content_type: &'static str,
}

macro_rules! asset {
    ($name:literal, $type:expr) => {
        Asset {
            name: $name,
            body: include_bytes!(concat!("../../../web/ui/", $name)),
            content_type: $type,
        }
    };
}

const JS: &str = "text/javascript; charset=utf-8";

const ASSETS: &[Asset] = &[
    asset!("style.css", "text/css; charset=utf-8"),
    asset!("theme.js", JS),
    asset!("api.js", JS),
    asset!("dom.js", JS),
    asset!("login.js", JS),
    asset!("live.js", JS),
    asset!("tree.js", JS),
    asset!("detail.js", JS),
    asset!("format.js", JS),
    asset!("regenerate.js", JS),
    asset!("generate.js", JS),
    asset!("keys.js", JS),
    asset!("admin.js", JS),
    asset!("settings.js", JS),
    asset!("confirm.js", JS),
    asset!("app.js", JS),
    asset!("icon.svg", "image/svg+xml"),
];

const LOGIN_PAGE: &[u8] = include_bytes!("../../../web/login.html");
const DASHBOARD_PAGE: &[u8] = include_bytes!("../../../web/index.html");

/// The app's routes.
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let dashboard = warp::path::end()
        .and(warp::get())
        .and(authenticated_or_login(state))
        .map(|_| page(DASHBOARD_PAGE));
    let login = warp::path!("login")
        .and(warp::get())
        .map(|| page(LOGIN_PAGE));
    let assets = warp::path!("ui" / String)
        .and(warp::get())
        .and(warp::header::optional::<String>("if-none-match"))
        .map(|name: String, cached: Option<String>| asset(&name, cached.as_deref()));
    // Browsers ask for it on every page, generated sites included.
    let favicon = warp::path!("favicon.ico")
        .and(warp::get())
        .and(warp::header::optional::<String>("if-none-match"))
        .map(|cached: Option<String>| asset("icon.svg", cached.as_deref()));
    dashboard
        .or(login)
        .unify()
        .or(assets)
        .unify()
        .or(favicon)
        .unify()
}

fn page(body: &'static [u8]) -> Response {
    let mut response = warp::http::Response::new(body.into());
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(APP_POLICY),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// An asset, revalidated by its digest: the browser keeps it and asks whether it changed.
fn asset(name: &str, cached: Option<&str>) -> Response {
    let Some(index) = ASSETS.iter().position(|a| a.name == name) else {
        return super::ApiError::not_found("Not Found").into_response();
    };
    let asset = &ASSETS[index];
    let tag = &ETAGS[index];
    let mut response = if cached.is_some_and(|c| c.split(',').any(|t| t.trim() == *tag)) {
        let mut response = Response::default();
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else {
        let mut response = warp::http::Response::new(asset.body.into());
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        );
        response
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(tag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// Each asset's ETag, in [`ASSETS`]' order: digested once, not per request.
static ETAGS: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| ASSETS.iter().map(|a| etag(a.body)).collect());

fn etag(body: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(body);
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_file_of_the_app_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/ui");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("web/ui")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        let mut embedded: Vec<String> = super::ASSETS.iter().map(|a| a.name.to_string()).collect();
        on_disk.sort();
        embedded.sort();
        assert_eq!(embedded, on_disk);
    }

    #[test]
    fn the_whole_app_stays_within_its_budget_compressed() {
        use std::io::Write;
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for body in super::ASSETS.iter().map(|a| a.body) {
            gzip.write_all(body).expect("compresses");
        }
        for page in [super::LOGIN_PAGE, super::DASHBOARD_PAGE] {
            gzip.write_all(page).expect("compresses");
        }
        let size = gzip.finish().expect("compressed").len();
        assert!(size <= 150 * 1024, "the app is {size} bytes gzipped");
    }
}
