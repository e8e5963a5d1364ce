//! Property evaluation: after each event the engine shows every property the world
//! (views and the event's observations); at the end of the run, eventually and
//! sometimes properties that never held are judged. Split from the run loop so each
//! stays readable on its own.

use crate::id::NodeId;
use crate::property::{Expectation, Violation, World};
use crate::protocol::Protocol;
use crate::sim::{Core, Sim};
use crate::trace::Verb;

impl<P: Protocol> Sim<P> {
    /// Checks every property after an event that concerned `node` (if any).
    pub(crate) fn check_properties(
        &mut self,
        node: Option<NodeId>,
        first_observation: usize,
    ) -> Option<Violation> {
        if let Some(n) = node {
            self.views[n.index()] = self.states[n.index()]
                .as_ref()
                .map(|s| self.protocol.view(s));
        }
        let world = World {
            now: self.core.now,
            node,
            views: &self.views,
            observations: &self.core.observations[first_observation..],
        };
        for tracked in &mut self.properties {
            match tracked.property.expectation() {
                Expectation::Always => {
                    if let Err(message) = tracked.property.check(&world) {
                        return Some(self_violation(&self.core, tracked.property.name(), message));
                    }
                }
                Expectation::Eventually { within } => {
                    if tracked.satisfied_at.is_some() || world.now < self.quiet_from {
                        continue;
                    }
                    match tracked.property.check(&world) {
                        Ok(()) => tracked.satisfied_at = Some(world.now),
                        Err(e) => {
                            let deadline = self.quiet_from.saturating_add(within);
                            if world.now > deadline {
                                let message = format!(
                                    "did not hold within {within} of the last fault at {}: {e}",
                                    self.quiet_from
                                );
                                return Some(self_violation(
                                    &self.core,
                                    tracked.property.name(),
                                    message,
                                ));
                            }
                            tracked.last_error = Some(e);
                        }
                    }
                }
                Expectation::Sometimes => {
                    if tracked.satisfied_at.is_none() {
                        match tracked.property.check(&world) {
                            Ok(()) => tracked.satisfied_at = Some(world.now),
                            Err(e) => tracked.last_error = Some(e),
                        }
                    }
                }
            }
        }
        None
    }

    /// Judges eventually/sometimes properties once the run is over.
    pub(crate) fn finish_properties(&mut self) -> Option<Violation> {
        let world = World {
            now: self.core.now,
            node: None,
            views: &self.views,
            observations: &[],
        };
        for tracked in &mut self.properties {
            let within = match tracked.property.expectation() {
                Expectation::Always => continue,
                Expectation::Eventually { within } => Some(within),
                Expectation::Sometimes => None,
            };
            if tracked.satisfied_at.is_some() {
                continue;
            }
            let why = match tracked.property.check(&world) {
                Ok(()) => continue,
                Err(e) => e,
            };
            let message = match within {
                Some(within) => format!(
                    "did not hold within {within} of the last fault at {} (run ended at {}): {why}",
                    self.quiet_from, world.now
                ),
                None => format!("never held during the run: {why}"),
            };
            return Some(self_violation(&self.core, tracked.property.name(), message));
        }
        None
    }
}

fn self_violation<P: Protocol>(core: &Core<P>, property: &str, message: String) -> Violation {
    Violation {
        property: property.to_string(),
        seed: core.seed,
        time: core.now,
        seq: core.seq,
        message,
        tail: core
            .trace
            .tail
            .as_ref()
            .map(|t| t.records().cloned().collect())
            .unwrap_or_default(),
    }
}

/// Records a violation as the last trace record.
pub(crate) fn trace_violation<P: Protocol>(core: &mut Core<P>, v: &Violation) {
    core.trace
        .emit(core.now, core.seq, None, Verb::Violation, |d| {
            d.str("property", &v.property).str("message", &v.message);
        });
}
