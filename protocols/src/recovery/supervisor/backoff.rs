//! The kubelet's restart back-off (CrashLoopBackOff): a delay that starts at
//! `initial`, doubles after every restart up to `max`, and goes back to `initial` once
//! a run was healthy for `reset_after`. Kept apart from the process so that its exact
//! sequence can be tested alone.

use hasim_sim::SimDuration;

/// The restart back-off of one container.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    initial: SimDuration,
    max: SimDuration,
    reset_after: SimDuration,
    next: SimDuration,
}

impl Backoff {
    /// A back-off from `initial` doubling to `max`, reset after `reset_after` healthy.
    pub fn new(initial: SimDuration, max: SimDuration, reset_after: SimDuration) -> Self {
        Backoff {
            initial,
            max,
            reset_after,
            next: initial.min(max),
        }
    }

    /// The delay before the next restart, given how long the run that just ended was
    /// healthy (running and responsive). Advances the sequence.
    pub fn delay(&mut self, healthy_for: SimDuration) -> SimDuration {
        if healthy_for >= self.reset_after {
            self.next = self.initial.min(self.max);
        }
        let delay = self.next;
        self.next = self.next.saturating_mul(2).min(self.max);
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> SimDuration {
        SimDuration::from_secs(s)
    }

    #[test]
    fn doubles_from_ten_seconds_to_the_five_minute_cap() {
        let mut b = Backoff::new(secs(10), secs(300), secs(600));
        let delays: Vec<u64> = (0..8)
            .map(|_| b.delay(secs(0)).as_nanos() / 1_000_000_000)
            .collect();
        assert_eq!(delays, [10, 20, 40, 80, 160, 300, 300, 300]);
    }

    #[test]
    fn resets_only_after_ten_minutes_healthy() {
        let mut b = Backoff::new(secs(10), secs(300), secs(600));
        for _ in 0..4 {
            b.delay(secs(0));
        }
        // 9 min 59 s healthy is not enough: the sequence goes on (160 s).
        assert_eq!(b.delay(secs(599)), secs(160));
        // 10 min healthy resets it.
        assert_eq!(b.delay(secs(600)), secs(10));
        assert_eq!(b.delay(secs(0)), secs(20));
    }
}
