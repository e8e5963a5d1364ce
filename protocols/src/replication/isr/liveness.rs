//! The failure detector as a part of a broker or controller of the in-sync-replica
//! model (with a `detector` parameter): starting it, running its messages and timers
//! through `Within`, and asking whom it suspects. Brokers only run it (so that they
//! beat, answer probes or are scraped); controllers act on what it tells them.

use super::{DetectorLens, Isr};
use crate::detection::{any, Detector, DetectorObservation};
use hasim_sim::{Ctx, NodeId, Protocol, Within};

/// The detector's state on this node, when the run has a detector.
pub(super) type Liveness = Option<any::State>;

/// Starts the detector on this node (nothing without a `detector` parameter).
pub(super) fn start(isr: &Isr, ctx: &mut impl Ctx<Isr>) -> Liveness {
    let d = isr.detector()?;
    Some(d.start(
        &mut Within::<_, DetectorLens>::new(ctx, isr.detector_span()),
        &(),
    ))
}

/// Runs a detector message; returns what the detector now says.
pub(super) fn on_message(
    isr: &Isr,
    ctx: &mut impl Ctx<Isr>,
    state: &mut Liveness,
    source: NodeId,
    msg: any::Msg,
) -> Vec<DetectorObservation> {
    let (Some(d), Some(s)) = (isr.detector(), state.as_mut()) else {
        return Vec::new();
    };
    let mut w = Within::<_, DetectorLens>::new(ctx, isr.detector_span()).hearing();
    d.on_message(&mut w, s, source, msg);
    w.heard()
}

/// Runs a detector timer; returns what the detector now says.
pub(super) fn on_timer(
    isr: &Isr,
    ctx: &mut impl Ctx<Isr>,
    state: &mut Liveness,
    timer: any::Timer,
) -> Vec<DetectorObservation> {
    let (Some(d), Some(s)) = (isr.detector(), state.as_mut()) else {
        return Vec::new();
    };
    let mut w = Within::<_, DetectorLens>::new(ctx, isr.detector_span()).hearing();
    d.on_timer(&mut w, s, timer);
    w.heard()
}

/// Whether the detector suspects `node` now; `None` without a detector.
pub(super) fn suspects(isr: &Isr, state: &Liveness, node: NodeId) -> Option<bool> {
    match (isr.detector(), state) {
        (Some(d), Some(s)) => Some(d.suspects(s, node)),
        _ => None,
    }
}
