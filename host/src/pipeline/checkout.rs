//! Getting the repository: a shallow clone of one branch of a remote, or a clone of an
//! admin's local repository (which is only read, never written), into the job's work
//! directory; and what changed between two commits.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use std::time::{Duration, Instant};

use git2::build::RepoBuilder;
use git2::{DiffFormat, ErrorCode, FetchOptions, Oid, RemoteCallbacks, Repository};

use super::clone_proxy::CloneStopped;
use super::credentials::{self, CredentialScope};

/// Commits fetched from a remote: enough to diff against the last generation in most cases;
/// when the old commit is deeper, the run regenerates everything.
pub const CLONE_DEPTH: i32 = 50;

/// Why the repository could not be had.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    /// The branch does not exist there.
    #[error("branch '{0}' does not exist in the repository")]
    NoSuchBranch(String),
    /// The path is not a git repository.
    #[error("{0} is not a git repository")]
    NotARepository(String),
    /// The job was aborted while cloning.
    #[error("cloning was cancelled")]
    Cancelled,
    /// A limit or the remote policy stopped the transfer.
    #[error("{0}")]
    Stopped(CloneStopped),
    /// Anything git said.
    #[error("git: {0}")]
    Git(String),
    /// The checkout's links could not be removed.
    #[error("cannot clean the checkout: {0}")]
    Sweep(std::io::Error),
}

/// A clone of a remote and its limits.
pub struct RemoteClone {
    pub url: String,
    pub branch: String,
    /// Must not exist or be empty.
    pub dest: std::path::PathBuf,
    /// Set when the job is aborted: the transfer stops at its next progress callback.
    pub cancel: Arc<AtomicBool>,
    /// The proxy every connection goes through (HTTPS remotes).
    pub proxy: Option<String>,
    /// Whether a redirect of the first request is followed (the proxy checks its host).
    pub follow_redirects: bool,
    /// Who may be given the server's SSH agent and credential helpers.
    pub credentials: CredentialScope,
    /// The most the transfer may receive.
    pub max_bytes: u64,
    /// How long the transfer may take.
    pub timeout: Duration,
}

/// Clones a remote's branch; the commit it is at. Blocking.
pub fn clone_remote(clone: RemoteClone) -> Result<String, CheckoutError> {
    let mut callbacks = RemoteCallbacks::new();
    let stop = clone.cancel.clone();
    let limit_hit: Arc<std::sync::Mutex<Option<CloneStopped>>> = Default::default();
    let hit = limit_hit.clone();
    let limits = TransferLimits {
        max_bytes: clone.max_bytes,
        timeout: clone.timeout,
        started: Instant::now(),
    };
    callbacks.transfer_progress(move |progress| {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        match limits.passed(progress.received_bytes() as u64) {
            Some(reason) => {
                if let Ok(mut hit) = hit.lock() {
                    hit.get_or_insert(reason);
                }
                false
            }
            None => true,
        }
    });
    callbacks.credentials(credentials::answer(clone.credentials));
    let mut fetch = FetchOptions::new();
    fetch.remote_callbacks(callbacks);
    // Redirects of the first request only (a renamed repository), when the proxy checks
    // the host of every hop as it connects.
    fetch.follow_redirects(if clone.follow_redirects {
        git2::RemoteRedirect::Initial
    } else {
        git2::RemoteRedirect::None
    });
    if let Some(url) = &clone.proxy {
        let mut proxy = git2::ProxyOptions::new();
        proxy.url(url);
        fetch.proxy_options(proxy);
    }
    // The local transport cannot make shallow clones; depth is for real remotes.
    if !clone.url.starts_with("file://") {
        fetch.depth(CLONE_DEPTH);
    }
    let result = self::clone(&clone.url, &clone.branch, &clone.dest, fetch, &clone.cancel);
    match limit_hit.lock().ok().and_then(|hit| hit.clone()) {
        Some(reason) if result.is_err() => Err(CheckoutError::Stopped(reason)),
        _ => result,
    }
}

/// The size and time limits as the progress callback checks them (SSH transfers have no
/// proxy to hold them to it).
struct TransferLimits {
    max_bytes: u64,
    timeout: Duration,
    started: Instant,
}

impl TransferLimits {
    fn passed(&self, received: u64) -> Option<CloneStopped> {
        if received > self.max_bytes {
            Some(CloneStopped::TooBig(self.max_bytes / (1024 * 1024)))
        } else if self.started.elapsed() > self.timeout {
            Some(CloneStopped::TooSlow(self.timeout.as_secs()))
        } else {
            None
        }
    }
}

/// Clones `branch` of the local repository at `path` into `dest`; `path` is only read.
pub fn clone_local(path: &Path, branch: &str, dest: &Path) -> Result<String, CheckoutError> {
    Repository::open_bare(path.join(".git"))
        .or_else(|_| Repository::open(path))
        .map_err(|_| CheckoutError::NotARepository(path.display().to_string()))?;
    let url = format!("file://{}", path.display());
    clone(
        &url,
        branch,
        dest,
        FetchOptions::new(),
        &Arc::new(AtomicBool::new(false)),
    )
}

fn clone(
    url: &str,
    branch: &str,
    dest: &Path,
    fetch: FetchOptions<'_>,
    cancel: &AtomicBool,
) -> Result<String, CheckoutError> {
    let repo = RepoBuilder::new()
        .branch(branch)
        .fetch_options(fetch)
        .clone(url, dest)
        .map_err(|e| {
            if cancel.load(Ordering::Relaxed) {
                CheckoutError::Cancelled
            } else if e.code() == ErrorCode::NotFound && e.message().contains(branch) {
                CheckoutError::NoSuchBranch(branch.to_string())
            } else {
                CheckoutError::Git(e.message().to_string())
            }
        })?;
    let head = repo
        .head()
        .and_then(|h| h.peel_to_commit())
        .map_err(|e| CheckoutError::Git(e.message().to_string()))?;
    // Before anything reads the tree: a link in it may point anywhere on the server, and
    // agent configuration may make the AI CLIs run commands.
    let swept = super::tree::sweep(dest).map_err(CheckoutError::Sweep)?;
    if swept != super::tree::Swept::default() {
        tracing::info!(
            "removed {} links and special files and {} agent configuration entries from the \
             checkout",
            swept.links,
            swept.agent_config
        );
    }
    Ok(head.id().to_string())
}

/// What changed between two commits of the checkout at `dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Paths added, modified, deleted or renamed, sorted.
    pub files: Vec<String>,
    /// The unified diff, cut at the requested size.
    pub patch: String,
}

/// The changes from `old` to `new`, or `None` when `old` is not in the checkout (a shallow
/// clone that does not reach back that far): the caller then regenerates everything.
pub fn changes(
    dir: &Path,
    old: &str,
    new: &str,
    max_patch: usize,
) -> Result<Option<Changes>, CheckoutError> {
    let git = |e: git2::Error| CheckoutError::Git(e.message().to_string());
    let repo = Repository::open(dir).map_err(git)?;
    let Ok(old) = Oid::from_str(old).and_then(|id| repo.find_commit(id)) else {
        return Ok(None);
    };
    let new = Oid::from_str(new)
        .and_then(|id| repo.find_commit(id))
        .map_err(git)?;
    let diff = repo
        .diff_tree_to_tree(
            Some(&old.tree().map_err(git)?),
            Some(&new.tree().map_err(git)?),
            None,
        )
        .map_err(git)?;
    let mut files: Vec<String> = diff
        .deltas()
        .filter_map(|d| {
            d.new_file()
                .path()
                .or_else(|| d.old_file().path())
                .map(|p| p.display().to_string())
        })
        .collect();
    files.sort();
    files.dedup();
    let mut patch = String::new();
    let mut cut = false;
    let printed = diff.print(DiffFormat::Patch, |_, _, line| {
        if patch.len() >= max_patch {
            cut = true;
            return false;
        }
        if matches!(line.origin(), '+' | '-' | ' ') {
            patch.push(line.origin());
        }
        patch.push_str(&String::from_utf8_lossy(line.content()));
        true
    });
    // Stopping the printer early is reported as an error; only a real one counts.
    if !cut {
        printed.map_err(git)?;
    }
    if cut || patch.len() > max_patch {
        let mut end = max_patch;
        while !patch.is_char_boundary(end) {
            end -= 1;
        }
        patch.truncate(end);
        patch.push_str("\n[diff cut]");
    }
    Ok(Some(Changes { files, patch }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(repo_dir: &Path, files: &[(&str, &str)], message: &str) -> String {
        crate::test_git::commit_files(repo_dir, files, message)
    }

    #[test]
    fn a_local_repository_is_cloned_at_its_branch_and_left_alone() {
        let source = tempfile::tempdir().expect("source");
        let first = commit(
            source.path(),
            &[("README.md", "# Acme"), ("src/lib.rs", "fn a() {}")],
            "one",
        );
        let second = commit(source.path(), &[("src/lib.rs", "fn b() {}")], "two");
        let work = tempfile::tempdir().expect("work");
        let dest = work.path().join("checkout");
        let head = clone_local(source.path(), "main", &dest).expect("clone");
        assert_eq!(head, second);
        assert_eq!(
            std::fs::read_to_string(dest.join("src/lib.rs")).expect("file"),
            "fn b() {}"
        );
        let source_repo = Repository::open(source.path()).expect("open");
        assert_eq!(
            source_repo
                .head()
                .expect("head")
                .target()
                .expect("oid")
                .to_string(),
            second
        );

        let changed = changes(&dest, &first, &second, 10_000)
            .expect("diff")
            .expect("both commits present");
        assert_eq!(changed.files, ["src/lib.rs"]);
        assert!(
            changed.patch.contains("-fn a() {}") && changed.patch.contains("+fn b() {}"),
            "{}",
            changed.patch
        );
    }

    #[test]
    fn a_missing_branch_or_repository_is_named() {
        let source = tempfile::tempdir().expect("source");
        commit(source.path(), &[("a.txt", "a")], "one");
        let work = tempfile::tempdir().expect("work");
        let error =
            clone_local(source.path(), "develop", &work.path().join("x")).expect_err("no branch");
        assert_eq!(
            error.to_string(),
            "branch 'develop' does not exist in the repository"
        );
        let plain = tempfile::tempdir().expect("plain dir");
        let error =
            clone_local(plain.path(), "main", &work.path().join("y")).expect_err("not a repo");
        assert!(matches!(error, CheckoutError::NotARepository(_)), "{error}");
    }

    #[test]
    fn an_unknown_old_commit_means_no_diff() {
        let source = tempfile::tempdir().expect("source");
        let head = commit(source.path(), &[("a.txt", "a")], "one");
        let absent = "0123456789012345678901234567890123456789";
        assert_eq!(
            changes(source.path(), absent, &head, 100).expect("ok"),
            None
        );
    }

    #[test]
    fn long_patches_are_cut() {
        let source = tempfile::tempdir().expect("source");
        let first = commit(source.path(), &[("a.txt", "a")], "one");
        let big = "line\n".repeat(10_000);
        let second = commit(source.path(), &[("a.txt", big.as_str())], "two");
        let changed = changes(source.path(), &first, &second, 1000)
            .expect("diff")
            .expect("present");
        assert!(changed.patch.len() < 1100, "{}", changed.patch.len());
        assert!(changed.patch.ends_with("[diff cut]"));
    }
}
