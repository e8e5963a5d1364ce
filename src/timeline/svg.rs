//! The timeline drawn as one SVG document: a time axis, a lane per node (status as
//! coloured segments, its role as a strip along the top), fault bands, marks with the
//! trace record as a hover title, then the success rate and latency (p50, p99) of
//! client requests per time bucket. Plain SVG 1.1: it embeds in documents as it is.
//! Nothing is left out: faults and violations are drawn one by one, and a lane's
//! observations that share a pixel column are drawn as one mark saying how many.

use super::data::{Band, Lane, Mark, TimelineData};
use hasim_sim::{SimDuration, SimTime, Status};
use std::fmt::Write;

/// Drawing width in pixels.
pub const WIDTH: f64 = 1200.0;
const LEFT: f64 = 160.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 44.0;
const CHART_HEIGHT: f64 = 90.0;
/// The most lanes drawn; more nodes are summarised in a note.
pub const LANES_MAX: usize = 400;
/// Time buckets of the series.
pub const BUCKETS: usize = 120;

/// Colours: one place, so the legend and the drawing agree.
const UP: &str = "#43a047";
const DOWN: &str = "#e53935";
const PAUSED: &str = "#fb8c00";
const LANE_BACKGROUND: &str = "#eceff1";
const SUSPECTED: &str = "#37474f";

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

fn status_colour(s: Status) -> &'static str {
    match s {
        Status::Up => UP,
        Status::Down => DOWN,
        Status::Paused => PAUSED,
    }
}

/// A stable colour per role name, so "leader" is the same blue on every page.
fn role_colour(role: &str) -> &'static str {
    const PALETTE: [&str; 6] = [
        "#1e88e5", "#8e24aa", "#00897b", "#6d4c41", "#3949ab", "#c0ca33",
    ];
    match role {
        "leader" | "primary" => PALETTE[0],
        "candidate" => PALETTE[1],
        _ => {
            let h = role
                .bytes()
                .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
            PALETTE[2 + (h as usize % 4)]
        }
    }
}

fn band_colour(kind: &str) -> &'static str {
    match kind {
        "partition" => "#7e57c2",
        "cut" | "link_down" | "isolate" => "#5c6bc0",
        "loss_spike" | "latency_spike" => "#f06292",
        _ => "#8d6e63",
    }
}

struct Scale {
    end: f64,
    width: f64,
}

impl Scale {
    fn x(&self, t: SimTime) -> f64 {
        if self.end <= 0.0 {
            return LEFT;
        }
        LEFT + self.width * (t.as_secs_f64() / self.end).clamp(0.0, 1.0)
    }
}

/// Round tick spacing in seconds for a span, about eight ticks.
fn tick_step(span: f64) -> f64 {
    let raw = (span / 8.0).max(1e-9);
    let magnitude = libm::pow(10.0, libm::floor(libm::log10(raw)));
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude)
}

fn lane_height(lanes: usize) -> f64 {
    (560.0 / lanes.max(1) as f64).clamp(3.0, 18.0)
}

/// The whole timeline as an SVG document with the given title line.
pub fn render(data: &TimelineData, title: &str) -> String {
    let scale = Scale {
        end: data.end.as_secs_f64(),
        width: WIDTH - LEFT - RIGHT,
    };
    let shown = data.lanes.len().min(LANES_MAX);
    let h = lane_height(shown);
    let pitch = h + if h >= 8.0 { 4.0 } else { 1.0 };
    let lanes_bottom = TOP + pitch * shown as f64;
    let charts_top = lanes_bottom + 36.0;
    let height = charts_top + 2.0 * (CHART_HEIGHT + 40.0) + 40.0;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0}" viewBox="0 0 {WIDTH} {height:.0}" font-family="sans-serif" font-size="11" data-lanes="{shown}" data-marks="{}">"##,
        data.marks.len()
    );
    let _ = write!(
        s,
        r##"<rect width="100%" height="100%" fill="white"/><text x="8" y="18" font-size="14" font-weight="bold">{}</text>"##,
        escape(title)
    );
    axis(&mut s, &scale, TOP - 8.0, lanes_bottom);
    for (i, lane) in data.lanes.iter().take(shown).enumerate() {
        self::lane(&mut s, &scale, lane, i, TOP + pitch * i as f64, h, data.end);
    }
    if data.lanes.len() > shown {
        let _ = write!(
            s,
            r##"<text x="8" y="{:.1}" fill="#555">… {} more nodes not drawn</text>"##,
            lanes_bottom + 12.0,
            data.lanes.len() - shown
        );
    }
    for b in &data.bands {
        band(&mut s, &scale, b, shown, pitch, h);
    }
    // Observations sharing a lane and a 2-pixel column become one mark with a count.
    let mut cells: std::collections::BTreeMap<(Option<u32>, i64), (usize, u32)> =
        std::collections::BTreeMap::new();
    for (i, m) in data.marks.iter().enumerate() {
        if m.verb == "observe" {
            let cell = cells
                .entry((m.node, (scale.x(m.time) / 2.0) as i64))
                .or_insert((i, 0));
            cell.1 += 1;
        } else {
            mark(&mut s, &scale, m, &m.line(), shown, pitch, h, lanes_bottom);
        }
    }
    for (first, count) in cells.values() {
        let m = &data.marks[*first];
        let text = if *count > 1 {
            format!("{} (and {} more observations here)", m.line(), count - 1)
        } else {
            m.line()
        };
        mark(&mut s, &scale, m, &text, shown, pitch, h, lanes_bottom);
    }
    series(&mut s, &scale, data, charts_top);
    legend(&mut s, height - 16.0);
    s.push_str("</svg>\n");
    s
}

fn axis(s: &mut String, scale: &Scale, y: f64, bottom: f64) {
    let step = tick_step(scale.end);
    let mut t = 0.0;
    while t <= scale.end + 1e-9 {
        let x = scale.x(SimTime::ZERO.saturating_add(SimDuration::from_secs_f64(t)));
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="{y:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="#cfd8dc" stroke-width="0.5"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="#555">{}</text>"##,
            y - 4.0,
            SimDuration::from_secs_f64(t)
        );
        t += step;
    }
}

fn lane(s: &mut String, scale: &Scale, lane: &Lane, index: usize, y: f64, h: f64, end: SimTime) {
    let _ = write!(
        s,
        r##"<g class="lane" data-lane="{index}" data-node="{}"><title>{} ({})</title>"##,
        escape(&lane.name),
        escape(&lane.name),
        escape(&lane.group)
    );
    if h >= 8.0 {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT - 6.0,
            y + h - 4.0,
            escape(&lane.name)
        );
    }
    let _ = write!(
        s,
        r##"<rect x="{LEFT}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="{LANE_BACKGROUND}"/>"##,
        scale.width
    );
    // Before its first change a node is down: it starts when the engine starts it.
    let mut changes = lane.status.clone();
    if changes.first().is_none_or(|(t, _)| *t > SimTime::ZERO) {
        changes.insert(0, (SimTime::ZERO, Status::Down));
    }
    for (i, (from, status)) in changes.iter().enumerate() {
        let to = changes.get(i + 1).map_or(end, |(t, _)| *t);
        segment(
            s,
            scale,
            *from,
            to,
            y,
            h,
            status_colour(*status),
            &format!("{} {} from {from} to {to}", lane.name, status.name()),
            "status",
        );
    }
    for (i, (from, role)) in lane.roles.iter().enumerate() {
        let Some(role) = role else { continue };
        let to = lane.roles.get(i + 1).map_or(end, |(t, _)| *t);
        segment(
            s,
            scale,
            *from,
            to,
            y,
            (h / 3.0).max(2.0),
            role_colour(role),
            &format!("{} {role} from {from} to {to}", lane.name),
            "role",
        );
    }
    let strip = (h / 3.0).max(2.0);
    for (i, (from, count)) in lane.suspected.iter().enumerate() {
        if *count == 0 {
            continue;
        }
        let to = lane.suspected.get(i + 1).map_or(end, |(t, _)| *t);
        segment(
            s,
            scale,
            *from,
            to,
            y + h - strip,
            strip,
            SUSPECTED,
            &format!("{} suspected by {count} from {from} to {to}", lane.name),
            "suspected",
        );
    }
    s.push_str("</g>");
}

#[allow(clippy::too_many_arguments)]
fn segment(
    s: &mut String,
    scale: &Scale,
    from: SimTime,
    to: SimTime,
    y: f64,
    h: f64,
    colour: &str,
    text: &str,
    class: &str,
) {
    let x0 = scale.x(from);
    let w = (scale.x(to) - x0).max(0.5);
    let _ = write!(
        s,
        r##"<rect class="{class}" x="{x0:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{colour}" data-text="{t}"><title>{t}</title></rect>"##,
        t = escape(text)
    );
}

fn band(s: &mut String, scale: &Scale, b: &Band, lanes: usize, pitch: f64, h: f64) {
    let x0 = scale.x(b.from);
    let w = (scale.x(b.to) - x0).max(1.0);
    let colour = band_colour(b.kind);
    let t = escape(&b.text);
    if b.nodes.is_empty() {
        let _ = write!(
            s,
            r##"<rect class="band" x="{x0:.1}" y="{:.1}" width="{w:.1}" height="{:.1}" fill="{colour}" fill-opacity="0.18" stroke="{colour}" stroke-opacity="0.6" data-text="{t}"><title>{t}</title></rect>"##,
            TOP - 2.0,
            pitch * lanes as f64
        );
    } else {
        for n in b.nodes.iter().filter(|n| (**n as usize) < lanes) {
            let y = TOP + pitch * f64::from(*n);
            let _ = write!(
                s,
                r##"<rect class="band" x="{x0:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{colour}" fill-opacity="0.45" data-text="{t}"><title>{t}</title></rect>"##
            );
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn mark(
    s: &mut String,
    scale: &Scale,
    m: &Mark,
    text: &str,
    lanes: usize,
    pitch: f64,
    h: f64,
    bottom: f64,
) {
    let x = scale.x(m.time);
    let t = escape(text);
    let lane_y = m
        .node
        .filter(|n| (*n as usize) < lanes)
        .map(|n| TOP + pitch * f64::from(n));
    let (shape, colour) = match m.verb {
        "crash" => ("cross", DOWN),
        "restart" | "start" => ("up", UP),
        "pause" | "resume" => ("up", PAUSED),
        "violation" => ("line", "#b71c1c"),
        "observe" => ("dot", "#263238"),
        _ => ("diamond", "#6a1b9a"),
    };
    let _ = write!(
        s,
        r##"<g class="mark" data-verb="{}" data-text="{t}"><title>{t}</title>"##,
        m.verb
    );
    match (shape, lane_y) {
        ("line", _) | (_, None) => {
            // A transparent strip makes the line easy to hover.
            let _ = write!(
                s,
                r##"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="{colour}" stroke-width="2"/><rect x="{:.1}" y="{:.1}" width="6" height="{:.1}" fill="transparent"/>"##,
                TOP - 4.0,
                x - 3.0,
                TOP - 4.0,
                bottom - TOP + 4.0
            );
        }
        ("cross", Some(y)) => {
            let (c, r) = (y + h / 2.0, (h / 2.0).max(2.5));
            let _ = write!(
                s,
                r##"<path d="M{:.1} {:.1} L{:.1} {:.1} M{:.1} {:.1} L{:.1} {:.1}" stroke="{colour}" stroke-width="2"/><rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="transparent"/>"##,
                x - r,
                c - r,
                x + r,
                c + r,
                x - r,
                c + r,
                x + r,
                c - r,
                x - r,
                2.0 * r
            );
        }
        ("up", Some(y)) => {
            let r = (h / 2.0).max(2.5);
            let _ = write!(
                s,
                r##"<path d="M{x:.1} {:.1} L{:.1} {:.1} L{:.1} {:.1} Z" fill="{colour}" stroke="white" stroke-width="0.5"/>"##,
                y,
                x - r,
                y + h,
                x + r,
                y + h
            );
        }
        ("dot", Some(y)) => {
            let _ = write!(
                s,
                r##"<circle cx="{x:.1}" cy="{:.1}" r="{:.1}" fill="{colour}" fill-opacity="0.7"/>"##,
                y + h / 2.0,
                (h / 4.0).max(1.5)
            );
        }
        (_, Some(y)) => {
            let r = (h / 2.0).max(2.5);
            let c = y + h / 2.0;
            let _ = write!(
                s,
                r##"<path d="M{x:.1} {:.1} L{:.1} {c:.1} L{x:.1} {:.1} L{:.1} {c:.1} Z" fill="{colour}"/>"##,
                c - r,
                x + r,
                c + r,
                x - r
            );
        }
    }
    s.push_str("</g>");
}

/// Per-bucket success rate and latency percentiles of the requests.
pub struct Buckets {
    /// Width of a bucket.
    pub width: SimDuration,
    /// (ok, all, latencies in seconds) per bucket.
    pub cells: Vec<(u64, u64, Vec<f64>)>,
}

/// Buckets the requests by the time they ended.
pub fn buckets(data: &TimelineData) -> Buckets {
    let width = SimDuration::from_nanos((data.end.as_nanos() / BUCKETS as u64).max(1));
    let mut cells = vec![(0u64, 0u64, Vec::new()); BUCKETS];
    for r in &data.requests {
        let i = ((r.time.as_nanos() / width.as_nanos()) as usize).min(BUCKETS - 1);
        cells[i].1 += 1;
        if TimelineData::ok(r) {
            cells[i].0 += 1;
            if let Some(l) = r.latency {
                cells[i].2.push(l.as_secs_f64());
            }
        }
    }
    for c in &mut cells {
        c.2.sort_by(f64::total_cmp);
    }
    Buckets { width, cells }
}

fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    Some(sorted[i])
}

fn series(s: &mut String, scale: &Scale, data: &TimelineData, top: f64) {
    let b = buckets(data);
    let x = |i: usize| LEFT + scale.width * (i as f64 + 0.5) / BUCKETS as f64;
    let chart = |s: &mut String, y: f64, title: &str, max_label: &str| {
        let _ = write!(
            s,
            r##"<text x="{LEFT}" y="{:.1}" font-weight="bold">{title}</text><rect x="{LEFT}" y="{y:.1}" width="{:.1}" height="{CHART_HEIGHT}" fill="none" stroke="#b0bec5"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#555">{max_label}</text><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#555">0</text>"##,
            y - 6.0,
            scale.width,
            LEFT - 6.0,
            y + 10.0,
            LEFT - 6.0,
            y + CHART_HEIGHT
        );
    };
    chart(s, top, "success rate", "100%");
    if data.requests.is_empty() {
        let _ = write!(
            s,
            r##"<text x="{:.1}" y="{:.1}" fill="#777">this model reports no client requests</text>"##,
            LEFT + 10.0,
            top + CHART_HEIGHT / 2.0
        );
    }
    let rate: Vec<Option<(f64, String)>> = b
        .cells
        .iter()
        .enumerate()
        .map(|(i, (ok, all, _))| {
            (*all > 0).then(|| {
                let r = *ok as f64 / *all as f64;
                let from = SimTime::ZERO.saturating_add(b.width.saturating_mul(i as u64));
                (
                    r,
                    format!("{from} +{}: {ok} of {all} ok ({:.2}%)", b.width, r * 100.0),
                )
            })
        })
        .collect();
    polyline(
        s,
        &rate,
        &x,
        |v| top + CHART_HEIGHT * (1.0 - v),
        "#2e7d32",
        "rate",
    );
    let lat_top = top + CHART_HEIGHT + 40.0;
    let p = |q: f64| -> Vec<Option<f64>> { b.cells.iter().map(|c| quantile(&c.2, q)).collect() };
    let (p50, p99) = (p(0.5), p(0.99));
    let max = p99.iter().flatten().copied().fold(0.0, f64::max).max(1e-6) * 1.1;
    chart(s, lat_top, "latency p50 / p99", &round3(max));
    for (values, colour, name) in [(&p50, "#1565c0", "p50"), (&p99, "#c62828", "p99")] {
        let points: Vec<Option<(f64, String)>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.map(|v| {
                    let from = SimTime::ZERO.saturating_add(b.width.saturating_mul(i as u64));
                    (
                        v / max,
                        format!(
                            "{from} +{}: {name} {}",
                            b.width,
                            SimDuration::from_secs_f64(v)
                        ),
                    )
                })
            })
            .collect();
        polyline(
            s,
            &points,
            &x,
            |v| lat_top + CHART_HEIGHT * (1.0 - v),
            colour,
            name,
        );
    }
}

/// Seconds as a duration with three significant digits ("20.0ms").
fn round3(seconds: f64) -> String {
    if seconds <= 0.0 {
        return "0".into();
    }
    let digits = 2 - libm::floor(libm::log10(seconds)) as i32;
    let scale = libm::pow(10.0, f64::from(digits));
    SimDuration::from_secs_f64(libm::round(seconds * scale) / scale).to_string()
}

/// Draws runs of consecutive points as polylines (gaps where a bucket has no data),
/// with a dot per point carrying its hover text.
fn polyline(
    s: &mut String,
    points: &[Option<(f64, String)>],
    x: &dyn Fn(usize) -> f64,
    y: impl Fn(f64) -> f64,
    colour: &str,
    class: &str,
) {
    let mut run: Vec<(f64, f64)> = Vec::new();
    let flush = |s: &mut String, run: &mut Vec<(f64, f64)>| {
        if run.len() > 1 {
            let d: Vec<String> = run.iter().map(|(a, b)| format!("{a:.1},{b:.1}")).collect();
            let _ = write!(
                s,
                r##"<polyline class="{class}" points="{}" fill="none" stroke="{colour}" stroke-width="1.5"/>"##,
                d.join(" ")
            );
        }
        run.clear();
    };
    for (i, p) in points.iter().enumerate() {
        match p {
            Some((v, text)) => {
                let (px, py) = (x(i), y(*v));
                run.push((px, py));
                let t = escape(text);
                let _ = write!(
                    s,
                    r##"<circle class="point" cx="{px:.1}" cy="{py:.1}" r="2" fill="{colour}" data-text="{t}"><title>{t}</title></circle>"##
                );
            }
            None => flush(s, &mut run),
        }
    }
    flush(s, &mut run);
}

fn legend(s: &mut String, y: f64) {
    let items = [
        (UP, "up"),
        (DOWN, "down"),
        (PAUSED, "paused"),
        (role_colour("leader"), "leader / primary (top strip)"),
        (SUSPECTED, "suspected by others (bottom strip)"),
        (band_colour("partition"), "partition"),
        (band_colour("cut"), "cut / link / isolate"),
        (band_colour("loss_spike"), "loss / latency spike"),
    ];
    let mut x = LEFT;
    for (colour, label) in items {
        let _ = write!(
            s,
            r##"<rect x="{x:.1}" y="{:.1}" width="12" height="10" fill="{colour}"/><text x="{:.1}" y="{y:.1}">{label}</text>"##,
            y - 9.0,
            x + 16.0
        );
        x += 24.0 + 6.5 * label.len() as f64;
    }
}
