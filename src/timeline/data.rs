//! What a run contributes to its timeline, gathered while it runs: node status from
//! the engine's timelines, roles from the model's views (sampled after each event at
//! the node that changed), client requests from the model's observations, marks from
//! the fault and observation trace records, messages from the send, deliver and drop
//! records, and bands from the fault schedule.

use crate::episodes;
pub use hasim_protocols::catalogue::RequestOutcome;
use hasim_sim::{
    Fault, NodeId, Record, ScheduledFault, SimDuration, SimTime, Status, TraceSink, Verb,
};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The most observation marks a run keeps; past it they are counted per lane
/// ([`TimelineData::marks_dropped`]), and the page says so. Faults, violations, role
/// changes and suspicions are never capped.
pub const MARKS_MAX: usize = 200_000;

/// The most messages a page carries for its message diagram: the first half and the
/// last half of the run's messages (a violation stops a run, so its end is where the
/// interest is); the page names the stretch in between that it does not carry.
pub const MESSAGES_MAX: usize = 20_000;

/// A message's text is cut to this many characters (a gossip message can carry a
/// hundred piggybacked updates; the diagram labels arrows with the name).
const MESSAGE_TEXT_MAX: usize = 80;

/// The most messages gathered while a run goes (beyond it they are only counted).
const MESSAGES_GATHERED_MAX: usize = 1_000_000;

/// One node's lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    /// Its name ("replica-2").
    pub name: String,
    /// Its role in the scenario ("replica").
    pub group: String,
    /// Its zone, when placed in one: lanes group by role and zone.
    pub zone: Option<String>,
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
    /// What the record says past its time, node and verb (`suspect target=n4`).
    pub text: String,
}

impl Mark {
    /// The whole trace record as one line: time, node, verb, detail.
    pub fn line(&self) -> String {
        match self.node {
            Some(n) => format!("{} n{n} {} {}", self.time, self.verb, self.text),
            None => format!("{} {} {}", self.time, self.verb, self.text),
        }
    }
}

/// How a message's journey ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageEnd {
    /// Delivered to its target's handler at this time.
    Delivered(SimTime),
    /// A second copy (network duplication) delivered at this time.
    Duplicate(SimTime),
    /// Lost at this time, for this reason ("partition", "loss", "down").
    Dropped(SimTime, &'static str),
    /// Still on its way when the run ended.
    InFlight,
}

/// One message, from its send record to its delivery or drop.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// When it was sent.
    pub sent: SimTime,
    /// Sender.
    pub from: u32,
    /// Target.
    pub to: u32,
    /// Its name and fields (`append epoch=0 round=1`).
    pub text: String,
    /// How it ended.
    pub end: MessageEnd,
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
    /// What the client saw.
    pub outcome: RequestOutcome,
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
    /// Marks, in time order: every fault and violation, observations up to
    /// [`MARKS_MAX`].
    pub marks: Vec<Mark>,
    /// Observation marks past [`MARKS_MAX`], counted per lane.
    pub marks_dropped: BTreeMap<u32, u64>,
    /// Bands, in time order.
    pub bands: Vec<Band>,
    /// Client requests, in time order.
    pub requests: Vec<Request>,
    /// Messages for the diagram, in send order: at most [`MESSAGES_MAX`], the first
    /// and the last of the run's.
    pub messages: Vec<Message>,
    /// How many messages the run sent in all (duplicates included).
    pub messages_total: u64,
    /// The messages not carried: (first not carried, last not carried) send times.
    pub messages_gap: Option<(SimTime, SimTime)>,
}

impl TimelineData {
    /// Whether a request of this outcome counts as a success.
    pub fn ok(r: &Request) -> bool {
        r.outcome == RequestOutcome::Ok
    }
}

/// A trace sink that keeps the records worth a mark (faults and violations) and the
/// messages. Observations come typed through the run's timeline hook instead, which
/// can tell client requests (the series) and suspicions (the lanes' strips) from the
/// rest.
#[derive(Debug, Default)]
pub struct MarkSink {
    /// The marks kept.
    pub marks: Vec<Mark>,
    /// Observation marks not kept past [`MARKS_MAX`], per lane.
    pub dropped: BTreeMap<u32, u64>,
    /// The messages, in send order.
    pub messages: Vec<Message>,
    /// Messages sent in all.
    pub messages_total: u64,
    /// Sends not yet delivered or dropped, by (from, to, hash of the text): indices
    /// into `messages`. Hashed, so a long run keeps 16 bytes a key, not its texts.
    pending: BTreeMap<(u32, u32, u64), VecDeque<usize>>,
    /// The last delivered message of each (from, to, hash of the text), for duplicates.
    delivered: BTreeMap<(u32, u32, u64), usize>,
}

/// FNV-1a of a message's text: a fixed function, so pairing is the same on every run.
fn text_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `n12` as 12.
fn node_number(word: &str, key: &str) -> Option<u32> {
    word.strip_prefix(key)?.strip_prefix('n')?.parse().ok()
}

impl MarkSink {
    /// Keeps an observation's mark, or counts it past the limit.
    pub fn observe(&mut self, mark: Mark) {
        if self.marks.len() >= MARKS_MAX {
            *self
                .dropped
                .entry(mark.node.unwrap_or(u32::MAX))
                .or_default() += 1;
        } else {
            self.marks.push(mark);
        }
    }

    /// Follows a message through its send, deliver and drop records. Records carry no
    /// message id: a delivery or drop is matched to the oldest pending send with the
    /// same ends and content (identical messages are interchangeable in a picture).
    fn message(&mut self, r: &Record) {
        let Some(node) = r.node.map(|n| n.0) else {
            return;
        };
        let (head, rest) = r.detail.split_once(' ').unwrap_or((&r.detail, ""));
        match r.verb {
            Verb::Send => {
                self.messages_total += 1;
                let Some(to) = node_number(head, "to=") else {
                    return;
                };
                if self.messages.len() >= MESSAGES_GATHERED_MAX {
                    return;
                }
                let key = (node, to, text_hash(rest));
                self.pending
                    .entry(key)
                    .or_default()
                    .push_back(self.messages.len());
                self.messages.push(Message {
                    sent: r.time,
                    from: node,
                    to,
                    text: shorten(rest),
                    end: MessageEnd::InFlight,
                });
            }
            Verb::Deliver | Verb::Drop => {
                let Some(from) = node_number(head, "from=") else {
                    return;
                };
                let (reason, text) = if r.verb == Verb::Drop {
                    let (reason, text) = rest.split_once(' ').unwrap_or((rest, ""));
                    (reason.strip_prefix("reason=").unwrap_or(reason), text)
                } else {
                    ("", rest)
                };
                let key = (from, node, text_hash(text));
                let end = if r.verb == Verb::Drop {
                    MessageEnd::Dropped(r.time, drop_reason(reason))
                } else {
                    MessageEnd::Delivered(r.time)
                };
                let matched = self.pending.get_mut(&key).and_then(VecDeque::pop_front);
                if self.pending.get(&key).is_some_and(VecDeque::is_empty) {
                    self.pending.remove(&key);
                }
                if let Some(i) = matched {
                    self.messages[i].end = end;
                    if r.verb == Verb::Deliver {
                        self.delivered.insert(key, i);
                    }
                } else if let Some(&i) = self.delivered.get(&key) {
                    // A second copy of a delivered message: the network duplicated it.
                    let mut copy = self.messages[i].clone();
                    copy.end = match end {
                        MessageEnd::Delivered(t) => MessageEnd::Duplicate(t),
                        other => other,
                    };
                    if self.messages.len() < MESSAGES_GATHERED_MAX {
                        self.messages.push(copy);
                    }
                }
            }
            _ => {}
        }
    }

    /// The messages a page carries: all of them, or the first and last halves of
    /// [`MESSAGES_MAX`] and the send times of the stretch left out.
    pub fn take_messages(&mut self) -> (Vec<Message>, Option<(SimTime, SimTime)>) {
        let mut all = std::mem::take(&mut self.messages);
        all.sort_by_key(|m| m.sent);
        if all.len() <= MESSAGES_MAX {
            return (all, None);
        }
        let half = MESSAGES_MAX / 2;
        let gap = (all[half].sent, all[all.len() - half - 1].sent);
        let tail = all.split_off(all.len() - half);
        all.truncate(half);
        all.extend(tail);
        (all, Some(gap))
    }
}

/// `text` cut to [`MESSAGE_TEXT_MAX`] characters, an ellipsis saying so.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(MESSAGE_TEXT_MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// A drop reason as the engine's static word.
fn drop_reason(reason: &str) -> &'static str {
    use hasim_sim::DropReason as R;
    [
        R::Loss,
        R::Partition,
        R::Cut,
        R::NoRoute,
        R::TargetDown,
        R::StaleIncarnation,
    ]
    .into_iter()
    .map(R::name)
    .find(|n| *n == reason)
    .unwrap_or("dropped")
}

impl TraceSink for MarkSink {
    fn record(&mut self, r: &Record) {
        if matches!(r.verb, Verb::Send | Verb::Deliver | Verb::Drop) {
            self.message(r);
            return;
        }
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
        self.marks.push(Mark {
            time: r.time,
            node: r.node.map(|n| n.0),
            verb: r.verb.name(),
            text: r.detail.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(ns: u64, node: u32, verb: Verb, detail: &str) -> Record {
        Record {
            time: SimTime::from_nanos(ns),
            seq: ns,
            node: Some(NodeId(node)),
            verb,
            detail: detail.to_string(),
        }
    }

    #[test]
    fn sends_meet_their_deliveries_drops_and_duplicates() {
        let mut sink = MarkSink::default();
        for r in [
            record(10, 0, Verb::Send, "to=n1 ping seq=1"),
            record(11, 0, Verb::Send, "to=n1 ping seq=1"),
            record(12, 0, Verb::Send, "to=n2 ping seq=2"),
            record(12, 2, Verb::Drop, "from=n0 reason=partition ping seq=2"),
            record(20, 1, Verb::Deliver, "from=n0 ping seq=1"),
            record(21, 1, Verb::Deliver, "from=n0 ping seq=1"),
            record(22, 1, Verb::Deliver, "from=n0 ping seq=1"),
            record(30, 1, Verb::Send, "to=n0 pong seq=1"),
        ] {
            sink.record(&r);
        }
        let (messages, gap) = sink.take_messages();
        assert_eq!(gap, None);
        assert_eq!(sink.messages_total, 4);
        let ends: Vec<MessageEnd> = messages.iter().map(|m| m.end).collect();
        let t = SimTime::from_nanos;
        assert_eq!(
            ends,
            [
                MessageEnd::Delivered(t(20)),
                MessageEnd::Delivered(t(21)),
                MessageEnd::Duplicate(t(22)),
                MessageEnd::Dropped(t(12), "partition"),
                MessageEnd::InFlight,
            ]
        );
        assert_eq!(messages[3].to, 2);
        assert_eq!(messages[4].text, "pong seq=1");
    }

    #[test]
    fn a_long_run_keeps_its_first_and_last_messages() {
        let mut sink = MarkSink::default();
        let n = MESSAGES_MAX as u64 + 10;
        for i in 0..n {
            sink.record(&record(i, 0, Verb::Send, "to=n1 beat"));
        }
        let (messages, gap) = sink.take_messages();
        assert_eq!(messages.len(), MESSAGES_MAX);
        let half = MESSAGES_MAX as u64 / 2;
        assert_eq!(
            gap,
            Some((SimTime::from_nanos(half), SimTime::from_nanos(half + 9)))
        );
        assert_eq!(messages.last().unwrap().sent, SimTime::from_nanos(n - 1));
    }

    #[test]
    fn long_message_texts_are_cut_and_say_so() {
        let long = "x".repeat(200);
        assert_eq!(shorten(&long).chars().count(), MESSAGE_TEXT_MAX + 1);
        assert!(shorten(&long).ends_with('…'));
        assert_eq!(shorten("ping"), "ping");
    }
}
