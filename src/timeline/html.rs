//! The report page: one self-contained HTML file (no network, no external scripts or
//! fonts) with the run's header, its checks and figures, the timeline SVG inline, and
//! a small script that shows a mark's trace record in a panel on hover. The script
//! also writes what the browser laid out into `#render-check` (lanes and marks with
//! a non-empty box), which the headless-browser test reads.

use super::svg;
use super::TimelineData;
use crate::report::{check_detail, format_figure};
use crate::runner::RunResult;
use crate::scenario::Scenario;
use std::fmt::Write;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "body{font-family:sans-serif;margin:16px;color:#263238}\
h1{font-size:20px;margin:0 0 4px}p.d{margin:0 0 12px;color:#455a64}\
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}\
td,th{padding:2px 10px;border-bottom:1px solid #eceff1;text-align:left}\
td.n{text-align:right;font-variant-numeric:tabular-nums}\
.pass{color:#2e7d32;font-weight:bold}.fail{color:#c62828;font-weight:bold}\
#panel{position:sticky;top:0;background:#fffde7;border:1px solid #fff59d;padding:6px 10px;\
font-family:monospace;font-size:12px;min-height:16px;white-space:pre-wrap}\
.cols{display:flex;gap:32px;flex-wrap:wrap}svg .mark:hover,svg .band:hover{opacity:.7}";

const SCRIPT: &str = r#"
(function () {
  var panel = document.getElementById('panel');
  document.querySelectorAll('[data-text]').forEach(function (el) {
    el.addEventListener('mouseenter', function () { panel.textContent = el.getAttribute('data-text'); });
  });
  function drawn(selector) {
    var n = 0;
    document.querySelectorAll(selector).forEach(function (el) {
      var b = el.getBoundingClientRect();
      if (b.width > 0 && b.height > 0) { n++; }
    });
    return n;
  }
  document.getElementById('render-check').textContent =
    'lanes=' + drawn('svg .lane') + ' marks=' + drawn('svg .mark') +
    ' bands=' + drawn('svg .band') + ' points=' + drawn('svg .point');
})();
"#;

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
    h.push_str("<div id=\"panel\">hover a mark, band or lane to see its trace record</div>");
    h.push_str(&svg::render(data, &title));
    if data.marks_dropped > 0 {
        let _ = write!(
            h,
            "<p>{} more marks past the first {} were not drawn.</p>",
            data.marks_dropped,
            super::data::MARKS_MAX
        );
    }
    h.push_str("<div class=\"cols\"><div><h2>checks</h2><table>");
    for c in &result.checks {
        let class = if c.passed { "pass" } else { "fail" };
        let word = c.verdict.word();
        let measured = check_detail(&scenario.model, c);
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
            escape(&format_figure(&scenario.model, name, *value))
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
        "<pre id=\"render-check\">not rendered</pre><script>{SCRIPT}</script></body></html>"
    );
    h
}
