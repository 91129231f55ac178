//! The exec requests the SSH endpoint serves: `git-upload-pack '/v1/repos/<name>'` and
//! `git-receive-pack '/v1/repos/<name>'`, the path with or without its leading slash and
//! quotes, as CodeCommit accepts them. Anything else is refused with a message for stderr.

/// The git service an exec request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitService {
    /// `git-upload-pack`: fetch and clone.
    UploadPack,
    /// `git-receive-pack`: push.
    ReceivePack,
}

impl GitService {
    /// The `git` subcommand that serves it.
    pub fn subcommand(self) -> &'static str {
        match self {
            GitService::UploadPack => "upload-pack",
            GitService::ReceivePack => "receive-pack",
        }
    }
}

/// A served request: the service and the repository name (not yet looked up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitCommand {
    /// Which service.
    pub service: GitService,
    /// The `<name>` of `/v1/repos/<name>`.
    pub repository: String,
    /// The path as the client gave it, for messages.
    pub path: String,
}

/// Reads an exec request; `Err` is the line to write to stderr (exit status 1).
pub fn parse(command: &str) -> Result<GitCommand, String> {
    let refused = || {
        format!(
            "cctui local CodeCommit: only git-upload-pack and git-receive-pack '/v1/repos/<name>' are served over SSH, not: {}\n",
            command.trim()
        )
    };
    let (program, argument) = command.trim().split_once(' ').ok_or_else(refused)?;
    let service = match program {
        "git-upload-pack" => GitService::UploadPack,
        "git-receive-pack" => GitService::ReceivePack,
        _ => return Err(refused()),
    };
    let path = unquote(argument.trim()).ok_or_else(refused)?;
    let relative = path.strip_prefix('/').unwrap_or(&path);
    let repository = relative
        .strip_prefix("v1/repos/")
        .map(|name| name.strip_suffix('/').unwrap_or(name))
        .filter(|name| !name.is_empty() && !name.contains('/'))
        .ok_or_else(|| {
            format!(
                "fatal: '{path}' does not appear to be a git repository: use /v1/repos/<name>\n"
            )
        })?;
    Ok(GitCommand {
        service,
        repository: repository.to_string(),
        path: path.clone(),
    })
}

/// One shell word as git writes it (`'…'`, with `'\''` for a quote), or a bare word.
fn unquote(word: &str) -> Option<String> {
    if !word.starts_with('\'') {
        return (!word.contains(['\'', '"', ' ', '\\'])).then(|| word.to_string());
    }
    let mut out = String::new();
    let mut rest = word;
    while let Some(quoted) = rest.strip_prefix('\'') {
        let end = quoted.find('\'')?;
        out.push_str(&quoted[..end]);
        rest = &quoted[end + 1..];
        match rest.strip_prefix("\\'") {
            Some(after) => {
                out.push('\'');
                rest = after;
            }
            None => break,
        }
    }
    rest.is_empty().then_some(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn git_commands_with_and_without_slash_and_quotes() {
        for (command, service) in [
            ("git-upload-pack '/v1/repos/demo'", GitService::UploadPack),
            ("git-receive-pack 'v1/repos/demo'", GitService::ReceivePack),
            ("git-upload-pack /v1/repos/demo/", GitService::UploadPack),
        ] {
            let parsed = parse(command).unwrap();
            assert_eq!(
                (parsed.service, parsed.repository.as_str()),
                (service, "demo")
            );
        }
        assert_eq!(
            parse("git-upload-pack 'it'\\''s'").unwrap_err(),
            "fatal: 'it's' does not appear to be a git repository: use /v1/repos/<name>\n"
        );
    }

    #[test]
    fn anything_else_is_refused() {
        for command in [
            "ls",
            "sh -c 'rm -rf /'",
            "git-upload-archive '/v1/repos/demo'",
            "git-upload-pack '/v1/repos/demo' extra",
            "git-upload-pack '/v1/repos/a/b'",
            "git-upload-pack '/v1/repos/'",
        ] {
            assert!(parse(command).is_err(), "{command}");
        }
        assert!(
            parse("ls -la")
                .unwrap_err()
                .contains("only git-upload-pack")
        );
    }
}
