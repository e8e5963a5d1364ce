//! Node-local clocks: an offset and a drift, so that timers set in local time fire at
//! shifted global instants. Clock jumps and drift changes are faults; this is what
//! makes lease and timeout bugs findable.

use crate::time::{SimDuration, SimTime};

/// One node's clock. Local time = base_local + elapsed * (1 + drift_ppb / 1e9), where
/// elapsed is global time since base_global. Integer arithmetic only (i128), so the
/// mapping is exact and identical on every platform.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Clock {
    base_global: u64,
    base_local: i128,
    drift_ppb: i64,
}

const BILLION: i128 = 1_000_000_000;

impl Clock {
    /// A clock reading `offset` nanoseconds ahead (or behind, if negative) of global
    /// time at the start, running fast by `drift_ppb` parts per billion.
    pub fn new(offset_nanos: i64, drift_ppb: i64) -> Self {
        assert!(
            drift_ppb > -(BILLION as i64),
            "a clock cannot run backwards"
        );
        Clock {
            base_global: 0,
            base_local: i128::from(offset_nanos),
            drift_ppb,
        }
    }

    /// Drift in parts per billion (1 ppm = 1000 ppb).
    pub fn drift_ppb(&self) -> i64 {
        self.drift_ppb
    }

    /// Signed local reading at global `t`, before clamping.
    #[inline]
    fn local_raw(&self, t: SimTime) -> i128 {
        let elapsed = i128::from(t.as_nanos()) - i128::from(self.base_global);
        if self.drift_ppb == 0 {
            self.base_local + elapsed
        } else {
            // Floor, not truncation: with negative drift, truncating towards zero
            // would round the reading up, so a clock could read a deadline one
            // nanosecond before `global_at` says it does.
            self.base_local + elapsed + (elapsed * i128::from(self.drift_ppb)).div_euclid(BILLION)
        }
    }

    /// The local reading at global time `t`. A clock set before zero reads zero.
    #[inline(always)]
    pub fn local(&self, t: SimTime) -> SimTime {
        SimTime::from_nanos(self.local_raw(t).clamp(0, i128::from(u64::MAX)) as u64)
    }

    /// The earliest global instant at or after `now` at which the local clock reads at
    /// least `deadline`.
    #[inline]
    pub fn global_at(&self, now: SimTime, deadline: SimTime) -> SimTime {
        let want = i128::from(deadline.as_nanos());
        if self.drift_ppb == 0 {
            // Without drift the mapping is a shift, exact both ways: the general steps
            // below reduce to this (a deadline already reached clamps to `now`).
            let t = (i128::from(self.base_global) + want - self.base_local)
                .clamp(0, i128::from(u64::MAX)) as u64;
            return SimTime::from_nanos(t.max(now.as_nanos()));
        }
        if self.local_raw(now) >= want {
            return now;
        }
        let ahead = want - self.base_local; // local nanoseconds past the base
        let elapsed = if self.drift_ppb == 0 {
            ahead
        } else {
            // elapsed * (1e9 + ppb) / 1e9 >= ahead  <=>  elapsed >= ceil(ahead*1e9/(1e9+ppb))
            let rate = BILLION + i128::from(self.drift_ppb);
            (ahead * BILLION + rate - 1) / rate
        };
        let mut t = (i128::from(self.base_global) + elapsed).clamp(0, i128::from(u64::MAX)) as u64;
        // Guards the ceiling above against rounding; step forward until the reading holds.
        while self.local_raw(SimTime::from_nanos(t)) < want && t < u64::MAX {
            t += 1;
        }
        SimTime::from_nanos(t.max(now.as_nanos()))
    }

    /// Re-bases the clock at `now`, so later changes apply from here on.
    fn rebase(&mut self, now: SimTime) {
        self.base_local = self.local_raw(now);
        self.base_global = now.as_nanos();
    }

    /// Steps the clock by `by` nanoseconds (negative: backwards) at global `now`.
    pub fn jump(&mut self, now: SimTime, by: i64) {
        self.rebase(now);
        self.base_local += i128::from(by);
    }

    /// Sets a new drift from global `now` on.
    pub fn set_drift(&mut self, now: SimTime, drift_ppb: i64) {
        assert!(
            drift_ppb > -(BILLION as i64),
            "a clock cannot run backwards"
        );
        self.rebase(now);
        self.drift_ppb = drift_ppb;
    }

    /// The local duration that passes during a global one, from `now` (for reports).
    pub fn local_span(&self, now: SimTime, global: SimDuration) -> SimDuration {
        self.local(now + global).saturating_since(self.local(now))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_and_offset_map_both_ways() {
        let c = Clock::new(5_000_000, 100_000); // +5ms, +100ppm
        let t = SimTime::from_nanos(10_000_000_000);
        assert_eq!(
            c.local(t).as_nanos(),
            5_000_000 + 10_000_000_000 + 1_000_000
        );
        let deadline = SimTime::from_nanos(2_000_000_000);
        let g = c.global_at(SimTime::ZERO, deadline);
        assert!(c.local(g) >= deadline);
        assert!(c.local(SimTime::from_nanos(g.as_nanos() - 1)) < deadline);
    }

    #[test]
    fn jump_backwards_delays_deadlines() {
        let mut c = Clock::default();
        c.jump(SimTime::from_nanos(1000), -500);
        assert_eq!(c.local(SimTime::from_nanos(1000)).as_nanos(), 500);
        assert_eq!(
            c.global_at(SimTime::from_nanos(1000), SimTime::from_nanos(600))
                .as_nanos(),
            1100
        );
    }
}
