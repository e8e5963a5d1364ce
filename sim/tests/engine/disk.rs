//! Durable storage: synced writes survive any crash; unsynced writes survive a process
//! crash but not one under the lose-unsynced disk fault; a slow disk blocks the node.

use crate::probe::{
    at_ms, fault, got, ms, record_trace, starts, trace_lines, Entry, Obs, Ping, Probe, Tag,
};
use hasim_sim::{Ctx, Fault, NodeId, ScheduledFault, Sim, SimDuration, SimTime};

const N0: NodeId = NodeId(0);

/// Writes what `write` does in the first incarnation, crashes at 10ms, restarts at
/// 20ms, and returns the log the second incarnation was started from.
fn log_after_crash(write: fn(&mut dyn Ctx<Probe>), faults: &[ScheduledFault]) -> Vec<u64> {
    let probe = Probe::new().on_start(move |ctx, _| {
        if ctx.incarnation().0 == 0 {
            write(ctx);
        }
    });
    let mut sim = Sim::new(probe, 1, 1);
    sim.faults(faults.iter().cloned())
        .unwrap()
        .faults([
            fault(at_ms(10), Fault::Crash { node: N0 }),
            fault(at_ms(20), Fault::Restart { node: N0 }),
        ])
        .unwrap();
    sim.run();
    let starts = starts(&sim, N0);
    assert_eq!(starts.len(), 2);
    starts[1].2.clone()
}

fn lose_unsynced() -> Vec<ScheduledFault> {
    vec![fault(
        at_ms(5),
        Fault::DiskFault {
            node: N0,
            lose_unsynced: true,
            write_delay: SimDuration::ZERO,
        },
    )]
}

fn synced_then_unsynced(ctx: &mut dyn Ctx<Probe>) {
    ctx.persist_synced(Entry(1));
    ctx.persist(Entry(2));
}

#[test]
fn without_a_disk_fault_every_write_survives_a_crash() {
    assert_eq!(log_after_crash(synced_then_unsynced, &[]), vec![1, 2]);
}

#[test]
fn under_the_disk_fault_only_synced_writes_survive() {
    assert_eq!(
        log_after_crash(synced_then_unsynced, &lose_unsynced()),
        vec![1]
    );
}

#[test]
fn a_synced_write_syncs_the_unsynced_ones_before_it() {
    let unsynced_then_synced = |ctx: &mut dyn Ctx<Probe>| {
        ctx.persist(Entry(1));
        ctx.persist_synced(Entry(2));
        ctx.persist(Entry(3));
    };
    assert_eq!(
        log_after_crash(unsynced_then_synced, &lose_unsynced()),
        vec![1, 2]
    );
    let with_sync = |ctx: &mut dyn Ctx<Probe>| {
        ctx.persist(Entry(1));
        ctx.sync();
        ctx.persist(Entry(2));
    };
    assert_eq!(log_after_crash(with_sync, &lose_unsynced()), vec![1]);
}

#[test]
fn a_healed_disk_keeps_unsynced_writes_again() {
    let mut faults = lose_unsynced();
    faults.push(fault(at_ms(8), Fault::DiskHeal { node: N0 }));
    assert_eq!(log_after_crash(synced_then_unsynced, &faults), vec![1, 2]);
}

#[test]
fn the_durable_image_holds_only_synced_writes() {
    let probe = Probe::new()
        .on_start(|ctx, _| {
            ctx.persist(Entry(7));
            ctx.set_timer(ms(10), Tag(1));
        })
        .on_timer(|ctx, _| ctx.sync());
    let mut sim = Sim::new(probe, 1, 1);
    sim.run_until(at_ms(5));
    assert_eq!(sim.durable(N0).0, Vec::<u64>::new());
    assert_eq!(sim.unsynced_writes(N0), 1);
    sim.run();
    assert_eq!(sim.durable(N0).0, vec![7]);
    assert_eq!(sim.unsynced_writes(N0), 0);
}

#[test]
fn a_slow_disk_blocks_the_node_for_the_write_delay() {
    // n0 syncs at 10ms under a 50ms write delay: the message landing at 11ms and the
    // timer due at 30ms both wait until 60ms, in the order they came due.
    let slow = |delay: u64| {
        let probe = Probe::new()
            .on_start(|ctx, _| {
                if ctx.id() == N0 {
                    ctx.set_timer(ms(10), Tag(10));
                    ctx.set_timer(ms(30), Tag(30));
                } else {
                    ctx.set_timer(ms(10), Tag(1));
                }
            })
            .on_timer(|ctx, tag| {
                if ctx.id() == N0 && tag == Tag(10) {
                    ctx.persist_synced(Entry(1));
                }
                if ctx.id() == NodeId(1) {
                    ctx.send(N0, Ping(1));
                }
            });
        let mut sim = Sim::new(probe, 2, 1);
        sim.faults([fault(
            at_ms(1),
            Fault::DiskFault {
                node: N0,
                lose_unsynced: false,
                write_delay: ms(delay),
            },
        )])
        .unwrap();
        sim.run();
        // What n0 handled, in order: (ms, "timer 10" / "ping 1").
        sim.observations()
            .iter()
            .filter(|o| o.node == N0)
            .filter_map(|o| match o.observation {
                Obs::Fired { tag, .. } => Some((o.time, format!("timer {tag}"))),
                Obs::Got { n, .. } => Some((o.time, format!("ping {n}"))),
                Obs::Started { .. } => None,
            })
            .collect::<Vec<_>>()
    };
    let handled = |list: &[(u64, &str)]| -> Vec<(SimTime, String)> {
        list.iter()
            .map(|&(t, what)| (at_ms(t), what.to_string()))
            .collect()
    };
    assert_eq!(
        slow(0),
        handled(&[(10, "timer 10"), (11, "ping 1"), (30, "timer 30")])
    );
    assert_eq!(
        slow(50),
        handled(&[(10, "timer 10"), (60, "ping 1"), (60, "timer 30")])
    );
}

#[test]
fn a_delivery_waiting_for_a_slow_disk_is_stale_after_a_restart() {
    // n0 syncs at 10ms under a 50ms write delay, so ping 1 (landing at 11ms) waits for
    // 60ms. n0 crashes at 20ms and is back at 30ms: when the wait ends, ping 1 was sent
    // to the old incarnation and must be dropped as stale, not handed to the new one.
    // Ping 2, sent after the restart, reaches the new incarnation at once.
    let probe = Probe::new()
        .on_start(|ctx, _| {
            if ctx.id() == N0 && ctx.incarnation().0 == 0 {
                ctx.set_timer(ms(10), Tag(10));
            } else if ctx.id() == NodeId(1) {
                ctx.set_timer(ms(10), Tag(1));
                ctx.set_timer(ms(40), Tag(2));
            }
        })
        .on_timer(|ctx, tag| {
            if ctx.id() == N0 {
                ctx.persist_synced(Entry(1));
            } else {
                ctx.send(N0, Ping(u64::from(tag.0)));
            }
        });
    let mut sim = Sim::new(probe, 2, 1);
    sim.faults([
        fault(
            at_ms(1),
            Fault::DiskFault {
                node: N0,
                lose_unsynced: false,
                write_delay: ms(50),
            },
        ),
        fault(at_ms(20), Fault::Crash { node: N0 }),
        fault(at_ms(30), Fault::Restart { node: N0 }),
    ])
    .unwrap();
    let sink = record_trace(&mut sim);
    sim.run();
    assert_eq!(got(&sim, N0), vec![(at_ms(41), NodeId(1), 2)]);
    let drops: Vec<String> = trace_lines(&sink)
        .into_iter()
        .filter(|l| l.contains(" drop "))
        .collect();
    assert_eq!(
        drops.iter().map(|l| l.trim()).collect::<Vec<_>>(),
        ["60ms #10        n0 drop      from=n1 reason=stale_incarnation ping n=1"]
    );
}
