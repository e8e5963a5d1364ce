//! Raft behaviour on the engine: a restarted replica keeps its term and vote and never
//! votes twice in a term; without faults every operation succeeds and the state
//! machines converge; a leader crash is detected within the election timeout range
//! and writes resume; and the lost-write and state machine checkers catch the data
//! loss of unsynced writes under a disk fault.

use super::{leader, ms, raft, sim, Shared};
use hasim_protocols::replication::raft::{check, figures, Raft, RaftParams, Replica, State};
use hasim_sim::{Fault, NodeId, ScheduledFault, Seed, Sim, SimTime, Verb};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

fn replica(sim: &Sim<Raft>, n: NodeId) -> &Replica {
    match sim.state(n) {
        Some(State::Replica(r)) => r,
        _ => panic!("{n} is not a running replica"),
    }
}

fn fault(at: SimTime, fault: Fault) -> ScheduledFault {
    ScheduledFault { at, fault }
}

#[test]
fn a_restarted_replica_keeps_its_term_vote_and_log() {
    let p = raft(3, 1, RaftParams::default());
    let mut probe = sim(p.clone(), 1, 3000, vec![]);
    probe.run_until(ms(1000));
    let (l, term) = leader(&probe).expect("a leader within 1 s");
    let f = (0..3)
        .map(NodeId)
        .find(|&n| n != l && replica(&probe, n).voted_for() == Some(l))
        .expect("a follower that voted for the leader");
    let log_before = replica(&probe, f).log().clone();
    assert!(log_before.last_index() > 10, "the client wrote entries");

    // The same run, with that follower crashed at 1 s and restarted at 1.2 s.
    let faults = vec![
        fault(ms(1000), Fault::Crash { node: f }),
        fault(ms(1200), Fault::Restart { node: f }),
    ];
    let mut s = sim(p, 1, 3000, faults);
    s.run_until(SimTime::from_nanos(ms(1200).as_nanos() + 1_000));
    assert_eq!(s.incarnation(f).0, 1);
    let r = replica(&s, f);
    assert_eq!((r.term(), r.voted_for()), (term, Some(l)));
    assert_eq!(r.log(), &log_before, "the log is back, entry for entry");
    assert_eq!(r.commit(), 0, "the commit index is volatile");
    s.run();
    assert!(replica(&s, f).commit() >= log_before.last_index());
}

/// (voter, term) pairs for which a voter granted its vote to two candidates.
fn double_votes(records: &[hasim_sim::Record]) -> Vec<String> {
    let mut votes: BTreeMap<(NodeId, String), String> = BTreeMap::new();
    let mut doubles = Vec::new();
    for r in records.iter().filter(|r| r.verb == Verb::Send) {
        // "to=n2 vote term=7 granted=true"
        let mut words = r.detail.split(' ');
        let (Some(to), Some("vote"), Some(term), Some("granted=true")) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            continue;
        };
        let voter = r.node.expect("a send has a node");
        let first = votes
            .entry((voter, term.to_string()))
            .or_insert_with(|| to.to_string());
        if first != to {
            doubles.push(format!("{voter} {term}: {first} and {to}"));
        }
    }
    doubles
}

/// Crashes a random replica every 100-400 ms for 20-300 ms, until `end_ms`.
fn crash_storm(seed: u64, replicas: u32, end_ms: u64) -> Vec<ScheduledFault> {
    let mut rng = Seed(seed).stream("test-crash-storm");
    let mut down_until = vec![0u64; replicas as usize];
    let mut faults = Vec::new();
    let mut t = 300;
    while t < end_ms {
        let n = rng.below(u64::from(replicas)) as usize;
        if down_until[n] < t {
            let back = t + rng.between(20, 300);
            faults.push(fault(
                ms(t),
                Fault::Crash {
                    node: NodeId(n as u32),
                },
            ));
            faults.push(fault(
                ms(back),
                Fault::Restart {
                    node: NodeId(n as u32),
                },
            ));
            down_until[n] = back;
        }
        t += rng.between(100, 400);
    }
    faults.sort_by_key(|f| f.at);
    faults
}

fn votes_over_seeds(params: RaftParams, disk_fault: bool) -> Vec<String> {
    let mut all = Vec::new();
    for seed in 0..20 {
        let mut faults = crash_storm(seed, 5, 8000);
        if disk_fault {
            for n in 0..5 {
                let f = Fault::DiskFault {
                    node: NodeId(n),
                    lose_unsynced: true,
                    write_delay: Default::default(),
                };
                faults.insert(0, fault(SimTime::ZERO, f));
            }
        }
        let kept = Rc::new(RefCell::new(Vec::new()));
        let mut s = sim(raft(5, 1, params.clone()), seed, 10_000, faults);
        s.trace_sink(Shared(kept.clone()));
        s.run();
        all.extend(double_votes(&kept.borrow()));
    }
    all
}

#[test]
fn no_replica_votes_twice_in_a_term_across_restarts() {
    // 20 seeds of a replica crashing every 100-400 ms: dozens of elections, many of
    // them with a voter restarted in the middle.
    let doubles = votes_over_seeds(RaftParams::default(), false);
    assert!(doubles.is_empty(), "{doubles:?}");
}

#[test]
fn without_faults_every_operation_succeeds_and_the_state_machines_agree() {
    let mut s = sim(raft(3, 2, RaftParams::default()), 4, 5000, vec![]);
    let kept = Rc::new(RefCell::new(Vec::new()));
    s.trace_sink(Shared(kept.clone()));
    s.run();
    let h = check::history(s.observations());
    let (ok, fail, unknown) = h.counts();
    assert!(ok > 150, "{ok} operations");
    assert_eq!((fail, unknown), (0, 0));
    // The clients start before any leader exists: they are told so and redirected.
    let redirects = kept
        .borrow()
        .iter()
        .filter(|r| r.verb == Verb::Send && r.detail.contains(" redirect "))
        .count();
    assert!(redirects > 0);
    assert_eq!(check::no_lost_writes(&s), Ok(()));
    assert_eq!(check::final_log_matching(&s), Ok(()));
    assert_eq!(check::state_machine_safety(s.observations()), Ok(()));
    let live = check::replicas(&s);
    assert_eq!(live.len(), 3);
    // Every replica committed nearly everything (the clients run to the end, so the
    // last few entries may still be on their way), and the same entries.
    let commit = live.iter().map(|(_, r)| r.commit()).min().unwrap_or(0);
    let top = live.iter().map(|(_, r)| r.commit()).max().unwrap_or(0);
    assert!(commit + 5 >= top && commit > 150, "{commit} of {top}");
    for (n, r) in &live {
        let prefix = &r.log().entries()[..commit as usize];
        assert_eq!(prefix, &live[0].1.log().entries()[..commit as usize], "{n}");
    }
}

/// The run of the failover test: 5 replicas, 2 clients, the leader at 2 s crashed
/// then and restarted at 4 s, 6 s in all.
pub fn leader_crash_run(seed: u64) -> (Sim<Raft>, NodeId, u64) {
    let p = raft(5, 2, RaftParams::default());
    let mut probe = sim(p.clone(), seed, 6000, vec![]);
    probe.run_until(ms(2000));
    let (l, term) = leader(&probe).expect("a leader at 2 s");
    let faults = vec![
        fault(ms(2000), Fault::Crash { node: l }),
        fault(ms(4000), Fault::Restart { node: l }),
    ];
    let mut s = sim(p, seed, 6000, faults);
    s.run();
    (s, l, term)
}

#[test]
fn a_leader_crash_is_detected_within_the_election_timeouts_and_writes_resume() {
    for seed in 0..10 {
        let (s, l, term) = leader_crash_run(seed);
        let f = figures::figures(&s);
        assert_eq!(f["leader_crashes"], 1.0, "seed {seed}");
        // The followers heard the last heartbeat at most 50 ms (+5 ms of latency)
        // before the crash and time out 150-300 ms after hearing it.
        let detect = f["failover_detect_mean"];
        assert!((0.095..=0.3).contains(&detect), "seed {seed}: {detect}");
        assert!(f["recovery_time_mean"] < 0.8, "seed {seed}: {f:?}");
        assert!(f["leader_time_fraction"] > 0.85, "seed {seed}: {f:?}");
        let (new, new_term) = leader(&s).expect("a leader at the end");
        assert!(new_term > term && (new != l || new_term > term + 1));
        assert_eq!(check::no_lost_writes(&s), Ok(()), "seed {seed}");
        assert_eq!(check::state_machine_safety(s.observations()), Ok(()));
    }
}

/// Every replica under a disk fault that loses unsynced writes, all crashed at 2 s
/// and restarted at 2.1 s.
fn whole_cluster_crash(sync: bool) -> Sim<Raft> {
    let params = RaftParams {
        sync,
        ..RaftParams::default()
    };
    let mut faults = Vec::new();
    for n in 0..3 {
        let node = NodeId(n);
        let disk = Fault::DiskFault {
            node,
            lose_unsynced: true,
            write_delay: Default::default(),
        };
        faults.push(fault(SimTime::ZERO, disk));
        faults.push(fault(ms(2000), Fault::Crash { node }));
        faults.push(fault(ms(2100), Fault::Restart { node }));
    }
    faults.sort_by_key(|f| f.at);
    let mut s = sim(raft(3, 2, params), 2, 4000, faults);
    s.run();
    s
}

#[test]
fn synced_writes_survive_a_whole_cluster_crash_and_unsynced_ones_do_not() {
    let safe = whole_cluster_crash(true);
    assert_eq!(check::no_lost_writes(&safe), Ok(()));
    assert_eq!(check::state_machine_safety(safe.observations()), Ok(()));
    // sync = false: the disk fault loses every term, vote and entry, the cluster
    // starts again from empty logs, and the checkers say so.
    let unsafe_ = whole_cluster_crash(false);
    let lost = check::no_lost_writes(&unsafe_).unwrap_err();
    assert!(lost.contains("acknowledged write(s) lost"), "{lost}");
    let smr = check::state_machine_safety(unsafe_.observations()).unwrap_err();
    assert!(smr.starts_with("index "), "{smr}");
}

#[test]
fn one_entry_per_append_under_a_crash_storm_loses_nothing() {
    // With one entry per AppendEntries a lagging follower catches up one index at a
    // time: backing up, conflict truncation and commitment run over many small
    // steps, each of which a crash may interrupt. (This is also where a new leader's
    // majority can hold an earlier-term entry but not yet its no-op, the Figure 8
    // window; counting replicas there still went unnoticed over 1,000 seeds, so
    // the commit rule has its own unit test in log.rs.)
    let params = RaftParams {
        entries_max: 1,
        ..RaftParams::default()
    };
    let mut failed = Vec::new();
    for seed in 0..40 {
        let mut s = sim(
            raft(5, 3, params.clone()),
            seed,
            10_000,
            crash_storm(seed, 5, 8000),
        );
        s.run();
        for verdict in [
            check::state_machine_safety(s.observations()),
            check::no_lost_writes(&s),
            check::final_log_matching(&s),
        ] {
            if let Err(e) = verdict {
                failed.push(format!("seed {seed}: {e}"));
            }
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}
