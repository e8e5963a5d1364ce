//! Tests of the linearizability checker: hand-made histories with known answers, and
//! reference atomic-register histories (always linearizable) with and without mutations
//! that make them not linearizable.

use super::search::{self, Effect, Outcome};
use super::*;
use hasim_sim::{NodeId, Seed, SimDuration, SimTime};

fn ms(t: u64) -> SimTime {
    SimTime::from_nanos(t * 1_000_000)
}

fn op(
    client: u32,
    key: Key,
    kind: OpKind,
    span: (u64, Option<u64>),
    result: OpResult,
) -> Operation {
    Operation {
        client: NodeId(client),
        op: span.0,
        key,
        kind,
        invoke: ms(span.0),
        complete: span.1.map(ms),
        result,
    }
}

/// An acknowledged write of `v` to key 0 by `client` over `[a, b]` ms.
fn w(client: u32, v: Value, a: u64, b: u64) -> Operation {
    op(
        client,
        0,
        OpKind::Write(v),
        (a, Some(b)),
        OpResult::Ok(None),
    )
}

/// A write of `v` to key 0 that timed out (unknown).
fn w_unknown(client: u32, v: Value, a: u64) -> Operation {
    op(client, 0, OpKind::Write(v), (a, None), OpResult::Unknown)
}

/// A write of `v` to key 0 that failed.
fn w_failed(client: u32, v: Value, a: u64, b: u64) -> Operation {
    op(client, 0, OpKind::Write(v), (a, Some(b)), OpResult::Fail)
}

/// A read of key 0 over `[a, b]` ms that returned `v`.
fn r(client: u32, v: Value, a: u64, b: u64) -> Operation {
    op(client, 0, OpKind::Read, (a, Some(b)), OpResult::Ok(Some(v)))
}

fn history(mut ops: Vec<Operation>) -> History {
    ops.sort_by_key(|o| (o.invoke, o.client, o.op));
    History { ops }
}

fn check(ops: Vec<Operation>) -> Result<Checked, LinearizabilityError> {
    check_history(&history(ops), &SearchLimits::default())
}

/// The counterexample of a violated check (panics with the verdict otherwise).
fn counterexample(ops: Vec<Operation>) -> Counterexample {
    match check(ops) {
        Err(LinearizabilityError::Violated(c)) => *c,
        other => panic!("expected a violation, got {other:?}"),
    }
}

#[test]
fn sequential_reads_of_the_latest_write_are_linearizable() {
    let c = check(vec![
        w(0, 1, 0, 10),
        r(1, 1, 20, 30),
        w(0, 2, 40, 50),
        r(1, 2, 60, 70),
    ]);
    assert_eq!(c.map(|c| (c.keys, c.operations)), Ok((1, 4)));
    assert_eq!(check(Vec::new()), Ok(Checked::default()));
}

#[test]
fn a_stale_read_after_a_completed_write_is_not() {
    let c = counterexample(vec![w(0, 1, 0, 10), r(1, 0, 20, 30)]);
    assert_eq!(c.reason, Reason::NoOrder);
    assert_eq!(c.stuck, r(1, 0, 20, 30));
    assert_eq!((c.placed, c.operations, c.value), (1, 2, 1));
    assert_eq!(c.recent, vec![w(0, 1, 0, 10)]);
}

#[test]
fn a_read_of_a_value_never_written_is_not() {
    let c = counterexample(vec![w(0, 1, 0, 10), r(1, 7, 20, 30)]);
    assert_eq!((c.reason, c.stuck), (Reason::NeverWritten, r(1, 7, 20, 30)));
}

#[test]
fn two_reads_that_go_back_in_time_are_not() {
    let c = counterexample(vec![
        w(0, 1, 0, 10),
        w(0, 2, 20, 100),
        r(1, 2, 30, 40),
        r(2, 1, 50, 60),
    ]);
    assert_eq!(c.reason, Reason::NoOrder);
}

#[test]
fn concurrent_writes_may_be_read_in_either_order() {
    for (first, second) in [(1, 2), (2, 1)] {
        let c = check(vec![
            w(0, 1, 0, 100),
            w(1, 2, 1, 100),
            r(2, first, 10, 20),
            r(2, second, 30, 40),
        ]);
        assert!(c.is_ok(), "{first} then {second}: {c:?}");
    }
    // ...but once both are read in one order, not back again.
    let c = check(vec![
        w(0, 1, 0, 100),
        w(1, 2, 1, 100),
        r(2, 1, 10, 20),
        r(2, 2, 30, 40),
        r(2, 1, 50, 60),
    ]);
    assert!(matches!(c, Err(LinearizabilityError::Violated(_))), "{c:?}");
}

#[test]
fn the_search_backtracks_out_of_a_wrong_first_order() {
    // The search first places both writes in call order (1 then 2), which leaves 2 for
    // the read of 1; it must undo the second write and place the read between them.
    let c = check(vec![
        w(0, 1, 0, 100),
        w(1, 2, 1, 100),
        r(2, 1, 50, 60),
        r(2, 2, 70, 80),
    ]);
    let c = c.expect("linearizable: 1, read 1, 2, read 2");
    assert!(c.steps > 4, "took the direct path: {c:?}");
}

#[test]
fn an_unknown_write_may_take_effect_late_or_never() {
    // Appears long after the client gave up.
    assert!(check(vec![
        w_unknown(0, 1, 0),
        r(1, 0, 100, 110),
        r(1, 1, 200, 210)
    ])
    .is_ok());
    // Never appears: removed before the search.
    let c = check(vec![
        w_unknown(0, 1, 0),
        r(1, 0, 100, 110),
        r(1, 0, 200, 210),
    ]);
    assert_eq!(c.map(|c| c.operations), Ok(2));
    // An unknown read constrains nothing.
    let unknown_read = op(1, 0, OpKind::Read, (20, None), OpResult::Unknown);
    assert_eq!(
        check(vec![w(0, 1, 0, 10), unknown_read]).map(|c| c.operations),
        Ok(1)
    );
}

#[test]
fn an_unknown_write_observed_then_unobserved_is_not() {
    let c = counterexample(vec![
        w_unknown(0, 1, 0),
        r(1, 1, 100, 110),
        r(1, 0, 200, 210),
    ]);
    assert_eq!((c.reason, c.stuck), (Reason::NoOrder, r(1, 0, 200, 210)));
}

#[test]
fn failed_writes_are_removed_and_must_not_be_observed() {
    assert!(check(vec![w_failed(0, 1, 0, 10), r(1, 0, 20, 30)]).is_ok());
    let c = counterexample(vec![w_failed(0, 1, 0, 10), r(1, 1, 20, 30)]);
    assert_eq!(c.reason, Reason::FailedWriteObserved(w_failed(0, 1, 0, 10)));
}

#[test]
fn a_read_cannot_see_a_write_invoked_after_it_returned() {
    let c = counterexample(vec![r(1, 1, 0, 10), w(0, 1, 20, 30)]);
    assert_eq!(c.reason, Reason::WriteInvokedAfterRead(w(0, 1, 20, 30)));
}

#[test]
fn operations_touching_at_an_instant_count_as_concurrent() {
    assert!(check(vec![w(0, 1, 0, 10), r(1, 0, 10, 20)]).is_ok());
    assert!(check(vec![w(0, 1, 0, 10), r(1, 0, 11, 20)]).is_err());
}

#[test]
fn keys_are_checked_independently_and_a_violation_beats_an_inconclusive_key() {
    let mut on_key_5 = r(1, 0, 20, 30);
    on_key_5.key = 5;
    let mut write_5 = w(0, 1, 0, 10);
    write_5.key = 5;
    // Key 0 reads 0 after key 5's write: fine, different keys.
    let ok = check(vec![write_5, r(1, 0, 20, 30)]);
    assert_eq!(ok.map(|c| c.keys), Ok(2));
    let c = counterexample(vec![w(0, 2, 0, 10), r(1, 2, 20, 30), write_5, on_key_5]);
    assert_eq!(c.key, 5);
    // With a step limit that key 0 (4 operations) exceeds, key 0 is inconclusive,
    // yet the violation on key 5 (found in 4 steps) is what the check reports.
    let mut busy = vec![
        w(0, 2, 0, 100),
        w(2, 3, 0, 100),
        r(1, 3, 20, 30),
        r(1, 2, 40, 50),
    ];
    busy.extend([write_5, on_key_5]);
    let limits = SearchLimits {
        max_steps: 4,
        ..SearchLimits::default()
    };
    match check_history(&history(busy.clone()), &limits) {
        Err(LinearizabilityError::Violated(c)) => assert_eq!(c.key, 5),
        other => panic!("expected key 5 violated, got {other:?}"),
    }
    busy.truncate(4);
    match check_history(&history(busy), &limits) {
        Err(LinearizabilityError::Inconclusive(i)) => {
            assert_eq!((i.key, i.operations, i.steps), (0, 4, 5));
        }
        other => panic!("expected inconclusive, got {other:?}"),
    }
}

#[test]
fn ambiguous_write_values_are_an_error_not_a_verdict() {
    let e = check(vec![w(0, 1, 0, 10), w(1, 1, 20, 30)]);
    assert_eq!(
        e,
        Err(LinearizabilityError::AmbiguousWrite { key: 0, value: 1 })
    );
    let e = check(vec![w(0, 0, 0, 10)]);
    assert_eq!(
        e,
        Err(LinearizabilityError::AmbiguousWrite { key: 0, value: 0 })
    );
}

/// Fourteen concurrent writes, all done before a read of 1 and then a read of 2: no
/// order fits, and refuting all 14! orders takes the memoised search one visit per
/// (placed set, value), about 14 * 2^13, within its limits; or inconclusive when given
/// fewer states.
#[test]
fn memoisation_bounds_a_wide_search_and_limits_stop_it() {
    let mut ops: Vec<Operation> = (1..=14).map(|v| w(v as u32, v, 0, 1000)).collect();
    ops.extend([r(0, 1, 1001, 1002), r(0, 2, 1003, 1004)]);
    let c = counterexample(ops.clone());
    assert_eq!((c.reason, c.stuck), (Reason::NoOrder, r(0, 2, 1003, 1004)));
    assert_eq!((c.placed, c.value), (15, 1));
    let limits = SearchLimits {
        max_states: 1000,
        ..SearchLimits::default()
    };
    match check_history(&history(ops), &limits) {
        Err(LinearizabilityError::Inconclusive(i)) => assert_eq!(i.states, 1001),
        other => panic!("expected inconclusive, got {other:?}"),
    }
}

#[test]
fn a_counterexample_reads_as_a_short_story() {
    let c = counterexample(vec![
        w(0, 1, 0, 10),
        w(1, 2, 20, 100),
        r(2, 2, 30, 40),
        w_unknown(3, 3, 45),
        r(2, 3, 50, 55),
        r(4, 1, 50, 60),
        w(5, 4, 52, 200),
    ]);
    insta::assert_snapshot!(c.to_string());
    let never = counterexample(vec![w(0, 1, 0, 10), r(1, 7, 20, 30)]);
    let failed = counterexample(vec![w_failed(0, 1, 0, 10), r(1, 1, 20, 30)]);
    let later = counterexample(vec![r(1, 1, 0, 10), w(0, 1, 20, 30)]);
    insta::assert_snapshot!("matching", format!("{never}\n{failed}\n{later}"));
}

/// Reference histories of various shapes, one per seed.
fn reference(seed: u64) -> History {
    let mut shape = Seed(seed).stream("shape");
    let params = ReferenceParams {
        clients: shape.between(1, 8) as u32,
        keys: shape.between(1, 3) as u32,
        operations: shape.between(50, 300) as u32,
        read_fraction: 0.6,
        latency_max: SimDuration::from_millis(shape.between(1, 20)),
        think_max: SimDuration::from_millis(shape.between(0, 5)),
        unknown_fraction: 0.05 * shape.between(0, 2) as f64,
        fail_fraction: 0.05,
    };
    atomic_register_history(Seed(seed), &params)
}

const SEEDS: u64 = 300;

#[test]
fn every_atomic_register_history_is_linearizable() {
    let mut placed = 0;
    for seed in 0..SEEDS {
        let h = reference(seed);
        match check_history(&h, &SearchLimits::default()) {
            Ok(c) => placed += c.operations,
            Err(e) => panic!("seed {seed}: {e}"),
        }
    }
    assert!(
        placed > 30_000,
        "histories too small to mean much: {placed}"
    );
}

/// The keys' ok reads with a value (indices into the history).
fn ok_reads(h: &History) -> Vec<usize> {
    (0..h.ops.len())
        .filter(|&i| {
            h.ops[i].kind == OpKind::Read && matches!(h.ops[i].result, OpResult::Ok(Some(_)))
        })
        .collect()
}

#[test]
fn a_read_of_a_value_never_written_is_caught_by_matching_and_by_the_search() {
    for seed in 0..SEEDS {
        let mut h = reference(seed);
        let reads = ok_reads(&h);
        let Some(&i) =
            reads.get(Seed(seed).stream("mutate").below(reads.len().max(1) as u64) as usize)
        else {
            continue;
        };
        let key = h.ops[i].key;
        let ops: Vec<Operation> = h.key(key).copied().collect();
        // The search alone, without the matching that catches it first.
        let mut search_ops = prepare(key, &ops).expect("reference values are unique");
        let target = search_ops
            .iter()
            .position(|s| ops[s.origin] == h.ops[i])
            .expect("an ok read is searched");
        search_ops[target].effect = Effect::Read(u64::MAX);
        let outcome = search::search(&search_ops, &SearchLimits::default());
        let Outcome::Stuck(stuck) = outcome else {
            panic!("seed {seed}: {outcome:?}");
        };
        // The deepest attempt is a valid sequence of the register's steps.
        let mut value = 0;
        for &p in &stuck.placed {
            match search_ops[p].effect {
                Effect::Read(v) => assert_eq!(v, value, "seed {seed}: placed a wrong read"),
                Effect::Write(v) => value = v,
            }
        }
        assert_eq!(value, stuck.value, "seed {seed}");
        assert!(!stuck.placed.contains(&stuck.stuck), "seed {seed}");
        h.ops[i].result = OpResult::Ok(Some(u64::MAX));
        match check_history(&h, &SearchLimits::default()) {
            Err(LinearizabilityError::Violated(c)) => {
                assert_eq!(
                    (c.key, c.reason, c.stuck),
                    (key, Reason::NeverWritten, h.ops[i])
                );
            }
            other => panic!("seed {seed}: expected a violation, got {other:?}"),
        }
    }
}

#[test]
fn a_read_made_stale_by_two_completed_writes_is_caught_by_the_search() {
    let mut mutated = 0;
    for seed in 0..SEEDS {
        let mut h = reference(seed);
        let done_before = |o: &Operation, t: SimTime| {
            o.is_acknowledged_write() && o.complete.is_some_and(|c| c < t)
        };
        // A read R with writes W1 before W2 before R in real time: R reading W1 is
        // stale in every order.
        let stale = ok_reads(&h).into_iter().rev().find_map(|i| {
            let read = h.ops[i];
            let w2 = h
                .key(read.key)
                .filter(|o| done_before(o, read.invoke))
                .max_by_key(|o| o.invoke)?;
            let w1 = h
                .key(read.key)
                .filter(|o| done_before(o, w2.invoke))
                .max_by_key(|o| o.invoke)?;
            let OpKind::Write(v) = w1.kind else {
                return None;
            };
            Some((i, v))
        });
        let Some((i, v)) = stale else { continue };
        h.ops[i].result = OpResult::Ok(Some(v));
        mutated += 1;
        match check_history(&h, &SearchLimits::default()) {
            Err(LinearizabilityError::Violated(c)) => {
                assert_eq!(
                    (c.key, c.reason),
                    (h.ops[i].key, Reason::NoOrder),
                    "seed {seed}"
                );
            }
            other => panic!("seed {seed}: expected a violation, got {other:?}"),
        }
    }
    assert!(
        mutated > SEEDS / 2,
        "only {mutated} histories had a stale triple"
    );
}

#[test]
fn reference_histories_are_deterministic_and_shaped_as_asked() {
    let params = ReferenceParams {
        operations: 500,
        ..ReferenceParams::default()
    };
    let a = atomic_register_history(Seed(7), &params);
    assert_eq!(a, atomic_register_history(Seed(7), &params));
    assert_ne!(a, atomic_register_history(Seed(8), &params));
    assert_eq!(a.ops.len(), 500);
    assert_eq!(a.keys().len(), 8);
    let clients: std::collections::BTreeSet<NodeId> = a.ops.iter().map(|o| o.client).collect();
    assert_eq!(clients.len(), 8);
    let (ok, fail, unknown) = a.counts();
    assert!(ok > 450 && fail > 0 && unknown > 0, "{ok} {fail} {unknown}");
    // At most one operation per client at a time.
    for c in &clients {
        let mine: Vec<&Operation> = a.ops.iter().filter(|o| o.client == *c).collect();
        for pair in mine.windows(2) {
            let end = pair[0].complete.unwrap_or(pair[0].invoke);
            assert!(
                end <= pair[1].invoke,
                "{:?} overlaps {:?}",
                pair[0],
                pair[1]
            );
        }
    }
}
