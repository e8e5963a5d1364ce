//! Monitoring-based detection as Prometheus and Alertmanager do it: what a `for: 1m`
//! on an `up == 0` alert costs in detection time.
//!
//! Node 0 is the Prometheus server (or, with `monitors = "all"`, every node is a
//! server of its own); every other node is a scrape target. Each target
//! is scraped every `scrape_interval` (at its own random offset, as Prometheus spreads
//! targets); a scrape that gets no answer within `scrape_timeout` sets the target's
//! `up` to 0, an answered one to 1. Every `evaluation_interval` the rule `up == 0` is
//! evaluated for each target: a target found down becomes pending, and its alert fires
//! at the first evaluation at which it has been pending for at least `for` (at once
//! when `for` is 0s); a target found up is no longer pending, and a firing alert
//! resolves. A fired or resolved alert reaches the recovery machinery after
//! `delivery_delay` (Alertmanager's `group_wait`), and that is when this detector says
//! Suspect or Trust.
//!
//! Simplifies: one server, one rule, no staleness markers or series churn; a late
//! scrape answer is ignored; Alertmanager's grouping, inhibition and repeat interval
//! are one fixed delay, the same for firing and resolved notifications; a restarted
//! server forgets pending and firing alerts (Prometheus restores `for` state from its
//! TSDB; this model does not).
//!
//! Promises: an alert fires only after `up == 0` was seen at evaluations spanning at
//! least `for`; the detector says Suspect once per firing and Trust once per
//! resolution, each exactly `delivery_delay` after the evaluation that decided it.

use super::{positive, send, Detector, DetectorObservation, InvalidParams, Monitors};
use hasim_sim::{Ctx, Describe, Detail, NodeId, Protocol, SimDuration, SimTime};
use serde::{Deserialize, Serialize};

/// Parameters of [`Prometheus`]; the defaults are Prometheus's and Alertmanager's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrometheusParams {
    /// Time between scrapes of a target (default 15s, as in Prometheus's example
    /// configuration).
    pub scrape_interval: SimDuration,
    /// How long a scrape may take before the target counts as down (default 10s); at
    /// most `scrape_interval`.
    pub scrape_timeout: SimDuration,
    /// Time between rule evaluations (default 15s).
    pub evaluation_interval: SimDuration,
    /// How long `up == 0` must hold before the alert fires (the rule's `for:`,
    /// default 1m).
    #[serde(rename = "for")]
    pub for_duration: SimDuration,
    /// From firing to the recovery machinery (default 30s, Alertmanager's
    /// `group_wait`).
    pub delivery_delay: SimDuration,
    /// One server, node 0, scraping every other node (default), or every node a
    /// server scraping every other (`all`: each replica of a design runs its own
    /// monitoring, so each can act on its own alerts).
    pub monitors: Monitors,
}

impl Default for PrometheusParams {
    fn default() -> Self {
        PrometheusParams {
            scrape_interval: SimDuration::from_secs(15),
            scrape_timeout: SimDuration::from_secs(10),
            evaluation_interval: SimDuration::from_secs(15),
            for_duration: SimDuration::from_secs(60),
            delivery_delay: SimDuration::from_secs(30),
            monitors: Monitors::One,
        }
    }
}

/// The Prometheus alerting detector. See the module documentation.
#[derive(Clone, Debug)]
pub struct Prometheus {
    params: PrometheusParams,
}

impl Prometheus {
    /// A detector with validated parameters.
    pub fn new(params: PrometheusParams) -> Result<Self, InvalidParams> {
        positive("scrape_interval", params.scrape_interval)?;
        positive("scrape_timeout", params.scrape_timeout)?;
        positive("evaluation_interval", params.evaluation_interval)?;
        if params.scrape_timeout > params.scrape_interval {
            return Err(InvalidParams::rule(format!(
                "scrape_timeout: {} is longer than scrape_interval {}",
                params.scrape_timeout, params.scrape_interval
            )));
        }
        Ok(Prometheus { params })
    }

    /// The parameters.
    pub fn params(&self) -> &PrometheusParams {
        &self.params
    }
}

/// Scrape traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    /// The server asks a target for its metrics.
    Scrape {
        /// The scrape's number for this target.
        seq: u64,
    },
    /// A target's answer.
    Metrics {
        /// The scrape it answers.
        seq: u64,
    },
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Msg::Scrape { seq } => d.name("scrape").u64("seq", seq),
            Msg::Metrics { seq } => d.name("metrics").u64("seq", seq),
        };
    }
}

/// The server's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// Scrape `target`.
    Scrape {
        /// The target.
        target: NodeId,
    },
    /// Scrape `seq` of `target` has had its time.
    ScrapeTimeout {
        /// The target.
        target: NodeId,
        /// The scrape.
        seq: u64,
    },
    /// Evaluate the alert rule.
    Evaluate,
    /// A notification about `target` reaches the recovery machinery.
    Deliver {
        /// The target.
        target: NodeId,
        /// Firing (true) or resolved (false).
        firing: bool,
    },
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Timer::Scrape { target } => d.name("scrape").node("target", target),
            Timer::ScrapeTimeout { target, seq } => d
                .name("scrape_timeout")
                .node("target", target)
                .u64("seq", seq),
            Timer::Evaluate => d.name("evaluate"),
            Timer::Deliver { target, firing } => d
                .name("deliver")
                .node("target", target)
                .bool("firing", firing),
        };
    }
}

/// The server's record of one target.
#[derive(Clone, Copy, Debug, Default)]
pub struct Target {
    seq: u64,
    in_flight: bool,
    /// The last scrape's result; `None` before the first.
    up: Option<bool>,
    /// Local time of the first evaluation that found it down, while pending.
    pending_since: Option<SimTime>,
    firing: bool,
    /// The recovery machinery has been told it is down.
    suspected: bool,
}

/// A node's state: the server's targets (empty on targets).
#[derive(Clone, Debug)]
pub struct State {
    targets: Vec<Target>,
    suspected: u32,
}

impl Protocol for Prometheus {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = ();
    /// How many nodes this node suspects.
    type View = u32;
    type Observation = DetectorObservation;

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> State {
        let me = ctx.id();
        let p = &self.params;
        if !(0..ctx.node_count()).any(|t| p.monitors.watches(me, NodeId(t))) {
            return State {
                targets: Vec::new(),
                suspected: 0,
            };
        }
        for t in 0..ctx.node_count() {
            let target = NodeId(t);
            if p.monitors.watches(me, target) {
                let offset = ctx.rng().below(p.scrape_interval.as_nanos());
                ctx.set_timer(SimDuration::from_nanos(offset), Timer::Scrape { target });
            }
        }
        let offset = ctx.rng().below(p.evaluation_interval.as_nanos());
        ctx.set_timer(SimDuration::from_nanos(offset), Timer::Evaluate);
        State {
            targets: vec![Target::default(); ctx.node_count() as usize],
            suspected: 0,
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        match msg {
            Msg::Scrape { seq } => send(ctx, source, Msg::Metrics { seq }),
            Msg::Metrics { seq } => {
                if let Some(t) = state.targets.get_mut(source.index()) {
                    if t.in_flight && t.seq == seq {
                        t.in_flight = false;
                        t.up = Some(true);
                    }
                }
            }
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        let p = &self.params;
        match timer {
            Timer::Scrape { target } => {
                let t = &mut state.targets[target.index()];
                t.seq += 1;
                t.in_flight = true;
                let seq = t.seq;
                send(ctx, target, Msg::Scrape { seq });
                ctx.set_timer(p.scrape_timeout, Timer::ScrapeTimeout { target, seq });
                ctx.set_timer(p.scrape_interval, Timer::Scrape { target });
            }
            Timer::ScrapeTimeout { target, seq } => {
                let t = &mut state.targets[target.index()];
                if t.in_flight && t.seq == seq {
                    t.in_flight = false;
                    t.up = Some(false);
                }
            }
            Timer::Evaluate => {
                let now = ctx.now();
                for i in 0..state.targets.len() {
                    let t = &mut state.targets[i];
                    let target = NodeId(i as u32);
                    // Only watched targets are scraped, so only they have an `up`.
                    if t.up == Some(false) {
                        let since = *t.pending_since.get_or_insert(now);
                        if !t.firing && now.saturating_since(since) >= p.for_duration {
                            t.firing = true;
                            let firing = true;
                            ctx.set_timer(p.delivery_delay, Timer::Deliver { target, firing });
                        }
                    } else {
                        t.pending_since = None;
                        if t.firing {
                            t.firing = false;
                            let firing = false;
                            ctx.set_timer(p.delivery_delay, Timer::Deliver { target, firing });
                        }
                    }
                }
                ctx.set_timer(p.evaluation_interval, Timer::Evaluate);
            }
            Timer::Deliver { target, firing } => {
                let t = &mut state.targets[target.index()];
                if firing && !t.suspected {
                    t.suspected = true;
                    state.suspected += 1;
                    ctx.observe(DetectorObservation::Suspect { target });
                } else if !firing && t.suspected {
                    t.suspected = false;
                    state.suspected -= 1;
                    ctx.observe(DetectorObservation::Trust { target });
                }
            }
        }
    }

    fn view(&self, state: &State) -> u32 {
        self.suspected(state)
    }
}

impl Detector for Prometheus {
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
