//! `.git/index` read directly (versions 2, 3 and 4, and its cache-tree `TREE` extension), as
//! git reads it for `git status`: without re-hashing the whole file to verify its trailing
//! checksum (git skips that too unless `index.skipHash`/fsck ask) and without building
//! libgit2's in-memory index, which on 100,000 entries cost more than the rest of the scan
//! before any file was looked at.
//!
//! What this reader does not understand — a split index (`link`), a sparse index (directory
//! entries), another hash than SHA-1, any required extension it does not know — makes it
//! return `None`, and the caller reads the index through libgit2 instead.

use std::collections::HashMap;

use git2::Oid;

/// One index entry, the fields the status compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) path: Vec<u8>,
    pub(crate) ctime: u32,
    pub(crate) mtime: u32,
    pub(crate) ino: u32,
    pub(crate) mode: u32,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) size: u32,
    pub(crate) id: Oid,
    pub(crate) flags: u16,
    pub(crate) flags_extended: u16,
}

impl Entry {
    pub(crate) fn stage(&self) -> u16 {
        (self.flags >> 12) & 0x3
    }
}

impl From<git2::IndexEntry> for Entry {
    fn from(e: git2::IndexEntry) -> Entry {
        Entry {
            ctime: e.ctime.seconds() as u32,
            mtime: e.mtime.seconds() as u32,
            ino: e.ino,
            mode: e.mode,
            uid: e.uid,
            gid: e.gid,
            size: e.file_size,
            id: e.id,
            flags: e.flags,
            flags_extended: e.flags_extended,
            path: e.path,
        }
    }
}

/// The parsed file: every entry (all stages, index order) and the valid cache-tree nodes
/// (directory path without trailing slash, `""` for the root → the tree id git computed for
/// it from the index).
#[derive(Debug, Default)]
pub(crate) struct IndexFile {
    pub(crate) entries: Vec<Entry>,
    pub(crate) cache_tree: HashMap<Vec<u8>, Oid>,
}

const HASH: usize = 20;

fn be32(data: &[u8], at: usize) -> Option<u32> {
    let bytes = data.get(at..at + 4)?;
    Some(u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

/// Parses the bytes of an index file; `None` for anything this reader does not handle.
pub(crate) fn parse(data: &[u8]) -> Option<IndexFile> {
    if data.len() < 12 + HASH || &data[..4] != b"DIRC" {
        return None;
    }
    let version = be32(data, 4)?;
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = be32(data, 8)? as usize;
    let end = data.len() - HASH;
    let mut at = 12;
    let mut entries = Vec::with_capacity(count);
    let mut previous: Vec<u8> = Vec::new();
    for _ in 0..count {
        let start = at;
        let fixed = data.get(at..at + 62)?;
        let word =
            |i: usize| u32::from_be_bytes([fixed[i], fixed[i + 1], fixed[i + 2], fixed[i + 3]]);
        let flags = u16::from_be_bytes([fixed[60], fixed[61]]);
        at += 62;
        let mut flags_extended = 0;
        if flags & 0x4000 != 0 {
            if version < 3 {
                return None;
            }
            let ext = data.get(at..at + 2)?;
            flags_extended = u16::from_be_bytes([ext[0], ext[1]]);
            at += 2;
        }
        let path = if version == 4 {
            // Prefix compression: drop `strip` bytes of the previous path, append the suffix.
            let (strip, used) = varint(data.get(at..end)?)?;
            at += used;
            let suffix_len = data.get(at..end)?.iter().position(|&b| b == 0)?;
            let keep = previous.len().checked_sub(strip)?;
            let mut path = Vec::with_capacity(keep + suffix_len);
            path.extend_from_slice(&previous[..keep]);
            path.extend_from_slice(&data[at..at + suffix_len]);
            at += suffix_len + 1;
            path
        } else {
            let len = usize::from(flags & 0xfff);
            let len = if len == 0xfff {
                data.get(at..end)?.iter().position(|&b| b == 0)?
            } else {
                len
            };
            let path = data.get(at..at + len)?.to_vec();
            // Entries are NUL-padded to a multiple of eight bytes.
            at = start + ((at - start + len + 8) & !7);
            path
        };
        let mode = word(24);
        if mode & 0o170000 == 0o040000 {
            // A sparse index's directory entry.
            return None;
        }
        let entry = Entry {
            ctime: word(0),
            mtime: word(8),
            ino: word(20),
            mode,
            uid: word(28),
            gid: word(32),
            size: word(36),
            id: Oid::from_bytes(&fixed[40..60]).ok()?,
            flags,
            flags_extended,
            path,
        };
        if version == 4 {
            previous.clone_from(&entry.path);
        }
        entries.push(entry);
        if at > end {
            return None;
        }
    }
    let mut cache_tree = HashMap::new();
    while at + 8 <= end {
        let signature = &data[at..at + 4];
        let size = be32(data, at + 4)? as usize;
        let body = data.get(at + 8..at + 8 + size)?;
        match signature {
            b"TREE" => cache_tree = parse_tree(body)?,
            b"link" | b"sdir" => return None,
            // Optional extensions start with an upper-case letter; others must be understood.
            s if !s[0].is_ascii_uppercase() => return None,
            _ => {}
        }
        at += 8 + size;
    }
    Some(IndexFile {
        entries,
        cache_tree,
    })
}

/// git's `decode_varint` (offset encoding: each continuation adds one).
fn varint(data: &[u8]) -> Option<(usize, usize)> {
    let mut used = 0;
    let mut c = *data.first()?;
    used += 1;
    let mut value = usize::from(c & 127);
    while c & 128 != 0 {
        c = *data.get(used)?;
        used += 1;
        value = value.checked_add(1)?.checked_mul(128)? + usize::from(c & 127);
    }
    Some((value, used))
}

/// The `TREE` extension: nodes in pre-order, each `name NUL entry_count SP subtrees LF [id]`;
/// an entry count of -1 marks a node invalidated since it was computed (no id follows).
fn parse_tree(body: &[u8]) -> Option<HashMap<Vec<u8>, Oid>> {
    let mut out = HashMap::new();
    let mut at = 0;
    // Each open directory with how many of its subtrees are still to come.
    let mut stack: Vec<(Vec<u8>, usize)> = Vec::new();
    while at < body.len() {
        let name_len = body[at..].iter().position(|&b| b == 0)?;
        let name = &body[at..at + name_len];
        at += name_len + 1;
        let line_len = body[at..].iter().position(|&b| b == b'\n')?;
        let line = std::str::from_utf8(&body[at..at + line_len]).ok()?;
        at += line_len + 1;
        let (count, subtrees) = line.split_once(' ')?;
        let count: i64 = count.parse().ok()?;
        let subtrees: usize = subtrees.parse().ok()?;
        while stack.last().is_some_and(|(_, left)| *left == 0) {
            stack.pop();
        }
        let path = match stack.last_mut() {
            Some((parent, left)) => {
                *left -= 1;
                let mut path = parent.clone();
                if !path.is_empty() {
                    path.push(b'/');
                }
                path.extend_from_slice(name);
                path
            }
            None => name.to_vec(),
        };
        if count >= 0 {
            let id = Oid::from_bytes(body.get(at..at + HASH)?).ok()?;
            at += HASH;
            out.insert(path.clone(), id);
        }
        stack.push((path, subtrees));
    }
    Some(out)
}
