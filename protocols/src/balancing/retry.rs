//! Retry policy pieces: backoff with jitter (AWS architecture blog definitions) and a
//! sliding-window retry budget (Finagle's RetryBudget, the idea behind Envoy's and
//! gRPC's retry throttles).
//!
//! The budget's window is kept in ten buckets, so it slides in tenths of a window:
//! a request older than the window may count for up to a tenth of a window longer.

use super::params::{BudgetParams, Jitter};
use hasim_sim::{SimDuration, SimTime, Stream};

/// The delay before retry number `retry` (1 for the first retry). `previous` is the
/// delay drawn for the retry before (decorrelated jitter feeds on it).
pub fn backoff(
    jitter: Jitter,
    base: SimDuration,
    cap: SimDuration,
    retry: u32,
    previous: SimDuration,
    rng: &mut Stream,
) -> SimDuration {
    let exp = retry.saturating_sub(1).min(62);
    let temp = base.saturating_mul(1u64 << exp).min(cap).as_nanos();
    let nanos = match jitter {
        Jitter::None => temp,
        Jitter::Full => rng.between(0, temp),
        Jitter::Equal => temp / 2 + rng.between(0, temp - temp / 2),
        Jitter::Decorrelated => {
            let low = base.as_nanos();
            let high = previous.max(base).as_nanos().saturating_mul(3).max(low);
            rng.between(low, high).min(cap.as_nanos())
        }
    };
    SimDuration::from_nanos(nanos)
}

const BUCKETS: usize = 10;

/// A client's retry budget.
#[derive(Clone, Debug)]
pub struct Budget {
    ratio: f64,
    min: u32,
    bucket_span: u64,
    /// (requests, retries) per bucket, indexed by bucket number mod BUCKETS.
    counts: [(u64, u64); BUCKETS],
    /// The bucket number (time / span) that `counts` currently ends at.
    head: u64,
}

impl Budget {
    /// An empty budget.
    pub fn new(p: &BudgetParams) -> Self {
        Budget {
            ratio: p.ratio,
            min: p.min,
            bucket_span: (p.window.as_nanos() / BUCKETS as u64).max(1),
            counts: [(0, 0); BUCKETS],
            head: 0,
        }
    }

    fn advance(&mut self, now: SimTime) {
        let bucket = now.as_nanos() / self.bucket_span;
        if bucket > self.head {
            let stale = (bucket - self.head).min(BUCKETS as u64);
            for k in 1..=stale {
                self.counts[((self.head + k) % BUCKETS as u64) as usize] = (0, 0);
            }
            self.head = bucket;
        }
    }

    fn current(&mut self) -> &mut (u64, u64) {
        &mut self.counts[(self.head % BUCKETS as u64) as usize]
    }

    /// Records a first attempt.
    pub fn deposit(&mut self, now: SimTime) {
        self.advance(now);
        self.current().0 += 1;
    }

    /// Takes a retry from the budget if it allows one.
    pub fn withdraw(&mut self, now: SimTime) -> bool {
        self.advance(now);
        let (requests, retries) = self
            .counts
            .iter()
            .fold((0u64, 0u64), |(a, b), &(r, t)| (a + r, b + t));
        let allowed = self.ratio * requests as f64 + f64::from(self.min);
        if (retries + 1) as f64 <= allowed {
            self.current().1 += 1;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hasim_sim::Seed;

    #[test]
    fn jitter_stays_in_its_range() {
        let mut rng = Seed(1).stream("t");
        let base = SimDuration::from_millis(10);
        let cap = SimDuration::from_millis(100);
        for retry in 1..8 {
            let temp = (10u64 << (retry - 1)).min(100);
            let none = backoff(Jitter::None, base, cap, retry, base, &mut rng);
            assert_eq!(none, SimDuration::from_millis(temp));
            for _ in 0..100 {
                let f = backoff(Jitter::Full, base, cap, retry, base, &mut rng);
                assert!(f <= SimDuration::from_millis(temp));
                let e = backoff(Jitter::Equal, base, cap, retry, base, &mut rng);
                assert!(e.as_nanos() >= none.as_nanos() / 2 && e <= none);
                let d = backoff(Jitter::Decorrelated, base, cap, retry, none, &mut rng);
                assert!(d >= base && d <= cap);
            }
        }
    }

    #[test]
    fn budget_allows_ratio_plus_min_per_window() {
        let p = BudgetParams {
            ratio: 0.1,
            window: SimDuration::from_secs(10),
            min: 2,
        };
        let mut b = Budget::new(&p);
        let t = SimTime::from_nanos(1_000_000_000);
        for _ in 0..100 {
            b.deposit(t);
        }
        let granted = (0..50).filter(|_| b.withdraw(t)).count();
        assert_eq!(granted, 12);
        // A window later everything has aged out but the minimum.
        let later = SimTime::from_nanos(12_000_000_000);
        let granted = (0..50).filter(|_| b.withdraw(later)).count();
        assert_eq!(granted, 2);
    }
}
