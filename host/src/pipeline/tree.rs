//! A checkout is hostile input. After every clone its symbolic links and special files are
//! removed, so that nothing reading the tree (the host, or an AI CLI working in it) can be
//! led outside it, and so is the agent configuration it ships, through which it could make
//! the AI CLIs run commands; what the host reads of it is bounded and never follows a link.

use std::io::Read as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Component, Path};

/// The files and directories through which a repository configures the AI CLIs that work
/// in it: hooks and commands (`.claude/settings.json`), MCP servers (`.mcp.json`,
/// `.gemini/settings.json`), rules, and instruction files that can pull other files into
/// the model's context (`@~/...` imports in `CLAUDE.md`). Kept in this one place.
pub const AGENT_CONFIG: &[&str] = &[
    ".claude",
    ".mcp.json",
    "CLAUDE.md",
    "CLAUDE.local.md",
    ".gemini",
    "GEMINI.md",
    ".cursor",
    ".cursorrules",
    "AGENTS.md",
];

/// What a sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Swept {
    /// Symbolic links, FIFOs, sockets and devices.
    pub links: usize,
    /// Entries named in [`AGENT_CONFIG`], at any depth.
    pub agent_config: usize,
}

/// Removes every symbolic link, FIFO, socket and device below `root`, and every entry named
/// in [`AGENT_CONFIG`] (the repository's own `.git`, written by libgit2, is left alone).
/// Blocking.
pub fn sweep(root: &Path) -> std::io::Result<Swept> {
    let mut swept = Swept::default();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            // The entry's own type: a link is not followed to what it names.
            let kind = entry.file_type()?;
            if !kind.is_symlink() && is_agent_config(&entry.file_name()) {
                remove_entry(&entry.path(), kind.is_dir())?;
                swept.agent_config += 1;
            } else if kind.is_dir() {
                if !(dir == root && entry.file_name() == ".git") {
                    pending.push(entry.path());
                }
            } else if !kind.is_file() {
                std::fs::remove_file(entry.path())?;
                swept.links += 1;
            }
        }
    }
    Ok(swept)
}

/// Removes the agent configuration at the top of the checkout, where the CLIs look for it
/// when they start: done before every AI call, in case an earlier call wrote some. Returns
/// how many entries went. Blocking.
pub fn remove_agent_config(root: &Path) -> std::io::Result<usize> {
    let mut removed = 0;
    for name in AGENT_CONFIG {
        let path = root.join(name);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) => {
                remove_entry(&path, meta.is_dir())?;
                removed += 1;
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
    }
    Ok(removed)
}

fn is_agent_config(name: &std::ffi::OsStr) -> bool {
    AGENT_CONFIG.iter().any(|agent| name == *agent)
}

fn remove_entry(path: &Path, is_dir: bool) -> std::io::Result<()> {
    if is_dir {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
}

/// The first `cap` bytes of the regular file at `path`; `None` when it is missing, a link or
/// anything but a regular file. Blocking.
pub fn read_bounded(path: &Path, cap: usize) -> std::io::Result<Option<Vec<u8>>> {
    let flags = nix::fcntl::OFlag::O_NOFOLLOW | nix::fcntl::OFlag::O_NONBLOCK;
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(flags.bits())
        .open(path)
    {
        Ok(file) => file,
        Err(error) if is_absent_or_link(&error) => return Ok(None),
        Err(error) => return Err(error),
    };
    if !file.metadata()?.is_file() {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    file.take(cap as u64).read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

fn is_absent_or_link(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::NotFound || error.raw_os_error() == Some(nix::libc::ELOOP)
}

/// Whether `relative` names a file or directory inside the checkout at `root`: a path that
/// climbs out (`..`) or is absolute names nothing in it, and links are not followed.
pub fn contains(root: &Path, relative: &str) -> bool {
    let relative = Path::new(relative);
    let stays_inside = relative
        .components()
        .all(|part| matches!(part, Component::Normal(_) | Component::CurDir));
    stays_inside
        && std::fs::symlink_metadata(root.join(relative)).is_ok_and(|m| m.is_file() || m.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_and_special_files_go_and_the_rest_stays() {
        let outside = tempfile::tempdir().expect("outside");
        std::fs::write(outside.path().join("secret"), "s3cret").expect("secret");
        let dir = tempfile::tempdir().expect("checkout");
        let root = dir.path();
        std::fs::create_dir_all(root.join("docs/deep")).expect("dirs");
        std::fs::create_dir_all(root.join(".git")).expect(".git");
        std::fs::write(root.join("docs/guide.md"), "# Guide").expect("file");
        symlink(outside.path().join("secret"), root.join("README.md")).expect("link");
        symlink("../../..", root.join("docs/deep/up")).expect("dir link");
        symlink("guide.md", root.join("docs/inside.md")).expect("inner link");
        nix::unistd::mkfifo(&root.join("docs/pipe"), nix::sys::stat::Mode::S_IRWXU).expect("fifo");
        symlink("/etc/passwd", root.join(".git/kept")).expect("git's own");

        assert_eq!(
            sweep(root).expect("sweep"),
            Swept {
                links: 4,
                agent_config: 0
            }
        );
        assert!(root.join("docs/guide.md").is_file());
        for gone in ["README.md", "docs/deep/up", "docs/inside.md", "docs/pipe"] {
            assert!(
                std::fs::symlink_metadata(root.join(gone)).is_err(),
                "{gone} is still there"
            );
        }
        assert!(std::fs::symlink_metadata(root.join(".git/kept")).is_ok());
        assert_eq!(
            std::fs::read_to_string(outside.path().join("secret")).expect("kept"),
            "s3cret"
        );
    }

    #[test]
    fn agent_configuration_goes_at_any_depth_and_before_each_call() {
        let dir = tempfile::tempdir().expect("checkout");
        let root = dir.path();
        std::fs::create_dir_all(root.join(".claude")).expect(".claude");
        std::fs::write(root.join(".claude/settings.json"), "{}").expect("settings");
        std::fs::write(root.join(".mcp.json"), "{}").expect("mcp");
        std::fs::create_dir_all(root.join("pkg/.gemini")).expect("nested");
        std::fs::write(root.join("pkg/CLAUDE.md"), "@~/.ssh/id_rsa").expect("imports");
        std::fs::write(root.join("pkg/notes.md"), "kept").expect("kept");
        assert_eq!(
            sweep(root).expect("sweep"),
            Swept {
                links: 0,
                agent_config: 4
            }
        );
        let left: Vec<_> = std::fs::read_dir(root.join("pkg"))
            .expect("pkg")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(left, ["notes.md"]);
        assert!(!root.join(".claude").exists() && !root.join(".mcp.json").exists());

        std::fs::create_dir_all(root.join(".cursor/rules")).expect("written by a call");
        std::fs::write(root.join("AGENTS.md"), "run this").expect("written by a call");
        assert_eq!(remove_agent_config(root).expect("remove"), 2);
        assert_eq!(remove_agent_config(root).expect("nothing left"), 0);
    }

    #[test]
    fn bounded_reads_refuse_links_and_special_files() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path();
        std::fs::write(root.join("big.md"), "x".repeat(10_000)).expect("file");
        symlink("big.md", root.join("link.md")).expect("link");
        symlink("/dev/zero", root.join("zero.md")).expect("zero");
        assert_eq!(
            read_bounded(&root.join("big.md"), 100)
                .expect("read")
                .map(|b| b.len()),
            Some(100)
        );
        assert_eq!(
            read_bounded(&root.join("link.md"), 100).expect("link"),
            None
        );
        assert_eq!(
            read_bounded(&root.join("zero.md"), 100).expect("zero"),
            None
        );
        assert_eq!(
            read_bounded(&root.join("absent.md"), 100).expect("absent"),
            None
        );
        assert_eq!(
            read_bounded(Path::new("/dev/zero"), 100).expect("device"),
            None
        );
    }

    #[test]
    fn only_paths_inside_the_checkout_are_contained() {
        let dir = tempfile::tempdir().expect("dir");
        let root = dir.path().join("repo");
        std::fs::create_dir_all(root.join("src")).expect("dirs");
        std::fs::write(root.join("src/main.rs"), "fn main() {}").expect("file");
        std::fs::write(dir.path().join("outside.rs"), "").expect("outside");
        symlink("main.rs", root.join("src/alias.rs")).expect("link");
        assert!(contains(&root, "src/main.rs"));
        assert!(contains(&root, "./src/main.rs"));
        assert!(contains(&root, "src"));
        assert!(!contains(&root, "../outside.rs"));
        assert!(!contains(&root, "src/../../outside.rs"));
        assert!(!contains(&root, "/etc/passwd"));
        assert!(!contains(&root, "src/alias.rs"));
        assert!(!contains(&root, "src/none.rs"));
    }
}
