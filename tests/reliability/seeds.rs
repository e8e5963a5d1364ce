//! Seed ranges and workers: an enormous range is refused (not run for ever), every
//! seed `run --seed` accepts is a sweepable range, and `--jobs` beyond the machine is
//! reduced with a note instead of spawning threads until one fails.

use super::{hasim, hasim_within, temp_dir, text};
use hasim::sweep::pool::workers;
use std::time::Duration;

const Q: &str = "scenarios/quickstart.toml";

#[test]
fn the_whole_seed_space_is_refused_at_once() {
    let o = hasim_within(
        &["sweep", Q, "--seeds", "0..18446744073709551615", "-q"],
        Duration::from_secs(20),
    )
    .expect("refused at once, not run for ever");
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{out}{err}");
    assert!(
        err.contains("more than the 1000000 allowed") && err.contains("--seeds-max"),
        "{err}"
    );
}

#[test]
fn seeds_max_counts_after_the_shard_and_can_be_raised() {
    let over = hasim(&["sweep", Q, "--seeds", "1..=5", "--seeds-max", "4", "-q"]);
    let (_, err) = text(&over);
    assert_eq!(over.status.code(), Some(2), "{err}");
    assert!(
        err.contains("5 seeds for this process, more than the 4 allowed"),
        "{err}"
    );
    for args in [
        &["sweep", Q, "--seeds", "1..=5", "--seeds-max", "5", "-q"][..],
        &[
            "sweep",
            Q,
            "--seeds",
            "1..=8",
            "--shard",
            "1/2",
            "--seeds-max",
            "4",
            "-q",
        ][..],
    ] {
        let o = hasim(args);
        let (out, err) = text(&o);
        assert_eq!(o.status.code(), Some(0), "{args:?}\n{out}{err}");
    }
}

#[test]
fn the_largest_seed_sweeps_as_an_inclusive_range() {
    let max = u64::MAX.to_string();
    let dir = temp_dir("max_seed");
    let out = dir.join("max.jsonl");
    let range = format!("{}..={max}", u64::MAX - 1);
    let o = hasim(&[
        "sweep",
        Q,
        "--seeds",
        &range,
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stdout}{err}");
    let written = std::fs::read_to_string(&out).unwrap();
    let seeds: Vec<u64> = written
        .lines()
        .skip(1)
        .map(|l| {
            serde_json::from_str::<hasim::runner::RunResult>(l)
                .unwrap()
                .seed
        })
        .collect();
    assert_eq!(seeds, [u64::MAX - 1, u64::MAX]);
    // The header's range prints back to the same range (merge reads it).
    assert!(
        written.lines().next().unwrap().contains(&range),
        "{written}"
    );
    let merged = hasim(&["merge", out.to_str().unwrap(), "--json"]);
    assert_eq!(merged.status.code(), Some(0), "{}", text(&merged).1);
}

#[test]
fn jobs_beyond_the_seeds_and_cores_are_reduced_with_a_note() {
    let o = hasim(&["sweep", Q, "--seeds", "1..=3", "--jobs", "100000", "-q"]);
    let (out, err) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}{err}");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let note = format!("note: --jobs 100000 reduced to {} worker(s)", cores.min(3));
    assert!(err.contains(&note), "{err}");
    assert_eq!(workers(Some(100_000), 1_000_000), Ok(cores));
    assert_eq!(workers(Some(100_000), 2), Ok(2.min(cores)));
    assert_eq!(workers(None, 1), Ok(1));
    assert!(workers(Some(0), 10).is_err());
}
