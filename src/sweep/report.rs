//! The aggregate as a human table on stdout: lined-up columns, figures in their units
//! (percentages, durations, counts), availabilities in nines (of the mean, with the
//! interval carried over), which figures are pooled, the probability of failure in a
//! period, the check tallies, and the failing seeds with
//! their replay commands (the first few; the JSON and the results file have all).

use super::aggregate::Aggregate;
use crate::models::{ModelEntry, Unit};
use crate::report::{format_half_width, format_value, no_value_reason, unit_of};
use std::fmt::Write;

/// How many failing seeds the table lists before saying how many more there are.
pub const FAILING_SHOWN: usize = 10;

/// A value in `unit`, for the table.
pub(crate) fn value(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Count if v.fract() != 0.0 => format!("{v:.3}"),
        _ => format_value(unit, v),
    }
}

/// A confidence interval's half-width `h` beside its mean, in the mean's unit.
pub(crate) fn half_width(unit: Unit, mean: f64, h: f64) -> String {
    match unit {
        Unit::Seconds => format_half_width(unit, mean, h),
        _ => value(unit, h),
    }
}

/// Lines up `rows` under `head`: the first column to the left, the others to the right.
pub(crate) fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let head: Vec<String> = head.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&head).chain(rows) {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(&widths).enumerate() {
            if i == 0 {
                let _ = write!(line, "  {cell:<w$}");
            } else {
                let _ = write!(line, "  {cell:>w$}");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The aggregate as text.
pub fn render(model: &ModelEntry, a: &Aggregate) -> String {
    let mut out = String::new();
    let part = match a.shard {
        Some(shard) => format!(", shard {shard}"),
        None => String::new(),
    };
    let _ = writeln!(
        out,
        "sweep of {} (model {}), seeds {}{part}",
        a.scenario, a.model, a.seeds
    );
    let _ = writeln!(
        out,
        "hasim {}, scenario hash {}",
        a.hasim_version, a.scenario_hash
    );
    let ended: Vec<String> = a.outcomes.iter().map(|(k, n)| format!("{k} {n}")).collect();
    let _ = writeln!(
        out,
        "{} runs{}: {} passed, {} failed ({})",
        a.runs,
        if a.complete { "" } else { " (INCOMPLETE)" },
        a.passed,
        a.failed,
        ended.join(", ")
    );

    if !a.figures.is_empty() {
        let rows: Vec<Vec<String>> = a
            .figures
            .iter()
            .map(|(name, s)| {
                let unit = unit_of(model, name);
                vec![
                    name.clone(),
                    s.n.to_string(),
                    value(unit, s.mean),
                    match s.ci95_half_width() {
                        Some(h) => format!("±{}", half_width(unit, s.mean, h)),
                        None => "-".to_string(),
                    },
                    value(unit, s.p50),
                    value(unit, s.p90),
                    value(unit, s.p99),
                    value(unit, s.min),
                    value(unit, s.max),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&table(
            &[
                "figure", "seeds", "mean", "95% CI", "p50", "p90", "p99", "min", "max",
            ],
            &rows,
        ));
    }

    if !a.pooled.is_empty() {
        // The mean of such a figure is not the mean of the column it heads.
        let names: Vec<&str> = a.pooled.keys().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "  pooled across seeds (total over total, every seed counted): {}",
            names.join(", ")
        );
    }

    if let Some(p) = &a.failure_probability {
        let _ = writeln!(
            out,
            "\nP(failure within {}): {:.3} (95% CI {:.3} – {:.3}, Wilson; {} of {} seeds with {}); failure-free {:.3}",
            format_value(Unit::Seconds, p.period_s),
            p.share,
            p.ci95_low,
            p.ci95_high,
            p.failed,
            p.seeds,
            p.basis,
            1.0 - p.share
        );
    }

    if !a.no_value.is_empty() {
        let listed: Vec<String> = a
            .no_value
            .iter()
            .map(|name| format!("{name} ({})", no_value_reason(name)))
            .collect();
        let _ = writeln!(out, "\nno value on any seed: {}", listed.join(", "));
    }

    let nines: Vec<Vec<String>> = a
        .nines
        .iter()
        .map(|(name, n)| {
            let interval = match (n.ci95_low, n.ci95_high) {
                (Some(l), Some(h)) => format!("{l:.2} – {h:.2}"),
                _ => "-".to_string(),
            };
            vec![name.clone(), format!("{:.2}", n.mean), interval]
        })
        .collect();
    if !nines.is_empty() {
        // Nines of the mean availability, the interval mapped from the availability's
        // (see `crate::nines`): not the mean of per-seed nines.
        out.push('\n');
        out.push_str(&table(
            &["in nines (of the mean)", "nines", "95% CI"],
            &nines,
        ));
    }

    if !a.checks.is_empty() {
        let rows: Vec<Vec<String>> = a
            .checks
            .iter()
            .map(|c| {
                vec![
                    c.name.clone(),
                    match c.unmeasured {
                        0 => format!("{} of {}", c.violated, c.judged),
                        n => format!("{} of {} ({n} unmeasured)", c.violated, c.judged),
                    },
                    if c.violated == 0 { "held" } else { "VIOLATED" }.to_string(),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&table(&["check", "seeds violated", ""], &rows));
    }

    if !a.failing.is_empty() {
        let _ = writeln!(out, "\nfailing seeds ({}):", a.failing.len());
        for f in a.failing.iter().take(FAILING_SHOWN) {
            let _ = writeln!(out, "  seed {}: {} [run {}]", f.seed, f.reason, f.outcome);
            let _ = writeln!(out, "    {}", f.replay);
        }
        if a.failing.len() > FAILING_SHOWN {
            let _ = writeln!(
                out,
                "  … and {} more (all are in --json and in the results file)",
                a.failing.len() - FAILING_SHOWN
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::seeds::SeedRange;
    use crate::sweep::stats::{summarize, Summary};
    use std::collections::BTreeMap;

    #[test]
    fn availabilities_get_nines_of_the_mean_with_the_interval_mapped() {
        // Four seeds: 99.9 % ± something; nines of the mean, not the mean of nines.
        let values = [0.999, 0.9985, 0.9995, 0.999];
        let s = summarize(&values).expect("values");
        let (low, high) = (s.ci95_low.unwrap(), s.ci95_high.unwrap());
        let mut figures = BTreeMap::new();
        figures.insert("system_availability".to_string(), s);
        figures.insert(
            "system_failures".to_string(),
            summarize(&[1.0, 2.0]).unwrap(),
        );
        let a = four_seeds_of(figures);
        let text = render(&redundancy(), &a);
        let nines = |x: f64| -(1.0 - x).log10();
        let (_, block) = text
            .split_once("in nines (of the mean)")
            .expect("a nines block");
        let rows: Vec<Vec<&str>> = block
            .lines()
            .skip(1) // the rest of the header
            .take_while(|l| !l.trim().is_empty())
            .map(|l| l.split_whitespace().collect())
            .collect();
        let expected = [
            "system_availability".to_string(),
            format!("{:.2}", nines(0.999)),
            format!("{:.2}", nines(low)),
            "–".to_string(),
            format!("{:.2}", nines(high)),
        ];
        // Only availabilities get a nines row.
        assert_eq!(
            rows,
            vec![expected.iter().map(|s| s.as_str()).collect::<Vec<_>>()],
            "{text}"
        );
    }

    #[test]
    fn a_confidence_interval_prints_in_the_unit_of_its_mean() {
        // A mean of seconds with a half-width of milliseconds: both in seconds.
        let s = summarize(&[2.5, 2.501, 2.499, 2.5]).expect("values");
        let h = s.ci95_half_width().unwrap();
        assert!(h < 1e-2, "{h}");
        let mut figures = BTreeMap::new();
        figures.insert("node_mttr".to_string(), s);
        let a = four_seeds_of(figures);
        let text = render(&redundancy(), &a);
        let row: Vec<&str> = text
            .lines()
            .find(|l| l.trim_start().starts_with("node_mttr"))
            .expect("a node_mttr row")
            .split_whitespace()
            .collect();
        assert_eq!(row[2], "2.5s", "{text}");
        assert!(
            row[3].starts_with("±0.00") && row[3].ends_with('s') && !row[3].ends_with("ms"),
            "{text}"
        );
    }

    /// The built-in `redundancy` model's entry.
    fn redundancy() -> crate::models::ModelEntry {
        use crate::models::Lookup;
        let models = crate::registry::Registry::builtin();
        models.find("redundancy").expect("built in").clone()
    }

    /// Four passing seeds of a redundancy sweep with these figures.
    fn four_seeds_of(figures: BTreeMap<String, Summary>) -> Aggregate {
        Aggregate {
            scenario: "s".into(),
            model: "redundancy".into(),
            scenario_hash: "0".into(),
            hasim_version: "0".into(),
            seeds: SeedRange::until(1, 5),
            shard: None,
            runs: 4,
            complete: true,
            passed: 4,
            failed: 0,
            outcomes: BTreeMap::new(),
            nines: crate::sweep::aggregate::nines(&redundancy(), &figures),
            figures,
            pooled: BTreeMap::new(),
            failure_probability: None,
            no_value: Vec::new(),
            checks: Vec::new(),
            failing: Vec::new(),
        }
    }
}
