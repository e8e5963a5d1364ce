//! The linearizability checker's benchmark: histories of a reference atomic register
//! (10,000 operations from 8 clients by default) checked end to end, timed on the wall
//! clock around whole checks only.
//!
//! `cargo bench -p hasim-protocols --bench linearizability` prints one JSON line per
//! shape: operations, clients, keys, the fraction of unknown operations, the median
//! seconds of several checks, and the search's steps and memoised states. Shapes: 8
//! keys (the target), 1 key (every operation on one register, the most
//! overlap), and 8 keys with 10% unknown operations.

use hasim_protocols::replication::linearizability::{
    atomic_register_history, check_history, ReferenceParams, SearchLimits,
};
use hasim_sim::Seed;
use std::time::{Duration, Instant};

/// Checks of each history; the median is reported.
const RUNS: usize = 7;

/// Times `run` on the wall clock, around a whole check.
#[allow(clippy::disallowed_methods)]
fn timed<T>(run: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = run();
    (out, start.elapsed())
}

fn main() {
    let shapes = [(8, 0.02), (1, 0.02), (8, 0.10)];
    for (keys, unknown_fraction) in shapes {
        let params = ReferenceParams {
            keys,
            unknown_fraction,
            ..ReferenceParams::default()
        };
        let history = atomic_register_history(Seed(0x5EED_2026), &params);
        let mut seconds = Vec::with_capacity(RUNS);
        let mut checked = None;
        for _ in 0..RUNS {
            let (result, wall) = timed(|| check_history(&history, &SearchLimits::default()));
            match result {
                Ok(c) => checked = Some(c),
                Err(e) => {
                    eprintln!("reference history judged not linearizable: {e}");
                    std::process::exit(1);
                }
            }
            seconds.push(wall.as_secs_f64());
        }
        seconds.sort_by(f64::total_cmp);
        let c = checked.expect("at least one run");
        println!(
            "{{\"bench\":\"linearizability\",\"ops\":{},\"clients\":{},\"keys\":{},\
             \"unknown_fraction\":{},\"searched_ops\":{},\"steps\":{},\"states\":{},\
             \"seconds\":{:.6},\"seconds_min\":{:.6},\"runs\":{}}}",
            history.ops.len(),
            params.clients,
            keys,
            unknown_fraction,
            c.operations,
            c.steps,
            c.states,
            seconds[RUNS / 2],
            seconds[0],
            RUNS
        );
    }
}
