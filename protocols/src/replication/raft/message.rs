//! Raft's messages on the wire, its timers, and what replicas and clients observe,
//! each with its trace face.

use super::log::{Command, Entry, Index, Term};
use crate::replication::history::{Key, OpEvent, OpKind, OpResult, Value};
use hasim_sim::{Describe, Detail, NodeId};

/// On the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// A candidate asks for a vote.
    RequestVote {
        /// The candidate's term.
        term: Term,
        /// The index of its last log entry.
        last_index: Index,
        /// The term of its last log entry.
        last_term: Term,
    },
    /// A voter's answer.
    Vote {
        /// The voter's term.
        term: Term,
        /// Whether it voted for the candidate.
        granted: bool,
    },
    /// A leader replicates entries (none: a heartbeat).
    AppendEntries {
        /// The leader's term.
        term: Term,
        /// The index just before the entries.
        prev_index: Index,
        /// The term of the entry at `prev_index`.
        prev_term: Term,
        /// The entries, from `prev_index + 1`.
        entries: Vec<Entry>,
        /// The leader's commit index.
        commit: Index,
    },
    /// A follower's answer.
    Appended {
        /// The follower's term.
        term: Term,
        /// Whether the consistency check passed.
        success: bool,
        /// On success, the last index it now matches; on failure, its last index (a
        /// hint so that the leader backs up past a short log in one step).
        index: Index,
    },
    /// A client's operation, attempt `attempt` of operation `op`.
    Request {
        /// The client's sequence number.
        op: u64,
        /// Which attempt, so a late answer is not taken for the current one.
        attempt: u32,
        /// The key.
        key: Key,
        /// Read or write.
        kind: OpKind,
    },
    /// The operation was applied (a read carries the value).
    Reply {
        /// The client's sequence number.
        op: u64,
        /// The value read, for a read.
        value: Option<Value>,
    },
    /// The replica is not the leader (any more): try `leader`, or another replica.
    Redirect {
        /// The client's sequence number.
        op: u64,
        /// The attempt answered.
        attempt: u32,
        /// The leader it knows, if any.
        leader: Option<NodeId>,
        /// Whether the replica had appended the operation before losing leadership:
        /// then it may still be committed, and the outcome is unknown.
        accepted: bool,
    },
}

/// Timer tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// A follower or candidate heard from no leader in time: start an election.
    Election,
    /// A leader's heartbeat tick.
    Heartbeat,
    /// A client issues its next operation.
    Next,
    /// A client retries operation `op` (after a redirect with no leader named).
    Retry {
        /// The operation.
        op: u64,
    },
    /// A client gives up on attempt `attempt` of `op` and tries another replica.
    Attempt {
        /// The operation.
        op: u64,
        /// The attempt.
        attempt: u32,
    },
    /// A client gives up on operation `op`.
    Deadline {
        /// The operation.
        op: u64,
    },
}

/// What nodes observe, for checkers and figures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Observation {
    /// A client's operation event (the history).
    Client(OpEvent),
    /// A replica started an election for `term`.
    Election {
        /// The new term.
        term: Term,
    },
    /// A replica became leader of `term`.
    Leader {
        /// The term.
        term: Term,
    },
    /// A leader of `term` stopped leading (a higher term, or no quorum heard).
    SteppedDown {
        /// The term it led.
        term: Term,
    },
    /// A replica applied the entry at `index` to its state machine.
    Applied {
        /// The index.
        index: Index,
        /// The entry's term.
        term: Term,
        /// The command.
        command: Command,
    },
}

fn describe_kind(d: &mut Detail<'_>, kind: OpKind) {
    match kind {
        OpKind::Read => d.str("kind", "read"),
        OpKind::Write(v) => d.str("kind", "write").u64("value", v),
    };
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Msg::RequestVote {
                term,
                last_index,
                last_term,
            } => d
                .name("request_vote")
                .u64("term", *term)
                .u64("last_index", *last_index)
                .u64("last_term", *last_term),
            Msg::Vote { term, granted } => {
                d.name("vote").u64("term", *term).bool("granted", *granted)
            }
            Msg::AppendEntries {
                term,
                prev_index,
                prev_term,
                entries,
                commit,
            } => d
                .name("append_entries")
                .u64("term", *term)
                .u64("prev_index", *prev_index)
                .u64("prev_term", *prev_term)
                .u64("entries", entries.len() as u64)
                .u64("commit", *commit),
            Msg::Appended {
                term,
                success,
                index,
            } => d
                .name("appended")
                .u64("term", *term)
                .bool("success", *success)
                .u64("index", *index),
            Msg::Request {
                op,
                attempt,
                key,
                kind,
            } => {
                d.name("request")
                    .u64("op", *op)
                    .u64("attempt", u64::from(*attempt))
                    .u64("key", u64::from(*key));
                describe_kind(d, *kind);
                d
            }
            Msg::Reply { op, value } => {
                d.name("reply").u64("op", *op);
                if let Some(v) = value {
                    d.u64("value", *v);
                }
                d
            }
            Msg::Redirect {
                op,
                attempt,
                leader,
                accepted,
            } => {
                d.name("redirect")
                    .u64("op", *op)
                    .u64("attempt", u64::from(*attempt));
                if let Some(l) = leader {
                    d.node("leader", *l);
                }
                d.bool("accepted", *accepted)
            }
        };
    }
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Timer::Election => d.name("election"),
            Timer::Heartbeat => d.name("heartbeat"),
            Timer::Next => d.name("next"),
            Timer::Retry { op } => d.name("retry").u64("op", *op),
            Timer::Attempt { op, attempt } => d
                .name("attempt")
                .u64("op", *op)
                .u64("attempt", u64::from(*attempt)),
            Timer::Deadline { op } => d.name("deadline").u64("op", *op),
        };
    }
}

impl Describe for Observation {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Observation::Client(OpEvent::Invoke { op, key, kind }) => {
                d.name("invoke").u64("op", *op).u64("key", u64::from(*key));
                describe_kind(d, *kind);
            }
            Observation::Client(OpEvent::Complete { op, result }) => {
                d.name("complete").u64("op", *op);
                match result {
                    OpResult::Ok(v) => {
                        d.str("result", "ok");
                        if let Some(v) = v {
                            d.u64("value", *v);
                        }
                    }
                    OpResult::Fail => {
                        d.str("result", "fail");
                    }
                    OpResult::Unknown => {
                        d.str("result", "unknown");
                    }
                }
            }
            Observation::Election { term } => {
                d.name("election").u64("term", *term);
            }
            Observation::Leader { term } => {
                d.name("leader").u64("term", *term);
            }
            Observation::SteppedDown { term } => {
                d.name("stepped_down").u64("term", *term);
            }
            Observation::Applied {
                index,
                term,
                command,
            } => {
                d.name("applied").u64("index", *index).u64("term", *term);
                if let Command::Op { client, op, .. } = command {
                    d.node("client", *client).u64("op", *op);
                }
            }
        }
    }
}
