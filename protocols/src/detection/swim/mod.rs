//! SWIM (Das, Gupta, Motivala 2002): scalable weakly-consistent infection-style
//! membership, with the suspicion mechanism and infection-style dissemination.
//!
//! Every member runs a protocol period of `period`, started at a random phase. Each
//! period it picks one member to probe and pings it; without an ack within
//! `ping_timeout` it asks `indirect_probes` other members to ping the target on its
//! behalf (ping-req), and they forward any ack. If no ack, direct or indirect, has
//! arrived by the end of the period, the target becomes Suspect. A member that learns
//! of a suspicion (locally or by gossip) starts a `suspicion_timeout`; if the suspect
//! has not refuted by then, it is confirmed Dead and no longer probed. A suspected
//! member that hears of its suspicion refutes it by gossiping Alive with a higher
//! incarnation ([`membership`] has the override rules). Updates are piggybacked on
//! pings, ping-reqs and acks, at most `piggyback_max` per message, each on at most
//! `retransmit_mult · ⌈log10(n + 1)⌉` messages (memberlist's λ·log n).
//!
//! Probe order: `round_robin` (the paper's §4.3 improvement: a random permutation of
//! the members, walked in order and reshuffled after each pass, so a failed member is
//! probed within 2n − 1 periods) or `random` (a uniformly random member every period,
//! the basic protocol of §3, whose expected time to the first probe of a failed
//! member is 1 / (1 − (1 − 1/(n−1))^(n−1)) periods, about e/(e − 1); the theory test
//! checks this mode).
//!
//! A restarted member rejoins: its incarnation's `life` is its node's restart count,
//! above everything it said in earlier lives, and it gossips Alive at that incarnation
//! from its first period, which overrides Suspect and Dead everywhere.
//!
//! Simplifies: membership is static (the run's nodes; no join protocol, nobody is
//! ever removed, Dead members just stop being probed); a relay forwards acks without
//! keeping state (the relayed ping names the original prober); the suspicion timeout
//! is fixed, not scaled with n or with confirmations (Lifeguard); messages have no
//! size limit beyond `piggyback_max`.
//!
//! Promises: each member sends one probe per period; a member is suspected only after
//! a whole period without any ack for its probe; a Suspect becomes Dead only after a
//! full `suspicion_timeout` at the same incarnation; a live member that hears of its
//! own suspicion always refutes it; every update is disseminated a bounded number of
//! times.

pub mod membership;

use super::{positive, send, Detector, DetectorObservation, InvalidParams};
use hasim_sim::{Ctx, Describe, Detail, NodeId, Protocol, SimDuration};
use membership::{Applied, Health, Incarnation, Membership, Update};
use serde::{Deserialize, Serialize};

/// How a member picks whom to probe.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProbeOrder {
    /// A shuffled round-robin over the members, reshuffled after each pass.
    #[default]
    RoundRobin,
    /// A uniformly random member every period.
    Random,
}

/// Parameters of [`Swim`]; the defaults are memberlist's LAN settings where it has
/// one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SwimParams {
    /// The protocol period (default 1s).
    pub period: SimDuration,
    /// How long to wait for a direct ack before asking for indirect probes (default
    /// 500ms); shorter than `period`.
    pub ping_timeout: SimDuration,
    /// How many members to ask for an indirect probe (k, default 3).
    pub indirect_probes: u32,
    /// How long a member stays Suspect before it is confirmed Dead (default 5s).
    pub suspicion_timeout: SimDuration,
    /// λ: each update rides on λ·⌈log10(n + 1)⌉ messages (default 4).
    pub retransmit_mult: u32,
    /// Most updates piggybacked on one message (default 8).
    pub piggyback_max: u32,
    /// Round-robin or random probe targets (default round_robin).
    pub probe_order: ProbeOrder,
}

impl Default for SwimParams {
    fn default() -> Self {
        SwimParams {
            period: SimDuration::from_secs(1),
            ping_timeout: SimDuration::from_millis(500),
            indirect_probes: 3,
            suspicion_timeout: SimDuration::from_secs(5),
            retransmit_mult: 4,
            piggyback_max: 8,
            probe_order: ProbeOrder::RoundRobin,
        }
    }
}

/// The SWIM detector. See the module documentation.
#[derive(Clone, Debug)]
pub struct Swim {
    params: SwimParams,
}

impl Swim {
    /// A detector with validated parameters.
    pub fn new(params: SwimParams) -> Result<Self, InvalidParams> {
        positive("period", params.period)?;
        positive("ping_timeout", params.ping_timeout)?;
        positive("suspicion_timeout", params.suspicion_timeout)?;
        if params.ping_timeout >= params.period {
            return Err(InvalidParams::rule(format!(
                "ping_timeout: {} must be shorter than period {}",
                params.ping_timeout, params.period
            )));
        }
        if params.retransmit_mult == 0 {
            return Err(InvalidParams::field(
                "retransmit_mult",
                "must be at least 1",
            ));
        }
        Ok(Swim { params })
    }

    /// The parameters.
    pub fn params(&self) -> &SwimParams {
        &self.params
    }

    /// How many messages each update rides on in a group of `nodes`.
    pub fn retransmit_limit(&self, nodes: u32) -> u32 {
        let log = libm::ceil(libm::log10(f64::from(nodes) + 1.0)) as u32;
        self.params.retransmit_mult * log.max(1)
    }
}

/// SWIM messages; every one carries piggybacked membership updates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Are you alive? `relay_for` names the original prober of an indirect probe.
    Ping {
        /// The prober's probe number.
        seq: u64,
        /// The prober, when this ping is sent on its behalf.
        relay_for: Option<NodeId>,
        /// Piggybacked updates.
        updates: Vec<Update>,
    },
    /// Please ping `target` for me.
    PingReq {
        /// The prober's probe number.
        seq: u64,
        /// Whom to ping.
        target: NodeId,
        /// Piggybacked updates.
        updates: Vec<Update>,
    },
    /// I am alive. With `relay_for`, the relay forwards it to that prober.
    Ack {
        /// The probe answered.
        seq: u64,
        /// The prober, when the ack goes through a relay.
        relay_for: Option<NodeId>,
        /// Piggybacked updates.
        updates: Vec<Update>,
    },
}

fn describe_updates(d: &mut Detail<'_>, updates: &[Update]) {
    for u in updates {
        d.node(u.health.name(), u.member);
        if u.incarnation.life > 0 {
            d.u64("life", u64::from(u.incarnation.life));
        }
        d.u64("inc", u64::from(u.incarnation.count));
    }
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Msg::Ping {
                seq,
                relay_for,
                updates,
            } => {
                d.name("ping").u64("seq", *seq);
                if let Some(p) = relay_for {
                    d.node("for", *p);
                }
                describe_updates(d, updates);
            }
            Msg::PingReq {
                seq,
                target,
                updates,
            } => {
                d.name("ping_req").u64("seq", *seq).node("target", *target);
                describe_updates(d, updates);
            }
            Msg::Ack {
                seq,
                relay_for,
                updates,
            } => {
                d.name("ack").u64("seq", *seq);
                if let Some(p) = relay_for {
                    d.node("for", *p);
                }
                describe_updates(d, updates);
            }
        }
    }
}

/// SWIM timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// The end of one protocol period and the start of the next.
    Period,
    /// The direct ping of probe `seq` has had its time.
    PingTimeout {
        /// The probe.
        seq: u64,
    },
    /// `member`, suspected at `incarnation`, has had its time to refute.
    Suspicion {
        /// The suspect.
        member: NodeId,
        /// The incarnation it was suspected at.
        incarnation: Incarnation,
    },
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Timer::Period => d.name("period"),
            Timer::PingTimeout { seq } => d.name("ping_timeout").u64("seq", seq),
            Timer::Suspicion {
                member,
                incarnation,
            } => {
                d.name("suspicion").node("member", member);
                if incarnation.life > 0 {
                    d.u64("life", u64::from(incarnation.life));
                }
                d.u64("inc", u64::from(incarnation.count))
            }
        };
    }
}

/// The probe of the current period.
#[derive(Clone, Copy, Debug)]
pub struct Probe {
    target: NodeId,
    seq: u64,
    acked: bool,
}

/// A member's SWIM state.
#[derive(Clone, Debug)]
pub struct State {
    membership: Membership,
    seq: u64,
    probe: Option<Probe>,
    /// Round-robin order and the position in it.
    order: Vec<NodeId>,
    cursor: usize,
}

impl State {
    /// The member's view of the group.
    pub fn membership(&self) -> &Membership {
        &self.membership
    }
}

impl Protocol for Swim {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = ();
    /// How many nodes this node suspects.
    type View = u32;
    type Observation = DetectorObservation;

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> State {
        let (me, nodes) = (ctx.id(), ctx.node_count());
        let mine = Incarnation {
            life: ctx.incarnation().0,
            count: 0,
        };
        let mut membership = Membership::new(me, nodes, mine, self.retransmit_limit(nodes));
        if mine.life > 0 {
            membership.gossip(Update {
                member: me,
                health: Health::Alive,
                incarnation: mine,
            });
        }
        let mut order: Vec<NodeId> = (0..nodes).map(NodeId).filter(|&m| m != me).collect();
        if self.params.probe_order == ProbeOrder::RoundRobin {
            ctx.rng().shuffle(&mut order);
        }
        let phase = 1 + ctx.rng().below(self.params.period.as_nanos());
        ctx.set_timer(SimDuration::from_nanos(phase), Timer::Period);
        State {
            membership,
            seq: 0,
            probe: None,
            order,
            cursor: 0,
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        let max = self.params.piggyback_max as usize;
        match msg {
            Msg::Ping {
                seq,
                relay_for,
                updates,
            } => {
                self.absorb(ctx, state, &updates);
                let updates = state.membership.piggyback(max);
                let ack = Msg::Ack {
                    seq,
                    relay_for,
                    updates,
                };
                send(ctx, source, ack);
            }
            Msg::PingReq {
                seq,
                target,
                updates,
            } => {
                self.absorb(ctx, state, &updates);
                let updates = state.membership.piggyback(max);
                let relay_for = Some(source);
                let ping = Msg::Ping {
                    seq,
                    relay_for,
                    updates,
                };
                send(ctx, target, ping);
            }
            Msg::Ack {
                seq,
                relay_for,
                updates,
            } => {
                self.absorb(ctx, state, &updates);
                if let Some(prober) = relay_for {
                    let updates = state.membership.piggyback(max);
                    let ack = Msg::Ack {
                        seq,
                        relay_for: None,
                        updates,
                    };
                    send(ctx, prober, ack);
                } else if let Some(probe) = state.probe.as_mut() {
                    if probe.seq == seq {
                        probe.acked = true;
                    }
                }
            }
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        let max = self.params.piggyback_max as usize;
        match timer {
            Timer::Period => {
                if let Some(probe) = state.probe.take() {
                    let known = state.membership.member(probe.target);
                    if !probe.acked && known.health == Health::Alive {
                        let suspicion = Update {
                            member: probe.target,
                            health: Health::Suspect,
                            incarnation: known.incarnation,
                        };
                        self.learn(ctx, state, suspicion);
                    }
                }
                if let Some(target) = self.next_target(ctx, state) {
                    state.seq += 1;
                    let seq = state.seq;
                    state.probe = Some(Probe {
                        target,
                        seq,
                        acked: false,
                    });
                    let updates = state.membership.piggyback(max);
                    let ping = Msg::Ping {
                        seq,
                        relay_for: None,
                        updates,
                    };
                    send(ctx, target, ping);
                    ctx.set_timer(self.params.ping_timeout, Timer::PingTimeout { seq });
                }
                ctx.set_timer(self.params.period, Timer::Period);
            }
            Timer::PingTimeout { seq } => {
                let Some(probe) = state.probe.filter(|p| p.seq == seq && !p.acked) else {
                    return;
                };
                for relay in self.relays(ctx, state, probe.target) {
                    let updates = state.membership.piggyback(max);
                    let target = probe.target;
                    let req = Msg::PingReq {
                        seq,
                        target,
                        updates,
                    };
                    send(ctx, relay, req);
                }
            }
            Timer::Suspicion {
                member,
                incarnation,
            } => {
                let known = state.membership.member(member);
                if known.health == Health::Suspect && known.incarnation == incarnation {
                    let death = Update {
                        member,
                        health: Health::Dead,
                        incarnation,
                    };
                    self.learn(ctx, state, death);
                }
            }
        }
    }

    fn view(&self, state: &State) -> u32 {
        self.suspected(state)
    }
}

impl Detector for Swim {
    fn watches(&self, monitor: NodeId, target: NodeId, _: u32) -> bool {
        monitor != target
    }

    fn suspects(&self, state: &State, target: NodeId) -> bool {
        target.index() < state.membership.len()
            && state.membership.member(target).health != Health::Alive
    }

    fn suspected(&self, state: &State) -> u32 {
        state.membership.suspected()
    }
}

impl Swim {
    /// Applies piggybacked updates.
    fn absorb(&self, ctx: &mut impl Ctx<Self>, state: &mut State, updates: &[Update]) {
        for &u in updates {
            self.learn(ctx, state, u);
        }
    }

    /// Applies one update: reports a change of health, starts a suspicion timer.
    fn learn(&self, ctx: &mut impl Ctx<Self>, state: &mut State, update: Update) {
        let Applied {
            observation,
            suspected,
        } = state.membership.apply(update);
        if let Some(o) = observation {
            ctx.observe(o);
        }
        if let Some(incarnation) = suspected {
            let member = update.member;
            let timer = Timer::Suspicion {
                member,
                incarnation,
            };
            ctx.set_timer(self.params.suspicion_timeout, timer);
        }
    }

    /// The member to probe this period, if any is not known dead.
    fn next_target(&self, ctx: &mut impl Ctx<Self>, state: &mut State) -> Option<NodeId> {
        let n = state.order.len();
        match self.params.probe_order {
            ProbeOrder::RoundRobin => {
                for _ in 0..n {
                    if state.cursor >= n {
                        ctx.rng().shuffle(&mut state.order);
                        state.cursor = 0;
                    }
                    let m = state.order[state.cursor];
                    state.cursor += 1;
                    if state.membership.probeable(m) {
                        return Some(m);
                    }
                }
                None
            }
            ProbeOrder::Random => {
                // Rejection keeps the choice uniform over probeable members and costs
                // O(1) while few are dead; the scan settles the rest.
                for _ in 0..64 {
                    let m = NodeId(ctx.rng().below(state.membership.len() as u64) as u32);
                    if state.membership.probeable(m) {
                        return Some(m);
                    }
                }
                let alive: Vec<NodeId> = state
                    .order
                    .iter()
                    .copied()
                    .filter(|&m| state.membership.probeable(m))
                    .collect();
                ctx.rng().choose(&alive).copied()
            }
        }
    }

    /// Up to k distinct members, other than the target, to probe it indirectly.
    fn relays(&self, ctx: &mut impl Ctx<Self>, state: &State, target: NodeId) -> Vec<NodeId> {
        let mut candidates: Vec<NodeId> = state
            .order
            .iter()
            .copied()
            .filter(|&m| m != target && state.membership.probeable(m))
            .collect();
        // Sorted first, so the choice does not depend on the round-robin order.
        candidates.sort_unstable();
        let k = (self.params.indirect_probes as usize).min(candidates.len());
        for i in 0..k {
            let j = i + ctx.rng().below((candidates.len() - i) as u64) as usize;
            candidates.swap(i, j);
        }
        candidates.truncate(k);
        candidates
    }
}
