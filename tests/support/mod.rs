//! Helpers shared by the test binaries: fake AI CLIs and plugin registries.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use docsfy::plugins::{LoadOptions, PluginRegistry, PluginSettings};

/// A directory of executable scripts standing in for real programs, with a call log.
pub struct FakeBin {
    dir: tempfile::TempDir,
}

impl FakeBin {
    pub fn new() -> FakeBin {
        FakeBin {
            dir: tempfile::tempdir().expect("temp dir for fake programs"),
        }
    }

    /// Writes an executable `/bin/sh` script called `name`.
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = self.dir.path().join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("write script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    /// The directory, for use as a search path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A file in the directory (logs, pid files).
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.file(name)).unwrap_or_default()
    }
}

/// One compiled-plugin cache for every test binary and every run, under `target/`: each
/// component compiles once until it changes (wasmtime keys its entries by the component and
/// the engine, so a stale entry is never used).
pub fn shared_cache_dir() -> &'static Path {
    static CACHE: OnceLock<PathBuf> = OnceLock::new();
    CACHE.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("plugin-cache");
        std::fs::create_dir_all(&dir).expect("the shared plugin cache");
        dir
    })
}

/// Loads the registry with the given settings, programs found only in `bin`, and the given
/// environment for programs.
pub async fn load_registry(
    mut settings: PluginSettings,
    bin: &FakeBin,
    bundled: bool,
    environment: &[(&str, &str)],
) -> PluginRegistry {
    settings.search_path = Some(bin.path().display().to_string());
    let options = LoadOptions {
        bundled,
        environment: Some(
            environment
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ),
        // The runtime's own tests; the sandbox is tested in the host and through the server.
        confinement: None,
    };
    PluginRegistry::load(&settings, shared_cache_dir(), options)
        .await
        .expect("the plugin engine starts")
}

/// Copies a test-only plugin (built by host/build.rs, never bundled) into `plugins_dir/<dir>`
/// with the given manifest text.
pub fn install_test_plugin(plugins_dir: &Path, dir: &str, wasm_stem: &str, manifest: &str) {
    let target = plugins_dir.join(dir);
    std::fs::create_dir_all(&target).expect("plugin dir");
    let wasm = docsfy::plugins::guest_wasm_dir().join(format!("{wasm_stem}.wasm"));
    std::fs::copy(&wasm, target.join("plugin.wasm"))
        .unwrap_or_else(|e| panic!("copy {}: {e}", wasm.display()));
    std::fs::write(target.join("plugin.toml"), manifest).expect("write plugin.toml");
}

/// A plugins directory holding the sandbox probe (a third-party provider), and the server
/// configuration that loads it. Keep the directory for as long as the server runs.
pub fn probe_plugins() -> (tempfile::TempDir, String) {
    let plugins = tempfile::tempdir().expect("plugins dir");
    install_test_plugin(
        plugins.path(),
        "probe",
        "docsfy_sandbox_probe",
        &probe_manifest(),
    );
    let config = format!(
        "[plugins]\ndirs = [{:?}]\n",
        plugins.path().display().to_string()
    );
    (plugins, config)
}

/// The manifest of the sandbox probe, as committed beside its source.
pub fn probe_manifest() -> String {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/plugins/sandbox-probe/plugin.toml");
    std::fs::read_to_string(path).expect("probe manifest")
}

/// Whether a process with this pid is still running (zombies count as gone).
pub fn process_alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|stat| !stat.contains(") Z "))
        .unwrap_or(false)
}

/// Waits up to two seconds for `pid` to be gone: signals are delivered asynchronously.
pub fn process_gone_soon(pid: i32) -> bool {
    (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        !process_alive(pid)
    })
}

pub mod api;
pub mod client;
pub mod fake_ai;
pub mod fake_openai;
pub mod git;
pub mod git_http;
pub mod loopback;
pub mod server;
pub mod ws;
