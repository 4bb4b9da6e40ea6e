//! The project's version, for the site's footer: what the project's own manifest at the top
//! of the checkout says (`Cargo.toml`, `pyproject.toml`, `package.json`), or else
//! `git describe --tags`. Manifests are read without following links and only so far.

use std::path::Path;

use super::tree;

/// How much of a manifest is read: versions sit near the top.
const MANIFEST_BYTES: usize = 256 * 1024;

/// The version the checkout at `root` names, if any. Blocking.
pub fn project_version(root: &Path) -> Option<String> {
    let read = |name: &str| {
        tree::read_bounded(&root.join(name), MANIFEST_BYTES)
            .ok()
            .flatten()
            .and_then(|bytes| String::from_utf8(bytes).ok())
    };
    let from_manifests = [
        ("Cargo.toml", cargo_version as fn(&str) -> Option<String>),
        ("pyproject.toml", pyproject_version),
        ("package.json", package_json_version),
    ]
    .into_iter()
    .find_map(|(name, parse)| read(name).as_deref().and_then(parse));
    from_manifests
        .or_else(|| described(root))
        .filter(|v| plausible(v))
}

fn cargo_version(text: &str) -> Option<String> {
    toml_version(text, &[&["package"], &["workspace", "package"]])
}

fn pyproject_version(text: &str) -> Option<String> {
    toml_version(text, &[&["project"], &["tool", "poetry"]])
}

/// The string `version` of the first of `tables` (each a path of keys) that has one.
fn toml_version(text: &str, tables: &[&[&str]]) -> Option<String> {
    let manifest: toml::Table = text.parse().ok()?;
    tables.iter().find_map(|path| {
        let (first, rest) = path.split_first()?;
        let table = rest
            .iter()
            .try_fold(manifest.get(*first)?, |value, key| value.get(key))?;
        table.get("version")?.as_str().map(str::to_string)
    })
}

fn package_json_version(text: &str) -> Option<String> {
    let manifest: serde_json::Value = serde_json::from_str(text).ok()?;
    manifest.get("version")?.as_str().map(str::to_string)
}

/// `git describe --tags` of HEAD (`v1.2.0`, or `v1.2.0-3-gabc1234` past the tag).
fn described(root: &Path) -> Option<String> {
    let repository = git2::Repository::open(root).ok()?;
    let mut options = git2::DescribeOptions::new();
    options.describe_tags();
    let description = repository.describe(&options).ok()?;
    description.format(None).ok()
}

/// A version as a footer can show it: short, one printable word.
fn plausible(version: &str) -> bool {
    !version.is_empty() && version.len() <= 64 && version.chars().all(|c| c.is_ascii_graphic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checkout(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("dir");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        dir
    }

    #[test]
    fn the_first_manifest_that_names_a_version_wins() {
        let rust = checkout(&[
            (
                "Cargo.toml",
                "[package]\nname = \"x\"\nversion = \"1.4.2\"\n",
            ),
            ("package.json", "{\"version\": \"9.9.9\"}"),
        ]);
        assert_eq!(project_version(rust.path()).as_deref(), Some("1.4.2"));
        let workspace = checkout(&[(
            "Cargo.toml",
            "[package]\nversion.workspace = true\n[workspace.package]\nversion = \"0.3.0\"\n",
        )]);
        assert_eq!(project_version(workspace.path()).as_deref(), Some("0.3.0"));
        let python = checkout(&[("pyproject.toml", "[tool.poetry]\nversion = \"2.0b1\"\n")]);
        assert_eq!(project_version(python.path()).as_deref(), Some("2.0b1"));
        let node = checkout(&[("package.json", "{\"name\": \"n\", \"version\": \"5.1.0\"}")]);
        assert_eq!(project_version(node.path()).as_deref(), Some("5.1.0"));
    }

    #[test]
    fn no_version_bad_versions_and_links_out_name_nothing() {
        assert_eq!(project_version(checkout(&[]).path()), None);
        let odd = checkout(&[("package.json", "{\"version\": \"1.0 <script>\"}")]);
        assert_eq!(project_version(odd.path()), None);
        let outside = checkout(&[("secret.toml", "[package]\nversion = \"6.6.6\"\n")]);
        let linked = tempfile::tempdir().expect("dir");
        std::os::unix::fs::symlink(
            outside.path().join("secret.toml"),
            linked.path().join("Cargo.toml"),
        )
        .expect("link");
        assert_eq!(project_version(linked.path()), None);
    }

    #[test]
    fn without_a_manifest_git_describe_names_the_tag() {
        let dir = tempfile::tempdir().expect("dir");
        let repository = git2::Repository::init(dir.path()).expect("init");
        std::fs::write(dir.path().join("README"), "hi").expect("write");
        let mut index = repository.index().expect("index");
        index.add_path(Path::new("README")).expect("add");
        let tree = repository
            .find_tree(index.write_tree().expect("tree"))
            .expect("tree");
        let author = git2::Signature::now("t", "t@example.com").expect("signature");
        let commit = repository
            .commit(Some("HEAD"), &author, &author, "first", &tree, &[])
            .expect("commit");
        let object = repository.find_object(commit, None).expect("object");
        repository
            .tag_lightweight("v0.9.0", &object, false)
            .expect("tag");
        assert_eq!(project_version(dir.path()).as_deref(), Some("v0.9.0"));
    }
}
