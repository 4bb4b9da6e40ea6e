//! One file of a generated site: kept inside the site, sent with the headers that keep an
//! untrusted page in its place, and revalidated cheaply (`ETag`, `Last-Modified`, `304`).

use std::path::Path;
use std::time::SystemTime;

use bytes::Bytes;

use warp::Filter;
use warp::Reply;
use warp::http::header::{
    CACHE_CONTROL, CONTENT_ENCODING, CONTENT_SECURITY_POLICY, CONTENT_TYPE, ETAG, LAST_MODIFIED,
    REFERRER_POLICY, VARY,
};
use warp::http::{HeaderValue, StatusCode};
use warp::reply::Response;

use super::ApiError;
use super::site_cache::{Kept, SiteCache};
use super::site_read::{self, Loaded};

/// What a generated page may do: the site's own scripts, styles, images (and data: images)
/// and fetches; no inline script, no plugins, no forms, no framing by other origins.
pub const SITE_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'self'";

/// The request's revalidation headers.
#[derive(Debug, Clone, Default)]
pub struct Conditions {
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
    accept_encoding: Option<String>,
    accept: Option<String>,
}

/// A copy of a file that publishing wrote, compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    fn token(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }

    pub(super) fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => ".br",
            Encoding::Gzip => ".gz",
        }
    }
}

impl Conditions {
    /// [`Conditions::accepted`] as a set, for the cache's key.
    fn accepted_set(&self) -> u8 {
        self.accepted()
            .into_iter()
            .map(|encoding| match encoding {
                Encoding::Brotli => 1,
                Encoding::Gzip => 2,
            })
            .sum()
    }

    /// The copies the client takes, the smaller first: brotli, then gzip (`Accept-Encoding`
    /// naming them or `*`, not with `q=0`).
    pub(super) fn accepted(&self) -> Vec<Encoding> {
        let Some(header) = self.accept_encoding.as_deref() else {
            return Vec::new();
        };
        let takes = |encoding: Encoding| {
            header.split(',').any(|coding| {
                let mut parts = coding.split(';').map(str::trim);
                let name = parts.next().unwrap_or_default();
                let quality = parts
                    .find_map(|p| p.strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                (name.eq_ignore_ascii_case(encoding.token()) || name == "*") && quality > 0.0
            })
        };
        [Encoding::Brotli, Encoding::Gzip]
            .into_iter()
            .filter(|e| takes(*e))
            .collect()
    }

    /// Whether the client reads HTML (a browser): it is shown the site's own 404 page.
    fn reads_html(&self) -> bool {
        self.accept
            .as_deref()
            .is_some_and(|accept| accept.contains("text/html"))
    }
}

/// Reads `If-None-Match`, `If-Modified-Since`, `Accept-Encoding` and `Accept`.
pub fn conditions() -> impl Filter<Extract = (Conditions,), Error = warp::Rejection> + Clone {
    warp::header::optional::<String>("if-none-match")
        .and(warp::header::optional::<String>("if-modified-since"))
        .and(warp::header::optional::<String>("accept-encoding"))
        .and(warp::header::optional::<String>("accept"))
        .map(
            |if_none_match, if_modified_since, accept_encoding, accept| Conditions {
                if_none_match,
                if_modified_since,
                accept_encoding,
                accept,
            },
        )
}

/// What a file is, for revalidation: a sites's files change only when a generation
/// publishes a new site, which writes new files.
#[derive(Debug, Clone)]
pub(super) struct Version {
    etag: String,
    modified: SystemTime,
}

impl Version {
    pub(super) fn of(metadata: &std::fs::Metadata) -> Version {
        let modified = metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        let nanos = modified
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Version {
            etag: format!("\"{:x}-{nanos:x}\"", metadata.len()),
            modified,
        }
    }

    /// Whether the client's copy is this version (`If-None-Match` wins over the date).
    pub(super) fn matches(&self, conditions: &Conditions) -> bool {
        if let Some(tags) = &conditions.if_none_match {
            return tags
                .split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == self.etag);
        }
        let since = conditions
            .if_modified_since
            .as_deref()
            .and_then(|date| httpdate::parse_http_date(date).ok());
        // HTTP dates have whole seconds: the file's time, truncated, is not after `since`.
        let whole_seconds = self
            .modified
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let modified = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(whole_seconds);
        since.is_some_and(|since| modified <= since)
    }
}

/// What a file's answer is, besides its bytes: kept with them in the cache.
#[derive(Debug, Clone)]
pub struct FileAnswer {
    mime: Option<HeaderValue>,
    version: Version,
    encoding: Option<Encoding>,
    /// Named by its content: a browser may keep it for a year.
    immutable: bool,
}

/// Small site files kept in memory (see `site_cache`).
pub type FileCache = SiteCache<FileAnswer>;

/// The file at `segments` inside `site`, with `index.html` for directories and a trailing
/// slash, after checking that its real path (symlinks resolved) is inside the site.
pub async fn respond(
    site: &Path,
    segments: &[String],
    conditions: &Conditions,
    cache: &FileCache,
) -> Result<Response, ApiError> {
    check_stays_inside(segments)?;
    // Hidden names are the server's (gzip copies, download archives): no renderer writes one.
    if segments
        .iter()
        .any(|s| s.starts_with('.') && s.as_str() != ".")
    {
        return Err(ApiError::not_found("File not found"));
    }
    let mut path = site.to_path_buf();
    for segment in segments
        .iter()
        .filter(|s| !s.is_empty() && s.as_str() != ".")
    {
        path.push(segment);
    }
    let encodings = conditions.accepted_set();
    // A file asked for again is found by its name, before asking whether it is a directory.
    let kept = cache.get(&path, encodings).or_else(|| {
        if segments.last().is_none_or(|s| s.is_empty()) || path.is_dir() {
            path.push("index.html");
            cache.get(&path, encodings)
        } else {
            None
        }
    });
    if let Some(kept) = kept {
        let answer = &kept.value;
        let body = (!answer.version.matches(conditions)).then(|| kept.bytes.clone());
        return Ok(finish(answer, body, false));
    }
    // A browser asking for a page the site lacks is shown the site's 404 page, if it has
    // one; only at the top of the site, where the page's relative links still work.
    let not_found_page =
        (segments.len() <= 1 && conditions.reads_html()).then(|| site.join(NOT_FOUND_PAGE));
    let (site, asked, conditions) = (site.to_path_buf(), path.clone(), conditions.clone());
    let (loaded, missing) = tokio::task::spawn_blocking(move || {
        match site_read::load_inside(&site, &asked, &conditions) {
            Err(error) if error.status == StatusCode::NOT_FOUND => match not_found_page {
                Some(page) => site_read::load_inside(&site, &page, &Conditions::default())
                    .map(|loaded| (loaded, true))
                    .map_err(|_| error),
                None => Err(error),
            },
            other => other.map(|loaded| (loaded, false)),
        }
    })
    .await
    .map_err(ApiError::internal)??;
    match loaded {
        Loaded::NotModified(version) => {
            let answer = FileAnswer {
                mime: None,
                version,
                encoding: None,
                immutable: false,
            };
            Ok(finish(&answer, None, missing))
        }
        Loaded::File(file) => {
            let answer = FileAnswer {
                mime: mime_guess::from_path(&file.real)
                    .first_or_octet_stream()
                    .as_ref()
                    .parse()
                    .ok(),
                version: file.version,
                encoding: file.encoding,
                immutable: is_versioned_asset(&file.real),
            };
            let bytes = Bytes::from(file.bytes);
            let response = finish(&answer, Some(bytes.clone()), missing);
            if !missing {
                let kept = Kept {
                    value: answer,
                    bytes,
                    sources: file.sources,
                };
                cache.keep(path, encodings, kept);
            }
            Ok(response)
        }
    }
}

/// The answer with its headers: the file's bytes, or `304` (no body) when the client's copy
/// is current; `missing` when it is the site's 404 page standing in for a missing file.
fn finish(answer: &FileAnswer, body: Option<Bytes>, missing: bool) -> Response {
    let not_modified = body.is_none();
    let mut response = Response::new(body.unwrap_or_default().into());
    *response.status_mut() = match (missing, not_modified) {
        (true, _) => StatusCode::NOT_FOUND,
        (false, true) => StatusCode::NOT_MODIFIED,
        (false, false) => StatusCode::OK,
    };
    let headers = response.headers_mut();
    if !not_modified {
        if let Some(mime) = &answer.mime {
            headers.insert(CONTENT_TYPE, mime.clone());
        }
        if let Some(encoding) = answer.encoding {
            headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding.token()));
        }
    }
    // The same URL has a gzip and a plain answer: caches must keep them apart.
    headers.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
    if !missing {
        if let Ok(etag) = HeaderValue::from_str(&answer.version.etag) {
            headers.insert(ETAG, etag);
        }
        if let Ok(date) = HeaderValue::from_str(&httpdate::fmt_http_date(answer.version.modified)) {
            headers.insert(LAST_MODIFIED, date);
        }
    }
    // Kept by the browser, asked about again each time unless named by its content: a new
    // generation changes it.
    let cache_control = if answer.immutable && !not_modified {
        KEPT_FOR_A_YEAR
    } else {
        "private, no-cache"
    };
    headers.insert(CACHE_CONTROL, HeaderValue::from_static(cache_control));
    // Generated pages are untrusted HTML even after sanitising: they may run the renderer's
    // own scripts and nothing else, load nothing from elsewhere, and tell nobody where the
    // reader came from.
    headers.insert(
        CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SITE_POLICY),
    );
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    response.into_response()
}

/// The page a renderer writes for addresses the site does not have.
const NOT_FOUND_PAGE: &str = "404.html";

/// How long a browser may keep an asset whose name says its content.
const KEPT_FOR_A_YEAR: &str = "private, max-age=31536000, immutable";

/// `assets/<stem>.<16 hex digits>.<extension>`: the renderer names assets by their content,
/// so a new content comes under a new name.
fn is_versioned_asset(path: &Path) -> bool {
    let in_assets = path
        .parent()
        .and_then(Path::file_name)
        .is_some_and(|dir| dir == "assets");
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let mut parts = name.rsplit('.');
    let (_extension, hash, stem) = (parts.next(), parts.next(), parts.next());
    in_assets
        && stem.is_some_and(|s| !s.is_empty())
        && hash.is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Refuses a file path whose segments could leave the site, before the filesystem is
/// touched. The variant's own segments are names in the database, so only the file's are
/// checked: a model called `org/model` is a name, `%2F` inside the file path an escape.
pub fn check_stays_inside(file: &[String]) -> Result<(), ApiError> {
    let leaves = |segment: &String| segment == ".." || segment.contains(['/', '\\', '\0']);
    if file.iter().any(leaves) {
        return Err(escapes());
    }
    Ok(())
}

pub(super) fn escapes() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, "Path escapes the documentation site")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_assets_named_by_their_content_are_kept_for_a_year() {
        for kept in [
            "site/assets/style.0123456789abcdef.css",
            "assets/a.b.fedcba9876543210.js",
        ] {
            assert!(is_versioned_asset(Path::new(kept)), "{kept}");
        }
        for asked_again in [
            "site/assets/style.css",
            "site/assets/.0123456789abcdef.css",
            "site/assets/style.0123456789abcdeg.css",
            "site/assets/style.0123456789abcde.css",
            "site/guide/style.0123456789abcdef.css",
            "site/index.html",
        ] {
            assert!(!is_versioned_asset(Path::new(asked_again)), "{asked_again}");
        }
    }

    #[test]
    fn the_smallest_copy_the_client_takes_comes_first() {
        let accepting = |header: &str| Conditions {
            accept_encoding: Some(header.into()),
            ..Conditions::default()
        };
        assert_eq!(
            accepting("gzip, br").accepted(),
            [Encoding::Brotli, Encoding::Gzip]
        );
        assert_eq!(accepting("br;q=0, gzip").accepted(), [Encoding::Gzip]);
        assert_eq!(
            accepting("*").accepted(),
            [Encoding::Brotli, Encoding::Gzip]
        );
        assert_eq!(accepting("identity").accepted(), []);
        assert_eq!(Conditions::default().accepted(), []);
    }
}
