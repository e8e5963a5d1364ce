//! Local clocks: timers are set in local time, so offset, drift, jumps and drift
//! changes move the global instant at which they fire, by exactly the amount the clock
//! arithmetic says (integer nanoseconds, so the expected instants below are exact).

use crate::probe::{at_ms, at_secs, fault, fired, ms, Probe, Tag};
use hasim_sim::{Clock, Fault, NodeId, ScheduledFault, SignedDuration, Sim, SimTime};

const N0: NodeId = NodeId(0);
const N1: NodeId = NodeId(1);

/// Both nodes arm one 10 s local timer at start; n0 gets `clock` and `faults`, n1 is
/// the unskewed control. Returns (global, local) of each node's firing.
fn ten_second_timer(clock: Clock, faults: Vec<ScheduledFault>) -> [(SimTime, SimTime); 2] {
    let probe = Probe::new().on_start(|ctx, _| {
        ctx.set_timer(ms(10_000), Tag(1));
    });
    let mut sim = Sim::new(probe, 2, 1);
    sim.clock(N0, clock).unwrap().faults(faults).unwrap();
    sim.run();
    let once = |node| {
        let f = fired(&sim, node);
        assert_eq!(f.len(), 1, "{node} fired {f:?}");
        (f[0].0, f[0].2)
    };
    [once(N0), once(N1)]
}

fn nanos(n: u64) -> SimTime {
    SimTime::from_nanos(n)
}

/// The unskewed node's firing: 10 s global, 10 s local.
const CONTROL: (SimTime, SimTime) = (TEN_SECONDS, TEN_SECONDS);
const TEN_SECONDS: SimTime = SimTime::from_nanos(10_000_000_000);

#[test]
fn a_fast_clock_fires_early() {
    // +100 ppm: 10 s local pass in 10 s / 1.0001 = 9.99900009999 s global, so the
    // first whole nanosecond at which the clock reads 10 s is 9_999_000_100.
    let [fast, control] = ten_second_timer(Clock::new(0, 100_000), vec![]);
    assert_eq!(fast, (nanos(9_999_000_100), at_secs(10)));
    assert_eq!(control, CONTROL);
}

#[test]
fn a_slow_clock_fires_late() {
    // -100 ppm: 10 s / 0.9999 = 10.00100010001 s global; at 10_001_000_100 ns the
    // clock reads 9.99999999999 s, one nanosecond later it has passed 10 s. The local
    // reading at the firing is the deadline itself, whole nanoseconds rounded down.
    let [slow, control] = ten_second_timer(Clock::new(0, -100_000), vec![]);
    assert_eq!(slow, (nanos(10_001_000_101), at_secs(10)));
    assert_eq!(control, CONTROL);
}

#[test]
fn an_offset_shifts_readings_but_not_durations() {
    let [ahead, control] = ten_second_timer(Clock::new(5_000_000_000, 0), vec![]);
    assert_eq!(ahead, (at_secs(10), at_secs(15)));
    assert_eq!(control, CONTROL);
}

#[test]
fn a_jump_forward_fires_pending_timers_early() {
    // At 2 s the clock steps from 2 s to 5 s; the 10 s deadline is 5 s of local time
    // away, so it fires at 7 s global.
    let jump = |by_secs: i64| {
        ten_second_timer(
            Clock::default(),
            vec![fault(
                at_secs(2),
                Fault::ClockJump {
                    node: N0,
                    by: SignedDuration(by_secs * 1_000_000_000),
                },
            )],
        )
    };
    let [early, control] = jump(3);
    assert_eq!(early, (at_secs(7), at_secs(10)));
    assert_eq!(control, CONTROL);
    // A jump past the deadline fires it at the jump.
    let [at_once, _] = jump(20);
    assert_eq!(at_once, (at_secs(2), at_secs(22)));
}

#[test]
fn a_jump_backward_fires_pending_timers_late() {
    let [late, control] = ten_second_timer(
        Clock::default(),
        vec![fault(
            at_secs(2),
            Fault::ClockJump {
                node: N0,
                by: SignedDuration(-3_000_000_000),
            },
        )],
    );
    assert_eq!(late, (at_secs(13), at_secs(10)));
    assert_eq!(control, CONTROL);
}

#[test]
fn a_drift_change_applies_from_its_instant_on() {
    // 5 s pass at the true rate; the remaining 5 s local run at +100 ppm and take
    // 5 s / 1.0001 = 4.99950004999 s, i.e. 4_999_500_050 whole nanoseconds.
    let [drifted, control] = ten_second_timer(
        Clock::default(),
        vec![fault(
            at_secs(5),
            Fault::ClockDrift {
                node: N0,
                ppm: 100.0,
            },
        )],
    );
    assert_eq!(drifted, (nanos(5_000_000_000 + 4_999_500_050), at_secs(10)));
    assert_eq!(control, CONTROL);
}

#[test]
fn local_now_carries_offset_and_drift() {
    // Handlers read the local clock: 1 s offset and +1000 ppm at 4 s global read
    // 1 s + 4 s + 4 ms.
    let probe = Probe::new().on_start(|ctx, _| {
        ctx.set_timer(ms(100), Tag(1));
    });
    let mut sim = Sim::new(probe, 1, 1);
    sim.clock(N0, Clock::new(1_000_000_000, 1_000_000)).unwrap();
    sim.run_until(at_secs(4));
    assert_eq!(sim.node_clock(N0).local(at_secs(4)), at_ms(5_004));
    sim.run();
    let f = fired(&sim, N0);
    assert_eq!(f[0].2, at_ms(1_100));
}

#[test]
fn a_clock_stepped_while_paused_moves_the_backlogged_timer() {
    // The 10 s timer comes due while n0 is paused (backlogged); stepping the clock
    // back 1 s while still paused makes it due at 11 s instead, so it fires then, once
    // — not at the resume (10.5 s) and not twice.
    let [moved, control] = ten_second_timer(
        Clock::default(),
        vec![
            fault(at_secs(9), Fault::Pause { node: N0 }),
            fault(
                at_ms(10_200),
                Fault::ClockJump {
                    node: N0,
                    by: SignedDuration(-1_000_000_000),
                },
            ),
            fault(at_ms(10_500), Fault::Resume { node: N0 }),
        ],
    );
    assert_eq!(moved, (at_secs(11), at_secs(10)));
    assert_eq!(control, CONTROL);
}
