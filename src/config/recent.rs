//! The recent-clones list: clones opened in cctui, newest first, kept in the data dir
//! (`recent.txt`, one path a line) so `O` can reopen them.

use std::path::{Path, PathBuf};

/// At most this many are remembered.
pub const MAX_RECENT: usize = 30;

/// Reads the list; a missing or unreadable file is an empty list (it is only a convenience).
pub fn read(file: &Path) -> Vec<PathBuf> {
    std::fs::read_to_string(file)
        .map(|text| {
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(PathBuf::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Puts `path` first, drops duplicates and the oldest beyond [`MAX_RECENT`], writes atomically.
pub fn remember(file: &Path, path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut list = read(file);
    list.retain(|p| p != path);
    list.insert(0, path.to_path_buf());
    list.truncate(MAX_RECENT);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text: String = list.iter().map(|p| format!("{}\n", p.display())).collect();
    let temporary = file.with_extension("tmp");
    std::fs::write(&temporary, text)?;
    std::fs::rename(&temporary, file)?;
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newest_first_without_duplicates_and_bounded() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let file = dir.path().join("cctui").join("recent.txt");
        assert!(read(&file).is_empty());
        remember(&file, Path::new("/a"))?;
        remember(&file, Path::new("/b"))?;
        let list = remember(&file, Path::new("/a"))?;
        assert_eq!(list, vec![PathBuf::from("/a"), PathBuf::from("/b")]);
        assert_eq!(read(&file), list);
        for n in 0..40 {
            remember(&file, Path::new(&format!("/r{n}")))?;
        }
        assert_eq!(read(&file).len(), MAX_RECENT);
        Ok(())
    }
}
