//! The commit message in the user's editor, as `git commit` does it: the editor git would run
//! (`GIT_EDITOR`, `core.editor`, `VISUAL`, `EDITOR`, then `vi`), and `.git/COMMIT_EDITMSG`
//! holding the draft and git's comment template (branch, staged files). What the editor leaves
//! is read back with comment lines stripped; an empty message aborts the commit.

use std::path::{Path, PathBuf};

use super::GitError;

/// A message file ready for the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageFile {
    /// `.git/COMMIT_EDITMSG` of the clone.
    pub path: PathBuf,
    /// The editor command line, run by the shell as git does (`sh -c '<editor> "$@"'`).
    pub editor: String,
}

/// Where the editor comes from, in git's order. `TERM=dumb` skips `VISUAL` (git does too).
pub fn editor_command(
    git_editor: Option<&str>,
    core_editor: Option<&str>,
    visual: Option<&str>,
    editor: Option<&str>,
    term_is_dumb: bool,
) -> String {
    let given = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(String::from);
    given(git_editor)
        .or_else(|| given(core_editor))
        .or_else(|| given(visual).filter(|_| !term_is_dumb))
        .or_else(|| given(editor))
        .unwrap_or_else(|| "vi".to_string())
}

/// Writes the draft and git's template to `.git/COMMIT_EDITMSG` and finds the editor.
pub fn prepare(repo_path: &Path, draft: &str, amend: bool) -> Result<MessageFile, GitError> {
    let repo = super::repo::open(repo_path)?;
    let env = |name: &str| std::env::var(name).ok();
    let config = repo.config().and_then(|mut c| c.snapshot()).ok();
    let core_editor = config
        .as_ref()
        .and_then(|c| c.get_string("core.editor").ok());
    let editor = editor_command(
        env("GIT_EDITOR").as_deref(),
        core_editor.as_deref(),
        env("VISUAL").as_deref(),
        env("EDITOR").as_deref(),
        env("TERM").as_deref() == Some("dumb"),
    );
    let text = format!("{}\n{}", draft.trim_end(), template(&repo, amend));
    let path = repo.path().join("COMMIT_EDITMSG");
    std::fs::write(&path, text)
        .map_err(|e| GitError::Other(format!("cannot write {}: {e}", path.display())))?;
    Ok(MessageFile { path, editor })
}

/// Writes a pull request text (a description, a comment) with a comment block saying what it
/// is for to `<dir>/<name>`, and finds the editor as git would: the clone's `core.editor`
/// when `dir` is in a clone (its `.git`), else the global one.
pub fn prepare_text(
    dir: &Path,
    name: &str,
    draft: &str,
    what: &str,
) -> Result<MessageFile, GitError> {
    let env = |name: &str| std::env::var(name).ok();
    let config = git2::Repository::open(dir)
        .and_then(|r| r.config())
        .or_else(|_| git2::Config::open_default())
        .and_then(|mut c| c.snapshot())
        .ok();
    let core_editor = config
        .as_ref()
        .and_then(|c| c.get_string("core.editor").ok());
    let editor = editor_command(
        env("GIT_EDITOR").as_deref(),
        core_editor.as_deref(),
        env("VISUAL").as_deref(),
        env("EDITOR").as_deref(),
        env("TERM").as_deref() == Some("dumb"),
    );
    // Markdown headings start with '#': the explanation goes under git's scissors line, and
    // only what is above it is read back (`read_text`), '#' lines included.
    let text = format!(
        "{}\n{SCISSORS}\n# {what}\n# Everything above the line is the text (an empty text sends nothing); this part is dropped.\n",
        draft.trim_end()
    );
    let path = dir.join(name);
    std::fs::write(&path, text)
        .map_err(|e| GitError::Other(format!("cannot write {}: {e}", path.display())))?;
    Ok(MessageFile { path, editor })
}

/// The line under which nothing is part of the text (git's `commit -v` scissors).
const SCISSORS: &str = "# ------------------------ >8 ------------------------";

/// The text the editor left above the scissors line, as written ('#' lines kept), trailing
/// blank lines removed. Empty means: nothing to send.
pub fn read_text(path: &Path) -> Result<String, GitError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| GitError::Other(format!("cannot read {}: {e}", path.display())))?;
    let above = match text.find(SCISSORS) {
        Some(at) => &text[..at],
        None => text.as_str(),
    };
    Ok(above.trim_end().to_string())
}

/// The message the editor left: comment lines and surrounding blank lines removed, as git's
/// default `commit.cleanup` (strip) does. Empty means: abort.
pub fn read(path: &Path) -> Result<String, GitError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| GitError::Other(format!("cannot read {}: {e}", path.display())))?;
    // The scissors line of `commit -v` and everything under it are never part of the message.
    let text = text
        .split("\n# ------------------------ >8 ------------------------")
        .next()
        .unwrap_or_default();
    git2::message_prettify(text, Some(b'#')).map_err(|e| GitError::Other(e.message().to_string()))
}

/// git's comment block: how the file is read, the branch, the staged files.
fn template(repo: &git2::Repository, amend: bool) -> String {
    let mut lines = vec![
        String::new(),
        "# Please enter the commit message for your changes. Lines starting".to_string(),
        "# with '#' will be ignored, and an empty message aborts the commit.".to_string(),
        "#".to_string(),
    ];
    match repo
        .head()
        .ok()
        .and_then(|h| h.shorthand().ok().map(String::from))
    {
        Some(branch) => lines.push(format!("# On branch {branch}")),
        None => lines.push("# Initial commit".to_string()),
    }
    let staged = staged_files(repo, amend);
    if !staged.is_empty() {
        lines.push("# Changes to be committed:".to_string());
        lines.extend(
            staged
                .iter()
                .map(|(kind, path)| format!("#\t{kind:<12}{path}")),
        );
    }
    lines.push("#".to_string());
    lines.join("\n") + "\n"
}

/// What the commit will contain, against HEAD (or HEAD's parent when amending).
fn staged_files(repo: &git2::Repository, amend: bool) -> Vec<(&'static str, String)> {
    let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    let base = if amend {
        head.and_then(|c| c.parent(0).ok())
    } else {
        head
    };
    let tree = base.and_then(|c| c.tree().ok());
    let Ok(diff) = repo.diff_tree_to_index(tree.as_ref(), None, None) else {
        return Vec::new();
    };
    diff.deltas()
        .map(|delta| {
            let kind = match delta.status() {
                git2::Delta::Added => "new file:",
                git2::Delta::Deleted => "deleted:",
                git2::Delta::Renamed => "renamed:",
                git2::Delta::Typechange => "typechange:",
                _ => "modified:",
            };
            let file = delta.new_file().path().or_else(|| delta.old_file().path());
            let path = file.map(|p| p.display().to_string()).unwrap_or_default();
            (kind, path)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_keeps_its_markdown_headings_and_drops_the_explanation() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| unreachable!("{e}"));
        let file = prepare_text(dir.path(), "T", "# Heading\nbody", "A comment")
            .unwrap_or_else(|e| unreachable!("{e}"));
        let written = std::fs::read_to_string(&file.path).unwrap_or_default();
        assert!(written.starts_with("# Heading\nbody\n# ---"), "{written}");
        std::fs::write(&file.path, format!("# Title\n\nText\n\n{written}")).unwrap_or_default();
        assert_eq!(
            read_text(&file.path).unwrap_or_default(),
            "# Title\n\nText\n\n# Heading\nbody"
        );
    }

    #[test]
    fn the_editor_is_chosen_in_gits_order() {
        assert_eq!(
            editor_command(
                Some("nano"),
                Some("emacs"),
                Some("code -w"),
                Some("ed"),
                false
            ),
            "nano"
        );
        assert_eq!(
            editor_command(None, Some("emacs"), Some("code -w"), Some("ed"), false),
            "emacs"
        );
        assert_eq!(
            editor_command(None, None, Some("code -w"), Some("ed"), false),
            "code -w"
        );
        assert_eq!(
            editor_command(None, None, Some("code -w"), Some("ed"), true),
            "ed"
        );
        assert_eq!(editor_command(Some(" "), None, None, None, false), "vi");
    }
}
