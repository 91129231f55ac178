//! The changed regions of a three-way merge of one text file (diff3), for
//! DescribeMergeConflicts' merge hunks and its conflict counts.
//!
//! Each side is diffed against the base without context; overlapping or touching changes of
//! the two sides make one region (touching ones conflict, as in git), a conflict when the
//! sides' lines differ there. Line numbers are 0-based with an exclusive end.

use crate::local::ops::{ApiError, git_error};

/// Lines with their newlines.
pub(crate) fn lines(text: &[u8]) -> Vec<&[u8]> {
    text.split_inclusive(|b| *b == b'\n').collect()
}

/// A change of one side against the base: base lines `[start, end)` became `new` lines
/// `[new_start, new_end)` of that side.
#[derive(Debug, Clone, Copy)]
struct Change {
    start: usize,
    end: usize,
    new_start: usize,
    new_end: usize,
}

fn changes(base: &[u8], side: &[u8]) -> Result<Vec<Change>, ApiError> {
    let mut options = git2::DiffOptions::new();
    options.context_lines(0);
    let patch =
        git2::Patch::from_buffers(base, None, side, None, Some(&mut options)).map_err(git_error)?;
    let mut out = Vec::new();
    for i in 0..patch.num_hunks() {
        let (hunk, _) = patch.hunk(i).map_err(git_error)?;
        let span = |start: u32, count: u32| {
            // libgit2 counts from 1; an empty range starts after line `start`.
            let s = if count == 0 {
                start
            } else {
                start.saturating_sub(1)
            } as usize;
            (s, s + count as usize)
        };
        let (start, end) = span(hunk.old_start(), hunk.old_lines());
        let (new_start, new_end) = span(hunk.new_start(), hunk.new_lines());
        out.push(Change {
            start,
            end,
            new_start,
            new_end,
        });
    }
    Ok(out)
}

/// A region of the three-way merge of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hunk {
    /// Both sides changed it, differently.
    pub conflict: bool,
    /// Lines `[start, end)` of the base.
    pub base: (usize, usize),
    /// Lines of the source.
    pub source: (usize, usize),
    /// Lines of the destination.
    pub destination: (usize, usize),
}

/// The changed regions of a three-way merge of text files (diff3): overlapping or touching
/// changes of the two sides make one region, a conflict when the sides differ there.
pub fn hunks(base: &[u8], source: &[u8], destination: &[u8]) -> Result<Vec<Hunk>, ApiError> {
    let src = changes(base, source)?;
    let dst = changes(base, destination)?;
    // (is source, change), in base order.
    let mut all: Vec<(bool, Change)> = src
        .iter()
        .map(|c| (true, *c))
        .chain(dst.iter().map(|c| (false, *c)))
        .collect();
    all.sort_by_key(|(_, c)| (c.start, c.end));
    let delta = |c: &Change| (c.new_end - c.new_start) as isize - (c.end - c.start) as isize;
    let source_lines = lines(source);
    let destination_lines = lines(destination);
    let mut out = Vec::new();
    // Lines each side gained before the current region.
    let (mut before_source, mut before_destination) = (0isize, 0isize);
    let mut i = 0;
    while i < all.len() {
        let (start, mut end) = (all[i].1.start, all[i].1.end);
        let (mut inside_source, mut inside_destination) = (0isize, 0isize);
        let (mut in_source, mut in_destination) = (false, false);
        let mut j = i;
        while j < all.len() && (j == i || all[j].1.start <= end) {
            let (is_source, c) = all[j];
            end = end.max(c.end);
            if is_source {
                in_source = true;
                inside_source += delta(&c);
            } else {
                in_destination = true;
                inside_destination += delta(&c);
            }
            j += 1;
        }
        let range = |before: isize, inside: isize| {
            let s = (start as isize + before).max(0) as usize;
            let e = (end as isize + before + inside).max(s as isize) as usize;
            (s, e)
        };
        let s = range(before_source, inside_source);
        let d = range(before_destination, inside_destination);
        let conflict = in_source
            && in_destination
            && source_lines.get(s.0..s.1) != destination_lines.get(d.0..d.1);
        out.push(Hunk {
            conflict,
            base: (start, end),
            source: s,
            destination: d,
        });
        before_source += inside_source;
        before_destination += inside_destination;
        i = j;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_are_the_changed_regions_and_overlaps_conflict() {
        let base = b"a\nb\nc\nd\ne\n";
        let source = b"a\nB\nc\nd\ne\nf\n";
        let destination = b"a\nb2\nc\nD\ne\n";
        let h = hunks(base, source, destination).expect("hunks");
        let spans: Vec<_> = h
            .iter()
            .map(|h| (h.conflict, h.base, h.source, h.destination))
            .collect();
        assert_eq!(
            spans,
            vec![
                (true, (1, 2), (1, 2), (1, 2)),
                (false, (3, 4), (3, 4), (3, 4)),
                (false, (5, 5), (5, 6), (5, 5)),
            ]
        );
        // Touching changes conflict, as in git.
        let touching = hunks(base, source, b"a\nb\nc\nd\nE\n").expect("hunks");
        assert_eq!(touching.len(), 2);
        assert!(touching[1].conflict);
        assert_eq!(touching[1].source, (4, 6));
        // The same change on both sides is no conflict.
        let same = hunks(base, source, source).expect("hunks");
        assert!(same.iter().all(|h| !h.conflict));
    }

    #[test]
    fn hunk_line_numbers_follow_insertions_before_them() {
        let base = b"a\nb\nc\n";
        let source = b"x\ny\na\nb\nC\n";
        let destination = b"a\nb\nc2\n";
        let h = hunks(base, source, destination).expect("hunks");
        assert_eq!(h.len(), 2);
        assert_eq!(h[1].base, (2, 3));
        assert_eq!(h[1].source, (4, 5));
        assert_eq!(h[1].destination, (2, 3));
        assert!(h[1].conflict);
    }
}
