//! The real `docsfy` binary run as a client, with only PATH and a HOME of its own (for the
//! profile file, `~/.config/docsfy/config.toml`).

use std::process::{Command, Output, Stdio};

use serde_json::Value;

use super::server::{RunningServer, docsfy_binary};

/// A client with only PATH and its own HOME.
pub struct Client {
    pub home: tempfile::TempDir,
}

/// What one run printed and how it ended.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Ran {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout))
    }
}

impl Client {
    pub fn new() -> Client {
        Client {
            home: tempfile::tempdir().expect("home"),
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(docsfy_binary());
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .current_dir(self.home.path())
            .args(args)
            .stdin(Stdio::null());
        command
    }

    pub fn run(&self, args: &[&str]) -> Ran {
        ran(self.command(args).output().expect("run docsfy"))
    }

    /// `generate --repo-path REPO --provider claude -w`, plus `extra`: a generation watched
    /// to its end.
    pub fn generate_watching(&self, repo: &super::fake_ai::SampleRepo, extra: &[&str]) -> Ran {
        ran(self
            .watch_command(repo, extra)
            .output()
            .expect("run docsfy"))
    }

    /// The command [`Client::generate_watching`] runs, for a test that drives it itself.
    pub fn watch_command(&self, repo: &super::fake_ai::SampleRepo, extra: &[&str]) -> Command {
        let path = repo.path().display().to_string();
        let mut args = vec![
            "generate",
            "--repo-path",
            &path,
            "--provider",
            "claude",
            "-w",
        ];
        args.extend_from_slice(extra);
        self.command(&args)
    }

    /// Runs with `input` on stdin (answers to prompts).
    pub fn answer(&self, args: &[&str], input: &str) -> Ran {
        use std::io::Write as _;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run docsfy");
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(input.as_bytes()).expect("answer");
        }
        ran(child.wait_with_output().expect("output"))
    }

    pub fn profile_file(&self) -> std::path::PathBuf {
        self.home.path().join(".config/docsfy/config.toml")
    }

    /// A profile `local` for `server` with `key`, made the default, through `config init`.
    pub fn init(&self, server: &RunningServer, key: &str) {
        let done = self.run(&[
            "config",
            "init",
            "--name",
            "local",
            "--url",
            &server.base,
            "--username",
            "admin",
            "--password",
            key,
        ]);
        assert_eq!(done.code, 0, "{}", done.stderr);
    }
}

pub fn ran(output: Output) -> Ran {
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}
