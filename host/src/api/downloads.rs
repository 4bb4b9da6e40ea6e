//! Downloads: a ready variant's site as a `.tar.gz`.

use std::path::Path;

use warp::Filter;
use warp::Reply;
use warp::http::HeaderValue;
use warp::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use warp::reply::Response;

use super::error::respond;
use super::principal::caller;
use super::resolve;
use super::segment::Segment;
use super::{ApiError, AppState, Query, VariantSegments, variant_prefix};
use crate::auth::Principal;
use crate::domain::Status;
use crate::pipeline::publish::COMPRESSED_DIR;
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
                let [name, branch, provider, model] = &segments;
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
                        let branch = super::segment::encode_branch(branch);
                        let folder = format!("{name}-{branch}-{provider}-{model}");
                        archive(&state, &variant, &folder, &format!("{folder}-docs.tar.gz")).await
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
                        archive(&state, &variant, &name, &format!("{name}-docs.tar.gz")).await
                    }
                    .await,
                )
            },
        );
    variant.or(latest).unify()
}

/// The variant's site as `filename`, its files under one top-level `folder/` as docsfy's
/// archives have them.
async fn archive(
    state: &AppState,
    variant: &Variant,
    folder: &str,
    filename: &str,
) -> Result<Response, ApiError> {
    let site = state.artifacts.site_dir(&variant.key);
    if !site.is_dir() {
        return Err(ApiError::not_found(format!(
            "The site files of '{}' are missing",
            variant.key.path()
        )));
    }
    // Models may hold `/` (`org/model`): the folder stays one path component.
    let prefix = folder.replace(['/', '\\'], "_");
    // warp 0.4 has no public streaming body, so the archive is built off the async workers
    // and sent whole; sites are small.
    let bytes = tokio::task::spawn_blocking(move || tar_gz(&site, &prefix))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let mut response = Response::new(bytes.into());
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/gzip"));
    let disposition = format!(
        "attachment; filename=\"{}\"",
        filename.replace(['"', '\\'], "_")
    );
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(CONTENT_DISPOSITION, value);
    }
    Ok(response.into_response())
}

/// The site directory as a gzipped tarball whose entries sit under `prefix/`. Symlinks are
/// archived as links, never followed out of the site.
fn tar_gz(site: &Path, prefix: &str) -> std::io::Result<Vec<u8>> {
    let encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    builder.follow_symlinks(false);
    builder.append_dir(prefix, site)?;
    for entry in std::fs::read_dir(site)? {
        let entry = entry?;
        // The gzip copies are for serving; the archive is gzipped whole.
        if entry.file_name() == COMPRESSED_DIR {
            continue;
        }
        let name = Path::new(prefix).join(entry.file_name());
        if entry.file_type()?.is_dir() {
            builder.append_dir_all(&name, entry.path())?;
        } else {
            builder.append_path_with_name(entry.path(), &name)?;
        }
    }
    builder.into_inner()?.finish()
}
