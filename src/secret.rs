//! A wrapper for secrets (secret access keys, session tokens, git passwords, passphrases).
//!
//! `Debug` and `Display` print `<redacted>`, so a secret that ends up in a log line, an error
//! message, a panic or a screenshot shows nothing. Reading the value needs an explicit
//! [`Secret::expose`], which makes every use easy to find with grep. When a secret is dropped
//! its memory is wiped (`zeroize`), so it does not linger in freed heap memory for a core dump
//! or a swap file; copies handed to the SDK or to git are theirs to keep.

use std::fmt;

use zeroize::Zeroize;

/// A value that must never be printed, wiped when dropped.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T: Zeroize>(T);

impl<T: Zeroize> Drop for Secret<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// Gives the secret value to the code that really needs it (signing, authentication).
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T: Zeroize> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: Zeroize> fmt::Display for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A secret string, the common case.
pub type SecretString = Secret<String>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = SecretString::new("wJalrXUtnFEMI/K7MDENG".to_string());
        let shown = format!("{secret} {secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("wJalr"), "leaked: {shown}");
        assert_eq!(secret.expose(), "wJalrXUtnFEMI/K7MDENG");
    }

    /// Records whether it was wiped.
    struct Probe(std::sync::Arc<std::sync::atomic::AtomicBool>);

    impl Zeroize for Probe {
        fn zeroize(&mut self) {
            self.0.store(true, std::sync::atomic::Ordering::SeqCst);
        }
    }

    #[test]
    fn a_dropped_secret_is_wiped_and_a_live_one_is_not() {
        let wiped = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let secret = Secret::new(Probe(wiped.clone()));
        assert!(!wiped.load(std::sync::atomic::Ordering::SeqCst));
        drop(secret);
        assert!(wiped.load(std::sync::atomic::Ordering::SeqCst));
    }
}
