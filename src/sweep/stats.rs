//! Statistics of one figure across a sweep's seeds: mean with a 95 % confidence
//! interval, percentiles, extremes; and the Wilson interval of a share of seeds.
//!
//! The interval is Student's t: mean ± t(0.975, n−1) · s/√n, with s the sample standard
//! deviation (n−1 in the denominator). Seeds are independent draws of the same random
//! experiment, so this is the textbook interval for the expected value of a figure;
//! for small sweeps (n < 30) the normal 1.96 would be too narrow, hence t.
//! The t quantiles are a table for 1–30 degrees of freedom (exact to 9 decimals) and,
//! above that, the Cornish–Fisher expansion of t around the normal quantile
//! (Abramowitz & Stegun 26.7.5, four terms), which is within 3·10⁻⁸ of the exact
//! value from 31 degrees of freedom on.
//!
//! Percentiles interpolate linearly between the two nearest order statistics
//! (Hyndman & Fan type 7, what numpy and R use by default), so p50 of an even-sized
//! sample is the mean of the two middle values.
//!
//! Everything is computed from the values in seed order, so the same seeds give
//! bit-identical statistics whichever way the sweep was split.

use serde::{Deserialize, Serialize};

/// t(0.975, df) for df = 1..=30.
const T_975: [f64; 30] = [
    12.706204736,
    4.302652730,
    3.182446305,
    2.776445105,
    2.570581836,
    2.446911851,
    2.364624252,
    2.306004135,
    2.262157163,
    2.228138852,
    2.200985160,
    2.178812830,
    2.160368656,
    2.144786688,
    2.131449546,
    2.119905299,
    2.109815578,
    2.100922040,
    2.093024054,
    2.085963447,
    2.079613845,
    2.073873068,
    2.068657610,
    2.063898562,
    2.059538553,
    2.055529439,
    2.051830516,
    2.048407142,
    2.045229642,
    2.042272456,
];

/// The standard normal's 0.975 quantile.
const Z_975: f64 = 1.959963984540054;

/// The two-sided 95 % quantile of Student's t with `df` degrees of freedom: the `t`
/// for which P(|T| ≤ t) = 0.95. `df` must be at least 1.
pub fn t_975(df: u64) -> f64 {
    assert!(df >= 1, "Student t needs at least one degree of freedom");
    if let Some(&t) = T_975.get(df as usize - 1) {
        return t;
    }
    // Cornish–Fisher: t = z + g1(z)/v + g2(z)/v² + g3(z)/v³ + g4(z)/v⁴.
    let z = Z_975;
    let v = df as f64;
    let z2 = z * z;
    let g1 = z * (z2 + 1.0) / 4.0;
    let g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    let g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    let g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    z + g1 / v + g2 / (v * v) + g3 / (v * v * v) + g4 / (v * v * v * v)
}

/// A figure's distribution across seeds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// How many seeds reported a finite value.
    pub n: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Lower end of the 95 % confidence interval of the mean; absent for one seed.
    pub ci95_low: Option<f64>,
    /// Upper end of the 95 % confidence interval of the mean; absent for one seed.
    pub ci95_high: Option<f64>,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

impl Summary {
    /// Half the width of the confidence interval, if there is one.
    pub fn ci95_half_width(&self) -> Option<f64> {
        Some((self.ci95_high? - self.ci95_low?) / 2.0)
    }
}

/// Summarises `values` (in seed order); `None` when there is none.
/// Non-finite values are the caller's to filter: a NaN has no place in a mean.
pub fn summarize(values: &[f64]) -> Option<Summary> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let nf = n as f64;
    let mean = values.iter().sum::<f64>() / nf;
    let (ci95_low, ci95_high) = if n >= 2 {
        let var = values.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (nf - 1.0);
        let half = t_975(n as u64 - 1) * (var / nf).sqrt();
        (Some(mean - half), Some(mean + half))
    } else {
        (None, None)
    };
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(Summary {
        n: n as u64,
        mean,
        ci95_low,
        ci95_high,
        p50: percentile(&sorted, 0.50),
        p90: percentile(&sorted, 0.90),
        p99: percentile(&sorted, 0.99),
        min: sorted[0],
        max: sorted[n - 1],
    })
}

/// The Wilson score 95 % interval of a proportion: `k` successes in `n` trials
/// (Wilson 1927). Unlike the normal ±1.96·√(p̂(1−p̂)/n) it stays inside [0, 1] and is
/// not empty at k = 0 or k = n, which is where a sweep's failure share often is.
/// `n` must be at least 1.
pub fn wilson_95(k: u64, n: u64) -> (f64, f64) {
    assert!(n >= 1 && k <= n, "a proportion of {k} in {n}");
    let (k, n) = (k as f64, n as f64);
    let z = Z_975;
    let p = k / n;
    let denominator = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denominator;
    let half = z / denominator * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The `p`-quantile (0 ≤ p ≤ 1) of ascending, non-empty `sorted`, interpolating
/// linearly between order statistics (type 7).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn t_quantiles_match_exact_values() {
        // Exact values computed by numerical integration of the t density.
        assert_eq!(t_975(1), 12.706204736);
        assert_eq!(t_975(10), 2.228138852);
        assert_eq!(t_975(30), 2.042272456);
        for (df, exact) in [
            (31, 2.039513446),
            (40, 2.021075390),
            (60, 2.000297822),
            (120, 1.979930405),
            (1000, 1.962339081),
        ] {
            assert!(close(t_975(df), exact, 1e-7), "df {df}: {}", t_975(df));
        }
        // Decreasing towards the normal quantile.
        assert!(t_975(1_000_000) > Z_975 && close(t_975(1_000_000), Z_975, 1e-5));
    }

    #[test]
    fn mean_and_interval_of_a_known_sample() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, s² = 32/7, s/√8 = 0.755929; t(7) = 2.364624.
        let s = summarize(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap();
        assert_eq!(s.n, 8);
        assert_eq!(s.mean, 5.0);
        let half = 2.364624252 * (32.0f64 / 7.0 / 8.0).sqrt();
        assert!(close(s.ci95_half_width().unwrap(), half, 1e-12));
        assert!(close(half, 1.787488, 1e-6));
        assert!(close(s.ci95_low.unwrap(), 3.212512, 1e-6));
        assert_eq!((s.min, s.max), (2.0, 9.0));
        // Type 7: h = 7p; p50 between 4 and 5, p90 at h = 6.3: 7 + 0.3·2.
        assert_eq!(s.p50, 4.5);
        assert!(close(s.p90, 7.6, 1e-12));
        assert!(close(s.p99, 7.0 + 0.93 * 2.0, 1e-12));
    }

    #[test]
    fn one_value_has_no_interval_and_constants_have_a_zero_one() {
        let one = summarize(&[3.5]).unwrap();
        assert_eq!((one.mean, one.p50, one.p99), (3.5, 3.5, 3.5));
        assert_eq!(one.ci95_low, None);
        let flat = summarize(&[1.0; 5]).unwrap();
        assert_eq!((flat.ci95_low, flat.ci95_high), (Some(1.0), Some(1.0)));
        assert!(summarize(&[]).is_none());
    }

    #[test]
    fn wilson_intervals_match_published_values() {
        // Newcombe (1998), Table I: 81 of 263 → 0.2553–0.3662; 15 of 148 → 0.0624–0.1605;
        // 0 of 20 → 0–0.1611; 1 of 29 → 0.0061–0.1718.
        for (k, n, low, high) in [
            (81, 263, 0.2553, 0.3662),
            (15, 148, 0.0624, 0.1605),
            (0, 20, 0.0, 0.1611),
            (1, 29, 0.0061, 0.1718),
        ] {
            let (l, h) = wilson_95(k, n);
            assert!(
                close(l, low, 5e-5) && close(h, high, 5e-5),
                "{k}/{n}: {l} {h}"
            );
        }
        // All successes mirror none.
        let (l, h) = wilson_95(20, 20);
        assert!(close(l, 1.0 - 0.1611, 5e-5) && h == 1.0, "{l} {h}");
    }

    #[test]
    fn percentiles_at_the_ends() {
        let sorted = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&sorted, 0.0), 1.0);
        assert_eq!(percentile(&sorted, 1.0), 5.0);
        assert_eq!(percentile(&sorted, 0.5), 3.0);
        assert_eq!(percentile(&sorted, 0.25), 2.0);
    }
}
