//! `hasim report`: the timeline's data agrees with the run (lanes, status changes,
//! bands, requests and their latencies, messages), gathering it does not perturb the
//! run, the page is self-contained; `browser` opens pages in headless Chromium and
//! `structure` snapshots one page's structure.

mod browser;
mod structure;

use hasim::runner::{self, RunOptions};
use hasim::scenario::Scenario;
use hasim::timeline::{html, svg, MessageEnd, RequestOutcome, TimelineData};
use hasim_sim::{SimTime, Status};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A scenario's run at `seed` with its timeline.
pub fn timeline(file: &str, seed: u64) -> (Scenario, runner::RunResult, TimelineData) {
    let scenario = hasim::Registry::builtin()
        .load(&Path::new("scenarios").join(file))
        .unwrap();
    let (result, data) = runner::run_with_timeline(
        &scenario,
        &RunOptions {
            seed,
            ..RunOptions::default()
        },
    )
    .unwrap();
    (scenario, result, data)
}

fn secs(s: u64) -> SimTime {
    SimTime::from_nanos(s * 1_000_000_000)
}

pub fn temp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("report");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

pub fn quickstart() -> (Scenario, runner::RunResult, TimelineData) {
    timeline("quickstart.toml", 1)
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
    let ok = data.requests.iter().filter(|r| TimelineData::ok(r)).count() as f64;
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
    let scenario = hasim::Registry::builtin()
        .load(Path::new("scenarios/detection_swim_faults.toml"))
        .unwrap();
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
        html.contains("id=\"timeline-data\""),
        "the page carries its data"
    );
    // Nothing to fetch: no URL at all.
    assert_eq!(html.matches("http").count(), 0, "external URL in the page");
    for banned in ["<script src", "<link", "@import", "<img"] {
        assert!(!html.contains(banned), "{banned} in the page");
    }
    // The same run always draws the same page.
    let (scenario, result, data) = quickstart();
    assert_eq!(html, html::page(&scenario, &result, &data));
}

#[test]
fn store_requests_carry_their_latencies_and_outcomes() {
    // Store models time their operations from invocation to completion: every
    // successful one has a latency, and the ok / unknown counts are the figures'.
    for (file, ok_figure) in [
        ("replication_raft_faults.toml", "ops_ok"),
        ("replication_primary_backup_lease.toml", "ops_ok"),
        ("replication_isr_clean.toml", "ops_ok"),
        ("replication_quorum_safe.toml", "ops_ok"),
    ] {
        let (_, result, data) = timeline(file, 1);
        let ok: Vec<_> = data
            .requests
            .iter()
            .filter(|r| TimelineData::ok(r))
            .collect();
        assert!(ok.len() > 50, "{file}: {} ok requests", ok.len());
        if let Some(figure) = result.figures.get(ok_figure) {
            assert_eq!(ok.len() as f64, *figure, "{file}: {ok_figure}");
        }
        assert!(
            ok.iter().all(|r| r.latency.is_some_and(|l| !l.is_zero())),
            "{file}: an ok request without a latency"
        );
        let mut latencies: Vec<f64> = ok
            .iter()
            .map(|r| r.latency.unwrap().as_secs_f64())
            .collect();
        latencies.sort_by(f64::total_cmp);
        let median = latencies[latencies.len() / 2];
        assert!(
            (1e-5..1.0).contains(&median),
            "{file}: median latency {median}s"
        );
    }
    // Unknown is told apart from failed: primary-backup clients time out across its
    // partition, and those are what the figures call unknown.
    let (_, result, data) = timeline("replication_primary_backup_lease_no_margin_unsafe.toml", 1);
    let unknown = data
        .requests
        .iter()
        .filter(|r| r.outcome == RequestOutcome::Unknown)
        .count();
    assert!(unknown > 0);
    assert!(unknown as f64 <= result.figures["ops_unknown"]);
}

#[test]
fn messages_are_followed_from_send_to_delivery_or_drop() {
    let (_, result, data) = timeline("replication_primary_backup_lease_no_margin_unsafe.toml", 1);
    assert!(
        data.messages_gap.is_none(),
        "a small run carries every message"
    );
    assert_eq!(data.messages.len() as u64, data.messages_total);
    let dropped = data
        .messages
        .iter()
        .filter(|m| matches!(m.end, MessageEnd::Dropped(..)))
        .count();
    assert_eq!(dropped as f64, result.figures["messages_dropped"]);
    for m in &data.messages {
        match m.end {
            MessageEnd::Delivered(t) | MessageEnd::Duplicate(t) | MessageEnd::Dropped(t, _) => {
                assert!(t >= m.sent, "{m:?}")
            }
            MessageEnd::InFlight => {}
        }
        assert!(m.from < 5 && m.to < 5 && !m.text.is_empty(), "{m:?}");
    }
    // The partition of n0 at 6 s drops what is sent to it.
    assert!(data.messages.iter().any(|m| m.to == 0
        && m.sent >= secs(6)
        && matches!(m.end, MessageEnd::Dropped(_, "partition"))));
    // A big run carries the first and the last of its messages, and says so.
    let big = timeline("gallery_telecom_edge.toml", 1).2;
    assert!(
        big.messages_gap.is_some(),
        "{} messages",
        big.messages_total
    );
    assert_eq!(big.messages.len(), hasim::timeline::data::MESSAGES_MAX);
}

#[test]
fn the_figure_counts_the_overlap_the_run_stopped_in() {
    // The violation stops the run as n1 starts serving beside n0: the report draws two
    // primaries there, so two_primary_time is not 0 but the time since n1's promotion.
    let (_, result, data) = timeline("replication_primary_backup_lease_no_margin_unsafe.toml", 1);
    assert_eq!(result.figures["two_primary_overlaps"], 1.0);
    let promoted = data
        .marks
        .iter()
        .rev()
        .find(|m| m.node == Some(1) && m.text.starts_with("Promoted"))
        .map(|m| m.time)
        .expect("n1's promotion is a mark");
    let expected = data.end.saturating_since(promoted).as_secs_f64();
    assert!(expected > 0.001, "{expected}");
    assert!(
        (result.figures["two_primary_time"] - expected).abs() < 1e-9,
        "{} vs {expected}",
        result.figures["two_primary_time"]
    );
    // And the picture has n1 as primary at the end, not only n0.
    let n1 = &data.lanes[1];
    assert_eq!(n1.roles.last(), Some(&(data.end, Some("primary"))));
}
