//! Failure detection: the models of how nodes come to suspect one another, and the
//! figures that judge them (detection time, mistakes, message cost).
//!
//! Every model is a [`Detector`]: a plain [`Protocol`] (ready for a scenario on its
//! own) that any design embeds as a part through `hasim_sim::Within`, hearing its
//! suspicions (a replica "has" a detector). [`AnyDetector`] is the closed set of them
//! as one protocol, so a design takes its detector as a parameter
//! (`detector = { kind = "phi_accrual", threshold = 8 }`) and stays monomorphised.
//!
//! All models speak one vocabulary, [`DetectorObservation`]: a monitor starts to
//! suspect a target, trusts it again, or (SWIM) confirms it failed. [`figures`]
//! turns those observations, the fault schedule and the node timelines into the
//! Chen–Toueg–Aguilera quality-of-service figures.
//!
//! ## Map of the modules
//! - [`any`]: every detector as one protocol, chosen by a `kind` parameter.
//! - [`heartbeat`]: fixed-interval heartbeats, push or pull, timeout or k missed.
//! - [`phi`]: phi accrual (Hayashibara et al.) over push heartbeats.
//! - [`swim`]: SWIM (Das, Gupta, Motivala): ping, ping-req, suspicion, dissemination.
//! - [`prometheus`]: scrapes, an `up == 0` alert rule with `for:`, alert delivery.
//! - [`memory`]: a detector's state estimated from the layout, refused when too big.
//! - [`figures`]: detection time, false suspicions, message cost from a finished run.

pub mod any;
pub mod catalogue;
pub mod figures;
pub mod heartbeat;
pub mod memory;
pub mod phi;
pub mod prometheus;
pub mod swim;

pub use any::{AnyDetector, DetectorParams};
pub use figures::{Detection, DetectionReport, FalseSuspicion};
pub use heartbeat::{Heartbeat, HeartbeatParams};
pub use phi::{PhiAccrual, PhiAccrualParams};
pub use prometheus::{Prometheus, PrometheusParams};
pub use swim::{Swim, SwimParams};

use core::fmt::Debug;
use hasim_sim::{Ctx, Describe, Detail, NodeId, Protocol, SimDuration};
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

pub use crate::InvalidParams;

/// Fails with `field: must be positive` when a duration is zero.
pub(crate) fn positive(field: &str, d: SimDuration) -> Result<(), InvalidParams> {
    if d.is_zero() {
        Err(InvalidParams::field(field, "must be longer than 0s"))
    } else {
        Ok(())
    }
}

/// A failure detector: a plain [`Protocol`] whose nodes tell, as observations, whom
/// they suspect. Run alone (a scenario's `protocol = "heartbeat"`), or as a part of a
/// host through [`Within`](hasim_sim::Within): a host that reacts to suspicion hears
/// the part (`Within::hearing`) and acts in the same event. A detector has no disk: a
/// restarted monitor trusts everyone and starts afresh.
pub trait Detector:
    Protocol<Durable = (), View = u32, Observation = DetectorObservation> + Clone + Debug
{
    /// Whether `monitor` watches `target` in a run of `nodes` nodes: whose suspicions
    /// of a failed target count towards "detected by all".
    fn watches(&self, monitor: NodeId, target: NodeId, nodes: u32) -> bool;

    /// Whether this node currently suspects `target`.
    fn suspects(&self, state: &Self::State, target: NodeId) -> bool;

    /// How many nodes this node currently suspects.
    fn suspected(&self, state: &Self::State) -> u32;
}

/// Sends a detector message and counts it for the message-cost figure: every detector
/// sends through this, so `detection_messages` counts exactly the detectors' traffic.
pub(crate) fn send<D: Protocol>(ctx: &mut impl Ctx<D>, target: NodeId, msg: D::Msg) {
    ctx.count(MESSAGES_COUNTER, 1);
    ctx.send(target, msg);
}
