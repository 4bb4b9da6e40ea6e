//! Running a program on a plugin's behalf: its own process group, a clean environment, a
//! timeout, capped output, and no process left behind however the call ends.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

/// How long a program gets to exit after SIGTERM before its group gets SIGKILL.
pub const TERMINATE_GRACE: Duration = Duration::from_secs(2);

/// One program to run.
#[derive(Debug, Clone)]
pub struct ProgramRun {
    /// Absolute path of the executable.
    pub executable: PathBuf,
    /// Arguments, passed without a shell.
    pub args: Vec<String>,
    /// Written to standard input, which is then closed.
    pub stdin: String,
    /// The working directory.
    pub workdir: PathBuf,
    /// The complete environment of the program: nothing is inherited.
    pub env: Vec<(String, String)>,
    /// When to stop waiting and terminate the program's process group.
    pub timeout: Duration,
    /// How many bytes of stdout and of stderr are kept; the rest is read and dropped.
    pub output_cap: usize,
}

/// What a finished program produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgramOutput {
    /// The exit code, or `None` when a signal ended the program.
    pub exit_code: Option<i32>,
    /// Standard output, up to the cap.
    pub stdout: Vec<u8>,
    /// Standard error, up to the cap.
    pub stderr: Vec<u8>,
    /// Whether stdout went past the cap.
    pub stdout_truncated: bool,
    /// Whether stderr went past the cap.
    pub stderr_truncated: bool,
}

/// Why a program produced no output.
#[derive(Debug, thiserror::Error)]
pub enum ProgramError {
    /// It ran past its timeout; its process group was terminated.
    #[error("did not finish within {0:?} and was stopped")]
    TimedOut(Duration),
    /// It could not be started.
    #[error("could not be started: {0}")]
    Spawn(std::io::Error),
    /// Waiting for it failed.
    #[error("could not be waited for: {0}")]
    Wait(std::io::Error),
}

/// Runs the program to completion or timeout.
///
/// If the returned future is dropped (the job was aborted), the program's whole process group
/// is terminated, then killed after [`TERMINATE_GRACE`].
pub async fn run_program(run: ProgramRun) -> Result<ProgramOutput, ProgramError> {
    let mut child = Command::new(&run.executable)
        .args(&run.args)
        .current_dir(&run.workdir)
        .env_clear()
        .envs(run.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own group, so that a timeout or an abort reaches every process it started.
        .process_group(0)
        // No kill_on_drop: on abort the ProcessGroup guard gives the whole group SIGTERM and
        // a grace period; killing the leader at once would skip that.
        .spawn()
        .map_err(ProgramError::Spawn)?;
    let group = ProcessGroup::of(&child);

    let stdin = child.stdin.take();
    let input = run.stdin;
    let writer = tokio::spawn(async move {
        if let Some(mut stdin) = stdin {
            // A program that exits without reading its input is not an error here.
            let _ = stdin.write_all(input.as_bytes()).await;
            let _ = stdin.shutdown().await;
        }
    });
    let stdout = Capture::start(child.stdout.take(), run.output_cap);
    let stderr = Capture::start(child.stderr.take(), run.output_cap);

    let status = match tokio::time::timeout(run.timeout, child.wait()).await {
        Ok(status) => status.map_err(ProgramError::Wait)?,
        Err(_) => {
            group.terminate(&mut child).await;
            writer.abort();
            return Err(ProgramError::TimedOut(run.timeout));
        }
    };
    // Whatever the program left running in its group goes with it.
    group.kill_now();
    writer.abort();
    let (stdout, stdout_truncated) = stdout.finish().await;
    let (stderr, stderr_truncated) = stderr.finish().await;
    Ok(ProgramOutput {
        exit_code: status.code(),
        stdout,
        stderr,
        stdout_truncated,
        stderr_truncated,
    })
}

/// How long the output readers may take after the program exited.
const DRAIN_AFTER_EXIT: Duration = Duration::from_secs(2);

/// One output stream being read into a capped buffer.
struct Capture {
    kept: std::sync::Arc<std::sync::Mutex<(Vec<u8>, bool)>>,
    reader: tokio::task::JoinHandle<()>,
}

impl Capture {
    fn start(stream: Option<impl AsyncRead + Unpin + Send + 'static>, cap: usize) -> Capture {
        let kept = std::sync::Arc::new(std::sync::Mutex::new((Vec::new(), false)));
        let sink = kept.clone();
        let reader = tokio::spawn(async move {
            let Some(mut stream) = stream else { return };
            let mut buffer = [0u8; 8192];
            while let Ok(n @ 1..) = stream.read(&mut buffer).await {
                let Ok(mut kept) = sink.lock() else { return };
                let room = cap.saturating_sub(kept.0.len());
                kept.0.extend_from_slice(&buffer[..n.min(room)]);
                kept.1 |= n > room;
            }
        });
        Capture { kept, reader }
    }

    /// What was read, and whether it was cut at the cap. A process that left the group
    /// (setsid) may hold the pipe open after the program exited: it is not waited for
    /// beyond a moment.
    async fn finish(self) -> (Vec<u8>, bool) {
        let abort = self.reader.abort_handle();
        if tokio::time::timeout(DRAIN_AFTER_EXIT, self.reader)
            .await
            .is_err()
        {
            abort.abort();
            tracing::warn!("a program's output pipe stayed open after it exited; stopped reading");
        }
        let Ok(mut kept) = self.kept.lock() else {
            return (Vec::new(), true);
        };
        (std::mem::take(&mut kept.0), kept.1)
    }
}

/// The process group a spawned program leads. Dropping it while armed terminates the group.
struct ProcessGroup {
    pgid: Option<Pid>,
}

impl ProcessGroup {
    fn of(child: &Child) -> ProcessGroup {
        let pgid = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .map(Pid::from_raw);
        ProcessGroup { pgid }
    }

    /// SIGTERM to the group, up to [`TERMINATE_GRACE`] for the leader to exit, then SIGKILL.
    async fn terminate(mut self, child: &mut Child) {
        if let Some(pgid) = self.pgid {
            let _ = killpg(pgid, Signal::SIGTERM);
            let _ = tokio::time::timeout(TERMINATE_GRACE, child.wait()).await;
            let _ = killpg(pgid, Signal::SIGKILL);
            let _ = child.wait().await;
        }
        self.pgid = None;
    }

    fn kill_now(mut self) {
        if let Some(pgid) = self.pgid.take() {
            let _ = killpg(pgid, Signal::SIGKILL);
        }
    }
}

impl Drop for ProcessGroup {
    fn drop(&mut self) {
        // Reached only when the run was abandoned midway (the job was aborted).
        if let Some(pgid) = self.pgid.take() {
            let _ = killpg(pgid, Signal::SIGTERM);
            std::thread::spawn(move || {
                std::thread::sleep(TERMINATE_GRACE);
                let _ = killpg(pgid, Signal::SIGKILL);
            });
        }
    }
}

/// Finds `program` in the directories of `search_path` (a `PATH`-style list).
pub fn find_on_path(program: &str, search_path: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(search_path)
        .filter(|dir| dir.is_absolute())
        .map(|dir| dir.join(program))
        .find(|candidate| is_executable(candidate))
}

/// Whether `path` is a regular file (or a link to one) with an execute bit set.
pub fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration) -> ProgramRun {
        ProgramRun {
            executable: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            stdin: "from stdin".into(),
            workdir: std::env::temp_dir(),
            env: vec![("ONLY".into(), "this".into())],
            timeout,
            output_cap: 16,
        }
    }

    #[tokio::test]
    async fn passes_stdin_env_and_exit_code() {
        let mut run = sh("cat; echo \" $ONLY $HOME\"; exit 3", Duration::from_secs(5));
        run.output_cap = 1024;
        let output = run_program(run).await.expect("runs");
        assert_eq!(output.exit_code, Some(3));
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "from stdin this \n"
        );
    }

    #[tokio::test]
    async fn caps_output_and_says_so() {
        let output = run_program(sh(
            "yes | head -c 100000; echo err >&2",
            Duration::from_secs(5),
        ))
        .await
        .expect("runs");
        assert_eq!(output.stdout.len(), 16);
        assert!(output.stdout_truncated);
        assert_eq!(output.stderr, b"err\n");
        assert!(!output.stderr_truncated);
    }

    #[tokio::test]
    async fn timeout_kills_the_whole_group() {
        let marker = tempfile::NamedTempFile::new().expect("temp file");
        let pid_file = marker.path().display().to_string();
        // The grandchild ignores SIGTERM, so only the SIGKILL to the group can stop it.
        let script = format!("sh -c 'trap \"\" TERM; echo $$ > {pid_file}; sleep 30' & sleep 30");
        let error = run_program(sh(&script, Duration::from_millis(300)))
            .await
            .expect_err("times out");
        assert!(matches!(error, ProgramError::TimedOut(_)), "{error}");
        let pid: i32 = std::fs::read_to_string(marker.path())
            .expect("pid written")
            .trim()
            .parse()
            .expect("a pid");
        // SIGKILL is delivered asynchronously; give the kernel a moment to finish it.
        let gone = (0..100).any(|_| {
            std::thread::sleep(Duration::from_millis(20));
            !process_alive(pid)
        });
        assert!(gone, "grandchild {pid} survived the timeout");
    }

    fn process_alive(pid: i32) -> bool {
        // A zombie still has a /proc entry; only a running or sleeping process counts.
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|stat| !stat.contains(") Z "))
            .unwrap_or(false)
    }

    #[tokio::test]
    async fn a_detached_process_holding_the_output_does_not_hang_the_run() {
        let mut run = sh("setsid sleep 30 & echo done", Duration::from_secs(20));
        run.output_cap = 1024;
        let output = run_program(run).await.expect("runs");
        assert_eq!(output.exit_code, Some(0));
        assert_eq!(output.stdout, b"done\n");
    }

    #[test]
    fn finds_executables_only() {
        let dir = tempfile::tempdir().expect("temp dir");
        let tool = dir.path().join("tool");
        std::fs::write(&tool, "#!/bin/sh\n").expect("write");
        let path = dir.path().as_os_str().to_owned();
        assert_eq!(find_on_path("tool", &path), None, "not executable yet");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tool, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        assert_eq!(find_on_path("tool", &path), Some(tool));
        assert_eq!(find_on_path("missing", &path), None);
    }
}
