//! The report page: one self-contained HTML file (no network, no external scripts or
//! fonts) with the run's header, its checks and figures, and the timeline drawn by an
//! inline script ([`SCRIPT`], `page.js`) from the run's data embedded as compact JSON
//! ([`super::json`]): lanes grouped by role and zone when many, zoom, pan and a brush on
//! the time axis, jump to a violation, a message diagram and request panels for the
//! window in view. The script writes what it drew into `#render-check`, and exposes
//! `window.hasimReport` (view, zoom, stats), which the headless-browser test reads.

use super::json;
use super::TimelineData;
use crate::report::{check_detail, format_figure};
use crate::run_result::RunResult;
use crate::scenario::Scenario;
use std::fmt::Write;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:sans-serif;margin:16px;color:#263238}\
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:16px 0 4px}p.d{margin:0 0 12px;color:#455a64}\
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}\
td,th{padding:2px 10px;border-bottom:1px solid #eceff1;text-align:left}\
td.n{text-align:right;font-variant-numeric:tabular-nums}\
.pass{color:#2e7d32;font-weight:bold}.fail{color:#c62828;font-weight:bold}\
#panel{position:sticky;top:0;z-index:1;background:#fffde7;border:1px solid #fff59d;padding:6px 10px;\
font-family:monospace;font-size:12px;min-height:16px;white-space:pre-wrap}\
.bar{margin:6px 0;font-size:13px}.bar button{margin-right:6px}#range{font-family:monospace;margin-left:8px}\
.legend{font-size:12px;margin:4px 0}.legend i{display:inline-block;width:12px;height:10px;margin:0 4px 0 12px}\
canvas{display:block;cursor:crosshair}#overview{cursor:col-resize}.note{font-size:12px;color:#455a64}\
.cols{display:flex;gap:32px;flex-wrap:wrap}#render-check{font-size:10px;color:#90a4ae;white-space:pre-wrap}";

/// The page's script: it draws everything from `#timeline-data`.
pub const SCRIPT: &str = include_str!("page.js");

const LEGEND: [(&str, &str); 11] = [
    ("#43a047", "up"),
    ("#e53935", "down / crash"),
    ("#fb8c00", "paused"),
    ("#1e88e5", "leader / primary (top strip)"),
    ("#37474f", "suspected by others (bottom strip)"),
    ("#7e57c2", "partition"),
    ("#5c6bc0", "cut / link / isolate"),
    ("#f06292", "loss / latency spike"),
    ("#6a1b9a", "other fault"),
    ("#b71c1c", "violation"),
    ("#263238", "observation (dots; count cells when dense)"),
];

/// The page for a run of `scenario`.
pub fn page(scenario: &Scenario, result: &RunResult, data: &TimelineData) -> String {
    let title = format!(
        "{} — seed {} — {}",
        result.scenario, result.seed, result.outcome
    );
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>hasim report: {}</title><style>{STYLE}</style></head><body>",
        escape(&title)
    );
    let _ = write!(
        h,
        "<h1>{}</h1><p class=\"d\">{}</p>",
        escape(&title),
        escape(&scenario.description)
    );
    if let Some(v) = &result.violation {
        let _ = write!(h, "<p class=\"fail\">{}</p>", escape(v));
    }
    h.push_str(
        "<div class=\"bar\"><button id=\"reset\">whole run</button><button id=\"zoom-in\">zoom in</button>\
         <button id=\"zoom-out\">zoom out</button><button id=\"jump\">jump to violation</button>\
         <button id=\"groups\">expand / collapse groups</button>in view:<span id=\"range\"></span></div>",
    );
    h.push_str("<div class=\"legend\">");
    for (colour, label) in LEGEND {
        let _ = write!(h, "<i style=\"background:{colour}\"></i>{label}");
    }
    h.push_str("</div><div id=\"panel\">hover a mark or lane to see its trace record; drag to pan, wheel to zoom, drag on the overview to select a window, click a group's name to open it</div>");
    h.push_str("<canvas id=\"overview\"></canvas><canvas id=\"timeline\"></canvas><p id=\"dropped\" class=\"note\"></p>");
    h.push_str("<h2>requests</h2><canvas id=\"series\"></canvas>");
    h.push_str("<h2>messages in view</h2><p id=\"diagram-note\" class=\"note\"></p><canvas id=\"diagram\"></canvas>");
    h.push_str("<div class=\"cols\"><div><h2>checks</h2><table>");
    for c in &result.checks {
        let class = if c.passed { "pass" } else { "fail" };
        let word = c.verdict.word();
        let measured = check_detail(&scenario.entry, c);
        let _ = write!(
            h,
            "<tr><td class=\"{class}\">{word}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            escape(&c.name),
            escape(&measured)
        );
    }
    h.push_str("</table></div><div><h2>figures</h2><table>");
    for (name, value) in &result.figures {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"n\">{}</td></tr>",
            escape(name),
            escape(&format_figure(&scenario.entry, name, *value))
        );
    }
    let _ = write!(
        h,
        "</table></div></div><p>trace hash {} · hasim {} · scenario hash {}<br><code>{}</code></p>",
        escape(&result.trace_hash),
        escape(&result.hasim_version),
        escape(&result.scenario_hash),
        escape(&result.replay)
    );
    let _ = writeln!(
        h,
        "<pre id=\"render-check\">not rendered</pre><script type=\"application/json\" id=\"timeline-data\">{}</script><script>{SCRIPT}</script></body></html>",
        json::encode(data)
    );
    h
}
