//! The diff of two versions of a file given as bytes (a pull request's blobs, read from
//! CodeCommit), as the same [`FileDiff`] the working-tree diff view shows: binary and large
//! files summarised, line numbers on both sides.

use std::path::Path;

use git2::Patch;

use super::GitError;
use super::diff::{FileChange, FileDiff, MAX_BYTES, fill_from_patch, options};
use super::repo::other;

/// Diffs `before` against `after` (an empty side: the file is new, or deleted).
pub fn diff_blobs(path: &str, before: &[u8], after: &[u8]) -> Result<FileDiff, GitError> {
    let change = match (before.is_empty(), after.is_empty()) {
        (true, false) => FileChange::Added,
        (false, true) => FileChange::Deleted,
        _ => FileChange::Modified,
    };
    let size = before.len().max(after.len()) as u64;
    let out = FileDiff {
        path: path.to_string(),
        old_path: None,
        change,
        binary: false,
        too_large: None,
        old_mode: 0,
        new_mode: 0,
        additions: 0,
        deletions: 0,
        hunks: Vec::new(),
    };
    if size > MAX_BYTES {
        return Ok(FileDiff {
            too_large: Some(size),
            ..out
        });
    }
    let mut opts = options(None);
    let patch = Patch::from_buffers(
        before,
        Some(Path::new(path)),
        after,
        Some(Path::new(path)),
        Some(&mut opts),
    )
    .map_err(other)?;
    Ok(fill_from_patch(out, &patch, size)?.0)
}

/// The three-way merge of one file's versions, with git's conflict markers where both sides
/// changed the same lines (`<<<<<<< destination` … `=======` … `>>>>>>> source`, git's
/// "ours" being the destination a pull request merges into).
pub fn merge_with_markers(
    base: &[u8],
    destination: &[u8],
    source: &[u8],
) -> Result<Vec<u8>, GitError> {
    let input = |content| {
        let mut input = git2::MergeFileInput::new();
        input.content(content);
        input
    };
    let (base, ours, theirs) = (input(base), input(destination), input(source));
    let mut options = git2::MergeFileOptions::new();
    options.our_label("destination").their_label("source");
    let merged = git2::merge_file(&base, &ours, &theirs, Some(&mut options)).map_err(other)?;
    Ok(merged.content().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::diff::LineOrigin;

    #[test]
    fn lines_carry_both_numbers() -> Result<(), GitError> {
        let diff = diff_blobs("a.txt", b"one\ntwo\nthree\n", b"one\n2\nthree\nfour\n")?;
        assert_eq!(diff.change, FileChange::Modified);
        assert_eq!((diff.additions, diff.deletions), (2, 1));
        let lines: Vec<_> = diff.hunks[0]
            .lines
            .iter()
            .map(|l| (l.origin, l.old_no, l.new_no, l.text.as_str()))
            .collect();
        assert_eq!(
            lines,
            [
                (LineOrigin::Context, Some(1), Some(1), "one"),
                (LineOrigin::Removed, Some(2), None, "two"),
                (LineOrigin::Added, None, Some(2), "2"),
                (LineOrigin::Context, Some(3), Some(3), "three"),
                (LineOrigin::Added, None, Some(4), "four"),
            ]
        );
        Ok(())
    }

    #[test]
    fn a_three_way_merge_marks_what_both_sides_changed() -> Result<(), GitError> {
        let merged = merge_with_markers(b"a\nb\nc\n", b"a\nB\nc\n", b"a\nbee\nc\n")?;
        assert_eq!(
            String::from_utf8_lossy(&merged),
            "a\n<<<<<<< destination\nB\n=======\nbee\n>>>>>>> source\nc\n"
        );
        Ok(())
    }

    #[test]
    fn binary_and_new_files_are_summarised() -> Result<(), GitError> {
        let binary = diff_blobs("logo.png", b"\x89PNG\0\0\x01", b"\x89PNG\0\0\x02")?;
        assert!(binary.binary && binary.hunks.is_empty());
        let new = diff_blobs("new.txt", b"", b"hello\n")?;
        assert_eq!(new.change, FileChange::Added);
        assert_eq!(new.additions, 1);
        Ok(())
    }
}
