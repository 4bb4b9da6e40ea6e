//! Git repositories made by tests and benchmarks. One file, compiled into the host's unit
//! tests, the integration tests and the benchmarks (`#[path]`), never into the shipped
//! library.

use std::path::Path;

/// Writes `files` into the repository at `repo_dir` (created, on branch `main`, if needed),
/// commits them all, and returns the commit id.
pub fn commit_files(repo_dir: &Path, files: &[(&str, &str)], message: &str) -> String {
    let repo = git2::Repository::open(repo_dir)
        .or_else(|_| {
            let mut options = git2::RepositoryInitOptions::new();
            options.initial_head("main");
            git2::Repository::init_opts(repo_dir, &options)
        })
        .expect("a git repository");
    for (path, text) in files {
        let full = repo_dir.join(path);
        std::fs::create_dir_all(full.parent().expect("a parent directory")).expect("mkdir");
        std::fs::write(full, text).expect("write a file");
    }
    let mut index = repo.index().expect("the index");
    index
        .add_all(["*"], git2::IndexAddOption::DEFAULT, None)
        .expect("add files");
    index.write().expect("write the index");
    let tree = repo
        .find_tree(index.write_tree().expect("a tree"))
        .expect("find the tree");
    let signature = git2::Signature::now("Test", "test@example.com").expect("a signature");
    let parent = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    repo.commit(
        Some("HEAD"),
        &signature,
        &signature,
        message,
        &tree,
        &parents,
    )
    .expect("commit")
    .to_string()
}
