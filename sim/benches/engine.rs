//! The engine benchmark: workloads W1 (heartbeat mesh), W2 (client → round-robin
//! balancer → 4 FIFO servers) and W3 (10,000-node ping/ack) from BENCHMARKS.md, each
//! run on hasim and on a bare event loop in the same process, so that the ratio between
//! the two measures the engine's overhead on this machine under its current load.
//!
//! `cargo bench -p hasim-sim --bench engine [-- W1 W2 W3]` prints one JSON line per
//! workload and implementation. Bare and hasim runs alternate, so that a burst of load
//! from other processes hits both rather than one. W3 runs in child processes (this
//! binary re-executed with `--child W3 <impl>`), one per implementation, so that the
//! peak resident memory each reports (VmHWM) is its own and not left over from another
//! workload or implementation; five bare/hasim child pairs alternate, and the pair
//! with the median ratio is reported with every pair's ratio. `--once hasim|bare` runs each selected workload once in
//! one implementation, for a profiler (`valgrind --tool=callgrind`).

#[path = "engine/w1.rs"]
mod w1;
#[path = "engine/w2.rs"]
mod w2;
#[path = "engine/w3.rs"]
mod w3;

use std::process::Command;
use std::time::Duration;

#[path = "engine/common.rs"]
mod common;
pub use common::{below, timed, unit, Run, SEED};

/// A run's logical events and wall time, per implementation.
type Runner = fn() -> Run;

/// The workloads: name, hasim runner, bare runner.
const WORKLOADS: [(&str, Runner, Runner); 3] = [
    ("W1", w1::hasim, w1::bare),
    ("W2", w2::hasim, w2::bare),
    ("W3", w3::hasim, w3::bare),
];

/// Repetitions of one implementation: every run's rate, and the stats (which must not
/// change from run to run: same seed, same stats).
struct Series {
    events: u64,
    stats: String,
    walls: Vec<Duration>,
}

impl Series {
    fn add(&mut self, run: Run, what: &str) {
        assert_eq!(
            run.events, self.events,
            "{what}: events changed between runs"
        );
        assert_eq!(run.stats, self.stats, "{what}: stats changed between runs");
        self.walls.push(run.wall);
    }
    fn total(&self) -> Duration {
        self.walls.iter().sum()
    }
    /// The median rate of the runs (the mean of the middle two for an even count).
    fn rate(&self) -> f64 {
        let mut r: Vec<f64> = self
            .walls
            .iter()
            .map(|w| self.events as f64 / w.as_secs_f64())
            .collect();
        r.sort_by(f64::total_cmp);
        let n = r.len();
        if n % 2 == 1 {
            r[n / 2]
        } else {
            (r[n / 2 - 1] + r[n / 2]) / 2.0
        }
    }
    /// The wall time of a run at the median rate.
    fn median_wall(&self) -> f64 {
        self.events as f64 / self.rate()
    }
    fn json(&self, imp: &str, workload: &str, extra: &str) -> String {
        format!(
            "{{\"impl\":\"{imp}\",\"workload\":\"{workload}\",\"events\":{},\"wall_s\":{:.4},\"events_per_s\":{:.0},{},\"runs\":{}{extra}}}",
            self.events,
            self.median_wall(),
            self.rate(),
            self.stats,
            self.walls.len(),
        )
    }
}

fn first(run: Run) -> Series {
    Series {
        events: run.events,
        stats: run.stats,
        walls: vec![run.wall],
    }
}

/// Runs one implementation alone until the BENCHMARKS.md rule is met: a run under 1 s
/// is repeated until at least 2 s of wall time have passed.
fn repeat(run: Runner, what: &str) -> Series {
    let mut s = first(run());
    while s.walls[0] < Duration::from_secs(1) && s.total() < Duration::from_secs(2) {
        s.add(run(), what);
    }
    s
}

/// Runs bare and hasim alternately, each until it meets the repetition rule.
fn alternate(workload: &str, hasim: Runner, bare: Runner) -> (Series, Series) {
    let enough =
        |s: &Series| s.walls[0] >= Duration::from_secs(1) || s.total() >= Duration::from_secs(2);
    let mut b = first(bare());
    let mut h = first(hasim());
    while !enough(&b) || !enough(&h) {
        if !enough(&b) {
            b.add(bare(), &format!("{workload} bare"));
        }
        if !enough(&h) {
            h.add(hasim(), &format!("{workload} hasim"));
        }
    }
    (b, h)
}

/// Peak resident memory of this process so far, in KiB (VmHWM).
fn peak_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The child side of a W3 measurement: one implementation alone in a fresh process.
fn child(workload: &str, imp: &str) {
    let (_, hasim, bare) = WORKLOADS
        .iter()
        .find(|w| w.0 == workload)
        .unwrap_or_else(|| panic!("unknown workload {workload}"));
    let runner = if imp == "hasim" { *hasim } else { *bare };
    let series = repeat(runner, &format!("{workload} {imp}"));
    let extra = format!(
        ",\"peak_mib\":{:.1},\"peak_measured\":\"VmHWM of a child process running only this implementation\"",
        peak_kib() as f64 / 1024.0
    );
    println!("{}", series.json(imp, workload, &extra));
}

/// W3 child pairs (bare, then hasim) per measurement; the median pair's ratio is the
/// one reported, as single pairs ranged 0.36–0.76 on a loaded machine.
const W3_PAIRS: usize = 5;

/// Runs `--child W3 <impl>` and returns its JSON line.
fn in_child(workload: &str, imp: &str) -> String {
    let exe = std::env::current_exe().expect("the benchmark binary's own path");
    let out = Command::new(exe)
        .args(["--child", workload, imp])
        .output()
        .expect("re-executing the benchmark binary");
    assert!(
        out.status.success(),
        "child {workload} {imp} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8 output")
        .trim()
        .to_string()
}

/// Reads `"events_per_s":R` back from a JSON line this program printed.
fn rate_of(line: &str) -> f64 {
    let after = line
        .split("\"events_per_s\":")
        .nth(1)
        .expect("events_per_s in the line");
    let number: String = after
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    number.parse().expect("a number")
}

fn main() {
    // `cargo bench` passes `--bench`; any flag other than `--child` is ignored.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1], &args[i + 2]);
        return;
    }
    // `--once hasim|bare`: one run of one implementation (for a profiler).
    let once = args
        .iter()
        .position(|a| a == "--once")
        .map(|i| args[i + 1].clone());
    let wanted: Vec<String> = args
        .iter()
        .filter(|a| !a.starts_with("--") && !matches!(a.as_str(), "hasim" | "bare"))
        .map(|a| a.to_ascii_uppercase())
        .collect();
    for (workload, hasim, bare) in WORKLOADS {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == workload) {
            continue;
        }
        if let Some(imp) = &once {
            let run = if imp == "hasim" { hasim() } else { bare() };
            println!("{}", first(run).json(imp, workload, ""));
            continue;
        }
        if workload == "W3" {
            // Child pairs alternate too, so a burst of load hits both sides; the pair
            // with the median ratio is printed, and every pair's ratio beside it.
            let mut pairs: Vec<(f64, String, String)> = (0..W3_PAIRS)
                .map(|_| {
                    let b = in_child(workload, "bare");
                    let h = in_child(workload, "hasim");
                    (rate_of(&h) / rate_of(&b), b, h)
                })
                .collect();
            let ratios: Vec<String> = pairs.iter().map(|p| format!("{:.3}", p.0)).collect();
            pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
            let (ratio, b, h) = &pairs[W3_PAIRS / 2];
            println!("{b}");
            println!(
                "{},\"ratio_to_bare\":{ratio:.3},\"ratio_pairs\":[{}]}}",
                h.strip_suffix('}').expect("a JSON object"),
                ratios.join(",")
            );
            continue;
        }
        let (b, h) = alternate(workload, hasim, bare);
        println!("{}", b.json("bare", workload, ""));
        let ratio = h.rate() / b.rate();
        println!(
            "{}",
            h.json("hasim", workload, &format!(",\"ratio_to_bare\":{ratio:.3}"))
        );
    }
}
