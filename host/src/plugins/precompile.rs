//! Compiling plugins in a child process on a first start. Compiling a component leaves the
//! compiler's working memory with the process that compiled it (the allocator keeps freed
//! memory for reuse), ~70 MB for the bundled plugins, for as long as the server runs. So when
//! the compiled cache does not yet hold this set of plugins, `docsfy plugins` runs first (it
//! loads every plugin, which fills the cache) and exits; the server then loads each one from
//! the cache, which costs only the compiled code.

use std::hash::{Hash as _, Hasher as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::registry::BUNDLED;
use crate::config::Config;

const MARKER_PREFIX: &str = "compiled-";

/// Fills the compiled cache from a child process unless it already holds this set of
/// plugins. `config_file` is the file the server was started with, for the child to use.
/// A child that fails is reported and the server compiles for itself.
pub fn fill_cache_in_child(config: &Config, config_file: Option<&Path>) {
    let cache = config.plugin_cache_dir();
    let marker = cache.join(format!("{MARKER_PREFIX}{:016x}", plugin_set_digest(config)));
    if marker.is_file() {
        return;
    }
    let Ok(program) = std::env::current_exe() else {
        return;
    };
    let mut child = Command::new(program);
    child.arg("plugins").arg("--json");
    if let Some(file) = config_file {
        child.arg("--config").arg(file);
    }
    match child.stdout(Stdio::null()).stderr(Stdio::null()).status() {
        Ok(status) if status.success() => {
            forget_older_markers(&cache);
            if let Err(error) = std::fs::write(&marker, b"") {
                eprintln!("docsfy: cannot mark the plugin cache as filled: {error}");
            }
        }
        Ok(status) => {
            eprintln!(
                "docsfy: compiling the plugins in a child process failed ({status}); the server compiles them"
            )
        }
        Err(error) => {
            eprintln!("docsfy: cannot run `docsfy plugins` to compile the plugins: {error}")
        }
    }
}

/// What the set of plugins to load is: this build's bundled plugins, and every third-party
/// `plugin.wasm` by path, size and modification time (a changed file is a new set).
fn plugin_set_digest(config: &Config) -> u64 {
    let mut hasher = std::hash::DefaultHasher::new();
    env!("CARGO_PKG_VERSION").hash(&mut hasher);
    for bundled in BUNDLED {
        bundled.wasm.hash(&mut hasher);
    }
    for dir in &config.plugins.dirs {
        let mut wasm: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .flatten()
                    .map(|e| e.path().join("plugin.wasm"))
                    .collect()
            })
            .unwrap_or_default();
        wasm.sort();
        for file in wasm {
            let Ok(metadata) = std::fs::metadata(&file) else {
                continue;
            };
            file.hash(&mut hasher);
            metadata.len().hash(&mut hasher);
            metadata.modified().ok().hash(&mut hasher);
        }
    }
    hasher.finish()
}

fn forget_older_markers(cache: &Path) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(MARKER_PREFIX)
        {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
