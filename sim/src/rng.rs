//! Seeded random streams: one seed per run, independent ChaCha8 streams forked by label.
//!
//! Each purpose (network, faults, workload, each node) draws from its own stream, so a
//! new draw in one place shifts nothing anywhere else, and removing a fault while
//! shrinking does not reshuffle other draws. Transcendental maths goes through `libm`
//! so that samples are bit-identical on every platform.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

/// The seed of a run, from which every stream is forked.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Seed(pub u64);

/// SplitMix64: a fixed, well-mixed step used only to derive stream keys.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over the label's bytes: stable across platforms and builds.
fn label_hash(label: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    h
}

impl Seed {
    /// The stream for `label` ("network", "faults", "workload", "node/3", ...). The same
    /// seed and label always give the same stream; different labels give independent
    /// ones.
    pub fn stream(self, label: &str) -> Stream {
        let mut state = self.0 ^ label_hash(label).rotate_left(17);
        let mut key = [0u8; 32];
        for chunk in key.chunks_exact_mut(8) {
            chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
        }
        Stream {
            rng: ChaCha8Rng::from_seed(key),
        }
    }

    /// The stream of node `index`; same as `stream("node/<index>")`.
    pub fn node_stream(self, index: u32) -> Stream {
        self.stream(&format!("node/{index}"))
    }
}

/// One independent random stream. Every random draw in a run comes from one of these.
#[derive(Clone, Debug)]
pub struct Stream {
    rng: ChaCha8Rng,
}

impl Stream {
    /// A child stream forked from this one by label, without consuming from it.
    pub fn fork(&self, label: &str) -> Stream {
        let mut state = self.rng.get_seed()[..8]
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        state ^= label_hash(label);
        let mut key = [0u8; 32];
        for chunk in key.chunks_exact_mut(8) {
            chunk.copy_from_slice(&splitmix64(&mut state).to_le_bytes());
        }
        Stream {
            rng: ChaCha8Rng::from_seed(key),
        }
    }

    /// 64 uniformly random bits.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        self.rng.next_u64()
    }

    /// A uniform draw from [0, 1) with 53 bits of precision.
    #[inline(always)]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in [0, n), without modulo bias. `n` must be positive.
    #[inline(always)]
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Stream::below(0)");
        // Lemire's nearly divisionless method.
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    /// A uniform integer in [low, high] (inclusive).
    #[inline(always)]
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        assert!(low <= high, "Stream::between({low}, {high})");
        if high - low == u64::MAX {
            return self.next_u64();
        }
        low + self.below(high - low + 1)
    }

    /// True with probability `p` (clamped to [0, 1]). Draws nothing when p is 0 or 1,
    /// so that turning a probability off does not shift later draws of the stream
    /// inside one run only through this call.
    #[inline(always)]
    pub fn chance(&mut self, p: f64) -> bool {
        if p <= 0.0 {
            false
        } else if p >= 1.0 {
            true
        } else {
            self.unit() < p
        }
    }

    /// An exponential sample with the given mean, by inverse CDF: `-ln(1-U) * mean`.
    #[inline]
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -libm::log(1.0 - self.unit()) * mean
    }

    /// A standard normal sample (Box–Muller, one of the pair).
    pub fn standard_normal(&mut self) -> f64 {
        let u1 = 1.0 - self.unit(); // (0, 1]
        let u2 = self.unit();
        libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * core::f64::consts::PI * u2)
    }

    /// A uniformly chosen element, or `None` for an empty slice.
    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            None
        } else {
            Some(&items[self.below(items.len() as u64) as usize])
        }
    }

    /// Shuffles in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PINNED: [u64; 3] = [705_985, 836_448, 813_752];

    #[test]
    fn same_label_same_stream_different_label_different_stream() {
        let seed = Seed(42);
        let a: Vec<u64> = (0..4).map(|_| seed.stream("network").next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut net = seed.stream("network");
        let mut faults = seed.stream("faults");
        assert_ne!(net.next_u64(), faults.next_u64());
        assert_ne!(
            Seed(1).stream("x").next_u64(),
            Seed(2).stream("x").next_u64()
        );
    }

    #[test]
    fn draws_are_pinned() {
        // Pins the derivation: if this changes, every recorded seed replays differently.
        let mut s = Seed(0x5EED_2026).stream("network");
        let draws: Vec<u64> = (0..3).map(|_| s.below(1_000_000)).collect();
        assert_eq!(draws, PINNED);
    }

    #[test]
    fn below_is_in_range_and_covers_it() {
        let mut s = Seed(3).stream("t");
        let mut seen = [false; 7];
        for _ in 0..1000 {
            let v = s.below(7);
            seen[v as usize] = true;
        }
        assert!(seen.iter().all(|&b| b));
    }
}
