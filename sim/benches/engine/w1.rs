//! W1, the heartbeat mesh: 32 nodes, each sending a heartbeat to the 31 others every
//! 100 ms from a random offset in [0, 100 ms), 600 rounds each; one-way latency uniform
//! on [1 ms, 5 ms]. `events` = delivered heartbeats = 32 × 31 × 600 = 595,200.

use crate::{below, timed, Run, SEED};
use hasim_sim::{Ctx, Describe, Detail, Distribution, NodeId, Protocol, Sim, SimDuration, SimTime};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use std::collections::BinaryHeap;

const NODES: u32 = 32;
const ROUNDS: u32 = 600;
const PERIOD: u64 = 100_000_000;
const LATENCY_MIN: u64 = 1_000_000;
const LATENCY_MAX: u64 = 5_000_000;

/// What every implementation reports; identical stats run after run.
#[derive(Default)]
struct Totals {
    delivered: u64,
    timer_events: u64,
    latency_sum_ns: u64,
    /// Wrapping sum of every node's last-heard time of every peer, in nanoseconds.
    last_heard_checksum: u64,
}

impl Totals {
    fn run(self, wall: std::time::Duration, extra: &str) -> Run {
        Run {
            events: self.delivered,
            wall,
            stats: format!(
                "\"delivered\":{},\"timer_events\":{},\"mean_latency_ms\":{:.4},\"last_heard_checksum\":{}{extra}",
                self.delivered,
                self.timer_events,
                self.latency_sum_ns as f64 / self.delivered as f64 / 1e6,
                self.last_heard_checksum
            ),
        }
    }
}

// ----- hasim -----

struct Mesh;

#[derive(Clone, Debug)]
struct Beat {
    sent: SimTime,
}

#[derive(Clone, Copy, Debug)]
struct Round;

struct Member {
    rounds: u32,
    last_heard: Vec<SimTime>,
    delivered: u64,
    latency_sum_ns: u64,
}

impl Describe for Beat {
    fn describe(&self, d: &mut Detail<'_>) {
        d.name("beat").time("sent", self.sent);
    }
}
impl Describe for Round {
    fn describe(&self, d: &mut Detail<'_>) {
        d.name("round");
    }
}

impl Protocol for Mesh {
    type Msg = Beat;
    type Timer = Round;
    type State = Member;
    type Durable = ();
    type View = ();
    type Observation = ();

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> Member {
        let offset = ctx.rng().below(PERIOD);
        ctx.set_timer(SimDuration::from_nanos(offset), Round);
        Member {
            rounds: 0,
            last_heard: vec![SimTime::ZERO; NODES as usize],
            delivered: 0,
            latency_sum_ns: 0,
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, m: &mut Member, source: NodeId, beat: Beat) {
        let now = ctx.now();
        m.last_heard[source.index()] = now;
        m.delivered += 1;
        m.latency_sum_ns += now.saturating_since(beat.sent).as_nanos();
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, m: &mut Member, _: Round) {
        let (me, now) = (ctx.id(), ctx.now());
        for peer in (0..NODES).map(NodeId).filter(|&p| p != me) {
            ctx.send(peer, Beat { sent: now });
        }
        m.rounds += 1;
        if m.rounds < ROUNDS {
            ctx.set_timer(SimDuration::from_nanos(PERIOD), Round);
        }
    }

    fn view(&self, _: &Member) {}
}

pub fn hasim() -> Run {
    let mut sim = Sim::new(Mesh, NODES, SEED);
    let latency = Distribution::Uniform {
        min: SimDuration::from_nanos(LATENCY_MIN),
        max: SimDuration::from_nanos(LATENCY_MAX),
    };
    sim.uniform_network(latency, 0.0)
        .expect("valid network")
        .horizon(SimTime::MAX)
        .keep_observations(false);
    let (outcome, wall) = timed(|| sim.run());
    assert_eq!(outcome.name(), "completed");
    let mut t = Totals::default();
    for n in 0..NODES {
        let m = sim.state(NodeId(n)).expect("every node runs");
        t.delivered += m.delivered;
        t.timer_events += u64::from(m.rounds);
        t.latency_sum_ns += m.latency_sum_ns;
        for h in &m.last_heard {
            t.last_heard_checksum = t.last_heard_checksum.wrapping_add(h.as_nanos());
        }
    }
    let hash = format!(",\"trace_hash\":\"{:016x}\"", sim.trace_hash());
    t.run(wall, &hash)
}

// ----- the bare loop -----

#[derive(Clone, Copy)]
enum Ev {
    Round { node: u32 },
    Deliver { source: u32, target: u32, sent: u64 },
}

struct Entry {
    time: u64,
    seq: u64,
    ev: Ev,
}
impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        (self.time, self.seq) == (o.time, o.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (o.time, o.seq).cmp(&(self.time, self.seq)) // earliest first
    }
}

pub fn bare() -> Run {
    let n = NODES as usize;
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut heap = BinaryHeap::with_capacity(1024);
    let mut seq = 0u64;
    let mut rounds = vec![0u32; n];
    let mut last_heard = vec![0u64; n * n];
    for node in 0..NODES {
        seq += 1;
        let time = below(&mut rng, PERIOD);
        heap.push(Entry {
            time,
            seq,
            ev: Ev::Round { node },
        });
    }
    let mut t = Totals::default();
    let ((), wall) = timed(|| {
        while let Some(Entry { time: now, ev, .. }) = heap.pop() {
            match ev {
                Ev::Round { node } => {
                    t.timer_events += 1;
                    for target in (0..NODES).filter(|&p| p != node) {
                        let latency = LATENCY_MIN + below(&mut rng, LATENCY_MAX - LATENCY_MIN + 1);
                        seq += 1;
                        let ev = Ev::Deliver {
                            source: node,
                            target,
                            sent: now,
                        };
                        heap.push(Entry {
                            time: now + latency,
                            seq,
                            ev,
                        });
                    }
                    rounds[node as usize] += 1;
                    if rounds[node as usize] < ROUNDS {
                        seq += 1;
                        heap.push(Entry {
                            time: now + PERIOD,
                            seq,
                            ev: Ev::Round { node },
                        });
                    }
                }
                Ev::Deliver {
                    source,
                    target,
                    sent,
                } => {
                    last_heard[target as usize * n + source as usize] = now;
                    t.delivered += 1;
                    t.latency_sum_ns += now - sent;
                }
            }
        }
    });
    t.last_heard_checksum = last_heard.iter().fold(0u64, |a, &h| a.wrapping_add(h));
    t.run(wall, "")
}
