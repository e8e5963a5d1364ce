//! `hasim sweep --report FILE.html`: the sweep as one self-contained page (no script,
//! no network): per figure, its distribution over the seeds as a histogram with the
//! empirical CDF over it, the mean and its 95 % confidence interval marked; then the
//! failing seeds, each with its replay command and the `hasim report` command that
//! draws its timeline.

use super::aggregate::Aggregate;
use super::report::{half_width, value};
use crate::models::ModelEntry;
use crate::report::unit_of;
use crate::runner::RunResult;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Each figure's finite values over the seeds (in any order: the page sorts them).
pub type Values = BTreeMap<String, Vec<f64>>;

/// Adds one seed's figures to `values`.
pub fn add(values: &mut Values, result: &RunResult) {
    for (name, v) in &result.figures {
        if v.is_finite() {
            values.entry(name.clone()).or_default().push(*v);
        }
    }
}

/// Bins of a histogram.
pub const BINS: usize = 20;
const W: f64 = 420.0;
const H: f64 = 150.0;
const PAD: f64 = 34.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Counts of `values` in [`BINS`] equal bins over [min, max] (one bin when all equal).
pub fn histogram(values: &[f64]) -> (f64, f64, Vec<u64>) {
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if values.is_empty() || max <= min {
        return (min, max, vec![values.len() as u64]);
    }
    let mut bins = vec![0u64; BINS];
    for v in values {
        let i = (((v - min) / (max - min)) * BINS as f64) as usize;
        bins[i.min(BINS - 1)] += 1;
    }
    (min, max, bins)
}

/// One figure's picture: histogram bars, the ECDF as a step line, the mean and its
/// interval as a line and a band.
fn figure_svg(out: &mut String, model: &ModelEntry, name: &str, values: &[f64], agg: &Aggregate) {
    let unit = unit_of(model, name);
    let (min, max, bins) = histogram(values);
    let span = if max > min { max - min } else { 1.0 };
    let x = |v: f64| PAD + (W - 2.0 * PAD) * if max > min { (v - min) / span } else { 0.5 };
    let top_count = bins.iter().copied().max().unwrap_or(1).max(1) as f64;
    let _ = write!(
        out,
        r##"<svg class="figure" data-figure="{}" data-n="{}" width="{W}" height="{}" font-family="sans-serif" font-size="10"><rect width="100%" height="100%" fill="white"/>"##,
        escape(name),
        values.len(),
        H + 30.0
    );
    let (base, plot_h) = (H, H - 20.0);
    let bw = (W - 2.0 * PAD) / bins.len() as f64;
    for (i, c) in bins.iter().enumerate() {
        let h = plot_h * *c as f64 / top_count;
        let _ = write!(
            out,
            r##"<rect class="bin" x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}" fill="#90caf9"><title>{c} seeds</title></rect>"##,
            PAD + bw * i as f64,
            base - h,
            (bw - 1.0).max(0.5)
        );
    }
    // The ECDF: the share of seeds at or below each value.
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut d = format!("M{PAD:.1} {base:.1}");
    for (i, v) in sorted.iter().enumerate() {
        let y = base - plot_h * (i + 1) as f64 / sorted.len() as f64;
        let _ = write!(d, " H{:.1} V{y:.1}", x(*v));
    }
    let _ = write!(
        out,
        r##"<path class="ecdf" d="{d}" fill="none" stroke="#1565c0" stroke-width="1.2"/>"##
    );
    if let Some(s) = agg.figures.get(name) {
        if let (Some(lo), Some(hi)) = (s.ci95_low, s.ci95_high) {
            let (a, b) = (x(lo.max(min)), x(hi.min(max)));
            let _ = write!(
                out,
                r##"<rect class="ci" x="{a:.1}" y="{:.1}" width="{:.1}" height="{plot_h:.1}" fill="#ef9a9a" fill-opacity="0.35"/>"##,
                base - plot_h,
                (b - a).max(1.0)
            );
        }
        let m = x(s.mean);
        let ci = s.ci95_half_width().map_or(String::new(), |h| {
            format!(" ± {}", half_width(unit, s.mean, h))
        });
        let _ = write!(
            out,
            r##"<line class="mean" x1="{m:.1}" y1="{:.1}" x2="{m:.1}" y2="{base:.1}" stroke="#c62828" stroke-width="1.5"/><text x="{PAD}" y="12" font-weight="bold">{} — mean {}{} (95 % CI), n {}</text>"##,
            base - plot_h,
            escape(name),
            escape(&value(unit, s.mean)),
            escape(&ci),
            s.n
        );
    }
    let _ = write!(
        out,
        r##"<line x1="{PAD}" y1="{base}" x2="{:.1}" y2="{base}" stroke="#555"/><text x="{PAD}" y="{:.1}">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#1565c0">ECDF 1</text></svg>"##,
        W - PAD,
        base + 14.0,
        escape(&value(unit, min)),
        W - PAD,
        base + 14.0,
        escape(&value(unit, max)),
        W - 2.0,
        base - plot_h + 4.0
    );
}

/// The page of a sweep: its aggregate and the figures' values it came from.
pub fn page(model: &ModelEntry, agg: &Aggregate, values: &Values, scenario_path: &str) -> String {
    let mut h = String::new();
    let title = format!(
        "{} — seeds {} — {} of {} passed",
        agg.scenario, agg.seeds, agg.passed, agg.runs
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hasim sweep: {t}</title><style>body{{font-family:sans-serif;margin:16px;color:#263238}}.figs{{display:flex;flex-wrap:wrap;gap:12px}}table{{border-collapse:collapse;font-size:13px}}td,th{{padding:2px 8px;border-bottom:1px solid #eceff1;text-align:left}}code{{font-size:12px}}</style></head><body><h1>{t}</h1><p>Each figure over the seeds that gave it a value: a histogram of {BINS} bins, the empirical CDF (blue steps), the mean (red line) and its 95 % confidence interval (red band).</p>",
        t = escape(&title)
    );
    h.push_str("<div class=\"figs\">");
    for name in agg.figures.keys() {
        if let Some(values) = values.get(name).filter(|v| !v.is_empty()) {
            let mut sorted = values.clone();
            sorted.sort_by(f64::total_cmp);
            figure_svg(&mut h, model, name, &sorted, agg);
        }
    }
    h.push_str("</div>");
    if !agg.no_value.is_empty() {
        let _ = write!(
            h,
            "<p>No seed gave a value for: {}</p>",
            escape(&agg.no_value.join(", "))
        );
    }
    let _ = write!(
        h,
        "<h2>failing seeds ({})</h2><table id=\"failing\"><tr><th>seed</th><th>outcome</th><th>why</th><th>replay / draw</th></tr>",
        agg.failing.len()
    );
    for f in &agg.failing {
        let _ = write!(
            h,
            "<tr class=\"failing\" data-seed=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code><br><code>hasim report {} --seed {} -o seed-{}.html</code></td></tr>",
            f.seed,
            f.seed,
            escape(&f.outcome),
            escape(&f.reason),
            escape(&f.replay),
            escape(scenario_path),
            f.seed,
            f.seed
        );
    }
    let _ = writeln!(
        h,
        "</table><p>hasim {} · scenario hash {}</p></body></html>",
        escape(&agg.hasim_version),
        escape(&agg.scenario_hash)
    );
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_histogram_counts_every_value_once() {
        let values: Vec<f64> = (0..100).map(f64::from).collect();
        let (min, max, bins) = histogram(&values);
        assert_eq!((min, max), (0.0, 99.0));
        assert_eq!(bins.len(), BINS);
        assert_eq!(bins.iter().sum::<u64>(), 100);
        assert!(bins.iter().all(|c| *c == 5), "{bins:?}");
        assert_eq!(histogram(&[3.0, 3.0]).2, vec![2]);
    }
}
