//! A producer of the in-sync-replica model: runs the shared workload one operation at
//! a time against partition leaders, learning leaders from brokers' metadata, and
//! records each operation's invocation and outcome for the history.

use super::params::ProducerParams;
use super::wire::{Acks, Answer, Msg, Observation, Timer};
use super::Isr;
use crate::replication::history::{Key, OpEvent, OpKind, OpResult};
use crate::replication::workload::Workload;
use hasim_sim::{Ctx, NodeId, TimerId};

/// How many brokers an operation may be sent to (first try plus NotLeader hints).
const ATTEMPTS_MAX: u32 = 3;

/// The operation in flight.
#[derive(Clone, Copy, Debug)]
struct InFlight {
    op: u64,
    key: Key,
    kind: OpKind,
    partition: u32,
    /// Whether a request reached a broker's queue (then the outcome is uncertain).
    sent: bool,
    attempts: u32,
    timer: TimerId,
}

/// A producer's volatile state.
#[derive(Debug)]
pub struct Producer {
    workload: Workload,
    acks: Acks,
    /// The leader of each partition, as last heard.
    leaders: Vec<Option<NodeId>>,
    /// Round-robin position over brokers for metadata requests.
    next_broker: usize,
    current: Option<InFlight>,
}

impl Producer {
    /// Starts a producer: its first operation comes after one gap.
    pub fn start(isr: &Isr, ctx: &mut impl Ctx<Isr>, params: &ProducerParams) -> Self {
        let workload = Workload::new(ctx.id(), params.workload(), ctx.incarnation().0);
        let gap = workload.gap(ctx.rng());
        ctx.set_timer(gap, Timer::Next);
        Producer {
            workload,
            acks: params.acks,
            leaders: vec![None; isr.partitions() as usize],
            next_broker: ctx.id().index(),
            current: None,
        }
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, timer: Timer) {
        match timer {
            Timer::Next => {
                let (op, key, kind) = self.workload.next(ctx.rng());
                ctx.observe(Observation::Op(OpEvent::Invoke { op, key, kind }));
                let timeout = self.workload.params().timeout;
                let timer = ctx.set_timer(timeout, Timer::OpTimeout { op });
                self.current = Some(InFlight {
                    op,
                    key,
                    kind,
                    partition: isr.partition_of(key),
                    sent: false,
                    attempts: 0,
                    timer,
                });
                self.dispatch(isr, ctx);
            }
            Timer::OpTimeout { op } => {
                if let Some(c) = self.current.filter(|c| c.op == op) {
                    // The leader may be gone: ask again next time.
                    self.leaders[c.partition as usize] = None;
                    let result = if c.sent {
                        OpResult::Unknown
                    } else {
                        OpResult::Fail
                    };
                    self.finish(ctx, result);
                }
            }
            _ => {}
        }
    }

    /// Handles a message.
    pub fn on_message(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, msg: Msg) {
        match msg {
            Msg::MetadataReply { partition, leader } => {
                self.leaders[partition as usize] = leader;
                let Some(c) = self.current.filter(|c| c.partition == partition && !c.sent) else {
                    return;
                };
                if c.attempts > 0 {
                    // Already sent somewhere; metadata only updates what we know.
                    return;
                }
                if leader.is_some() {
                    self.dispatch(isr, ctx);
                } else {
                    // The partition is offline: nothing was written.
                    self.finish(ctx, OpResult::Fail);
                }
            }
            Msg::Reply { op, answer } => {
                let Some(c) = self.current.filter(|c| c.op == op) else {
                    return;
                };
                match answer {
                    Answer::Written => self.finish(ctx, OpResult::Ok(None)),
                    Answer::Read(v) => self.finish(ctx, OpResult::Ok(Some(v))),
                    Answer::NotEnoughReplicas => self.finish(ctx, OpResult::Fail),
                    Answer::NotLeader(hint) => {
                        self.leaders[c.partition as usize] = hint;
                        // A NotLeader answer means this broker appended nothing; the
                        // operation is definite unless an earlier attempt reached a
                        // leader that may have appended it.
                        if hint.is_some() && c.attempts < ATTEMPTS_MAX {
                            if let Some(cur) = self.current.as_mut() {
                                cur.sent = false;
                            }
                            self.dispatch(isr, ctx);
                        } else {
                            self.finish(ctx, OpResult::Fail);
                        }
                    }
                }
            }
            _ => {}
        }
    }

    /// Sends the operation in flight to its partition's leader, or asks a broker who
    /// that is.
    fn dispatch(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>) {
        let Some(c) = self.current.as_mut() else {
            return;
        };
        match self.leaders[c.partition as usize] {
            Some(leader) => {
                c.sent = true;
                c.attempts += 1;
                let msg = match c.kind {
                    OpKind::Write(value) => Msg::Produce {
                        op: c.op,
                        key: c.key,
                        value,
                        acks: self.acks,
                    },
                    OpKind::Read => Msg::Consume {
                        op: c.op,
                        key: c.key,
                    },
                };
                ctx.send(leader, msg);
            }
            None => {
                let brokers = isr.brokers();
                let broker = brokers[self.next_broker % brokers.len()];
                self.next_broker = self.next_broker.wrapping_add(1);
                ctx.send(
                    broker,
                    Msg::Metadata {
                        partition: c.partition,
                    },
                );
            }
        }
    }

    fn finish(&mut self, ctx: &mut impl Ctx<Isr>, result: OpResult) {
        let Some(c) = self.current.take() else {
            return;
        };
        ctx.cancel_timer(c.timer);
        ctx.observe(Observation::Op(OpEvent::Complete { op: c.op, result }));
        let gap = self.workload.gap(ctx.rng());
        ctx.set_timer(gap, Timer::Next);
    }
}
