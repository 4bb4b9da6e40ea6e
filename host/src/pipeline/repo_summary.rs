//! What the AI is told about a repository up front: its file tree and its README, bounded so
//! that a huge repository still makes a prompt of reasonable size, and read without following
//! links. The AI CLIs run inside the checkout and can read any file themselves.

use std::path::Path;

/// Directories never listed: version control, dependencies and build output.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "node_modules",
    "target",
    "dist",
    "build",
    "vendor",
    "__pycache__",
    ".venv",
];

/// At most this many paths are listed.
pub const MAX_LISTED_FILES: usize = 400;

/// At most this many characters of the README are quoted.
pub const MAX_README_CHARS: usize = 8000;

/// The tree and README of a checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSummary {
    /// Relative paths, sorted, at most [`MAX_LISTED_FILES`].
    pub files: Vec<String>,
    /// How many files there are in all.
    pub total_files: usize,
    /// The README's beginning, if there is one.
    pub readme: Option<String>,
}

/// Summarises the checkout at `root`. Blocking.
pub fn summarize(root: &Path) -> std::io::Result<RepoSummary> {
    let mut files = Vec::new();
    collect(root, root, &mut files)?;
    files.sort();
    let total_files = files.len();
    files.truncate(MAX_LISTED_FILES);
    let mut readme = None;
    for name in [
        "README.md",
        "README.rst",
        "README.txt",
        "README",
        "readme.md",
    ] {
        // Four bytes per character at most; not UTF-8 is quoted as far as it can be.
        if let Some(bytes) = super::tree::read_bounded(&root.join(name), MAX_README_CHARS * 4)? {
            let text = String::from_utf8_lossy(&bytes);
            readme = Some(text.chars().take(MAX_README_CHARS).collect());
            break;
        }
    }
    Ok(RepoSummary {
        files,
        total_files,
        readme,
    })
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        // Symlinks are listed, never followed: they may point outside the checkout.
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if !SKIPPED_DIRS.contains(&name.as_str()) {
                collect(root, &entry.path(), files)?;
            }
        } else if let Ok(relative) = entry.path().strip_prefix(root) {
            files.push(relative.to_string_lossy().into_owned());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_sources_and_quotes_the_readme_but_skips_build_output() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path();
        for path in [
            "src/main.rs",
            "src/lib/util.rs",
            "README.md",
            ".git/HEAD",
            "target/debug/x",
            "node_modules/a/b.js",
        ] {
            let full = root.join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(&full, "# Acme\nA tool.").expect("write");
        }
        let summary = summarize(root).expect("summary");
        assert_eq!(
            summary.files,
            ["README.md", "src/lib/util.rs", "src/main.rs"]
        );
        assert_eq!(summary.total_files, 3);
        assert_eq!(summary.readme.as_deref(), Some("# Acme\nA tool."));
    }

    #[test]
    fn a_readme_that_is_not_utf8_is_quoted_as_far_as_it_can_be() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("README.md"), b"# Caf\xe9\n").expect("write");
        let summary = summarize(dir.path()).expect("summary");
        assert_eq!(summary.readme.as_deref(), Some("# Caf\u{FFFD}\n"));
    }
}
