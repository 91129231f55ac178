//! Plain domain values shared by `app/` and `jobs/` (and used by `aws/`, `git/` and the
//! credential helper): repository identity, hosts, remote URLs and which credentials a URL
//! may get.
//!
//! One parser for each: before this module, four places read host names their own way and
//! disagreed (a `starts_with("127.")` loopback check gave IAM git passwords to
//! `127.0.0.1.nip.io`). No I/O here, no git2 or SDK types: everything is testable with strings.
//!
//! - [`Host`]: `host[:port]`, `[v6][:port]`; loopback by parsed address; the CodeCommit
//!   [`Endpoint`] (and so the region) a name denotes.
//! - [`RemoteUrl`]: `https://`, `http://`, `ssh://`, scp-like `user@host:path`,
//!   git-remote-codecommit's `codecommit://` forms; the repository name in the path.
//! - [`access_for`]: IAM git password, SSH or git's own credentials, for a URL (clone,
//!   push/fetch) or a protocol and host (the credential helper).
//! - [`RepoKey`]: which CodeCommit repository (profile + region + name) a row or request means.

mod access;
mod changes;
mod host;
mod identity;
mod repository;
mod url;

pub use access::{Access, access_for, access_for_host, credential_scope};
pub use changes::Changes;
pub use host::{Endpoint, Host, Service, git_host, is_region};
pub use identity::RepoKey;
pub use repository::check_repository_name;
pub use url::{
    CodecommitUrl, RemoteUrl, Scheme, UrlKind, grc_url, https_url, parse_codecommit_url, ssh_url,
};

/// Why a URL or host cannot be used, worded for the user with what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Nothing was typed.
    #[error("No URL: paste a clone URL (https://…, ssh://… or codecommit://[profile@]repo).")]
    Empty,
    /// Neither a URL nor an scp-like `user@host:path`.
    #[error(
        "`{0}` is not a URL: use https://…, ssh://…, user@host:path or codecommit://[profile@]repo."
    )]
    NotAUrl(String),
    /// A scheme git (or cctui) does not speak.
    #[error("`{0}://` is not supported: use https://, ssh:// or codecommit://.")]
    UnsupportedScheme(String),
    /// The host part is not a host name or address.
    #[error(
        "{} is not a host: use a name (git-codecommit.us-east-1.amazonaws.com), an IPv4 address or [IPv6], with an optional :port.",
        quoted_or_empty(.0)
    )]
    BadHost(String),
    /// The port is not a number from 0 to 65535.
    #[error(
        "The port in `{0}` is not a number from 0 to 65535: write host:port, e.g. localhost:8080."
    )]
    BadPort(String),
    /// A CodeCommit host with a path that is not `/v1/repos/<name>`.
    #[error("CodeCommit repository URLs end in /v1/repos/<name>, not `{0}`.")]
    NotARepositoryPath(String),
    /// The path names no repository.
    #[error("The URL names no repository: add its name, e.g. …/v1/repos/MyRepo.")]
    NoRepository,
    /// A repository name CodeCommit refuses.
    #[error("`{name}` is not a repository name: {reason}")]
    BadRepositoryName {
        /// The name as typed.
        name: String,
        /// The rule it breaks.
        reason: String,
    },
    /// A `codecommit::` region that is no region name.
    #[error(
        "`{0}` is not an AWS region: write codecommit::<region>://[profile@]repo with a region like eu-west-1, or codecommit://[profile@]repo for the profile's region."
    )]
    BadRegion(String),
    /// An empty or malformed profile before `@` in a `codecommit://` URL.
    #[error(
        "`{0}` is not a profile name: write codecommit://profile@repo, or codecommit://repo for the default profile."
    )]
    BadProfile(String),
    /// A `codecommit:` URL of none of git-remote-codecommit's forms.
    #[error(
        "`{0}` is not a git-remote-codecommit URL: use codecommit://[profile@]repo or codecommit::<region>://[profile@]repo."
    )]
    BadCodecommitUrl(String),
    /// A password inside the URL (git would write it to .git/config).
    #[error(
        "The URL contains a password, which git would store in .git/config: remove `:password` and let cctui ask for it."
    )]
    PasswordInUrl,
}

/// `` `text` `` for messages, or "An empty name" when nothing was there to quote.
fn quoted_or_empty(text: &str) -> String {
    if text.is_empty() {
        "An empty name".to_string()
    } else {
        format!("`{text}`")
    }
}
