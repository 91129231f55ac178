//! Request counters, readable by tests (e.g. to assert a client retried a bounded number of
//! times).

use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters of a running service.
#[derive(Debug, Default)]
pub struct Stats {
    pub(crate) api_requests: AtomicU64,
    pub(crate) api_auth_failures: AtomicU64,
    pub(crate) api_faults_injected: AtomicU64,
    pub(crate) git_requests: AtomicU64,
    pub(crate) git_auth_missing: AtomicU64,
    pub(crate) git_auth_failures: AtomicU64,
    pub(crate) git_auth_successes: AtomicU64,
    pub(crate) git_throttled: AtomicU64,
    pub(crate) git_transfers_cut: AtomicU64,
    pub(crate) connections_refused: AtomicU64,
}

/// A snapshot of [`Stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// API requests received (any outcome).
    pub api_requests: u64,
    /// API requests rejected by authentication (403/400 auth errors).
    pub api_auth_failures: u64,
    /// API requests answered with an injected fault.
    pub api_faults_injected: u64,
    /// Git HTTP requests received (any outcome).
    pub git_requests: u64,
    /// Git requests without credentials (answered 401).
    pub git_auth_missing: u64,
    /// Git requests with wrong credentials (answered 403).
    pub git_auth_failures: u64,
    /// Git requests with accepted credentials.
    pub git_auth_successes: u64,
    /// Git requests answered `429 Rate Exceeded` because every process slot stayed busy.
    pub git_throttled: u64,
    /// Git responses cut by the `drop_after_bytes` fault.
    pub git_transfers_cut: u64,
    /// Connections refused with `503` because the connection cap was reached.
    pub connections_refused: u64,
}

pub(crate) fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

impl Stats {
    /// Reads every counter.
    pub fn snapshot(&self) -> StatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StatsSnapshot {
            api_requests: get(&self.api_requests),
            api_auth_failures: get(&self.api_auth_failures),
            api_faults_injected: get(&self.api_faults_injected),
            git_requests: get(&self.git_requests),
            git_auth_missing: get(&self.git_auth_missing),
            git_auth_failures: get(&self.git_auth_failures),
            git_auth_successes: get(&self.git_auth_successes),
            git_throttled: get(&self.git_throttled),
            git_transfers_cut: get(&self.git_transfers_cut),
            connections_refused: get(&self.connections_refused),
        }
    }

    /// Authentication failures of both the API and git (wrong key, signature or password).
    pub fn auth_failures(&self) -> u64 {
        self.api_auth_failures.load(Ordering::Relaxed)
            + self.git_auth_failures.load(Ordering::Relaxed)
    }

    /// Git requests that carried credentials (accepted or not): what a client's retry loop costs.
    pub fn git_auth_attempts(&self) -> u64 {
        self.git_auth_failures.load(Ordering::Relaxed)
            + self.git_auth_successes.load(Ordering::Relaxed)
    }
}
