//! Availability in nines: −log10(1 − A), so 99.9 % is 3 nines. Unavailability spans
//! orders of magnitude, and nines put them on one scale.
//!
//! One run's nines are capped at [`NINES_MAX`]: a run without downtime has A = 1 and
//! infinitely many nines, which says only that the run was too short to see a failure.
//! Across seeds, the mean of capped per-seed nines is biased (by the cap, and because
//! the mean of a logarithm is not the logarithm of the mean), so sweeps report the
//! nines of the mean availability instead, with the availability's confidence interval
//! carried through the same (monotone) transform: [`nines_of`].

pub use hasim_protocols::nines::{nines, NINES_MAX};

/// The nines of a mean availability and of its confidence interval's ends: since
/// nines grow with availability, the interval maps end to end.
pub fn nines_of(mean: f64, low: Option<f64>, high: Option<f64>) -> (f64, Option<f64>, Option<f64>) {
    (nines(mean), low.map(nines), high.map(nines))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_maps_end_to_end() {
        let (m, lo, hi) = nines_of(0.999, Some(0.99), Some(0.9999));
        assert!((m - 3.0).abs() < 1e-9);
        assert!((lo.unwrap() - 2.0).abs() < 1e-9 && (hi.unwrap() - 4.0).abs() < 1e-9);
    }
}
