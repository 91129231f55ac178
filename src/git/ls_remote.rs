//! `git ls-remote` for a URL: connects and lists the remote's refs, with the same bounded
//! credentials and host-key check as fetch and push. The access screen uses it to test a new
//! SSH setup without touching any clone.

use std::cell::RefCell;
use std::sync::atomic::AtomicBool;

use super::GitError;
use super::auth::{Auth, Authenticator, RemoteUrl, remote_callbacks};

/// The refs the remote at `url` advertises (`refs/heads/main`, `HEAD`…).
pub fn list_refs(url: &str, auth: &Auth) -> Result<Vec<String>, GitError> {
    let parsed = RemoteUrl::parse(url)?;
    let authenticator = RefCell::new(Authenticator::new(auth, &parsed));
    let cancel = AtomicBool::new(false);
    let mut remote = git2::Remote::create_detached(url)
        .map_err(|e| GitError::Other(format!("not a remote URL git can use ({url}): {e}")))?;
    let callbacks = remote_callbacks(&authenticator, &cancel);
    let connected = remote.connect_auth(git2::Direction::Fetch, Some(callbacks), None);
    let connection = match connected {
        Ok(connection) => connection,
        Err(error) => return Err(authenticator.borrow_mut().error(&error)),
    };
    let refs = connection
        .list()
        .map_err(|e| GitError::Other(format!("cannot list the refs of {url}: {e}")))?
        .iter()
        .map(|head| head.name().to_string())
        .collect();
    Ok(refs)
}
