//! The state machine of `kv_lease`: replicas that elect a primary by majority lease,
//! and clients that send reads and writes to the replicas in turn.
//!
//! **The algorithm.** A primary of term T sends `renew` to every other replica each
//! `heartbeat`, noting its local send time. A replica grants a term at least its own
//! unless it promised another term within the last `lease` (by its own clock); a grant
//! is a promise to grant no other term for `lease`. A round granted by a majority (the
//! primary counts itself) gives the primary a lease until `sent + lease -
//! lease_margin` on its own clock; it serves reads and writes only inside it. A
//! replica that heard no renew for `lease` (plus a stagger by rank, so two do not
//! stand at once) becomes primary of the next term. A replica that hears of a
//! higher term steps down. A restarted replica keeps no promise (no durable state),
//! so it grants nothing for `lease` after starting.
//!
//! **Why the margin.** With clocks at one rate, every grantor of the old primary's
//! last round waits `lease` from after `sent`, so the old lease ends first. A clock
//! jump or drift of more than `lease_margin` breaks that: with `lease_margin = "0ms"`
//! two primaries serve at once, which the `one_serving_primary` property catches.
//!
//! **What it simplifies.** Writes go to every replica without acknowledgement
//! (the store is a map; no log, no catch-up): the model is about who may serve, not
//! about durability. Clients do not retry; each asks the replica that last
//! answered it, and the next one in turn after a refusal or a timeout.

use crate::{ClientParams, ReplicaParams};
use hasim::sim::{Ctx, Describe, Detail, NodeId, Protocol, SimDuration, SimTime, TimerId};
use std::collections::BTreeMap;

/// What a node does.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    /// A replica, with its rank among the replicas (0 first).
    Replica(ReplicaParams, u32),
    /// A client.
    Client(ClientParams),
}

/// The configuration: each node's role (index = node id).
#[derive(Clone, Debug, PartialEq)]
pub struct KvLease {
    pub(crate) roles: Vec<Role>,
    pub(crate) replicas: Vec<NodeId>,
}

impl KvLease {
    /// From each node's role.
    pub fn new(roles: Vec<Role>) -> Self {
        let replicas = (0..roles.len())
            .filter(|&i| matches!(roles[i], Role::Replica(..)))
            .map(|i| NodeId(i as u32))
            .collect();
        KvLease { roles, replicas }
    }

    fn majority(&self) -> usize {
        self.replicas.len() / 2 + 1
    }
}

/// On the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// A primary asks for its lease to be renewed (`sent`: its local clock).
    Renew { term: u64, sent: SimTime },
    /// A replica grants that round.
    Grant { term: u64, sent: SimTime },
    /// A replica refuses: it is in `term`.
    Refuse { term: u64 },
    /// A client reads `key`.
    Get { id: u64, key: u64 },
    /// A client writes `value` to `key`.
    Put { id: u64, key: u64, value: u64 },
    /// A primary copies a write to the other replicas.
    Copy { key: u64, value: u64 },
    /// The answer to request `id` (`value`: what a read found).
    Done { id: u64, value: Option<u64> },
    /// The replica is not a primary with a valid lease.
    NotPrimary { id: u64 },
}

/// Timer tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// A primary's next renew round.
    Heartbeat,
    /// A replica that heard no primary stands for the next term.
    Elect,
    /// A client's next request.
    Send,
    /// A client gives up on request `id`.
    Timeout { id: u64 },
}

/// What nodes observe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
    /// A replica became primary of `term`.
    Elected { term: u64 },
    /// A primary's lease became valid in `term` (a majority granted a round).
    Leased { term: u64 },
    /// A primary still held its lease in `term` at a renew round.
    Holding { term: u64 },
    /// A primary served a request in `term` under its lease.
    Served { term: u64, write: bool },
    /// A client's request was answered.
    Ok { latency: SimDuration },
    /// A client's request was refused (no valid primary where it asked).
    Refused,
    /// A client's request timed out.
    TimedOut,
}

/// A replica's volatile state.
#[derive(Debug)]
pub struct Replica {
    term: u64,
    primary: bool,
    /// The term and primary it promised, and until when (local clock); `None`: nobody.
    promised: Option<(u64, NodeId)>,
    promise_until: SimTime,
    /// As primary: the current round's send time and grants; the lease's end.
    round: SimTime,
    grants: usize,
    lease_until: SimTime,
    elect: Option<TimerId>,
    heartbeat: Option<TimerId>,
    store: BTreeMap<u64, u64>,
}

/// A node's volatile state.
#[derive(Debug)]
pub enum State {
    /// A replica.
    Replica(Replica),
    /// A client: next request number, the replica it asks (the last that answered,
    /// else the next in turn), requests in flight.
    Client {
        next: u64,
        target: usize,
        pending: BTreeMap<u64, (SimTime, TimerId)>,
    },
}

/// What properties and timelines see of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// A replica in `term`, primary or not.
    Replica { term: u64, primary: bool },
    /// A client.
    Client,
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Msg::Renew { term, sent } => d.name("renew").u64("term", term).time("sent", sent),
            Msg::Grant { term, sent } => d.name("grant").u64("term", term).time("sent", sent),
            Msg::Refuse { term } => d.name("refuse").u64("term", term),
            Msg::Get { id, key } => d.name("get").u64("id", id).u64("key", key),
            Msg::Put { id, key, value } => d
                .name("put")
                .u64("id", id)
                .u64("key", key)
                .u64("value", value),
            Msg::Copy { key, value } => d.name("copy").u64("key", key).u64("value", value),
            Msg::Done { id, value } => match value {
                Some(v) => d.name("done").u64("id", id).u64("value", v),
                None => d.name("done").u64("id", id),
            },
            Msg::NotPrimary { id } => d.name("not_primary").u64("id", id),
        };
    }
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Timer::Heartbeat => d.name("heartbeat"),
            Timer::Elect => d.name("elect"),
            Timer::Send => d.name("send"),
            Timer::Timeout { id } => d.name("timeout").u64("id", id),
        };
    }
}

impl Describe for Observation {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Observation::Elected { term } => d.name("elected").u64("term", term),
            Observation::Leased { term } => d.name("leased").u64("term", term),
            Observation::Holding { term } => d.name("holding").u64("term", term),
            Observation::Served { term, write } => {
                d.name("served").u64("term", term).bool("write", write)
            }
            Observation::Ok { latency } => d.name("ok").duration("latency", latency),
            Observation::Refused => d.name("refused"),
            Observation::TimedOut => d.name("timed_out"),
        };
    }
}

impl KvLease {
    /// Waits for a primary: stands for election if none renews within `lease`,
    /// staggered by rank.
    fn wait_for_primary(
        &self,
        ctx: &mut impl Ctx<Self>,
        r: &mut Replica,
        p: &ReplicaParams,
        rank: u32,
    ) {
        if let Some(t) = r.elect.take() {
            ctx.cancel_timer(t);
        }
        // A quarter heartbeat per rank: enough that two rarely stand at once.
        let stagger = SimDuration::from_nanos(p.heartbeat.as_nanos() / 4 * u64::from(rank));
        r.elect = Some(ctx.set_timer(p.lease.saturating_add(stagger), Timer::Elect));
    }

    fn step_down(
        &self,
        ctx: &mut impl Ctx<Self>,
        r: &mut Replica,
        term: u64,
        p: &ReplicaParams,
        rank: u32,
    ) {
        r.term = term;
        if r.primary {
            r.primary = false;
            r.lease_until = SimTime::ZERO;
            if let Some(t) = r.heartbeat.take() {
                ctx.cancel_timer(t);
            }
            // It no longer serves, so its promise to itself protects nothing: release
            // it, or two candidates of one term would refuse each other for ever.
            if r.promised.is_some_and(|(_, n)| n == ctx.id()) {
                r.promise_until = ctx.now();
            }
        }
        self.wait_for_primary(ctx, r, p, rank);
    }

    fn renew_round(&self, ctx: &mut impl Ctx<Self>, r: &mut Replica, p: &ReplicaParams) {
        let now = ctx.now();
        // Said at every round, so a lease that outlives its grantors' promises shows
        // even when no client reaches this primary.
        if now < r.lease_until {
            ctx.observe(Observation::Holding { term: r.term });
        }
        r.round = now;
        // The primary grants itself: it will not grant another term for `lease`.
        r.grants = 1;
        r.promised = Some((r.term, ctx.id()));
        r.promise_until = now.saturating_add(p.lease);
        self.count_grants(ctx, r, p);
        for &other in &self.replicas {
            if other != ctx.id() {
                ctx.send(
                    other,
                    Msg::Renew {
                        term: r.term,
                        sent: now,
                    },
                );
            }
        }
        r.heartbeat = Some(ctx.set_timer(p.heartbeat, Timer::Heartbeat));
    }

    fn count_grants(&self, ctx: &mut impl Ctx<Self>, r: &mut Replica, p: &ReplicaParams) {
        if r.grants >= self.majority() {
            let until = r
                .round
                .saturating_add(p.lease.saturating_sub(p.lease_margin));
            if ctx.now() >= r.lease_until && ctx.now() < until {
                ctx.observe(Observation::Leased { term: r.term });
            }
            r.lease_until = r.lease_until.max(until);
        }
    }

    fn on_replica(
        &self,
        ctx: &mut impl Ctx<Self>,
        r: &mut Replica,
        p: &ReplicaParams,
        rank: u32,
        source: NodeId,
        msg: Msg,
    ) {
        let now = ctx.now();
        match msg {
            Msg::Renew { term, sent } => {
                let free = r.promised == Some((term, source)) || now >= r.promise_until;
                if term < r.term || !free {
                    ctx.send(source, Msg::Refuse { term: r.term });
                    return;
                }
                r.promised = Some((term, source));
                r.promise_until = now.saturating_add(p.lease);
                self.step_down(ctx, r, term, p, rank);
                ctx.send(source, Msg::Grant { term, sent });
            }
            Msg::Grant { term, sent } if r.primary && term == r.term && sent == r.round => {
                r.grants += 1;
                self.count_grants(ctx, r, p);
            }
            Msg::Refuse { term } if term > r.term => self.step_down(ctx, r, term, p, rank),
            // A candidate refused by a replica of its own term (another candidate):
            // without a lease, it stands down and stands again after its stagger.
            Msg::Refuse { term } if term == r.term && r.primary && now >= r.lease_until => {
                self.step_down(ctx, r, term, p, rank)
            }
            Msg::Get { id, key } | Msg::Put { id, key, .. } if r.primary && now < r.lease_until => {
                let write = if let Msg::Put { value, .. } = msg {
                    r.store.insert(key, value);
                    for &other in &self.replicas {
                        if other != ctx.id() {
                            ctx.send(other, Msg::Copy { key, value });
                        }
                    }
                    true
                } else {
                    false
                };
                ctx.observe(Observation::Served {
                    term: r.term,
                    write,
                });
                let value = if write {
                    None
                } else {
                    r.store.get(&key).copied()
                };
                ctx.send(source, Msg::Done { id, value });
            }
            Msg::Get { id, .. } | Msg::Put { id, .. } => ctx.send(source, Msg::NotPrimary { id }),
            Msg::Copy { key, value } if !r.primary => {
                r.store.insert(key, value);
            }
            _ => {}
        }
    }
}

impl Protocol for KvLease {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = ();
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> State {
        match &self.roles[ctx.id().index()] {
            Role::Replica(p, rank) => {
                let mut r = Replica {
                    term: 0,
                    primary: false,
                    // A restart forgot its promises: grant nobody for a lease.
                    promised: None,
                    promise_until: ctx.now().saturating_add(p.lease),
                    round: SimTime::ZERO,
                    grants: 0,
                    lease_until: SimTime::ZERO,
                    elect: None,
                    heartbeat: None,
                    store: BTreeMap::new(),
                };
                self.wait_for_primary(ctx, &mut r, p, *rank);
                State::Replica(r)
            }
            Role::Client(c) => {
                ctx.set_timer(c.interval, Timer::Send);
                State::Client {
                    next: 0,
                    target: 0,
                    pending: BTreeMap::new(),
                }
            }
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        match (state, &self.roles[ctx.id().index()]) {
            (State::Replica(r), Role::Replica(p, rank)) => {
                self.on_replica(ctx, r, p, *rank, source, msg)
            }
            (
                State::Client {
                    pending, target, ..
                },
                _,
            ) => {
                let (id, ok) = match msg {
                    Msg::Done { id, .. } => (id, true),
                    Msg::NotPrimary { id } => (id, false),
                    _ => return,
                };
                let asked = self.replicas.iter().position(|&r| r == source);
                match (ok, asked) {
                    (true, Some(i)) => *target = i,
                    (false, Some(i)) if i == *target => {
                        *target = (i + 1) % self.replicas.len();
                    }
                    _ => {}
                }
                // An answer after the timeout was already counted as a timeout.
                if let Some((sent, timer)) = pending.remove(&id) {
                    ctx.cancel_timer(timer);
                    if ok {
                        let latency = ctx.now().saturating_since(sent);
                        ctx.count("requests_ok", 1);
                        ctx.sample("latency", latency);
                        ctx.observe(Observation::Ok { latency });
                    } else {
                        ctx.count("requests_refused", 1);
                        ctx.observe(Observation::Refused);
                    }
                }
            }
            _ => {}
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        match (state, &self.roles[ctx.id().index()], timer) {
            (State::Replica(r), Role::Replica(p, _), Timer::Heartbeat) if r.primary => {
                self.renew_round(ctx, r, p);
            }
            (State::Replica(r), Role::Replica(p, rank), Timer::Elect) => {
                r.elect = None;
                if ctx.now() < r.promise_until && r.promised.is_some() {
                    // Still promised to a primary: wait out the promise.
                    self.wait_for_primary(ctx, r, p, *rank);
                    return;
                }
                r.term = r.term.max(r.promised.map_or(0, |(t, _)| t)) + 1;
                r.primary = true;
                r.lease_until = SimTime::ZERO;
                ctx.count("elections", 1);
                ctx.observe(Observation::Elected { term: r.term });
                self.renew_round(ctx, r, p);
            }
            (
                State::Client {
                    next,
                    target,
                    pending,
                },
                Role::Client(c),
                Timer::Send,
            ) => {
                ctx.set_timer(c.interval, Timer::Send);
                let id = *next;
                *next += 1;
                let replica = self.replicas[*target];
                let key = id % c.keys;
                let msg = if id % 2 == 0 {
                    Msg::Put { id, key, value: id }
                } else {
                    Msg::Get { id, key }
                };
                let t = ctx.set_timer(c.timeout, Timer::Timeout { id });
                pending.insert(id, (ctx.now(), t));
                ctx.count("requests", 1);
                ctx.send(replica, msg);
            }
            (
                State::Client {
                    pending, target, ..
                },
                _,
                Timer::Timeout { id },
            ) => {
                // Already answered: the timer was cancelled, but may have been due.
                if pending.remove(&id).is_none() {
                    return;
                }
                *target = (*target + 1) % self.replicas.len();
                ctx.count("requests_timeout", 1);
                ctx.observe(Observation::TimedOut);
            }
            _ => {}
        }
    }

    fn view(&self, state: &State) -> View {
        match state {
            State::Replica(r) => View::Replica {
                term: r.term,
                primary: r.primary,
            },
            State::Client { .. } => View::Client,
        }
    }
}
