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
    if parts.last().is_some_and(|last| last.ends_with(".lock")) {
        return false;
    }
    match parts.as_slice() {
        [".git", rest @ ..] => matches!(
            rest.first().copied(),
            Some("index" | "HEAD" | "refs" | "MERGE_HEAD")
        ),
        _ => true,
    }
}

/// Watches `root` recursively; calls `notify` (debounced) when something relevant changed.
pub fn watch(root: &Path, notify: impl Fn() + Send + 'static) -> notify::Result<RepoWatch> {
    let (tx, mut rx): (UnboundedSender<()>, _) = unbounded_channel();
    let watched = root.to_path_buf();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event
            && event.paths.iter().any(|p| relevant(&watched, p))
        {
            let _ = tx.send(());
        }
    })?;
    watcher.watch(root, RecursiveMode::Recursive)?;
    tokio::spawn(async move {
        while rx.recv().await.is_some() {
            // Wait for a quiet moment, then report once for the whole burst.
            loop {
                match tokio::time::timeout(DEBOUNCE, rx.recv()).await {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_) => break,
                }
            }
            notify();
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
        assert!(!relevant(root, Path::new("/w/src/.main.rs.swp.lock")));
    }

    #[tokio::test]
    async fn a_burst_of_edits_gives_one_debounced_notification()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let (tx, mut rx) = unbounded_channel();
        let _watch = watch(dir.path(), move || {
            let _ = tx.send(());
        })?;
        for n in 0..20 {
            std::fs::write(dir.path().join(format!("f{n}.txt")), "x")?;
        }
        let first = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await?;
        assert_eq!(first, Some(()));
        let again = tokio::time::timeout(DEBOUNCE * 3, rx.recv()).await;
        assert!(again.is_err(), "the burst was reported more than once");
        std::fs::write(dir.path().join(".git-not"), "y")?;
        assert_eq!(
            tokio::time::timeout(Duration::from_secs(5), rx.recv()).await?,
            Some(())
        );
        Ok(())
    }
}
