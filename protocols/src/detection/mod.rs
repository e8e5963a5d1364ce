//! Failure detection: the models of how nodes come to suspect one another, and the
//! figures that judge them (detection time, mistakes, message cost).
//!
//! Every model is a [`Detector`]: a component with its own messages, timers and state
//! that a host protocol embeds (a replica "has" a detector), acting through the host's
//! `Ctx` by way of [`Host`], which wraps the detector's messages, timers and
//! observations into the host's own types. Everything stays monomorphised.
//! [`Standalone`] is the host that runs nothing but the detector, so each model is a
//! [`Protocol`] of its own, ready for a scenario.
//!
//! All models speak one vocabulary, [`DetectorObservation`]: a monitor starts to
//! suspect a target, trusts it again, or (SWIM) confirms it failed. [`figures`]
//! turns those observations, the fault schedule and the node timelines into the
//! Chen–Toueg–Aguilera quality-of-service figures.
//!
//! ## Map of the modules
//! - [`heartbeat`]: fixed-interval heartbeats, push or pull, timeout or k missed.
//! - [`phi`]: phi accrual (Hayashibara et al.) over push heartbeats.
//! - [`swim`]: SWIM (Das, Gupta, Motivala): ping, ping-req, suspicion, dissemination.
//! - [`prometheus`]: scrapes, an `up == 0` alert rule with `for:`, alert delivery.
//! - [`figures`]: detection time, false suspicions, message cost from a finished run.

pub mod figures;
pub mod heartbeat;
pub mod phi;
pub mod prometheus;
pub mod swim;

pub use figures::{Detection, DetectionReport, FalseSuspicion};
pub use heartbeat::{Heartbeat, HeartbeatParams};
pub use phi::{PhiAccrual, PhiAccrualParams};
pub use prometheus::{Prometheus, PrometheusParams};
pub use swim::{Swim, SwimParams};

use core::fmt::Debug;
use hasim_sim::{Ctx, Describe, Detail, NodeId, Protocol, SimDuration, TimerId};
use serde::{Deserialize, Serialize};

/// The counter every detector adds its sends to, for the message-cost figure.
pub const MESSAGES_COUNTER: &str = "detection_messages";

/// What a detector tells its host about a target. Recorded with `ctx.observe` and
/// returned from every handler, so the host can act in the same event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DetectorObservation {
    /// This node now suspects `target` has failed.
    Suspect {
        /// The node suspected.
        target: NodeId,
    },
    /// This node no longer suspects `target`.
    Trust {
        /// The node trusted again.
        target: NodeId,
    },
    /// This node considers `target` failed for good (SWIM's confirm); it stays
    /// suspected until trusted again.
    Confirm {
        /// The node confirmed failed.
        target: NodeId,
    },
}

impl DetectorObservation {
    /// The node the observation is about.
    pub fn target(self) -> NodeId {
        match self {
            DetectorObservation::Suspect { target }
            | DetectorObservation::Trust { target }
            | DetectorObservation::Confirm { target } => target,
        }
    }
}

impl Describe for DetectorObservation {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            DetectorObservation::Suspect { target } => d.name("suspect").node("target", target),
            DetectorObservation::Trust { target } => d.name("trust").node("target", target),
            DetectorObservation::Confirm { target } => d.name("confirm").node("target", target),
        };
    }
}

/// Which nodes watch which, for the detectors that do not gossip.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Monitors {
    /// Node 0 watches every other node (a central monitor).
    #[default]
    One,
    /// Every node watches every other node (all-to-all).
    All,
}

impl Monitors {
    /// Whether `monitor` watches `target`.
    pub fn watches(self, monitor: NodeId, target: NodeId) -> bool {
        monitor != target
            && match self {
                Monitors::One => monitor == NodeId(0),
                Monitors::All => true,
            }
    }
}

/// Parameters that make no sense, with the reason (names the field).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidParams(pub String);

impl core::fmt::Display for InvalidParams {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}
impl std::error::Error for InvalidParams {}

/// Fails with `field: must be positive` when a duration is zero.
pub(crate) fn positive(field: &str, d: SimDuration) -> Result<(), InvalidParams> {
    if d.is_zero() {
        Err(InvalidParams(format!("{field}: must be longer than 0s")))
    } else {
        Ok(())
    }
}

/// A failure detector as a component: what a host embeds and drives.
///
/// Handlers return the observations they made (also recorded with `ctx.observe`), so
/// a host learns "suspect X" in the same event. Handlers receive the host's `Ctx`; a
/// detector acts only through [`Host`]'s wrappings.
pub trait Detector: Sized + 'static {
    /// The detector's messages.
    type Msg: Clone + Debug + Describe;
    /// The detector's timers.
    type Timer: Copy + Debug + Describe;
    /// A node's detector state: dropped on crash.
    type State;

    /// Whether `monitor` watches `target` in a run of `nodes` nodes: whose suspicions
    /// of a failed target count towards "detected by all".
    fn watches(&self, monitor: NodeId, target: NodeId, nodes: u32) -> bool;

    /// Starts (or restarts) the detector on a node.
    fn start<H: Host<Self>>(&self, ctx: &mut impl Ctx<H>) -> Self::State;

    /// Handles one of the detector's messages.
    fn on_message<H: Host<Self>>(
        &self,
        ctx: &mut impl Ctx<H>,
        state: &mut Self::State,
        source: NodeId,
        msg: Self::Msg,
    ) -> Vec<DetectorObservation>;

    /// Handles one of the detector's timers.
    fn on_timer<H: Host<Self>>(
        &self,
        ctx: &mut impl Ctx<H>,
        state: &mut Self::State,
        timer: Self::Timer,
    ) -> Vec<DetectorObservation>;

    /// Whether this node currently suspects `target`.
    fn suspects(&self, state: &Self::State, target: NodeId) -> bool;

    /// How many nodes this node currently suspects.
    fn suspected(&self, state: &Self::State) -> u32;
}

/// A protocol that embeds detector `D`: how `D`'s types become its own.
pub trait Host<D: Detector>: Protocol {
    /// Wraps a detector message.
    fn wrap_msg(msg: D::Msg) -> Self::Msg;
    /// Wraps a detector timer.
    fn wrap_timer(timer: D::Timer) -> Self::Timer;
    /// Wraps a detector observation.
    fn wrap_observation(observation: DetectorObservation) -> Self::Observation;
}

/// The effects detectors make through their host; kept out of [`Detector`] so no
/// model can override them.
pub(crate) trait Effects: Detector {
    /// Sends a detector message and counts it for the message-cost figure.
    fn send<H: Host<Self>>(ctx: &mut impl Ctx<H>, target: NodeId, msg: Self::Msg) {
        ctx.count(MESSAGES_COUNTER, 1);
        ctx.send(target, H::wrap_msg(msg));
    }

    /// Sets a detector timer.
    fn timer<H: Host<Self>>(ctx: &mut impl Ctx<H>, after: SimDuration, t: Self::Timer) -> TimerId {
        ctx.set_timer(after, H::wrap_timer(t))
    }

    /// Records an observation and keeps it for the host.
    fn tell<H: Host<Self>>(
        ctx: &mut impl Ctx<H>,
        told: &mut Vec<DetectorObservation>,
        observation: DetectorObservation,
    ) {
        ctx.observe(H::wrap_observation(observation));
        told.push(observation);
    }
}

impl<D: Detector> Effects for D {}

/// A protocol that runs nothing but detector `D` on every node.
#[derive(Clone, Debug)]
pub struct Standalone<D>(pub D);

impl<D: Detector> Protocol for Standalone<D> {
    type Msg = D::Msg;
    type Timer = D::Timer;
    type State = D::State;
    type Durable = ();
    /// How many nodes this node suspects.
    type View = u32;
    type Observation = DetectorObservation;

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> D::State {
        self.0.start(ctx)
    }

    fn on_message(
        &self,
        ctx: &mut impl Ctx<Self>,
        state: &mut D::State,
        source: NodeId,
        msg: D::Msg,
    ) {
        self.0.on_message(ctx, state, source, msg);
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut D::State, timer: D::Timer) {
        self.0.on_timer(ctx, state, timer);
    }

    fn view(&self, state: &D::State) -> u32 {
        self.0.suspected(state)
    }
}

impl<D: Detector> Host<D> for Standalone<D> {
    fn wrap_msg(msg: D::Msg) -> D::Msg {
        msg
    }
    fn wrap_timer(timer: D::Timer) -> D::Timer {
        timer
    }
    fn wrap_observation(observation: DetectorObservation) -> DetectorObservation {
        observation
    }
}
