//! `docsfy generate --watch` against the real server: to ready and to error with the
//! server's message, and Ctrl-C, which stops watching but not the generation unless asked.

use std::process::Stdio;

use crate::generation::{PAGES, start};
use crate::support::api::ADMIN_KEY;
use crate::support::client::{Client, Ran, ran};
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::server::RunningServer;

#[tokio::test]
async fn generate_watch_follows_to_ready_and_the_listings_read_back() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let client = Client::new();
    client.init(&server, ADMIN_KEY);
    let repo = SampleRepo::new();

    let watched = client.generate_watching(&repo, &[]);
    assert_eq!(watched.code, 0, "{}{}", watched.stdout, watched.stderr);
    assert!(
        watched.stdout.starts_with(&format!(
            "Project: {}\nBranch: main\nStatus: generating\n",
            repo.project()
        )),
        "{}",
        watched.stdout
    );
    assert!(
        watched.stdout.ends_with("Generation complete! (3 pages)\n"),
        "{}",
        watched.stdout
    );
    // Not a terminal: one line per change, in the order the stages came.
    let stages: Vec<&str> = watched
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("[generating] "))
        .map(|l| l.split(' ').next().unwrap_or_default())
        .collect();
    let mut seen: Vec<&str> = stages.clone();
    seen.dedup();
    for stage in ["planning", "generating_pages", "rendering"] {
        assert!(
            seen.contains(&stage),
            "{stage} missing in {:?}\n{}",
            seen,
            watched.stderr
        );
    }
    let order = |s: &str| seen.iter().position(|x| *x == s);
    assert!(
        order("planning") < order("generating_pages")
            && order("generating_pages") < order("rendering")
    );

    let listed = client.run(&["list", "--json"]).json();
    assert_eq!(listed[0]["name"], repo.project());
    assert_eq!(listed[0]["status"], "ready");
    let table = client.run(&["list"]);
    let mut lines = table.stdout.lines();
    let heading = lines.next().unwrap_or_default();
    assert!(
        heading.starts_with("NAME") && heading.contains("PROVIDER  MODEL  STATUS"),
        "{}",
        table.stdout
    );
    assert!(lines.next().unwrap_or_default().starts_with("----"));
    assert!(
        client
            .run(&["list", "--status", "error"])
            .stdout
            .contains("No projects found.")
    );
    let status = client.run(&["status", &repo.project(), "--json"]).json();
    assert_eq!(status["variants"][0]["ai_model"], "opus");
    let text = client.run(&["status", &repo.project()]).stdout;
    assert!(
        text.contains("Status:  ready") && text.contains("Pages:   3"),
        "{text}"
    );

    let out = client.home.path().join("site");
    let downloaded = client.run(&[
        "download",
        &repo.project(),
        "-b",
        "main",
        "-p",
        "claude",
        "-m",
        "opus",
        "-o",
        out.to_str().expect("utf-8"),
        "--flatten",
    ]);
    assert_eq!(downloaded.code, 0, "{}", downloaded.stderr);
    assert!(out.join("index.html").is_file(), "{}", downloaded.stdout);
    let tarball = client.run(&["download", &repo.project()]);
    assert_eq!(tarball.code, 0, "{}", tarball.stderr);
    assert!(
        client
            .home
            .path()
            .join(format!("{}-docs.tar.gz", repo.project()))
            .is_file()
    );

    let declined = client.answer(&["delete", &repo.project(), "--all"], "n\n");
    assert_eq!(declined.code, 0);
    assert!(declined.stdout.starts_with(&format!(
        "Delete ALL variants of '{}'? [y/N]: ",
        repo.project()
    )));
    let no_answer = client.run(&["delete", &repo.project(), "--all"]);
    assert_eq!(no_answer.code, 1, "end of input at a prompt");
    assert!(
        declined.stdout.ends_with("Aborted.\n"),
        "{}",
        declined.stdout
    );
    let deleted = client.run(&[
        "delete",
        &repo.project(),
        "-b",
        "main",
        "-p",
        "claude",
        "-m",
        "opus",
        "--owner",
        "admin",
        "-y",
    ]);
    assert_eq!(deleted.code, 0, "{}", deleted.stderr);
    assert_eq!(
        deleted.stdout,
        format!("Deleted variant '{}/main/claude/opus'.\n", repo.project())
    );
    assert_eq!(
        client.run(&["list", "--json"]).json(),
        serde_json::json!([])
    );
}

#[tokio::test]
async fn generate_watch_ends_non_zero_with_the_server_s_message() {
    let fake = FakeClaude::new(PAGES);
    fake.answer(
        "plan",
        &crate::support::fake_ai::claude_result("not a plan"),
    );
    let server = start(&fake);
    let client = Client::new();
    client.init(&server, ADMIN_KEY);
    let repo = SampleRepo::new();
    let failed = client.generate_watching(&repo, &[]);
    assert_eq!(failed.code, 1, "{}{}", failed.stdout, failed.stderr);
    let last = failed.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("Generation failed: The AI returned an unusable documentation plan twice"),
        "{}",
        failed.stderr
    );
}

/// Starts `generate --watch` on a slow fake, waits until its CLI call is held, sends Ctrl-C.
async fn interrupted_watch(extra: &[&str]) -> (Ran, RunningServer, Client, SampleRepo) {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let client = Client::new();
    client.init(&server, ADMIN_KEY);
    let repo = SampleRepo::new();
    fake.slow(true);
    // Spawned, not run: the test signals it while it watches.
    let mut child = client
        .watch_command(&repo, extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("watch");
    // Once it says it is watching, Ctrl-C is the watcher's to handle.
    let stderr = child.stderr.take().expect("stderr");
    let (said, heard) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        let mut lines = Vec::new();
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line == "Watching generation progress..." {
                let _ = said.send(None);
            }
            lines.push(line);
        }
        let _ = said.send(Some(lines.join("\n")));
    });
    assert_eq!(
        heard.recv().expect("the watcher speaks"),
        None,
        "it started watching"
    );
    fake.wait_for_slow_call().await;
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).expect("Ctrl-C");
    let mut ran = ran(child.wait_with_output().expect("ended"));
    ran.stderr = heard.recv().expect("its words").unwrap_or_default();
    fake.slow(false);
    (ran, server, client, repo)
}

#[tokio::test]
async fn ctrl_c_stops_watching_and_the_generation_goes_on() {
    let (ran, _server, client, repo) = interrupted_watch(&[]).await;
    assert_eq!(ran.code, 130, "{}", ran.stderr);
    assert!(
        ran.stderr
            .contains("Stopped watching. The generation goes on"),
        "{}",
        ran.stderr
    );
    let status = client.run(&["status", &repo.project(), "--json"]).json();
    assert_eq!(status["variants"][0]["status"], "generating");
    let aborted = client.run(&["abort", &repo.project()]);
    assert_eq!(aborted.code, 0, "{}", aborted.stderr);
    assert_eq!(
        aborted.stdout,
        format!("Aborted generation for '{}'.\n", repo.project())
    );
    let status = client.run(&["status", &repo.project(), "--json"]).json();
    assert_eq!(status["variants"][0]["status"], "aborted");
}

#[tokio::test]
async fn ctrl_c_with_abort_on_interrupt_aborts_the_generation() {
    let (ran, _server, client, repo) = interrupted_watch(&["--abort-on-interrupt"]).await;
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("was aborted"), "{}", ran.stderr);
    let status = client.run(&["status", &repo.project(), "--json"]).json();
    assert_eq!(status["variants"][0]["status"], "aborted");
}
