//! The real `docsfy` binary on an ephemeral port with its own data directory.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The path of the `docsfy` binary built for these tests.
pub fn docsfy_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_docsfy"))
}

/// A `docsfy` command with a clean environment: no docsfy variables leak in from the
/// developer's shell, and the data directory is the given one.
pub fn docsfy_command(data_dir: &Path) -> Command {
    let mut command = Command::new(docsfy_binary());
    command.env_clear();
    for key in ["PATH", "HOME", "TMPDIR", "LANG"] {
        if let Some(value) = std::env::var_os(key) {
            command.env(key, value);
        }
    }
    command
        .env("DATA_DIR", data_dir)
        .env(
            "DOCSFY_PLUGINS__CACHE_DIR",
            crate::support::shared_cache_dir(),
        )
        .env("LOG_LEVEL", "error");
    command
}

/// A running server, stopped when dropped.
pub struct RunningServer {
    child: Child,
    config: String,
    env: Vec<(String, String)>,
    stdout: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Everything the server owns on disk.
    pub data_dir: tempfile::TempDir,
}

impl RunningServer {
    /// Starts `docsfy serve` with `config` as its config file and `env` on top.
    pub fn start(config: &str, env: &[(&str, &str)]) -> RunningServer {
        let data_dir = tempfile::tempdir().expect("data dir");
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        RunningServer::start_in(data_dir, config, env)
    }

    /// Kills the server without letting it finish anything (as a crash would) and starts a
    /// new one on the same data directory.
    pub fn crash_and_restart(mut self) -> RunningServer {
        let _ = self.child.kill();
        self.start_again()
    }

    /// Starts a new server on the same data directory once this one has exited (after
    /// [`RunningServer::terminate`]).
    pub fn start_again(mut self) -> RunningServer {
        let _ = self.child.wait();
        let data_dir = std::mem::replace(
            &mut self.data_dir,
            tempfile::tempdir().expect("placeholder"),
        );
        RunningServer::start_in(data_dir, &self.config.clone(), self.env.clone())
    }

    /// Like [`RunningServer::start_again`], with `config` as the new server's config file.
    pub fn start_again_with(mut self, config: &str) -> RunningServer {
        self.config = config.to_string();
        self.start_again()
    }

    fn start_in(
        data_dir: tempfile::TempDir,
        config: &str,
        env: Vec<(String, String)>,
    ) -> RunningServer {
        let config_path = data_dir.path().join("docsfy.toml");
        std::fs::write(&config_path, config).expect("write config");
        let mut command = docsfy_command(data_dir.path());
        command
            .arg("serve")
            .arg("--config")
            .arg(&config_path)
            .env("PORT", "0")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().expect("start docsfy serve");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, receiver) = mpsc::channel();
        let lines = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("docsfy listening on ") {
                    let _ = sender.send(url.to_string());
                }
                if let Ok(mut seen) = seen.lock() {
                    seen.push(line);
                }
            }
        });
        let base = match receiver.recv_timeout(Duration::from_secs(120)) {
            Ok(base) => base,
            Err(_) => {
                let _ = child.kill();
                panic!("docsfy serve did not start: {:?}", child.wait());
            }
        };
        RunningServer {
            child,
            config: config.to_string(),
            env,
            stdout: lines,
            base,
            data_dir,
        }
    }

    /// Asks the server to stop (SIGTERM, as systemd or `docker stop` would) and waits for it
    /// to exit; returns its exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM");
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the server did not stop within 30 s of SIGTERM");
    }

    /// What the server printed on stdout so far.
    pub fn stdout_lines(&self) -> Vec<String> {
        self.stdout.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
