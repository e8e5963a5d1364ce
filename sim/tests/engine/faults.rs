//! The fault schedule and its random generator: a generated schedule is a function of
//! the seed; each kind (and each node's crash process) draws from its own stream, so
//! enabling one kind moves nothing of another; faults start within [start, end) and
//! everything they break is repaired by `end`; explicit faults are validated.

use crate::probe::{at_ms, at_secs, fault, Probe};
use hasim_sim::generator::{CrashProcess, DiskEffect, EpisodeProcess, PartitionShape};
use hasim_sim::{
    Distribution, Fault, Generator, NodeId, ScheduledFault, Seed, Sim, SimDuration, SimError,
    Status,
};

fn exp(secs: u64) -> Distribution {
    Distribution::Exponential {
        mean: SimDuration::from_secs(secs),
    }
}

fn nodes(n: u32) -> Vec<NodeId> {
    (0..n).map(NodeId).collect()
}

fn crashes(targets: Vec<NodeId>) -> CrashProcess {
    CrashProcess {
        time_to_failure: exp(20),
        time_to_repair: Some(exp(5)),
        targets,
    }
}

fn episodes(every: u64, lasts: u64) -> EpisodeProcess {
    EpisodeProcess {
        every: exp(every),
        lasts: exp(lasts),
        targets: nodes(5),
    }
}

/// A generator with every kind enabled over [10 s, 200 s).
fn everything() -> Generator {
    Generator {
        start: at_secs(10),
        end: at_secs(200),
        crash: Some(crashes(nodes(5))),
        pause: Some(episodes(30, 2)),
        partition: Some((episodes(40, 5), PartitionShape::Minority)),
        loss_spike: Some((episodes(50, 5), 0.3)),
        latency_spike: Some((episodes(50, 5), SimDuration::from_millis(200))),
        clock_jump: Some((episodes(60, 1), SimDuration::from_millis(500))),
        ..Default::default()
    }
}

/// `everything()` with the kinds added later on too.
fn everything_and_later() -> Generator {
    Generator {
        isolate: Some(episodes(40, 3)),
        cut: Some(episodes(40, 3)),
        link_down: Some(episodes(40, 3)),
        clock_drift: Some((episodes(40, 10), 200.0)),
        disk_fault: Some((
            episodes(40, 10),
            DiskEffect {
                lose_unsynced: true,
                write_delay: SimDuration::from_millis(20),
            },
        )),
        partition_along: Some((episodes(40, 5), vec![nodes(2), vec![NodeId(2), NodeId(3)]])),
        ..everything()
    }
}

/// The opening and closing kind of each episode kind added later.
const LATER: [(&str, &str); 6] = [
    ("isolate", "rejoin"),
    ("cut", "uncut"),
    ("link_down", "link_up"),
    ("clock_drift", "clock_drift"),
    ("disk_fault", "disk_heal"),
    ("partition", "heal"),
];

#[test]
fn later_kinds_are_drawn_and_move_none_of_the_first_six() {
    let fixed = vec![nodes(2), vec![NodeId(2), NodeId(3)]];
    // A fault of the first six kinds: the random partition has one side listed, the
    // partition along fixed groups lists them all; heals are ambiguous, so left out.
    let first_six = |f: &&ScheduledFault| match &f.fault {
        Fault::Partition { groups } => *groups != fixed,
        Fault::Heal => false,
        other => !LATER.iter().any(|(o, c)| [o, c].contains(&&other.kind())),
    };
    let mut seen = [false; 6];
    for seed in 0..10 {
        let before = everything().expand(Seed(seed));
        let after = everything_and_later().expand(Seed(seed));
        let old: Vec<&ScheduledFault> = before.iter().filter(first_six).collect();
        let new: Vec<&ScheduledFault> = after.iter().filter(first_six).collect();
        assert_eq!(new, old, "seed {seed}");
        let along = Fault::Partition {
            groups: fixed.clone(),
        };
        seen[5] |= after.iter().any(|f| f.fault == along);
        // Partitions and heals of two processes interleave; the others pair up.
        for (k, &(open, close)) in LATER[..5].iter().enumerate() {
            let mine = of_kinds(&after, &[open, close]);
            seen[k] |= !mine.is_empty();
            assert!(mine.len() % 2 == 0, "seed {seed}: {open} not undone");
            for pair in mine.chunks(2) {
                assert_eq!(pair[0].fault.kind(), open, "seed {seed}: {pair:?}");
                assert_eq!(pair[1].fault.kind(), close, "seed {seed}: {pair:?}");
                let at = |f: &ScheduledFault| f.at;
                assert!(at(pair[0]) < at(pair[1]) && at(pair[1]) <= at_secs(200));
                if let Fault::ClockDrift { ppm, .. } = pair[0].fault {
                    assert!(ppm != 0.0 && ppm.abs() <= 200.0, "{ppm}");
                    assert_eq!(
                        pair[1].fault,
                        Fault::ClockDrift {
                            node: pair[0].fault.nodes()[0],
                            ppm: 0.0
                        }
                    );
                }
                if let Fault::Cut { source, target } = pair[0].fault {
                    assert_ne!(source, target);
                }
            }
        }
    }
    assert_eq!(
        seen, [true; 6],
        "each later kind drawn on some seed: {LATER:?}"
    );
}

fn of_kinds<'a>(schedule: &'a [ScheduledFault], kinds: &[&str]) -> Vec<&'a ScheduledFault> {
    schedule
        .iter()
        .filter(|f| kinds.contains(&f.fault.kind()))
        .collect()
}

const CRASH: &[&str] = &["crash", "restart"];
const OPENING: &[&str] = &[
    "crash",
    "pause",
    "partition",
    "loss_spike",
    "latency_spike",
    "clock_jump",
];

#[test]
fn same_seed_same_schedule_other_seed_other_schedule() {
    let a = everything().expand(Seed(5));
    assert_eq!(a, everything().expand(Seed(5)));
    assert_ne!(a, everything().expand(Seed(6)));
    // Every kind actually produced something, so the checks below are not vacuous.
    for kind in OPENING {
        assert!(
            a.iter().any(|f| f.fault.kind() == *kind),
            "no {kind} in {a:#?}"
        );
    }
}

#[test]
fn enabling_a_kind_leaves_other_kinds_where_they_were() {
    let crash_only = Generator {
        start: at_secs(10),
        end: at_secs(200),
        crash: Some(crashes(nodes(5))),
        ..Default::default()
    };
    let alone = crash_only.expand(Seed(5));
    let together = everything().expand(Seed(5));
    assert!(!alone.is_empty());
    assert_eq!(of_kinds(&alone, CRASH), of_kinds(&together, CRASH));

    let pause_only = Generator {
        start: at_secs(10),
        end: at_secs(200),
        pause: everything().pause,
        ..Default::default()
    };
    let pauses = pause_only.expand(Seed(5));
    assert!(!pauses.is_empty());
    assert_eq!(
        of_kinds(&pauses, &["pause", "resume"]),
        of_kinds(&together, &["pause", "resume"])
    );
}

#[test]
fn one_nodes_crash_process_does_not_move_anothers() {
    let of_node = |schedule: &[ScheduledFault], n: u32| -> Vec<ScheduledFault> {
        schedule
            .iter()
            .filter(|f| f.fault.nodes() == vec![NodeId(n)])
            .cloned()
            .collect()
    };
    let three = Generator {
        end: at_secs(200),
        crash: Some(crashes(nodes(3))),
        ..Default::default()
    }
    .expand(Seed(9));
    let two = Generator {
        end: at_secs(200),
        crash: Some(crashes(nodes(2))),
        ..Default::default()
    }
    .expand(Seed(9));
    for n in 0..2 {
        assert!(!of_node(&two, n).is_empty());
        assert_eq!(of_node(&two, n), of_node(&three, n), "node {n}");
    }
}

#[test]
fn faults_start_in_the_window_and_are_undone_by_its_end() {
    for seed in 0..20 {
        let g = everything();
        let schedule = g.expand(Seed(seed));
        assert!(schedule.windows(2).all(|w| w[0].at <= w[1].at), "unsorted");
        for f in &schedule {
            if OPENING.contains(&f.fault.kind()) {
                assert!(
                    g.start <= f.at && f.at < g.end,
                    "seed {seed}: {f} outside [start, end)"
                );
            } else {
                assert!(
                    g.start < f.at && f.at <= g.end,
                    "seed {seed}: {f} undone after the end"
                );
            }
        }
        // Per node, crashes and restarts alternate, starting with a crash and ending
        // with a restart: nothing is left down for the quiet phase.
        for n in nodes(5) {
            let kinds: Vec<&str> = schedule
                .iter()
                .filter(|f| CRASH.contains(&f.fault.kind()) && f.fault.nodes() == vec![n])
                .map(|f| f.fault.kind())
                .collect();
            assert!(
                kinds.chunks(2).all(|c| c == ["crash", "restart"]),
                "seed {seed} {n}: {kinds:?}"
            );
        }
        // Each episode kind opens and closes in turn (episodes never overlap).
        for (open, close) in [("pause", "resume"), ("partition", "heal")] {
            let kinds: Vec<&str> = of_kinds(&schedule, &[open, close])
                .iter()
                .map(|f| f.fault.kind())
                .collect();
            assert!(
                kinds.chunks(2).all(|c| c == [open, close]),
                "seed {seed}: {kinds:?}"
            );
        }
    }
}

#[test]
fn a_generated_schedule_leaves_every_node_up_for_the_quiet_phase() {
    let g = Generator {
        end: at_secs(100),
        crash: Some(crashes(nodes(5))),
        pause: Some(episodes(10, 2)),
        ..Default::default()
    };
    let schedule = g.expand(Seed(3));
    let mut sim = Sim::new(Probe::new(), 5, 3);
    sim.faults(schedule.clone()).unwrap().horizon(at_secs(150));
    sim.run();
    assert_eq!(sim.schedule(), &schedule[..]);
    assert!(sim.quiet_from() <= g.end);
    for n in nodes(5) {
        assert_eq!(sim.status(n), Status::Up, "{n}");
    }
    // Something really went down, so the check above means something.
    assert!(nodes(5).iter().any(|&n| sim.incarnation(n).0 > 0));
}

#[test]
fn a_schedule_round_trips_through_json() {
    let schedule = everything().expand(Seed(5));
    let text = serde_json::to_string(&schedule).unwrap();
    let back: Vec<ScheduledFault> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, schedule);
}

#[test]
fn explicit_faults_are_validated() {
    let mut sim = Sim::new(Probe::new(), 3, 1);
    let bad_node = sim.faults([fault(at_ms(1), Fault::Crash { node: NodeId(3) })]);
    assert!(matches!(bad_node, Err(SimError::Fault { .. })));
    let bad_loss = sim.faults([fault(
        at_ms(1),
        Fault::LossSpike {
            nodes: vec![],
            loss: 1.5,
        },
    )]);
    assert!(matches!(bad_loss, Err(SimError::Fault { .. })));
    assert!(matches!(
        sim.duplicate(-0.1),
        Err(SimError::Probability { .. })
    ));
    assert!(matches!(
        sim.clock(NodeId(7), hasim_sim::Clock::default()),
        Err(SimError::Node { .. })
    ));
    assert!(
        sim.schedule().is_empty(),
        "rejected faults must not be kept"
    );
}

#[test]
fn faults_at_the_same_instant_apply_in_the_order_given() {
    // Crash then restart at one instant: the node ends up; the reverse order skips the
    // restart (it is still up) and leaves it down.
    let run = |first: Fault, second: Fault| {
        let mut sim = Sim::new(Probe::new(), 1, 1);
        sim.faults([fault(at_ms(10), first), fault(at_ms(10), second)])
            .unwrap();
        sim.run();
        sim.status(NodeId(0))
    };
    let crash = Fault::Crash { node: NodeId(0) };
    let restart = Fault::Restart { node: NodeId(0) };
    assert_eq!(run(crash.clone(), restart.clone()), Status::Up);
    assert_eq!(run(restart, crash), Status::Down);
}

#[test]
fn a_fault_added_between_run_until_calls_happens_at_its_time() {
    let mut sim = Sim::new(Probe::new(), 3, 1);
    sim.horizon(at_secs(1));
    sim.faults([
        fault(at_ms(10), Fault::Crash { node: NodeId(0) }),
        fault(at_ms(30), Fault::Crash { node: NodeId(1) }),
    ])
    .unwrap();
    sim.run_until(at_ms(20));
    assert_eq!(sim.status(NodeId(0)), Status::Down);
    // Due before the already queued crash of n1: re-sorting the schedule would move
    // n1's queued position onto this fault, and n1 would never crash.
    sim.faults([fault(at_ms(25), Fault::Crash { node: NodeId(2) })])
        .unwrap();
    sim.run_until(at_ms(26));
    assert_eq!(sim.status(NodeId(2)), Status::Down, "the added fault ran");
    assert_eq!(
        sim.status(NodeId(1)),
        Status::Up,
        "n1's crash is not due yet"
    );
    sim.run_until(at_ms(31));
    assert_eq!(
        sim.status(NodeId(1)),
        Status::Down,
        "the queued fault kept its place"
    );

    let past = sim.faults([fault(at_ms(5), Fault::Restart { node: NodeId(0) })]);
    assert!(matches!(past, Err(SimError::FaultInPast { .. })));
    assert_eq!(sim.schedule().len(), 3, "a refused fault is not kept");
}

#[test]
fn expansion_stops_at_the_cap_instead_of_allocating_until_the_process_aborts() {
    // A crash every 1 ns with a 1 ns repair on 5 nodes over an hour: about 9 * 10^12
    // faults, which took all memory. Capped, it stops at once; a capped expansion that
    // fits is exactly the uncapped one.
    let ns = Distribution::constant(SimDuration::from_nanos(1));
    let g = Generator {
        end: at_secs(3600),
        crash: Some(CrashProcess {
            time_to_failure: ns,
            time_to_repair: Some(ns),
            targets: nodes(5),
        }),
        pause: Some(EpisodeProcess {
            every: ns,
            lasts: ns,
            targets: nodes(5),
        }),
        clock_jump: Some((
            EpisodeProcess {
                every: ns,
                lasts: ns,
                targets: nodes(5),
            },
            SimDuration::from_millis(1),
        )),
        ..Default::default()
    };
    let capped = g.expand_at_most(Seed(1), 1001);
    let count = |kinds: &[&str]| {
        capped
            .iter()
            .filter(|f| kinds.contains(&f.fault.kind()))
            .count()
    };
    // Kinds expand in order: crash/restart pairs fill the cap two by two, no pause
    // (a pair) fits in what is left, one clock jump (a single fault) does.
    assert_eq!(capped.len(), 1001);
    assert_eq!(count(&["crash", "restart"]), 1000);
    assert_eq!(count(&["pause", "resume"]), 0);
    assert_eq!(count(&["clock_jump"]), 1);
    assert_eq!(hasim_sim::generator::SCHEDULE_MAX, 20_000_000);
    let small = everything_and_later();
    let whole = small.expand(Seed(3));
    assert_eq!(small.expand_at_most(Seed(3), whole.len()), whole);
}
