//! W2, client → round-robin balancer → 4 FIFO servers: Poisson arrivals at 3.2/s until
//! 1,000,000 requests; 1 ms per hop; each server one slot with exponential service,
//! mean 1 s. `events` = 5 per request (arrival, delivery at the balancer, delivery at
//! the server, service completion, reply delivery) = 5,000,000. Each server is an
//! E4/M/1 queue: the mean sojourn is 3.2674 s + 3 ms of hops = 3.270 s.

use crate::{timed, unit, Run, SEED};
use hasim_sim::{Ctx, Describe, Detail, NodeId, Protocol, Sim, SimDuration, SimTime};
use rand_chacha::ChaCha8Rng;
use rand_core::SeedableRng;
use std::collections::{BinaryHeap, VecDeque};

const REQUESTS: u64 = 1_000_000;
const ARRIVAL_RATE: f64 = 3.2;
const SERVICE_RATE: f64 = 1.0;
const SERVERS: u64 = 4;
const HOP: u64 = 1_000_000;
const CLIENT: NodeId = NodeId(0);
const BALANCER: NodeId = NodeId(1);

/// What every implementation reports.
#[derive(Default)]
struct Totals {
    events: u64,
    arrivals: u64,
    completed: u64,
    sojourn_sum_ns: u64,
}

impl Totals {
    fn run(self, wall: std::time::Duration, extra: &str) -> Run {
        Run {
            events: self.events,
            wall,
            stats: format!(
                "\"arrivals\":{},\"completed\":{},\"mean_sojourn_s\":{:.4}{extra}",
                self.arrivals,
                self.completed,
                self.sojourn_sum_ns as f64 / self.completed as f64 / 1e9
            ),
        }
    }
}

// ----- hasim -----

struct Balanced;

#[derive(Clone, Copy, Debug)]
struct Request {
    id: u64,
    created: SimTime,
}

#[derive(Clone, Debug)]
enum Msg {
    Request(Request),
    Reply(Request),
}

#[derive(Clone, Copy, Debug)]
enum Timer {
    Arrival,
    Done,
}

/// One role per node: 0 the client, 1 the balancer, 2..=5 the servers. `events`
/// counts this node's share of the workload's events.
enum Role {
    Client {
        arrivals: u64,
        completed: u64,
        sojourn_sum_ns: u64,
    },
    Balancer,
    Server {
        waiting: VecDeque<Request>,
        serving: Option<Request>,
    },
}

struct Node {
    events: u64,
    role: Role,
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        let (name, r) = match self {
            Msg::Request(r) => ("request", r),
            Msg::Reply(r) => ("reply", r),
        };
        d.name(name).u64("id", r.id).time("created", r.created);
    }
}
impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        d.name(match self {
            Timer::Arrival => "arrival",
            Timer::Done => "done",
        });
    }
}

fn exponential(ctx: &mut impl Ctx<Balanced>, rate: f64) -> SimDuration {
    SimDuration::from_secs_f64(ctx.rng().exponential(1.0 / rate))
}

/// Starts serving `r`: its completion is a timer after an exponential service time.
fn serve(ctx: &mut impl Ctx<Balanced>, serving: &mut Option<Request>, r: Request) {
    *serving = Some(r);
    let service = exponential(ctx, SERVICE_RATE);
    ctx.set_timer(service, Timer::Done);
}

impl Protocol for Balanced {
    type Msg = Msg;
    type Timer = Timer;
    type State = Node;
    type Durable = ();
    type View = ();
    type Observation = ();

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> Node {
        let role = match ctx.id() {
            CLIENT => {
                let first = exponential(ctx, ARRIVAL_RATE);
                ctx.set_timer(first, Timer::Arrival);
                Role::Client {
                    arrivals: 0,
                    completed: 0,
                    sojourn_sum_ns: 0,
                }
            }
            BALANCER => Role::Balancer,
            _ => Role::Server {
                waiting: VecDeque::new(),
                serving: None,
            },
        };
        Node { events: 0, role }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, node: &mut Node, _: NodeId, msg: Msg) {
        node.events += 1;
        match (&mut node.role, msg) {
            (Role::Balancer, Msg::Request(r)) => {
                ctx.send(NodeId(2 + (r.id % SERVERS) as u32), Msg::Request(r));
            }
            (Role::Server { waiting, serving }, Msg::Request(r)) => {
                if serving.is_none() {
                    serve(ctx, serving, r);
                } else {
                    waiting.push_back(r);
                }
            }
            (
                Role::Client {
                    completed,
                    sojourn_sum_ns,
                    ..
                },
                Msg::Reply(r),
            ) => {
                *completed += 1;
                *sojourn_sum_ns += ctx.now().saturating_since(r.created).as_nanos();
            }
            _ => unreachable!("W2 sends nothing else"),
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, node: &mut Node, timer: Timer) {
        node.events += 1;
        match (&mut node.role, timer) {
            (Role::Client { arrivals, .. }, Timer::Arrival) => {
                let r = Request {
                    id: *arrivals,
                    created: ctx.now(),
                };
                *arrivals += 1;
                ctx.send(BALANCER, Msg::Request(r));
                if *arrivals < REQUESTS {
                    let next = exponential(ctx, ARRIVAL_RATE);
                    ctx.set_timer(next, Timer::Arrival);
                }
            }
            (Role::Server { waiting, serving }, Timer::Done) => {
                let done = serving.take().expect("a server completes what it serves");
                ctx.send(CLIENT, Msg::Reply(done));
                if let Some(next) = waiting.pop_front() {
                    serve(ctx, serving, next);
                }
            }
            _ => unreachable!("W2 sets no other timer"),
        }
    }

    fn view(&self, _: &Node) {}
}

pub fn hasim() -> Run {
    // The default network is what W2 wants: lossless constant 1 ms links.
    let mut sim = Sim::new(Balanced, 2 + SERVERS as u32, SEED);
    sim.horizon(SimTime::MAX).keep_observations(false);
    let (outcome, wall) = timed(|| sim.run());
    assert_eq!(outcome.name(), "completed");
    let mut t = Totals::default();
    for n in 0..sim.node_count() {
        let node = sim.state(NodeId(n)).expect("every node runs");
        t.events += node.events;
        if let Role::Client {
            arrivals,
            completed,
            sojourn_sum_ns,
        } = node.role
        {
            (t.arrivals, t.completed, t.sojourn_sum_ns) = (arrivals, completed, sojourn_sum_ns);
        }
    }
    let hash = format!(",\"trace_hash\":\"{:016x}\"", sim.trace_hash());
    t.run(wall, &hash)
}

// ----- the bare loop -----

#[derive(Clone, Copy)]
enum Ev {
    Arrival,
    AtBalancer { id: u64, created: u64 },
    AtServer { server: u8, created: u64 },
    Done { server: u8 },
    Reply { created: u64 },
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

/// An exponential sample in nanoseconds, `-ln(1-U)/rate`, rounded as hasim rounds.
#[inline]
fn exp_ns(rng: &mut ChaCha8Rng, rate: f64) -> u64 {
    (-(1.0 - unit(rng)).ln() / rate * 1e9).round() as u64
}

pub fn bare() -> Run {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED);
    let mut heap = BinaryHeap::with_capacity(1024);
    let mut seq = 0u64;
    // Per server: the request in service (its created time) and the FIFO behind it.
    let mut serving: [Option<u64>; SERVERS as usize] = [None; SERVERS as usize];
    let mut waiting: [VecDeque<u64>; SERVERS as usize] = Default::default();
    let mut t = Totals::default();
    let ((), wall) = timed(|| {
        seq += 1;
        heap.push(Entry {
            time: exp_ns(&mut rng, ARRIVAL_RATE),
            seq,
            ev: Ev::Arrival,
        });
        while let Some(Entry { time: now, ev, .. }) = heap.pop() {
            t.events += 1;
            let (at, ev) = match ev {
                Ev::Arrival => {
                    let id = t.arrivals;
                    t.arrivals += 1;
                    if t.arrivals < REQUESTS {
                        seq += 1;
                        let next = now + exp_ns(&mut rng, ARRIVAL_RATE);
                        heap.push(Entry {
                            time: next,
                            seq,
                            ev: Ev::Arrival,
                        });
                    }
                    (now + HOP, Ev::AtBalancer { id, created: now })
                }
                Ev::AtBalancer { id, created } => {
                    let server = (id % SERVERS) as u8;
                    (now + HOP, Ev::AtServer { server, created })
                }
                Ev::AtServer { server, created } => {
                    let s = server as usize;
                    if serving[s].is_some() {
                        waiting[s].push_back(created);
                        continue;
                    }
                    serving[s] = Some(created);
                    (now + exp_ns(&mut rng, SERVICE_RATE), Ev::Done { server })
                }
                Ev::Done { server } => {
                    let s = server as usize;
                    let created = serving[s].take().expect("serving");
                    if let Some(next) = waiting[s].pop_front() {
                        serving[s] = Some(next);
                        seq += 1;
                        let done = now + exp_ns(&mut rng, SERVICE_RATE);
                        heap.push(Entry {
                            time: done,
                            seq,
                            ev: Ev::Done { server },
                        });
                    }
                    (now + HOP, Ev::Reply { created })
                }
                Ev::Reply { created } => {
                    t.completed += 1;
                    t.sojourn_sum_ns += now - created;
                    continue;
                }
            };
            seq += 1;
            heap.push(Entry { time: at, seq, ev });
        }
    });
    t.run(wall, "")
}
