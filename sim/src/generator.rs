//! The random fault generator: per-kind processes (rates, durations, targets) that
//! expand, from the run's "faults" stream, into an explicit schedule before the run.
//!
//! Each kind draws from its own child stream ("faults/crash/n3", "faults/partition"),
//! so enabling one kind, or changing one node's process, leaves every other kind's
//! faults where they were.

use crate::dist::Distribution;
use crate::fault::{sort_schedule, Fault, ScheduledFault, SignedDuration};
use crate::id::NodeId;
use crate::lifecycle::{self, Lifecycle};
use crate::rng::{Seed, Stream};
use crate::time::{SimDuration, SimTime};
use serde::{Deserialize, Serialize};

/// Alternating up and down periods per node: crash after a time to failure, restart
/// after a repair time. With exponential distributions this is the classic
/// MTBF/MTTR two-state process.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CrashProcess {
    /// Time from (re)start to the next crash.
    pub time_to_failure: Distribution,
    /// Time from crash to restart; `None` leaves crashed nodes down.
    pub time_to_repair: Option<Distribution>,
    /// The nodes that fail.
    pub targets: Vec<NodeId>,
}

/// Episodes of one kind at random times: each starts after a quiet gap, picks a
/// target, and lasts a drawn duration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpisodeProcess {
    /// Gap from the end of one episode to the start of the next.
    pub every: Distribution,
    /// How long an episode lasts.
    pub lasts: Distribution,
    /// Candidate targets.
    pub targets: Vec<NodeId>,
}

/// How a random partition splits the targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartitionShape {
    /// A random minority (fewer than half) against the rest.
    Minority,
    /// Two halves of random membership.
    Halves,
    /// One random node against the rest.
    Isolate,
}

/// What a random disk fault does while it lasts (as `Fault::DiskFault`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiskEffect {
    /// A crash during the fault loses the writes not yet synced.
    #[serde(default)]
    pub lose_unsynced: bool,
    /// Every synced write blocks the node this long.
    #[serde(default)]
    pub write_delay: SimDuration,
}

/// What the generator produces. Every field is optional; an empty generator produces
/// an empty schedule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Generator {
    /// No fault starts before this instant.
    #[serde(default)]
    pub start: SimTime,
    /// No fault starts at or after this instant; episodes still in progress end by
    /// then, and crashed nodes restart by then if they have a repair time, so the run
    /// has a quiet phase after it.
    pub end: SimTime,
    /// Crash and restart processes.
    pub crash: Option<CrashProcess>,
    /// Pause episodes on single nodes.
    pub pause: Option<EpisodeProcess>,
    /// Partition episodes among the targets.
    pub partition: Option<(EpisodeProcess, PartitionShape)>,
    /// Loss spikes on single nodes, with the extra loss.
    pub loss_spike: Option<(EpisodeProcess, f64)>,
    /// Latency spikes on single nodes, with the extra latency.
    pub latency_spike: Option<(EpisodeProcess, SimDuration)>,
    /// Clock jumps on single nodes, uniform in [-max, +max]; `lasts` is unused.
    pub clock_jump: Option<(EpisodeProcess, SimDuration)>,
    // The kinds below came later: each has its own stream and is off unless set, so
    // a generator without them expands exactly as before.
    /// Isolation episodes: one node cut off from all others, both ways.
    #[serde(default)]
    pub isolate: Option<EpisodeProcess>,
    /// One-way cuts: messages from one target to another target are blocked.
    #[serde(default)]
    pub cut: Option<EpisodeProcess>,
    /// Links down between two targets (a topology may reroute around them).
    #[serde(default)]
    pub link_down: Option<EpisodeProcess>,
    /// Clock drift on single nodes, uniform in [-max, +max] ppm, back to 0 after.
    #[serde(default)]
    pub clock_drift: Option<(EpisodeProcess, f64)>,
    /// Disk faults on single nodes.
    #[serde(default)]
    pub disk_fault: Option<(EpisodeProcess, DiskEffect)>,
    /// Partitions into fixed groups (every zone, region or rack on its own side; the
    /// nodes in no group form one more); the episode's targets are unused.
    #[serde(default)]
    pub partition_along: Option<(EpisodeProcess, Vec<Vec<NodeId>>)>,
    /// Failure and repair processes of nodes, racks or zones, with independent repair
    /// or shared crews (see [`crate::lifecycle`]); a node is down while any unit it
    /// is in is down.
    #[serde(default)]
    pub lifecycles: Vec<Lifecycle>,
}

/// The most faults one expansion produces (a failure or an episode is two: its start
/// and its end). Validation refuses a scenario expected to come near it; this is the
/// second guard, for the tails of the draws: expansion stops there instead of
/// allocating until the process aborts.
pub const SCHEDULE_MAX: usize = 20_000_000;

impl Generator {
    /// Expands the generator into a concrete, time-sorted schedule of at most
    /// [`SCHEDULE_MAX`] faults.
    pub fn expand(&self, seed: Seed) -> Vec<ScheduledFault> {
        self.expand_at_most(seed, SCHEDULE_MAX)
    }

    /// [`expand`](Self::expand) with a cap of `cap` faults: once the schedule holds
    /// `cap`, no kind adds more (kinds expand in a fixed order, so the cut is
    /// deterministic). A schedule under the cap is exactly what `expand` gives.
    pub fn expand_at_most(&self, seed: Seed, cap: usize) -> Vec<ScheduledFault> {
        let faults = seed.stream("faults");
        let mut out = Vec::new();
        if let Some(p) = &self.crash {
            for &node in &p.targets {
                let mut rng = faults.fork(&format!("crash/{}", node.0));
                self.expand_crash(p, node, &mut rng, &mut out, cap);
            }
        }
        if let Some(p) = &self.pause {
            self.episodes(p, &mut faults.fork("pause"), &mut out, cap, |rng, _| {
                let node = *rng.choose(&p.targets)?;
                Some((Fault::Pause { node }, Fault::Resume { node }))
            });
        }
        if let Some((p, shape)) = &self.partition {
            self.episodes(p, &mut faults.fork("partition"), &mut out, cap, |rng, _| {
                let side = partition_side(rng, &p.targets, *shape)?;
                Some((Fault::Partition { groups: vec![side] }, Fault::Heal))
            });
        }
        if let Some((p, loss)) = &self.loss_spike {
            self.episodes(
                p,
                &mut faults.fork("loss_spike"),
                &mut out,
                cap,
                |rng, _| {
                    let node = *rng.choose(&p.targets)?;
                    Some((
                        Fault::LossSpike {
                            nodes: vec![node],
                            loss: *loss,
                        },
                        Fault::SpikeEnd { nodes: vec![node] },
                    ))
                },
            );
        }
        if let Some((p, extra)) = &self.latency_spike {
            self.episodes(
                p,
                &mut faults.fork("latency_spike"),
                &mut out,
                cap,
                |rng, _| {
                    let node = *rng.choose(&p.targets)?;
                    Some((
                        Fault::LatencySpike {
                            nodes: vec![node],
                            extra: *extra,
                        },
                        Fault::SpikeEnd { nodes: vec![node] },
                    ))
                },
            );
        }
        if let Some((p, max)) = &self.clock_jump {
            let mut rng = faults.fork("clock_jump");
            let mut t = self.start;
            while out.len() < cap {
                t = t.saturating_add(p.every.sample(&mut rng));
                if t >= self.end {
                    break;
                }
                let Some(&node) = rng.choose(&p.targets) else {
                    break;
                };
                let span = max.as_nanos().min(i64::MAX as u64 / 2);
                let by = rng.between(0, span * 2) as i64 - span as i64;
                out.push(ScheduledFault {
                    at: t,
                    fault: Fault::ClockJump {
                        node,
                        by: SignedDuration(by),
                    },
                });
            }
        }
        self.expand_later_kinds(&faults, &mut out, cap);
        if !self.lifecycles.is_empty() && out.len() < cap {
            let streams = faults.fork("lifecycle");
            lifecycle::expand(&self.lifecycles, self.start, self.end, &streams, &mut out);
            // Validation caps the lifecycles' expected failures; this holds the count.
            out.truncate(cap);
        }
        sort_schedule(&mut out);
        out
    }

    /// The kinds added after the first six, each from its own child stream.
    fn expand_later_kinds(&self, faults: &Stream, out: &mut Vec<ScheduledFault>, cap: usize) {
        if let Some(p) = &self.isolate {
            self.episodes(p, &mut faults.fork("isolate"), out, cap, |rng, _| {
                let node = *rng.choose(&p.targets)?;
                Some((Fault::Isolate { node }, Fault::Rejoin { node }))
            });
        }
        if let Some(p) = &self.cut {
            self.episodes(p, &mut faults.fork("cut"), out, cap, |rng, _| {
                let (source, target) = two_of(rng, &p.targets)?;
                Some((
                    Fault::Cut { source, target },
                    Fault::Uncut { source, target },
                ))
            });
        }
        if let Some(p) = &self.link_down {
            self.episodes(p, &mut faults.fork("link_down"), out, cap, |rng, _| {
                let (a, b) = two_of(rng, &p.targets)?;
                Some((Fault::LinkDown { a, b }, Fault::LinkUp { a, b }))
            });
        }
        if let Some((p, max)) = &self.clock_drift {
            self.episodes(p, &mut faults.fork("clock_drift"), out, cap, |rng, _| {
                let node = *rng.choose(&p.targets)?;
                let ppm = max * (2.0 * rng.unit() - 1.0);
                Some((
                    Fault::ClockDrift { node, ppm },
                    Fault::ClockDrift { node, ppm: 0.0 },
                ))
            });
        }
        if let Some((p, effect)) = &self.disk_fault {
            self.episodes(p, &mut faults.fork("disk_fault"), out, cap, |rng, _| {
                let node = *rng.choose(&p.targets)?;
                let begin = Fault::DiskFault {
                    node,
                    lose_unsynced: effect.lose_unsynced,
                    write_delay: effect.write_delay,
                };
                Some((begin, Fault::DiskHeal { node }))
            });
        }
        if let Some((p, groups)) = &self.partition_along {
            let mut rng = faults.fork("partition_along");
            self.episodes(p, &mut rng, out, cap, |_, _| {
                let groups = groups.clone();
                Some((Fault::Partition { groups }, Fault::Heal))
            });
        }
    }

    fn expand_crash(
        &self,
        p: &CrashProcess,
        node: NodeId,
        rng: &mut Stream,
        out: &mut Vec<ScheduledFault>,
        cap: usize,
    ) {
        let mut t = self.start;
        // Two faults per turn (crash, restart): stop while both still fit.
        while out.len() + 2 <= cap {
            t = t.saturating_add(p.time_to_failure.sample(rng));
            if t >= self.end {
                return;
            }
            out.push(ScheduledFault {
                at: t,
                fault: Fault::Crash { node },
            });
            let Some(repair) = &p.time_to_repair else {
                return;
            };
            // A repair never runs past the end of the fault phase: the quiet phase
            // after it starts with every repairable node up.
            t = t
                .saturating_add(repair.sample(rng).max(SimDuration::from_nanos(1)))
                .min(self.end);
            out.push(ScheduledFault {
                at: t,
                fault: Fault::Restart { node },
            });
        }
    }

    fn episodes(
        &self,
        p: &EpisodeProcess,
        rng: &mut Stream,
        out: &mut Vec<ScheduledFault>,
        cap: usize,
        mut make: impl FnMut(&mut Stream, SimTime) -> Option<(Fault, Fault)>,
    ) {
        let mut t = self.start;
        // Two faults per episode (start, end): stop while both still fit.
        while out.len() + 2 <= cap {
            t = t.saturating_add(p.every.sample(rng));
            if t >= self.end {
                return;
            }
            let lasts = p.lasts.sample(rng).max(SimDuration::from_nanos(1));
            let Some((begin, end)) = make(rng, t) else {
                return;
            };
            let until = t.saturating_add(lasts).min(self.end);
            out.push(ScheduledFault {
                at: t,
                fault: begin,
            });
            out.push(ScheduledFault {
                at: until,
                fault: end,
            });
            t = until;
        }
    }
}

/// Two different targets in random order, if there are two.
fn two_of(rng: &mut Stream, targets: &[NodeId]) -> Option<(NodeId, NodeId)> {
    if targets.len() < 2 {
        return None;
    }
    let a = rng.below(targets.len() as u64) as usize;
    // Draw among the others: shift past `a` so no draw is wasted or repeated.
    let b = rng.below(targets.len() as u64 - 1) as usize;
    let b = if b >= a { b + 1 } else { b };
    Some((targets[a], targets[b]))
}

/// The nodes on the small side of a random partition of `targets`.
fn partition_side(
    rng: &mut Stream,
    targets: &[NodeId],
    shape: PartitionShape,
) -> Option<Vec<NodeId>> {
    if targets.len() < 2 {
        return None;
    }
    let mut shuffled = targets.to_vec();
    rng.shuffle(&mut shuffled);
    let size = match shape {
        PartitionShape::Isolate => 1,
        PartitionShape::Halves => targets.len() / 2,
        PartitionShape::Minority => 1 + rng.below(((targets.len() - 1) / 2).max(1) as u64) as usize,
    };
    shuffled.truncate(size);
    shuffled.sort();
    Some(shuffled)
}
