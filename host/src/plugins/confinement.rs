//! Programs run on a plugin's behalf (the AI CLIs) see only what they need: through
//! bubblewrap, a fresh mount namespace holding the system's programs and libraries, the
//! CLI's own installation and login directories, and the job's checkout read-only. The data
//! directory, other checkouts, the server's `/proc` and its environment are not there.
//!
//! The network stays shared: a CLI must reach its provider's API.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::process::{self, ProgramRun};

/// Whether programs run inside the sandbox (`[sandbox] mode`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SandboxMode {
    /// Use bubblewrap when it works here; otherwise run unconfined and say so once.
    #[default]
    Auto,
    /// Refuse to start without a working bubblewrap.
    Required,
    /// Run programs as the server's user, seeing what it sees.
    Off,
}

/// Top-level directories that hold the system's programs and libraries. On merged-/usr
/// systems most are links into `/usr`, which are recreated as links.
const SYSTEM_DIRS: &[&str] = &["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/opt"];

/// What of `/etc` a CLI needs: name resolution, TLS roots, users, time zone, the dynamic
/// linker and Debian's alternatives (where `/usr/bin/node` may point). Nothing else of
/// `/etc`, which may hold the server's own configuration.
const ETC_ENTRIES: &[&str] = &[
    "alternatives",
    "ca-certificates",
    "ca-certificates.conf",
    "crypto-policies",
    "gai.conf",
    "group",
    "host.conf",
    "hostname",
    "hosts",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "mime.types",
    "nsswitch.conf",
    "os-release",
    "passwd",
    "pki",
    "protocols",
    "resolv.conf",
    "services",
    "ssl",
    "timezone",
];

/// Where a sandboxed program finds its temporary directory.
const SANDBOX_TMP: &str = "/tmp";

/// A working bubblewrap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramSandbox {
    bwrap: PathBuf,
    /// Paths that are never made visible, nor anything holding them: the data directory.
    hidden: Vec<PathBuf>,
    /// The system directories bound whole ([`SYSTEM_DIRS`]); a hidden path inside one of
    /// them (a data directory under `/opt`) is covered by an empty directory.
    system_dirs: Vec<PathBuf>,
}

/// What one program may see beyond the system: read-only and writable paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SandboxView {
    /// Installations: the program's directory, the search path, configured extras.
    pub read_only: Vec<PathBuf>,
    /// Login and state directories the CLI writes (`~/.claude`, …).
    pub writable: Vec<PathBuf>,
}

/// The sandbox every program of the server runs in, and what all of them see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confinement {
    /// The working bubblewrap.
    pub sandbox: ProgramSandbox,
    /// Paths the operator shows to every program (`[sandbox] read_only` and `writable`).
    pub shared: SandboxView,
}

/// Why no sandbox can be had.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SandboxUnavailable {
    /// `bwrap` is not installed.
    #[error("bubblewrap (`bwrap`) is not on the search path; install the `bubblewrap` package")]
    Missing,
    /// It is installed but cannot make namespaces here (a container without the rights).
    #[error("bubblewrap at {path} does not work here: {reason}")]
    Broken { path: String, reason: String },
}

impl ProgramSandbox {
    /// Finds `bwrap` on `search_path` and checks that it can make a sandbox here, with
    /// `hidden` (the data directory) kept out of every sandbox it makes.
    pub async fn detect(
        search_path: &OsStr,
        hidden: Vec<PathBuf>,
    ) -> Result<ProgramSandbox, SandboxUnavailable> {
        let bwrap =
            process::find_on_path("bwrap", search_path).ok_or(SandboxUnavailable::Missing)?;
        let hidden = hidden
            .into_iter()
            .map(|path| std::fs::canonicalize(&path).unwrap_or(path))
            .collect();
        let system_dirs = SYSTEM_DIRS.iter().map(PathBuf::from).collect();
        let sandbox = ProgramSandbox {
            bwrap,
            hidden,
            system_dirs,
        };
        let probe = process::find_on_path("true", search_path)
            .unwrap_or_else(|| PathBuf::from("/bin/true"));
        let run = sandbox.confine(
            ProgramRun {
                executable: probe,
                args: Vec::new(),
                stdin: String::new(),
                workdir: std::env::temp_dir(),
                env: Vec::new(),
                timeout: Duration::from_secs(10),
                output_cap: 4096,
            },
            &SandboxView::default(),
        );
        let broken = |reason: String| SandboxUnavailable::Broken {
            path: sandbox.bwrap.display().to_string(),
            reason,
        };
        match process::run_program(run).await {
            Ok(output) if output.exit_code == Some(0) => Ok(sandbox),
            Ok(output) => Err(broken(
                String::from_utf8_lossy(&output.stderr).trim().to_string(),
            )),
            Err(error) => Err(broken(error.to_string())),
        }
    }

    /// `run` rewritten to start inside a new sandbox: bubblewrap becomes the executable and
    /// the program its argument; the program's working directory is the only part of the
    /// data directory it sees, read-only.
    pub fn confine(&self, mut run: ProgramRun, view: &SandboxView) -> ProgramRun {
        let mut args = Args::default();
        args.push([
            "--unshare-all",
            "--share-net",
            "--die-with-parent",
            "--new-session",
            "--cap-drop",
            "ALL",
        ]);
        // First, so that nothing bound later (a directory under /tmp) is covered by it.
        args.push(["--proc", "/proc", "--dev", "/dev", "--tmpfs", SANDBOX_TMP]);
        for dir in &self.system_dirs {
            match std::fs::read_link(dir) {
                Ok(target) => args.three("--symlink", &target, dir),
                Err(_) => args.three("--ro-bind-try", dir, dir),
            }
        }
        // Later binds (the checkout) may still show parts of a hidden path; nothing else of
        // it is there, even where a system directory holds it.
        for hidden in &self.hidden {
            if self.system_dirs.iter().any(|dir| {
                let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
                hidden.starts_with(dir)
            }) {
                args.two("--tmpfs", hidden);
            }
        }
        for entry in ETC_ENTRIES {
            let path = Path::new("/etc").join(entry);
            args.three("--ro-bind-try", &path, &path);
        }
        let mut program_dirs = vec![];
        if let Some(dir) = run.executable.parent() {
            program_dirs.push(dir.to_path_buf());
        }
        if let Some(dir) = std::fs::canonicalize(&run.executable)
            .ok()
            .and_then(|real| real.parent().map(Path::to_path_buf))
        {
            program_dirs.push(dir);
        }
        for path in program_dirs.iter().chain(&view.read_only) {
            if let Some(real) = self.showable(path) {
                args.three("--ro-bind-try", &real, path);
            }
        }
        for path in &view.writable {
            if let Some(real) = self.showable(path) {
                args.three("--bind-try", &real, path);
            }
        }
        args.three("--ro-bind", &run.workdir, &run.workdir);
        args.two("--chdir", &run.workdir);
        args.push(["--"]);
        args.one(&run.executable);
        args.0.append(&mut run.args);
        for (name, value) in &mut run.env {
            if name == "TMPDIR" {
                *value = SANDBOX_TMP.into();
            }
        }
        run.executable = self.bwrap.clone();
        run.args = args.0;
        run
    }

    /// The real path to bind for `path` when it can be shown without showing a hidden path:
    /// absolute, neither inside a hidden path nor holding one. The checked path itself is
    /// what bubblewrap binds, so a link swapped after the check cannot point it elsewhere.
    fn showable(&self, path: &Path) -> Option<PathBuf> {
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let shown = real.is_absolute()
            && self
                .hidden
                .iter()
                .all(|hidden| !hidden.starts_with(&real) && !real.starts_with(hidden));
        shown.then_some(real)
    }
}

/// bubblewrap's argument list under construction.
#[derive(Default)]
struct Args(Vec<String>);

impl Args {
    fn push<const N: usize>(&mut self, words: [&str; N]) {
        self.0.extend(words.iter().map(|w| w.to_string()));
    }

    fn one(&mut self, path: &Path) {
        self.0.push(path.display().to_string());
    }

    fn two(&mut self, flag: &str, path: &Path) {
        self.0.push(flag.into());
        self.one(path);
    }

    fn three(&mut self, flag: &str, from: &Path, to: &Path) {
        self.two(flag, from);
        self.one(to);
    }
}

/// `~/rest` made absolute with `home`; other paths as they are.
pub fn expand_home(path: &str, home: Option<&str>) -> Option<PathBuf> {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => Some(Path::new(home).join(rest)),
        (Some(_), None) => None,
        (None, _) => Some(PathBuf::from(path)),
    }
}

#[cfg(test)]
#[path = "confinement_tests.rs"]
mod tests;
