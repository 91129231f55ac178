//! The undo log: what cctui changed in each clone, one JSON-lines file per clone in the data
//! dir (`<data>/undo/<name>-<hash>.jsonl`). Lines are only ever appended, each with one
//! `write` on a file opened for appending, so a crash leaves at worst a torn last line, which
//! reading skips; an undo appends an `undone` line instead of rewriting the file.
//!
//! The log says what changed and where to go back to; the repository holds the content (the
//! reflog, and for a discard the blobs kept under `refs/cctui/undo/…`, see [`super::undo`]).

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// At most this many changes are read back for the list (the newest).
pub const SHOWN: usize = 200;

/// A change a branch tip made (`Moved`): which kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MoveKind {
    /// A commit on top of the branch.
    Commit,
    /// An amended commit replaced the tip.
    Amend,
    /// A merge (fast-forward or merge commit).
    Merge,
    /// A pull (fast-forward or merge commit).
    Pull,
}

impl MoveKind {
    /// `commit`, `amend`, `merge`, `pull`.
    pub fn word(self) -> &'static str {
        match self {
            MoveKind::Commit => "commit",
            MoveKind::Amend => "amend",
            MoveKind::Merge => "merge",
            MoveKind::Pull => "pull",
        }
    }
}

/// Where HEAD was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HeadAt {
    /// On a local branch (its short name).
    Branch(String),
    /// Detached at this commit.
    Detached(String),
}

/// A file a discard threw away, kept as a blob in the clone's object store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptFile {
    /// Repository path.
    pub path: String,
    /// The blob of the working-tree content thrown away (`None`: the file was deleted in the
    /// working tree, and the discard brought it back).
    pub before: Option<String>,
    /// The file was executable.
    #[serde(default)]
    pub executable: bool,
    /// It was a symbolic link (the blob is its target).
    #[serde(default)]
    pub symlink: bool,
    /// What the discard left (the blob id of the file's content after it; `None`: the
    /// discard deleted it, an untracked file). An undo goes ahead only while this holds.
    pub after: Option<String>,
}

/// One change cctui made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A branch tip (or detached HEAD) moved: commit, amend, merge, pull.
    Moved {
        /// Which operation.
        what: MoveKind,
        /// `refs/heads/<branch>`, or `HEAD` when detached.
        reference: String,
        /// The tip before (`None`: the branch had no commit yet).
        before: Option<String>,
        /// The tip after.
        after: String,
        /// The commit's summary, or what was merged or pulled.
        summary: String,
    },
    /// A local branch was deleted.
    BranchDeleted {
        /// Its name.
        name: String,
        /// Its tip.
        tip: String,
        /// Its upstream (`origin/main`), when it had one.
        upstream: Option<String>,
    },
    /// HEAD was switched to a branch.
    Switched {
        /// Where HEAD was.
        from: HeadAt,
        /// The branch switched to.
        to: String,
    },
    /// A stash entry was dropped.
    StashDropped {
        /// The stash commit.
        commit: String,
        /// Its message (`On main: …`).
        message: String,
    },
    /// Working-tree changes were thrown away.
    Discarded {
        /// The path the user discarded (a file or a directory).
        path: String,
        /// The ref under `refs/cctui/undo/` that keeps the blobs alive.
        keep_ref: String,
        /// The files.
        files: Vec<KeptFile>,
    },
}

impl Change {
    /// What it was, in a few words ("commit \"Fix parser\" on main").
    pub fn describe(&self) -> String {
        match self {
            Change::Moved {
                what,
                reference,
                summary,
                ..
            } => {
                let on = reference.strip_prefix("refs/heads/").unwrap_or("HEAD");
                match what {
                    MoveKind::Commit => format!("commit \"{summary}\" on {on}"),
                    MoveKind::Amend => format!("amend \"{summary}\" on {on}"),
                    MoveKind::Merge => format!("merge {summary} into {on}"),
                    MoveKind::Pull => format!("pull into {on}"),
                }
            }
            Change::BranchDeleted { name, .. } => format!("delete branch {name}"),
            Change::Switched { from, to } => format!("switch from {} to {to}", head_words(from)),
            Change::StashDropped { message, .. } => format!("drop stash \"{message}\""),
            Change::Discarded { path, files, .. } => match files.len() {
                1 => format!("discard changes to {path}"),
                n => format!("discard changes to {path} ({n} files)"),
            },
        }
    }

    /// What undoing it does, for the question asked first.
    pub fn undo_words(&self) -> String {
        match self {
            Change::Moved {
                reference,
                before: Some(before),
                after,
                ..
            } => {
                let on = reference.strip_prefix("refs/heads/").unwrap_or("HEAD");
                format!(
                    "move {on} back from {} to {} (working tree and index too; {} stays in the reflog)",
                    short(after),
                    short(before),
                    short(after)
                )
            }
            Change::Moved { .. } => "nothing: the branch had no commit before".to_string(),
            Change::BranchDeleted { name, tip, .. } => {
                format!("create {name} again at {}", short(tip))
            }
            Change::Switched { from, .. } => format!("switch back to {}", head_words(from)),
            Change::StashDropped { .. } => "put the stash entry back on the stash list".into(),
            Change::Discarded { files, .. } => {
                let names: Vec<&str> = files.iter().take(3).map(|f| f.path.as_str()).collect();
                let more = files.len().saturating_sub(3);
                format!(
                    "write back what was thrown away: {}{}",
                    names.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                )
            }
        }
    }
}

fn head_words(head: &HeadAt) -> String {
    match head {
        HeadAt::Branch(name) => name.clone(),
        HeadAt::Detached(id) => format!("detached {}", short(id)),
    }
}

/// The first 8 characters of a commit id.
pub fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// A change as logged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoEntry {
    /// Unique in its log (nanoseconds since the epoch when it was written, kept increasing).
    pub id: u64,
    /// When (seconds since the epoch).
    pub time: u64,
    /// The clone's work tree.
    pub repo: PathBuf,
    /// What changed.
    pub change: Change,
    /// It was undone since (from a later `undone` line).
    #[serde(skip)]
    pub undone: bool,
}

/// One line of the file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
enum Line {
    Change(UndoEntry),
    Undone { id: u64 },
}

/// The log of one clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoLog {
    file: PathBuf,
}

impl UndoLog {
    /// The log kept in `file`.
    pub fn at(file: impl Into<PathBuf>) -> UndoLog {
        UndoLog { file: file.into() }
    }

    /// The log of the clone `repo` in the directory `dir` (`<data>/undo`): one file per clone,
    /// named after its directory and a hash of its full path.
    pub fn for_clone(dir: &Path, repo: &Path) -> UndoLog {
        let full = std::fs::canonicalize(repo).unwrap_or_else(|_| repo.to_path_buf());
        let name: String = full
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .take(40)
            .collect();
        let hash = fnv1a(full.as_os_str().as_encoded_bytes());
        UndoLog::at(dir.join(format!("{name}-{hash:016x}.jsonl")))
    }

    /// The file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Appends a change of `repo` and returns it as logged.
    pub fn append(&self, repo: &Path, change: Change) -> std::io::Result<UndoEntry> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let newest = self.read_all()?.first().map(|e| e.id).unwrap_or(0);
        let id = (now.as_nanos() as u64).max(newest + 1);
        let entry = UndoEntry {
            id,
            time: now.as_secs(),
            repo: repo.to_path_buf(),
            change,
            undone: false,
        };
        self.write_line(&Line::Change(entry.clone()))?;
        Ok(entry)
    }

    /// Records that the change `id` was undone.
    pub fn mark_undone(&self, id: u64) -> std::io::Result<()> {
        self.write_line(&Line::Undone { id })
    }

    /// The changes, newest first (at most [`SHOWN`]), each marked when undone. A missing file
    /// is an empty log; a line that does not parse (torn by a crash) is skipped.
    pub fn entries(&self) -> std::io::Result<Vec<UndoEntry>> {
        let mut all = self.read_all()?;
        all.truncate(SHOWN);
        Ok(all)
    }

    /// The newest change not undone yet: the one an undo takes back.
    pub fn newest_undoable(&self) -> std::io::Result<Option<UndoEntry>> {
        Ok(self.read_all()?.into_iter().find(|e| !e.undone))
    }

    fn read_all(&self) -> std::io::Result<Vec<UndoEntry>> {
        let text = match std::fs::read_to_string(&self.file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut entries = Vec::new();
        let mut undone = std::collections::HashSet::new();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str::<Line>(line) {
                Ok(Line::Change(entry)) => entries.push(entry),
                Ok(Line::Undone { id }) => {
                    undone.insert(id);
                }
                Err(error) => {
                    tracing::warn!(%error, file = %self.file.display(), "skipping a line of the undo log")
                }
            }
        }
        for entry in &mut entries {
            entry.undone = undone.contains(&entry.id);
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.id));
        Ok(entries)
    }

    fn write_line(&self, line: &Line) -> std::io::Result<()> {
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir)?;
        }
        // Led by a newline too: after a torn last line (a crash), this one still starts a line
        // of its own (blank lines are skipped).
        let mut text = String::from("\n");
        text.push_str(&serde_json::to_string(line).map_err(std::io::Error::other)?);
        text.push('\n');
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)?;
        // One write of the whole line: appends from two processes never interleave inside it.
        file.write_all(text.as_bytes())?;
        file.sync_data()
    }
}

/// 64-bit FNV-1a: a stable file name for a path (not for security).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_marks_undone_and_skips_a_torn_line() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let log = UndoLog::for_clone(dir.path(), Path::new("/work/demo"));
        assert!(log.entries()?.is_empty());
        let first = log.append(
            Path::new("/work/demo"),
            Change::BranchDeleted {
                name: "topic".into(),
                tip: "a".repeat(40),
                upstream: None,
            },
        )?;
        let second = log.append(
            Path::new("/work/demo"),
            Change::StashDropped {
                commit: "b".repeat(40),
                message: "On main: wip".into(),
            },
        )?;
        assert!(second.id > first.id);
        // A crash in the middle of a line leaves it torn: it is skipped.
        std::fs::OpenOptions::new()
            .append(true)
            .open(log.file())?
            .write_all(b"{\"record\":\"change\",\"id\":")?;
        let entries = log.entries()?;
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].id, second.id);
        // The torn line ended without a newline: the next append still starts its own line.
        log.mark_undone(second.id)?;
        let newest = log.newest_undoable()?.map(|e| e.id);
        assert_eq!(newest, Some(first.id));
        assert!(log.entries()?[0].undone);
        Ok(())
    }
}
