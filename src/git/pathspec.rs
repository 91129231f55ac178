//! Paths given to git are literal (DESIGN.md): `app/[id]/page.tsx`, `notes*.txt`, `a?.txt`,
//! `#draft.txt` and `!important.txt` name those files and nothing else.
//!
//! libgit2 reads every path list it takes (checkout paths, diff and status pathspecs,
//! `Index::add_all`/`update_all`, `reset_default`) as pathspecs: `[`, `*`, `?` are globs, a
//! leading `!` negates, a leading `#` makes a comment (dropped: an empty list means
//! *everything*), trailing blanks are trimmed. `disable_pathspec_match` only turns the globs off,
//! and then a directory whose name contains a glob character no longer matches the files under
//! it. So cctui never hands libgit2 a name it would read differently:
//!
//! - [`narrowing`] gives a *plain* prefix of the path (components libgit2 reads as themselves),
//!   which selects a superset; the caller then keeps exactly the entries [`at_or_under`] the
//!   literal path.
//! - [`escape`] gives, for one exact file, a glob (fnmatch *on*) that matches only that file,
//!   for the calls that take no filter (checkout paths, `reset_default`).

/// Characters libgit2's pathspec parser or matcher gives a meaning to.
const SPECIAL: &[char] = &['*', '?', '[', ']', '\\'];

/// Whether libgit2 reads `path` as itself, both with and without globbing: no glob or escape
/// character, no leading `!` or `#`, no blank at either end, no control character.
pub(crate) fn is_plain(path: &str) -> bool {
    !path.is_empty()
        && !path.contains(SPECIAL)
        && !path.starts_with(['!', '#'])
        && !path.starts_with(char::is_whitespace)
        && !path.ends_with(char::is_whitespace)
        && !path.contains(|c: char| c.is_control())
}

/// The longest leading run of `path`'s components that is [`is_plain`], to restrict a libgit2
/// walk to a superset of `path`; `None` when even the first component is not plain (walk all).
pub(crate) fn narrowing(path: &str) -> Option<String> {
    let plain: Vec<&str> = path
        .split('/')
        .take_while(|component| is_plain(component))
        .collect();
    (!plain.is_empty()).then(|| plain.join("/"))
}

/// `candidate` (a path as git stores it) is `path` or lies under the directory `path`.
pub(crate) fn at_or_under(candidate: &[u8], path: &str) -> bool {
    let path = path.as_bytes();
    candidate == path || (candidate.starts_with(path) && candidate.get(path.len()) == Some(&b'/'))
}

/// A glob (for a libgit2 call with pathspec matching *on*) that matches exactly the file `path`:
/// every glob and escape character, blank, and a leading `!` or `#` is backslash-escaped
/// (wildmatch then compares it literally, and the parser neither negates nor drops it). For a
/// plain `path` this is `path` itself, which libgit2 also matches as a directory prefix.
pub(crate) fn escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 4);
    for (i, c) in path.chars().enumerate() {
        let leading = i == 0 && matches!(c, '!' | '#');
        if leading || SPECIAL.contains(&c) || c == ' ' || c == '\t' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_prefixes_and_escapes() {
        assert!(is_plain("src/app/page.tsx"));
        for name in ["a?.txt", "notes*.txt", "app/[id]", "#x", "!x", "x ", "a\\b"] {
            assert!(!is_plain(name), "{name}");
        }
        assert_eq!(narrowing("app/[id]/page.tsx").as_deref(), Some("app"));
        assert_eq!(narrowing("notes*.txt"), None);
        assert_eq!(narrowing("a/b/c").as_deref(), Some("a/b/c"));
        assert!(at_or_under(b"app/[id]/page.tsx", "app/[id]"));
        assert!(at_or_under(b"app/[id]", "app/[id]"));
        assert!(!at_or_under(b"app/[id]x/page.tsx", "app/[id]"));
        assert!(!at_or_under(b"app/i/page.tsx", "app/[id]"));
        assert_eq!(escape("app/[id]/p?.tsx"), "app/\\[id\\]/p\\?.tsx");
        assert_eq!(escape("#draft !x"), "\\#draft\\ !x");
    }
}
