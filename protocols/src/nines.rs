//! Availability in nines: −log10(1 − A), so 99.9 % is 3 nines. Unavailability spans
//! orders of magnitude, and nines put them on one scale.
//!
//! One run's nines are capped at [`NINES_MAX`]: a run without downtime has A = 1 and
//! infinitely many nines, which says only that the run was too short to see a failure.
//! (Across seeds the application reports the nines of the mean availability instead of
//! the mean of these capped values.)

/// The most nines one figure reports.
pub const NINES_MAX: f64 = 9.0;

/// `availability` in nines, in [0, NINES_MAX]; NaN stays NaN.
pub fn nines(availability: f64) -> f64 {
    if availability.is_nan() {
        return f64::NAN;
    }
    let unavailable = 1.0 - availability.clamp(0.0, 1.0);
    if unavailable <= 0.0 {
        return NINES_MAX;
    }
    (-libm::log10(unavailable)).clamp(0.0, NINES_MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nines_of_round_availabilities() {
        assert!((nines(0.999) - 3.0).abs() < 1e-9);
        assert!((nines(0.99999) - 5.0).abs() < 1e-6);
        assert_eq!(nines(0.0), 0.0);
        assert_eq!(nines(1.0), NINES_MAX);
        assert_eq!(nines(1.0 - 1e-12), NINES_MAX);
        assert!(nines(f64::NAN).is_nan());
    }
}
