//! Every detector as one protocol, chosen by a parameter: what a design that reacts
//! to suspicion embeds, so that "which detector gives the fastest safe failover" is a
//! question of one line in a scenario (`detector = { kind = "phi_accrual" }`).
//!
//! [`AnyDetector`] is a closed set of the family's detectors. Each variant runs its
//! detector unchanged through a [`Within`] over the whole span (ids unchanged), so a
//! detector behaves inside `AnyDetector` exactly as it does alone: the same draws, the
//! same sends, the same trace text (names are the detector's own, with no prefix). An
//! enum keeps the host monomorphised: one match per event, no boxed messages.

use super::heartbeat::{self, Heartbeat, HeartbeatParams};
use super::phi::{self, PhiAccrual, PhiAccrualParams};
use super::prometheus::{self, Prometheus, PrometheusParams};
use super::swim::{self, Swim, SwimParams};
use super::{Detector, DetectorObservation, InvalidParams, Monitors};
use hasim_sim::{Ctx, Describe, Detail, Lens, NoWrite, NodeId, Protocol, Span, Within};
use serde::{Deserialize, Serialize};

/// A detector's parameters as a design's scenario writes them: `kind` names the
/// detector, the other keys are its own parameters (`hasim list heartbeat` and so on).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DetectorParams {
    /// Fixed-interval heartbeats.
    Heartbeat(HeartbeatParams),
    /// Phi accrual over push heartbeats.
    PhiAccrual(PhiAccrualParams),
    /// SWIM: probes, indirect probes, suspicion and gossip.
    Swim(SwimParams),
    /// Prometheus scrapes with an alert rule.
    Prometheus(PrometheusParams),
}

impl DetectorParams {
    /// The same parameters with every node watching every other, as a design whose
    /// every node acts on its own suspicions needs (SWIM always does).
    pub fn all_to_all(mut self) -> Self {
        match &mut self {
            DetectorParams::Heartbeat(p) => p.monitors = Monitors::All,
            DetectorParams::PhiAccrual(p) => p.monitors = Monitors::All,
            DetectorParams::Prometheus(p) => p.monitors = Monitors::All,
            DetectorParams::Swim(_) => {}
        }
        self
    }

    /// The `kind` as written.
    pub fn kind(&self) -> &'static str {
        match self {
            DetectorParams::Heartbeat(_) => "heartbeat",
            DetectorParams::PhiAccrual(_) => "phi_accrual",
            DetectorParams::Swim(_) => "swim",
            DetectorParams::Prometheus(_) => "prometheus",
        }
    }
}

/// One of the family's detectors: see the module documentation.
#[derive(Clone, Debug)]
pub enum AnyDetector {
    /// Fixed-interval heartbeats.
    Heartbeat(Heartbeat),
    /// Phi accrual.
    PhiAccrual(PhiAccrual),
    /// SWIM.
    Swim(Swim),
    /// Prometheus alerting.
    Prometheus(Prometheus),
}

impl AnyDetector {
    /// The detector `params` describe, or why they make no sense.
    pub fn new(params: DetectorParams) -> Result<Self, InvalidParams> {
        Ok(match params {
            DetectorParams::Heartbeat(p) => AnyDetector::Heartbeat(Heartbeat::new(p)?),
            DetectorParams::PhiAccrual(p) => AnyDetector::PhiAccrual(PhiAccrual::new(p)?),
            DetectorParams::Swim(p) => AnyDetector::Swim(Swim::new(p)?),
            DetectorParams::Prometheus(p) => AnyDetector::Prometheus(Prometheus::new(p)?),
        })
    }
}

/// A message: one detector's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Heartbeat traffic.
    Heartbeat(heartbeat::Msg),
    /// Phi accrual traffic.
    PhiAccrual(phi::Msg),
    /// SWIM traffic.
    Swim(swim::Msg),
    /// Scrapes.
    Prometheus(prometheus::Msg),
}

/// A timer: one detector's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// A heartbeat timer.
    Heartbeat(heartbeat::Timer),
    /// A phi accrual timer.
    PhiAccrual(phi::Timer),
    /// A SWIM timer.
    Swim(swim::Timer),
    /// A Prometheus timer.
    Prometheus(prometheus::Timer),
}

/// A node's state: one detector's.
#[derive(Debug)]
pub enum State {
    /// Heartbeat state.
    Heartbeat(heartbeat::State),
    /// Phi accrual state.
    PhiAccrual(phi::State),
    /// SWIM state.
    Swim(swim::State),
    /// Prometheus state.
    Prometheus(prometheus::State),
}

/// The trace shows a detector's own names: inside a design, `beat` reads as it does
/// in a detection run.
impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Msg::Heartbeat(m) => m.describe(d),
            Msg::PhiAccrual(m) => m.describe(d),
            Msg::Swim(m) => m.describe(d),
            Msg::Prometheus(m) => m.describe(d),
        }
    }
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Timer::Heartbeat(t) => t.describe(d),
            Timer::PhiAccrual(t) => t.describe(d),
            Timer::Swim(t) => t.describe(d),
            Timer::Prometheus(t) => t.describe(d),
        }
    }
}

/// Writes a lens per detector: the variant it wraps into.
macro_rules! lenses {
    ($($lens:ident: $variant:ident($part:ty)),+ $(,)?) => {
        $(
            /// Runs one detector inside [`AnyDetector`].
            #[derive(Default)]
            struct $lens;

            impl Lens for $lens {
                type Host = AnyDetector;
                type Part = $part;
                fn msg(&self, msg: <$part as Protocol>::Msg) -> Msg {
                    Msg::$variant(msg)
                }
                fn timer(&self, timer: <$part as Protocol>::Timer, _: u32) -> Timer {
                    Timer::$variant(timer)
                }
                fn observation(&self, o: DetectorObservation) -> DetectorObservation {
                    o
                }
                fn write(&self, write: NoWrite) -> NoWrite {
                    write
                }
            }
        )+
    };
}

lenses! {
    HeartbeatLens: Heartbeat(Heartbeat),
    PhiLens: PhiAccrual(PhiAccrual),
    SwimLens: Swim(Swim),
    PrometheusLens: Prometheus(Prometheus),
}

/// The whole span: a detector inside `AnyDetector` sees the same ids.
fn whole<P: Protocol>(ctx: &impl Ctx<P>) -> Span {
    Span::new(0, ctx.node_count())
}

impl Protocol for AnyDetector {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = ();
    /// How many nodes this node suspects.
    type View = u32;
    type Observation = DetectorObservation;

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> State {
        let span = whole(ctx);
        match self {
            AnyDetector::Heartbeat(d) => {
                State::Heartbeat(d.start(&mut Within::<_, HeartbeatLens>::new(ctx, span), &()))
            }
            AnyDetector::PhiAccrual(d) => {
                State::PhiAccrual(d.start(&mut Within::<_, PhiLens>::new(ctx, span), &()))
            }
            AnyDetector::Swim(d) => {
                State::Swim(d.start(&mut Within::<_, SwimLens>::new(ctx, span), &()))
            }
            AnyDetector::Prometheus(d) => {
                State::Prometheus(d.start(&mut Within::<_, PrometheusLens>::new(ctx, span), &()))
            }
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        let span = whole(ctx);
        match (self, state, msg) {
            (AnyDetector::Heartbeat(d), State::Heartbeat(s), Msg::Heartbeat(m)) => d.on_message(
                &mut Within::<_, HeartbeatLens>::new(ctx, span),
                s,
                source,
                m,
            ),
            (AnyDetector::PhiAccrual(d), State::PhiAccrual(s), Msg::PhiAccrual(m)) => {
                d.on_message(&mut Within::<_, PhiLens>::new(ctx, span), s, source, m)
            }
            (AnyDetector::Swim(d), State::Swim(s), Msg::Swim(m)) => {
                d.on_message(&mut Within::<_, SwimLens>::new(ctx, span), s, source, m)
            }
            (AnyDetector::Prometheus(d), State::Prometheus(s), Msg::Prometheus(m)) => d.on_message(
                &mut Within::<_, PrometheusLens>::new(ctx, span),
                s,
                source,
                m,
            ),
            // Every node runs the same detector, so another kind's message cannot come.
            _ => unreachable!("a detector message of another kind"),
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        let span = whole(ctx);
        match (self, state, timer) {
            (AnyDetector::Heartbeat(d), State::Heartbeat(s), Timer::Heartbeat(t)) => {
                d.on_timer(&mut Within::<_, HeartbeatLens>::new(ctx, span), s, t)
            }
            (AnyDetector::PhiAccrual(d), State::PhiAccrual(s), Timer::PhiAccrual(t)) => {
                d.on_timer(&mut Within::<_, PhiLens>::new(ctx, span), s, t)
            }
            (AnyDetector::Swim(d), State::Swim(s), Timer::Swim(t)) => {
                d.on_timer(&mut Within::<_, SwimLens>::new(ctx, span), s, t)
            }
            (AnyDetector::Prometheus(d), State::Prometheus(s), Timer::Prometheus(t)) => {
                d.on_timer(&mut Within::<_, PrometheusLens>::new(ctx, span), s, t)
            }
            _ => unreachable!("a detector timer of another kind"),
        }
    }

    fn view(&self, state: &State) -> u32 {
        self.suspected(state)
    }
}

impl Detector for AnyDetector {
    fn watches(&self, monitor: NodeId, target: NodeId, nodes: u32) -> bool {
        match self {
            AnyDetector::Heartbeat(d) => d.watches(monitor, target, nodes),
            AnyDetector::PhiAccrual(d) => d.watches(monitor, target, nodes),
            AnyDetector::Swim(d) => d.watches(monitor, target, nodes),
            AnyDetector::Prometheus(d) => d.watches(monitor, target, nodes),
        }
    }

    fn suspects(&self, state: &State, target: NodeId) -> bool {
        match (self, state) {
            (AnyDetector::Heartbeat(d), State::Heartbeat(s)) => d.suspects(s, target),
            (AnyDetector::PhiAccrual(d), State::PhiAccrual(s)) => d.suspects(s, target),
            (AnyDetector::Swim(d), State::Swim(s)) => d.suspects(s, target),
            (AnyDetector::Prometheus(d), State::Prometheus(s)) => d.suspects(s, target),
            _ => false,
        }
    }

    fn suspected(&self, state: &State) -> u32 {
        match (self, state) {
            (AnyDetector::Heartbeat(d), State::Heartbeat(s)) => d.suspected(s),
            (AnyDetector::PhiAccrual(d), State::PhiAccrual(s)) => d.suspected(s),
            (AnyDetector::Swim(d), State::Swim(s)) => d.suspected(s),
            (AnyDetector::Prometheus(d), State::Prometheus(s)) => d.suspected(s),
            _ => 0,
        }
    }
}

/// Declares the [`Lens`] a host runs its [`AnyDetector`] through, over every node with
/// ids unchanged: the host's `Msg`, `Timer` and `Observation` each wrap the detector's
/// in a `Detector` variant, and the detector writes nothing to the host's disk. Every
/// design that takes `detector = {...}` embeds it this way.
macro_rules! detector_lens {
    ($(#[$doc:meta])* $lens:ident for $host:ty, disk = $write:ty) => {
        $(#[$doc])*
        #[derive(Default)]
        pub(crate) struct $lens;

        impl hasim_sim::Lens for $lens {
            type Host = $host;
            type Part = $crate::detection::AnyDetector;
            fn msg(&self, msg: $crate::detection::any::Msg) -> Msg {
                Msg::Detector(msg)
            }
            fn timer(&self, timer: $crate::detection::any::Timer, _: u32) -> Timer {
                Timer::Detector(timer)
            }
            fn observation(&self, observation: $crate::detection::DetectorObservation) -> Observation {
                Observation::Detector(observation)
            }
            fn write(&self, write: hasim_sim::NoWrite) -> $write {
                match write {}
            }
        }
    };
}
pub(crate) use detector_lens;
