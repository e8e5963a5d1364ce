//! Figures against a parameter, as one SVG: a panel per figure, the first `--set`
//! parameter's values along x (in the order given), one line per remaining design
//! (other files or other settings), each point its mean with a 95 % confidence bar.

use super::grid::Setting;
use super::Design;
use crate::report::format_value;
use crate::report::unit_of;
use std::fmt::Write;

const WIDTH: f64 = 760.0;
const PANEL: f64 = 220.0;
const LEFT: f64 = 90.0;
const RIGHT: f64 = 200.0;
const COLOURS: [&str; 8] = [
    "#1e88e5", "#e53935", "#43a047", "#8e24aa", "#fb8c00", "#00897b", "#6d4c41", "#3949ab",
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// One line of a panel: its label and, per x value, (mean, CI half-width).
struct Series {
    label: String,
    points: Vec<Option<(f64, f64)>>,
}

fn series(designs: &[Design], x: &Setting, figure: &str) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    for d in designs {
        let Some(point) = &d.point else { continue };
        let Some(at) = x.values.iter().position(|(w, _)| *w == point.0[0].1) else {
            continue;
        };
        let rest = super::grid::Point(point.0[1..].to_vec()).to_string();
        let file = d.name.split(' ').next().unwrap_or_default();
        let label = if d.name.starts_with(&point.to_string()) {
            rest
        } else {
            format!("{file} {rest}").trim().to_string()
        };
        let label = if label.is_empty() {
            figure.to_string()
        } else {
            label
        };
        let stat = super::design_stat(&d.results, figure)
            .map(|(_, mean, half)| (mean, half.unwrap_or(0.0)));
        match out.iter_mut().find(|s| s.label == label) {
            Some(s) => s.points[at] = stat,
            None => {
                let mut points = vec![None; x.values.len()];
                points[at] = stat;
                out.push(Series { label, points });
            }
        }
    }
    out
}

/// The chart of `figures` against the values of `x`.
pub fn render(
    designs: &[Design],
    x: &Setting,
    figures: &[String],
    model: &crate::models::ModelEntry,
) -> Result<String, String> {
    let height = PANEL * figures.len() as f64 + 30.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/>"##
    );
    for (k, figure) in figures.iter().enumerate() {
        let lines = series(designs, x, figure);
        if lines.iter().all(|l| l.points.iter().all(Option::is_none)) {
            return Err(format!("no design reported the figure {figure:?}"));
        }
        let top = 30.0 + PANEL * k as f64;
        let (h, w) = (PANEL - 70.0, WIDTH - LEFT - RIGHT);
        let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
        for (m, e) in lines.iter().flat_map(|l| l.points.iter().flatten()) {
            lo = lo.min(m - e);
            hi = hi.max(m + e);
        }
        if hi - lo < 1e-12 {
            hi = lo + lo.abs().max(1.0) * 0.1;
        }
        let pad = (hi - lo) * 0.08;
        // Counts, times and fractions are never negative: keep the axis at zero.
        let (lo, hi) = (
            if lo >= 0.0 {
                (lo - pad).max(0.0)
            } else {
                lo - pad
            },
            hi + pad,
        );
        let y = |v: f64| top + h * (1.0 - (v - lo) / (hi - lo));
        let n = x.values.len();
        let px = |i: usize| {
            LEFT + if n == 1 {
                w / 2.0
            } else {
                w * i as f64 / (n - 1) as f64
            }
        };
        let unit = unit_of(model, figure);
        let _ = write!(
            s,
            r##"<text x="{LEFT}" y="{:.1}" font-weight="bold" font-size="13">{} against {}</text><rect x="{LEFT}" y="{top:.1}" width="{w:.1}" height="{h:.1}" fill="none" stroke="#b0bec5"/>"##,
            top - 8.0,
            escape(figure),
            escape(&x.path)
        );
        for (v, anchor) in [(hi, top + 10.0), (lo, top + h)] {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{anchor:.1}" text-anchor="end" fill="#555">{}</text>"##,
                LEFT - 6.0,
                escape(&format_value(unit, v))
            );
        }
        for (i, (written, _)) in x.values.iter().enumerate() {
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">{}</text>"##,
                px(i),
                top + h + 16.0,
                escape(written)
            );
        }
        for (j, line) in lines.iter().enumerate() {
            let colour = COLOURS[j % COLOURS.len()];
            let pts: Vec<String> = line
                .points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| p.map(|(m, _)| format!("{:.1},{:.1}", px(i), y(m))))
                .collect();
            let _ = write!(
                s,
                r##"<polyline class="series" points="{}" fill="none" stroke="{colour}" stroke-width="2"/>"##,
                pts.join(" ")
            );
            for (i, p) in line.points.iter().enumerate() {
                let Some((m, e)) = p else { continue };
                let _ = write!(
                    s,
                    r##"<g class="point"><title>{} {}: {} ±{}</title><line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="{colour}"/><circle cx="{x:.1}" cy="{:.1}" r="3.5" fill="{colour}"/></g>"##,
                    escape(&line.label),
                    escape(&x.values[i].0),
                    escape(&format_value(unit, *m)),
                    escape(&crate::sweep::report::half_width(unit, *m, *e)),
                    y(m - e),
                    y(m + e),
                    y(*m),
                    x = px(i)
                );
            }
            let ly = top + 14.0 * j as f64 + 10.0;
            let _ = write!(
                s,
                r##"<rect x="{:.1}" y="{:.1}" width="12" height="3" fill="{colour}"/><text x="{:.1}" y="{ly:.1}">{}</text>"##,
                LEFT + w + 14.0,
                ly - 4.0,
                LEFT + w + 30.0,
                escape(&line.label)
            );
        }
    }
    s.push_str("</svg>\n");
    Ok(s)
}
