//! Comments on pull requests.
