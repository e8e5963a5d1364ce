//! Metrics: named counters, log-bucketed latency histograms in constant memory, and
//! per-node up/down/paused timelines, from which the HA figures are computed.

use crate::time::{SimDuration, SimTime};
use std::collections::BTreeMap;

/// Sub-buckets per power of two: relative error at most 1/64 (about 1.6 %).
const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;

/// A histogram of durations in log-linear buckets (as HdrHistogram does): exact below
/// 64 ns, then 64 buckets per power of two. At most 3,776 counters, however many
/// values are recorded. Quantiles report the midpoint of the bucket, clamped to the
/// exact minimum and maximum.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    sum: u128,
    min: u64,
    max: u64,
}

fn bucket_of(v: u64) -> usize {
    if v < SUB {
        v as usize
    } else {
        let exp = 63 - v.leading_zeros(); // >= SUB_BITS
        let shift = exp - SUB_BITS;
        let mantissa = (v >> shift) - SUB; // 0..SUB
        (SUB + u64::from(shift) * SUB + mantissa) as usize
    }
}

/// The [low, high] range of values in bucket `i`.
fn bucket_range(i: usize) -> (u64, u64) {
    let i = i as u64;
    if i < SUB {
        (i, i)
    } else {
        let shift = (i - SUB) / SUB;
        let mantissa = (i - SUB) % SUB;
        let low = (SUB + mantissa) << shift;
        (low, low + (1u64 << shift) - 1)
    }
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records one duration.
    #[inline]
    pub fn record(&mut self, d: SimDuration) {
        let v = d.as_nanos();
        let b = bucket_of(v);
        if b >= self.buckets.len() {
            self.buckets.resize(b + 1, 0);
        }
        self.buckets[b] += 1;
        if self.count == 0 || v < self.min {
            self.min = v;
        }
        self.max = self.max.max(v);
        self.count += 1;
        self.sum += u128::from(v);
    }

    /// Adds another histogram's counts into this one.
    pub fn merge(&mut self, other: &Histogram) {
        if other.count == 0 {
            return;
        }
        if other.buckets.len() > self.buckets.len() {
            self.buckets.resize(other.buckets.len(), 0);
        }
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        self.min = if self.count == 0 {
            other.min
        } else {
            self.min.min(other.min)
        };
        self.max = self.max.max(other.max);
        self.count += other.count;
        self.sum += other.sum;
    }

    /// How many values.
    pub fn count(&self) -> u64 {
        self.count
    }
    /// The exact mean, or zero when empty.
    pub fn mean(&self) -> SimDuration {
        if self.count == 0 {
            SimDuration::ZERO
        } else {
            SimDuration::from_nanos((self.sum / u128::from(self.count)) as u64)
        }
    }
    /// The exact smallest value.
    pub fn min(&self) -> SimDuration {
        SimDuration::from_nanos(self.min)
    }
    /// The exact largest value.
    pub fn max(&self) -> SimDuration {
        SimDuration::from_nanos(self.max)
    }

    /// The value at quantile `q` in [0, 1] (0.99 for p99), within the bucket error.
    pub fn quantile(&self, q: f64) -> SimDuration {
        if self.count == 0 {
            return SimDuration::ZERO;
        }
        let q = q.clamp(0.0, 1.0);
        // The rank of the value: ceil(q * count), at least 1.
        let rank = (libm::ceil(q * self.count as f64) as u64).clamp(1, self.count);
        let mut seen = 0;
        for (i, &c) in self.buckets.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (low, high) = bucket_range(i);
                let mid = low + (high - low) / 2;
                return SimDuration::from_nanos(mid.clamp(self.min, self.max));
            }
        }
        SimDuration::from_nanos(self.max)
    }
}

/// Named counters and histograms recorded by handlers through `Ctx`.
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    /// Counters by name.
    pub counters: BTreeMap<&'static str, u64>,
    /// Histograms by name.
    pub histograms: BTreeMap<&'static str, Histogram>,
}

impl Metrics {
    /// Adds `n` to a counter.
    pub fn count(&mut self, name: &'static str, n: u64) {
        *self.counters.entry(name).or_insert(0) += n;
    }
    /// Records a duration in a histogram.
    pub fn sample(&mut self, name: &'static str, d: SimDuration) {
        self.histograms.entry(name).or_default().record(d);
    }
    /// A counter's value (zero if never counted).
    pub fn counter(&self, name: &str) -> u64 {
        self.counters.get(name).copied().unwrap_or(0)
    }
    /// A histogram, if anything was recorded in it.
    pub fn histogram(&self, name: &str) -> Option<&Histogram> {
        self.histograms.get(name)
    }
}

/// Whether a node is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Running normally.
    Up,
    /// Crashed (or never started).
    Down,
    /// Frozen: state kept, nothing runs.
    Paused,
}

impl Status {
    /// Lower-case name.
    pub const fn name(self) -> &'static str {
        match self {
            Status::Up => "up",
            Status::Down => "down",
            Status::Paused => "paused",
        }
    }
}

/// A node's status over time: the instants at which it changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    changes: Vec<(SimTime, Status)>,
}

impl Timeline {
    pub(crate) fn set(&mut self, at: SimTime, status: Status) {
        if self.changes.last().map(|&(_, s)| s) != Some(status) {
            self.changes.push((at, status));
        }
    }

    /// The changes, in time order.
    pub fn changes(&self) -> &[(SimTime, Status)] {
        &self.changes
    }

    /// Total time spent in `status` between `from` and `until`.
    pub fn time_in(&self, status: Status, from: SimTime, until: SimTime) -> SimDuration {
        let mut total = SimDuration::ZERO;
        for (i, &(start, s)) in self.changes.iter().enumerate() {
            if s != status {
                continue;
            }
            let end = self.changes.get(i + 1).map_or(until, |&(t, _)| t);
            let (a, b) = (start.max(from), end.min(until));
            if b > a {
                total = total + (b - a);
            }
        }
        total
    }

    /// The intervals spent in `status`, clipped to `until`.
    pub fn intervals(&self, status: Status, until: SimTime) -> Vec<(SimTime, SimTime)> {
        let mut out = Vec::new();
        for (i, &(start, s)) in self.changes.iter().enumerate() {
            if s == status {
                let end = self
                    .changes
                    .get(i + 1)
                    .map_or(until, |&(t, _)| t)
                    .min(until);
                if end > start {
                    out.push((start, end));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_values_with_bounded_error() {
        for v in [
            0u64,
            1,
            63,
            64,
            65,
            127,
            128,
            1000,
            123_456_789,
            u64::MAX / 3,
        ] {
            let (low, high) = bucket_range(bucket_of(v));
            assert!(low <= v && v <= high, "{v} not in [{low}, {high}]");
            assert!((high - low) as f64 <= v as f64 / 64.0 + 1.0);
        }
    }

    #[test]
    fn quantiles_of_uniform_values() {
        let mut h = Histogram::new();
        for ms in 1..=1000u64 {
            h.record(SimDuration::from_millis(ms));
        }
        let p50 = h.quantile(0.5).as_secs_f64();
        let p99 = h.quantile(0.99).as_secs_f64();
        assert!((p50 - 0.5).abs() / 0.5 < 0.02, "p50 {p50}");
        assert!((p99 - 0.99).abs() / 0.99 < 0.02, "p99 {p99}");
        assert_eq!(h.min(), SimDuration::from_millis(1));
        assert_eq!(h.max(), SimDuration::from_millis(1000));
        assert_eq!(h.mean(), SimDuration::from_micros(500_500));
    }
}
