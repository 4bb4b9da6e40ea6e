//! Clones of remotes, against a real git server on loopback: internal hosts only when the
//! operator allows them, redirects checked hop by hop, and limits on size and time that name
//! themselves when they stop a clone. A non-admin user generates end to end from such a host.

use serde_json::{Value, json};

use crate::generation::{PAGES, finished_at};
use crate::support::api::{ADMIN_KEY, As, create_user, get, post};
use crate::support::fake_ai::{FakeClaude, SampleRepo};
use crate::support::git_http::GitHttpServer;
use crate::support::server::RunningServer;

fn server(fake: &FakeClaude, git: &str) -> RunningServer {
    crate::generation::start_with(fake, &format!("[git]\n{git}\n"))
}

/// `alice` (a user) asks for a generation of `url`; the answer.
async fn alice_generates(
    server: &RunningServer,
    url: &str,
) -> (String, crate::support::api::Answer) {
    let key = create_user(server, "alice", "user").await;
    let answer = post(
        server,
        "/api/generate",
        As::Bearer(&key),
        json!({"repo_url": url, "ai_provider": "claude"}),
    )
    .await;
    (key, answer)
}

/// Waits for alice's variant of `repo` to finish.
async fn alices_variant(server: &RunningServer, repo: &SampleRepo) -> Value {
    let path = format!(
        "/api/projects/{}/main/claude/opus?owner=alice",
        repo.project()
    );
    finished_at(server, &path).await
}

#[tokio::test]
async fn a_user_generates_from_an_allowed_internal_git_host_end_to_end() {
    let fake = FakeClaude::new(PAGES);
    let repo = SampleRepo::new();
    let git = GitHttpServer::serving(&repo);
    let server = server(&fake, &format!("allow_hosts = [\"{}\"]", git.authority));

    let (key, accepted) = alice_generates(&server, &git.url(&repo)).await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let variant = alices_variant(&server, &repo).await;
    assert_eq!(variant["status"], "ready", "{variant}");
    assert_eq!(variant["owner"], "alice");
    assert_eq!(variant["repo_url"], git.url(&repo));
    assert_eq!(variant["last_commit_sha"], repo.head());
    assert!(git.requests() >= 2, "the clone went to the git server");
    let page = get(
        &server,
        &format!("/docs/{}/main/claude/opus/index.html", repo.project()),
        As::Bearer(&key),
    )
    .await;
    assert_eq!(page.status, 200, "alice reads her docs");
}

#[tokio::test]
async fn an_internal_git_host_not_allowed_is_refused_before_anything_is_written() {
    let fake = FakeClaude::new(PAGES);
    let repo = SampleRepo::new();
    let git = GitHttpServer::serving(&repo);
    let other_port = "127.0.0.1:1";
    let server = server(&fake, &format!("allow_hosts = [\"{other_port}\"]"));
    let (key, refused) = alice_generates(&server, &git.url(&repo)).await;
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert_eq!(
        refused.detail(),
        "Repository host '127.0.0.1' resolves to 127.0.0.1, which is not a public address"
    );
    let listing = get(&server, "/api/status", As::Bearer(&key)).await.json();
    assert_eq!(listing["projects"], json!([]));
    assert_eq!(git.requests(), 0);
}

#[tokio::test]
async fn a_redirect_to_a_host_that_is_not_allowed_is_not_followed() {
    let fake = FakeClaude::new(PAGES);
    let repo = SampleRepo::new();
    let hidden = GitHttpServer::serving(&repo);
    let front = GitHttpServer::redirecting_to(&hidden);
    let server = server(&fake, &format!("allow_hosts = [\"{}\"]", front.authority));

    let (_, accepted) = alice_generates(&server, &front.url(&repo)).await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let variant = alices_variant(&server, &repo).await;
    assert_eq!(variant["status"], "error", "{variant}");
    let expected = format!(
        "Cloning failed: the git server redirected the clone to {}/info/refs?service=\
         git-upload-pack; redirects of http:// remotes are not followed (use the repository's \
         final URL)",
        hidden.url(&repo)
    );
    assert_eq!(variant["error_message"], expected);
    assert!(front.requests() >= 1, "the allowed host was asked");
    assert_eq!(
        hidden.requests(),
        0,
        "the redirect reached the internal host"
    );
}

#[tokio::test]
async fn a_clone_past_the_size_limit_stops_and_says_which_limit() {
    let fake = FakeClaude::new(PAGES);
    let repo = SampleRepo::new();
    // Random hex does not compress below half: 4 MB of it is over 1 MiB on the wire.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let noise: String = (0..4_000_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from_digit((state % 16) as u32, 16).unwrap_or('0')
        })
        .collect();
    repo.commit(&[("assets/noise.txt", noise.as_str())], "a large file");
    let git = GitHttpServer::serving(&repo);
    let server = server(
        &fake,
        &format!("allow_hosts = [\"{}\"]\nmax_clone_mb = 1", git.authority),
    );
    let (_, accepted) = alice_generates(&server, &git.url(&repo)).await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let variant = alices_variant(&server, &repo).await;
    assert_eq!(variant["status"], "error", "{variant}");
    assert_eq!(
        variant["error_message"],
        "Cloning failed: the clone was stopped at the size limit of 1 MiB ([git] max_clone_mb)"
    );
}

#[tokio::test]
async fn a_clone_from_a_server_that_never_answers_stops_at_the_time_limit() {
    let fake = FakeClaude::new(PAGES);
    let repo = SampleRepo::new();
    let git = GitHttpServer::stalling();
    let server = server(
        &fake,
        &format!(
            "allow_hosts = [\"{}\"]\nclone_timeout_secs = 2",
            git.authority
        ),
    );
    let (_, accepted) = alice_generates(&server, &git.url(&repo)).await;
    assert_eq!(accepted.status, 202, "{}", accepted.text());
    let variant = alices_variant(&server, &repo).await;
    assert_eq!(variant["status"], "error", "{variant}");
    assert_eq!(
        variant["error_message"],
        "Cloning failed: the clone was stopped at the time limit of 2 s ([git] \
         clone_timeout_secs)"
    );
}

#[tokio::test]
async fn ssh_remotes_are_refused_for_hosts_without_credentials() {
    let fake = FakeClaude::new(PAGES);
    let server = server(&fake, "");
    let (_, refused) = alice_generates(&server, "git@github.com:acme/repo.git").await;
    assert_eq!(refused.status, 400, "{}", refused.text());
    assert!(
        refused.detail().contains("[git] credential_hosts"),
        "{}",
        refused.detail()
    );
    let admin = get(&server, "/api/status", As::Bearer(ADMIN_KEY))
        .await
        .json();
    assert_eq!(admin["projects"], json!([]));
}
