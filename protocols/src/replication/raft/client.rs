//! A Raft client: one operation at a time from the shared workload, sent to the
//! leader it knows (or to the replicas in turn when it knows none), redirected by
//! followers, retried at another replica when an attempt goes unanswered.
//!
//! Each attempt gets a fifth of the operation's `timeout`; then the client assumes
//! the replica is gone and tries the next one. An operation ends `ok` when a leader
//! answers; `fail` only when it is *definitely* not applied: every attempt was
//! refused by a replica that had not appended it, and either `3 x replicas` refusals
//! came or the deadline passed during a back-off; otherwise, at the deadline or after
//! the refusals, `unknown`. Retrying is safe because the state machine applies each
//! `(client, op)` once.

use super::message::{Msg, Observation, Timer};
use super::Raft;
use crate::replication::history::{Key, OpEvent, OpKind, OpResult};
use crate::replication::workload::{Workload, WorkloadParams};
use hasim_sim::{Ctx, NodeId, SimDuration, TimerId};

/// The operation in progress.
#[derive(Clone, Debug)]
struct Current {
    op: u64,
    key: Key,
    kind: OpKind,
    attempt: u32,
    /// An attempt awaits its answer.
    outstanding: bool,
    /// Some replica may have appended the operation.
    maybe_applied: bool,
    redirects: u32,
    attempt_timer: Option<TimerId>,
    deadline: TimerId,
}

/// A client's volatile state.
#[derive(Debug)]
pub struct Client {
    workload: Workload,
    leader: Option<NodeId>,
    turn: usize,
    current: Option<Current>,
    /// Operations come from the host ([`Client::submit`]), not from the workload's
    /// own timer.
    driven: bool,
}

impl Client {
    /// Starts a client; its first operation comes after one gap.
    pub fn start(_p: &Raft, ctx: &mut impl Ctx<Raft>, params: WorkloadParams) -> Self {
        let mut client = Client::start_driven(ctx, params);
        client.driven = false;
        let gap = client.workload.gap(ctx.rng());
        ctx.set_timer(gap, Timer::Next);
        client
    }

    /// Starts a client whose host submits the operations ([`Client::submit`]): the
    /// store client inside an app server. `params` gives the timeout (keys, reads and
    /// gaps are the host's business).
    pub fn start_driven(ctx: &mut impl Ctx<Raft>, params: WorkloadParams) -> Self {
        Client {
            workload: Workload::new(ctx.id(), params, ctx.incarnation().0),
            leader: None,
            turn: ctx.id().index(),
            current: None,
            driven: true,
        }
    }

    /// Whether an operation is in progress.
    pub fn busy(&self) -> bool {
        self.current.is_some()
    }

    /// Starts a write of a fresh unique value to `key`, unless an operation is in
    /// progress; returns its operation number. Its end is observed as
    /// `OpEvent::Complete`, which the host hears.
    pub fn submit(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>, key: Key) -> Option<u64> {
        if self.current.is_some() {
            return None;
        }
        let (op, key, kind) = self.workload.next_write(key);
        self.begin(p, ctx, op, key, kind);
        Some(op)
    }

    fn attempt_timeout(&self) -> SimDuration {
        SimDuration::from_nanos((self.workload.params().timeout.as_nanos() / 5).max(1))
    }

    /// Handles a message.
    pub fn on_message(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>, source: NodeId, msg: Msg) {
        let Some(cur) = &mut self.current else {
            return;
        };
        match msg {
            Msg::Reply { op, value } if op == cur.op => {
                self.leader = Some(source);
                let value = match cur.kind {
                    OpKind::Read => Some(value.unwrap_or(0)),
                    OpKind::Write(_) => None,
                };
                self.finish(ctx, OpResult::Ok(value));
            }
            Msg::Redirect {
                op,
                attempt,
                leader,
                accepted,
            } if op == cur.op && attempt == cur.attempt && cur.outstanding => {
                cur.outstanding = false;
                cur.maybe_applied |= accepted;
                cur.redirects += 1;
                if let Some(t) = cur.attempt_timer.take() {
                    ctx.cancel_timer(t);
                }
                if cur.redirects >= 3 * p.replicas().len() as u32 {
                    let result = if cur.maybe_applied {
                        OpResult::Unknown
                    } else {
                        OpResult::Fail
                    };
                    self.finish(ctx, result);
                    return;
                }
                match leader {
                    Some(l) if l != source => {
                        self.leader = Some(l);
                        self.send_attempt(p, ctx);
                    }
                    _ => {
                        // No leader known (an election is on): back off a little.
                        self.leader = None;
                        self.turn += 1;
                        let op = cur.op;
                        ctx.set_timer(self.workload.params().interval, Timer::Retry { op });
                    }
                }
            }
            _ => {}
        }
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>, timer: Timer) {
        match timer {
            Timer::Next => self.issue(p, ctx),
            Timer::Retry { op } => {
                if self
                    .current
                    .as_ref()
                    .is_some_and(|c| c.op == op && !c.outstanding)
                {
                    self.send_attempt(p, ctx);
                }
            }
            Timer::Attempt { op, attempt } => {
                let Some(cur) = &mut self.current else {
                    return;
                };
                if cur.op == op && cur.attempt == attempt && cur.outstanding {
                    cur.attempt_timer = None;
                    cur.outstanding = false;
                    cur.maybe_applied = true;
                    self.leader = None;
                    self.turn += 1;
                    self.send_attempt(p, ctx);
                }
            }
            Timer::Deadline { op } => {
                let Some(cur) = &self.current else {
                    return;
                };
                if cur.op == op {
                    let result = if cur.maybe_applied || cur.outstanding {
                        OpResult::Unknown
                    } else {
                        OpResult::Fail
                    };
                    self.finish(ctx, result);
                }
            }
            Timer::Election | Timer::Heartbeat => {}
        }
    }

    fn issue(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>) {
        let (op, key, kind) = self.workload.next(ctx.rng());
        self.begin(p, ctx, op, key, kind);
    }

    fn begin(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>, op: u64, key: Key, kind: OpKind) {
        ctx.observe(Observation::Client(OpEvent::Invoke { op, key, kind }));
        let deadline = ctx.set_timer(self.workload.params().timeout, Timer::Deadline { op });
        self.current = Some(Current {
            op,
            key,
            kind,
            attempt: 0,
            outstanding: false,
            maybe_applied: false,
            redirects: 0,
            attempt_timer: None,
            deadline,
        });
        self.send_attempt(p, ctx);
    }

    fn send_attempt(&mut self, p: &Raft, ctx: &mut impl Ctx<Raft>) {
        let replicas = p.replicas();
        let target = self.leader.unwrap_or(replicas[self.turn % replicas.len()]);
        let timeout = self.attempt_timeout();
        let Some(cur) = &mut self.current else {
            return;
        };
        cur.attempt += 1;
        cur.outstanding = true;
        let (op, attempt) = (cur.op, cur.attempt);
        let msg = Msg::Request {
            op,
            attempt,
            key: cur.key,
            kind: cur.kind,
        };
        ctx.send(target, msg);
        cur.attempt_timer = Some(ctx.set_timer(timeout, Timer::Attempt { op, attempt }));
    }

    fn finish(&mut self, ctx: &mut impl Ctx<Raft>, result: OpResult) {
        let Some(cur) = self.current.take() else {
            return;
        };
        if let Some(t) = cur.attempt_timer {
            ctx.cancel_timer(t);
        }
        ctx.cancel_timer(cur.deadline);
        let op = cur.op;
        ctx.observe(Observation::Client(OpEvent::Complete { op, result }));
        if !self.driven {
            let gap = self.workload.gap(ctx.rng());
            ctx.set_timer(gap, Timer::Next);
        }
    }
}
