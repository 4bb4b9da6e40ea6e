//! Publishing a rendered site: every file is written into a fresh directory beside the live
//! one, and only when all are written is it swapped in, so that a failed or aborted run never
//! damages the site being served.

use std::path::{Component, Path, PathBuf};

use anyhow::Context as _;

use crate::plugins::SiteFile;
use crate::store::variants::VariantKey;

/// Checks a renderer's file path: relative, `/`-separated, no `..`, nothing hidden that could
/// shadow the site's own machinery.
pub fn check_site_path(path: &str) -> Result<PathBuf, UnsafePath> {
    let candidate = Path::new(path);
    let acceptable = !path.is_empty()
        && !path.contains('\\')
        && !path.contains('\0')
        && candidate.components().all(
            |c| matches!(c, Component::Normal(part) if !part.to_string_lossy().starts_with('.')),
        );
    if acceptable {
        Ok(candidate.to_path_buf())
    } else {
        Err(UnsafePath(path.to_string()))
    }
}

/// A file path a renderer must not write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the renderer produced an unsafe path {0:?}")]
pub struct UnsafePath(pub String);

/// Writes `files` as the new content of `site` (a directory that may exist and be served).
/// Blocking: run it off the async workers.
/// The download archives are built with it (`archive`), so they always match the site.
pub fn publish_site(site: &Path, files: &[SiteFile], key: &VariantKey) -> anyhow::Result<()> {
    publish(site, files, key, true)
}

/// Writes `files` as the new content of the export at `dir`, as [`publish_site`] does, but
/// without compressed copies: an export is downloaded as its archive, never served file by
/// file.
pub fn publish_export(dir: &Path, files: &[SiteFile], key: &VariantKey) -> anyhow::Result<()> {
    publish(dir, files, key, false)
}

fn publish(site: &Path, files: &[SiteFile], key: &VariantKey, served: bool) -> anyhow::Result<()> {
    let parent = site.parent().context("the site directory has no parent")?;
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".site-new-")
        .tempdir_in(parent)
        .with_context(|| format!("creating a staging directory in {}", parent.display()))?;
    for file in files {
        let relative = check_site_path(&file.path)?;
        let target = staging.path().join(&relative);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&target, &file.contents)
            .with_context(|| format!("writing {}", target.display()))?;
        if served {
            write_compressed(staging.path(), &relative, &file.contents)?;
        }
    }
    super::archive::write_archives(staging.path(), key)
        .context("building the download archives")?;
    let staged = staging.keep();
    swap_in(&staged, site)
}

/// Where a site keeps the gzip and brotli copies of its text files, mirroring their paths: hidden, so
/// no renderer can write there (`check_site_path` refuses hidden names).
pub const COMPRESSED_DIR: &str = ".compressed";

/// Text worth compressing once here rather than on every request.
const COMPRESSIBLE: &[&str] = &[
    "html", "css", "js", "json", "txt", "md", "xml", "svg", "map",
];

/// Writes `COMPRESSED_DIR/<relative>.gz` and `.br` for a text file large enough to gain
/// from it, each at its best setting: once here instead of on every request.
fn write_compressed(staging: &Path, relative: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::io::Write as _;
    let text = relative
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSIBLE.contains(&e));
    if !text || contents.len() < 256 {
        return Ok(());
    }
    let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gzip.write_all(contents)?;
    let mut brotli = Vec::new();
    let quality = brotli::enc::BrotliEncoderParams {
        quality: 9,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &contents[..], &mut brotli, &quality)?;
    for (suffix, compressed) in [(".gz", gzip.finish()?), (".br", brotli)] {
        let mut target = staging.join(COMPRESSED_DIR).join(relative).into_os_string();
        target.push(suffix);
        let target = std::path::PathBuf::from(target);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&target, compressed)
            .with_context(|| format!("writing {}", target.display()))?;
    }
    Ok(())
}

/// Replaces `site` by `staged`. The old site is renamed aside, the new one renamed in, then
/// the old one deleted: at every moment one complete site is in place.
fn swap_in(staged: &Path, site: &Path) -> anyhow::Result<()> {
    let retired = site.with_file_name(format!(
        ".site-old-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ));
    let had_site = site.exists();
    if had_site {
        std::fs::rename(site, &retired)
            .with_context(|| format!("moving the old site {} aside", site.display()))?;
    }
    if let Err(error) = std::fs::rename(staged, site) {
        if had_site {
            // Put the old site back: serving it beats serving nothing.
            let _ = std::fs::rename(&retired, site);
        }
        let _ = std::fs::remove_dir_all(staged);
        return Err(error).with_context(|| format!("moving the new site into {}", site.display()));
    }
    if had_site {
        let _ = std::fs::remove_dir_all(&retired);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> VariantKey {
        VariantKey {
            name: "proj".into(),
            branch: "main".into(),
            provider: "claude".into(),
            model: "opus".into(),
            owner: "alice".into(),
        }
    }

    fn file(path: &str, text: &str) -> SiteFile {
        SiteFile {
            path: path.into(),
            contents: text.as_bytes().to_vec(),
        }
    }

    #[test]
    fn unsafe_paths_are_refused() {
        for good in ["index.html", "assets/style.css", "a/b/c.md"] {
            assert!(check_site_path(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a\\b",
            ".htaccess",
            "a/.git/config",
            "./x",
        ] {
            assert!(check_site_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_new_site_replaces_the_old_one_whole() {
        let dir = tempfile::tempdir().expect("dir");
        let site = dir.path().join("site");
        publish_site(
            &site,
            &[file("index.html", "one"), file("old.html", "gone soon")],
            &key(),
        )
        .expect("first");
        publish_site(
            &site,
            &[file("index.html", "two"), file("assets/a.css", "css")],
            &key(),
        )
        .expect("second");
        assert_eq!(
            std::fs::read_to_string(site.join("index.html")).expect("index"),
            "two"
        );
        assert!(site.join("assets/a.css").is_file());
        let archive =
            super::super::archive::archive_path(&site, super::super::archive::ArchiveKind::Project);
        assert!(
            archive.is_file(),
            "the archives are published with the site"
        );
        assert!(
            !site.join("old.html").exists(),
            "files of the old site remain"
        );
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(leftovers, ["site"], "staging or retired directories remain");
    }

    #[test]
    fn a_failed_publish_leaves_the_old_site_untouched() {
        let dir = tempfile::tempdir().expect("dir");
        let site = dir.path().join("site");
        publish_site(&site, &[file("index.html", "good")], &key()).expect("first");
        let error = publish_site(
            &site,
            &[file("index.html", "bad"), file("../escape", "x")],
            &key(),
        )
        .expect_err("unsafe path");
        assert!(error.to_string().contains("unsafe path"), "{error}");
        assert_eq!(
            std::fs::read_to_string(site.join("index.html")).expect("index"),
            "good"
        );
        assert!(!dir.path().join("escape").exists());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("ls")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(
            leftovers,
            ["site"],
            "the staging directory was not cleaned up"
        );
    }
}
