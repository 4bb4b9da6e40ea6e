use super::*;
use crate::plugins::process::{ProgramError, run_program};

/// The sandbox of this machine; the test command installs bubblewrap, so a missing one is a
/// failure, not a skip.
async fn sandbox(hidden: &Path) -> ProgramSandbox {
    let path = std::env::var_os("PATH").unwrap_or_default();
    ProgramSandbox::detect(&path, vec![hidden.to_path_buf()])
        .await
        .expect("bubblewrap works here (the test command installs it)")
}

fn shell(script: &str, workdir: &Path) -> ProgramRun {
    ProgramRun {
        executable: "/bin/sh".into(),
        args: vec!["-c".into(), script.into()],
        stdin: String::new(),
        workdir: workdir.to_path_buf(),
        env: vec![
            ("PATH".into(), "/usr/bin:/bin".into()),
            ("TMPDIR".into(), "/somewhere/else".into()),
        ],
        timeout: Duration::from_secs(20),
        output_cap: 64 * 1024,
    }
}

#[tokio::test]
async fn a_confined_program_sees_its_checkout_read_only_and_nothing_of_the_data_directory() {
    let data = tempfile::tempdir().expect("data dir");
    std::fs::write(data.path().join("server-secret"), "s3cret").expect("secret");
    let checkout = data.path().join("work/job/checkout");
    std::fs::create_dir_all(&checkout).expect("checkout");
    std::fs::write(checkout.join("README.md"), "# Readme").expect("readme");
    let outside = tempfile::tempdir().expect("a directory nobody granted");
    std::fs::write(outside.path().join("private"), "private").expect("file");
    let login = tempfile::tempdir().expect("login directory");
    let sandbox = sandbox(data.path()).await;
    let script = format!(
        "cat README.md; echo; \
         cat {secret} 2>/dev/null || echo no-secret; \
         cat {private} 2>/dev/null || echo no-private; \
         touch written 2>/dev/null && echo wrote-checkout || echo checkout-read-only; \
         echo token > {login}/state && echo wrote-login; \
         echo tmp=$TMPDIR; ls /proc | grep -c '^[0-9]'",
        secret = data.path().join("server-secret").display(),
        private = outside.path().join("private").display(),
        login = login.path().display(),
    );
    let view = SandboxView {
        read_only: vec![],
        writable: vec![login.path().to_path_buf()],
    };
    let output = run_program(sandbox.confine(shell(&script, &checkout), &view))
        .await
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        &lines[..6],
        [
            "# Readme",
            "no-secret",
            "no-private",
            "checkout-read-only",
            "wrote-login",
            "tmp=/tmp"
        ],
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let processes: usize = lines[6].parse().expect("a count");
    assert!(processes <= 4, "the sandbox sees {processes} processes");
    assert_eq!(
        std::fs::read_to_string(login.path().join("state")).expect("written"),
        "token\n"
    );
    assert!(!checkout.join("written").exists());
}

#[tokio::test]
async fn paths_that_hold_or_lie_in_the_data_directory_are_never_shown() {
    let root = tempfile::tempdir().expect("root");
    let data = root.path().join("data");
    std::fs::create_dir_all(data.join("sites")).expect("data");
    std::fs::write(data.join("sites/page.html"), "page").expect("page");
    let checkout = tempfile::tempdir().expect("checkout");
    let sandbox = sandbox(&data).await;
    let view = SandboxView {
        read_only: vec![root.path().to_path_buf(), data.join("sites")],
        writable: vec![data.clone()],
    };
    let script = format!(
        "ls {} 2>/dev/null || echo hidden",
        data.join("sites").display()
    );
    let output = run_program(sandbox.confine(shell(&script, checkout.path()), &view))
        .await
        .expect("runs");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "hidden\n");
}

#[tokio::test]
async fn a_data_directory_inside_a_system_directory_stays_hidden_but_its_checkout_shows() {
    // As a data directory under /opt would be: the system directory is bound whole.
    let system = tempfile::tempdir().expect("a system directory");
    let data = system.path().join("docsfy");
    let checkout = data.join("work/job/checkout");
    std::fs::create_dir_all(&checkout).expect("checkout");
    std::fs::write(data.join("server-secret"), "s3cret").expect("secret");
    std::fs::write(checkout.join("README.md"), "# Readme").expect("readme");
    std::fs::write(system.path().join("tool"), "a tool").expect("tool");
    let mut sandbox = sandbox(&data).await;
    sandbox.system_dirs.push(system.path().to_path_buf());
    let script = format!(
        "cat {tool}; echo; cat README.md; echo; cat {secret} 2>/dev/null || echo no-secret",
        tool = system.path().join("tool").display(),
        secret = data.join("server-secret").display(),
    );
    let output = run_program(sandbox.confine(shell(&script, &checkout), &SandboxView::default()))
        .await
        .expect("runs");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "a tool\n# Readme\nno-secret\n",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn a_timeout_stops_everything_inside_the_sandbox() {
    let checkout = tempfile::tempdir().expect("checkout");
    let sandbox = sandbox(Path::new("/nonexistent-data-dir")).await;
    // A seconds value no other process uses, to find the sleeper in /proc afterwards.
    let marker = format!("37.{}", std::process::id());
    let mut run = shell(
        &format!("trap '' TERM; sleep {marker} & sleep {marker}"),
        checkout.path(),
    );
    run.timeout = Duration::from_millis(500);
    let error = run_program(sandbox.confine(run, &SandboxView::default()))
        .await
        .expect_err("times out");
    assert!(matches!(error, ProgramError::TimedOut(_)), "{error}");
    let survivors = || {
        std::fs::read_dir("/proc")
            .expect("/proc")
            .filter_map(Result::ok)
            .filter(|entry| {
                std::fs::read(entry.path().join("cmdline"))
                    .is_ok_and(|line| String::from_utf8_lossy(&line).contains(&marker))
            })
            .count()
    };
    let gone = (0..100).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        survivors() == 0
    });
    assert!(gone, "{} sleepers survived the timeout", survivors());
}

#[test]
fn home_is_expanded_only_where_asked() {
    assert_eq!(
        expand_home("~/.claude", Some("/home/u")),
        Some(PathBuf::from("/home/u/.claude"))
    );
    assert_eq!(expand_home("~/.claude", None), None);
    assert_eq!(
        expand_home("/opt/cli", None),
        Some(PathBuf::from("/opt/cli"))
    );
}

#[tokio::test]
async fn a_missing_bwrap_is_named() {
    let empty = tempfile::tempdir().expect("empty search path");
    let error = ProgramSandbox::detect(empty.path().as_os_str(), vec![])
        .await
        .expect_err("no bwrap there");
    assert_eq!(error, SandboxUnavailable::Missing);
    assert!(error.to_string().contains("bubblewrap"), "{error}");
}
