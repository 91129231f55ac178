//! Fault injection: latency, server errors, throttling and cut git transfers.
//!
//! Every knob is an atomic so tests can change it while the service runs. Random decisions come
//! from a seeded generator: the same seed and the same request order give the same faults, and
//! the rates 0.0 and 1.0 are exact, so tests need not be flaky.

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

/// Plain fault settings, as given on the command line.
#[derive(Debug, Clone, Default)]
pub struct FaultSettings {
    /// Delay added before every API and git request.
    pub latency_ms: u64,
    /// Fraction (0.0–1.0) of API requests answered with a 5xx error.
    pub error_rate: f64,
    /// Fraction (0.0–1.0) of API requests answered with `ThrottlingException`.
    pub throttle_rate: f64,
    /// Cut git responses after this many bytes (None = never).
    pub drop_after_bytes: Option<u64>,
    /// Fraction (0.0–1.0) of git responses that `drop_after_bytes` cuts; None cuts every one.
    pub drop_rate: Option<f64>,
    /// Seed of the fault generator (0 uses a fixed default).
    pub seed: u64,
}

/// A fault chosen for one API request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectedFault {
    /// 503 `ServiceUnavailableException`.
    ServiceUnavailable,
    /// 500 `InternalFailure`.
    InternalFailure,
    /// 400 `ThrottlingException`.
    Throttling,
}

const PPM: u64 = 1_000_000;
const DEFAULT_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// Live fault settings of a running service.
#[derive(Debug)]
pub struct Faults {
    latency_ms: AtomicU64,
    error_ppm: AtomicU32,
    throttle_ppm: AtomicU32,
    /// 0 = never cut.
    drop_after_bytes: AtomicU64,
    /// Share of git responses cut, in parts per million.
    drop_ppm: AtomicU32,
    rng: AtomicU64,
    /// A generator of its own, so git traffic does not shift the API faults of a seed.
    drop_rng: AtomicU64,
}

fn to_ppm(rate: f64) -> u32 {
    // Clamp so a typo like 2.0 means "always" rather than overflow.
    (rate.clamp(0.0, 1.0) * PPM as f64).round() as u32
}

impl Faults {
    /// Live faults starting from `settings`.
    pub fn new(settings: &FaultSettings) -> Self {
        let faults = Self {
            latency_ms: AtomicU64::new(0),
            error_ppm: AtomicU32::new(0),
            throttle_ppm: AtomicU32::new(0),
            drop_after_bytes: AtomicU64::new(0),
            drop_ppm: AtomicU32::new(PPM as u32),
            rng: AtomicU64::new(DEFAULT_SEED),
            drop_rng: AtomicU64::new(DEFAULT_SEED),
        };
        faults.apply(settings);
        faults
    }

    /// Replaces every setting (and reseeds the generator).
    pub fn apply(&self, settings: &FaultSettings) {
        self.set_latency_ms(settings.latency_ms);
        self.set_error_rate(settings.error_rate);
        self.set_throttle_rate(settings.throttle_rate);
        self.set_drop_after_bytes(settings.drop_after_bytes);
        self.set_drop_rate(settings.drop_rate.unwrap_or(1.0));
        self.set_seed(settings.seed);
    }

    /// Turns every fault off.
    pub fn clear(&self) {
        self.apply(&FaultSettings::default());
    }

    /// Delay added before each request.
    pub fn set_latency_ms(&self, ms: u64) {
        self.latency_ms.store(ms, Ordering::Relaxed);
    }

    /// Fraction of API requests that get a 5xx error.
    pub fn set_error_rate(&self, rate: f64) {
        self.error_ppm.store(to_ppm(rate), Ordering::Relaxed);
    }

    /// Fraction of API requests that get `ThrottlingException`.
    pub fn set_throttle_rate(&self, rate: f64) {
        self.throttle_ppm.store(to_ppm(rate), Ordering::Relaxed);
    }

    /// Cut git responses after `bytes` bytes; `None` turns it off.
    pub fn set_drop_after_bytes(&self, bytes: Option<u64>) {
        self.drop_after_bytes
            .store(bytes.map_or(0, |b| b.max(1)), Ordering::Relaxed);
    }

    /// Fraction of git responses that `drop_after_bytes` cuts (1.0: every one).
    pub fn set_drop_rate(&self, rate: f64) {
        self.drop_ppm.store(to_ppm(rate), Ordering::Relaxed);
    }

    /// Restarts the fault generators from `seed`.
    pub fn set_seed(&self, seed: u64) {
        let seed = if seed == 0 { DEFAULT_SEED } else { seed };
        self.rng.store(seed, Ordering::Relaxed);
        self.drop_rng.store(seed, Ordering::Relaxed);
    }

    /// The configured latency.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    /// Where git responses are cut, if anywhere.
    pub fn drop_after_bytes(&self) -> Option<u64> {
        match self.drop_after_bytes.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }

    /// Where the next git response is to be cut: `drop_after_bytes` for the drawn share of
    /// responses, else never.
    pub fn next_git_cut(&self) -> Option<u64> {
        let limit = self.drop_after_bytes()?;
        let ppm = u64::from(self.drop_ppm.load(Ordering::Relaxed));
        if ppm >= PPM {
            return Some(limit);
        }
        (splitmix(&self.drop_rng) % PPM < ppm).then_some(limit)
    }

    /// Draws the fault (if any) for the next API request.
    pub fn next_api_fault(&self) -> Option<InjectedFault> {
        let error = u64::from(self.error_ppm.load(Ordering::Relaxed));
        let throttle = u64::from(self.throttle_ppm.load(Ordering::Relaxed));
        if error == 0 && throttle == 0 {
            return None;
        }
        let draw = self.next_random();
        let roll = draw % PPM;
        if roll < error {
            // One more bit of the same draw picks which 5xx, so both kinds get exercised.
            Some(if (draw >> 32) & 1 == 0 {
                InjectedFault::ServiceUnavailable
            } else {
                InjectedFault::InternalFailure
            })
        } else if roll < error + throttle {
            Some(InjectedFault::Throttling)
        } else {
            None
        }
    }

    fn next_random(&self) -> u64 {
        splitmix(&self.rng)
    }
}

/// splitmix64 over an atomic counter: lock-free and deterministic for a given seed.
fn splitmix(state: &AtomicU64) -> u64 {
    let mut z = state
        .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_one_rates_are_exact() {
        let faults = Faults::new(&FaultSettings::default());
        assert!((0..1000).all(|_| faults.next_api_fault().is_none()));
        faults.set_throttle_rate(1.0);
        assert!((0..1000).all(|_| faults.next_api_fault() == Some(InjectedFault::Throttling)));
    }

    #[test]
    fn git_cuts_hit_every_response_by_default_and_the_drawn_share_with_a_rate() {
        let faults = Faults::new(&FaultSettings::default());
        assert_eq!(faults.next_git_cut(), None);
        faults.set_drop_after_bytes(Some(100));
        assert!((0..100).all(|_| faults.next_git_cut() == Some(100)));
        faults.set_drop_rate(0.25);
        let cut = (0..4000)
            .filter(|_| faults.next_git_cut().is_some())
            .count();
        assert!((800..1200).contains(&cut), "{cut} of 4000 cut");
        // Git draws leave the API sequence of a seed alone.
        let a = Faults::new(&FaultSettings {
            error_rate: 0.5,
            seed: 3,
            ..FaultSettings::default()
        });
        let b = Faults::new(&FaultSettings {
            error_rate: 0.5,
            seed: 3,
            ..FaultSettings::default()
        });
        b.set_drop_after_bytes(Some(1));
        b.set_drop_rate(0.5);
        for _ in 0..10 {
            let _ = b.next_git_cut();
        }
        assert!((0..100).all(|_| a.next_api_fault() == b.next_api_fault()));
    }

    #[test]
    fn same_seed_gives_same_faults_and_rate_is_roughly_right() {
        let settings = FaultSettings {
            error_rate: 0.3,
            seed: 42,
            ..FaultSettings::default()
        };
        let a = Faults::new(&settings);
        let b = Faults::new(&settings);
        let draws_a: Vec<_> = (0..2000).map(|_| a.next_api_fault()).collect();
        let draws_b: Vec<_> = (0..2000).map(|_| b.next_api_fault()).collect();
        assert_eq!(draws_a, draws_b);
        let errors = draws_a.iter().filter(|f| f.is_some()).count();
        assert!((500..700).contains(&errors), "{errors} errors of 2000");
    }
}
