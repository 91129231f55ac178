//! Repository metadata and the bare repositories on disk.
//!
//! Layout under the data directory:
//! - `meta/<repository id>.json`: one metadata file per repository, replaced atomically
//!   (write a temp file, fsync, rename, fsync `meta/`) so a crash never leaves half a file and
//!   an acknowledged change survives one; see [`crate::local::recovery`] for the write orders;
//! - `repos/<repository id>.git`: the bare repository.
//!
//! Paths are built from the ids this module generates, never from repository names, so a name
//! cannot escape the data directory and renaming a repository touches only its metadata.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::local::recovery::{self, RecoveryReport};

/// Error of the store: the data directory cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file operation failed.
    #[error(
        "cannot {action} {path}: {source} (check that the data directory is writable, or pass another --data-dir)"
    )]
    Io {
        /// What was being done.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A metadata file is not valid JSON.
    #[error("corrupt metadata file {path}: {source} (remove it or restore it from a backup)")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// A repository with this name exists already.
    #[error("repository {0} already exists")]
    NameExists(String),
    /// No repository with this name.
    #[error("repository {0} does not exist")]
    NotFound(String),
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io {
        action,
        path,
        source,
    }
}

/// Metadata of one repository, as stored on disk.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RepoMeta {
    /// Stable id; names the files on disk.
    pub id: String,
    /// Current name (may change with UpdateRepositoryName).
    pub name: String,
    /// Free text description.
    pub description: Option<String>,
    /// Seconds since the epoch.
    pub creation_date: f64,
    /// Seconds since the epoch; updated by metadata changes and pushes.
    pub last_modified_date: f64,
    /// Absent until the first branch exists.
    pub default_branch: Option<String>,
    /// KMS key the repository is "encrypted" with.
    pub kms_key_id: String,
    /// Resource tags.
    pub tags: BTreeMap<String, String>,
    /// Trigger configuration, kept as the JSON the client sent.
    pub triggers: Vec<serde_json::Value>,
    /// Id of the current trigger configuration.
    pub triggers_configuration_id: String,
}

/// Seconds since the epoch with millisecond precision, as CodeCommit reports dates.
pub fn now_epoch_seconds() -> f64 {
    let elapsed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (elapsed.as_millis() as f64) / 1000.0
}

static ID_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A random UUID-shaped id (version 4 layout). Uses the std hasher's per-process random keys, so
/// no extra dependency is needed; ids only need to be unique, not secret.
pub fn new_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut words = [0u64; 2];
    for (i, word) in words.iter_mut().enumerate() {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u64(ID_COUNTER.fetch_add(1, Ordering::Relaxed));
        hasher.write_usize(i);
        hasher.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        *word = hasher.finish();
    }
    let hex = format!("{:016x}{:016x}", words[0], words[1]);
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        ["8", "9", "a", "b"][(words[1] & 3) as usize],
        &hex[17..20],
        &hex[20..32]
    )
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<String, RepoMeta>,
    id_by_name: BTreeMap<String, String>,
    /// Names of creates still being written.
    pending: HashSet<String>,
}

/// All repositories of the service. Cheap, short critical sections: the lock is never held
/// across an await, and the only I/O under it is the metadata write of a changed repository,
/// which keeps disk order equal to memory order (creates write outside it: their id is new).
pub struct Store {
    root: PathBuf,
    inner: Mutex<Inner>,
    recovery: RecoveryReport,
}

impl Store {
    /// Opens (creating if needed) the store under `root` and loads every metadata file.
    pub fn open(root: &Path) -> Result<Self, StoreError> {
        let meta_dir = root.join("meta");
        let repos_dir = root.join("repos");
        fs::create_dir_all(&meta_dir).map_err(io_err("create", &meta_dir))?;
        fs::create_dir_all(&repos_dir).map_err(io_err("create", &repos_dir))?;
        let mut report = RecoveryReport::default();
        recovery::remove_temp_files(&meta_dir, &mut report);
        let mut inner = Inner::default();
        for entry in fs::read_dir(&meta_dir).map_err(io_err("read", &meta_dir))? {
            let path = entry.map_err(io_err("read", &meta_dir))?.path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let text = fs::read(&path).map_err(io_err("read", &path))?;
            let meta: RepoMeta =
                serde_json::from_slice(&text).map_err(|source| StoreError::Corrupt {
                    path: path.clone(),
                    source,
                })?;
            inner.id_by_name.insert(meta.name.clone(), meta.id.clone());
            inner.by_id.insert(meta.id.clone(), meta);
        }
        let known: HashSet<String> = inner.by_id.keys().cloned().collect();
        recovery::remove_orphan_folders(&repos_dir, &known, &mut report);
        for meta in inner.by_id.values() {
            let repo = repos_dir.join(format!("{}.git", meta.id));
            recovery::repair_repository(&repo, meta.default_branch.as_deref(), &mut report);
        }
        if !report.is_clean() {
            tracing::warn!(?report, root = %root.display(), "recovered the leftovers of an interrupted run");
        }
        Ok(Self {
            root: root.to_path_buf(),
            inner: Mutex::new(inner),
            recovery: report,
        })
    }

    /// What start-up recovery cleaned or completed.
    pub fn recovery(&self) -> RecoveryReport {
        self.recovery
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the maps half-updated in a harmful way
        // (every change is a single insert/remove), so keep serving after poisoning.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The data directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Directory holding the bare repositories (the `GIT_PROJECT_ROOT` of `git http-backend`).
    pub fn repos_dir(&self) -> PathBuf {
        self.root.join("repos")
    }

    /// Path of the bare repository of `id`.
    pub fn repo_path(&self, id: &str) -> PathBuf {
        self.repos_dir().join(format!("{id}.git"))
    }

    fn meta_path(&self, id: &str) -> PathBuf {
        self.root.join("meta").join(format!("{id}.json"))
    }

    fn write_meta(&self, meta: &RepoMeta) -> Result<(), StoreError> {
        let path = self.meta_path(&meta.id);
        let tmp = path.with_extension("json.tmp");
        let bytes = serde_json::to_vec_pretty(meta).map_err(|source| StoreError::Corrupt {
            path: path.clone(),
            source,
        })?;
        let mut file = fs::File::create(&tmp).map_err(io_err("create", &tmp))?;
        file.write_all(&bytes).map_err(io_err("write", &tmp))?;
        file.sync_all().map_err(io_err("sync", &tmp))?;
        fs::rename(&tmp, &path).map_err(io_err("rename", &tmp))?;
        // The rename is durable only once the directory is: until then a crash could bring
        // back the old file (or none), and the change must not be acknowledged before.
        sync_dir(&self.root.join("meta"))
    }

    /// Number of repositories.
    pub fn len(&self) -> usize {
        self.lock().by_id.len()
    }

    /// True when there is no repository.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Metadata of the repository called `name`.
    pub fn get(&self, name: &str) -> Option<RepoMeta> {
        let inner = self.lock();
        let id = inner.id_by_name.get(name)?;
        inner.by_id.get(id).cloned()
    }

    /// Metadata of the repository with id `id`.
    pub fn get_by_id(&self, id: &str) -> Option<RepoMeta> {
        self.lock().by_id.get(id).cloned()
    }

    /// Every repository, sorted by name.
    pub fn all(&self) -> Vec<RepoMeta> {
        let inner = self.lock();
        inner
            .id_by_name
            .values()
            .filter_map(|id| inner.by_id.get(id).cloned())
            .collect()
    }

    /// Creates the repository: bare repository first, then its metadata, so a crash in between
    /// leaves at worst an unreferenced directory, never metadata without a repository.
    pub fn create(&self, meta: RepoMeta) -> Result<RepoMeta, StoreError> {
        {
            // Reserve the name: a second create (or a rename) to it fails from here on, while
            // readers do not see the repository before it is durable.
            let mut inner = self.lock();
            if inner.id_by_name.contains_key(&meta.name) || inner.pending.contains(&meta.name) {
                return Err(StoreError::NameExists(meta.name));
            }
            inner.pending.insert(meta.name.clone());
        }
        // The slow part (files and fsyncs) runs outside the lock, so concurrent creates share
        // their flushes instead of queueing one fsync after the other. Nobody else writes this
        // id's files: the id is new.
        let written = init_bare(&self.repo_path(&meta.id)).and_then(|()| self.write_meta(&meta));
        let mut inner = self.lock();
        inner.pending.remove(&meta.name);
        if let Err(error) = written {
            drop(inner);
            let _ = fs::remove_file(self.meta_path(&meta.id));
            let _ = fs::remove_dir_all(self.repo_path(&meta.id));
            return Err(error);
        }
        inner.id_by_name.insert(meta.name.clone(), meta.id.clone());
        inner.by_id.insert(meta.id.clone(), meta.clone());
        Ok(meta)
    }

    /// Applies `change` to the repository called `name` and persists it.
    pub fn update(
        &self,
        name: &str,
        change: impl FnOnce(&mut RepoMeta),
    ) -> Result<RepoMeta, StoreError> {
        let mut inner = self.lock();
        let id = inner
            .id_by_name
            .get(name)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(name.to_string()))?;
        self.update_locked(&mut inner, &id, change)
    }

    /// Applies `change` to the repository with id `id` and persists it.
    pub fn update_by_id(
        &self,
        id: &str,
        change: impl FnOnce(&mut RepoMeta),
    ) -> Result<RepoMeta, StoreError> {
        let mut inner = self.lock();
        self.update_locked(&mut inner, id, change)
    }

    fn update_locked(
        &self,
        inner: &mut Inner,
        id: &str,
        change: impl FnOnce(&mut RepoMeta),
    ) -> Result<RepoMeta, StoreError> {
        let current = inner
            .by_id
            .get(id)
            .ok_or_else(|| StoreError::NotFound(id.to_string()))?;
        let mut updated = current.clone();
        change(&mut updated);
        if updated.name != current.name {
            if inner.id_by_name.contains_key(&updated.name) || inner.pending.contains(&updated.name)
            {
                return Err(StoreError::NameExists(updated.name));
            }
            self.write_meta(&updated)?;
            let old_name = current.name.clone();
            inner.id_by_name.remove(&old_name);
            inner
                .id_by_name
                .insert(updated.name.clone(), id.to_string());
        } else {
            self.write_meta(&updated)?;
        }
        inner.by_id.insert(id.to_string(), updated.clone());
        Ok(updated)
    }

    /// Deletes the repository called `name`; `None` when it did not exist.
    pub fn delete(&self, name: &str) -> Result<Option<RepoMeta>, StoreError> {
        let meta = {
            let mut inner = self.lock();
            let Some(id) = inner.id_by_name.get(name).cloned() else {
                return Ok(None);
            };
            let path = self.meta_path(&id);
            fs::remove_file(&path).map_err(io_err("remove", &path))?;
            sync_dir(&self.root.join("meta"))?;
            inner.id_by_name.remove(name);
            inner.by_id.remove(&id)
        };
        if let Some(meta) = &meta {
            // Outside the lock: removing a big repository can take a while. Move it aside first
            // so a half-removed directory is never mistaken for a live repository.
            let path = self.repo_path(&meta.id);
            let trash = self.repos_dir().join(format!("{}.deleted", meta.id));
            if fs::rename(&path, &trash).is_ok() {
                let _ = fs::remove_dir_all(&trash);
            }
        }
        Ok(meta)
    }
}

/// Flushes a directory's entries (new, renamed or removed files) to disk.
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("sync", dir))
}

/// The `config` of every bare repository the service creates.
pub const BARE_CONFIG: &str = "[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = true\n\
     [http]\n\treceivepack = true\n\tuploadpack = true\n[receive]\n\tdenyDeleteCurrent = false\n";

/// Creates a bare repository by writing its few files directly: much faster than a `git init`
/// process, which matters when tests create thousands of repositories.
pub fn init_bare(path: &Path) -> Result<(), StoreError> {
    for dir in [
        "objects/info",
        "objects/pack",
        "refs/heads",
        "refs/tags",
        "info",
    ] {
        let d = path.join(dir);
        fs::create_dir_all(&d).map_err(io_err("create", &d))?;
    }
    let files: [(&str, &str); 3] = [
        ("HEAD", "ref: refs/heads/master\n"),
        ("config", BARE_CONFIG),
        ("description", "Repository of the cctui local service\n"),
    ];
    for (name, content) in files {
        let p = path.join(name);
        fs::write(&p, content).map_err(io_err("write", &p))?;
    }
    Ok(())
}

/// Points the bare repository's HEAD at `branch`, so clones check out the default branch.
pub fn set_head(repo: &Path, branch: &str) -> Result<(), StoreError> {
    let head = repo.join("HEAD");
    let tmp = repo.join("HEAD.cctui-tmp");
    fs::write(&tmp, format!("ref: refs/heads/{branch}\n")).map_err(io_err("write", &tmp))?;
    fs::rename(&tmp, &head).map_err(io_err("rename", &tmp))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn meta(name: &str) -> RepoMeta {
        RepoMeta {
            id: new_id(),
            name: name.to_string(),
            description: None,
            creation_date: now_epoch_seconds(),
            last_modified_date: now_epoch_seconds(),
            default_branch: None,
            kms_key_id: "alias/aws/codecommit".into(),
            tags: BTreeMap::new(),
            triggers: vec![],
            triggers_configuration_id: new_id(),
        }
    }

    #[test]
    fn reopening_cleans_what_an_interrupted_run_left_and_completes_repositories() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let kept = store.create(meta("kept")).unwrap();
        let broken = store.create(meta("broken")).unwrap();
        drop(store);
        let repo = dir.path().join("repos").join(format!("{}.git", kept.id));
        fs::create_dir_all(repo.join("objects/tmp_objdir-incoming-abc123/pack")).unwrap();
        fs::write(repo.join("refs/heads/main.lock"), "").unwrap();
        fs::write(repo.join("packed-refs.lock"), "").unwrap();
        fs::write(
            dir.path()
                .join("meta")
                .join(format!("{}.json.tmp", kept.id)),
            "{",
        )
        .unwrap();
        init_bare(&dir.path().join("repos/orphan-id.git")).unwrap();
        fs::create_dir_all(dir.path().join("repos/gone-id.deleted/objects")).unwrap();
        let broken_repo = dir.path().join("repos").join(format!("{}.git", broken.id));
        fs::remove_file(broken_repo.join("HEAD")).unwrap();
        fs::remove_dir_all(broken_repo.join("refs")).unwrap();

        let store = Store::open(dir.path()).unwrap();
        let report = store.recovery();
        assert_eq!(
            report,
            RecoveryReport {
                temp_files: 1,
                orphan_folders: 2,
                quarantine_folders: 1,
                lock_files: 2,
                completed: 1,
            }
        );
        assert_eq!(store.len(), 2);
        assert_eq!(fs::read_dir(dir.path().join("repos")).unwrap().count(), 2);
        assert!(!repo.join("objects/tmp_objdir-incoming-abc123").exists());
        assert!(!repo.join("refs/heads/main.lock").exists());
        assert!(git2::Repository::open_bare(&broken_repo).is_ok());
        drop(store);
        assert!(Store::open(dir.path()).unwrap().recovery().is_clean());
    }

    #[test]
    fn ids_are_uuid_shaped_and_unique() {
        let a = new_id();
        let b = new_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.matches('-').count(), 4);
    }

    #[test]
    fn survives_reopen_and_rename_keeps_the_directory() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let created = store.create(meta("one")).unwrap();
        assert!(matches!(
            store.create(meta("one")),
            Err(StoreError::NameExists(_))
        ));
        store.update("one", |m| m.name = "two".into()).unwrap();
        drop(store);
        let store = Store::open(dir.path()).unwrap();
        assert!(store.get("one").is_none());
        let renamed = store.get("two").unwrap();
        assert_eq!(renamed.id, created.id);
        assert!(store.repo_path(&renamed.id).join("HEAD").exists());
        assert_eq!(store.delete("two").unwrap().unwrap().id, created.id);
        assert!(!store.repo_path(&created.id).exists());
        assert!(store.delete("two").unwrap().is_none());
    }
}
