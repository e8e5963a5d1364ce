//! Capacity planning: the highest arrival rate at which a design still meets its SLO.
//!
//! **The algorithm.** Bisection on the rate between `rate_min` and `rate_max`, on the
//! assumption that the SLO holds below some rate and fails above it. The caller's
//! closure runs the scenario at a rate and returns its figures; it should use the same
//! seeds at every rate (common random numbers), so that the comparison between two
//! rates is not swamped by the noise between two seeds. The result carries every rate
//! tried with its figures, in the order tried, so the answer can be checked.
//!
//! **What it simplifies.** No confidence intervals: with few seeds near the boundary a
//! noisy SLO can make the search land on either side of the true knee.

use std::collections::BTreeMap;

/// One rate tried.
#[derive(Clone, Debug, PartialEq)]
pub struct Trial {
    /// The total arrival rate, requests per second.
    pub rate: f64,
    /// The figures the closure returned.
    pub figures: BTreeMap<String, f64>,
    /// Whether they met the SLO.
    pub meets: bool,
}

/// The outcome of a search.
#[derive(Clone, Debug, PartialEq)]
pub struct Capacity {
    /// The highest rate tried that met the SLO, or `None` if even `rate_min` failed.
    pub rate: Option<f64>,
    /// Every trial, in the order run.
    pub table: Vec<Trial>,
}

/// Searches `[rate_min, rate_max]` for the highest rate meeting `slo`, stopping once
/// the bracket is narrower than `precision` (relative to its upper end) or after 30
/// steps.
pub fn highest_rate(
    rate_min: f64,
    rate_max: f64,
    precision: f64,
    mut run: impl FnMut(f64) -> BTreeMap<String, f64>,
    slo: impl Fn(&BTreeMap<String, f64>) -> bool,
) -> Capacity {
    let mut table = Vec::new();
    let mut trial = |rate: f64, table: &mut Vec<Trial>| {
        let figures = run(rate);
        let meets = slo(&figures);
        table.push(Trial {
            rate,
            figures,
            meets,
        });
        meets
    };
    if !trial(rate_min, &mut table) {
        return Capacity { rate: None, table };
    }
    if trial(rate_max, &mut table) {
        return Capacity {
            rate: Some(rate_max),
            table,
        };
    }
    let (mut good, mut bad) = (rate_min, rate_max);
    for _ in 0..30 {
        if (bad - good) <= precision * bad {
            break;
        }
        let mid = (good + bad) / 2.0;
        if trial(mid, &mut table) {
            good = mid;
        } else {
            bad = mid;
        }
    }
    Capacity {
        rate: Some(good),
        table,
    }
}

/// The table as aligned text: rate, whether it met the SLO, and the chosen figures.
pub fn table_text(capacity: &Capacity, columns: &[&str]) -> String {
    let mut rows: Vec<&Trial> = capacity.table.iter().collect();
    rows.sort_by(|a, b| a.rate.total_cmp(&b.rate));
    let mut out = format!("{:>12} {:>5}", "rate", "slo");
    for c in columns {
        out.push_str(&format!(" {c:>16}"));
    }
    out.push('\n');
    for t in rows {
        out.push_str(&format!(
            "{:>12.4} {:>5}",
            t.rate,
            if t.meets { "ok" } else { "FAIL" }
        ));
        for c in columns {
            match t.figures.get(*c) {
                Some(v) => out.push_str(&format!(" {v:>16.6}")),
                None => out.push_str(&format!(" {:>16}", "-")),
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bisection_finds_the_knee_of_a_monotone_slo() {
        let c = highest_rate(
            1.0,
            100.0,
            0.001,
            |rate| BTreeMap::from([("x".to_string(), rate)]),
            |f| f["x"] <= 37.5,
        );
        let r = c.rate.expect("rate_min meets the SLO");
        assert!((r - 37.5).abs() < 0.1 && r <= 37.5, "{r}");
        assert!(c.table.len() < 20);
        let none = highest_rate(1.0, 2.0, 0.01, |_| BTreeMap::new(), |_| false);
        assert_eq!(none.rate, None);
    }
}
