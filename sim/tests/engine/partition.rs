//! Partitions and cuts: each blocks exactly the directions it names, nothing more or
//! less, and healing (or the matching undo) restores delivery.
//!
//! Every test runs rounds of all-to-all pings among four nodes: round 1 before the
//! fault, round 2 during it, round 3 after it is undone, and compares who reached whom.

use crate::probe::{at_ms, fault, ms, record_trace, trace_lines, Obs, Ping, Probe, Tag};
use hasim_sim::{Distribution, Fault, NodeId, ScheduledFault, Sim};
use std::collections::BTreeSet;

const NODES: u32 = 4;

type Pairs = BTreeSet<(u32, u32)>;

/// Round r is sent at r * 100ms by every node to every other node, over 1ms links.
fn rounds(faults: Vec<ScheduledFault>, rounds: u32) -> Sim<Probe> {
    let probe = Probe::new()
        .on_start(move |ctx, _| {
            for r in 1..=rounds {
                ctx.set_timer(ms(u64::from(r) * 100), Tag(r));
            }
        })
        .on_timer(|ctx, tag| {
            for peer in 0..ctx.node_count() {
                if peer != ctx.id().0 {
                    ctx.send(NodeId(peer), Ping(u64::from(tag.0)));
                }
            }
        });
    let mut sim = Sim::new(probe, NODES, 1);
    sim.faults(faults).unwrap();
    sim
}

/// (from, to) for every round-`r` ping that arrived.
fn reached(sim: &Sim<Probe>, r: u64) -> Pairs {
    sim.observations()
        .iter()
        .filter_map(|o| match o.observation {
            Obs::Got { from, n } if n == r => Some((from.0, o.node.0)),
            _ => None,
        })
        .collect()
}

fn all_pairs() -> Pairs {
    let mut pairs = Pairs::new();
    for a in 0..NODES {
        for b in 0..NODES {
            if a != b {
                pairs.insert((a, b));
            }
        }
    }
    pairs
}

fn all_but(blocked: &[(u32, u32)]) -> Pairs {
    let mut pairs = all_pairs();
    for p in blocked {
        assert!(pairs.remove(p), "{p:?} is not a pair");
    }
    pairs
}

/// Applies `start` at 150ms and `end` at 250ms, and checks round 2 against `during`
/// and rounds 1 and 3 against full connectivity.
fn check(start: Fault, end: Fault, during: Pairs) {
    let mut sim = rounds(vec![fault(at_ms(150), start), fault(at_ms(250), end)], 3);
    sim.run();
    assert_eq!(reached(&sim, 1), all_pairs(), "before the fault");
    assert_eq!(reached(&sim, 2), during, "during the fault");
    assert_eq!(reached(&sim, 3), all_pairs(), "after the fault is undone");
}

fn n(i: u32) -> NodeId {
    NodeId(i)
}

#[test]
fn a_partition_splits_both_ways_and_heal_restores() {
    // {0,1} listed, {2,3} unlisted: they form the other side.
    check(
        Fault::Partition {
            groups: vec![vec![n(0), n(1)]],
        },
        Fault::Heal,
        [(0, 1), (1, 0), (2, 3), (3, 2)].into_iter().collect(),
    );
}

#[test]
fn a_partition_into_three_groups() {
    check(
        Fault::Partition {
            groups: vec![vec![n(0)], vec![n(1)]],
        },
        Fault::Heal,
        [(2, 3), (3, 2)].into_iter().collect(),
    );
}

#[test]
fn a_one_way_cut_blocks_only_its_direction() {
    check(
        Fault::Cut {
            source: n(0),
            target: n(1),
        },
        Fault::Uncut {
            source: n(0),
            target: n(1),
        },
        all_but(&[(0, 1)]),
    );
}

#[test]
fn heal_ends_partitions_but_not_cuts_or_isolation() {
    // A random partition episode ends with heal; it must not also end an explicit cut
    // or isolation that overlaps it. Those have their own undo.
    let mut sim = rounds(
        vec![
            fault(
                at_ms(110),
                Fault::Cut {
                    source: n(2),
                    target: n(3),
                },
            ),
            fault(at_ms(120), Fault::Isolate { node: n(0) }),
            fault(
                at_ms(150),
                Fault::Partition {
                    groups: vec![vec![n(1)]],
                },
            ),
            fault(at_ms(250), Fault::Heal),
            fault(
                at_ms(350),
                Fault::Uncut {
                    source: n(2),
                    target: n(3),
                },
            ),
            fault(at_ms(350), Fault::Rejoin { node: n(0) }),
        ],
        4,
    );
    sim.run();
    let isolated = [(0, 1), (0, 2), (0, 3), (1, 0), (2, 0), (3, 0)];
    let mut during = isolated.to_vec();
    during.extend([(2, 3), (1, 2), (1, 3), (2, 1), (3, 1)]);
    assert_eq!(
        reached(&sim, 2),
        all_but(&during),
        "cut, isolation and partition"
    );
    let mut after_heal = isolated.to_vec();
    after_heal.push((2, 3));
    assert_eq!(
        reached(&sim, 3),
        all_but(&after_heal),
        "heal left the cut and isolation"
    );
    assert_eq!(
        reached(&sim, 4),
        all_pairs(),
        "their own undo restored them"
    );
}

#[test]
fn isolate_cuts_one_node_off_both_ways_and_rejoin_restores() {
    check(
        Fault::Isolate { node: n(2) },
        Fault::Rejoin { node: n(2) },
        all_but(&[(2, 0), (2, 1), (2, 3), (0, 2), (1, 2), (3, 2)]),
    );
}

#[test]
fn link_down_blocks_both_directions_of_one_link_only() {
    check(
        Fault::LinkDown { a: n(1), b: n(3) },
        Fault::LinkUp { a: n(1), b: n(3) },
        all_but(&[(1, 3), (3, 1)]),
    );
}

#[test]
fn a_new_partition_replaces_the_previous_one() {
    // [0] | rest, then [1] | rest: during the second, 0 is unlisted and belongs with
    // 2 and 3 again.
    let mut sim = rounds(
        vec![
            fault(
                at_ms(150),
                Fault::Partition {
                    groups: vec![vec![n(0)]],
                },
            ),
            fault(
                at_ms(250),
                Fault::Partition {
                    groups: vec![vec![n(1)]],
                },
            ),
            fault(at_ms(350), Fault::Heal),
        ],
        4,
    );
    sim.run();
    assert_eq!(
        reached(&sim, 2),
        all_but(&[(0, 1), (0, 2), (0, 3), (1, 0), (2, 0), (3, 0)])
    );
    assert_eq!(
        reached(&sim, 3),
        all_but(&[(1, 0), (1, 2), (1, 3), (0, 1), (2, 1), (3, 1)])
    );
    assert_eq!(reached(&sim, 4), all_pairs());
}

#[test]
fn drops_name_their_reason() {
    let mut sim = rounds(
        vec![
            fault(
                at_ms(150),
                Fault::Cut {
                    source: n(0),
                    target: n(1),
                },
            ),
            fault(at_ms(150), Fault::Isolate { node: n(3) }),
        ],
        2,
    );
    let sink = record_trace(&mut sim);
    sim.run();
    let lines = trace_lines(&sink);
    let count = |reason: &str| {
        lines
            .iter()
            .filter(|l| l.contains(&format!("reason={reason} ")))
            .count()
    };
    assert_eq!(count("cut"), 1);
    assert_eq!(count("partition"), 6);
}

#[test]
fn a_message_already_on_the_wire_is_past_the_cut() {
    // Cuts are checked at send time: a partition that starts while a message is in
    // flight does not stop it; one that exists at send time does.
    let probe = crate::probe::sends_at(n(0), n(1), &[(1, ms(10)), (2, ms(200))]);
    let mut sim = Sim::new(probe, 2, 1);
    sim.uniform_network(Distribution::constant(ms(100)), 0.0)
        .unwrap()
        .faults([fault(
            at_ms(50),
            Fault::Partition {
                groups: vec![vec![n(0)]],
            },
        )])
        .unwrap();
    sim.run();
    let got: Vec<u64> = crate::probe::got(&sim, n(1)).iter().map(|g| g.2).collect();
    assert_eq!(got, vec![1]);
}

#[test]
fn loss_spikes_drop_and_latency_spikes_delay_until_they_end() {
    let spike = |start: Fault| {
        let mut sim = rounds(
            vec![
                fault(at_ms(150), start),
                fault(at_ms(250), Fault::SpikeEnd { nodes: vec![n(0)] }),
            ],
            3,
        );
        sim.run();
        sim
    };
    let lossy = spike(Fault::LossSpike {
        nodes: vec![n(0)],
        loss: 1.0,
    });
    assert_eq!(
        reached(&lossy, 2),
        all_but(&[(0, 1), (0, 2), (0, 3), (1, 0), (2, 0), (3, 0)])
    );
    assert_eq!(reached(&lossy, 3), all_pairs());

    let slow = spike(Fault::LatencySpike {
        nodes: vec![n(0)],
        extra: ms(30),
    });
    let arrival = |r: u64, from: u32, to: u32| {
        slow.observations()
            .iter()
            .find(|o| {
                o.node.0 == to
                    && o.observation
                        == Obs::Got {
                            from: n(from),
                            n: r,
                        }
            })
            .map(|o| o.time)
    };
    assert_eq!(arrival(2, 0, 1), Some(at_ms(231)));
    assert_eq!(arrival(2, 2, 0), Some(at_ms(231)));
    assert_eq!(arrival(2, 1, 2), Some(at_ms(201)));
    assert_eq!(arrival(3, 0, 1), Some(at_ms(301)));
}
