//! Downloads: a ready variant's site as a `.tar.gz`.

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
                        archive(&state, &variant, ArchiveKind::Variant).await
                    }
                    .await,
                )
            },
        );
    let latest = warp::path!("api" / "projects" / Segment / "download")
        .and(warp::get())
        .and(caller(state.clone()))
        .then(
            |Segment(name): Segment, who: Principal, state: AppState| async move {
                respond(
                    async {
                        let variant = resolve::latest_ready(&state.store, &who, &name).await?;
                        archive(&state, &variant, ArchiveKind::Project).await
                    }
                    .await,
                )
            },
        );
    variant.or(latest).unify()
}

/// The variant's `kind` archive, built when its site was published, streamed from its file.
async fn archive(
    state: &AppState,
    variant: &Variant,
    kind: ArchiveKind,
) -> Result<Response, ApiError> {
    let site = state.artifacts.site_dir(&variant.key);
    if !site.is_dir() {
        return Err(ApiError::not_found(format!(
            "The site files of '{}' are missing",
            variant.key.path()
        )));
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
    let disposition = format!(
        "attachment; filename=\"{}\"",
        kind.download_name(&variant.key).replace(['"', '\\'], "_")
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response)
}
