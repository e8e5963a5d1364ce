//! W3, scale: 10,000 nodes; every second each node pings one peer chosen uniformly at
//! random (not itself), which answers with an ack; one-way latency uniform on
//! [1 ms, 5 ms]; 60 s. Each node's first ping is at a random offset in [0, 1 s), then
//! one per second: 60 per node. `events` = delivered messages = 600,000 pings + 600,000
//! acks = 1,200,000.

use crate::{below, timed, Run, SEED};
use hasim_sim::{Ctx, Describe, Detail, Distribution, NodeId, Protocol, Sim, SimDuration, SimTime};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use std::collections::BinaryHeap;

const NODES: u32 = 10_000;
const ROUNDS: u32 = 60;
const PERIOD: u64 = 1_000_000_000;
const LATENCY_MIN: u64 = 1_000_000;
const LATENCY_MAX: u64 = 5_000_000;

/// What every implementation reports.
#[derive(Default)]
struct Totals {
    pings: u64,
    acks: u64,
    /// Wrapping sum of the ids of the peers pinged, in delivery order, weighted by
    /// position: it changes if the choice of peers does.
    peer_checksum: u64,
}

impl Totals {
    fn run(self, wall: std::time::Duration, extra: &str) -> Run {
        Run {
            events: self.pings + self.acks,
            wall,
            stats: format!(
                "\"pings_delivered\":{},\"acks_delivered\":{},\"peer_checksum\":{}{extra}",
                self.pings, self.acks, self.peer_checksum
            ),
        }
    }
}

/// A peer other than `me`, uniformly.
#[inline]
fn other(draw: u64, me: u32) -> u32 {
    let p = draw as u32;
    if p >= me {
        p + 1
    } else {
        p
    }
}

// ----- hasim -----

struct PingAck;

#[derive(Clone, Copy, Debug)]
enum Msg {
    Ping,
    Ack,
}

#[derive(Clone, Copy, Debug)]
struct Round;

#[derive(Default)]
struct Pinger {
    rounds: u32,
    pings: u64,
    acks: u64,
    peer_checksum: u64,
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        d.name(match self {
            Msg::Ping => "ping",
            Msg::Ack => "ack",
        });
    }
}
impl Describe for Round {
    fn describe(&self, d: &mut Detail<'_>) {
        d.name("round");
    }
}

impl Protocol for PingAck {
    type Msg = Msg;
    type Timer = Round;
    type State = Pinger;
    type Durable = ();
    type View = ();
    type Observation = ();

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> Pinger {
        let offset = ctx.rng().below(PERIOD);
        ctx.set_timer(SimDuration::from_nanos(offset), Round);
        Pinger::default()
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, p: &mut Pinger, source: NodeId, msg: Msg) {
        match msg {
            Msg::Ping => {
                p.pings += 1;
                ctx.send(source, Msg::Ack);
            }
            Msg::Ack => p.acks += 1,
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, p: &mut Pinger, _: Round) {
        let me = ctx.id().0;
        let peer = other(ctx.rng().below(u64::from(NODES - 1)), me);
        p.peer_checksum = p
            .peer_checksum
            .wrapping_mul(31)
            .wrapping_add(u64::from(peer));
        ctx.send(NodeId(peer), Msg::Ping);
        p.rounds += 1;
        if p.rounds < ROUNDS {
            ctx.set_timer(SimDuration::from_nanos(PERIOD), Round);
        }
    }

    fn view(&self, _: &Pinger) {}
}

pub fn hasim() -> Run {
    let mut sim = Sim::new(PingAck, NODES, SEED);
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
        let p = sim.state(NodeId(n)).expect("every node runs");
        t.pings += p.pings;
        t.acks += p.acks;
        t.peer_checksum = t.peer_checksum.wrapping_add(p.peer_checksum);
    }
    let hash = format!(",\"trace_hash\":\"{:016x}\"", sim.trace_hash());
    t.run(wall, &hash)
}

// ----- the bare loop -----

#[derive(Clone, Copy)]
enum Ev {
    Round { node: u32 },
    Ping { source: u32 },
    Ack { target: u32 },
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
    let mut checksums = vec![0u64; n];
    let mut acks = vec![0u64; n];
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
                    let peer = other(below(&mut rng, u64::from(NODES - 1)), node);
                    let c = &mut checksums[node as usize];
                    *c = c.wrapping_mul(31).wrapping_add(u64::from(peer));
                    let latency = LATENCY_MIN + below(&mut rng, LATENCY_MAX - LATENCY_MIN + 1);
                    seq += 1;
                    let ev = Ev::Ping { source: node };
                    heap.push(Entry {
                        time: now + latency,
                        seq,
                        ev,
                    });
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
                Ev::Ping { source } => {
                    t.pings += 1;
                    let latency = LATENCY_MIN + below(&mut rng, LATENCY_MAX - LATENCY_MIN + 1);
                    seq += 1;
                    heap.push(Entry {
                        time: now + latency,
                        seq,
                        ev: Ev::Ack { target: source },
                    });
                }
                Ev::Ack { target } => acks[target as usize] += 1,
            }
        }
    });
    t.acks = acks.iter().sum();
    t.peer_checksum = checksums.iter().fold(0u64, |a, &c| a.wrapping_add(c));
    t.run(wall, "")
}
