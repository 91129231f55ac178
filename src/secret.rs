//! A wrapper for secrets (secret access keys, session tokens, git passwords, passphrases).
//!
//! `Debug` and `Display` print `<redacted>`, so a secret that ends up in a log line, an error
//! message, a panic or a screenshot shows nothing. Reading the value needs an explicit
//! [`Secret::expose`], which makes every use easy to find with grep.

use std::fmt;

/// A value that must never be printed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret<T>(T);

impl<T> Secret<T> {
    /// Wraps a secret value.
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// Gives the secret value to the code that really needs it (signing, authentication).
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for Secret<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl<T> fmt::Debug for Secret<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Secret<T> {
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
}
