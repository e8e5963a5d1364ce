//! What travels between clients, coordinators and replicas (messages), what wakes them
//! (timers) and what they report (observations), with their stable trace form.

use crate::detection::{any, DetectorObservation};
use crate::replication::history::{Key, OpEvent, Value};
use crate::replication::quorum::version::Siblings;
use hasim_sim::{Describe, Detail, NodeId};

/// A coordinator's answer to a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The read quorum answered; the value read (0: never written).
    Read(Value),
    /// The write quorum acknowledged.
    Written,
    /// Fewer live replicas than the quorum needs: nothing was sent (definite failure).
    Unavailable,
    /// The quorum did not answer in time: the write may or may not have landed.
    Timeout,
}

/// A message on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Client → coordinator: read `key` (operation `op` of the client).
    Get {
        /// The client's operation number.
        op: u64,
        /// The key.
        key: Key,
    },
    /// Client → coordinator: write `value` to `key`.
    Put {
        /// The client's operation number.
        op: u64,
        /// The key.
        key: Key,
        /// The value.
        value: Value,
    },
    /// Coordinator → client.
    Reply {
        /// The client's operation number.
        op: u64,
        /// The outcome.
        answer: Answer,
    },
    /// Coordinator → replica: send what you hold for `key`.
    Read {
        /// The coordinator's request id.
        rid: u64,
        /// The key.
        key: Key,
    },
    /// Replica → coordinator: what it holds (its own data and any hints for the key).
    ReadReply {
        /// The coordinator's request id.
        rid: u64,
        /// The versions held.
        siblings: Siblings,
    },
    /// Coordinator → replica: store these versions; `hint` names the replica they are
    /// meant for when this node stands in for it (sloppy quorum).
    Write {
        /// The coordinator's request id.
        rid: u64,
        /// The key.
        key: Key,
        /// The versions to merge in.
        siblings: Siblings,
        /// The intended replica, for a hinted write.
        hint: Option<NodeId>,
    },
    /// Replica → coordinator: stored (durably).
    WriteAck {
        /// The coordinator's request id.
        rid: u64,
    },
    /// Coordinator → replica after a read: merge these newer versions (no answer).
    Repair {
        /// The key.
        key: Key,
        /// The versions to merge in.
        siblings: Siblings,
    },
    /// Replica → every other replica: I am up (the built-in liveness, without a
    /// `detector`).
    Alive,
    /// The replicas' detector's traffic (with a `detector`).
    Detector(any::Msg),
    /// Hint holder → intended replica: versions written while it was unreachable.
    Handoff {
        /// The key.
        key: Key,
        /// The hint's sequence number at the holder.
        seq: u64,
        /// The versions.
        siblings: Siblings,
    },
    /// Intended replica → hint holder: stored; the hint may go.
    HandoffAck {
        /// The key.
        key: Key,
        /// The hint's sequence number.
        seq: u64,
    },
}

/// A timer tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// Client: issue the next operation.
    Next,
    /// Client: operation `op` got no answer in time.
    OpTimeout {
        /// The operation.
        op: u64,
    },
    /// Coordinator: request `rid` ran out of time.
    RequestTimeout {
        /// The request.
        rid: u64,
    },
    /// Replica: send the next round of liveness messages.
    Heartbeat,
    /// The replicas' detector's timers.
    Detector(any::Timer),
}

/// A typed observation: the clients' operations, for the history checkers, and the
/// replicas' detector's changes of mind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observation {
    /// A client invoked or completed an operation.
    Op(OpEvent),
    /// The embedded detector changed its mind about a node.
    Detector(DetectorObservation),
}

fn describe_siblings(d: &mut Detail<'_>, s: &Siblings) {
    d.u64("value", s.value()).u64("siblings", s.len() as u64);
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Msg::Get { op, key } => {
                d.name("get").u64("op", *op).u64("key", u64::from(*key));
            }
            Msg::Put { op, key, value } => {
                d.name("put")
                    .u64("op", *op)
                    .u64("key", u64::from(*key))
                    .u64("value", *value);
            }
            Msg::Reply { op, answer } => {
                d.name("reply").u64("op", *op);
                match answer {
                    Answer::Read(v) => d.str("answer", "read").u64("value", *v),
                    Answer::Written => d.str("answer", "written"),
                    Answer::Unavailable => d.str("answer", "unavailable"),
                    Answer::Timeout => d.str("answer", "timeout"),
                };
            }
            Msg::Read { rid, key } => {
                d.name("read").u64("rid", *rid).u64("key", u64::from(*key));
            }
            Msg::ReadReply { rid, siblings } => {
                d.name("read_reply").u64("rid", *rid);
                describe_siblings(d, siblings);
            }
            Msg::Write {
                rid,
                key,
                siblings,
                hint,
            } => {
                d.name("write").u64("rid", *rid).u64("key", u64::from(*key));
                describe_siblings(d, siblings);
                if let Some(h) = hint {
                    d.node("hint", *h);
                }
            }
            Msg::WriteAck { rid } => {
                d.name("write_ack").u64("rid", *rid);
            }
            Msg::Repair { key, siblings } => {
                d.name("repair").u64("key", u64::from(*key));
                describe_siblings(d, siblings);
            }
            Msg::Alive => {
                d.name("alive");
            }
            Msg::Detector(m) => m.describe(d),
            Msg::Handoff { key, seq, siblings } => {
                d.name("handoff")
                    .u64("key", u64::from(*key))
                    .u64("seq", *seq);
                describe_siblings(d, siblings);
            }
            Msg::HandoffAck { key, seq } => {
                d.name("handoff_ack")
                    .u64("key", u64::from(*key))
                    .u64("seq", *seq);
            }
        }
    }
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Timer::Next => d.name("next"),
            Timer::OpTimeout { op } => d.name("op_timeout").u64("op", *op),
            Timer::RequestTimeout { rid } => d.name("request_timeout").u64("rid", *rid),
            Timer::Heartbeat => d.name("heartbeat"),
            Timer::Detector(t) => {
                t.describe(d);
                d
            }
        };
    }
}

impl Describe for Observation {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Observation::Op(event) => event.describe(d),
            Observation::Detector(o) => o.describe(d),
        }
    }
}
