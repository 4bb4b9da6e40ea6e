//! The small files of generated sites, kept in memory once read: a page asked for again is
//! answered after a `stat` of the file instead of resolving its path (every component, to
//! refuse links out of the site), opening and reading it on a blocking thread.
//!
//! An entry stands for as long as the files it was read from are the same files (device,
//! inode, length and modification time): publishing a new site writes new files, so the
//! next request misses and reads them, with every check made again.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;

/// Files larger than this are read for each request, not kept.
pub const KEPT_FILE_BYTES: usize = 256 * 1024;
/// What all kept files may add up to; past it, the cache starts over.
const KEPT_TOTAL_BYTES: usize = 16 * 1024 * 1024;

/// Which file on disk a kept copy came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    pub fn of(metadata: &std::fs::Metadata) -> Stamp {
        Stamp {
            dev: metadata.dev(),
            ino: metadata.ino(),
            len: metadata.len(),
            modified: metadata.modified().ok(),
        }
    }

    /// The stamp of the file at `path` now, not following a final link.
    fn now(path: &Path) -> Option<Stamp> {
        std::fs::symlink_metadata(path).ok().map(|m| Stamp::of(&m))
    }
}

/// One kept answer: the bytes sent and what they are.
#[derive(Debug)]
pub struct Kept<T> {
    /// What the response is built from.
    pub value: T,
    pub bytes: Bytes,
    /// The files the answer was read from (the one asked for, and a compressed copy), each
    /// with the stamp it had.
    pub sources: Vec<(PathBuf, Stamp)>,
}

impl<T> Kept<T> {
    fn still_current(&self) -> bool {
        self.sources
            .iter()
            .all(|(path, stamp)| Stamp::now(path).as_ref() == Some(stamp))
    }
}

/// The cache, keyed by the path asked for and the compressed copies the client takes.
#[derive(Debug)]
pub struct SiteCache<T> {
    entries: Mutex<Entries<T>>,
}

#[derive(Debug)]
struct Entries<T> {
    by_key: HashMap<(PathBuf, u8), Arc<Kept<T>>>,
    bytes: usize,
}

impl<T> Default for SiteCache<T> {
    fn default() -> Self {
        SiteCache {
            entries: Mutex::new(Entries {
                by_key: HashMap::new(),
                bytes: 0,
            }),
        }
    }
}

impl<T> SiteCache<T> {
    /// The kept answer for `path` with `encodings` (a set of the copies the client takes),
    /// if the files it came from are unchanged. Makes one `stat` per source file.
    pub fn get(&self, path: &Path, encodings: u8) -> Option<Arc<Kept<T>>> {
        let kept = {
            let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
            entries
                .by_key
                .get(&(path.to_path_buf(), encodings))
                .cloned()
        }?;
        kept.still_current().then_some(kept)
    }

    /// Keeps `kept` as the answer for `path` with `encodings`, if it is small enough.
    pub fn keep(&self, path: PathBuf, encodings: u8, kept: Kept<T>) {
        let size = kept.bytes.len();
        if size > KEPT_FILE_BYTES {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.bytes + size > KEPT_TOTAL_BYTES {
            entries.by_key.clear();
            entries.bytes = 0;
        }
        if let Some(old) = entries.by_key.insert((path, encodings), Arc::new(kept)) {
            entries.bytes -= old.bytes.len();
        }
        entries.bytes += size;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(path: &Path) -> Kept<()> {
        let metadata = std::fs::symlink_metadata(path).expect("metadata");
        Kept {
            value: (),
            bytes: Bytes::from(std::fs::read(path).expect("read")),
            sources: vec![(path.to_path_buf(), Stamp::of(&metadata))],
        }
    }

    #[test]
    fn a_kept_file_stands_until_it_changes_or_is_replaced() {
        let dir = tempfile::tempdir().expect("dir");
        let page = dir.path().join("page.html");
        std::fs::write(&page, "one").expect("write");
        let cache = SiteCache::default();
        assert!(cache.get(&page, 0).is_none());
        cache.keep(page.clone(), 0, kept(&page));
        assert_eq!(cache.get(&page, 0).expect("kept").bytes, "one");
        assert!(cache.get(&page, 1).is_none(), "another set of encodings");

        // Published anew: another file under the same name.
        let staged = dir.path().join("staged.html");
        std::fs::write(&staged, "two").expect("write");
        std::fs::rename(&staged, &page).expect("rename");
        assert!(cache.get(&page, 0).is_none());
        cache.keep(page.clone(), 0, kept(&page));
        // Replaced by a link: the link is not the file that was checked.
        std::fs::remove_file(&page).expect("remove");
        std::os::unix::fs::symlink(dir.path().join("elsewhere"), &page).expect("link");
        assert!(cache.get(&page, 0).is_none());
    }

    #[test]
    fn large_files_are_not_kept_and_the_total_is_bounded() {
        let dir = tempfile::tempdir().expect("dir");
        let big = dir.path().join("big.bin");
        std::fs::write(&big, vec![0u8; KEPT_FILE_BYTES + 1]).expect("write");
        let cache = SiteCache::default();
        cache.keep(big.clone(), 0, kept(&big));
        assert!(cache.get(&big, 0).is_none());
        let page = dir.path().join("page.html");
        std::fs::write(&page, vec![b'x'; KEPT_FILE_BYTES]).expect("write");
        for n in 0..(KEPT_TOTAL_BYTES / KEPT_FILE_BYTES + 5) as u8 {
            cache.keep(page.clone(), n, kept(&page));
        }
        let total = cache.entries.lock().expect("lock").bytes;
        assert!(total <= KEPT_TOTAL_BYTES, "{total}");
    }
}
