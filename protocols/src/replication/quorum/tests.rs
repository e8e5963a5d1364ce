//! The repair mechanisms and the fail-fast path on the engine, one replica crashed:
//! hinted handoff and read repair each bring it up to date (and without them it stays
//! behind), and a write refused as "unavailable" is stored nowhere.

use super::*;
use crate::replication::history::{History, OpKind, OpResult};
use hasim_sim::{Distribution, Fault, ScheduledFault, Sim, SimDuration, SimTime};

const REPLICAS: u32 = 5;
/// The replica that crashes.
const X: NodeId = NodeId(1);
const WRITER: NodeId = NodeId(REPLICAS);
const READER: NodeId = NodeId(REPLICAS + 1);

fn secs(s: f64) -> SimTime {
    SimTime::from_nanos((s * 1e9) as u64)
}

fn at(s: f64, fault: Fault) -> ScheduledFault {
    ScheduledFault { at: secs(s), fault }
}

/// Five replicas (N=3 by default), a writer (writes only, 8 keys) and a reader (reads
/// only), run for 6 s under `faults`.
fn sim(params: ReplicaParams, faults: Vec<ScheduledFault>, seed: u64) -> Sim<Quorum> {
    let client = |read_fraction| {
        Role::Client(WorkloadParams {
            keys: 8,
            read_fraction,
            interval: SimDuration::from_millis(10),
            ..WorkloadParams::default()
        })
    };
    let mut roles = vec![Role::Replica; REPLICAS as usize];
    roles.push(client(0.0));
    roles.push(client(1.0));
    let q = Quorum::new(params, roles).unwrap();
    let mut sim = Sim::new(q, REPLICAS + 2, seed);
    let latency = Distribution::Uniform {
        min: SimDuration::from_millis(1),
        max: SimDuration::from_millis(5),
    };
    sim.uniform_network(latency, 0.0).unwrap();
    sim.horizon(secs(6.0)).keep_observations(true);
    sim.faults(faults).unwrap();
    sim.run();
    sim
}

/// X down from 1 s to 3 s; the writer stops for good at 2.5 s, so the writes X missed
/// can only reach it through handoff or repair; the reader reads only while X is up
/// (it is crashed from 0.5 s to 3.5 s) when `reads`, else never again after 0.5 s.
fn faults(reads: bool) -> Vec<ScheduledFault> {
    let mut f = vec![
        at(0.5, Fault::Crash { node: READER }),
        at(1.0, Fault::Crash { node: X }),
        at(2.5, Fault::Crash { node: WRITER }),
        at(3.0, Fault::Restart { node: X }),
    ];
    if reads {
        f.push(at(3.5, Fault::Restart { node: READER }));
    }
    f
}

/// The keys X is a preferred replica of whose versions, over every disk, X's own data
/// does not cover.
fn behind(sim: &Sim<Quorum>) -> Vec<Key> {
    let q = sim.protocol();
    let mine = &sim.durable(X).store;
    let mut all: BTreeMap<Key, Siblings> = BTreeMap::new();
    for &m in q.ring.members() {
        for (k, s) in &sim.durable(m).store {
            all.entry(*k).or_default().merge(s);
        }
    }
    all.into_iter()
        .filter(|(k, s)| {
            q.ring.is_preferred(*k, q.params.n as usize, X)
                && !mine.get(k).is_some_and(|held| held.covers_all(s))
        })
        .map(|(k, _)| k)
        .collect()
}

fn hints_left(sim: &Sim<Quorum>) -> usize {
    let q = sim.protocol();
    q.ring
        .members()
        .iter()
        .map(|&m| sim.durable(m).hints.len())
        .sum()
}

#[test]
fn hinted_handoff_brings_a_restarted_replica_up_to_date_and_without_it_it_stays_behind() {
    let sloppy = ReplicaParams {
        hinted_handoff: true,
        read_repair: false,
        ..ReplicaParams::default()
    };
    for seed in 1..=5 {
        let with = sim(sloppy.clone(), faults(false), seed);
        assert!(with.metrics().counter("hints_stored") > 0, "seed {seed}");
        assert!(with.metrics().counter("hints_delivered") > 0, "seed {seed}");
        assert_eq!(hints_left(&with), 0, "seed {seed}: every hint handed back");
        assert_eq!(behind(&with), Vec::<Key>::new(), "seed {seed}");
        let strict = ReplicaParams {
            hinted_handoff: false,
            ..sloppy.clone()
        };
        let without = sim(strict, faults(false), seed);
        assert_eq!(without.metrics().counter("hints_stored"), 0);
        assert!(!behind(&without).is_empty(), "seed {seed}");
    }
}

#[test]
fn read_repair_brings_a_restarted_replica_up_to_date_and_without_it_it_stays_behind() {
    let repair = ReplicaParams {
        read_repair: true,
        ..ReplicaParams::default()
    };
    for seed in 1..=5 {
        let with = sim(repair.clone(), faults(true), seed);
        assert!(with.metrics().counter("read_repairs") > 0, "seed {seed}");
        assert_eq!(behind(&with), Vec::<Key>::new(), "seed {seed}");
        let no_repair = ReplicaParams {
            read_repair: false,
            ..repair.clone()
        };
        let without = sim(no_repair, faults(true), seed);
        assert_eq!(without.metrics().counter("read_repairs"), 0);
        assert!(!behind(&without).is_empty(), "seed {seed}");
    }
}

#[test]
fn a_write_refused_as_unavailable_is_stored_nowhere() {
    // Three of five replicas down from 1 s: every key has at most two live replicas,
    // and W = 3 cannot be met.
    let params = ReplicaParams {
        w: 3,
        ..ReplicaParams::default()
    };
    let down = [0, 2, 3].map(|n| at(1.0, Fault::Crash { node: NodeId(n) }));
    let s = sim(params, down.to_vec(), 1);
    let h = History::from_events(s.observations().iter().filter_map(|o| match o.observation {
        Observation::Op(e) => Some((o.time, o.node, e)),
        Observation::Detector(_) => None,
    }));
    let refused: Vec<Value> = h
        .ops
        .iter()
        .filter(|o| o.result == OpResult::Fail)
        .filter_map(|o| match o.kind {
            OpKind::Write(v) => Some(v),
            OpKind::Read => None,
        })
        .collect();
    // Few: the writer spends most of the run timing out on crashed coordinators.
    assert!(refused.len() >= 3, "{}", refused.len());
    let finals = Quorum::final_values(s.protocol().ring.members().iter().map(|&m| s.durable(m)));
    for m in s.protocol().ring.members() {
        for siblings in s.durable(*m).store.values() {
            for v in siblings.iter() {
                assert!(!refused.contains(&v.value), "{:#x} on {m}", v.value);
            }
        }
    }
    // Writes before the crash were acknowledged and stored.
    assert!(!finals.is_empty());
}

/// Each of the detection family's detectors as a quorum scenario names it, tuned to
/// notice a crash within the 2 s that X is down.
const DETECTORS: [&str; 4] = [
    r#"detector = { kind = "heartbeat", interval = "100ms", timeout = "500ms" }"#,
    r#"detector = { kind = "phi_accrual", interval = "100ms", threshold = 8.0, acceptable_pause = "200ms", first_estimate = "100ms", min_sd = "50ms" }"#,
    r#"detector = { kind = "swim", period = "200ms", ping_timeout = "50ms", suspicion_timeout = "300ms" }"#,
    r#"detector = { kind = "prometheus", scrape_interval = "200ms", scrape_timeout = "100ms", evaluation_interval = "100ms", for = "200ms", delivery_delay = "0s" }"#,
];

#[test]
fn with_any_detector_coordinators_mark_the_crashed_replica_down_and_hand_off_to_it() {
    use crate::detection::DetectorObservation as D;
    for detector in DETECTORS {
        // The replica role's params as a scenario writes them; the built-in silence
        // is longer than the run, so only the detector can mark X down.
        let text = format!(
            "hinted_handoff = true\nread_repair = false\nsuspect_after = \"60s\"\n{detector}"
        );
        let params: ReplicaParams = toml::from_str(&text).unwrap();
        let kind = params.detector.as_ref().map(|d| d.kind()).unwrap();
        for seed in 1..=3 {
            let s = sim(params.clone(), faults(false), seed);
            let at = |o: &hasim_sim::Observed<Observation>, what: D| {
                o.observation == Observation::Detector(what)
                    && s.protocol().ring.index_of(o.node).is_some()
            };
            let suspected = s
                .observations()
                .iter()
                .find(|o| at(o, D::Suspect { target: X }))
                .map(|o| o.time);
            let suspected =
                suspected.unwrap_or_else(|| panic!("{kind} seed {seed}: X never suspected"));
            assert!(
                suspected > secs(1.0) && suspected < secs(3.0),
                "{kind} seed {seed}: suspected at {suspected}"
            );
            assert!(
                s.observations()
                    .iter()
                    .any(|o| o.time > secs(3.0) && at(o, D::Trust { target: X })),
                "{kind} seed {seed}: X trusted again after its restart"
            );
            // Marked down, X's writes went to stand-ins as hints, handed back later.
            assert!(
                s.metrics().counter("hints_stored") > 0,
                "{kind} seed {seed}"
            );
            assert!(
                s.metrics().counter("hints_delivered") > 0,
                "{kind} seed {seed}"
            );
            assert_eq!(
                hints_left(&s),
                0,
                "{kind} seed {seed}: every hint handed back"
            );
            assert_eq!(behind(&s), Vec::<Key>::new(), "{kind} seed {seed}");
        }
    }
}

#[test]
fn without_a_detector_the_suspect_after_silence_marks_replicas_down() {
    // The same run with the built-in liveness made blind (silence longer than the run):
    // nothing is marked down, so no write goes to a stand-in. The detector test above
    // therefore measures the detector, not the built-in liveness.
    let params = ReplicaParams {
        hinted_handoff: true,
        read_repair: false,
        suspect_after: SimDuration::from_secs(60),
        ..ReplicaParams::default()
    };
    let s = sim(params, faults(false), 1);
    assert_eq!(s.metrics().counter("hints_stored"), 0);
}
