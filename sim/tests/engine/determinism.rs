//! Determinism: a run is a function of its seed. Same seed, same trace record for
//! record and the same hash; a different seed, a different run; and attaching a sink,
//! splitting a run into pieces, or queueing deliveries in the FIFO run rather than the
//! heap changes nothing.

use crate::probe::{at_ms, chatter, fault, record_trace, trace_lines, Probe};
use hasim_sim::{Distribution, Fault, NodeId, Outcome, Record, SignedDuration, Sim, SimDuration};

/// Four chattering nodes over a lossy, duplicating, jittery network, with one fault of
/// most kinds, so that every source of randomness and every fault path feeds the trace.
fn busy_run(seed: u64) -> Sim<Probe> {
    let mut sim = Sim::new(chatter(), 4, seed);
    sim.uniform_network(
        Distribution::Uniform {
            min: SimDuration::from_millis(1),
            max: SimDuration::from_millis(20),
        },
        0.1,
    )
    .unwrap()
    .duplicate(0.05)
    .unwrap()
    .horizon(at_ms(1000))
    .faults([
        fault(at_ms(200), Fault::Pause { node: NodeId(2) }),
        fault(at_ms(300), Fault::Crash { node: NodeId(1) }),
        fault(at_ms(350), Fault::Resume { node: NodeId(2) }),
        fault(
            at_ms(400),
            Fault::Partition {
                groups: vec![vec![NodeId(0)]],
            },
        ),
        fault(
            at_ms(500),
            Fault::ClockJump {
                node: NodeId(3),
                by: SignedDuration(-20_000_000),
            },
        ),
        fault(at_ms(600), Fault::Restart { node: NodeId(1) }),
        fault(at_ms(700), Fault::Heal),
    ])
    .unwrap();
    sim
}

fn traced(seed: u64) -> (Outcome, u64, Vec<Record>) {
    let mut sim = busy_run(seed);
    let sink = record_trace(&mut sim);
    let outcome = sim.run();
    let records = sink.borrow().0.clone();
    (outcome, sim.trace_hash(), records)
}

#[test]
fn same_seed_gives_the_same_trace_and_hash() {
    let (o1, h1, r1) = traced(7);
    let (o2, h2, r2) = traced(7);
    assert_eq!(o1, Outcome::HorizonReached);
    assert_eq!(o1, o2);
    // A busy run: the comparison below is of thousands of records, not a handful.
    assert!(r1.len() > 500, "only {} records", r1.len());
    assert_eq!(h1, h2);
    assert_eq!(r1.len(), r2.len());
    for (i, (a, b)) in r1.iter().zip(&r2).enumerate() {
        assert_eq!(a, b, "record {i} differs");
    }
}

#[test]
fn different_seeds_give_different_traces() {
    let runs: Vec<(u64, Vec<Record>)> = (1..=4)
        .map(|seed| {
            let (_, hash, records) = traced(seed);
            (hash, records)
        })
        .collect();
    for i in 0..runs.len() {
        for j in i + 1..runs.len() {
            assert_ne!(
                runs[i].0,
                runs[j].0,
                "seeds {} and {} share a hash",
                i + 1,
                j + 1
            );
            assert_ne!(
                runs[i].1,
                runs[j].1,
                "seeds {} and {} share a trace",
                i + 1,
                j + 1
            );
        }
    }
}

#[test]
fn the_hash_does_not_depend_on_a_sink_being_attached() {
    // With no sink nothing is formatted; the hash must still see every field.
    let mut bare = busy_run(11);
    bare.run();
    let (_, traced_hash, records) = traced(11);
    assert_eq!(bare.trace_hash(), traced_hash);
    assert_eq!(bare.trace_records(), records.len() as u64);
}

#[test]
fn the_hash_sees_record_details() {
    // Two runs whose records differ only in a message number must hash differently.
    let run = |n: u64| {
        let mut sim = Sim::new(
            Probe::new().on_start(move |ctx, _| {
                if ctx.id() == NodeId(0) {
                    ctx.send(NodeId(1), crate::probe::Ping(n));
                }
            }),
            2,
            1,
        );
        sim.run();
        sim.trace_hash()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
}

#[test]
fn a_run_in_pieces_equals_a_run_in_one_go() {
    let mut whole = busy_run(3);
    let whole_sink = record_trace(&mut whole);
    let outcome = whole.run();

    let mut pieces = busy_run(3);
    let pieces_sink = record_trace(&mut pieces);
    for stop in [1, 250, 300, 301, 640, 999] {
        assert_eq!(pieces.run_until(at_ms(stop)), Outcome::HorizonReached);
        assert_eq!(pieces.now(), at_ms(stop));
    }
    assert_eq!(pieces.run(), outcome);
    assert_eq!(pieces.trace_hash(), whole.trace_hash());
    assert_eq!(trace_lines(&pieces_sink), trace_lines(&whole_sink));
}

/// Constant-latency links put deliveries on the queue's FIFO run instead of its heap;
/// a provider the engine cannot see into (the same uniform paths behind the `Paths`
/// trait) keeps them on the heap. Both must give the same run, record for record,
/// including around a latency spike (whose deliveries sort before the run's last
/// entry and go to the heap) and a pause (whose backlog is queued again).
#[test]
fn the_delivery_run_keeps_the_heap_order() {
    let run = |opaque: bool| {
        let path = hasim_sim::Path {
            latency: Distribution::constant(SimDuration::from_millis(3)),
            loss: 0.1,
        };
        let mut sim = Sim::new(chatter(), 4, 5);
        if opaque {
            sim.paths(hasim_sim::UniformPaths(path));
        } else {
            sim.uniform_network(path.latency, path.loss).unwrap();
        }
        sim.duplicate(0.05)
            .unwrap()
            .horizon(at_ms(1000))
            .faults([
                fault(at_ms(200), Fault::Pause { node: NodeId(2) }),
                fault(at_ms(350), Fault::Resume { node: NodeId(2) }),
                fault(
                    at_ms(400),
                    Fault::LatencySpike {
                        nodes: vec![NodeId(3)],
                        extra: SimDuration::from_millis(7),
                    },
                ),
                fault(
                    at_ms(600),
                    Fault::SpikeEnd {
                        nodes: vec![NodeId(3)],
                    },
                ),
            ])
            .unwrap();
        let sink = record_trace(&mut sim);
        let outcome = sim.run();
        let records = sink.borrow().0.clone();
        (outcome, sim.trace_hash(), records)
    };
    let (o1, h1, r1) = run(false);
    let (o2, h2, r2) = run(true);
    assert_eq!(o1, Outcome::HorizonReached);
    assert_eq!(o1, o2);
    assert!(r1.len() > 500, "only {} records", r1.len());
    assert_eq!(r1.len(), r2.len());
    for (i, (a, b)) in r1.iter().zip(&r2).enumerate() {
        assert_eq!(a, b, "record {i} differs");
    }
    assert_eq!(h1, h2);
}
