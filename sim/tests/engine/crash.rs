//! Crash and restart: a crash drops the node's volatile state, its pending timers and
//! every message still in flight to it; a restart begins a new incarnation from the
//! durable image alone.

use crate::probe::{
    at_ms, fault, fired, got, ms, record_trace, sends_at, starts, trace_lines, Ping, Probe, Tag,
};
use hasim_sim::{Distribution, Fault, NodeId, Outcome, Sim, Status};

const N0: NodeId = NodeId(0);
const N1: NodeId = NodeId(1);

fn crash_restart(crash: u64, restart: u64) -> [hasim_sim::ScheduledFault; 2] {
    [
        fault(at_ms(crash), Fault::Crash { node: N0 }),
        fault(at_ms(restart), Fault::Restart { node: N0 }),
    ]
}

#[test]
fn a_timer_set_before_a_crash_never_fires_after_restart() {
    // Incarnation 0 arms tag 1 for 500ms; incarnation 1 arms tag 2 for 1s, which reuses
    // the same timer slot, so only the generation tells the old heap entry from the new.
    let probe = Probe::new().on_start(|ctx, _| {
        if ctx.incarnation().0 == 0 {
            ctx.set_timer(ms(500), Tag(1));
        } else {
            ctx.set_timer(ms(1000), Tag(2));
        }
    });
    let mut sim = Sim::new(probe, 1, 1);
    sim.faults(crash_restart(100, 200)).unwrap();
    assert_eq!(sim.run(), Outcome::Completed);
    assert_eq!(fired(&sim, N0), vec![(at_ms(1200), 2, at_ms(1200))]);
}

#[test]
fn a_timer_cancelled_then_slot_reused_does_not_fire_twice() {
    // Cancel frees the slot; the next timer takes it. The cancelled entry is still in
    // the heap and must be recognised as stale.
    let probe = Probe::new().on_start(|ctx, _| {
        let first = ctx.set_timer(ms(100), Tag(1));
        ctx.cancel_timer(first);
        ctx.set_timer(ms(300), Tag(2));
    });
    let mut sim = Sim::new(probe, 1, 1);
    sim.run();
    assert_eq!(fired(&sim, N0), vec![(at_ms(300), 2, at_ms(300))]);
}

#[test]
fn in_flight_messages_to_a_crashed_node_are_dropped_even_if_it_is_back_in_time() {
    // n1 sends at 10ms and 500ms over 100ms links. n0 crashes at 50ms and is back at
    // 80ms, before the first message would land (110ms): that message was addressed to
    // the old incarnation and must not reach the new one. The second one must.
    let mut sim = Sim::new(sends_at(N1, N0, &[(1, ms(10)), (2, ms(500))]), 2, 1);
    sim.uniform_network(Distribution::constant(ms(100)), 0.0)
        .unwrap()
        .faults(crash_restart(50, 80))
        .unwrap();
    let sink = record_trace(&mut sim);
    sim.run();
    assert_eq!(got(&sim, N0), vec![(at_ms(600), N1, 2)]);
    let drops: Vec<String> = trace_lines(&sink)
        .into_iter()
        .filter(|l| l.contains(" drop "))
        .collect();
    assert_eq!(drops.len(), 1, "{drops:?}");
    assert!(
        drops[0].contains("reason=stale_incarnation"),
        "{}",
        drops[0]
    );
}

#[test]
fn messages_arriving_while_down_are_dropped() {
    let mut sim = Sim::new(sends_at(N1, N0, &[(1, ms(10)), (2, ms(20))]), 2, 1);
    sim.faults(crash_restart(5, 100)).unwrap();
    let sink = record_trace(&mut sim);
    sim.run();
    assert!(got(&sim, N0).is_empty());
    let down = trace_lines(&sink)
        .iter()
        .filter(|l| l.contains("reason=target_down"))
        .count();
    assert_eq!(down, 2);
}

#[test]
fn messages_sent_by_a_node_before_it_crashes_still_arrive() {
    // The wire does not care that the sender died.
    let probe = Probe::new().on_start(|ctx, _| {
        if ctx.id() == N0 && ctx.incarnation().0 == 0 {
            ctx.send(N1, Ping(9));
        }
    });
    let mut sim = Sim::new(probe, 2, 1);
    sim.uniform_network(Distribution::constant(ms(100)), 0.0)
        .unwrap()
        .faults([fault(at_ms(10), Fault::Crash { node: N0 })])
        .unwrap();
    sim.run();
    assert_eq!(got(&sim, N1), vec![(at_ms(100), N0, 9)]);
}

#[test]
fn volatile_state_is_gone_and_the_incarnation_increments() {
    // n1 sends three pings; n0 handles two before crashing, then restarts twice.
    let mut sim = Sim::new(
        sends_at(N1, N0, &[(1, ms(10)), (2, ms(20)), (3, ms(300))]),
        2,
        1,
    );
    sim.faults([
        fault(at_ms(100), Fault::Crash { node: N0 }),
        fault(at_ms(150), Fault::Restart { node: N0 }),
        fault(at_ms(200), Fault::Crash { node: N0 }),
        fault(at_ms(250), Fault::Restart { node: N0 }),
    ])
    .unwrap();
    assert_eq!(sim.run_until(at_ms(50)), Outcome::HorizonReached);
    assert_eq!(sim.state(N0).unwrap().inbox, vec![1, 2]);
    assert_eq!(sim.view(N0), Some(2));
    sim.run_until(at_ms(120));
    assert!(sim.state(N0).is_none(), "a crashed node keeps no state");
    assert_eq!(sim.status(N0), Status::Down);
    sim.run();
    // Only what arrived after the last restart is in the state.
    assert_eq!(sim.state(N0).unwrap().inbox, vec![3]);
    assert_eq!(sim.incarnation(N0).0, 2);
    let incarnations: Vec<(u64, u32)> = starts(&sim, N0)
        .into_iter()
        .map(|(t, i, _)| (t.as_nanos() / 1_000_000, i))
        .collect();
    assert_eq!(incarnations, vec![(0, 0), (150, 1), (250, 2)]);
}

#[test]
fn redundant_crashes_and_restarts_change_nothing() {
    // Crashing a down node or restarting an up one is recorded and skipped: no new
    // incarnation, no second start.
    let mut sim = Sim::new(Probe::new(), 1, 1);
    sim.faults([
        fault(at_ms(10), Fault::Restart { node: N0 }),
        fault(at_ms(20), Fault::Crash { node: N0 }),
        fault(at_ms(30), Fault::Crash { node: N0 }),
        fault(at_ms(40), Fault::Restart { node: N0 }),
        fault(at_ms(50), Fault::Restart { node: N0 }),
    ])
    .unwrap();
    sim.run();
    assert_eq!(sim.incarnation(N0).0, 1);
    assert_eq!(starts(&sim, N0).len(), 2);
    let changes: Vec<Status> = sim.timeline(N0).changes().iter().map(|c| c.1).collect();
    assert_eq!(changes, vec![Status::Up, Status::Down, Status::Up]);
}

#[test]
fn a_crash_while_paused_discards_the_backlog() {
    // A message that waited in the paused node's backlog belongs to the incarnation
    // that crashed: it must not surface after the restart.
    let mut sim = Sim::new(sends_at(N1, N0, &[(1, ms(20))]), 2, 1);
    sim.faults([
        fault(at_ms(10), Fault::Pause { node: N0 }),
        fault(at_ms(50), Fault::Crash { node: N0 }),
        fault(at_ms(60), Fault::Restart { node: N0 }),
        fault(at_ms(70), Fault::Resume { node: N0 }),
    ])
    .unwrap();
    sim.run();
    assert!(got(&sim, N0).is_empty(), "{:?}", got(&sim, N0));
    assert_eq!(sim.status(N0), Status::Up);
}

#[test]
fn a_dormant_node_starts_only_when_restarted() {
    let mut sim = Sim::new(sends_at(N1, N0, &[(1, ms(10)), (2, ms(200))]), 2, 1);
    sim.dormant(N0)
        .unwrap()
        .faults([fault(at_ms(100), Fault::Restart { node: N0 })])
        .unwrap();
    sim.run();
    assert_eq!(starts(&sim, N0).len(), 1);
    assert_eq!(starts(&sim, N0)[0].0, at_ms(100));
    assert_eq!(got(&sim, N0), vec![(at_ms(201), N1, 2)]);
}
