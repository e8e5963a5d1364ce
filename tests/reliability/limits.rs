//! Limits on what a run may consume (issue 19): `[faults.random]` expected to produce
//! more failures and episodes than a run allows is refused before anything expands
//! (`mtbf = "1ns"` took all memory), and so is a swarm whose shortest draws would; a
//! client `interval` too short for its timeout is refused with the shortest one
//! accepted; and a node that reaches the engine's limit on pending timers ends its run
//! `timers_exhausted` (it was a panic), which a sweep records as a failing seed with
//! its replay command.

use super::{hasim, hasim_within, quickstart, temp_dir, text};
use std::time::Duration;

/// The quickstart without its explicit faults, with `faults` and one check appended.
fn with_random(faults: &str, duration: &str) -> String {
    let mut s = quickstart().replace("duration = \"60s\"", &format!("duration = \"{duration}\""));
    s.truncate(s.find("[[fault]]").expect("quickstart has faults"));
    s.push_str(&format!(
        "[faults.random]\n{faults}\n\n[[check]]\navailability = \">= 1%\"\n"
    ));
    s
}

/// `hasim check` on `source` (written to `name` in the test's directory): exit code
/// and stderr; it must answer within 20 s (it used to allocate until it aborted).
fn check(name: &str, source: &str) -> (Option<i32>, String) {
    let path = temp_dir(name).join("s.toml");
    std::fs::write(&path, source).unwrap();
    let o = hasim_within(&["check", path.to_str().unwrap()], Duration::from_secs(20))
        .unwrap_or_else(|| panic!("hasim check {name} did not finish within 20 s"));
    let (out, err) = text(&o);
    (o.status.code(), format!("{out}{err}"))
}

#[test]
fn random_faults_expected_beyond_the_cap_are_refused_before_expanding() {
    let (code, err) = check(
        "random_1ns",
        &with_random("crash = { mtbf = \"1ns\", mttr = \"1ns\" }", "60s"),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(":26:1: field `faults.random.crash.mtbf`: about 150000000000 failures and episodes over 60s (this and earlier kinds), more than the 10000000 a run allows; lengthen `mtbf` or shorten the run"),
        "{err}"
    );
    // 1 us over an hour: no longer instant, still far too many.
    let (code, err) = check(
        "random_1us",
        &with_random("crash = { mtbf = \"1us\", mttr = \"1us\" }", "1h"),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("about 9000000000 failures and episodes over 1h"),
        "{err}"
    );
    // The kinds add up, and a zero mean gap is refused too.
    let (code, err) = check(
        "random_zero_gap",
        &with_random("clock_jump = { every = \"0s\", max = \"1ms\" }", "60s"),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(
            "field `faults.random.clock_jump.every`: an unbounded number of failures and episodes"
        ),
        "{err}"
    );
    // A demanding but bounded rate is still accepted: 5 nodes * 60 s / 2 ms = 150,000.
    let (code, out) = check(
        "random_1ms",
        &with_random("crash = { mtbf = \"1ms\", mttr = \"1ms\" }", "60s"),
    );
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn a_swarm_whose_shortest_draws_pass_the_cap_is_refused() {
    let mut source = quickstart();
    source.truncate(source.find("[[fault]]").expect("quickstart has faults"));
    source.push_str(
        "[faults.swarm]\nevery = [\"1us\", \"1s\"]\nlasts = [\"1us\", \"1s\"]\n\n[[check]]\navailability = \">= 1%\"\n",
    );
    let (code, err) = check("swarm_1us", &source);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("field `faults.swarm.every`: about 210000000 failures and episodes over 60s on a seed that draws the shortest `every` (1us) and `lasts` (1us) for its 6 kinds, more than the 10000000 a run allows"),
        "{err}"
    );
    let (code, out) = check("swarm_1ms", &source.replace("\"1us\"", "\"1ms\""));
    assert_eq!(code, Some(0), "{out}");
}

#[test]
fn a_client_interval_too_short_for_its_timeout_is_refused() {
    let source = quickstart().replace("interval = \"10ms\"", "interval = \"1ns\"");
    let (code, err) = check("interval_1ns", &source);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("field `group[1].params`: interval 1ns with timeout 100ms keeps about 100000000 requests in flight per client, each with a pending timer, more than the 524288 a client may hold (a node may have 1048576 pending timers); expected an interval of at least 191ns (timeout / 524288), or a shorter timeout"),
        "{err}"
    );
    let source = quickstart().replace("interval = \"10ms\"", "interval = \"191ns\"");
    let (code, out) = check("interval_191ns", &source);
    assert_eq!(code, Some(0), "{out}");
}

/// One client at 1 request per microsecond, one server taking 5 s per request: the
/// server's service timers pass the engine's limit after about a second. Validation
/// cannot see this (it depends on the arrival rate at each server); the run must end.
const SERVER_FULL: &str = r#"[scenario]
name = "server_full"
description = "one server holds more requests in service than a node may have timers"
duration = "10s"
seed = 1

[network]
latency = { dist = "constant", value = "1ms" }

[[group]]
role = "server"
count = 1
protocol = "ping"
params = { service_time = { dist = "constant", value = "5s" } }

[[group]]
role = "client"
count = 1
protocol = "ping"
params = { interval = "1us", timeout = "100ms" }

[[check]]
requests = ">= 1"
"#;

const FULL: &str = "server-1 reached the 1048576 pending timers a node may have, at 1.049577s: the model leaks timers, or the workload keeps more requests in flight than that";

#[test]
fn a_node_out_of_timers_ends_its_run_with_an_outcome_and_fails_the_seed() {
    let dir = temp_dir("server_full");
    let path = dir.join("server_full.toml");
    std::fs::write(&path, SERVER_FULL).unwrap();
    let p = path.to_str().unwrap();
    let o = hasim(&["run", p]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        out.contains("outcome                  timers_exhausted"),
        "{out}"
    );
    assert!(out.contains(&format!("violation: {FULL}")), "{out}");
    let o = hasim(&["sweep", p, "--seeds", "1..3", "--quiet"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        out.contains("2 runs: 0 passed, 2 failed (timers_exhausted 2)"),
        "{out}"
    );
    for seed in [1, 2] {
        assert!(
            out.contains(&format!("  seed {seed}: {FULL}")),
            "seed {seed}: {out}"
        );
        assert!(
            out.contains(&format!(
                "    hasim replay {p} --seed {seed} --expect-version"
            )),
            "seed {seed}: {out}"
        );
    }
}

/// A detector scenario of `count` members of `protocol` with `params`.
fn members(protocol: &str, count: u32, params: &str) -> String {
    format!(
        "[scenario]\nname = \"members\"\nduration = \"10s\"\n\n[[group]]\nrole = \"member\"\ncount = {count}\nprotocol = \"{protocol}\"\nparams = {{ {params} }}\n"
    )
}

#[test]
fn detector_state_that_cannot_fit_is_refused_before_the_run() {
    // 100,000 all-to-all heartbeat members: ~300 GiB of per-node records (accepted,
    // then the run aborted allocating them).
    let (code, err) = check(
        "hb_all",
        &members("heartbeat", 100_000, "monitors = \"all\""),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("group[0].params")
            && err.contains("about 298.0 GiB")
            && err.contains("more than the 4GiB a run allows")
            && err.contains("use fewer members, or monitors = \"one\""),
        "{err}"
    );
    // phi accrual's window is per watched pair: 1,000 all-to-all members are 7.5 GiB.
    let (code, err) = check(
        "phi_all",
        &members("phi_accrual", 1_000, "monitors = \"all\""),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("999000 watched pairs keep 8064 bytes each (a window of 1000 samples)")
            && err.contains("or a smaller window"),
        "{err}"
    );
    // What fits is accepted: the same members watched from one monitor, a smaller window.
    let (code, err) = check(
        "phi_small_window",
        &members("phi_accrual", 1_000, "monitors = \"all\", window = 100"),
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = check(
        "hb_200_all",
        &members("heartbeat", 200, "monitors = \"all\""),
    );
    assert_eq!(code, Some(0), "{err}");
}

/// The same runaway server under a 16 MiB `memory_max`: its pending requests and
/// timers pass 16 MiB long before the timer limit (a million timers), so the run
/// ends `memory_exhausted` at the first check past the limit and the sweep records
/// each seed as failing, with its replay command, and goes on.
#[test]
fn a_run_past_its_memory_max_ends_with_an_outcome_and_fails_the_seed() {
    let dir = temp_dir("server_memory");
    let path = dir.join("server_memory.toml");
    let source = SERVER_FULL.replace("seed = 1\n", "seed = 1\nmemory_max = \"16MiB\"\n");
    std::fs::write(&path, source).unwrap();
    let p = path.to_str().unwrap();
    let o = hasim(&["run", p]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        out.contains("outcome                  memory_exhausted"),
        "{out}"
    );
    assert!(out.contains("beyond its memory_max of 16MiB at "), "{out}");
    let o = hasim(&["sweep", p, "--seeds", "1..3", "--quiet"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{err}");
    assert!(
        out.contains("2 runs: 0 passed, 2 failed (memory_exhausted 2)"),
        "{out}"
    );
    assert!(
        out.contains(&format!("    hasim replay {p} --seed 2 --expect-version")),
        "{out}"
    );
}

/// The bundled quickstart runs well inside a small budget: the count is of what
/// the run holds, not of everything it ever allocated.
#[test]
fn an_ordinary_run_stays_inside_a_small_memory_max() {
    let dir = temp_dir("quickstart_memory");
    let path = dir.join("quickstart.toml");
    let source = quickstart().replace("seed = 1\n", "seed = 1\nmemory_max = \"32MiB\"\n");
    assert!(
        source.contains("memory_max"),
        "the quickstart has a seed line"
    );
    std::fs::write(&path, source).unwrap();
    let o = hasim(&["run", path.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    assert!(!out.contains("memory_exhausted"), "{out}");
}
