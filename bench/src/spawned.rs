//! The real server binary, started as an operator would (`docsfy serve` with environment
//! variables), so its memory is its own and not the benchmark's.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// `target/release/docsfy`, built first if needed (the benchmark runs from the same target
/// directory).
pub fn docsfy_binary() -> anyhow::Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let built = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "docsfy-host",
            "--bin",
            "docsfy",
        ])
        .status()?;
    anyhow::ensure!(built.success(), "building the docsfy binary failed");
    let binary = std::env::current_exe()?
        .parent()
        .map(|dir| dir.join("docsfy"))
        .ok_or_else(|| anyhow::anyhow!("no directory for the benchmark binary"))?;
    anyhow::ensure!(binary.is_file(), "{} is missing", binary.display());
    Ok(binary)
}

/// A running `docsfy serve`, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
}

impl Server {
    /// Starts `binary serve` on a free port with `data` as its data directory and `env`.
    pub fn start(binary: &Path, data: &Path, env: &[(&str, &str)]) -> anyhow::Result<Server> {
        let mut child = Command::new(binary)
            .arg("serve")
            .env_clear()
            .env("HOME", data)
            .env("DATA_DIR", data)
            .env("HOST", "127.0.0.1")
            .env("PORT", "0")
            .env("LOG_LEVEL", "error")
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().expect("piped");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("docsfy listening on ") {
                    let _ = sender.send(url.to_string());
                }
            }
        });
        match receiver.recv_timeout(Duration::from_secs(300)) {
            Ok(base) => Ok(Server { child, base }),
            Err(_) => {
                let _ = child.kill();
                anyhow::bail!("docsfy serve did not start: {:?}", child.wait())
            }
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
