//! The download archives of a site (`.tar.gz`), built once when the site is published and
//! kept beside its files, so a download streams a file instead of building one per request.
//! docsfy names an archive's top folder after the variant on the variant route and after the
//! project on the project's route: both are built.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::domain::encode_branch;
use crate::store::variants::VariantKey;

/// Where a site keeps its archives: hidden, so no renderer can write there and the docs
/// route never serves it.
pub const ARCHIVES_DIR: &str = ".archives";

/// Which download an archive is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    /// `GET /api/projects/{name}/{branch}/{provider}/{model}/download`.
    Variant,
    /// `GET /api/projects/{name}/download`, the project's latest ready variant.
    Project,
}

impl ArchiveKind {
    const ALL: [ArchiveKind; 2] = [ArchiveKind::Variant, ArchiveKind::Project];

    /// The archive's top folder as docsfy names it (`name-branch-provider-model` or `name`).
    pub fn folder(self, key: &VariantKey) -> String {
        match self {
            ArchiveKind::Variant => format!(
                "{}-{}-{}-{}",
                key.name,
                encode_branch(&key.branch),
                key.provider,
                key.model
            ),
            ArchiveKind::Project => key.name.clone(),
        }
    }

    /// The file name a browser saves it as.
    pub fn download_name(self, key: &VariantKey) -> String {
        format!("{}-docs.tar.gz", self.folder(key))
    }

    /// The file name a browser saves the archive of the `renderer` export as.
    pub fn export_download_name(self, key: &VariantKey, renderer: &str) -> String {
        format!("{}-{renderer}.tar.gz", self.folder(key))
    }

    fn file_name(self) -> &'static str {
        match self {
            ArchiveKind::Variant => "variant.tar.gz",
            ArchiveKind::Project => "project.tar.gz",
        }
    }
}

/// Where the `kind` archive of the site at `site` is kept.
pub fn archive_path(site: &Path, kind: ArchiveKind) -> PathBuf {
    site.join(ARCHIVES_DIR).join(kind.file_name())
}

/// Builds both archives of the site staged at `site`. Blocking.
pub fn write_archives(site: &Path, key: &VariantKey) -> std::io::Result<()> {
    for kind in ArchiveKind::ALL {
        write_archive(site, &kind.folder(key), &archive_path(site, kind))?;
    }
    Ok(())
}

/// The `kind` archive of a published site; a site published before archives were kept gets
/// it built now, once. Blocking.
pub fn published_archive(
    site: &Path,
    key: &VariantKey,
    kind: ArchiveKind,
) -> std::io::Result<PathBuf> {
    let path = archive_path(site, kind);
    if !path.is_file() {
        write_archive(site, &kind.folder(key), &path)?;
    }
    Ok(path)
}

/// Writes the site's files (not its hidden directories) under `folder/` into `target`,
/// compressing as it goes; a reader never sees a half-written archive (it is renamed in
/// whole). Symlinks are archived as links, never followed out of the site.
fn write_archive(site: &Path, folder: &str, target: &Path) -> std::io::Result<()> {
    // Models may hold `/` (`org/model`): the folder stays one path component.
    let prefix = folder.replace(['/', '\\'], "_");
    let dir = target.parent().unwrap_or(site);
    std::fs::create_dir_all(dir)?;
    let staged = tempfile::NamedTempFile::new_in(dir)?;
    let output = std::io::BufWriter::new(staged.as_file());
    let encoder = flate2::write::GzEncoder::new(output, flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    builder.follow_symlinks(false);
    builder.append_dir(&prefix, site)?;
    let mut entries: Vec<_> = std::fs::read_dir(site)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        // The gzip copies and the archives themselves are the server's, not the site's.
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let name = Path::new(&prefix).join(entry.file_name());
        if entry.file_type()?.is_dir() {
            builder.append_dir_all(&name, entry.path())?;
        } else {
            builder.append_path_with_name(entry.path(), &name)?;
        }
    }
    builder.into_inner()?.finish()?.flush()?;
    staged.persist(target).map_err(|error| error.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> VariantKey {
        VariantKey {
            name: "proj".into(),
            branch: "feature/x".into(),
            provider: "claude".into(),
            model: "org/model".into(),
            owner: "alice".into(),
        }
    }

    fn entries(archive: &Path) -> Vec<String> {
        let file = std::fs::File::open(archive).expect("the archive");
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let mut names: Vec<String> = tar
            .entries()
            .expect("entries")
            .map(|e| {
                e.expect("an entry")
                    .path()
                    .expect("a path")
                    .display()
                    .to_string()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn both_archives_hold_the_site_under_docsfy_s_folder_names_and_nothing_hidden() {
        let site = tempfile::tempdir().expect("site");
        std::fs::create_dir_all(site.path().join("guide")).expect("dirs");
        std::fs::write(site.path().join("index.html"), "<h1>hi</h1>").expect("index");
        std::fs::write(site.path().join("guide/setup.html"), "setup").expect("page");
        std::fs::create_dir_all(site.path().join(".compressed")).expect("hidden");
        std::fs::write(site.path().join(".compressed/index.html.gz"), "gz").expect("gz");
        write_archives(site.path(), &key()).expect("written");
        let variant = entries(&archive_path(site.path(), ArchiveKind::Variant));
        let folder = "proj-feature~2Fx-claude-org_model";
        assert_eq!(
            variant,
            [
                folder.to_string(),
                format!("{folder}/guide/"),
                format!("{folder}/guide/setup.html"),
                format!("{folder}/index.html"),
            ]
        );
        let project = entries(&archive_path(site.path(), ArchiveKind::Project));
        assert!(
            project.contains(&"proj/index.html".to_string()),
            "{project:?}"
        );
        assert!(
            !project
                .iter()
                .any(|e| e.contains(".compressed") || e.contains(".archives"))
        );
    }

    #[test]
    fn a_site_without_archives_gets_one_built_once() {
        let site = tempfile::tempdir().expect("site");
        std::fs::write(site.path().join("index.html"), "<h1>hi</h1>").expect("index");
        let built = published_archive(site.path(), &key(), ArchiveKind::Project).expect("built");
        let first = std::fs::metadata(&built)
            .expect("exists")
            .modified()
            .expect("mtime");
        std::fs::write(site.path().join("late.html"), "not archived again").expect("file");
        let again = published_archive(site.path(), &key(), ArchiveKind::Project).expect("kept");
        assert_eq!(
            std::fs::metadata(&again)
                .expect("exists")
                .modified()
                .expect("mtime"),
            first
        );
        assert!(!entries(&again).contains(&"proj/late.html".to_string()));
    }
}
