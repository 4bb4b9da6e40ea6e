//! The guest workspace's own tests (the SDK's documentation example, the providers' output
//! parsers) run natively from here, so that `cargo test` in the repository runs every test.

use std::path::Path;
use std::process::Command;

/// cargo in the guest workspace, with its own target directory and none of the host
/// build's settings.
fn guest_cargo(args: &[&str]) -> Command {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins");
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .current_dir(&workspace)
        .args(args)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET");
    command
}

#[test]
fn plugin_sdk_and_bundled_plugins_pass_their_own_tests() {
    let output = guest_cargo(&["test", "--workspace", "--locked", "--target-dir", "target"])
        .output()
        .expect("run cargo test in the guest workspace");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "guest tests failed:\n{stdout}\n{stderr}"
    );
    // The SDK's example of a whole provider must have compiled and run.
    let example_passed = stdout
        .lines()
        .any(|line| line.contains("plugin-sdk/src/lib.rs - (line") && line.ends_with("... ok"));
    assert!(example_passed, "the SDK doc example did not run:\n{stdout}");
    assert!(!stdout.contains("FAILED"), "{stdout}");
}

/// The SDK is a crate of its own that carries its WIT: `cargo package` builds it from the
/// packaged files alone.
#[test]
fn the_plugin_sdk_packages_with_its_wit() {
    let package = ["package", "-p", "docsfy-plugin-sdk", "--allow-dirty"];
    let output = guest_cargo(&package)
        .args(["--locked", "--target-dir", "target"])
        .output()
        .expect("run cargo package");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo package failed:\n{stderr}");
    let listed = guest_cargo(&package)
        .arg("--list")
        .output()
        .expect("run cargo package --list");
    let files = String::from_utf8_lossy(&listed.stdout);
    for wit in [
        "wit/host.wit",
        "wit/http.wit",
        "wit/provider.wit",
        "wit/renderer.wit",
        "wit/types.wit",
    ] {
        assert!(
            files.lines().any(|f| f == wit),
            "{wit} is not packaged:\n{files}"
        );
    }
}
