//! Failure and repair over the long run: failure units (a node, or a rack or zone
//! that fails as one) alternate between up and down, with drawn times to failure and
//! repair times, repaired either independently or by a limited number of shared
//! repair crews that failed units queue for in FIFO order.
//!
//! This is an alternating-renewal simulation of its own, run before the engine's run:
//! it expands into plain crash and restart faults, so the run itself sees only those
//! (a year of failures costs a few thousand events, nothing per simulated second).
//! Each unit draws from its own stream, forked by the process's index and the unit's
//! label, in a fixed order (time to failure, then repair time, alternating), so a
//! unit's draws never depend on other units; with shared crews, only when a repair
//! starts does.
//!
//! A node belongs to every unit that contains it, across processes (its own node
//! process and its rack's): it is down while any of them is down, so overlapping
//! outages merge into one crash and one restart.

use crate::dist::Distribution;
use crate::fault::{Fault, ScheduledFault};
use crate::id::NodeId;
use crate::rng::Stream;
use crate::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// Nodes that fail and are repaired as one: one node, a rack, a zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailureUnit {
    /// A stable name ("replica-2", "rack:a/r1"): it labels the unit's random stream,
    /// so adding or removing another unit never moves this one's draws.
    pub label: String,
    /// Its nodes.
    pub nodes: Vec<NodeId>,
}

/// A failure and repair process over a set of units.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lifecycle {
    /// Time from a unit's (re)start to its next failure. A repair makes the unit as
    /// good as new: a Weibull's age starts again at zero.
    pub time_to_failure: Distribution,
    /// Time a crew spends repairing a failed unit (not counting time in the queue).
    pub time_to_repair: Distribution,
    /// The units.
    pub units: Vec<FailureUnit>,
    /// Repair crews shared by all units; `None`: every failed unit is repaired at once,
    /// independently of the others.
    #[serde(default)]
    pub crews: Option<u32>,
}

/// One failure of one unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outage {
    /// When the unit failed.
    pub failed: SimTime,
    /// When a crew started on it (= `failed` with independent repair).
    pub repair_start: SimTime,
    /// When it was back up (at most the end of the window).
    pub repaired: SimTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Step {
    Repaired,
    Failed,
}

impl Lifecycle {
    /// Each unit's outages in `[start, end)`, in unit order. No failure happens at or
    /// after `end`; a unit still down (or waiting for a crew) at `end` is back at
    /// `end`, so the window ends with every unit up. `streams` is the parent stream;
    /// unit `u` draws from `streams.fork(&units[u].label)`.
    pub fn outages(&self, start: SimTime, end: SimTime, streams: &Stream) -> Vec<Vec<Outage>> {
        let n = self.units.len();
        let mut rngs: Vec<Stream> = self.units.iter().map(|u| streams.fork(&u.label)).collect();
        let mut out: Vec<Vec<Outage>> = vec![Vec::new(); n];
        // Events by (time, sequence): equal times go in the order they were planned.
        let mut queue: BinaryHeap<Reverse<(SimTime, u64, Step, usize)>> = BinaryHeap::new();
        let mut seq = 0u64;
        let mut push = |queue: &mut BinaryHeap<_>, at: SimTime, step: Step, unit: usize| {
            queue.push(Reverse((at, seq, step, unit)));
            seq += 1;
        };
        for (u, rng) in rngs.iter_mut().enumerate() {
            let at = start.saturating_add(self.time_to_failure.sample(rng));
            if at < end {
                push(&mut queue, at, Step::Failed, u);
            }
        }
        let crews = self.crews.map_or(usize::MAX, |c| c as usize);
        let mut busy = 0usize;
        let mut waiting: VecDeque<usize> = VecDeque::new();
        // The repair time of each unit's current outage, drawn when it fails so that
        // the unit's draws alternate whatever the queue does.
        let mut repair: Vec<SimDuration> = vec![SimDuration::ZERO; n];
        let begin = |u: usize, now: SimTime, out: &mut Vec<Vec<Outage>>, repair: &[SimDuration]| {
            let o = out[u].last_mut().expect("failed before repair");
            o.repair_start = now;
            // At least a nanosecond, so a crash and its restart never coincide.
            now.saturating_add(repair[u].max(SimDuration::from_nanos(1)))
                .min(end)
        };
        while let Some(Reverse((now, _, step, u))) = queue.pop() {
            match step {
                Step::Failed => {
                    repair[u] = self.time_to_repair.sample(&mut rngs[u]);
                    out[u].push(Outage {
                        failed: now,
                        repair_start: end,
                        repaired: end,
                    });
                    if busy < crews {
                        busy += 1;
                        let done = begin(u, now, &mut out, &repair);
                        push(&mut queue, done, Step::Repaired, u);
                    } else {
                        waiting.push_back(u);
                    }
                }
                Step::Repaired => {
                    let o = out[u].last_mut().expect("repaired after failure");
                    o.repaired = now;
                    busy -= 1;
                    if let Some(next) = waiting.pop_front() {
                        busy += 1;
                        let done = begin(next, now, &mut out, &repair);
                        push(&mut queue, done, Step::Repaired, next);
                    }
                    let at = now.saturating_add(self.time_to_failure.sample(&mut rngs[u]));
                    if at < end {
                        push(&mut queue, at, Step::Failed, u);
                    }
                }
            }
        }
        out
    }
}

/// Expands `processes` over `[start, end)` into crash and restart faults (unsorted):
/// per node, the union of the outages of every unit it is in. Process `i` draws from
/// `streams.fork(&i.to_string())`.
pub fn expand(
    processes: &[Lifecycle],
    start: SimTime,
    end: SimTime,
    streams: &Stream,
    out: &mut Vec<ScheduledFault>,
) {
    let mut down: Vec<(NodeId, SimTime, SimTime)> = Vec::new();
    for (i, p) in processes.iter().enumerate() {
        let outages = p.outages(start, end, &streams.fork(&i.to_string()));
        for (unit, list) in p.units.iter().zip(&outages) {
            for o in list {
                for &node in &unit.nodes {
                    down.push((node, o.failed, o.repaired));
                }
            }
        }
    }
    down.sort();
    let mut current: Option<(NodeId, SimTime, SimTime)> = None;
    let mut emit = |(node, from, to): (NodeId, SimTime, SimTime)| {
        out.push(ScheduledFault {
            at: from,
            fault: Fault::Crash { node },
        });
        out.push(ScheduledFault {
            at: to,
            fault: Fault::Restart { node },
        });
    };
    for (node, from, to) in down {
        current = match current {
            // Overlapping or touching outages of one node are one outage.
            Some((n, a, b)) if n == node && from <= b => Some((n, a, b.max(to))),
            Some(c) => {
                emit(c);
                Some((node, from, to))
            }
            None => Some((node, from, to)),
        };
    }
    if let Some(c) = current {
        emit(c);
    }
}
