//! Failure and repair processes (`hasim_sim::lifecycle`): shared crews never repair
//! more units at once than there are crews, take failed units in FIFO order and never
//! idle while one waits; independent repair starts at once; one unit's draws do not
//! depend on the others; a node in a node unit and a rack unit is down exactly while
//! either is, as one crash and one restart; everything is back up by the end.

use crate::probe::{at_secs, Probe};
use hasim_sim::lifecycle::{FailureUnit, Lifecycle, Outage};
use hasim_sim::{Distribution, Generator, NodeId, Seed, Sim, SimDuration, SimTime, Status};

fn exp(secs: u64) -> Distribution {
    Distribution::Exponential {
        mean: SimDuration::from_secs(secs),
    }
}

fn units(n: u32) -> Vec<FailureUnit> {
    (0..n)
        .map(|i| FailureUnit {
            label: format!("node-{i}"),
            nodes: vec![NodeId(i)],
        })
        .collect()
}

/// Failures every ~100 s, repairs of ~20 s: with 6 units and one crew, queues form.
fn process(n: u32, crews: Option<u32>) -> Lifecycle {
    Lifecycle {
        time_to_failure: exp(100),
        time_to_repair: exp(20),
        units: units(n),
        crews,
    }
}

const END: u64 = 20_000;

fn outages(p: &Lifecycle, seed: u64) -> Vec<Vec<Outage>> {
    p.outages(SimTime::ZERO, at_secs(END), &Seed(seed).stream("t"))
}

#[test]
fn crews_bound_repairs_take_units_in_order_and_never_idle() {
    for crews in [1, 2] {
        for seed in 0..5 {
            let all: Vec<Outage> = outages(&process(6, Some(crews)), seed)
                .into_iter()
                .flatten()
                .collect();
            assert!(all.len() > 500, "{} outages", all.len());
            let waited = all.iter().filter(|o| o.repair_start > o.failed).count();
            assert!(waited > 20, "crews {crews}: only {waited} units waited");
            let in_repair = |t: SimTime| {
                all.iter()
                    .filter(|o| o.repair_start <= t && t < o.repaired)
                    .count()
            };
            for o in &all {
                assert!(o.failed <= o.repair_start && o.repair_start <= o.repaired);
                assert!(in_repair(o.repair_start) <= crews as usize);
                if o.repair_start > o.failed {
                    // It waited: every crew was busy when it failed.
                    assert_eq!(in_repair(o.failed), crews as usize, "{o:?}");
                }
            }
            // FIFO: repairs start in the order the units failed.
            let mut by_failure = all.clone();
            by_failure.sort_by_key(|o| o.failed);
            let starts: Vec<SimTime> = by_failure.iter().map(|o| o.repair_start).collect();
            assert!(
                starts.windows(2).all(|w| w[0] <= w[1]),
                "crews {crews}, seed {seed}"
            );
        }
    }
}

#[test]
fn independent_repair_starts_at_once_and_draws_per_unit() {
    let three = outages(&process(3, None), 4);
    let two = outages(&process(2, None), 4);
    assert!(three.iter().flatten().all(|o| o.repair_start == o.failed));
    // Removing unit 2 moves nothing of units 0 and 1.
    assert_eq!(&three[..2], &two[..]);
    assert!(two.iter().all(|u| u.len() > 100));
    // A different seed, different outages.
    assert_ne!(three, outages(&process(3, None), 5));
}

#[test]
fn failures_stop_at_the_end_and_every_unit_is_back_by_then() {
    let end = at_secs(END);
    for crews in [None, Some(1)] {
        for seed in 0..5 {
            let p = Lifecycle {
                time_to_failure: exp(100),
                // Repairs far longer than the gaps: some run into the end.
                time_to_repair: exp(400),
                units: units(4),
                crews,
            };
            let all: Vec<Outage> = outages(&p, seed).into_iter().flatten().collect();
            assert!(all.iter().all(|o| o.failed < end && o.repaired <= end));
            assert!(
                all.iter().any(|o| o.repaired == end),
                "none ran into the end"
            );
        }
    }
}

#[test]
fn a_node_is_down_while_its_node_or_its_rack_is() {
    // Nodes 0 and 1 in rack r1, node 2 in r2: node failures and rack failures.
    let nodes = Lifecycle {
        time_to_failure: exp(300),
        time_to_repair: exp(60),
        units: units(3),
        crews: None,
    };
    let racks = Lifecycle {
        time_to_failure: exp(500),
        time_to_repair: exp(80),
        units: vec![
            FailureUnit {
                label: "rack:r1".into(),
                nodes: vec![NodeId(0), NodeId(1)],
            },
            FailureUnit {
                label: "rack:r2".into(),
                nodes: vec![NodeId(2)],
            },
        ],
        crews: None,
    };
    let g = Generator {
        end: at_secs(END),
        lifecycles: vec![nodes.clone(), racks.clone()],
        ..Generator::default()
    };
    let seed = Seed(11);
    let schedule = g.expand(seed);
    // The outages as the generator drew them (same streams: "faults/lifecycle/<i>").
    let streams = seed.stream("faults").fork("lifecycle");
    let node_out = nodes.outages(SimTime::ZERO, at_secs(END), &streams.fork("0"));
    let rack_out = racks.outages(SimTime::ZERO, at_secs(END), &streams.fork("1"));
    let down_by_rules = |node: usize, t: SimTime| {
        let rack = if node < 2 { 0 } else { 1 };
        node_out[node]
            .iter()
            .chain(&rack_out[rack])
            .any(|o| o.failed <= t && t < o.repaired)
    };
    let mut sim = Sim::new(Probe::new(), 3, 1);
    sim.horizon(at_secs(END + 1));
    sim.faults(schedule.clone()).expect("valid");
    assert_eq!(sim.run(), hasim_sim::Outcome::Completed);
    // The queue drained at the last restart; figures span to the horizon.
    assert!(sim.now() <= at_secs(END));
    assert_eq!(sim.span_end(), at_secs(END + 1));
    let mut overlaps = 0;
    for n in 0..3 {
        let timeline = sim.timeline(NodeId(n));
        // The engine never skipped a fault: crash and restart alternate per node.
        let kinds: Vec<&str> = schedule
            .iter()
            .filter(|f| f.fault.nodes() == vec![NodeId(n)])
            .map(|f| f.fault.kind())
            .collect();
        assert!(kinds.len() > 20);
        assert!(
            kinds.chunks(2).all(|c| c == ["crash", "restart"]),
            "{kinds:?}"
        );
        // At every outage edge (and just before it), the engine's status is the rule's.
        let edges: Vec<SimTime> = node_out[n as usize]
            .iter()
            .chain(&rack_out[if n < 2 { 0 } else { 1 }])
            .flat_map(|o| [o.failed, o.repaired])
            .collect();
        for t in edges {
            for probe in [t, SimTime::from_nanos(t.as_nanos().saturating_sub(1))] {
                let rule = down_by_rules(n as usize, probe);
                let until = probe.saturating_add(SimDuration::from_nanos(1));
                let up = timeline.time_in(Status::Up, probe, until) > SimDuration::ZERO;
                assert_eq!(up, !rule, "node {n} at {probe}");
            }
            overlaps += usize::from(
                node_out[n as usize]
                    .iter()
                    .any(|o| o.failed < t && t < o.repaired),
            );
        }
    }
    assert!(
        overlaps > 0,
        "no node and rack outage overlapped: the merge is untested"
    );
}
