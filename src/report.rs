//! Human output: the summary table of a run, figures printed in their units
//! (percentages, durations, counts), columns that line up.

use crate::models::{ModelEntry, Unit};
use crate::run_result::{CheckResult, RunResult};
use crate::scenario::Scenario;
use hasim_sim::SimDuration;
use std::fmt::Write;

/// The unit of a figure of `model` (a count when unknown).
pub fn unit_of(model: &ModelEntry, figure: &str) -> Unit {
    (model.figures)()
        .into_iter()
        .find(|f| {
            f.name == figure
                || f.name
                    .strip_suffix('*')
                    .is_some_and(|p| figure.starts_with(p))
        })
        .map_or(Unit::Count, |f| f.unit)
}

/// What a figure with no value prints as: never a number.
pub const NO_VALUE: &str = "–";

/// Why `figure` can have no value, in a word or two: times measured from a crash
/// have none when nothing crashed; anything else had no sample.
pub fn no_value_reason(figure: &str) -> &'static str {
    let from_a_crash = [
        "detect", "failover", "recovery", "takeover", "repair", "mttr",
    ];
    if from_a_crash.iter().any(|w| figure.contains(w)) {
        "no crash"
    } else {
        "no sample"
    }
}

/// A figure's value with its name known: its value in its unit, or "– (no crash)".
pub fn format_figure(model: &ModelEntry, figure: &str, value: f64) -> String {
    if value.is_nan() {
        format!("{NO_VALUE} ({})", no_value_reason(figure))
    } else {
        format_value(unit_of(model, figure), value)
    }
}

/// A figure's value in its unit: "99.95%", "12.3ms", "1234", "12.50h", "182.2d";
/// "–" for no value (NaN).
pub fn format_value(unit: Unit, value: f64) -> String {
    if value.is_nan() {
        return NO_VALUE.to_string();
    }
    match unit {
        Unit::Fraction => {
            // Three decimals, more where three would round an availability short of
            // one up to "100.000%": 99.99997 % must not read as no downtime at all.
            let mut decimals = 3;
            let mut text = format!("{:.*}%", decimals, value * 100.0);
            while value < 1.0 && text.starts_with("100.") && decimals < 12 {
                decimals += 1;
                text = format!("{:.*}%", decimals, value * 100.0);
            }
            text
        }
        // Long durations (times to failure, repairs) in hours or days.
        Unit::Seconds if value >= 10.0 * 86_400.0 => format!("{:.1}d", value / 86_400.0),
        Unit::Seconds if value >= 3_600.0 => format!("{:.2}h", value / 3_600.0),
        Unit::Seconds => {
            // Round to the microsecond: figures come from histograms with ~1.6 % error.
            let d = SimDuration::from_secs_f64(value);
            SimDuration::from_micros(d.as_nanos().saturating_add(500) / 1000).to_string()
        }
        Unit::Count if value.fract() == 0.0 && value.abs() < 1e15 => format!("{}", value as i64),
        Unit::Count => format!("{value:.4}"),
    }
}

/// The half-width of a confidence interval in the unit its mean prints in: a mean of
/// "2.5s" gets "±0.0012s", never "±1.2ms", so the two read as one quantity.
pub fn format_half_width(unit: Unit, mean: f64, half: f64) -> String {
    if unit != Unit::Seconds || half.is_nan() || mean.is_nan() {
        return format_value(unit, half);
    }
    let (scale, suffix) = seconds_scale(if mean == 0.0 { half } else { mean.abs() });
    let x = half / scale;
    format!("{}{suffix}", fixed(x, significant_decimals(x)))
}

/// How many decimals show three significant digits of `x` (none for whole hundreds).
fn significant_decimals(x: f64) -> usize {
    if x.abs() > 0.0 {
        (2 - libm::floor(libm::log10(x.abs())) as i32).clamp(0, 9) as usize
    } else {
        0
    }
}

/// `x` with `decimals` decimals, trailing zeros (and a bare point) dropped.
fn fixed(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A check's measured value in the unit its bound is written in: `3.37m` beside a
/// bound of `3m` (not `202.499652s`), `99.95%` beside `99.9%`; with as many decimals
/// as it takes not to read as the bound itself when it is not.
pub fn format_measured(model: &ModelEntry, check: &str, value: f64) -> String {
    let figure = check.split_whitespace().next().unwrap_or_default();
    let unit = unit_of(model, figure);
    let bound = check.split_whitespace().last().unwrap_or_default();
    let number_end = bound
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
        .unwrap_or(bound.len());
    let (number, suffix) = bound.split_at(number_end);
    let scale = match suffix {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3_600.0,
        "d" => 86_400.0,
        _ => return format_value(unit, value),
    };
    if unit != Unit::Seconds || value.is_nan() {
        return format_value(unit, value);
    }
    let bound_value: Option<f64> = number.replace('_', "").parse().ok();
    let x = value / scale;
    let mut decimals = significant_decimals(x);
    let mut text = fixed(x, decimals);
    if let Some(b) = bound_value {
        while x != b && decimals < 9 && text == fixed(b, decimals) {
            decimals += 1;
            text = fixed(x, decimals);
        }
    }
    format!("{text}{suffix}")
}

/// What a summary prints after a check's verdict: its measured value, or why it
/// failed or could not be measured.
pub fn check_detail(model: &ModelEntry, c: &CheckResult) -> String {
    match (c.measured, &c.why) {
        (Some(m), _) => format!("measured {}", format_measured(model, &c.name, m)),
        (None, Some(why)) => why.clone(),
        (None, None) => String::new(),
    }
}

/// The unit `format_value` prints `seconds` in: its size and suffix.
fn seconds_scale(seconds: f64) -> (f64, &'static str) {
    match seconds {
        s if s >= 10.0 * 86_400.0 => (86_400.0, "d"),
        s if s >= 3_600.0 => (3_600.0, "h"),
        s if s >= 1.0 => (1.0, "s"),
        s if s >= 1e-3 => (1e-3, "ms"),
        s if s >= 1e-6 => (1e-6, "us"),
        _ => (1e-9, "ns"),
    }
}

/// The summary table of one run.
pub fn summary(scenario: &Scenario, r: &RunResult) -> String {
    let mut rows: Vec<(String, String)> = vec![
        (
            "scenario".into(),
            format!("{} ({})", r.scenario, scenario.path.display()),
        ),
        ("description".into(), scenario.description.clone()),
        ("seed".into(), r.seed.to_string()),
        ("outcome".into(), r.outcome.clone()),
        (
            "simulated time".into(),
            SimDuration::from_secs_f64(r.sim_time_s).to_string(),
        ),
        ("events".into(), r.events.to_string()),
    ];
    let mut out = String::new();
    let width = 24;
    for (k, v) in rows.drain(..) {
        let _ = writeln!(out, "{k:<width$} {v}");
    }
    let _ = writeln!(out, "\nfigures");
    for (name, value) in &r.figures {
        let _ = writeln!(
            out,
            "  {name:<w$} {:>12}",
            format_figure(&scenario.entry, name, *value),
            w = width - 2
        );
    }
    if !r.checks.is_empty() {
        let _ = writeln!(out, "\nchecks");
        let name_width = r.checks.iter().map(|c| c.name.chars().count()).max();
        for c in &r.checks {
            let line = format!(
                "  {:<10}  {:<w$}  {}",
                c.verdict.word(),
                c.name,
                check_detail(&scenario.entry, c),
                w = name_width.unwrap_or(0).min(48)
            );
            let _ = writeln!(out, "{}", line.trim_end());
        }
    }
    if let Some(v) = &r.violation {
        let _ = writeln!(out, "\nviolation: {v}");
        if !r.trace_tail.is_empty() {
            let _ = writeln!(out, "last trace records:");
            for line in &r.trace_tail {
                let _ = writeln!(out, "  {line}");
            }
        }
    }
    let _ = writeln!(out);
    for (k, v) in [
        ("trace hash", r.trace_hash.clone()),
        ("hasim version", r.hasim_version.clone()),
        ("scenario hash", r.scenario_hash.clone()),
        ("replay", r.replay.clone()),
    ] {
        let _ = writeln!(out, "{k:<width$} {v}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availabilities_near_one_keep_their_last_nines() {
        assert_eq!(format_value(Unit::Fraction, 0.9995), "99.950%");
        assert_eq!(format_value(Unit::Fraction, 0.9999997), "99.99997%");
        assert_eq!(format_value(Unit::Fraction, 1.0), "100.000%");
        assert_eq!(format_value(Unit::Fraction, 0.5), "50.000%");
    }

    #[test]
    fn a_figure_with_no_value_prints_as_no_value_with_its_reason() {
        use crate::models::Lookup;
        let registry = crate::registry::Registry::builtin();
        let balancing = registry.find("balancing").expect("built in").clone();
        assert_eq!(format_value(Unit::Seconds, f64::NAN), "–");
        assert_eq!(
            format_figure(&balancing, "detection_mean", f64::NAN),
            "– (no crash)"
        );
        assert_eq!(format_figure(&balancing, "detection_mean", 0.25), "250ms");
    }

    #[test]
    fn a_confidence_interval_prints_in_its_means_unit() {
        assert_eq!(format_value(Unit::Seconds, 2.5), "2.5s");
        assert_eq!(format_half_width(Unit::Seconds, 2.5, 0.0012), "0.0012s");
        assert_eq!(format_half_width(Unit::Seconds, 0.25, 0.5), "500ms");
        assert_eq!(
            format_half_width(Unit::Seconds, 0.004, 0.000_012_34),
            "0.0123ms"
        );
        assert_eq!(format_value(Unit::Seconds, 7_200.0), "2.00h");
        assert_eq!(format_half_width(Unit::Seconds, 7_200.0, 90.0), "0.025h");
        assert_eq!(format_half_width(Unit::Seconds, 0.0, 0.002), "2ms");
        assert_eq!(format_half_width(Unit::Fraction, 0.99, 0.001), "0.100%");
    }

    #[test]
    fn long_durations_in_hours_and_days() {
        assert_eq!(format_value(Unit::Seconds, 0.25), "250ms");
        assert_eq!(format_value(Unit::Seconds, 5400.0), "1.50h");
        assert_eq!(format_value(Unit::Seconds, 15_760_493.0), "182.4d");
    }
}
