//! The restart supervisor on the engine: exact restart instants of a crash loop
//! (10, 20, 40, 80, 160, 300, 300 s), the reset after 10 minutes healthy, the liveness
//! probe's kill window, and an insta snapshot of a crash loop's trace.

use hasim_protocols::recovery::supervisor::{Liveness, Observation, ServiceParams, Supervisor};
use hasim_sim::{Record, Sim, SimDuration, SimTime, VecSink};
use std::cell::RefCell;
use std::rc::Rc;

fn secs(s: u64) -> SimDuration {
    SimDuration::from_secs(s)
}

/// Runs one service node with `params` for `hours` hours on `seed`.
fn run(params: ServiceParams, hours: u64, seed: u64) -> Sim<Supervisor> {
    let mut sim = Sim::new(Supervisor::new(vec![Some(params)]), 1, seed);
    sim.horizon(SimTime::ZERO + secs(hours * 3600))
        .keep_observations(true);
    sim.run();
    sim
}

/// The instants (in whole seconds) of the observations `pick` selects.
fn instants(sim: &Sim<Supervisor>, pick: fn(&Observation) -> bool) -> Vec<f64> {
    sim.observations()
        .iter()
        .filter(|o| pick(&o.observation))
        .map(|o| o.time.as_secs_f64())
        .collect()
}

fn delays(sim: &Sim<Supervisor>) -> Vec<u64> {
    sim.observations()
        .iter()
        .filter_map(|o| match o.observation {
            Observation::BackOff { delay } => Some(delay.as_nanos() / 1_000_000_000),
            _ => None,
        })
        .collect()
}

#[test]
fn a_process_failing_every_start_restarts_at_the_back_off_instants() {
    let params = ServiceParams {
        start_failure_probability: 1.0,
        ..ServiceParams::default()
    };
    let sim = run(params, 1, 1);
    let starts = instants(&sim, |o| matches!(o, Observation::Started { .. }));
    // Delays 10, 20, 40, 80, 160, 300, 300, ... summed.
    assert_eq!(
        starts,
        [
            0.0, 10.0, 30.0, 70.0, 150.0, 310.0, 610.0, 910.0, 1210.0, 1510.0, 1810.0, 2110.0,
            2410.0, 2710.0, 3010.0, 3310.0
        ]
    );
    assert_eq!(&delays(&sim)[..8], [10, 20, 40, 80, 160, 300, 300, 300]);
}

#[test]
fn ten_minutes_of_healthy_running_resets_the_back_off() {
    let crash_after = |s| ServiceParams {
        crash_after: Some(secs(s)),
        ..ServiceParams::default()
    };
    // Runs of 11 minutes: every exit resets, so every delay is 10 s.
    let sim = run(crash_after(660), 2, 1);
    assert_eq!(delays(&sim), [10; 10]);
    let starts = instants(&sim, |o| matches!(o, Observation::Started { .. }));
    assert_eq!(&starts[..4], [0.0, 670.0, 1340.0, 2010.0]);
    // Runs of 9 minutes 59 s never reset: the delay doubles to the cap.
    let sim = run(crash_after(599), 2, 1);
    // Exits at 599, 1208, 1827, 2466, 3145, 3904, 4803, 5702 and 6601 s.
    assert_eq!(delays(&sim), [10, 20, 40, 80, 160, 300, 300, 300, 300]);
    // A hang ends the healthy part of a run: 11 minutes running but hung after 5 is
    // not a reset.
    let hung = ServiceParams {
        hang_mtbf: Some(secs(300)),
        liveness: Some(Liveness::default()),
        ..ServiceParams::default()
    };
    let sim = run(hung, 4, 3);
    let mut healthy = Vec::new();
    let mut start = 0.0;
    let mut expected = 10;
    for o in sim.observations() {
        match o.observation {
            Observation::Started { .. } => start = o.time.as_secs_f64(),
            Observation::Hung => healthy.push(o.time.as_secs_f64() - start),
            Observation::BackOff { delay } => {
                let ran = *healthy.last().expect("a hang before each kill");
                if ran >= 600.0 {
                    expected = 10;
                }
                assert_eq!(delay, secs(expected), "after {ran} s healthy");
                expected = (expected * 2).min(300);
            }
            _ => {}
        }
    }
    assert!(healthy.iter().any(|&h| h >= 600.0) && healthy.iter().any(|&h| h < 600.0));
}

#[test]
fn a_hang_is_killed_between_two_and_three_periods_plus_the_timeout() {
    // Period P = 10 s, timeout T = 1 s, threshold F = 3: the first probe after the hang
    // comes within one period, fails T later, and the F-th failure kills, so the kill
    // comes in ((F - 1) P + T, F P + T] = (21 s, 31 s] after the hang. Hangs fall at
    // uniform phases of the probe period, so over 50 seeds the kills fill the window.
    let params = ServiceParams {
        hang_mtbf: Some(secs(600)),
        liveness: Some(Liveness {
            period: secs(10),
            timeout: secs(1),
            failure_threshold: 3,
            initial_delay: SimDuration::ZERO,
        }),
        ..ServiceParams::default()
    };
    let mut waits = Vec::new();
    for seed in 0..50 {
        let sim = run(params.clone(), 2, seed);
        let mut hung = None;
        let mut failures = Vec::new();
        for o in sim.observations() {
            match o.observation {
                Observation::Hung => hung = Some(o.time),
                Observation::ProbeFailed { failures: k } => failures.push(k),
                Observation::Killed => {
                    let at = hung.take().expect("a kill follows a hang");
                    waits.push(o.time.saturating_since(at).as_secs_f64());
                    assert_eq!(failures, [1, 2, 3], "seed {seed}");
                    failures.clear();
                }
                _ => {}
            }
        }
    }
    assert!(waits.len() > 200, "{} kills", waits.len());
    let (min, max) = waits
        .iter()
        .fold((f64::MAX, 0.0f64), |(a, b), &w| (a.min(w), b.max(w)));
    assert!(min > 21.0 && max <= 31.0, "kills after {min} to {max} s");
    assert!(min < 22.0 && max > 30.0, "kills after {min} to {max} s");
}

#[test]
fn crash_loop_trace() {
    let params = ServiceParams {
        crash_after: Some(secs(30)),
        liveness: Some(Liveness::default()),
        ..ServiceParams::default()
    };
    let mut sim = Sim::new(Supervisor::new(vec![Some(params)]), 1, 7);
    let sink = Rc::new(RefCell::new(VecSink::default()));
    sim.trace_sink(sink.clone())
        .horizon(SimTime::ZERO + secs(900));
    sim.run();
    let records: Vec<String> = sink.borrow().0.iter().map(Record::to_string).collect();
    insta::assert_snapshot!(records.join("\n"));
}

/// The observations' names of node 0, in order.
fn story(sim: &Sim<Supervisor>) -> Vec<String> {
    sim.observations()
        .iter()
        .map(|o| match o.observation {
            Observation::Started { attempt } => format!("started {attempt}"),
            Observation::BackOff { delay } => format!("back_off {delay}"),
            ref other => format!("{other:?}").to_lowercase(),
        })
        .collect()
}

#[test]
fn the_restart_policy_decides_after_a_crash_and_after_a_clean_exit() {
    let run_with = |policy, crash: bool| {
        let params = ServiceParams {
            restart_policy: policy,
            crash_after: crash.then_some(secs(60)),
            exit_after: (!crash).then_some(secs(60)),
            ..ServiceParams::default()
        };
        story(&run(params, 1, 1))[..3].to_vec()
    };
    use hasim_protocols::recovery::supervisor::RestartPolicy::{Always, Never, OnFailure};
    assert_eq!(
        run_with(Always, false),
        ["started 0", "completed", "back_off 10s"]
    );
    assert_eq!(
        run_with(OnFailure, false),
        ["started 0", "completed", "stopped"]
    );
    assert_eq!(
        run_with(OnFailure, true),
        ["started 0", "crashed", "back_off 10s"]
    );
    assert_eq!(run_with(Never, true), ["started 0", "crashed", "stopped"]);
}

#[test]
fn a_machine_failure_takes_the_supervisor_down_too_and_resets_its_back_off() {
    // Crashing 30 s after each start, the back-off reaches 160 s at t = 300 s; the node
    // fails at 400 s (mid back-off) and is back at 410 s: the kubelet starts the
    // process at once and its next delay is 10 s again.
    let params = ServiceParams {
        crash_after: Some(secs(30)),
        ..ServiceParams::default()
    };
    let mut sim = Sim::new(Supervisor::new(vec![Some(params)]), 1, 1);
    sim.faults([
        hasim_sim::ScheduledFault {
            at: SimTime::ZERO + secs(400),
            fault: hasim_sim::Fault::Crash {
                node: hasim_sim::NodeId(0),
            },
        },
        hasim_sim::ScheduledFault {
            at: SimTime::ZERO + secs(410),
            fault: hasim_sim::Fault::Restart {
                node: hasim_sim::NodeId(0),
            },
        },
    ])
    .expect("a valid schedule");
    sim.horizon(SimTime::ZERO + secs(500))
        .keep_observations(true);
    sim.run();
    let starts = instants(&sim, |o| matches!(o, Observation::Started { .. }));
    // The 160 s back-off from 300 s would have restarted it at 460 s; the restart at
    // 410 s is the machine's, and the sequence starts over: 10, then 20 s.
    assert_eq!(starts, [0.0, 40.0, 90.0, 160.0, 270.0, 410.0, 450.0, 500.0]);
    assert_eq!(delays(&sim), [10, 20, 40, 80, 160, 10, 20]);
}
