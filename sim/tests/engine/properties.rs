//! Properties: each kind (always, eventually-within, sometimes) is violated by a
//! protocol that breaks it and holds for one that does not, and a violation names the
//! property, the seed and the time, and ends the trace.

use crate::probe::{at_ms, fault, ms, record_trace, trace_lines, Ping, Probe, Tag};
use hasim_sim::{
    always, eventually, sometimes, Fault, NodeId, Outcome, ScheduledFault, Sim, Violation,
};

const N0: NodeId = NodeId(0);
const SEED: u64 = 42;

/// n0 pings itself `limit` times, 1ms apart (its view, the handled count, reaches
/// `limit` at `limit` ms); `u64::MAX` means forever.
fn counter(limit: u64) -> Probe {
    Probe::new()
        .on_start(|ctx, _| ctx.send(ctx.id(), Ping(1)))
        .on_message(move |ctx, _, n| {
            if n < limit {
                ctx.send(ctx.id(), Ping(n + 1));
            }
        })
}

/// n0 fires a timer every 100ms, `limit` times: its handled count reaches k at k*100ms.
fn slow_counter(limit: u32) -> Probe {
    Probe::new()
        .on_start(|ctx, _| {
            ctx.set_timer(ms(100), Tag(1));
        })
        .on_timer(move |ctx, tag| {
            if tag.0 < limit {
                ctx.set_timer(ms(100), Tag(tag.0 + 1));
            }
        })
}

fn handled_at_least(w: &hasim_sim::World<'_, Probe>, k: u64) -> Result<(), String> {
    match w.views[0] {
        Some(h) if h >= k => Ok(()),
        other => Err(format!("n0 handled {other:?}")),
    }
}

fn violation(outcome: Outcome) -> Violation {
    match outcome {
        Outcome::Violated(v) => v,
        other => panic!("expected a violation, got {other:?}"),
    }
}

fn sim(probe: Probe, faults: Vec<ScheduledFault>) -> Sim<Probe> {
    let mut sim = Sim::new(probe, 1, SEED);
    sim.faults(faults).unwrap();
    sim
}

#[test]
fn always_is_violated_at_the_first_event_that_breaks_it() {
    let mut run = sim(counter(u64::MAX), vec![]);
    run.property(always("fewer than five", |w| match w.views[0] {
        Some(h) if h >= 5 => Err(format!("handled {h}")),
        _ => Ok(()),
    }));
    let sink = record_trace(&mut run);
    let v = violation(run.run());
    assert_eq!(v.property, "fewer than five");
    assert_eq!(v.seed, SEED);
    assert_eq!(v.time, at_ms(5));
    assert_eq!(v.message, "handled 5");
    // The run stopped there, and said so last in its trace.
    assert_eq!(run.now(), at_ms(5));
    let last = trace_lines(&sink).pop().unwrap();
    assert!(
        last.contains("violation") && last.contains("fewer than five"),
        "{last}"
    );
    let shown = v.to_string();
    assert!(
        shown.contains("'fewer than five'")
            && shown.contains("seed 42")
            && shown.contains("at 5ms"),
        "{shown}"
    );
}

#[test]
fn always_holds_for_a_protocol_that_keeps_it() {
    let mut run = sim(counter(4), vec![]);
    run.property(always("fewer than five", |w| match w.views[0] {
        Some(h) if h >= 5 => Err(format!("handled {h}")),
        _ => Ok(()),
    }));
    assert_eq!(run.run(), Outcome::Completed);
}

#[test]
fn eventually_holds_when_reached_within_the_bound_after_the_last_fault() {
    // Last fault at 10ms; three handled by 300ms, within 500ms of it.
    let mut run = sim(slow_counter(5), vec![fault(at_ms(10), Fault::Heal)]);
    run.property(eventually("three handled", ms(500), |w| {
        handled_at_least(w, 3)
    }));
    assert_eq!(run.run(), Outcome::Completed);
}

#[test]
fn eventually_is_violated_at_the_first_event_past_the_bound() {
    // Bound 100ms after the last fault at 10ms: by the 200ms event it is overdue.
    let mut run = sim(slow_counter(5), vec![fault(at_ms(10), Fault::Heal)]);
    run.property(eventually("three handled", ms(100), |w| {
        handled_at_least(w, 3)
    }));
    let v = violation(run.run());
    assert_eq!(
        (v.property.as_str(), v.seed, v.time),
        ("three handled", SEED, at_ms(200))
    );
    assert!(
        v.message.contains("within 100ms of the last fault at 10ms"),
        "{}",
        v.message
    );
}

#[test]
fn eventually_is_violated_when_the_run_ends_without_it() {
    let mut run = sim(counter(2), vec![]);
    run.property(eventually("three handled", ms(100), |w| {
        handled_at_least(w, 3)
    }));
    let v = violation(run.run());
    assert_eq!((v.property.as_str(), v.time), ("three handled", at_ms(2)));
}

#[test]
fn eventually_is_judged_only_after_the_faults_end() {
    // n0 is up from the start, but crashes at 50ms: being up before the last fault
    // does not count. Restarting it (a later last fault) satisfies the property.
    let up = |w: &hasim_sim::World<'_, Probe>| {
        w.views[0].map(|_| ()).ok_or_else(|| "n0 down".to_string())
    };
    let crash = fault(at_ms(50), Fault::Crash { node: N0 });
    let mut stays_down = sim(slow_counter(3), vec![crash.clone()]);
    stays_down.property(eventually("n0 up", ms(100), up));
    let v = violation(stays_down.run());
    assert_eq!(v.property, "n0 up");

    let mut comes_back = sim(
        slow_counter(3),
        vec![crash, fault(at_ms(80), Fault::Restart { node: N0 })],
    );
    comes_back.property(eventually("n0 up", ms(100), up));
    assert_eq!(comes_back.run(), Outcome::Completed);
}

#[test]
fn sometimes_holds_if_it_held_once_and_is_violated_if_never() {
    let mut reached = sim(counter(3), vec![]);
    reached.property(sometimes("three handled", |w| handled_at_least(w, 3)));
    assert_eq!(reached.run(), Outcome::Completed);

    let mut short = sim(counter(2), vec![]);
    short.property(sometimes("three handled", |w| handled_at_least(w, 3)));
    let v = violation(short.run());
    assert_eq!(
        (v.property.as_str(), v.seed, v.time),
        ("three handled", SEED, at_ms(2))
    );
    assert!(v.message.contains("never held"), "{}", v.message);
}

#[test]
fn sometimes_counts_a_state_that_passed() {
    // Coverage: n0 was down for a while, even though it is up at the end.
    let down = |w: &hasim_sim::World<'_, Probe>| match w.views[0] {
        None => Ok(()),
        Some(_) => Err("n0 up".to_string()),
    };
    let mut crashed = sim(
        slow_counter(3),
        vec![
            fault(at_ms(150), Fault::Crash { node: N0 }),
            fault(at_ms(160), Fault::Restart { node: N0 }),
        ],
    );
    crashed.property(sometimes("n0 was down", down));
    assert_eq!(crashed.run(), Outcome::Completed);

    let mut never = sim(slow_counter(3), vec![]);
    never.property(sometimes("n0 was down", down));
    assert_eq!(violation(never.run()).property, "n0 was down");
}

#[test]
fn the_first_violated_property_is_reported() {
    let mut run = sim(counter(u64::MAX), vec![]);
    run.event_budget(1000);
    run.property(always("fewer than ten", |w| match w.views[0] {
        Some(h) if h >= 10 => Err("ten".into()),
        _ => Ok(()),
    }));
    run.property(always("fewer than seven", |w| match w.views[0] {
        Some(h) if h >= 7 => Err("seven".into()),
        _ => Ok(()),
    }));
    let v = violation(run.run());
    assert_eq!(
        (v.property.as_str(), v.time),
        ("fewer than seven", at_ms(7))
    );
}

#[test]
fn a_violation_carries_the_last_trace_records_when_asked() {
    let fewer_than_five = || {
        always(
            "fewer than five",
            |w: &hasim_sim::World<'_, Probe>| match w.views[0] {
                Some(h) if h >= 5 => Err(format!("handled {h}")),
                _ => Ok(()),
            },
        )
    };
    let mut run = sim(counter(u64::MAX), vec![]);
    run.property(fewer_than_five()).trace_tail(3);
    let sink = record_trace(&mut run);
    let v = violation(run.run());
    // The three records before the violation's own: the fatal delivery, its
    // observation, and the send it made.
    let records = sink.borrow().0.clone();
    assert_eq!(v.tail, records[records.len() - 4..records.len() - 1]);
    assert!(v.tail.iter().all(|r| r.time == at_ms(5)));

    // Keeping a tail changes nothing in the run itself.
    let mut plain = sim(counter(u64::MAX), vec![]);
    plain.property(fewer_than_five());
    let plain_v = violation(plain.run());
    assert!(plain_v.tail.is_empty());
    assert_eq!(plain.trace_hash(), run.trace_hash());
}
