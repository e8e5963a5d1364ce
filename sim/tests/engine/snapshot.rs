//! Snapshots: the full trace of a small run with faults of several kinds, and a
//! generated fault schedule, pinned with insta, so any change in what the engine does
//! (event order, drop reasons, timer instants, random draws, the hash) shows as a diff.

use crate::probe::{at_ms, fault, ms, record_trace, trace_lines, Entry, Ping, Probe, Tag};
use hasim_sim::generator::{CrashProcess, EpisodeProcess, PartitionShape};
use hasim_sim::{Distribution, Fault, Generator, NodeId, Seed, SignedDuration, Sim, SimDuration};

/// n1 and n2 beat to n0 every 100ms; n0 persists each beat. Jittery, lossy links; n2
/// crashes and restarts, n1 pauses, then is partitioned away; n0's clock jumps.
fn small_run() -> String {
    let probe = Probe::new()
        .on_start(|ctx, _| {
            if ctx.id() != NodeId(0) {
                ctx.set_timer(ms(100), Tag(1));
            }
        })
        .on_timer(|ctx, tag| {
            let beat = u64::from(tag.0) * 10 + u64::from(ctx.id().0);
            ctx.send(NodeId(0), Ping(beat));
            ctx.set_timer(ms(100), Tag(tag.0 + 1));
        })
        .on_message(|ctx, _, n| ctx.persist(Entry(n)));
    let mut sim = Sim::new(probe, 3, 1);
    sim.uniform_network(
        Distribution::Uniform {
            min: ms(1),
            max: ms(5),
        },
        0.1,
    )
    .unwrap()
    .horizon(at_ms(600))
    .faults([
        fault(at_ms(150), Fault::Crash { node: NodeId(2) }),
        fault(at_ms(220), Fault::Pause { node: NodeId(1) }),
        fault(at_ms(300), Fault::Resume { node: NodeId(1) }),
        fault(at_ms(350), Fault::Restart { node: NodeId(2) }),
        fault(
            at_ms(380),
            Fault::ClockJump {
                node: NodeId(1),
                by: SignedDuration(30_000_000),
            },
        ),
        fault(
            at_ms(420),
            Fault::Partition {
                groups: vec![vec![NodeId(1)]],
            },
        ),
        fault(at_ms(520), Fault::Heal),
    ])
    .unwrap();
    let sink = record_trace(&mut sim);
    let outcome = sim.run();
    let mut out = format!(
        "outcome: {}\nevents: {}\ntrace hash: {:016x}\nrecords: {}\n\n",
        outcome.name(),
        sim.events(),
        sim.trace_hash(),
        sim.trace_records()
    );
    for line in trace_lines(&sink) {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

#[test]
fn small_run_trace() {
    insta::assert_snapshot!("small_run_trace", small_run());
}

#[test]
fn generated_schedule() {
    let exp = |ms_mean: u64| Distribution::Exponential {
        mean: SimDuration::from_millis(ms_mean),
    };
    let targets: Vec<NodeId> = (0..4).map(NodeId).collect();
    let generator = Generator {
        start: at_ms(1_000),
        end: at_ms(60_000),
        crash: Some(CrashProcess {
            time_to_failure: exp(30_000),
            time_to_repair: Some(exp(5_000)),
            targets: targets.clone(),
        }),
        partition: Some((
            EpisodeProcess {
                every: exp(20_000),
                lasts: exp(3_000),
                targets,
            },
            PartitionShape::Minority,
        )),
        ..Default::default()
    };
    let schedule: Vec<String> = generator
        .expand(Seed(1))
        .iter()
        .map(|f| f.to_string())
        .collect();
    insta::assert_snapshot!("generated_schedule", schedule.join("\n"));
}
