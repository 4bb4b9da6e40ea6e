//! Reading one file of a site from disk, on a blocking thread: its real path must be inside
//! the site (links resolved), and the smallest compressed copy publishing wrote that the
//! client takes is read instead when there is one.

use std::path::{Path, PathBuf};

use super::ApiError;
use super::site_cache::Stamp;
use super::site_files::{Conditions, Encoding, Version, escapes};
use crate::pipeline::publish::COMPRESSED_DIR;

pub(super) enum Loaded {
    /// The client's copy is this version.
    NotModified(Version),
    File(LoadedFile),
}

pub(super) struct LoadedFile {
    /// The file's real path (its type).
    pub real: PathBuf,
    pub bytes: Vec<u8>,
    pub version: Version,
    /// Which compressed copy the bytes are, if one.
    pub encoding: Option<Encoding>,
    /// The files read or resolved, each as it was: while they stay so, the answer stands.
    pub sources: Vec<(PathBuf, Stamp)>,
}

/// The file at `path`, which must resolve to a regular file inside `site`.
pub(super) fn load_inside(
    site: &Path,
    path: &Path,
    conditions: &Conditions,
) -> Result<Loaded, ApiError> {
    let not_found = || ApiError::not_found("File not found");
    let site = site.canonicalize().map_err(|_| not_found())?;
    let real = path.canonicalize().map_err(|_| not_found())?;
    if !real.starts_with(&site) {
        return Err(escapes());
    }
    let asked = std::fs::symlink_metadata(path).map_err(|_| not_found())?;
    let metadata = std::fs::metadata(&real).map_err(|_| not_found())?;
    if !metadata.is_file() {
        return Err(not_found());
    }
    let mut sources = vec![(path.to_path_buf(), Stamp::of(&asked))];
    // A path that is a link, or that has one on the way, is checked at both ends.
    if real != path {
        sources.push((real.clone(), Stamp::of(&metadata)));
    }
    // A compressed copy publishing wrote, the smallest the client takes: never a link,
    // never outside.
    let relative = real.strip_prefix(&site).ok();
    let compressed = relative.and_then(|relative| {
        conditions.accepted().into_iter().find_map(|encoding| {
            let mut path = site.join(COMPRESSED_DIR).join(relative).into_os_string();
            path.push(encoding.suffix());
            let path = PathBuf::from(path);
            let metadata = std::fs::symlink_metadata(&path).ok()?;
            metadata.is_file().then_some((path, metadata, encoding))
        })
    });
    let (source, metadata, encoding) = match compressed {
        Some((path, metadata, encoding)) => {
            sources.push((path.clone(), Stamp::of(&metadata)));
            (path, metadata, Some(encoding))
        }
        None => (real.clone(), metadata, None),
    };
    let version = Version::of(&metadata);
    if version.matches(conditions) {
        return Ok(Loaded::NotModified(version));
    }
    let bytes = std::fs::read(&source).map_err(|_| not_found())?;
    Ok(Loaded::File(LoadedFile {
        real,
        bytes,
        version,
        encoding,
        sources,
    }))
}
