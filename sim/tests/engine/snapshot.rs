//! Snapshots: the full trace of a small run with faults of several kinds, and a
//! generated fault schedule, pinned with insta, so any change in what the engine does
//! (event order, drop reasons, timer instants, random draws, the hash) shows as a diff;
//! and the JSON-lines form of a trace, field for field against the records.

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

/// A writer the test keeps a handle on, for the JSON-lines sink to write into.
#[derive(Clone, Default)]
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn json_lines_carry_every_record_field_for_field() {
    let run = |sink: &mut dyn FnMut(&mut Sim<Probe>)| {
        let mut sim = Sim::new(crate::probe::chatter(), 3, 5);
        sim.horizon(at_ms(300));
        sink(&mut sim);
        sim.run();
        sim.trace_hash()
    };
    let bytes = Shared::default();
    let json_hash = run(&mut |sim| {
        sim.trace_sink(hasim_sim::JsonLinesSink::new(bytes.clone()));
    });
    let mut records = None;
    let vec_hash = run(&mut |sim| records = Some(record_trace(sim)));
    assert_eq!(json_hash, vec_hash);
    let records = records.unwrap().borrow().0.clone();
    let text = String::from_utf8(bytes.0.borrow().clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(records.len() > 50, "only {} records", records.len());
    assert_eq!(lines.len(), records.len());
    for (line, record) in lines.iter().zip(&records) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["time_ns"], record.time.as_nanos());
        assert_eq!(v["seq"], record.seq);
        assert_eq!(v["node"], serde_json::json!(record.node.map(|n| n.0)));
        assert_eq!(v["verb"], record.verb.name());
        assert_eq!(v["detail"], record.detail.as_str());
        assert_eq!(*line, record.to_json_line());
    }
}
