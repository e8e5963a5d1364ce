//! Balancing policies: given which backends are in rotation and how many requests this
//! balancer has outstanding at each, choose one.
//!
//! Outstanding counts are this balancer's own view (requests forwarded and not yet
//! answered or timed out), as a proxy knows them; with several balancers none knows
//! the backends' true queues. With one balancer and no network delay the count is the
//! backend's queue length plus its busy workers, so least-outstanding is
//! join-shortest-queue; the two differ here only in tie-breaking (in turn, as
//! HAProxy's leastconn; at random, as in the queueing literature).

use super::params::PolicyKind;
use hasim_sim::Stream;
use std::collections::BTreeMap;

/// A policy and the state it keeps between picks.
#[derive(Clone, Debug)]
pub struct Policy {
    kind: PolicyKind,
    cursor: u32,
    /// Smooth weighted round robin: configured and current weights.
    weights: Vec<i64>,
    current: Vec<i64>,
    /// Consistent hashing: (point, backend), sorted by point.
    ring: Vec<(u64, u32)>,
    /// Session affinity: session → backend.
    sessions: BTreeMap<u64, u32>,
    moved: u64,
    scratch: Vec<u32>,
}

/// A fixed 64-bit mix (SplitMix64's finaliser): stable hashing for ring points and keys.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Policy {
    /// A policy over `backends` backends.
    pub fn new(kind: PolicyKind, backends: u32, weights: &[u32], vnodes: u32) -> Policy {
        let mut ring = Vec::new();
        if kind == PolicyKind::ConsistentHash {
            for b in 0..backends {
                for v in 0..vnodes {
                    ring.push((mix((u64::from(b) << 32) | u64::from(v)), b));
                }
            }
            ring.sort_unstable();
        }
        Policy {
            kind,
            cursor: 0,
            weights: (0..backends as usize)
                .map(|b| i64::from(weights.get(b).copied().unwrap_or(1)))
                .collect(),
            current: vec![0; backends as usize],
            ring,
            sessions: BTreeMap::new(),
            moved: 0,
            scratch: Vec::with_capacity(backends as usize),
        }
    }

    /// Sessions moved to another backend since the last call.
    pub fn take_moved(&mut self) -> u64 {
        core::mem::take(&mut self.moved)
    }

    /// Chooses a backend for a request with `key`, or `None` when none is eligible.
    pub fn pick(
        &mut self,
        key: u64,
        eligible: &[bool],
        outstanding: &[u32],
        rng: &mut Stream,
    ) -> Option<u32> {
        let n = eligible.len() as u32;
        match self.kind {
            PolicyKind::RoundRobin => {
                let b = (0..n)
                    .map(|i| (self.cursor + i) % n)
                    .find(|&b| eligible[b as usize])?;
                self.cursor = (b + 1) % n;
                Some(b)
            }
            PolicyKind::WeightedRoundRobin => {
                // nginx: every eligible peer gains its weight; the richest is chosen and
                // pays the total. Spreads a 5:1:1 split as a a b a c a a, not a a a a a b c.
                let mut total = 0;
                let mut best: Option<usize> = None;
                for (b, _) in eligible.iter().enumerate().filter(|(_, &e)| e) {
                    self.current[b] += self.weights[b];
                    total += self.weights[b];
                    if best.is_none_or(|x| self.current[b] > self.current[x]) {
                        best = Some(b);
                    }
                }
                let b = best?;
                self.current[b] -= total;
                Some(b as u32)
            }
            PolicyKind::LeastOutstanding => self.least_in_turn(eligible, outstanding),
            PolicyKind::Random => {
                self.collect(eligible);
                let i = rng.below(self.scratch.len().max(1) as u64) as usize;
                self.scratch.get(i).copied()
            }
            PolicyKind::PowerOfTwo => {
                self.collect(eligible);
                let m = self.scratch.len() as u64;
                match m {
                    0 => None,
                    1 => Some(self.scratch[0]),
                    _ => {
                        let i = rng.below(m) as usize;
                        let mut j = rng.below(m - 1) as usize;
                        if j >= i {
                            j += 1;
                        }
                        let (a, b) = (self.scratch[i], self.scratch[j]);
                        Some(if outstanding[b as usize] < outstanding[a as usize] {
                            b
                        } else {
                            a
                        })
                    }
                }
            }
            PolicyKind::JoinShortestQueue => {
                let least = (0..n as usize)
                    .filter(|&b| eligible[b])
                    .map(|b| outstanding[b])
                    .min()?;
                self.scratch.clear();
                self.scratch.extend(
                    (0..n).filter(|&b| eligible[b as usize] && outstanding[b as usize] == least),
                );
                let i = rng.below(self.scratch.len() as u64) as usize;
                Some(self.scratch[i])
            }
            PolicyKind::ConsistentHash => {
                let h = mix(key ^ 0x005E_ED0F_CAFE);
                let start = self.ring.partition_point(|&(p, _)| p < h);
                let len = self.ring.len();
                (0..len)
                    .map(|i| self.ring[(start + i) % len].1)
                    .find(|&b| eligible[b as usize])
            }
            PolicyKind::SessionAffinity => {
                let sticky = self.sessions.get(&key).copied();
                if let Some(b) = sticky.filter(|&b| eligible[b as usize]) {
                    return Some(b);
                }
                let b = self.least_in_turn(eligible, outstanding)?;
                self.sessions.insert(key, b);
                if sticky.is_some() {
                    self.moved += 1;
                }
                Some(b)
            }
        }
    }

    fn collect(&mut self, eligible: &[bool]) {
        self.scratch.clear();
        self.scratch
            .extend((0..eligible.len() as u32).filter(|&b| eligible[b as usize]));
    }

    fn least_in_turn(&mut self, eligible: &[bool], outstanding: &[u32]) -> Option<u32> {
        let n = eligible.len() as u32;
        let b = (0..n)
            .map(|i| (self.cursor + i) % n)
            .filter(|&b| eligible[b as usize])
            .min_by_key(|&b| outstanding[b as usize])?;
        self.cursor = (b + 1) % n;
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hasim_sim::Seed;

    fn picks(kind: PolicyKind, weights: &[u32], eligible: &[bool], n: usize) -> Vec<u32> {
        let mut p = Policy::new(kind, eligible.len() as u32, weights, 10);
        let out = vec![0; eligible.len()];
        let mut rng = Seed(1).stream("t");
        (0..n)
            .map(|k| {
                p.pick(k as u64, eligible, &out, &mut rng)
                    .expect("eligible")
            })
            .collect()
    }

    #[test]
    fn round_robin_skips_backends_out_of_rotation() {
        let got = picks(PolicyKind::RoundRobin, &[], &[true, false, true, true], 6);
        assert_eq!(got, [0, 2, 3, 0, 2, 3]);
    }

    #[test]
    fn smooth_weighted_round_robin_interleaves_like_nginx() {
        // nginx's documented sequence for weights 5, 1, 1.
        let got = picks(PolicyKind::WeightedRoundRobin, &[5, 1, 1], &[true; 3], 7);
        assert_eq!(got, [0, 0, 1, 0, 2, 0, 0]);
    }

    #[test]
    fn consistent_hash_moves_only_the_keys_of_a_removed_backend() {
        let mut p = Policy::new(PolicyKind::ConsistentHash, 4, &[], 100);
        let mut rng = Seed(1).stream("t");
        let out = [0; 4];
        let all = [true; 4];
        let without_2 = [true, true, false, true];
        for key in 0..1000 {
            let before = p.pick(key, &all, &out, &mut rng).expect("eligible");
            let after = p.pick(key, &without_2, &out, &mut rng).expect("eligible");
            assert!(before == 2 || before == after, "key {key} moved needlessly");
        }
    }

    #[test]
    fn least_outstanding_and_power_of_two_avoid_the_busiest() {
        let mut rng = Seed(1).stream("t");
        let out = [5, 0, 5];
        let mut p = Policy::new(PolicyKind::LeastOutstanding, 3, &[], 1);
        assert_eq!(p.pick(0, &[true; 3], &out, &mut rng), Some(1));
        let mut p = Policy::new(PolicyKind::PowerOfTwo, 3, &[], 1);
        // Any pair holding backend 1 picks it: two pairs of three.
        let ones = (0..300)
            .filter(|_| p.pick(0, &[true; 3], &out, &mut rng) == Some(1))
            .count();
        assert!((160..240).contains(&ones), "{ones} of 300");
        let out = [9, 0];
        assert_eq!(p.pick(0, &[true; 2], &out, &mut rng), Some(1));
    }
}
