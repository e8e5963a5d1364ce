//! Pause and resume: a paused node keeps its state but runs nothing; the timers and
//! messages that came due meanwhile arrive right after the resume, in the order they
//! came due, none lost and none duplicated.

use crate::probe::{at_ms, fault, ms, starts, Obs, Ping, Probe, Tag};
use hasim_sim::{Fault, NodeId, Sim, SimTime, Status};

const N0: NodeId = NodeId(0);
const N1: NodeId = NodeId(1);

/// n0 arms timers at 100, 200, 300 and 2000ms; n1 pings n0 at 50, 150, 250, 350 and
/// 450ms over 1ms links. n0 is paused from 60ms to 1s.
fn paused_run() -> Sim<Probe> {
    let probe = Probe::new()
        .on_start(|ctx, _| {
            if ctx.id() == N0 {
                for (tag, after) in [(1, 100), (2, 200), (3, 300), (4, 2000)] {
                    ctx.set_timer(ms(after), Tag(tag));
                }
            } else {
                for n in 1..=5 {
                    ctx.set_timer(ms(n * 100 - 50), Tag(n as u32));
                }
            }
        })
        .on_timer(|ctx, tag| {
            if ctx.id() == N1 {
                ctx.send(N0, Ping(u64::from(tag.0)));
            }
        });
    let mut sim = Sim::new(probe, 2, 1);
    sim.faults([
        fault(at_ms(60), Fault::Pause { node: N0 }),
        fault(at_ms(1000), Fault::Resume { node: N0 }),
    ])
    .unwrap();
    sim
}

/// What n0 handled, in order: (global ms, "timer N" / "ping N", local reading if a timer).
fn handled(sim: &Sim<Probe>) -> Vec<(SimTime, String)> {
    sim.observations()
        .iter()
        .filter(|o| o.node == N0)
        .filter_map(|o| match o.observation {
            Obs::Fired { tag, local } => Some((o.time, format!("timer {tag} local={local}"))),
            Obs::Got { n, .. } => Some((o.time, format!("ping {n}"))),
            Obs::Started { .. } => None,
        })
        .collect()
}

#[test]
fn the_backlog_arrives_after_resume_in_due_order_and_complete() {
    let mut sim = paused_run();
    sim.run();
    let expected: Vec<(SimTime, String)> = [
        (51, "ping 1"),
        // Everything below came due while frozen, and arrives at the resume, in the
        // order it came due; the timers see the late local time, as after a GC pause.
        (1000, "timer 1 local=1s"),
        (1000, "ping 2"),
        (1000, "timer 2 local=1s"),
        (1000, "ping 3"),
        (1000, "timer 3 local=1s"),
        (1000, "ping 4"),
        (1000, "ping 5"),
        // Not due during the pause: fires on time.
        (2000, "timer 4 local=2s"),
    ]
    .iter()
    .map(|&(t, what)| (at_ms(t), what.to_string()))
    .collect();
    assert_eq!(handled(&sim), expected);
}

#[test]
fn a_paused_node_keeps_its_state_and_runs_nothing() {
    let mut sim = paused_run();
    sim.run_until(at_ms(999));
    assert_eq!(sim.status(N0), Status::Paused);
    // The state survives the pause, and nothing new was handled during it.
    assert_eq!(sim.state(N0).unwrap().inbox, vec![1]);
    assert_eq!(sim.view(N0), Some(1));
    sim.run();
    assert_eq!(sim.state(N0).unwrap().inbox, vec![1, 2, 3, 4, 5]);
    assert_eq!(sim.view(N0), Some(9));
    // No restart: one start, incarnation 0.
    assert_eq!(starts(&sim, N0).len(), 1);
    assert_eq!(sim.incarnation(N0).0, 0);
    assert_eq!(
        sim.timeline(N0).intervals(Status::Paused, at_ms(5000)),
        vec![(at_ms(60), at_ms(1000))]
    );
}

#[test]
fn pausing_a_node_that_is_down_does_nothing() {
    let mut sim = Sim::new(Probe::new(), 1, 1);
    sim.faults([
        fault(at_ms(10), Fault::Crash { node: N0 }),
        fault(at_ms(20), Fault::Pause { node: N0 }),
        fault(at_ms(30), Fault::Restart { node: N0 }),
        fault(at_ms(40), Fault::Resume { node: N0 }),
    ])
    .unwrap();
    sim.run();
    assert_eq!(sim.status(N0), Status::Up);
    assert!(sim
        .timeline(N0)
        .intervals(Status::Paused, at_ms(100))
        .is_empty());
}
