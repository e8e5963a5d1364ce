//! Primary-backup at the engine level: a crashed primary restarts as a backup and
//! catches up (also when it was back before any detector noticed); a
//! cut-off primary keeps believing it rules until it hears of the new epoch, then
//! steps down and adopts the new log.

use hasim_protocols::replication::primary_backup::{
    Entry, Epoch, Observation, PrimaryBackup, PrimaryBackupParams, Role,
};
use hasim_protocols::replication::{OpEvent, OpResult, WorkloadParams};
use hasim_sim::{Distribution, Fault, NodeId, ScheduledFault, Sim, SimDuration, SimTime};

fn at(ms: u64) -> SimTime {
    SimTime::from_nanos(ms * 1_000_000)
}

/// Three replicas (nodes 0–2) and one client (node 3), 1–5 ms latency, no loss.
fn sim(faults: Vec<ScheduledFault>, seed: u64) -> Sim<PrimaryBackup> {
    let roles = vec![
        Role::Replica,
        Role::Replica,
        Role::Replica,
        Role::Client(WorkloadParams::default()),
    ];
    let p = PrimaryBackup::new(roles, PrimaryBackupParams::default()).expect("valid");
    let mut s = Sim::new(p, 4, seed);
    let latency = Distribution::Uniform {
        min: SimDuration::from_millis(1),
        max: SimDuration::from_millis(5),
    };
    s.uniform_network(latency, 0.0).expect("network");
    s.faults(faults).expect("faults");
    s.keep_observations(true);
    s
}

fn fault(ms: u64, fault: Fault) -> ScheduledFault {
    ScheduledFault { at: at(ms), fault }
}

fn serving(s: &Sim<PrimaryBackup>) -> Vec<(u32, u64)> {
    (0..3)
        .filter_map(|n| {
            s.view(NodeId(n))
                .filter(|v| v.serving)
                .map(|v| (n, v.epoch.0))
        })
        .collect()
}

/// A backup's log is the primary's, or its prefix missing the one write in flight
/// (one client, one operation at a time).
fn in_step(backup: &[Entry], primary: &[Entry]) -> bool {
    primary.starts_with(backup) && primary.len() - backup.len() <= 1
}

fn acknowledged_writes(s: &Sim<PrimaryBackup>) -> usize {
    s.observations()
        .iter()
        .filter(|o| {
            matches!(
                o.observation,
                Observation::Op(OpEvent::Complete {
                    result: OpResult::Ok(None),
                    ..
                })
            )
        })
        .count()
}

#[test]
fn a_crashed_primary_restarts_as_a_backup_and_catches_up() {
    for seed in 1..=10 {
        let mut s = sim(
            vec![
                fault(2000, Fault::Crash { node: NodeId(0) }),
                fault(4000, Fault::Restart { node: NodeId(0) }),
            ],
            seed,
        );
        s.run_until(at(3900));
        let at_restart = s.durable(NodeId(0)).log.len();
        assert_eq!(
            serving(&s),
            vec![(1, 1)],
            "seed {seed}: replica 1 rules epoch 1"
        );
        s.run_until(at(8000));
        assert_eq!(serving(&s), vec![(1, 1)], "seed {seed}: no take-back");
        let view = s.view(NodeId(0)).expect("up");
        assert_eq!(view.epoch, Epoch(1), "seed {seed}");
        let logs: Vec<_> = (0..3).map(|n| s.durable(NodeId(n)).log.clone()).collect();
        assert!(logs[0].len() > at_restart, "seed {seed}: caught up");
        for b in [0, 2] {
            assert!(in_step(&logs[b], &logs[1]), "seed {seed}: replica {b}");
        }
        // About 100 writes in 8 s (one client, 20 ms gaps, half reads, 0.5 s failover).
        assert!(acknowledged_writes(&s) > 50, "seed {seed}");
    }
}

#[test]
fn a_primary_back_within_the_timeout_is_replaced_all_the_same() {
    // Down for 200 ms, less than the 500 ms detector timeout: the detectors never
    // suspect it, but its appends stopped, and that is enough for replica 1 to take
    // over. Replica 0 comes back as a backup of epoch 0 (whose primary is itself, so
    // it rules nothing) and joins epoch 1.
    let mut s = sim(
        vec![
            fault(2000, Fault::Crash { node: NodeId(0) }),
            fault(2200, Fault::Restart { node: NodeId(0) }),
        ],
        7,
    );
    s.run_until(at(2400));
    assert_eq!(serving(&s), vec![], "nobody serves while the backups wait");
    s.run_until(at(5000));
    assert_eq!(serving(&s), vec![(1, 1)]);
    assert_eq!(s.durable(NodeId(0)).epoch, Epoch(1));
    let detected = s
        .observations()
        .iter()
        .any(|o| matches!(o.observation, Observation::Detector(d) if d.target() == NodeId(0)));
    assert!(!detected, "no detector suspected replica 0");
}

#[test]
fn a_cut_off_primary_believes_until_it_hears_of_the_new_epoch() {
    let mut s = sim(
        vec![
            fault(
                2000,
                Fault::Partition {
                    groups: vec![vec![NodeId(0)]],
                },
            ),
            fault(5000, Fault::Heal),
        ],
        3,
    );
    s.run_until(at(4000));
    // Epochs fence writes, not belief: both believe they rule.
    assert_eq!(serving(&s), vec![(0, 0), (1, 1)]);
    let log_cut_off = s.durable(NodeId(0)).log.len();
    s.run_until(at(7000));
    assert_eq!(serving(&s), vec![(1, 1)]);
    assert_eq!(s.durable(NodeId(0)).epoch, Epoch(1));
    assert!(in_step(
        &s.durable(NodeId(0)).log,
        &s.durable(NodeId(1)).log
    ));
    // It caught up with everything written while it was cut off.
    assert!(s.durable(NodeId(0)).log.len() > log_cut_off);
}
