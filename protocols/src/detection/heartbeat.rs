//! Fixed-interval heartbeats: the textbook detector every other one is measured against.
//!
//! Push: every watched node sends a heartbeat to each of its monitors every
//! `interval`. Pull: every monitor pings each of its targets every `interval`, and a
//! target acks each ping. The monitor then declares a target suspected by one of two
//! rules:
//! - `timeout`: no heartbeat (or ack) received for `timeout`, measured on the
//!   monitor's clock from the last one received (from the monitor's start before the
//!   first). Detection after a crash is uniform on (timeout + d − interval,
//!   timeout + d] for a constant one-way latency d (push).
//! - `missed`: `missed` consecutive intervals without one. Push: counted at the
//!   monitor's own ticks, every `interval` from its start. Pull: a ping is missed when
//!   its ack has not come back by the next ping.
//!
//! Any heartbeat or ack from a suspected target trusts it again at once.
//!
//! Simplifies: heartbeats carry nothing but a sequence number; senders start at a
//! random phase within the first interval (so nodes are not in lockstep) and keep a
//! fixed period on their own clock; a monitor that restarts trusts everyone and starts
//! its timeouts afresh.
//!
//! Promises: a monitor suspects only targets it watches, at most once until it trusts
//! them again; it never suspects a target it heard from within `timeout` (timeout
//! rule); every Suspect is followed by a Trust when the target is heard from again.

use super::{positive, send, Detector, DetectorObservation, InvalidParams, Monitors};
use hasim_sim::{Ctx, Describe, Detail, NodeId, Protocol, SimDuration, SimTime};
use serde::{Deserialize, Serialize};

/// Who drives the exchange.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Watched nodes send heartbeats.
    #[default]
    Push,
    /// Monitors ping; targets ack.
    Pull,
}

/// When a monitor declares a target suspected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// After `timeout` without a heartbeat.
    #[default]
    Timeout,
    /// After `missed` consecutive intervals without one.
    Missed,
}

/// Parameters of [`Heartbeat`], as a scenario writes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HeartbeatParams {
    /// Push or pull (default push).
    pub mode: Mode,
    /// Time between heartbeats, or between pings (default 1s).
    pub interval: SimDuration,
    /// Timeout or k missed (default timeout).
    pub rule: Rule,
    /// Silence after which a target is suspected, rule `timeout` (default 3s).
    pub timeout: SimDuration,
    /// Consecutive missed intervals after which a target is suspected, rule `missed`
    /// (default 3).
    pub missed: u32,
    /// One central monitor (node 0) or all-to-all (default one).
    pub monitors: Monitors,
}

impl Default for HeartbeatParams {
    fn default() -> Self {
        HeartbeatParams {
            mode: Mode::Push,
            interval: SimDuration::from_secs(1),
            rule: Rule::Timeout,
            timeout: SimDuration::from_secs(3),
            missed: 3,
            monitors: Monitors::One,
        }
    }
}

/// The fixed-interval heartbeat detector. See the module documentation.
#[derive(Clone, Debug)]
pub struct Heartbeat {
    params: HeartbeatParams,
}

impl Heartbeat {
    /// A detector with validated parameters.
    pub fn new(params: HeartbeatParams) -> Result<Self, InvalidParams> {
        positive("interval", params.interval)?;
        positive("timeout", params.timeout)?;
        if params.missed == 0 {
            return Err(InvalidParams::field("missed", "must be at least 1"));
        }
        Ok(Heartbeat { params })
    }

    /// The parameters.
    pub fn params(&self) -> &HeartbeatParams {
        &self.params
    }
}

/// Heartbeat messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    /// A pushed heartbeat.
    Beat {
        /// The sender's heartbeat count.
        seq: u64,
    },
    /// A monitor's ping.
    Ping {
        /// The monitor's ping round.
        seq: u64,
    },
    /// A target's answer to a ping.
    Ack {
        /// The round it answers.
        seq: u64,
    },
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Msg::Beat { seq } => d.name("beat").u64("seq", seq),
            Msg::Ping { seq } => d.name("ping").u64("seq", seq),
            Msg::Ack { seq } => d.name("ack").u64("seq", seq),
        };
    }
}

/// Heartbeat timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// Push: send heartbeats. Pull: count missed acks, then ping every target.
    Round,
    /// Rule missed, push: count the intervals without a heartbeat.
    Tick,
    /// Rule timeout: is `target` still within its timeout?
    Check {
        /// The target whose deadline may have passed.
        target: NodeId,
    },
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Timer::Round => d.name("round"),
            Timer::Tick => d.name("tick"),
            Timer::Check { target } => d.name("check").node("target", target),
        };
    }
}

/// What a monitor knows of one target.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    watched: bool,
    /// Local time of the last heartbeat or ack (the monitor's start before any).
    heard_at: SimTime,
    /// A heartbeat (push) or the current round's ack (pull) came since the last tick.
    heard: bool,
    missed: u32,
    suspected: bool,
    /// A `Check` timer is pending.
    checking: bool,
}

/// A node's heartbeat state, as monitor and as watched node.
#[derive(Clone, Debug)]
pub struct State {
    /// Heartbeats sent (push) or ping rounds started (pull).
    seq: u64,
    /// Indexed by `NodeId`.
    targets: Vec<Target>,
    /// The nodes this node heartbeats to (push).
    monitors: Vec<NodeId>,
    suspected: u32,
}

impl Protocol for Heartbeat {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = ();
    /// How many nodes this node suspects.
    type View = u32;
    type Observation = DetectorObservation;

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> State {
        let (me, nodes, now) = (ctx.id(), ctx.node_count(), ctx.now());
        let targets: Vec<Target> = (0..nodes)
            .map(|t| Target {
                watched: self.params.monitors.watches(me, NodeId(t)),
                heard_at: now,
                heard: false,
                missed: 0,
                suspected: false,
                checking: false,
            })
            .collect();
        let monitors: Vec<NodeId> = (0..nodes)
            .map(NodeId)
            .filter(|&m| self.params.monitors.watches(m, me))
            .collect();
        let watching = targets.iter().any(|t| t.watched);
        let p = &self.params;
        let rounds = match p.mode {
            Mode::Push => !monitors.is_empty(),
            Mode::Pull => watching,
        };
        if rounds {
            // A random phase, so that nodes started together do not beat in lockstep.
            let phase = 1 + ctx.rng().below(p.interval.as_nanos());
            ctx.set_timer(SimDuration::from_nanos(phase), Timer::Round);
        }
        if watching {
            match (p.rule, p.mode) {
                (Rule::Timeout, _) => {
                    for t in (0..nodes).filter(|&t| targets[t as usize].watched) {
                        let target = NodeId(t);
                        ctx.set_timer(p.timeout, Timer::Check { target });
                    }
                }
                (Rule::Missed, Mode::Push) => {
                    ctx.set_timer(p.interval, Timer::Tick);
                }
                (Rule::Missed, Mode::Pull) => {}
            }
        }
        let mut state = State {
            seq: 0,
            targets,
            monitors,
            suspected: 0,
        };
        for t in state.targets.iter_mut() {
            t.checking = t.watched && p.rule == Rule::Timeout;
        }
        state
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        let current = match msg {
            Msg::Ping { seq } => {
                send(ctx, source, Msg::Ack { seq });
                return;
            }
            Msg::Beat { .. } => true,
            Msg::Ack { seq } => seq == state.seq,
        };
        let Some(target) = state.targets.get_mut(source.index()) else {
            return;
        };
        if !target.watched {
            return;
        }
        target.heard_at = ctx.now();
        target.heard |= current;
        if target.suspected {
            target.suspected = false;
            target.missed = 0;
            state.suspected -= 1;
            ctx.observe(DetectorObservation::Trust { target: source });
        }
        if self.params.rule == Rule::Timeout && !target.checking {
            target.checking = true;
            ctx.set_timer(self.params.timeout, Timer::Check { target: source });
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        let p = &self.params;
        match timer {
            Timer::Round => {
                if p.mode == Mode::Pull && p.rule == Rule::Missed && state.seq > 0 {
                    self.count_missed(ctx, state);
                }
                state.seq += 1;
                let seq = state.seq;
                match p.mode {
                    Mode::Push => {
                        for i in 0..state.monitors.len() {
                            send(ctx, state.monitors[i], Msg::Beat { seq });
                        }
                    }
                    Mode::Pull => {
                        for t in 0..state.targets.len() {
                            if state.targets[t].watched {
                                send(ctx, NodeId(t as u32), Msg::Ping { seq });
                            }
                        }
                    }
                }
                ctx.set_timer(p.interval, Timer::Round);
            }
            Timer::Tick => {
                self.count_missed(ctx, state);
                ctx.set_timer(p.interval, Timer::Tick);
            }
            Timer::Check { target } => {
                let now = ctx.now();
                let t = &mut state.targets[target.index()];
                let deadline = t.heard_at.saturating_add(p.timeout);
                if now < deadline {
                    ctx.set_timer(deadline - now, Timer::Check { target });
                } else {
                    t.checking = false;
                    if !t.suspected {
                        t.suspected = true;
                        state.suspected += 1;
                        ctx.observe(DetectorObservation::Suspect { target });
                    }
                }
            }
        }
    }

    fn view(&self, state: &State) -> u32 {
        self.suspected(state)
    }
}

impl Detector for Heartbeat {
    fn watches(&self, monitor: NodeId, target: NodeId, _: u32) -> bool {
        self.params.monitors.watches(monitor, target)
    }

    fn suspects(&self, state: &State, target: NodeId) -> bool {
        state
            .targets
            .get(target.index())
            .is_some_and(|t| t.suspected)
    }

    fn suspected(&self, state: &State) -> u32 {
        state.suspected
    }
}

impl Heartbeat {
    /// Rule missed: closes one interval for every target, suspecting those silent for
    /// `missed` intervals in a row.
    fn count_missed(&self, ctx: &mut impl Ctx<Self>, state: &mut State) {
        for i in 0..state.targets.len() {
            let t = &mut state.targets[i];
            if !t.watched {
                continue;
            }
            if core::mem::take(&mut t.heard) {
                t.missed = 0;
                continue;
            }
            t.missed = t.missed.saturating_add(1);
            if t.missed >= self.params.missed && !t.suspected {
                t.suspected = true;
                state.suspected += 1;
                let target = NodeId(i as u32);
                ctx.observe(DetectorObservation::Suspect { target });
            }
        }
    }
}
