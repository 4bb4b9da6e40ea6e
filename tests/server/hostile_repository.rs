//! A repository is hostile input: what it links to outside itself must never reach a prompt,
//! a page or the AI CLI working in its checkout.

use std::os::unix::fs::symlink;

use serde_json::json;

use crate::generation::{PAGES, finished, generate, start};
use crate::support::api::{ADMIN_KEY, As, get};
use crate::support::fake_ai::{FakeClaude, SampleRepo};

#[tokio::test]
async fn links_out_of_a_repository_reach_no_prompt_page_or_cli() {
    let fake = FakeClaude::new(PAGES);
    let server = start(&fake);
    let data = server.data_dir.path();
    let secret = std::fs::read_to_string(data.join("server-secret")).expect("the secret");
    let secret = secret.trim();
    let repo = SampleRepo::new();
    let root = repo.path();
    // The job's checkout is <data>/work/job-*/repo: three levels up is the data directory.
    std::fs::remove_file(root.join("README.md")).expect("remove the README");
    symlink("../../../server-secret", root.join("README.md")).expect("link to the secret");
    symlink("/proc/self/environ", root.join("ENVIRONMENT.md")).expect("link to environ");
    std::fs::create_dir_all(root.join("docs")).expect("docs");
    symlink("/dev/zero", root.join("docs/zero.md")).expect("link to /dev/zero");
    symlink(data, root.join("data")).expect("link to the data directory");
    repo.commit(&[], "links out of the repository");

    assert_eq!(generate(&server, &repo, json!({})).await.status, 202);
    let variant = finished(&server, &repo).await;
    assert_eq!(variant["status"], "ready", "{variant}");

    let prompts = fake.prompts();
    assert!(prompts.contains("Plan the documentation"), "{prompts}");
    assert!(
        !prompts.contains(secret),
        "the server secret reached a prompt"
    );
    assert!(
        !prompts.contains(ADMIN_KEY),
        "the environment reached a prompt"
    );
    for linked in ["README.md", "ENVIRONMENT.md", "docs/zero.md", "data"] {
        assert!(
            !prompts
                .lines()
                .any(|line| line.trim_start_matches("- ") == linked),
            "the tree shown to the AI lists the link {linked}"
        );
    }
    assert!(
        !fake.read_by_cli().contains(secret),
        "the CLI read the secret through the checkout"
    );
    let docs = format!("/docs/{}/main/claude/opus", repo.project());
    for page in ["index.html", "usage.html", "llms-full.txt"] {
        let served = get(&server, &format!("{docs}/{page}"), As::Bearer(ADMIN_KEY)).await;
        assert_eq!(served.status, 200, "{page}");
        assert!(!served.text().contains(secret), "{page} holds the secret");
    }
}
