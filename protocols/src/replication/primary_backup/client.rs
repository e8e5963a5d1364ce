//! A client: runs the shared workload one operation at a time, finds the primary by
//! following redirects, and records every operation's invocation and outcome.
//!
//! A redirect with a hint from a node that is not the hint goes to the hint at once;
//! one without a usable hint (or from a replica of an older epoch than the client has
//! seen) goes to the next replica after one workload `interval`, so a client does not
//! spin while no primary serves. A timeout ends the operation as unknown, and the
//! next operation tries the next replica.

use super::message::{Answer, Epoch, Msg, Observation, Timer};
use super::PrimaryBackup;
use crate::replication::history::{Key, OpEvent, OpKind, OpResult};
use crate::replication::workload::Workload;
use hasim_sim::{Ctx, NodeId, SimTime, TimerId};

/// The operation in flight.
#[derive(Debug)]
struct InFlight {
    op: u64,
    key: Key,
    kind: OpKind,
    /// Local time of invocation.
    invoked: SimTime,
    timeout: TimerId,
}

/// A client's state.
#[derive(Debug)]
pub struct Client {
    workload: Workload,
    /// Index of the replica it talks to.
    target: usize,
    /// The highest epoch any answer carried.
    epoch: Epoch,
    current: Option<InFlight>,
    /// Operations come from the host ([`Client::submit`]), not from the workload's
    /// own timer.
    driven: bool,
}

impl Client {
    pub(super) fn start(ctx: &mut impl Ctx<PrimaryBackup>, workload: Workload) -> Self {
        let gap = workload.gap(ctx.rng());
        ctx.set_timer(gap, Timer::NextOp);
        Client {
            driven: false,
            ..Client::start_driven(workload)
        }
    }

    /// A client whose host submits the writes ([`Client::submit`]): the store client
    /// of an app server in a composed system.
    pub(super) fn start_driven(workload: Workload) -> Self {
        Client {
            workload,
            target: 0,
            epoch: Epoch(0),
            current: None,
            driven: true,
        }
    }

    /// Whether an operation is in flight.
    pub fn busy(&self) -> bool {
        self.current.is_some()
    }

    /// Starts a write of a fresh unique value to `key`, unless an operation is in
    /// flight; returns its operation number. Its end is observed as
    /// `OpEvent::Complete`, which the host hears.
    pub fn submit(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut impl Ctx<PrimaryBackup>,
        key: Key,
    ) -> Option<u64> {
        if self.current.is_some() {
            return None;
        }
        let (op, key, kind) = self.workload.next_write(key);
        self.begin(p, ctx, op, key, kind);
        Some(op)
    }

    /// Invokes operation `op` and sends it to the replica it believes primary.
    fn begin(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut impl Ctx<PrimaryBackup>,
        op: u64,
        key: Key,
        kind: OpKind,
    ) {
        ctx.observe(Observation::Op(OpEvent::Invoke { op, key, kind }));
        let timeout = ctx.set_timer(self.workload.params().timeout, Timer::Timeout { op });
        self.current = Some(InFlight {
            op,
            key,
            kind,
            invoked: ctx.now(),
            timeout,
        });
        self.send(p, ctx);
    }

    pub(super) fn on_timer(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut impl Ctx<PrimaryBackup>,
        timer: Timer,
    ) {
        match timer {
            Timer::NextOp => {
                let (op, key, kind) = self.workload.next(ctx.rng());
                self.begin(p, ctx, op, key, kind);
            }
            Timer::Timeout { op } if self.current.as_ref().is_some_and(|c| c.op == op) => {
                self.current = None;
                let result = OpResult::Unknown;
                ctx.observe(Observation::Op(OpEvent::Complete { op, result }));
                self.target = (self.target + 1) % p.replicas().len();
                self.schedule_next(ctx);
            }
            Timer::Retry { op } if self.current.as_ref().is_some_and(|c| c.op == op) => {
                self.send(p, ctx);
            }
            _ => {}
        }
    }

    pub(super) fn on_message(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut impl Ctx<PrimaryBackup>,
        source: NodeId,
        msg: Msg,
    ) {
        let Msg::Reply { op, epoch, answer } = msg else {
            return;
        };
        let Some(current) = self.current.as_ref().filter(|c| c.op == op) else {
            return;
        };
        let stale = epoch < self.epoch;
        self.epoch = self.epoch.max(epoch);
        match answer {
            Answer::Ok(value) => {
                let latency = ctx.now().saturating_since(current.invoked);
                let name = if matches!(current.kind, OpKind::Write(_)) {
                    "write_latency"
                } else {
                    "read_latency"
                };
                ctx.sample(name, latency);
                ctx.cancel_timer(current.timeout);
                self.current = None;
                let result = OpResult::Ok(value);
                ctx.observe(Observation::Op(OpEvent::Complete { op, result }));
                self.schedule_next(ctx);
            }
            Answer::Redirect(hint) => {
                let usable = hint.filter(|&h| h != source && !stale);
                match usable.and_then(|h| p.replica_index(h)) {
                    Some(i) => {
                        self.target = i;
                        self.send(p, ctx);
                    }
                    None => {
                        if let Some(i) = p.replica_index(source) {
                            self.target = (i + 1) % p.replicas().len();
                        }
                        ctx.set_timer(self.workload.params().interval, Timer::Retry { op });
                    }
                }
            }
        }
    }

    fn send(&mut self, p: &PrimaryBackup, ctx: &mut impl Ctx<PrimaryBackup>) {
        let Some(c) = &self.current else {
            return;
        };
        let (op, key, kind) = (c.op, c.key, c.kind);
        ctx.send(p.replicas()[self.target], Msg::Request { op, key, kind });
    }

    fn schedule_next(&mut self, ctx: &mut impl Ctx<PrimaryBackup>) {
        if self.driven {
            return;
        }
        let gap = self.workload.gap(ctx.rng());
        ctx.set_timer(gap, Timer::NextOp);
    }
}
