//! What every workload of the engine benchmark shares: the seed, one run's result, the
//! wall-clock timer around a whole run, and the bare loops' draws. Also included by the
//! end-to-end benchmark (`benches/scenarios.rs` in the root package), which runs W1's
//! bare loop beside real scenarios.

use std::time::{Duration, Instant};

/// The seed every workload uses.
pub const SEED: u64 = 0x5EED_2026;

/// One run of one workload: the logical event count, the wall time of the run alone,
/// and the workload's stats as a JSON fragment (`"key":value,...`).
pub struct Run {
    pub events: u64,
    pub wall: Duration,
    pub stats: String,
}

/// Times `run` on the wall clock. The benchmark reads the wall clock only around a
/// whole run, never inside one, so the determinism rule is kept.
#[allow(clippy::disallowed_methods)]
pub fn timed<T>(run: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = run();
    (out, start.elapsed())
}

/// The bare loops' uniform integer in [0, n): the same nearly divisionless method
/// (Lemire's) that hasim's streams use, so both pay the same for a draw.
#[inline]
pub fn below(rng: &mut rand_chacha::ChaCha8Rng, n: u64) -> u64 {
    use rand_core::RngCore;
    let mut m = u128::from(rng.next_u64()) * u128::from(n);
    if (m as u64) < n {
        let threshold = n.wrapping_neg() % n;
        while (m as u64) < threshold {
            m = u128::from(rng.next_u64()) * u128::from(n);
        }
    }
    (m >> 64) as u64
}

/// The bare loops' uniform draw from [0, 1) with 53 bits, as hasim's `Stream::unit`.
#[inline]
pub fn unit(rng: &mut rand_chacha::ChaCha8Rng) -> f64 {
    use rand_core::RngCore;
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}
