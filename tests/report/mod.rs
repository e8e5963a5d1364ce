//! `hasim report`: the timeline's data agrees with the run (lanes, status changes,
//! bands, requests), gathering it does not perturb the run, the page is
//! self-contained, and a real browser (headless Chromium) lays out its lanes and marks.

use hasim::runner::{self, RunOptions};
use hasim::scenario::Scenario;
use hasim::timeline::{html, svg};
use hasim_sim::{SimTime, Status};
use std::path::{Path, PathBuf};
use std::process::Command;

fn secs(s: u64) -> SimTime {
    SimTime::from_nanos(s * 1_000_000_000)
}

fn temp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn quickstart() -> (Scenario, runner::RunResult, hasim::timeline::TimelineData) {
    let scenario = Scenario::load(Path::new("scenarios/quickstart.toml")).unwrap();
    let (result, data) = runner::run_with_timeline(
        &scenario,
        &RunOptions {
            seed: 1,
            ..RunOptions::default()
        },
    )
    .unwrap();
    (scenario, result, data)
}

#[test]
fn the_timeline_agrees_with_the_run_and_does_not_perturb_it() {
    let (scenario, result, data) = quickstart();
    let plain = runner::run(
        &scenario,
        &RunOptions {
            seed: 1,
            ..RunOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        result.trace_hash, plain.trace_hash,
        "gathering a timeline changed the run"
    );
    assert_eq!(data.lanes.len(), 5);
    // quickstart crashes server-2 at 10 s for 10 s and partitions server-3 at 30 s for 5 s.
    let server2 = data.lanes.iter().find(|l| l.name == "server-2").unwrap();
    assert!(
        server2.status.contains(&(secs(10), Status::Down)),
        "{:?}",
        server2.status
    );
    assert!(
        server2.status.contains(&(secs(20), Status::Up)),
        "{:?}",
        server2.status
    );
    assert_eq!(data.bands.len(), 1);
    assert_eq!((data.bands[0].from, data.bands[0].to), (secs(30), secs(35)));
    assert_eq!(data.bands[0].kind, "partition");
    assert!(
        data.bands[0].text.contains("server-3"),
        "{}",
        data.bands[0].text
    );
    assert!(data
        .marks
        .iter()
        .any(|m| m.verb == "crash" && m.node == Some(server2_id(&scenario))));
    // Every request the figures count is on the timeline, and only those.
    assert_eq!(data.requests.len() as f64, result.figures["requests"]);
    let ok = data.requests.iter().filter(|r| r.ok).count() as f64;
    assert_eq!(ok, result.figures["requests_ok"]);
    // While server-2 is down, about a third of requests fail (3 servers, round robin).
    let buckets = svg::buckets(&data);
    let (good, all): (u64, u64) = buckets
        .cells
        .iter()
        .enumerate()
        .filter(|(i, _)| {
            let t = buckets.width.as_secs_f64() * *i as f64;
            (11.0..19.0).contains(&t)
        })
        .fold((0, 0), |(g, a), (_, c)| (g + c.0, a + c.1));
    let rate = good as f64 / all as f64;
    assert!(
        (0.6..0.72).contains(&rate),
        "success rate while down: {rate}"
    );
}

fn server2_id(scenario: &Scenario) -> u32 {
    scenario
        .nodes
        .iter()
        .position(|n| n.name == "server-2")
        .unwrap() as u32
}

#[test]
fn detectors_draw_who_is_suspected_on_the_suspects_lane() {
    let scenario = Scenario::load(Path::new("scenarios/detection_swim_faults.toml")).unwrap();
    let (_, data) = runner::run_with_timeline(
        &scenario,
        &RunOptions {
            seed: 1,
            ..RunOptions::default()
        },
    )
    .unwrap();
    // Every crashed member is suspected by someone while it is down.
    for lane in &data.lanes {
        let crashed = lane
            .status
            .iter()
            .any(|(_, s)| *s == Status::Down && lane.status.len() > 1);
        if crashed {
            assert!(
                lane.suspected.iter().any(|(_, n)| *n > 0),
                "{} crashed but was never suspected",
                lane.name
            );
        }
    }
    assert!(data.lanes.iter().any(|l| l.status.len() > 1));
}

#[test]
fn the_page_is_self_contained_and_the_cli_writes_both_files() {
    let (page, svg_path) = (temp("cli.html"), temp("cli.svg"));
    let o = Command::new(env!("CARGO_BIN_EXE_hasim"))
        .args(["report", "scenarios/quickstart.toml", "--seed", "1", "-o"])
        .arg(&page)
        .arg("--svg")
        .arg(&svg_path)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(svg.matches("class=\"lane\"").count(), 5);
    assert!(
        html.contains(svg.trim_end()),
        "the page embeds the same SVG"
    );
    // Nothing to fetch: the only URL is the SVG namespace.
    let urls = html.matches("http").count();
    assert_eq!(
        urls,
        html.matches("http://www.w3.org/2000/svg").count(),
        "external URL in the page"
    );
    for banned in ["<script src", "<link", "@import", "<img"] {
        assert!(!html.contains(banned), "{banned} in the page");
    }
    // The same run always draws the same page.
    let (scenario, result, data) = quickstart();
    assert_eq!(html, html::page(&scenario, &result, &data));
}

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
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
fn headless_chromium_draws_the_lanes_and_marks() {
    let Some(browser) = chromium() else {
        // CI installs Chromium (.ci/run); elsewhere a missing browser is a skip, said loudly.
        assert!(
            std::env::var("CI").is_err(),
            "Chromium is missing on CI: .ci/run installs it"
        );
        eprintln!("SKIPPED: no Chromium (install Debian's chromium, or set HASIM_CHROMIUM)");
        return;
    };
    let (scenario, result, data) = quickstart();
    let page = temp("browser.html");
    std::fs::write(&page, html::page(&scenario, &result, &data)).unwrap();
    let url = format!("file://{}", page.display());
    let dom = headless(&browser, &temp("profile-dom"))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    let check = dom
        .split("<pre id=\"render-check\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap_or("");
    let count = |key: &str| -> usize {
        check
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {key} in the browser's render check {check:?}"))
    };
    assert_eq!(count("lanes"), data.lanes.len(), "{check}");
    assert_eq!(
        count("marks"),
        data.marks.len(),
        "every mark has a box: {check}"
    );
    assert_eq!(count("bands"), 1, "{check}");
    assert!(count("points") > 100, "{check}");
    let shot = temp("quickstart.png");
    let _ = std::fs::remove_file(&shot);
    let o = headless(&browser, &temp("profile-shot"))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .unwrap();
    let png = std::fs::read(&shot)
        .unwrap_or_else(|_| panic!("no screenshot: {}", String::from_utf8_lossy(&o.stderr)));
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "screenshot at {}",
        shot.display()
    );
    eprintln!("screenshot: {}", shot.display());
}
