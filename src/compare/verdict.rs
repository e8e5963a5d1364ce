//! Which design is better on a figure, with statistical confidence. Designs run on
//! the same seeds (common random numbers), so a figure is compared seed by seed: the
//! 95 % Student-t confidence interval of the mean *paired* difference. When it
//! excludes zero the designs differ; the figure's direction (is more better?) says
//! which one wins. Pairing removes the variance the designs share (the same network
//! draws, the same fault times), so real differences show with fewer seeds.

use crate::sweep::stats::t_975;

/// Whether more of a figure is better, worse, or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// More is better (availability, successful requests).
    Higher,
    /// Less is better (latency, detection time, lost writes).
    Lower,
    /// No preference (event counts, message counts).
    Neutral,
}

/// The direction of a figure, from the words in its name. A bound in the scenario's
/// checks (`>=` or `<=`) overrides this guess; see [`from_check`].
pub fn direction(figure: &str) -> Direction {
    const LOWER: [&str; 16] = [
        "latency",
        "lost",
        "stale",
        "dropped",
        "timeout",
        "fail",
        "false",
        "time",
        "mttr",
        "offline",
        "violation",
        "detection",
        "confirm",
        "restarts",
        "unknown",
        "under_",
    ];
    const HIGHER: [&str; 7] = [
        "availability",
        "uptime",
        "_ok",
        "success",
        "nines",
        "mttsf",
        "goodput",
    ];
    let f = figure.to_ascii_lowercase();
    if HIGHER.iter().any(|w| f.contains(w)) && !f.contains("unavailab") {
        Direction::Higher
    } else if LOWER.iter().any(|w| f.contains(w)) {
        Direction::Lower
    } else {
        Direction::Neutral
    }
}

/// The direction a check's comparison implies: `>=`/`>` more is better.
pub fn from_check(symbol: &str) -> Option<Direction> {
    match symbol {
        ">=" | ">" => Some(Direction::Higher),
        "<=" | "<" => Some(Direction::Lower),
        _ => None,
    }
}

/// The paired comparison of design B against baseline A on one figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Paired {
    /// Seeds where both reported the figure.
    pub n: usize,
    /// Mean of B − A.
    pub mean: f64,
    /// Half-width of its 95 % confidence interval (infinite for one seed).
    pub half_width: f64,
}

impl Paired {
    /// Compares per-seed values (`None` where a seed did not report the figure).
    pub fn of(a: &[Option<f64>], b: &[Option<f64>]) -> Option<Paired> {
        let d: Vec<f64> = a
            .iter()
            .zip(b)
            .filter_map(|(x, y)| Some(y.as_ref()? - x.as_ref()?))
            .filter(|d| d.is_finite())
            .collect();
        let n = d.len();
        if n == 0 {
            return None;
        }
        let mean = d.iter().sum::<f64>() / n as f64;
        let half_width = if n < 2 {
            f64::INFINITY
        } else {
            let var = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
            t_975(n as u64 - 1) * (var / n as f64).sqrt()
        };
        Some(Paired {
            n,
            mean,
            half_width,
        })
    }

    /// Compares a pooled ratio figure (see `crate::sweep::ratios`) from each seed's
    /// (x, y): B's Σx/Σy minus A's over the seeds where both can be pooled. Its
    /// interval is the delta method on the paired seeds: the difference moves with
    /// dᵢ = (x_Bᵢ − R_B·y_Bᵢ)/ȳ_B − (x_Aᵢ − R_A·y_Aᵢ)/ȳ_A, whose mean has variance
    /// Σdᵢ²/(n−1)/n. `None` when either side has no denominator at all.
    pub fn of_ratio(a: &[Option<(f64, f64)>], b: &[Option<(f64, f64)>]) -> Option<Paired> {
        let both: Vec<((f64, f64), (f64, f64))> = a
            .iter()
            .zip(b)
            .filter_map(|(p, q)| Some(((*p)?, (*q)?)))
            .collect();
        let n = both.len();
        let (mut sum_xa, mut sum_ya, mut sum_xb, mut sum_yb) = (0.0, 0.0, 0.0, 0.0);
        for ((xa, y_a), (xb, y_b)) in &both {
            sum_xa += xa;
            sum_ya += y_a;
            sum_xb += xb;
            sum_yb += y_b;
        }
        if n == 0 || sum_ya <= 0.0 || sum_yb <= 0.0 {
            return None;
        }
        let (ra, rb) = (sum_xa / sum_ya, sum_xb / sum_yb);
        let nf = n as f64;
        let (ya, yb) = (sum_ya / nf, sum_yb / nf);
        let half_width = if n < 2 {
            f64::INFINITY
        } else {
            let ss: f64 = both
                .iter()
                .map(|((xa, y_a), (xb, y_b))| {
                    let d = (xb - rb * y_b) / yb - (xa - ra * y_a) / ya;
                    d * d
                })
                .sum();
            t_975(n as u64 - 1) * (ss / (nf - 1.0) / nf).sqrt()
        };
        Some(Paired {
            n,
            mean: rb - ra,
            half_width,
        })
    }

    /// Whether the interval excludes zero.
    pub fn significant(&self) -> bool {
        self.mean.abs() > self.half_width
    }

    /// The verdict for B, in words.
    pub fn verdict(&self, direction: Direction) -> &'static str {
        if !self.significant() {
            return "same";
        }
        match (direction, self.mean > 0.0) {
            (Direction::Higher, true) | (Direction::Lower, false) => "better",
            (Direction::Higher, false) | (Direction::Lower, true) => "worse",
            (Direction::Neutral, _) => "differs",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_figure_compares_pooled_ratios_not_per_seed_differences() {
        // A: x = 10, 20, 30, 40 over y = 1, 2, 2, 5 (R = 10); B doubles every x (R = 20).
        // The per-seed ratio differences average 10.75; the pooled difference is 10,
        // with d = (x − 10y)/2.5 = 0, 0, 4, −4: half-width t(3)·√(32/3/4).
        let a: Vec<Option<(f64, f64)>> = [(10.0, 1.0), (20.0, 2.0), (30.0, 2.0), (40.0, 5.0)]
            .into_iter()
            .map(Some)
            .collect();
        let b: Vec<Option<(f64, f64)>> = a.iter().map(|p| p.map(|(x, y)| (2.0 * x, y))).collect();
        let p = Paired::of_ratio(&a, &b).unwrap();
        assert_eq!((p.n, p.mean), (4, 10.0));
        let half = 3.182446305 * (32.0f64 / 3.0 / 4.0).sqrt();
        assert!((p.half_width - half).abs() < 1e-12, "{}", p.half_width);
        assert_eq!(p.verdict(Direction::Higher), "better");
        // A seed one side cannot pool is left out; no denominator at all is no verdict.
        let mut c = b.clone();
        c[3] = None;
        assert_eq!(Paired::of_ratio(&a, &c).unwrap().n, 3);
        let none = vec![Some((0.0, 0.0)); 4];
        assert!(Paired::of_ratio(&a, &none).is_none());
    }

    #[test]
    fn pairing_finds_a_small_shift_hidden_under_shared_noise() {
        // Seed effects of ±50 shared by both designs; B is 1 higher on every seed.
        let a: Vec<Option<f64>> = (0..10).map(|i| Some(f64::from((i * 37) % 100))).collect();
        let b: Vec<Option<f64>> = a.iter().map(|x| x.map(|v| v + 1.0)).collect();
        let p = Paired::of(&a, &b).unwrap();
        assert_eq!(p.n, 10);
        assert!((p.mean - 1.0).abs() < 1e-12);
        assert!(p.significant());
        assert_eq!(p.verdict(Direction::Higher), "better");
        assert_eq!(p.verdict(Direction::Lower), "worse");
        assert_eq!(p.verdict(Direction::Neutral), "differs");
        // Noise in the difference itself: not significant.
        let c: Vec<Option<f64>> = a
            .iter()
            .enumerate()
            .map(|(i, x)| x.map(|v| v + if i % 2 == 0 { 5.0 } else { -5.0 }))
            .collect();
        assert_eq!(
            Paired::of(&a, &c).unwrap().verdict(Direction::Higher),
            "same"
        );
        // Seeds missing on either side are left out of the pairs.
        let mut d = b.clone();
        d[3] = None;
        assert_eq!(Paired::of(&a, &d).unwrap().n, 9);
    }

    #[test]
    fn directions_come_from_the_names() {
        assert_eq!(direction("availability"), Direction::Higher);
        assert_eq!(direction("latency_p99"), Direction::Lower);
        assert_eq!(direction("false_suspicions"), Direction::Lower);
        assert_eq!(direction("detection_first_mean"), Direction::Lower);
        assert_eq!(direction("requests_ok"), Direction::Higher);
        assert_eq!(direction("events"), Direction::Neutral);
        assert_eq!(from_check(">="), Some(Direction::Higher));
    }
}
