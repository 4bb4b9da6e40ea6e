//! `docsfy plugin new` and `docsfy plugin build`: a plugin crate that builds to a working
//! component with one command, against the SDK of this very docsfy (copied into the crate,
//! so that the WIT it binds is the one this host speaks).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};

use crate::plugins::PluginKind;

/// The WebAssembly target plugins are built for.
const TARGET: &str = "wasm32-wasip2";

/// The WIT version new plugins are built against: the host's newest.
const WIT_VERSION: &str = "0.2.0";

/// The SDK's own files, as this binary was built with them.
const SDK_FILES: &[(&str, &str)] = &[
    ("src/lib.rs", include_str!("../../../plugin-sdk/src/lib.rs")),
    ("src/cli.rs", include_str!("../../../plugin-sdk/src/cli.rs")),
    (
        "src/exports.rs",
        include_str!("../../../plugin-sdk/src/exports.rs"),
    ),
    (
        "src/http.rs",
        include_str!("../../../plugin-sdk/src/http.rs"),
    ),
    (
        "src/settings.rs",
        include_str!("../../../plugin-sdk/src/settings.rs"),
    ),
    (
        "wit/host.wit",
        include_str!("../../../plugin-sdk/wit/host.wit"),
    ),
    (
        "wit/http.wit",
        include_str!("../../../plugin-sdk/wit/http.wit"),
    ),
    (
        "wit/provider.wit",
        include_str!("../../../plugin-sdk/wit/provider.wit"),
    ),
    (
        "wit/renderer.wit",
        include_str!("../../../plugin-sdk/wit/renderer.wit"),
    ),
    (
        "wit/types.wit",
        include_str!("../../../plugin-sdk/wit/types.wit"),
    ),
];

/// The SDK's version, which follows the WIT it binds.
const SDK_VERSION: &str = "0.2.0";

/// Writes a new plugin crate called `name` in `parent`; its directory.
pub fn new_plugin(name: &str, kind: PluginKind, parent: &Path) -> anyhow::Result<PathBuf> {
    if !crate::plugins::manifest::is_plugin_name(name) {
        bail!(
            "{name:?} is not a plugin name: 1-64 lowercase letters, digits, '-' or '_', \
             starting with a letter"
        );
    }
    let dir = parent.join(name);
    if dir.exists() {
        bail!(
            "{} exists already; choose another name or directory",
            dir.display()
        );
    }
    let (source, manifest, grant) = match kind {
        PluginKind::Provider => (
            include_str!("templates/provider.rs"),
            include_str!("templates/provider.toml"),
            format!("\n[plugins.grants.{name}]\nhttp = [\"http://localhost:11434\"]\n"),
        ),
        PluginKind::Renderer => (
            include_str!("templates/renderer.rs"),
            include_str!("templates/renderer.toml"),
            String::new(),
        ),
    };
    let fill = |template: &str| {
        template
            .replace("{{name}}", name)
            .replace("{{kind}}", &kind.to_string())
            .replace("{{wit}}", WIT_VERSION)
            .replace("{{sdk_version}}", SDK_VERSION)
            .replace("{{grant}}", grant.trim())
    };
    let mut files: Vec<(String, String)> = vec![
        (
            "Cargo.toml".into(),
            fill(include_str!("templates/Cargo.toml")),
        ),
        ("plugin.toml".into(), fill(manifest)),
        ("src/lib.rs".into(), fill(source)),
        (
            "README.md".into(),
            fill(include_str!("templates/README.md")),
        ),
        (
            ".gitignore".into(),
            "/target\n/plugin.wasm\nCargo.lock\n".into(),
        ),
        (
            "sdk/Cargo.toml".into(),
            fill(include_str!("templates/sdk.toml")),
        ),
    ];
    files.extend(
        SDK_FILES
            .iter()
            .map(|(path, text)| (format!("sdk/{path}"), (*text).to_string())),
    );
    for (path, text) in files {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(dir)
}

/// Builds the plugin crate in `dir` for `wasm32-wasip2` (installing the target through
/// rustup when it is missing) and puts the component at `dir/plugin.wasm`; its path.
pub fn build_plugin(dir: &Path) -> anyhow::Result<PathBuf> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("{} is not a plugin crate", dir.display()))?;
    let package: toml::Table = toml::from_str(&text)
        .with_context(|| format!("{} is not valid TOML", manifest.display()))?;
    let Some(crate_name) = package
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(|n| n.as_str())
    else {
        bail!("{} names no package", manifest.display());
    };
    if !dir.join("plugin.toml").is_file() {
        bail!("{} has no plugin.toml beside its Cargo.toml", dir.display());
    }
    ensure_target()?;
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| dir.join("target"));
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .args(["build", "--release", "--target", TARGET, "--manifest-path"])
        .arg(&manifest)
        .arg("--target-dir")
        .arg(&target_dir)
        .status()
        .context("cannot run cargo; is Rust installed (https://rustup.rs)?")?;
    if !status.success() {
        bail!("cargo could not build {} (see above)", dir.display());
    }
    let built = target_dir
        .join(TARGET)
        .join("release")
        .join(format!("{}.wasm", crate_name.replace('-', "_")));
    let installed = dir.join("plugin.wasm");
    std::fs::copy(&built, &installed)
        .with_context(|| format!("cannot copy {} to {}", built.display(), installed.display()))?;
    Ok(installed)
}

/// Adds the `wasm32-wasip2` target through rustup when it is missing.
fn ensure_target() -> anyhow::Result<()> {
    let Ok(listed) = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
    else {
        // Without rustup the toolchain came some other way; cargo says what is missing.
        return Ok(());
    };
    let installed = String::from_utf8_lossy(&listed.stdout)
        .lines()
        .any(|line| line.trim() == TARGET);
    if installed {
        return Ok(());
    }
    eprintln!("installing the {TARGET} target with rustup");
    let added = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .is_ok_and(|s| s.success());
    if !added {
        bail!("building plugins needs the {TARGET} target: run `rustup target add {TARGET}`");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_provider_has_its_name_everywhere_and_the_whole_sdk() {
        let parent = tempfile::tempdir().expect("dir");
        let dir = new_plugin("my-ai", PluginKind::Provider, parent.path()).expect("new");
        let manifest = std::fs::read_to_string(dir.join("plugin.toml")).expect("manifest");
        let parsed = crate::plugins::manifest::Manifest::parse(&manifest).expect("valid");
        assert_eq!(parsed.name, "my-ai");
        assert_eq!(parsed.wit, WIT_VERSION);
        let source = std::fs::read_to_string(dir.join("src/lib.rs")).expect("source");
        assert!(source.contains("name: \"my-ai\".into()"), "{source}");
        assert!(!source.contains("{{"), "every placeholder is filled");
        for (path, _) in SDK_FILES {
            assert!(dir.join("sdk").join(path).is_file(), "sdk/{path}");
        }
        let again = new_plugin("my-ai", PluginKind::Provider, parent.path()).expect_err("exists");
        assert!(again.to_string().contains("exists already"), "{again}");
        let bad = new_plugin("My AI", PluginKind::Provider, parent.path()).expect_err("name");
        assert!(bad.to_string().contains("is not a plugin name"), "{bad}");
    }

    #[test]
    fn the_copied_sdk_is_the_one_in_this_repository() {
        let sdk: toml::Table =
            toml::from_str(include_str!("../../../plugin-sdk/Cargo.toml")).expect("sdk");
        assert_eq!(sdk["package"]["version"].as_str(), Some(SDK_VERSION));
        let guests: toml::Table =
            toml::from_str(include_str!("../../../plugins/Cargo.toml")).expect("guests");
        let copied: toml::Table = toml::from_str(
            &include_str!("templates/sdk.toml").replace("{{sdk_version}}", SDK_VERSION),
        )
        .expect("template");
        assert_eq!(
            copied["dependencies"]["wit-bindgen"],
            guests["workspace"]["dependencies"]["wit-bindgen"],
            "the copy builds with the same wit-bindgen"
        );
    }
}
