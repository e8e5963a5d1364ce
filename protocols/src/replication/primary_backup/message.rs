//! The primary-backup model's vocabulary: epochs, log entries, messages, timers,
//! observations and the durable image, each with the trace description it leaves.

use crate::detection::any;
use crate::detection::DetectorObservation;
use crate::replication::history::{Key, OpEvent, OpKind, Value};
use hasim_sim::{Describe, Detail, Durable, NodeId};

/// An epoch: the fencing token of one primary's reign. Epoch `e` belongs to replica
/// `e mod replicas`, so two promoters never claim the same epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Epoch(pub u64);

/// One write in the replicated log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The key written.
    pub key: Key,
    /// The value written (unique per write).
    pub value: Value,
}

/// What a replica answers a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Done; a read carries the value.
    Ok(Option<Value>),
    /// Not applied here: ask `hint` (the primary this replica believes in), or any
    /// other replica when `None`.
    Redirect(Option<NodeId>),
}

/// Messages between replicas, and between clients and replicas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// The replicas' detector's traffic.
    Detector(any::Msg),
    /// A client's operation.
    Request {
        /// The client's sequence number.
        op: u64,
        /// The key.
        key: Key,
        /// Read or write.
        kind: OpKind,
    },
    /// A replica's answer to `op`.
    Reply {
        /// The operation answered.
        op: u64,
        /// The replica's epoch.
        epoch: Epoch,
        /// The answer.
        answer: Answer,
    },
    /// Primary to backup: "my log from index `start` on is `entries`" (empty: a
    /// heartbeat, lease renewal and read confirmation).
    Append {
        /// The primary's epoch.
        epoch: Epoch,
        /// The primary's broadcast round, echoed in the ack.
        round: u64,
        /// Log index of the first entry.
        start: u64,
        /// The entries.
        entries: Vec<Entry>,
    },
    /// Backup to primary: my log holds your first `len` entries.
    Ack {
        /// The backup's epoch.
        epoch: Epoch,
        /// The round acknowledged.
        round: u64,
        /// How many of the primary's entries the backup holds.
        len: u64,
    },
    /// Backup to primary: I cannot apply that; send from index `len`.
    Nack {
        /// The backup's epoch.
        epoch: Epoch,
        /// Where to resend from.
        len: u64,
    },
    /// "Your epoch is stale; mine is `epoch`."
    Stale {
        /// The higher epoch.
        epoch: Epoch,
    },
    /// A backup asks the replicas to join the epoch it wants to rule.
    Promote {
        /// The new epoch.
        epoch: Epoch,
    },
    /// A replica joins `epoch` and hands over its log.
    Join {
        /// The epoch joined.
        epoch: Epoch,
        /// The epoch in which the log was last accepted from a primary.
        log_epoch: Epoch,
        /// The whole log.
        log: Vec<Entry>,
    },
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Msg::Detector(m) => m.describe(d),
            Msg::Request { op, key, kind } => {
                d.name("request").u64("op", *op).u64("key", u64::from(*key));
                describe_kind(d, *kind);
            }
            Msg::Reply { op, epoch, answer } => {
                d.name("reply").u64("op", *op).u64("epoch", epoch.0);
                match *answer {
                    Answer::Ok(None) => d.str("answer", "ok"),
                    Answer::Ok(Some(v)) => d.str("answer", "ok").u64("value", v),
                    Answer::Redirect(None) => d.str("answer", "redirect"),
                    Answer::Redirect(Some(n)) => d.str("answer", "redirect").node("hint", n),
                };
            }
            Msg::Append {
                epoch,
                round,
                start,
                entries,
            } => {
                d.name("append")
                    .u64("epoch", epoch.0)
                    .u64("round", *round)
                    .u64("start", *start)
                    .u64("entries", entries.len() as u64);
            }
            Msg::Ack { epoch, round, len } => {
                d.name("ack")
                    .u64("epoch", epoch.0)
                    .u64("round", *round)
                    .u64("len", *len);
            }
            Msg::Nack { epoch, len } => {
                d.name("nack").u64("epoch", epoch.0).u64("len", *len);
            }
            Msg::Stale { epoch } => {
                d.name("stale").u64("epoch", epoch.0);
            }
            Msg::Promote { epoch } => {
                d.name("promote").u64("epoch", epoch.0);
            }
            Msg::Join {
                epoch,
                log_epoch,
                log,
            } => {
                d.name("join")
                    .u64("epoch", epoch.0)
                    .u64("log_epoch", log_epoch.0)
                    .u64("len", log.len() as u64);
            }
        }
    }
}

fn describe_kind(d: &mut Detail<'_>, kind: OpKind) {
    match kind {
        OpKind::Read => d.str("kind", "read"),
        OpKind::Write(v) => d.str("kind", "write").u64("value", v),
    };
}

/// Timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// The replicas' detector's timers.
    Detector(any::Timer),
    /// Replica: every `sync_interval`. A primary broadcasts a round; a backup
    /// considers promotion (and a promoter retries).
    Tick,
    /// Primary, lease variant: the lease may have run out.
    LeaseEnd,
    /// Client: issue the next operation.
    NextOp,
    /// Client: give up on operation `op`.
    Timeout {
        /// The operation.
        op: u64,
    },
    /// Client: send operation `op` again after a redirect without a usable hint.
    Retry {
        /// The operation.
        op: u64,
    },
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Timer::Detector(t) => {
                t.describe(d);
                d
            }
            Timer::Tick => d.name("tick"),
            Timer::LeaseEnd => d.name("lease_end"),
            Timer::NextOp => d.name("next_op"),
            Timer::Timeout { op } => d.name("timeout").u64("op", op),
            Timer::Retry { op } => d.name("retry").u64("op", op),
        };
    }
}

/// What nodes observe, for the checkers and the figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observation {
    /// A client's operation was invoked or completed.
    Op(OpEvent),
    /// The embedded detector changed its mind about a node.
    Detector(DetectorObservation),
    /// A replica completed its promotion to primary of `epoch`.
    Promoted {
        /// The epoch it rules.
        epoch: Epoch,
    },
    /// A primary started serving clients (epoch variant: on promotion; lease
    /// variant: when it holds a valid lease by its own clock).
    Serving {
        /// Its epoch.
        epoch: Epoch,
    },
    /// A primary stopped serving (stepped down, or its lease ran out). A crash ends
    /// serving without an observation.
    Stopped {
        /// Its epoch.
        epoch: Epoch,
    },
}

impl Describe for Observation {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Observation::Op(e) => e.describe(d),
            Observation::Detector(o) => o.describe(d),
            Observation::Promoted { epoch } => {
                d.name("promoted").u64("epoch", epoch.0);
            }
            Observation::Serving { epoch } => {
                d.name("serving").u64("epoch", epoch.0);
            }
            Observation::Stopped { epoch } => {
                d.name("stopped").u64("epoch", epoch.0);
            }
        }
    }
}

/// A replica's disk: the highest epoch it joined, and its log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Disk {
    /// The highest epoch joined: nothing from a lower one is accepted.
    pub epoch: Epoch,
    /// The epoch in which the log was last accepted from (or installed by) a primary.
    pub log_epoch: Epoch,
    /// The log.
    pub log: Vec<Entry>,
}

/// One write to a replica's disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiskWrite {
    /// Joins `epoch`.
    Adopt {
        /// The epoch.
        epoch: Epoch,
    },
    /// Cuts the log to `start` entries, appends `entries`, and records `log_epoch`.
    Replace {
        /// Where the new entries begin.
        start: u64,
        /// The entries.
        entries: Vec<Entry>,
        /// The epoch of the primary whose log this is.
        log_epoch: Epoch,
    },
}

impl Describe for DiskWrite {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            DiskWrite::Adopt { epoch } => {
                d.name("adopt").u64("epoch", epoch.0);
            }
            DiskWrite::Replace {
                start,
                entries,
                log_epoch,
            } => {
                d.name("replace")
                    .u64("start", *start)
                    .u64("entries", entries.len() as u64)
                    .u64("log_epoch", log_epoch.0);
            }
        }
    }
}

impl Durable for Disk {
    type Write = DiskWrite;

    fn apply(&mut self, write: &DiskWrite) {
        match write {
            DiskWrite::Adopt { epoch } => self.epoch = self.epoch.max(*epoch),
            DiskWrite::Replace {
                start,
                entries,
                log_epoch,
            } => {
                self.log.truncate(*start as usize);
                self.log.extend_from_slice(entries);
                self.log_epoch = *log_epoch;
            }
        }
    }
}
