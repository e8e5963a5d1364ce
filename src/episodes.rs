//! Episodes: a fault paired with the fault that undoes it (crash and restart, pause
//! and resume, partition and heal, ...), so that shrinking drops or shortens them as
//! one unit and never leaves a restart without its crash.

use hasim_sim::{Fault, ScheduledFault, SimTime};

/// A fault and, if the schedule has one, the later fault that undoes it.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode {
    /// The fault.
    pub start: ScheduledFault,
    /// Its undoing.
    pub end: Option<ScheduledFault>,
}

impl Episode {
    /// Faults it holds (1 or 2).
    pub fn faults(&self) -> usize {
        1 + usize::from(self.end.is_some())
    }

    /// When its last fault happens.
    pub fn last(&self) -> SimTime {
        self.end.as_ref().map_or(self.start.at, |e| e.at)
    }
}

/// Whether `undo` undoes `fault`.
fn undoes(fault: &Fault, undo: &Fault) -> bool {
    use Fault::*;
    match (fault, undo) {
        (Crash { node: a }, Restart { node: b })
        | (Pause { node: a }, Resume { node: b })
        | (Isolate { node: a }, Rejoin { node: b })
        | (DiskFault { node: a, .. }, DiskHeal { node: b }) => a == b,
        (Partition { .. }, Heal) => true,
        (
            Cut { source, target },
            Uncut {
                source: s,
                target: t,
            },
        ) => source == s && target == t,
        (LinkDown { a, b }, LinkUp { a: x, b: y }) => (a, b) == (x, y) || (a, b) == (y, x),
        (LossSpike { nodes, .. } | LatencySpike { nodes, .. }, SpikeEnd { nodes: n }) => nodes == n,
        _ => false,
    }
}

/// Pairs every fault with the first later fault that undoes it and is not yet taken.
/// The episodes are in the order of their first fault.
pub fn pair(schedule: &[ScheduledFault]) -> Vec<Episode> {
    let mut taken = vec![false; schedule.len()];
    let mut out = Vec::new();
    for i in 0..schedule.len() {
        if taken[i] {
            continue;
        }
        taken[i] = true;
        let end = (i + 1..schedule.len())
            .find(|&j| !taken[j] && undoes(&schedule[i].fault, &schedule[j].fault));
        if let Some(j) = end {
            taken[j] = true;
        }
        out.push(Episode {
            start: schedule[i].clone(),
            end: end.map(|j| schedule[j].clone()),
        });
    }
    out
}

/// The schedule of a set of episodes, time-sorted (stable: equal times keep order).
pub fn flatten(episodes: &[Episode]) -> Vec<ScheduledFault> {
    let mut out: Vec<ScheduledFault> = episodes
        .iter()
        .flat_map(|e| std::iter::once(e.start.clone()).chain(e.end.clone()))
        .collect();
    hasim_sim::fault::sort_schedule(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use hasim_sim::NodeId;

    fn at(s: u64, fault: Fault) -> ScheduledFault {
        ScheduledFault {
            at: SimTime::from_nanos(s * 1_000_000_000),
            fault,
        }
    }

    #[test]
    fn pairs_each_fault_with_its_own_undo() {
        let n = NodeId;
        let schedule = vec![
            at(1, Fault::Crash { node: n(0) }),
            at(2, Fault::Crash { node: n(1) }),
            at(3, Fault::Restart { node: n(1) }),
            at(
                4,
                Fault::ClockJump {
                    node: n(2),
                    by: Default::default(),
                },
            ),
            at(5, Fault::Restart { node: n(0) }),
            at(6, Fault::LinkDown { a: n(0), b: n(1) }),
            at(7, Fault::LinkUp { a: n(1), b: n(0) }),
        ];
        let e = pair(&schedule);
        assert_eq!(e.len(), 4);
        assert_eq!(e[0].end.as_ref().map(|f| f.at), Some(schedule[4].at));
        assert_eq!(e[1].end.as_ref().map(|f| f.at), Some(schedule[2].at));
        assert_eq!(e[2].end, None, "a clock jump is undone by nothing");
        assert_eq!(e[3].faults(), 2, "a link is the same either way round");
        assert_eq!(flatten(&e), schedule);
    }
}
