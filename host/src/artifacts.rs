//! Where a variant's files live: `<data_dir>/projects/<owner>/<name>/<branch>/<provider>/<model>`
//! with `plan.json`, `cache/` and the served `site/`.

use std::path::{Path, PathBuf};

use crate::store::variants::VariantKey;

/// The on-disk layout of generated artifacts.
#[derive(Debug, Clone)]
pub struct Artifacts {
    root: PathBuf,
}

impl Artifacts {
    /// Artifacts under `<data_dir>/projects`.
    pub fn new(data_dir: &Path) -> Artifacts {
        Artifacts {
            root: data_dir.join("projects"),
        }
    }

    /// The directory of one variant.
    pub fn variant_dir(&self, key: &VariantKey) -> PathBuf {
        [
            &key.owner,
            &key.name,
            &key.branch,
            &key.provider,
            &key.model,
        ]
        .iter()
        .fold(self.root.clone(), |dir, part| {
            dir.join(path_component(part))
        })
    }

    /// The generated site of one variant, as served under `/docs`.
    pub fn site_dir(&self, key: &VariantKey) -> PathBuf {
        self.variant_dir(key).join("site")
    }

    /// The output of the renderer `renderer` run after the site (`render.extra`), kept beside
    /// the site and downloadable with `?format=<renderer>`.
    pub fn export_dir(&self, key: &VariantKey, renderer: &str) -> PathBuf {
        self.variant_dir(key).join("exports").join(renderer)
    }

    /// Deletes a variant's files, then the directories above it that are left empty (up to
    /// `projects/`); a missing directory is not an error.
    pub async fn remove_variant(&self, key: &VariantKey) {
        let dir = self.variant_dir(key);
        let root = self.root.clone();
        let result = tokio::task::spawn_blocking(move || {
            if let Err(e) = std::fs::remove_dir_all(&dir)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                return Err((dir, e));
            }
            // remove_dir fails on a non-empty directory, which ends the pruning.
            let mut parent = dir.parent();
            while let Some(current) = parent.filter(|p| *p != root && p.starts_with(&root)) {
                if std::fs::remove_dir(current).is_err() {
                    break;
                }
                parent = current.parent();
            }
            Ok(())
        })
        .await;
        if let Ok(Err((dir, error))) = result {
            tracing::warn!("could not delete {}: {error}", dir.display());
        }
    }
}

/// A name made safe as one path component: every byte but ASCII letters, digits, `_` and `-`
/// is percent-encoded, so no name can be `.`, `..`, empty or contain a separator, and
/// different names never share a directory.
pub fn path_component(name: &str) -> String {
    if name.is_empty() {
        return "%".into();
    }
    let mut encoded = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-' {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_cannot_escape_or_collide() {
        assert_eq!(path_component("opus"), "opus");
        assert_eq!(path_component(".."), "%2E%2E");
        assert_eq!(path_component("a/b"), "a%2Fb");
        assert_eq!(
            path_component("claude-opus-4-6[1m]"),
            "claude-opus-4-6%5B1m%5D"
        );
        assert_eq!(path_component(""), "%");
        assert_ne!(path_component("a%2Fb"), path_component("a/b"));
    }

    #[test]
    fn a_variant_directory_stays_under_the_root() {
        let artifacts = Artifacts::new(Path::new("/data"));
        let key = VariantKey {
            name: "..".into(),
            branch: "../..".into(),
            provider: "p".into(),
            model: "m/../../x".into(),
            owner: String::new(),
        };
        let dir = artifacts.variant_dir(&key);
        assert!(dir.starts_with("/data/projects"));
        assert!(
            dir.components()
                .all(|c| c != std::path::Component::ParentDir)
        );
    }
}
