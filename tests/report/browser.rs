//! The report pages in a real browser (Debian's headless Chromium, as CI installs):
//! each loads with no script error, console error or network request; the script draws
//! a mark for every fault and violation in the run's data; zooming by script moves the
//! view; jump-to-violation finds a 10 ms overlap on a 7 s axis and draws its messages;
//! the canvases have ink and a screenshot is taken. A sweep's page (`--report`) draws
//! a picture per figure and lists every failing seed with its commands. Many nodes
//! are grouped (by role and zone, big groups in blocks) and every fault still drawn.
//!
//! The test wraps the page: a script in `<head>` records errors before the page's own
//! runs, and one after it drives `window.hasimReport` and writes what it saw as JSON
//! into `#test-result`, which `--dump-dom` returns.

use super::{temp, timeline};
use hasim::runner::{self, RunOptions};
use hasim::timeline::{html, TimelineData};
use std::path::{Path, PathBuf};
use std::process::Command;

fn chromium() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("HASIM_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
}

/// The browser, or `None` (a skip, said loudly; never on CI).
fn browser() -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        assert!(
            std::env::var("CI").is_err(),
            "Chromium is missing on CI: .ci/run installs it"
        );
        eprintln!("SKIPPED: no Chromium (install Debian's chromium, or set HASIM_CHROMIUM)");
    }
    found
}

fn headless(browser: &Path, profile: &Path) -> Command {
    let mut c = Command::new(browser);
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1300,1100",
        "--virtual-time-budget=20000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Records errors before the page's script runs.
const WATCH: &str = "<script>window.__t0=performance.now();window.__errors=[];\
window.addEventListener('error',function(e){window.__errors.push('error: '+e.message);});\
(function(){var ce=console.error;console.error=function(){window.__errors.push('console: '+[].join.call(arguments,' '));ce.apply(console,arguments);};})();\
</script>";

/// Drives the page and reports what it saw.
const DRIVE: &str = r#"<pre id="test-result">no result</pre><script>
(function () {
  var out = { load_ms: performance.now() - window.__t0 };
  try {
    var R = window.hasimReport;
    out.full = R.stats();
    out.groups = R.groups();
    var end = R.data.end;
    out.zoomed_to = R.zoom(end * 0.25, end * 0.5);
    out.zoomed = R.stats();
    R.reset();
    out.jump = R.jumpToViolation();
    out.jumped = R.stats();
    if (out.groups.length > 1 && out.groups.length < R.data.lanes.length) {
      R.reset();
      R.setGroupOpen(0, true);
      out.opened = R.stats();
    }
    R.reset();
    var ink = 0;
    ['timeline', 'series'].forEach(function (id) {
      var c = document.getElementById(id), px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (var i = 0; i < px.length; i += 4) { if (px[i] < 240 || px[i + 1] < 240 || px[i + 2] < 240) { ink++; } }
    });
    out.ink = ink;
  } catch (e) { out.exception = String(e) + ' ' + e.stack; }
  out.errors = window.__errors;
  out.resources = performance.getEntriesByType('resource').map(function (r) { return r.name; });
  document.getElementById('test-result').textContent = JSON.stringify(out);
})();
</script>"#;

/// Opens the page of `file` at `seed` driven by [`DRIVE`]; its result and the data.
/// `test` names the browser profile: two browsers on one profile hand over to each
/// other, so each test has its own.
fn open(
    browser: &Path,
    test: &str,
    file: &str,
    seed: u64,
) -> (serde_json::Value, TimelineData, String) {
    let (scenario, result, data) = timeline(file, seed);
    drive(
        browser,
        test,
        file,
        &html::page(&scenario, &result, &data),
        data,
    )
}

/// Opens `page` driven by [`DRIVE`]; what it saw, the data and the page.
fn drive(
    browser: &Path,
    test: &str,
    file: &str,
    page: &str,
    data: TimelineData,
) -> (serde_json::Value, TimelineData, String) {
    let driven = page
        .replacen("<head>", &format!("<head>{WATCH}"), 1)
        .replacen("</body>", &format!("{DRIVE}</body>"), 1);
    let path = temp(&format!("driven-{test}-{file}.html"));
    std::fs::write(&path, &driven).unwrap();
    let o = headless(browser, &temp(&format!("profile-{test}")))
        .arg("--dump-dom")
        .arg(format!("file://{}", path.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&o.stdout);
    let text = dom
        .split("<pre id=\"test-result\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or_else(|| {
            panic!(
                "{file}: no test result; stderr {}",
                String::from_utf8_lossy(&o.stderr)
            )
        });
    let text = text
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"");
    let value: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}: {text}"));
    (value, data, page.to_string())
}

fn n(v: &serde_json::Value, path: &str) -> f64 {
    path.split('.')
        .fold(v, |v, k| &v[k])
        .as_f64()
        .unwrap_or_else(|| panic!("no number at {path} in {v}"))
}

/// Faults and violations in the data: what must each have a mark.
fn faults(data: &TimelineData) -> (usize, usize) {
    let faults = data.marks.iter().filter(|m| m.verb != "observe").count();
    let violations = data.marks.iter().filter(|m| m.verb == "violation").count();
    (faults, violations)
}

fn assert_clean(file: &str, v: &serde_json::Value) {
    assert!(v.get("exception").is_none(), "{file}: {v}");
    assert_eq!(v["errors"], serde_json::json!([]), "{file}: errors");
    assert_eq!(
        v["resources"],
        serde_json::json!([]),
        "{file}: network requests"
    );
    assert!(n(v, "ink") > 5_000.0, "{file}: blank canvases: {v}");
}

#[test]
fn every_fault_and_violation_is_drawn_and_zoom_works() {
    let Some(browser) = browser() else { return };
    for (file, seed) in [
        ("quickstart.toml", 1),
        ("replication_raft_faults.toml", 1),
        ("replication_primary_backup_lease_no_margin_unsafe.toml", 1),
    ] {
        let (v, data, _) = open(&browser, "zoom", file, seed);
        assert_clean(file, &v);
        let (faults, violations) = faults(&data);
        assert!(faults > 0, "{file}");
        assert_eq!(
            n(&v, "full.faults") as usize,
            faults,
            "{file}: {}",
            v["full"]
        );
        assert_eq!(n(&v, "full.violations") as usize, violations, "{file}");
        assert_eq!(n(&v, "full.lanes") as usize, data.lanes.len(), "{file}");
        // Observations: one by one, or in count cells, none left out.
        let observed = data.marks.iter().filter(|m| m.verb == "observe").count();
        assert_eq!(
            n(&v, "full.observe") as usize + n(&v, "full.observe_in_cells") as usize,
            observed,
            "{file}"
        );
        let end = data.end.as_nanos() as f64;
        assert!(
            (n(&v, "zoomed_to.from") - end * 0.25).abs() < 1.0,
            "{file}: {v}"
        );
        assert!((n(&v, "zoomed.to") - end * 0.5).abs() < 1.0, "{file}");
        // Zoomed to a quarter, the view holds only the marks inside it.
        let inside = data
            .marks
            .iter()
            .filter(|m| m.verb != "observe")
            .filter(|m| (end * 0.25..=end * 0.5).contains(&(m.time.as_nanos() as f64)))
            .count();
        assert_eq!(n(&v, "zoomed.faults") as usize, inside, "{file}");
        if data.requests.iter().any(|r| r.latency.is_some()) {
            assert!(
                n(&v, "full.latency_points") > 20.0,
                "{file}: latency panel empty"
            );
        }
    }
}

#[test]
fn jump_to_violation_finds_a_short_overlap_and_draws_its_messages() {
    let Some(browser) = browser() else { return };
    let file = "replication_primary_backup_lease_no_margin_unsafe.toml";
    let (v, data, _) = open(&browser, "jump", file, 1);
    assert_clean(file, &v);
    let violation = data.marks.iter().find(|m| m.verb == "violation").unwrap();
    let t = violation.time.as_nanos() as f64;
    let (from, to) = (n(&v, "jump.from"), n(&v, "jump.to"));
    assert!(from <= t && t <= to, "{from}..{to} misses {t}");
    // 7 s of run: the window is a 300th of it, where 10 ms is 40 % of the width.
    assert!(
        to - from <= data.end.as_nanos() as f64 / 200.0,
        "{from}..{to}"
    );
    assert_eq!(n(&v, "jumped.violations"), 1.0);
    assert!(
        n(&v, "jumped.roles") >= 2.0,
        "both primaries drawn: {}",
        v["jumped"]
    );
    let sent = data
        .messages
        .iter()
        .filter(|m| (from..=to).contains(&(m.sent.as_nanos() as f64)))
        .count();
    assert!(sent > 0);
    assert_eq!(n(&v, "jumped.arrows") as usize, sent, "{}", v["jumped"]);
    // n0 is partitioned: what is sent to it there is dropped, and marked so.
    assert!(n(&v, "jumped.drops") > 0.0, "{}", v["jumped"]);
}

#[test]
fn a_500_node_page_is_small_grouped_and_whole() {
    let Some(browser) = browser() else { return };
    let file = "gallery_telecom_edge.toml";
    let (v, data, page) = open(&browser, "groups", file, 1);
    assert!(page.len() < 5_000_000, "{} bytes", page.len());
    // A measurement, not a check (machines differ): printed for the record.
    eprintln!(
        "500-node page: {} bytes, parsed and drawn in {:.0} ms",
        page.len(),
        n(&v, "load_ms")
    );
    assert_clean(file, &v);
    // Eight groups (one role, eight zones), collapsed: one row each, every fault drawn.
    let groups = v["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 8, "{}", v["groups"]);
    assert_eq!(n(&v, "full.rows") as usize, 8);
    assert_eq!(n(&v, "full.faults") as usize, faults(&data).0);
    // Every stretch of "suspected" with a length (or begun at the end) is drawn.
    let suspected: usize = data
        .lanes
        .iter()
        .map(|l| {
            (0..l.suspected.len())
                .filter(|&i| {
                    let (from, k) = l.suspected[i];
                    let to = l.suspected.get(i + 1).map_or(data.end, |c| c.0);
                    k > 0 && (to > from || to == data.end)
                })
                .count()
        })
        .sum();
    assert_eq!(
        n(&v, "full.suspicions") as usize,
        suspected,
        "every suspicion stretch drawn"
    );
    // Opening the first group draws its members' lanes.
    let members = groups[0]["members"].as_f64().unwrap();
    assert_eq!(n(&v, "opened.lanes"), members);
    assert_eq!(n(&v, "opened.rows"), 8.0 + members);
}

#[test]
fn a_screenshot_of_the_page_is_not_blank() {
    let Some(browser) = browser() else { return };
    let (scenario, result, data) =
        timeline("replication_primary_backup_lease_no_margin_unsafe.toml", 1);
    let page = temp("screenshot.html");
    std::fs::write(&page, html::page(&scenario, &result, &data)).unwrap();
    let shot = temp("report.png");
    let _ = std::fs::remove_file(&shot);
    let o = headless(&browser, &temp("profile-shot"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&o.stderr)));
    // A white page of this size compresses to a few kilobytes; the drawn one does not.
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 50_000,
        "screenshot at {} is {} bytes",
        shot.display(),
        png.len()
    );
}

#[test]
fn a_sweep_report_draws_each_figure_and_lists_failing_seeds() {
    let page = temp("sweep.html");
    let out = temp("sweep.jsonl");
    let o = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args([
            "sweep",
            "scenarios/replication_primary_backup_lease_no_margin_unsafe.toml",
            "--seeds",
            "1..9",
            "--quiet",
            "--json",
            "--report",
        ])
        .arg(&page)
        .arg("--out")
        .arg(&out)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let agg: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let html = std::fs::read_to_string(&page).unwrap();
    assert_eq!(html.matches("http").count(), 0, "external URL in the page");
    // A picture per figure with values, counting the seeds that gave one.
    let figures = agg["figures"].as_object().unwrap();
    assert_eq!(html.matches("<svg class=\"figure\"").count(), figures.len());
    for (name, summary) in figures {
        let tag = format!("data-figure=\"{name}\" data-n=\"{}\"", summary["n"]);
        assert!(html.contains(&tag), "no {tag}");
    }
    // Every failing seed, with its replay and report commands.
    let failing = agg["failing"].as_array().unwrap();
    assert!(!failing.is_empty());
    assert_eq!(html.matches("<tr class=\"failing\"").count(), failing.len());
    for f in failing {
        let replay = f["replay"].as_str().unwrap();
        assert!(html.contains(replay), "{replay}");
        assert!(html.contains(&format!("--seed {} -o seed-{}.html", f["seed"], f["seed"])));
    }
    // Without --out the values are gathered as seeds finish, not read back: the
    // same page.
    let again = temp("sweep-no-out.html");
    let o = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args([
            "sweep",
            "scenarios/replication_primary_backup_lease_no_margin_unsafe.toml",
            "--seeds",
            "1..9",
            "--quiet",
            "--report",
        ])
        .arg(&again)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&again).unwrap(), html);
    let Some(browser) = browser() else { return };
    let watched = html.replacen("<head>", &format!("<head>{WATCH}"), 1).replacen(
        "</body>",
        "<pre id=\"test-result\"></pre><script>document.getElementById('test-result').textContent = JSON.stringify({errors: window.__errors, resources: performance.getEntriesByType('resource').length, drawn: [].filter.call(document.querySelectorAll('svg.figure'), function (s) { var b = s.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length});</script></body>",
        1,
    );
    let path = temp("sweep-watched.html");
    std::fs::write(&path, watched).unwrap();
    let o = headless(&browser, &temp("profile-sweep"))
        .arg("--dump-dom")
        .arg(format!("file://{}", path.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&o.stdout);
    let text = dom
        .split("<pre id=\"test-result\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or("")
        .replace("&quot;", "\"");
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(v["errors"], serde_json::json!([]));
    assert_eq!(v["resources"], 0);
    assert_eq!(v["drawn"].as_u64().unwrap() as usize, figures.len());
}

#[test]
fn a_big_group_of_one_role_is_cut_into_blocks() {
    let Some(browser) = browser() else { return };
    // 130 members of one role and no zone: three blocks (50, 50, 30), not one row.
    let text = std::fs::read_to_string("scenarios/detection_swim_faults.toml")
        .unwrap()
        .replace("count = 12", "count = 130");
    let path = temp("swim-130.toml");
    std::fs::write(&path, text).unwrap();
    let scenario = hasim::Registry::builtin().load(&path).unwrap();
    let (result, data) = runner::run_with_timeline(
        &scenario,
        &RunOptions {
            seed: 1,
            ..RunOptions::default()
        },
    )
    .unwrap();
    let page = html::page(&scenario, &result, &data);
    let (v, data, _) = drive(&browser, "blocks", "swim-130", &page, data);
    assert_clean("swim-130", &v);
    let sizes: Vec<u64> = v["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["members"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, [50, 50, 30], "{}", v["groups"]);
    assert_eq!(n(&v, "full.rows"), 3.0);
    assert_eq!(n(&v, "full.faults") as usize, faults(&data).0);
}
