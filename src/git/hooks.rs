//! Client-side hooks as git runs them: found in `core.hooksPath` (a relative path is taken from
//! the working tree root, `~` is expanded) or `$GIT_COMMON_DIR/hooks`; run only when the file is
//! executable (git ignores the others with a warning), from the working tree root, stdin from
//! `/dev/null`, with the environment git gives commit hooks: `GIT_INDEX_FILE`, `GIT_EDITOR=:`,
//! `GIT_PREFIX=` and the author as `GIT_AUTHOR_NAME/EMAIL/DATE`. Inherited variables that would
//! point git at another repository (`GIT_DIR`, `GIT_WORK_TREE`, …) are removed.
//!
//! stdout and stderr go to one file, so the output keeps the order in which the hook wrote it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::git::GitError;

/// The most output kept from a hook (the end is kept: that is where the error usually is).
const MAX_OUTPUT: usize = 64 * 1024;

/// Output of a hook that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookRun {
    /// Whether it exited with 0.
    pub success: bool,
    /// Its stdout and stderr, interleaved as written (the last 64 KiB).
    pub output: String,
}

/// The author git announces to commit hooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookAuthor {
    /// `GIT_AUTHOR_NAME`.
    pub name: String,
    /// `GIT_AUTHOR_EMAIL`.
    pub email: String,
    /// `GIT_AUTHOR_DATE` as git writes it: `@<unix seconds> +hhmm`.
    pub date: String,
}

impl HookAuthor {
    /// From a git2 signature.
    pub(crate) fn from_signature(signature: &git2::Signature<'_>) -> HookAuthor {
        let when = signature.when();
        let offset = when.offset_minutes();
        let sign = if offset < 0 { '-' } else { '+' };
        let offset = offset.unsigned_abs();
        HookAuthor {
            name: String::from_utf8_lossy(signature.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(signature.email_bytes()).into_owned(),
            date: format!(
                "@{} {sign}{:02}{:02}",
                when.seconds(),
                offset / 60,
                offset % 60
            ),
        }
    }
}

/// Where the hook `name` of `repo` lives, if it exists and is executable.
pub fn hook_path(repo: &Path, name: &str) -> Result<Option<PathBuf>, GitError> {
    let repository = crate::git::commit::open(repo)?;
    Ok(find_hook(&repository, name))
}

/// The hooks directory: `core.hooksPath` or `$GIT_COMMON_DIR/hooks`.
pub(crate) fn hooks_dir(repository: &git2::Repository) -> PathBuf {
    let configured = repository
        .config()
        .ok()
        .and_then(|config| config.get_path("core.hooksPath").ok());
    match configured {
        Some(path) if path.is_absolute() => path,
        Some(path) => repository
            .workdir()
            .unwrap_or_else(|| repository.path())
            .join(path),
        None => repository.commondir().join("hooks"),
    }
}

/// The executable hook `name`, if any.
pub(crate) fn find_hook(repository: &git2::Repository, name: &str) -> Option<PathBuf> {
    let path = hooks_dir(repository).join(name);
    let meta = std::fs::metadata(&path).ok()?;
    if !meta.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o111 == 0 {
            tracing::warn!(hook = %path.display(), "hook ignored: not executable");
            return None;
        }
    }
    Some(path)
}

/// Runs hook `name` with `args` if present; `None` when there is no (executable) hook.
pub fn run_hook(repo: &Path, name: &str, args: &[&str]) -> Result<Option<HookRun>, GitError> {
    let repository = crate::git::commit::open(repo)?;
    run(&repository, name, args, None)
}

/// Runs hook `name` of `repository`; `author` adds `GIT_AUTHOR_*` as git does for commits.
pub(crate) fn run(
    repository: &git2::Repository,
    name: &str,
    args: &[&str],
    author: Option<&HookAuthor>,
) -> Result<Option<HookRun>, GitError> {
    let Some(path) = find_hook(repository, name) else {
        return Ok(None);
    };
    let workdir = repository
        .workdir()
        .unwrap_or_else(|| repository.path())
        .to_path_buf();
    let index = repository.path().join("index");
    let io_error = |e: std::io::Error| GitError::Other(format!("cannot run the {name} hook: {e}"));
    let output_path = repository
        .path()
        .join(format!("cctui-hook-{}-{name}.out", std::process::id()));
    let output = std::fs::File::create(&output_path).map_err(io_error)?;
    let command = |program: &Path, leading: &[&Path]| -> Result<Command, std::io::Error> {
        let mut command = Command::new(program);
        command
            .args(leading)
            .args(args)
            .current_dir(&workdir)
            .stdin(Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output.try_clone()?);
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_COMMON_DIR",
            "GIT_OBJECT_DIRECTORY",
            "GIT_ALTERNATE_OBJECT_DIRECTORIES",
            "GIT_NAMESPACE",
            "GIT_CEILING_DIRECTORIES",
        ] {
            command.env_remove(var);
        }
        command
            .env("GIT_INDEX_FILE", &index)
            .env("GIT_EDITOR", ":")
            .env("GIT_PREFIX", "");
        if let Some(author) = author {
            command
                .env("GIT_AUTHOR_NAME", &author.name)
                .env("GIT_AUTHOR_EMAIL", &author.email)
                .env("GIT_AUTHOR_DATE", &author.date);
        }
        Ok(command)
    };
    let status = command(&path, &[])
        .and_then(|mut c| c.status())
        .or_else(|error| {
            // A script without a `#!` line: git runs it with the shell too.
            if error.raw_os_error() == Some(libc::ENOEXEC) {
                command(Path::new("sh"), &[path.as_path()]).and_then(|mut c| c.status())
            } else {
                Err(error)
            }
        });
    drop(output);
    let text = std::fs::read(&output_path);
    let _ = std::fs::remove_file(&output_path);
    let status = status.map_err(io_error)?;
    let text = text.map_err(io_error)?;
    let start = text.len().saturating_sub(MAX_OUTPUT);
    let output = String::from_utf8_lossy(&text[start..]).into_owned();
    tracing::debug!(hook = name, status = ?status, "hook ran");
    Ok(Some(HookRun {
        success: status.success(),
        output,
    }))
}
