//! A client: runs the shared key-value [`Workload`] one operation at a time, sending
//! each to a coordinator chosen round robin among the replicas (from a random start),
//! skipping for a while any coordinator that just timed out or said "unavailable".
//! Every operation is recorded as an [`OpEvent`] observation: a read or write answered
//! is ok, "unavailable" is a definite failure, a timeout (the coordinator's or the
//! client's own) is unknown.

use crate::replication::history::{Key, OpEvent, OpKind, OpResult};
use crate::replication::quorum::message::{Answer, Msg, Observation, Timer};
use crate::replication::quorum::Quorum;
use crate::replication::workload::{Workload, WorkloadParams};
use hasim_sim::{Ctx, NodeId, SimDuration, SimTime, TimerId};

/// How long a client avoids a coordinator that timed out or said "unavailable" (a
/// client-side circuit breaker; fixed, as the shared workload parameters have no
/// field for it).
pub const AVOID_FOR: SimDuration = SimDuration::from_secs(1);

/// The operation in flight.
#[derive(Debug)]
struct InFlight {
    op: u64,
    coordinator: NodeId,
    timer: TimerId,
}

/// A client's state.
#[derive(Debug)]
pub struct Client {
    workload: Workload,
    in_flight: Option<InFlight>,
    /// Per ring member: avoid it as a coordinator until this local time.
    avoid_until: Vec<SimTime>,
    /// Where the round robin goes next, as an index into the ring's members.
    next: usize,
    /// Operations come from the host ([`Client::submit`]), not from the workload's
    /// own timer.
    driven: bool,
}

impl Client {
    /// Starts a client. A restarted client starts its operation numbers (and so its
    /// write values) again: fault plans should spare clients.
    pub fn start(q: &Quorum, ctx: &mut impl Ctx<Quorum>, params: &WorkloadParams) -> Client {
        let mut client = Client::start_driven(q, ctx, params);
        client.driven = false;
        let gap = client.workload.gap(ctx.rng());
        ctx.set_timer(gap, Timer::Next);
        client
    }

    /// Starts a client whose host submits the operations ([`Client::submit`]): the
    /// store client inside an app server of a composed system. `params` gives the
    /// timeout.
    pub fn start_driven(q: &Quorum, ctx: &mut impl Ctx<Quorum>, params: &WorkloadParams) -> Client {
        let members = q.ring.members().len();
        let next = ctx.rng().below(members as u64) as usize;
        Client {
            workload: Workload::new(ctx.id(), params.clone(), ctx.incarnation().0),
            in_flight: None,
            avoid_until: vec![SimTime::ZERO; members],
            next,
            driven: true,
        }
    }

    /// Starts a write of a fresh unique value to `key`, unless an operation is in
    /// flight; returns its operation number. Its end is observed as
    /// `OpEvent::Complete`, which the host hears.
    pub fn submit(&mut self, q: &Quorum, ctx: &mut impl Ctx<Quorum>, key: Key) -> Option<u64> {
        if self.in_flight.is_some() {
            return None;
        }
        let (op, key, kind) = self.workload.next_write(key);
        self.begin(q, ctx, op, key, kind);
        Some(op)
    }

    /// Sends operation `op` to the next coordinator and arms its timeout.
    fn begin(&mut self, q: &Quorum, ctx: &mut impl Ctx<Quorum>, op: u64, key: Key, kind: OpKind) {
        ctx.observe(Observation::Op(OpEvent::Invoke { op, key, kind }));
        let coordinator = self.coordinator(q, ctx.now());
        let msg = match kind {
            OpKind::Read => Msg::Get { op, key },
            OpKind::Write(value) => Msg::Put { op, key, value },
        };
        ctx.send(coordinator, msg);
        let timeout = self.workload.params().timeout;
        let timer = ctx.set_timer(timeout, Timer::OpTimeout { op });
        self.in_flight = Some(InFlight {
            op,
            coordinator,
            timer,
        });
    }

    /// Whether an operation is in flight.
    pub fn busy(&self) -> bool {
        self.in_flight.is_some()
    }

    /// The next coordinator: round robin, skipping avoided ones unless all are.
    fn coordinator(&mut self, q: &Quorum, now: SimTime) -> NodeId {
        let members = q.ring.members();
        let pick = (0..members.len())
            .map(|i| (self.next + i) % members.len())
            .find(|&i| self.avoid_until[i] <= now)
            .unwrap_or(self.next % members.len());
        self.next = pick + 1;
        members[pick]
    }

    fn avoid(&mut self, q: &Quorum, now: SimTime, node: NodeId) {
        if let Some(i) = q.ring.index_of(node) {
            self.avoid_until[i] = now.saturating_add(AVOID_FOR);
        }
    }

    /// Ends the operation in flight with `result` and schedules the next one.
    fn complete(&mut self, ctx: &mut impl Ctx<Quorum>, op: u64, result: OpResult) {
        ctx.observe(Observation::Op(OpEvent::Complete { op, result }));
        self.in_flight = None;
        if !self.driven {
            let gap = self.workload.gap(ctx.rng());
            ctx.set_timer(gap, Timer::Next);
        }
    }

    /// Handles a coordinator's answer.
    pub fn on_message(&mut self, q: &Quorum, ctx: &mut impl Ctx<Quorum>, msg: Msg) {
        let Msg::Reply { op, answer } = msg else {
            return;
        };
        let Some(f) = self.in_flight.as_ref().filter(|f| f.op == op) else {
            return;
        };
        let (timer, coordinator) = (f.timer, f.coordinator);
        ctx.cancel_timer(timer);
        let result = match answer {
            Answer::Read(v) => OpResult::Ok(Some(v)),
            Answer::Written => OpResult::Ok(None),
            Answer::Unavailable => OpResult::Fail,
            Answer::Timeout => OpResult::Unknown,
        };
        if matches!(answer, Answer::Unavailable | Answer::Timeout) {
            self.avoid(q, ctx.now(), coordinator);
        }
        self.complete(ctx, op, result);
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, q: &Quorum, ctx: &mut impl Ctx<Quorum>, timer: Timer) {
        match timer {
            Timer::Next => {
                let (op, key, kind) = self.workload.next(ctx.rng());
                self.begin(q, ctx, op, key, kind);
            }
            Timer::OpTimeout { op } => {
                if let Some(f) = self.in_flight.as_ref().filter(|f| f.op == op) {
                    let coordinator = f.coordinator;
                    self.avoid(q, ctx.now(), coordinator);
                    self.complete(ctx, op, OpResult::Unknown);
                }
            }
            Timer::RequestTimeout { .. } | Timer::Heartbeat | Timer::Detector(_) => {}
        }
    }
}
