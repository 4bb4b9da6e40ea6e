//! Downloads: a ready variant's site as a `.tar.gz`, or with `?format=<renderer>` the output
//! of one of the renderers the server runs after the site (`render.extra`, say `mdbook`).

use warp::Filter;
use warp::http::HeaderValue;
use warp::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use warp::reply::Response;

use super::error::respond;
use super::principal::caller;
use super::resolve;
use super::segment::Segment;
use super::streamed::StreamedFile;
use super::{ApiError, AppState, Query, VariantSegments, variant_prefix};
use crate::auth::Principal;
use crate::domain::Status;
use crate::pipeline::archive::{ArchiveKind, published_archive};
use crate::store::variants::Variant;

/// Both download routes.
pub fn routes(
    state: AppState,
) -> impl Filter<Extract = (Response,), Error = warp::Rejection> + Clone {
    let variant = variant_prefix()
        .and(warp::path!("download"))
        .and(warp::get())
        .and(caller(state.clone()))
        .and(warp::query::<Query>())
        .then(
            |segments: VariantSegments, who: Principal, state: AppState, query: Query| async move {
                respond(
                    async {
                        let owner = query.get("owner").map(String::as_str);
                        let variant = resolve::variant(
                            &state.store,
                            &who,
                            segments.each_ref().map(String::as_str),
                            owner,
                        )
                        .await?;
                        if variant.status != Status::Ready {
                            return Err(ApiError::bad_request(format!(
                                "Variant '{}' is not ready (status: {})",
                                variant.key.path(),
                                variant.status
                            )));
                        }
                        let format = Format::of(&state, &query)?;
                        archive(&state, &variant, ArchiveKind::Variant, &format).await
                    }
                    .await,
                )
            },
        );
    let latest = warp::path!("api" / "projects" / Segment / "download")
        .and(warp::get())
        .and(caller(state.clone()))
        .and(warp::query::<Query>())
        .then(
            |Segment(name): Segment, who: Principal, state: AppState, query: Query| async move {
                respond(
                    async {
                        let format = Format::of(&state, &query)?;
                        let variant = resolve::latest_ready(&state.store, &who, &name).await?;
                        archive(&state, &variant, ArchiveKind::Project, &format).await
                    }
                    .await,
                )
            },
        );
    variant.or(latest).unify()
}

/// What a download holds: the site, or the output of a renderer of `render.extra`.
enum Format {
    Site,
    Export(String),
}

impl Format {
    /// `?format=`: absent, `site` or `html` for the site; a renderer of `render.extra`.
    fn of(state: &AppState, query: &Query) -> Result<Format, ApiError> {
        let extra = &state.config.render.extra;
        match query.get("format").map(String::as_str) {
            None | Some("" | "site" | "html") => Ok(Format::Site),
            Some(name) if extra.iter().any(|e| e == name) => Ok(Format::Export(name.into())),
            Some(name) => {
                let offered: Vec<&str> = std::iter::once("site")
                    .chain(extra.iter().map(String::as_str))
                    .collect();
                Err(ApiError::bad_request(format!(
                    "Unknown download format '{name}'; this server offers: {}",
                    offered.join(", ")
                )))
            }
        }
    }
}

/// The variant's `kind` archive of `format`, built when it was published, streamed from its
/// file.
async fn archive(
    state: &AppState,
    variant: &Variant,
    kind: ArchiveKind,
    format: &Format,
) -> Result<Response, ApiError> {
    let site = match format {
        Format::Site => state.artifacts.site_dir(&variant.key),
        Format::Export(name) => state.artifacts.export_dir(&variant.key, name),
    };
    if !site.is_dir() {
        return Err(ApiError::not_found(match format {
            Format::Site => format!("The site files of '{}' are missing", variant.key.path()),
            Format::Export(name) => format!(
                "'{}' has no {name} export: it was generated before render.extra named \
                 {name}; generate it again with force to make one",
                variant.key.path()
            ),
        }));
    }
    let key = variant.key.clone();
    let path = tokio::task::spawn_blocking(move || published_archive(&site, &key, kind))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    // The open file stays whole if a new publish replaces the archive meanwhile.
    let file = tokio::fs::File::open(&path)
        .await
        .map_err(ApiError::internal)?;
    let length = file.metadata().await.map_err(ApiError::internal)?.len();
    let mut response = StreamedFile::response(file, length);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/gzip"));
    let name = match format {
        Format::Site => kind.download_name(&variant.key),
        Format::Export(renderer) => kind.export_download_name(&variant.key, renderer),
    };
    let disposition = format!(
        "attachment; filename=\"{}\"",
        name.replace(['"', '\\'], "_")
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
