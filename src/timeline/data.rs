//! What a run contributes to its timeline, gathered while it runs: node status from
//! the engine's timelines, roles from the model's views (sampled after each event at
//! the node that changed), client requests from the model's observations, marks from
//! the fault and observation trace records, and bands from the fault schedule.

use crate::shrink::episodes;
use hasim_sim::{
    Fault, NodeId, Record, ScheduledFault, SimDuration, SimTime, Status, TraceSink, Verb,
};
use std::collections::BTreeSet;

/// The most marks a page carries: beyond it, later marks are counted, not drawn.
pub const MARKS_MAX: usize = 5_000;

/// One node's lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    /// Its name ("replica-2").
    pub name: String,
    /// Its role in the scenario ("replica").
    pub group: String,
    /// Status changes, from time zero.
    pub status: Vec<(SimTime, Status)>,
    /// Changes of the role its view shows ("leader"), `None` for none.
    pub roles: Vec<(SimTime, Option<&'static str>)>,
    /// Changes of how many other nodes suspect it.
    pub suspected: Vec<(SimTime, u32)>,
}

/// An instantaneous thing worth pointing at, with the trace record that says what.
#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    /// When.
    pub time: SimTime,
    /// On which node's lane (`None`: across all).
    pub node: Option<u32>,
    /// The record's verb: crash, restart, pause, resume, fault, observe, violation...
    pub verb: &'static str,
    /// The trace record, as text.
    pub text: String,
}

/// A fault that lasts: a partition, a cut link, a spike.
#[derive(Clone, Debug, PartialEq)]
pub struct Band {
    /// From.
    pub from: SimTime,
    /// To (the end of the run if never undone).
    pub to: SimTime,
    /// "partition", "cut", "isolate", "link_down", "loss_spike", ...
    pub kind: &'static str,
    /// The lanes it concerns; empty: all of them.
    pub nodes: Vec<u32>,
    /// What it was.
    pub text: String,
}

/// A client request as it ended.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Request {
    /// When it ended.
    pub time: SimTime,
    /// Whether it succeeded.
    pub ok: bool,
    /// How long it took, when the model says.
    pub latency: Option<SimDuration>,
}

/// Everything the page draws.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TimelineData {
    /// The end of the run.
    pub end: SimTime,
    /// One lane per node, by id.
    pub lanes: Vec<Lane>,
    /// Marks, in time order, at most [`MARKS_MAX`].
    pub marks: Vec<Mark>,
    /// Marks beyond [`MARKS_MAX`], not drawn.
    pub marks_dropped: u64,
    /// Bands, in time order.
    pub bands: Vec<Band>,
    /// Client requests, in time order.
    pub requests: Vec<Request>,
}

/// A trace sink that keeps the records worth a mark: faults and violations.
/// Observations come typed through the run's timeline hook instead, which can tell
/// client requests (the success-rate series) from the rest.
#[derive(Debug, Default)]
pub struct MarkSink {
    /// The marks kept.
    pub marks: Vec<Mark>,
    /// Marks not kept past the limit.
    pub dropped: u64,
}

impl TraceSink for MarkSink {
    fn record(&mut self, r: &Record) {
        let keep = matches!(
            r.verb,
            Verb::Crash
                | Verb::Restart
                | Verb::Pause
                | Verb::Resume
                | Verb::Partition
                | Verb::Heal
                | Verb::Fault
                | Verb::Violation
        );
        if !keep {
            return;
        }
        if self.marks.len() >= MARKS_MAX {
            self.dropped += 1;
            return;
        }
        self.marks.push(Mark {
            time: r.time,
            node: r.node.map(|n| n.0),
            verb: r.verb.name(),
            text: r.to_string(),
        });
    }
}

/// The bands of a schedule: every fault that lasts, from its start to its undoing.
pub fn bands(schedule: &[ScheduledFault], end: SimTime, names: &[String]) -> Vec<Band> {
    let name = |n: &NodeId| {
        names
            .get(n.index())
            .cloned()
            .unwrap_or_else(|| n.to_string())
    };
    let mut out = Vec::new();
    for e in episodes::pair(schedule) {
        let to = e.end.as_ref().map_or(end, |f| f.at);
        let (kind, nodes, text): (&'static str, Vec<NodeId>, String) = match &e.start.fault {
            Fault::Partition { groups } => (
                "partition",
                Vec::new(),
                format!(
                    "partition {}",
                    groups
                        .iter()
                        .map(|g| g.iter().map(name).collect::<Vec<_>>().join(" "))
                        .collect::<Vec<_>>()
                        .join(" | ")
                ),
            ),
            Fault::Isolate { node } => ("isolate", vec![*node], format!("isolate {}", name(node))),
            Fault::Cut { source, target } => (
                "cut",
                vec![*source, *target],
                format!("cut {} -> {}", name(source), name(target)),
            ),
            Fault::LinkDown { a, b } => (
                "link_down",
                vec![*a, *b],
                format!("link down {} - {}", name(a), name(b)),
            ),
            Fault::LossSpike { nodes, loss } => (
                "loss_spike",
                nodes.clone(),
                format!("loss spike {:.1}%", loss * 100.0),
            ),
            Fault::LatencySpike { nodes, extra } => (
                "latency_spike",
                nodes.clone(),
                format!("latency spike +{extra}"),
            ),
            Fault::DiskFault { node, .. } => (
                "disk_fault",
                vec![*node],
                format!("disk fault {}", name(node)),
            ),
            _ => continue,
        };
        out.push(Band {
            from: e.start.at,
            to,
            kind,
            nodes: nodes.iter().map(|n| n.0).collect(),
            text: format!("{text}, {} to {}", e.start.at, to),
        });
    }
    out
}

/// Role and suspicion changes as they happen, fed after every event.
#[derive(Debug, Default)]
pub struct RoleTrack {
    /// Per node, its role changes.
    pub roles: Vec<Vec<(SimTime, Option<&'static str>)>>,
    /// Per node, changes of how many others suspect it.
    pub suspected: Vec<Vec<(SimTime, u32)>>,
    /// Per node, who suspects it now.
    suspecting: Vec<BTreeSet<u32>>,
}

impl RoleTrack {
    /// A track for `nodes` nodes, all without a role at time zero.
    pub fn new(nodes: usize) -> Self {
        RoleTrack {
            roles: vec![Vec::new(); nodes],
            suspected: vec![Vec::new(); nodes],
            suspecting: vec![BTreeSet::new(); nodes],
        }
    }

    /// `monitor` suspects (or trusts again) `target` from `now`.
    pub fn suspect(&mut self, now: SimTime, monitor: u32, target: usize, suspects: bool) {
        let Some(set) = self.suspecting.get_mut(target) else {
            return;
        };
        let changed = if suspects {
            set.insert(monitor)
        } else {
            set.remove(&monitor)
        };
        if changed {
            self.suspected[target].push((now, set.len() as u32));
        }
    }

    /// A node that stopped forgets whom it suspected.
    pub fn forget(&mut self, now: SimTime, monitor: u32) {
        for target in 0..self.suspecting.len() {
            self.suspect(now, monitor, target, false);
        }
    }

    /// Records `role` for `node` at `now` if it changed.
    pub fn see(&mut self, node: usize, now: SimTime, role: Option<&'static str>) {
        let Some(track) = self.roles.get_mut(node) else {
            return;
        };
        let last = track.last().and_then(|(_, r)| *r);
        if last != role {
            track.push((now, role));
        }
    }
}
