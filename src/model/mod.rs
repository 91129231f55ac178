//! Plain domain values shared by `app/` and `jobs/`: repository identity, request ids.
//! Nothing here does I/O or knows git2 or the SDK.

mod identity;

pub use identity::RepoKey;
