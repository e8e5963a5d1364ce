//! Health of a backend as one balancer sees it: active checks with rise and fall
//! counts (HAProxy semantics) and passive outlier ejection (Envoy semantics).
//!
//! Simplifications: a check is one request/answer with no payload; a check that is
//! still unanswered when the next is due counts as failed. Outlier ejection counts
//! consecutive failures (error answers and gateway timeouts alike, Envoy's
//! `consecutive_gateway_failure` and `consecutive_5xx` merged); the ejection time is
//! the base times the number of ejections so far, capped, and the ejection count never
//! decays (Envoy lowers it after healthy intervals).

use super::params::{HealthParams, OutlierParams};
use hasim_sim::{SimDuration, TimerId};

/// Active check state of one backend. Starts up, as HAProxy assumes.
#[derive(Clone, Debug)]
pub struct Check {
    /// Whether checks consider the backend up.
    pub up: bool,
    successes: u32,
    failures: u32,
    /// The sequence number of the next probe.
    pub seq: u64,
    /// The probe awaiting an answer and its timeout.
    pub waiting: Option<(u64, TimerId)>,
}

impl Default for Check {
    fn default() -> Self {
        Check {
            up: true,
            successes: 0,
            failures: 0,
            seq: 0,
            waiting: None,
        }
    }
}

impl Check {
    /// Counts one check result; returns the new state when it changed.
    pub fn result(&mut self, ok: bool, p: &HealthParams) -> Option<bool> {
        if ok {
            self.failures = 0;
            self.successes += 1;
            if !self.up && self.successes >= p.rise {
                self.up = true;
                return Some(true);
            }
        } else {
            self.successes = 0;
            self.failures += 1;
            if self.up && self.failures >= p.fall {
                self.up = false;
                return Some(false);
            }
        }
        None
    }
}

/// Outlier detection state of one backend.
#[derive(Clone, Debug, Default)]
pub struct Outlier {
    consecutive: u32,
    ejections: u32,
    /// Whether the backend is ejected now.
    pub ejected: bool,
}

impl Outlier {
    /// Counts one request result; true when the failure streak calls for an ejection.
    pub fn result(&mut self, ok: bool, p: &OutlierParams) -> bool {
        if ok {
            self.consecutive = 0;
            false
        } else {
            self.consecutive += 1;
            !self.ejected && self.consecutive >= p.consecutive
        }
    }

    /// Ejects; returns for how long.
    pub fn eject(&mut self, p: &OutlierParams) -> SimDuration {
        self.ejections += 1;
        self.ejected = true;
        self.consecutive = 0;
        p.base_ejection
            .saturating_mul(u64::from(self.ejections))
            .min(p.ejection_max)
    }

    /// Ends an ejection.
    pub fn return_to_service(&mut self) {
        self.ejected = false;
        self.consecutive = 0;
    }
}

/// How many of `serving` backends may be ejected at once: the fraction, rounded down,
/// but always at least one (as Envoy does).
pub fn ejections_allowed(serving: u32, fraction: f64) -> u32 {
    // Truncation is the floor here: both factors are non-negative.
    ((fraction * f64::from(serving)) as u32).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fall_then_rise() {
        let p = HealthParams {
            rise: 2,
            fall: 3,
            ..HealthParams::default()
        };
        let mut c = Check::default();
        assert_eq!(c.result(false, &p), None);
        assert_eq!(c.result(false, &p), None);
        assert_eq!(c.result(true, &p), None);
        assert_eq!(c.result(false, &p), None);
        assert_eq!(c.result(false, &p), None);
        assert_eq!(c.result(false, &p), Some(false));
        assert_eq!(c.result(true, &p), None);
        assert_eq!(c.result(true, &p), Some(true));
    }

    #[test]
    fn ejection_time_grows_and_is_capped() {
        let p = OutlierParams {
            base_ejection: SimDuration::from_secs(30),
            ejection_max: SimDuration::from_secs(80),
            ..OutlierParams::default()
        };
        let mut o = Outlier::default();
        let times: Vec<u64> = (0..3)
            .map(|_| {
                let d = o.eject(&p).as_nanos() / 1_000_000_000;
                o.return_to_service();
                d
            })
            .collect();
        assert_eq!(times, [30, 60, 80]);
        assert_eq!(ejections_allowed(4, 0.1), 1);
        assert_eq!(ejections_allowed(20, 0.1), 2);
    }
}
