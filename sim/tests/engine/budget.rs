//! Limits: a run that would go on forever is stopped by the event budget or the
//! horizon, and says which; a run whose queue drains reports completion; a node out
//! of timer slots ends the run with an outcome of its own (it was a panic).

use crate::probe::{at_ms, at_secs, got, ms, Ping, Probe, Tag};
use hasim_sim::{Distribution, NodeId, Outcome, Sim, SimDuration, SimTime, TIMERS_MAX};

const N0: NodeId = NodeId(0);

/// n0 pings itself, and answers every ping with the next one, forever.
fn forever() -> Probe {
    Probe::new()
        .on_start(|ctx, _| ctx.send(ctx.id(), Ping(1)))
        .on_message(|ctx, _, n| ctx.send(ctx.id(), Ping(n + 1)))
}

#[test]
fn the_event_budget_stops_a_runaway_protocol() {
    let mut sim = Sim::new(forever(), 1, 1);
    sim.event_budget(1000).horizon(SimTime::MAX);
    assert_eq!(sim.run(), Outcome::BudgetExhausted);
    // The start plus 999 deliveries, each 1ms after the last.
    assert_eq!(sim.events(), 1000);
    assert_eq!(got(&sim, N0).last(), Some(&(at_ms(999), N0, 999)));
    assert_eq!(sim.now(), at_ms(999));
}

#[test]
fn the_budget_stops_a_livelock_that_never_advances_time() {
    // Zero latency: time stands still, so only the budget can end this.
    let mut sim = Sim::new(forever(), 1, 1);
    sim.uniform_network(Distribution::constant(ms(0)), 0.0)
        .unwrap()
        .event_budget(500);
    assert_eq!(sim.run(), Outcome::BudgetExhausted);
    assert_eq!(sim.now(), SimTime::ZERO);
    assert_eq!(got(&sim, N0).len(), 499);
}

#[test]
fn the_horizon_stops_a_protocol_that_never_ends() {
    let mut sim = Sim::new(forever(), 1, 1);
    sim.horizon(at_ms(500));
    assert_eq!(sim.run(), Outcome::HorizonReached);
    assert_eq!(sim.now(), at_ms(500));
    // Events at the horizon itself still run; nothing after it does.
    let got = got(&sim, N0);
    assert_eq!(got.len(), 500);
    assert_eq!(got.last(), Some(&(at_ms(500), N0, 500)));
    assert!(sim.pending() > 0, "the next ping is still queued");
}

#[test]
fn the_horizon_stops_a_self_rearming_timer() {
    let probe = Probe::new()
        .on_start(|ctx, _| {
            ctx.set_timer(ms(10), Tag(1));
        })
        .on_timer(|ctx, tag| {
            ctx.set_timer(ms(10), tag);
        });
    let mut sim = Sim::new(probe, 1, 1);
    sim.horizon(at_secs(1));
    assert_eq!(sim.run(), Outcome::HorizonReached);
    assert_eq!(crate::probe::fired(&sim, N0).len(), 100);
}

#[test]
fn a_drained_queue_completes_before_the_horizon() {
    let probe = Probe::new()
        .on_start(|ctx, _| ctx.send(ctx.id(), Ping(1)))
        .on_message(|ctx, _, n| {
            if n < 3 {
                ctx.send(ctx.id(), Ping(n + 1));
            }
        });
    let mut sim = Sim::new(probe, 1, 1);
    assert_eq!(sim.run(), Outcome::Completed);
    assert_eq!(sim.events(), 4);
    assert_eq!(sim.pending(), 0);
    assert_eq!(sim.now(), at_ms(3));
}

#[test]
fn an_ended_run_stays_ended() {
    let mut sim = Sim::new(forever(), 1, 1);
    sim.event_budget(100);
    assert_eq!(sim.run(), Outcome::BudgetExhausted);
    let (events, hash) = (sim.events(), sim.trace_hash());
    assert_eq!(sim.run(), Outcome::BudgetExhausted);
    assert_eq!(sim.run_until(SimTime::MAX), Outcome::BudgetExhausted);
    assert_eq!((sim.events(), sim.trace_hash()), (events, hash));
    assert_eq!(sim.outcome(), Some(&Outcome::BudgetExhausted));
}

#[test]
fn a_node_out_of_timer_slots_ends_the_run_with_an_outcome() {
    // n0 pings itself every 1 ms and arms 1000 one-hour timers per ping: a leak.
    let probe = Probe::new()
        .on_start(|ctx, _| ctx.send(ctx.id(), Ping(1)))
        .on_message(|ctx, _, n| {
            for _ in 0..1000 {
                ctx.set_timer(SimDuration::from_secs(3600), Tag(0));
            }
            ctx.send(ctx.id(), Ping(n + 1));
        });
    let mut sim = Sim::new(probe, 1, 1);
    let full = Outcome::TimersExhausted { node: N0 };
    assert_eq!(sim.run(), full);
    assert_eq!(full.name(), "timers_exhausted");
    // 1048 deliveries arm 1,048,000 timers; the 1049th reaches TIMERS_MAX part way
    // through, its handler still runs to the end, and the run stops after it.
    assert_eq!(TIMERS_MAX, 1 << 20);
    assert_eq!(sim.events(), 1 + 1049);
    assert_eq!(sim.now(), at_ms(1049));
    assert_eq!(sim.run(), full, "an ended run stays ended");
}

// A stand-in for a counting allocator: the "heap" grows by 1 KiB per delivery.
static HELD: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn held() -> u64 {
    HELD.load(std::sync::atomic::Ordering::Relaxed)
}

/// `forever`, whose every delivery also adds 1 KiB to the stand-in heap.
fn growing() -> Probe {
    Probe::new()
        .on_start(|ctx, _| ctx.send(ctx.id(), Ping(1)))
        .on_message(|ctx, _, n| {
            HELD.fetch_add(1024, std::sync::atomic::Ordering::Relaxed);
            ctx.send(ctx.id(), Ping(n + 1));
        })
}

#[test]
fn a_run_that_outgrows_its_memory_budget_ends_with_an_outcome() {
    use hasim_sim::{MemoryBudget, MEMORY_CHECK_EVERY};
    HELD.store(10 << 20, std::sync::atomic::Ordering::Relaxed);
    let mut sim = Sim::new(growing(), 1, 1);
    sim.horizon(at_ms(1_000_000));
    // 5 MiB above the 10 MiB held before the run: crossed after 5121 deliveries, seen
    // at the first check after that (every MEMORY_CHECK_EVERY entries off the queue).
    sim.memory_budget(MemoryBudget::starting_now(5 << 20, held));
    let outcome = sim.run();
    let Outcome::MemoryExhausted { held: at, limit } = outcome else {
        panic!("expected memory_exhausted, got {outcome:?}");
    };
    assert_eq!(limit, 5 << 20);
    assert!(at > limit, "{at} held");
    assert!(
        at <= limit + MEMORY_CHECK_EVERY * 1024,
        "{at} held: checked too late"
    );
    assert_eq!(at, (sim.events() - 1) * 1024, "the base is not counted");
    assert_eq!(
        sim.run().name(),
        "memory_exhausted",
        "an ended run stays ended"
    );

    // The same run with room to spare reaches its horizon.
    let mut roomy = Sim::new(growing(), 1, 1);
    roomy.horizon(at_ms(20_000));
    roomy.memory_budget(MemoryBudget::starting_now(1 << 30, held));
    assert_eq!(roomy.run(), Outcome::HorizonReached);
}
