//! Explicit faults that cannot do anything: a `restart` of a node that is not
//! crashed at that time, a `resume` of one that is not paused, a `heal` with no
//! partition in force, a latency spike (explicit or `[faults.random]`) whose `extra`
//! is 0s. They are warnings, not
//! errors (the run is still the one the file describes), printed by `hasim check`
//! and `hasim run`; they change no trace.
//!
//! Only what the file fixes is followed: `[[fault]]` entries with named targets, in
//! time order, with the undo their `lasts`/`restart_after` schedules. A random
//! target, a generator or a `[[schedule]]` entry could make any of them effective,
//! so with one of those the state is unknown and nothing is said.

use super::plan::{ExplicitFault, FaultPlan};
use super::schema::{self, FaultKind};
use super::selector::NodeLabels;
use hasim_sim::{NodeId, SimTime};
use std::collections::BTreeSet;
use std::ops::Range;

/// What one fault warns about: where in the file, and why it does nothing.
pub(super) type Warning = (Range<usize>, String);

/// One change of state, from a fault or its scheduled undo.
enum Step {
    Crash,
    Restart,
    Pause,
    Resume,
    Partition,
    Heal,
}

pub(super) fn warnings(
    file: &schema::File,
    plan: &FaultPlan,
    nodes: &[NodeLabels],
) -> Vec<Warning> {
    let mut out = random_spike(file);
    for (i, (f, spec)) in plan.explicit.iter().zip(&file.faults).enumerate() {
        if f.kind == FaultKind::LatencySpike && f.extra.is_zero() {
            out.push((
                spec.span(),
                format!(
                    "fault[{i}] (latency_spike at {}): `extra` is 0s, so the spike adds no latency",
                    f.at
                ),
            ));
        }
    }
    let generated = plan.random.is_some()
        || plan.swarm.is_some()
        || plan.lifecycle.is_some()
        || !plan.concrete.is_empty();
    let random = plan.explicit.iter().any(|f| {
        [&f.target, &f.source, &f.among]
            .into_iter()
            .flatten()
            .any(|s| s.is_random())
    });
    if generated || random {
        return out;
    }
    // (time, file order, undo last at a tie, step, nodes, the fault it warns about)
    let mut steps: Vec<(SimTime, usize, bool, Step, Vec<NodeId>)> = Vec::new();
    for (i, f) in plan.explicit.iter().enumerate() {
        let targets = resolve(f, nodes);
        let (step, undo) = match f.kind {
            FaultKind::Crash => (Step::Crash, Some(Step::Restart)),
            FaultKind::Restart => (Step::Restart, None),
            FaultKind::Pause => (Step::Pause, Some(Step::Resume)),
            FaultKind::Resume => (Step::Resume, None),
            FaultKind::Partition => (Step::Partition, Some(Step::Heal)),
            FaultKind::Heal => (Step::Heal, None),
            _ => continue,
        };
        if let (Some(undo), Some(lasts)) = (undo, f.lasts) {
            steps.push((f.at.saturating_add(lasts), i, true, undo, targets.clone()));
        }
        steps.push((f.at, i, false, step, targets));
    }
    steps.sort_by_key(|(at, i, undo, _, _)| (*at, *i, *undo));
    let (mut crashed, mut paused) = (BTreeSet::new(), BTreeSet::new());
    let mut partitions = 0usize;
    for (at, i, undo, step, targets) in steps {
        let name = |n: &NodeId| nodes[n.index()].name.clone();
        let idle: Vec<String> = match step {
            Step::Crash => {
                crashed.extend(targets.iter().copied());
                continue;
            }
            Step::Pause => {
                paused.extend(targets.iter().copied());
                continue;
            }
            Step::Partition => {
                partitions += 1;
                continue;
            }
            Step::Restart => targets
                .iter()
                .filter(|n| !crashed.remove(*n))
                .map(name)
                .collect(),
            Step::Resume => targets
                .iter()
                .filter(|n| !paused.remove(*n))
                .map(name)
                .collect(),
            Step::Heal => {
                let none = partitions == 0;
                partitions = 0;
                if none && !undo {
                    out.push((
                        file.faults[i].span(),
                        format!("fault[{i}] (heal at {at}): no partition is in force then, so the heal does nothing"),
                    ));
                }
                continue;
            }
        };
        if undo || idle.is_empty() {
            continue;
        }
        let (kind, state) = match step {
            Step::Restart => ("restart", "crashed"),
            _ => ("resume", "paused"),
        };
        out.push((
            file.faults[i].span(),
            format!(
                "fault[{i}] ({kind} at {at}): {} {} not {state} then, so the {kind} does nothing to {}",
                idle.join(", "),
                if idle.len() == 1 { "is" } else { "are" },
                if idle.len() == 1 { "it" } else { "them" },
            ),
        ));
    }
    out
}

/// A `[faults.random]` latency spike adding no latency.
fn random_spike(file: &schema::File) -> Vec<Warning> {
    let Some(r) = &file.generators.random else {
        return Vec::new();
    };
    match &r.get_ref().latency_spike {
        Some(spike) if spike.extra.is_zero() => vec![(
            r.span(),
            "faults.random.latency_spike: `extra` is 0s, so its spikes add no latency".to_string(),
        )],
        _ => Vec::new(),
    }
}

/// The nodes a fault with named targets acts on.
fn resolve(f: &ExplicitFault, nodes: &[NodeLabels]) -> Vec<NodeId> {
    let mut rng = hasim_sim::Seed(0).stream("unused");
    f.target
        .as_ref()
        .map_or_else(Vec::new, |t| t.resolve(nodes, &[], &mut rng))
}
