//! The index as the status engine needs it, read once per full scan: the stage-0 entries in
//! path order (with the stat data git recorded for them), the conflicted paths, and every
//! directory that holds a tracked path. Plus git's rule for "does this file still look like its
//! index entry" (`ie_match_stat` / `ie_modified` in git's `read-cache.c`).

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;

use git2::{Index, Oid, Repository};

use super::status_index_file::{Entry, IndexFile, parse};

/// `S_IFMT` bits of a mode, as git stores them in the index.
const IFMT: u32 = 0o170000;
const IFREG: u32 = 0o100000;
const IFLNK: u32 = 0o120000;
const IFDIR: u32 = 0o040000;
const IFGITLINK: u32 = 0o160000;

/// `CE_VALID` (`git update-index --assume-unchanged`).
const FLAG_ASSUME_VALID: u16 = 0x8000;
/// `CE_INTENT_TO_ADD` (`git add -N`), in the extended flags.
const FLAG_INTENT_TO_ADD: u16 = 1 << 13;
/// `CE_SKIP_WORKTREE` (sparse checkout), in the extended flags.
const FLAG_SKIP_WORKTREE: u16 = 1 << 14;

/// The repository settings that change how a file is compared with its entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CompareConfig {
    /// `core.fileMode`: the executable bit counts.
    pub(crate) file_mode: bool,
    /// `core.trustCtime`.
    pub(crate) trust_ctime: bool,
    /// `core.checkStat=minimal`: only mtime seconds, size and type count.
    pub(crate) minimal: bool,
    /// `core.symlinks`: a symlink in the tree is a symlink (not a plain file holding a path).
    pub(crate) symlinks: bool,
    /// Content may go through filters (autocrlf, `.gitattributes`): a file's own hash is not
    /// its blob id, so content checks go through libgit2, which applies them.
    pub(crate) filters: bool,
}

impl CompareConfig {
    pub(crate) fn read(repo: &Repository, tracked: &Tracked) -> CompareConfig {
        let config = repo.config().ok().and_then(|mut c| c.snapshot().ok());
        let bool_of = |name: &str, default: bool| {
            config
                .as_ref()
                .and_then(|c| c.get_bool(name).ok())
                .unwrap_or(default)
        };
        let string_of = |name: &str| config.as_ref().and_then(|c| c.get_string(name).ok());
        let autocrlf = string_of("core.autocrlf").is_some_and(|v| {
            !matches!(
                v.to_ascii_lowercase().as_str(),
                "false" | "no" | "off" | "0"
            )
        });
        let global_attributes = string_of("core.attributesFile").is_some()
            || std::env::var_os("XDG_CONFIG_HOME")
                .map(std::path::PathBuf::from)
                .or_else(|| {
                    std::env::var_os("HOME").map(|h| std::path::PathBuf::from(h).join(".config"))
                })
                .is_some_and(|d| d.join("git/attributes").exists());
        let filters = autocrlf
            || global_attributes
            || repo.path().join("info/attributes").exists()
            || tracked.has_attributes_file;
        CompareConfig {
            file_mode: bool_of("core.fileMode", true),
            trust_ctime: bool_of("core.trustCtime", true),
            minimal: string_of("core.checkStat").is_some_and(|v| v.eq_ignore_ascii_case("minimal")),
            symlinks: bool_of("core.symlinks", true),
            filters,
        }
    }
}

/// The index, read once.
#[derive(Debug)]
pub(crate) struct Tracked {
    /// Stage-0 entries, sorted by path bytes (the index order).
    pub(crate) entries: Vec<Entry>,
    /// Paths with conflict stages (1–3), sorted, deduplicated.
    pub(crate) conflicted: Vec<Vec<u8>>,
    /// Each conflicted path with which stages (base, ours, theirs) it has and whether one of
    /// them is a submodule.
    pub(crate) conflict_sides: Vec<(Vec<u8>, [bool; 3], bool)>,
    /// Valid cache-tree nodes (directory → tree id computed from the index), when the index
    /// file was read directly.
    pub(crate) cache_tree: std::collections::HashMap<Vec<u8>, Oid>,
    /// Some entry is intent-to-add (`git add -N`): libgit2 decides the staged side then.
    pub(crate) intent_to_add: bool,
    /// Every directory (no trailing slash) that holds a tracked or conflicted path.
    pub(crate) dirs: HashSet<Vec<u8>>,
    /// Seconds of the index file's mtime: an entry modified in that second or later is racily
    /// clean and must be hashed (its stat data cannot tell).
    pub(crate) index_mtime: i64,
    /// A `.gitattributes` file is tracked somewhere.
    pub(crate) has_attributes_file: bool,
}

impl Tracked {
    /// Reads `.git/index` directly, or through libgit2 when the file is in a form the direct
    /// reader does not handle (then the libgit2 index is returned too, for reuse).
    pub(crate) fn read(
        repo: &Repository,
        index_mtime: i64,
    ) -> Result<(Tracked, Option<Index>), git2::Error> {
        let path = repo.path().join("index");
        let sha1 = repo
            .config()
            .ok()
            .and_then(|c| c.get_string("extensions.objectFormat").ok())
            .is_none_or(|f| f.eq_ignore_ascii_case("sha1"));
        let direct = match std::fs::read(&path) {
            Ok(data) if sha1 => parse(&data),
            // No index file yet: nothing is tracked.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && sha1 => {
                Some(IndexFile::default())
            }
            _ => None,
        };
        match direct {
            Some(file) => Ok((
                Tracked::from_entries(file.entries, file.cache_tree, index_mtime),
                None,
            )),
            None => {
                let index = repo.index()?;
                let entries = index.iter().map(Entry::from).collect();
                Ok((
                    Tracked::from_entries(entries, Default::default(), index_mtime),
                    Some(index),
                ))
            }
        }
    }

    fn from_entries(
        all: Vec<Entry>,
        cache_tree: std::collections::HashMap<Vec<u8>, Oid>,
        index_mtime: i64,
    ) -> Tracked {
        let mut entries = Vec::with_capacity(all.len());
        let mut conflicted = Vec::new();
        let mut conflict_sides: Vec<(Vec<u8>, [bool; 3], bool)> = Vec::new();
        let mut dirs = HashSet::new();
        let mut previous_parent: Vec<u8> = Vec::new();
        let mut has_attributes_file = false;
        let mut intent_to_add = false;
        for entry in all {
            let path = &entry.path;
            let parent = match path.iter().rposition(|&b| b == b'/') {
                Some(i) => &path[..i],
                None => &path[..0],
            };
            // Consecutive entries mostly share their directory: insert its prefixes once.
            if parent != previous_parent.as_slice() {
                for (i, &b) in parent.iter().enumerate() {
                    if b == b'/' {
                        dirs.insert(parent[..i].to_vec());
                    }
                }
                if !parent.is_empty() {
                    dirs.insert(parent.to_vec());
                }
                previous_parent = parent.to_vec();
            }
            if path.ends_with(b".gitattributes")
                && (path.len() == 14 || path[path.len() - 15] == b'/')
            {
                has_attributes_file = true;
            }
            let stage = usize::from(entry.stage());
            if stage == 0 {
                intent_to_add |= entry.flags_extended & FLAG_INTENT_TO_ADD != 0;
                entries.push(entry);
                continue;
            }
            let submodule = entry.mode & IFMT == IFGITLINK;
            match conflict_sides.last_mut() {
                Some((path, sides, sub)) if *path == entry.path => {
                    sides[stage - 1] = true;
                    *sub |= submodule;
                }
                _ => {
                    let mut sides = [false; 3];
                    sides[stage - 1] = true;
                    conflict_sides.push((entry.path.clone(), sides, submodule));
                    conflicted.push(entry.path);
                }
            }
        }
        Tracked {
            entries,
            conflicted,
            conflict_sides,
            cache_tree,
            intent_to_add,
            dirs,
            index_mtime,
            has_attributes_file,
        }
    }

    /// The stage-0 entry at `path`.
    pub(crate) fn entry(&self, path: &[u8]) -> Option<&Entry> {
        self.entries
            .binary_search_by(|e| e.path.as_slice().cmp(path))
            .ok()
            .map(|i| &self.entries[i])
    }

    /// `path` is in the index (at any stage): never untracked.
    pub(crate) fn is_tracked(&self, path: &[u8]) -> bool {
        self.entry(path).is_some()
            || self
                .conflicted
                .binary_search_by(|p| p.as_slice().cmp(path))
                .is_ok()
    }
}

/// The fields of a file's `lstat` that git compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stat {
    pub(crate) mode: u32,
    pub(crate) size: u64,
    pub(crate) mtime: i64,
    pub(crate) ctime: i64,
    pub(crate) ino: u64,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
}

impl From<&std::fs::Metadata> for Stat {
    fn from(m: &std::fs::Metadata) -> Stat {
        Stat {
            mode: m.mode(),
            size: m.size(),
            mtime: m.mtime(),
            ctime: m.ctime(),
            ino: m.ino(),
            uid: m.uid(),
            gid: m.gid(),
        }
    }
}

impl Stat {
    /// `lstat` of `path` (NUL-terminated, relative to the directory `dir`), as git runs it from
    /// the working-tree root: relative, so the kernel walks two components, not the whole
    /// absolute path, for each of the 100,000 files. `None` when it does not exist (or a parent
    /// is not a directory).
    pub(crate) fn at(dir: &std::fs::File, path: &std::ffi::CStr) -> Option<Stat> {
        use std::os::fd::AsRawFd;
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: `path` is NUL-terminated, `st` is a valid out pointer, and `fstatat` fully
        // initialises it when it returns 0.
        let rc = unsafe {
            libc::fstatat(
                dir.as_raw_fd(),
                path.as_ptr(),
                st.as_mut_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if rc != 0 {
            return None;
        }
        // SAFETY: initialised by the successful call above.
        let st = unsafe { st.assume_init() };
        Some(Stat {
            mode: st.st_mode,
            size: st.st_size as u64,
            mtime: st.st_mtime,
            ctime: st.st_ctime,
            ino: st.st_ino,
            uid: st.st_uid,
            gid: st.st_gid,
        })
    }
}

/// What the stat data says about one tracked file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Look {
    /// Matches its entry and is not racy.
    Clean,
    /// Certainly changed (size, executable bit), as git decides without reading it.
    Modified,
    /// Gone (or a directory now, which git reports as a deletion plus untracked content).
    Deleted,
    /// A file became a symlink or the other way round.
    TypeChange,
    /// The stat data differs (or is racy) but the size does not: the content must be compared.
    /// Submodules and intent-to-add entries are always here (libgit2 decides them).
    Uncertain,
}

/// Added with `git add -N`: git shows it as new on the working-tree side only.
pub(crate) fn is_intent_to_add(entry: &Entry) -> bool {
    entry.flags_extended & FLAG_INTENT_TO_ADD != 0
}

pub(crate) fn is_gitlink(entry: &Entry) -> bool {
    entry.mode & IFMT == IFGITLINK
}

/// Compares the file's `lstat` result (`None`: it does not exist, or a parent is not a
/// directory) with its index entry, the way git's `ie_modified` does before hashing anything.
pub(crate) fn look(
    entry: &Entry,
    meta: Option<&Stat>,
    config: &CompareConfig,
    index_mtime: i64,
) -> Look {
    if entry.flags & FLAG_ASSUME_VALID != 0 || entry.flags_extended & FLAG_SKIP_WORKTREE != 0 {
        return Look::Clean;
    }
    if is_gitlink(entry) || entry.flags_extended & FLAG_INTENT_TO_ADD != 0 {
        return Look::Uncertain;
    }
    let Some(meta) = meta else {
        return Look::Deleted;
    };
    let wt_type = meta.mode & IFMT;
    let index_type = entry.mode & IFMT;
    if wt_type == IFDIR {
        return Look::Deleted;
    }
    let types_match = wt_type == index_type
        // Without core.symlinks a symlink is checked out as a plain file holding its target.
        || (!config.symlinks && index_type == IFLNK && wt_type == IFREG);
    if !types_match {
        return if wt_type == IFREG || wt_type == IFLNK {
            Look::TypeChange
        } else {
            Look::Deleted
        };
    }
    if config.file_mode && index_type == IFREG && (entry.mode & 0o100) != (meta.mode & 0o100) {
        return Look::Modified;
    }
    let size_differs = entry.size != meta.size as u32;
    // A zero size in the index may be a racily-clean entry git smudged on write: only its
    // content can tell (git's `ie_modified`).
    if size_differs && entry.size != 0 {
        return Look::Modified;
    }
    let mut same = !size_differs && entry.mtime == meta.mtime as u32;
    if !config.minimal {
        same = same
            && (!config.trust_ctime || entry.ctime == meta.ctime as u32)
            && entry.ino == meta.ino as u32
            && entry.uid == meta.uid
            && entry.gid == meta.gid;
    }
    // Racy git: written in the second the index was (or after), the stat data cannot show a
    // change made in that same second.
    let racy = i64::from(entry.mtime) >= index_mtime;
    if same && !racy {
        Look::Clean
    } else {
        Look::Uncertain
    }
}
