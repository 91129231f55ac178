//! What the file watcher saw change in the open clone during one burst.

use std::path::PathBuf;

/// What changed during one debounced burst.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Changes {
    /// The relevant paths reported (absolute), at most `watch::MAX_PATHS`.
    pub paths: Vec<PathBuf>,
    /// Events were lost or too many paths came: only a full rescan is right.
    pub overflowed: bool,
}
