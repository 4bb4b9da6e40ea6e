//! Builds the guest plugins (the `plugins/` workspace) for `wasm32-wasip2` and embeds the
//! bundled ones in the host, so that `cargo run` and `cargo test` work on a fresh checkout
//! with nothing copied by hand.

use std::env;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Plugins embedded in the `docsfy` binary: (directory under `plugins/`, wasm file stem).
const BUNDLED: &[(&str, &str)] = &[
    ("claude", "docsfy_provider_claude"),
    ("gemini", "docsfy_provider_gemini"),
    ("cursor", "docsfy_provider_cursor"),
    ("openai", "docsfy_provider_openai"),
    ("site", "docsfy_renderer_site"),
    ("mdbook", "docsfy_renderer_mdbook"),
];

const TARGET: &str = "wasm32-wasip2";

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let root = manifest_dir
        .parent()
        .expect("host/ is inside the repository")
        .to_path_buf();
    let guest_workspace = root.join("plugins");
    // Never the host's own target directory: a nested cargo waiting on that lock hangs.
    let guest_target = guest_workspace.join("target");

    for watched in ["wit", "plugin-sdk", "plugins", "tests/plugins"] {
        watch(&root.join(watched));
    }

    build_guests(&guest_workspace, &guest_target);

    let wasm_dir = guest_target.join(TARGET).join("release");
    let mut bundled = String::from("&[\n");
    for (dir, stem) in BUNDLED {
        let manifest = guest_workspace.join(dir).join("plugin.toml");
        let wasm = wasm_dir.join(format!("{stem}.wasm"));
        assert!(
            wasm.exists(),
            "the guest build did not produce {}",
            wasm.display()
        );
        writeln!(
            bundled,
            "    BundledPlugin {{ manifest: include_str!({:?}), wasm: include_bytes!({:?}) }},",
            manifest.display().to_string(),
            wasm.display().to_string()
        )
        .expect("writing to a String");
    }
    bundled.push(']');
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    std::fs::write(out_dir.join("bundled_plugins.rs"), bundled).expect("write bundled list");
    // Tests and benchmarks load test-only plugins (never bundled) from here.
    println!(
        "cargo::rustc-env=GUEST_PLUGIN_WASM_DIR={}",
        wasm_dir.display()
    );
}

fn build_guests(workspace: &Path, target_dir: &Path) {
    ensure_wasm_target();
    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args([
            "build",
            "--release",
            "--locked",
            "--workspace",
            "--target",
            TARGET,
        ])
        .arg("--target-dir")
        .arg(target_dir)
        // The host's flags and target settings are not the guests'; CARGO_MAKEFLAGS stays so
        // that the nested build shares the outer job limit.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        // Build-script stdout is parsed as cargo directives; the nested build's goes to stderr.
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::inherit());
    let status = command.status().expect("run cargo for the guest plugins");
    if !status.success() {
        panic!(
            "building the guest plugins in {} failed (see above)",
            workspace.display()
        );
    }
}

/// Installs the `wasm32-wasip2` standard library through rustup when it is missing, so that
/// a fresh machine needs no manual step.
fn ensure_wasm_target() {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .any(|l| l.trim() == TARGET)
        });
    // Without rustup the toolchain came some other way; cargo will say what is missing.
    if let Ok(false) = installed {
        eprintln!("installing the {TARGET} target with rustup");
        let added = Command::new("rustup")
            .args(["target", "add", TARGET])
            .stdout(Stdio::from(std::io::stderr()))
            .status()
            .is_ok_and(|s| s.success());
        if !added {
            panic!(
                "building the plugins needs the {TARGET} target, and `rustup target add {TARGET}` \
                 failed: run it by hand and build again"
            );
        }
    }
}

/// Asks cargo to rerun this script when a file under `path` changes, except build output.
fn watch(path: &Path) {
    let Ok(entries) = std::fs::read_dir(path) else {
        println!("cargo::rerun-if-changed={}", path.display());
        return;
    };
    // Files only: cargo scans a watched directory recursively, build output included, which
    // would rebuild the host on every run. A new file matters only once an existing one (a
    // `mod` line, a Cargo.toml) names it.
    for entry in entries.flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == "target") {
            continue;
        }
        if path.is_dir() {
            watch(&path);
        } else {
            println!("cargo::rerun-if-changed={}", path.display());
        }
    }
}
