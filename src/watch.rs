//! A debounced file watcher on the open clone: edits made outside cctui refresh the status
//! pane within about a third of a second, without polling.

use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use notify::{RecursiveMode, Watcher};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

/// Quiet time after the last change before the refresh is asked for.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// Keeps the watch alive; dropping it stops watching.
pub struct RepoWatch {
    _watcher: notify::RecommendedWatcher,
    /// The watched work tree.
    pub path: PathBuf,
}

impl std::fmt::Debug for RepoWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RepoWatch")
            .field("path", &self.path)
            .finish()
    }
}

/// Whether a changed path matters for the status: any work-tree file, and in `.git` only the
/// index, HEAD and refs (not objects, logs or lock files, which every git command touches).
pub fn relevant(root: &Path, path: &Path) -> bool {
    let Ok(relative) = path.strip_prefix(root) else {
        return true;
    };
    let parts: Vec<&str> = relative
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => part.to_str(),
            _ => None,
        })
        .collect();
    match parts.as_slice() {
        // git's own lock files come and go with every command; a work-tree file named
        // `Cargo.lock` is a file like any other.
        [".git", .., last] if last.ends_with(".lock") => false,
        [".git", "info", "exclude"] => true,
        [".git", rest @ ..] => matches!(
            rest.first().copied(),
            Some("index" | "HEAD" | "refs" | "MERGE_HEAD" | "packed-refs")
        ),
        _ => true,
    }
}

pub use crate::model::Changes;

/// More paths than this in one burst are not worth listing: the status rescans.
pub const MAX_PATHS: usize = 512;

/// Watches `root` recursively; calls `notify` (debounced) with what changed.
pub fn watch(root: &Path, notify: impl Fn(Changes) + Send + 'static) -> notify::Result<RepoWatch> {
    // `None`: the watcher lost events (its queue overflowed, or it asks for a rescan).
    let (tx, mut rx): (UnboundedSender<Option<Vec<PathBuf>>>, _) = unbounded_channel();
    let watched = root.to_path_buf();
    let mut watcher =
        notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
            Ok(event) if event.need_rescan() => {
                let _ = tx.send(None);
            }
            Ok(event) => {
                let paths: Vec<PathBuf> = event
                    .paths
                    .into_iter()
                    .filter(|p| relevant(&watched, p))
                    .collect();
                if !paths.is_empty() {
                    let _ = tx.send(Some(paths));
                }
            }
            Err(_) => {
                let _ = tx.send(None);
            }
        })?;
    watcher.watch(root, RecursiveMode::Recursive)?;
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut changes = Changes::default();
            let add = |batch: Option<Vec<PathBuf>>, changes: &mut Changes| match batch {
                Some(paths) => {
                    for path in paths {
                        if changes.paths.len() >= MAX_PATHS {
                            changes.overflowed = true;
                        } else if !changes.paths.contains(&path) {
                            changes.paths.push(path);
                        }
                    }
                }
                None => changes.overflowed = true,
            };
            add(first, &mut changes);
            // Wait for a quiet moment, then report once for the whole burst.
            loop {
                match tokio::time::timeout(DEBOUNCE, rx.recv()).await {
                    Ok(Some(batch)) => add(batch, &mut changes),
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            notify(changes);
        }
    });
    Ok(RepoWatch {
        _watcher: watcher,
        path: root.to_path_buf(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_internals_are_ignored_but_index_and_refs_count() {
        let root = Path::new("/w");
        assert!(relevant(root, Path::new("/w/src/main.rs")));
        assert!(relevant(root, Path::new("/w/.git/index")));
        assert!(relevant(root, Path::new("/w/.git/refs/heads/master")));
        assert!(!relevant(root, Path::new("/w/.git/objects/ab/cdef")));
        assert!(!relevant(root, Path::new("/w/.git/index.lock")));
        assert!(
            relevant(root, Path::new("/w/Cargo.lock")),
            "a work-tree file"
        );
        assert!(relevant(root, Path::new("/w/.git/info/exclude")));
        assert!(relevant(root, Path::new("/w/.git/packed-refs")));
        assert!(!relevant(root, Path::new("/w/.git/refs/heads/main.lock")));
    }

    #[tokio::test]
    async fn a_burst_of_edits_gives_one_debounced_notification()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (tx, mut rx) = unbounded_channel();
        let _watch = watch(dir.path(), move |changes| {
            let _ = tx.send(changes);
        })?;
        for n in 0..20 {
            std::fs::write(dir.path().join(format!("f{n}.txt")), "x")?;
        }
        let first = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await?
            .ok_or("no report")?;
        assert!(!first.overflowed);
        assert!(
            (0..20).all(|n| first.paths.contains(&dir.path().join(format!("f{n}.txt")))),
            "{first:?}"
        );
        let again = tokio::time::timeout(DEBOUNCE * 3, rx.recv()).await;
        assert!(again.is_err(), "the burst was reported more than once");
        std::fs::write(dir.path().join(".git-not"), "y")?;
        let next = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await?
            .ok_or("no report")?;
        assert_eq!(next.paths, vec![dir.path().join(".git-not")]);
        Ok(())
    }
}
