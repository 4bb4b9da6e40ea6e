//! The newcomer's path: the binary started in an empty directory with nothing configured (no
//! DATA_DIR, no config file, no variables but PATH and HOME), its output sent to a file as
//! `docsfy serve > server.log 2>&1` would.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::server::docsfy_binary;

/// `docsfy ARGS` run in `dir` with only PATH and a HOME of its own.
fn bare_command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(docsfy_binary());
    command.current_dir(dir).env_clear().args(args);
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    command.env("HOME", dir.join("home"));
    command
}

/// `docsfy serve` on a free port, stdout and stderr into `log`.
fn serve(dir: &Path, log: &Path) -> Child {
    let file = std::fs::File::create(log).expect("create the log file");
    bare_command(dir, &["serve", "--port", "0"])
        .stdout(file.try_clone().expect("clone log handle"))
        .stderr(file)
        .stdin(Stdio::null())
        .spawn()
        .expect("start docsfy serve")
}

/// Waits for the listening line in `log` and returns the base URL.
fn listening_on(log: &Path, child: &mut Child) -> String {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(180) {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        if let Some(url) = text
            .lines()
            .find_map(|line| line.strip_prefix("docsfy listening on "))
        {
            return url.trim().to_string();
        }
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("docsfy serve exited with {status}:\n{text}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("docsfy serve did not start");
}

fn stop(mut child: Child) {
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("SIGTERM");
    let status = child.wait().expect("wait");
    assert!(status.success(), "a stopped server exits 0: {status}");
}

fn health(base: &str) -> u16 {
    let url = format!("{base}/health");
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async { reqwest::get(url).await.expect("GET /health").status() })
        .as_u16()
}

fn plugin_cache_line(log: &str) -> &str {
    log.lines()
        .find(|line| line.contains("loaded from the compiled cache"))
        .unwrap_or_else(|| panic!("no plugin cache line in:\n{log}"))
}

#[test]
fn a_fresh_directory_serves_with_nothing_configured_and_again_after_a_restart() {
    let dir = tempfile::tempdir().expect("working directory");
    let dir: PathBuf = dir.path().canonicalize().expect("real path");
    let data = dir.join("data");
    let first_log = dir.join("first.log");

    let mut child = serve(&dir, &first_log);
    let base = listening_on(&first_log, &mut child);
    assert_eq!(health(&base), 200);
    let log = std::fs::read_to_string(&first_log).expect("log");
    let key = std::fs::read_to_string(data.join("admin-key")).expect("admin key in ./data");
    let key = key.trim();
    assert_eq!(
        log.matches(key).count(),
        1,
        "the generated key is printed exactly once:\n{log}"
    );
    assert!(log.contains("Log in as `admin` with this key"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "escape sequences in a log file:\n{log}"
    );
    // The plugins were compiled by a child process (its memory went with it): the server
    // loaded every one from the compiled cache.
    let cached = plugin_cache_line(&log);
    assert!(
        cached.contains("0 compiled now") && !cached.contains(" 0 loaded from"),
        "{log}"
    );
    assert!(data.join("docsfy.db").is_file());
    let markers = std::fs::read_dir(data.join("plugin-cache"))
        .expect("the plugin cache")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("compiled-"))
        .count();
    assert_eq!(markers, 1, "the cache says which plugins it holds");

    let plugins = bare_command(&dir, &["plugins"]).output().expect("plugins");
    let listing = String::from_utf8_lossy(&plugins.stdout);
    assert!(
        plugins.status.success(),
        "{listing}{}",
        String::from_utf8_lossy(&plugins.stderr)
    );
    assert!(
        listing.contains("claude 0.1.0 (provider, WIT 0.2.0, bundled)"),
        "{listing}"
    );
    assert!(listing.contains("site 0.1.0 (renderer"), "{listing}");
    let config = bare_command(&dir, &["server", "config"])
        .output()
        .expect("config");
    let shown = String::from_utf8_lossy(&config.stdout);
    assert!(config.status.success(), "{shown}");
    assert!(
        shown.contains(&format!("data_dir = {:?}", data.display().to_string())),
        "the data directory is shown as the absolute path it is:\n{shown}"
    );
    stop(child);

    let second_log = dir.join("second.log");
    let mut child = serve(&dir, &second_log);
    let base = listening_on(&second_log, &mut child);
    assert_eq!(health(&base), 200);
    let log = std::fs::read_to_string(&second_log).expect("log");
    assert!(!log.contains(key), "the key is not printed again:\n{log}");
    let cached = plugin_cache_line(&log);
    assert!(
        cached.contains("0 compiled now") && !cached.contains(" 0 loaded from"),
        "{cached}"
    );
    stop(child);
}

/// docsfy's `LOG_LEVEL=WARNING` means warnings and errors, not a target named "WARNING".
#[test]
fn docsfy_log_level_names_filter_the_log() {
    let dir = tempfile::tempdir().expect("working directory");
    let log = dir.path().join("server.log");
    let file = std::fs::File::create(&log).expect("log");
    let mut child = bare_command(dir.path(), &["serve", "--port", "0"])
        .env("LOG_LEVEL", "WARNING")
        .env("AI_PROVIDER", "nonexistent")
        .env(
            "DOCSFY_PLUGINS__CACHE_DIR",
            crate::support::shared_cache_dir(),
        )
        .stdout(file.try_clone().expect("clone"))
        .stderr(file)
        .spawn()
        .expect("start");
    listening_on(&log, &mut child);
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(
        text.contains("the default provider `nonexistent` is not loaded"),
        "the warning is logged:\n{text}"
    );
    assert!(
        !text.contains("loaded from the compiled cache"),
        "info lines are not:\n{text}"
    );
    stop(child);

    let refused = bare_command(dir.path(), &["serve", "--port", "0"])
        .env("LOG_LEVEL", "LOUD")
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("LOG_LEVEL `LOUD` is not a level"),
        "{stderr}"
    );
}
