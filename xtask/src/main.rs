//! `cargo xtask test [ARGS]`: makes sure the programs the tests drive for real are installed
//! (bubblewrap for the AI CLI sandbox, Chromium and its WebDriver for the web app's browser
//! tests), installing Debian's packages when they are missing and
//! the user may, then runs `cargo test --workspace ARGS`.
//!
//! A test never skips because something is missing: this command is what puts it there.

use std::path::Path;
use std::process::{Command, ExitCode};

/// A program the tests need and the Debian package that provides it.
struct Needed {
    program: &'static str,
    package: &'static str,
    why: &'static str,
}

const NEEDED: &[Needed] = &[
    Needed {
        program: "bwrap",
        package: "bubblewrap",
        why: "the AI CLI sandbox tests",
    },
    Needed {
        program: "chromium",
        package: "chromium",
        why: "the web app's browser tests",
    },
    Needed {
        program: "chromedriver",
        package: "chromium-driver",
        why: "the web app's browser tests (WebDriver)",
    },
];

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("test") => match install_missing() {
            Ok(()) => cargo_test(args.collect()),
            Err(message) => {
                eprintln!("xtask: {message}");
                ExitCode::FAILURE
            }
        },
        Some("install") => match install_missing() {
            Ok(()) => ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("xtask: {message}");
                ExitCode::FAILURE
            }
        },
        _ => {
            eprintln!(
                "usage: cargo xtask test [CARGO TEST ARGS]   install what the tests need, run them\n\
                 \x20      cargo xtask install                 only install what the tests need"
            );
            ExitCode::from(2)
        }
    }
}

/// Installs the Debian packages of every missing program, or says how to.
fn install_missing() -> Result<(), String> {
    let missing: Vec<&Needed> = NEEDED.iter().filter(|n| !on_path(n.program)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let packages: Vec<&str> = missing.iter().map(|n| n.package).collect();
    for need in &missing {
        eprintln!(
            "xtask: `{}` is missing (needed by {}); installing the `{}` package",
            need.program, need.why, need.package
        );
    }
    let command = format!(
        "apt-get install -y --no-install-recommends {}",
        packages.join(" ")
    );
    if !on_path("apt-get") {
        return Err(format!(
            "no apt-get here: install {} with your system's package manager",
            packages.join(", ")
        ));
    }
    if !is_root() {
        return Err(format!("run as root, or first: sudo {command}"));
    }
    // The package lists of a fresh machine are empty; an update is needed once.
    run(Command::new("apt-get").args(["update", "-qq"]))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&packages)
        .env("DEBIAN_FRONTEND", "noninteractive"))?;
    match missing.iter().find(|n| !on_path(n.program)) {
        Some(still) => Err(format!(
            "`{}` is still missing after installing `{}`",
            still.program, still.package
        )),
        None => Ok(()),
    }
}

fn cargo_test(args: Vec<String>) -> ExitCode {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["test", "--workspace"])
        .args(args)
        .status();
    match status {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("xtask: cannot run cargo: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    match command.status() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(format!("{shown} failed ({status})")),
        Err(error) => Err(format!("cannot run {shown}: {error}")),
    }
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| is_executable(&dir.join(program)))
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn is_root() -> bool {
    // The effective user id, without a libc dependency: /proc/self/status says it.
    std::fs::read_to_string("/proc/self/status").is_ok_and(|status| {
        status
            .lines()
            .find_map(|line| line.strip_prefix("Uid:"))
            .and_then(|ids| ids.split_whitespace().nth(1))
            == Some("0")
    })
}
