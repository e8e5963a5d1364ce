//! The coordinator side of a replica: it takes a client's read or write, fans it out to
//! the key's replicas, and answers once R replicas answered the read / W acknowledged
//! the write, "unavailable" at once when it knows fewer live replicas than that, or
//! "timeout" after `request_timeout`.
//!
//! A vector write first reads R replicas to learn the key's causal context, then
//! writes a version that descends from all of it (one more count for the coordinator):
//! the round trip a Dynamo client makes with get-then-put, made by the coordinator.
//! A last-write-wins write stamps the coordinator's clock and writes at once.
//!
//! With `read_repair`, once a read has its quorum every preferred replica that
//! answered (then or later, until the request ends) without holding everything the
//! others returned is sent the merged versions.

use crate::replication::history::{Key, Value};
use crate::replication::quorum::message::{Answer, Msg, Timer};
use crate::replication::quorum::replica::Replica;
use crate::replication::quorum::version::{Dot, Siblings, Stamp, Version, Versioned};
use crate::replication::quorum::Quorum;
use hasim_sim::{Ctx, NodeId, TimerId};

/// Where a request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// A client read: gathering R answers (then repairing until every target answered).
    Read,
    /// A vector write's first round: reading R replicas for the causal context.
    Context {
        /// The value to write.
        value: Value,
    },
    /// Writing: gathering W acknowledgements.
    Write,
}

/// A client request this node coordinates.
#[derive(Debug)]
pub struct Request {
    client: NodeId,
    op: u64,
    key: Key,
    phase: Phase,
    /// The nodes asked, each with the replica it stands in for (sloppy quorum).
    targets: Vec<(NodeId, Option<NodeId>)>,
    /// Read answers so far: who, and what it holds now as far as we know.
    replies: Vec<(NodeId, Siblings)>,
    /// Everything the read answers held, merged.
    merged: Siblings,
    /// Write acknowledgements so far.
    acked: Vec<NodeId>,
    answered: bool,
    timer: TimerId,
}

impl Replica {
    /// The nodes a request for `key` goes to. Strict quorum: the key's N preferred
    /// replicas. Sloppy quorum: each preferred replica believed down is replaced by the
    /// next live node further along the ring, which will hold the data as a hint.
    fn targets(
        &self,
        q: &Quorum,
        ctx: &impl Ctx<Quorum>,
        key: Key,
    ) -> Vec<(NodeId, Option<NodeId>)> {
        let n = q.params.n as usize;
        let (now, me) = (ctx.now(), ctx.id());
        if !q.params.hinted_handoff {
            return q.ring.walk(key).take(n).map(|m| (m, None)).collect();
        }
        let mut fallbacks = q
            .ring
            .walk(key)
            .skip(n)
            .filter(|&m| self.is_live(q, now, me, m));
        let mut targets = Vec::with_capacity(n);
        for m in q.ring.walk(key).take(n) {
            if self.is_live(q, now, me, m) {
                targets.push((m, None));
            } else if let Some(f) = fallbacks.next() {
                targets.push((f, Some(m)));
            }
        }
        targets
    }

    /// Starts a request: fails it at once without enough live targets, else sends the
    /// first round and arms the timeout.
    fn begin(
        &mut self,
        q: &Quorum,
        ctx: &mut impl Ctx<Quorum>,
        client: NodeId,
        op: u64,
        key: Key,
        phase: Phase,
    ) {
        let targets = self.targets(q, ctx, key);
        let (now, me) = (ctx.now(), ctx.id());
        let live = targets
            .iter()
            .filter(|(t, _)| self.is_live(q, now, me, *t))
            .count() as u32;
        let needed = match phase {
            Phase::Read => q.params.r,
            // A vector write needs a read quorum first, then a write quorum.
            Phase::Context { .. } => q.params.r.max(q.params.w),
            Phase::Write => q.params.w,
        };
        if live < needed {
            ctx.send(
                client,
                Msg::Reply {
                    op,
                    answer: Answer::Unavailable,
                },
            );
            return;
        }
        let rid = self.next_rid;
        self.next_rid += 1;
        let timer = ctx.set_timer(q.params.request_timeout, Timer::RequestTimeout { rid });
        let request = Request {
            client,
            op,
            key,
            phase,
            targets,
            replies: Vec::new(),
            merged: Siblings::default(),
            acked: Vec::new(),
            answered: false,
            timer,
        };
        match phase {
            Phase::Read | Phase::Context { .. } => {
                for &(t, _) in &request.targets {
                    ctx.send(t, Msg::Read { rid, key });
                }
            }
            Phase::Write => {}
        }
        self.requests.insert(rid, request);
    }

    /// A client's read.
    pub(super) fn on_get(
        &mut self,
        q: &Quorum,
        ctx: &mut impl Ctx<Quorum>,
        client: NodeId,
        op: u64,
        key: Key,
    ) {
        self.begin(q, ctx, client, op, key, Phase::Read);
    }

    /// A client's write.
    pub(super) fn on_put(
        &mut self,
        q: &Quorum,
        ctx: &mut impl Ctx<Quorum>,
        client: NodeId,
        op: u64,
        key: Key,
        value: Value,
    ) {
        match q.params.versioning {
            super::Versioning::Vector => {
                self.begin(q, ctx, client, op, key, Phase::Context { value });
            }
            super::Versioning::Lww => {
                let rid = self.next_rid;
                self.begin(q, ctx, client, op, key, Phase::Write);
                let version = Version::Lww(Stamp {
                    time: ctx.now(),
                    node: ctx.id(),
                });
                if self.requests.contains_key(&rid) {
                    self.send_write(ctx, rid, Versioned { version, value });
                }
            }
        }
    }

    /// Sends the write round of request `rid`.
    fn send_write(&mut self, ctx: &mut impl Ctx<Quorum>, rid: u64, v: Versioned) {
        let Some(r) = self.requests.get_mut(&rid) else {
            return;
        };
        r.phase = Phase::Write;
        let siblings = Siblings::one(v);
        for &(t, hint) in &r.targets {
            ctx.send(
                t,
                Msg::Write {
                    rid,
                    key: r.key,
                    siblings: siblings.clone(),
                    hint,
                },
            );
        }
    }

    /// A replica's read answer.
    pub(super) fn on_read_reply(
        &mut self,
        q: &Quorum,
        ctx: &mut impl Ctx<Quorum>,
        source: NodeId,
        rid: u64,
        siblings: Siblings,
    ) {
        let Some(r) = self.requests.get_mut(&rid) else {
            return;
        };
        let asked = r.targets.iter().any(|(t, _)| *t == source);
        if !asked || r.replies.iter().any(|(n, _)| *n == source) {
            return;
        }
        match r.phase {
            Phase::Write => return,
            Phase::Read | Phase::Context { .. } => {}
        }
        r.merged.merge(&siblings);
        r.replies.push((source, siblings));
        if !r.answered && r.replies.len() as u32 >= q.params.r {
            match r.phase {
                Phase::Read => {
                    r.answered = true;
                    let answer = Answer::Read(r.merged.value());
                    ctx.send(r.client, Msg::Reply { op: r.op, answer });
                }
                Phase::Context { value } => {
                    let me = ctx.id();
                    let own = q.ring.index_of(me).unwrap_or(0);
                    let mut vector = r.merged.context(q.ring.members().len());
                    let counter = vector[own].max(self.disk.counter) + 1;
                    vector[own] = counter;
                    self.disk.counter = counter;
                    ctx.persist_synced(super::disk::DiskWrite::Counter(counter));
                    let version = Version::Vector {
                        vector,
                        dot: Dot {
                            counter,
                            replica: own as u32,
                        },
                    };
                    self.send_write(ctx, rid, Versioned { version, value });
                    return;
                }
                Phase::Write => {}
            }
        }
        let Some(r) = self.requests.get_mut(&rid) else {
            return;
        };
        if r.answered && q.params.read_repair {
            let key = r.key;
            for (node, held) in &mut r.replies {
                if q.ring.is_preferred(key, q.params.n as usize, *node)
                    && !held.covers_all(&r.merged)
                {
                    *held = r.merged.clone();
                    ctx.send(
                        *node,
                        Msg::Repair {
                            key,
                            siblings: r.merged.clone(),
                        },
                    );
                    ctx.count("read_repairs", 1);
                }
            }
        }
        if r.replies.len() == r.targets.len() {
            self.finish(ctx, rid);
        }
    }

    /// A replica's write acknowledgement.
    pub(super) fn on_write_ack(
        &mut self,
        q: &Quorum,
        ctx: &mut impl Ctx<Quorum>,
        source: NodeId,
        rid: u64,
    ) {
        let Some(r) = self.requests.get_mut(&rid) else {
            return;
        };
        let asked = r.targets.iter().any(|(t, _)| *t == source);
        if r.phase != Phase::Write || !asked || r.acked.contains(&source) {
            return;
        }
        r.acked.push(source);
        if !r.answered && r.acked.len() as u32 >= q.params.w {
            r.answered = true;
            let answer = Answer::Written;
            ctx.send(r.client, Msg::Reply { op: r.op, answer });
        }
        if r.acked.len() == r.targets.len() {
            self.finish(ctx, rid);
        }
    }

    /// The request ran out of time: answer "timeout" unless already answered.
    pub(super) fn on_request_timeout(&mut self, ctx: &mut impl Ctx<Quorum>, rid: u64) {
        if let Some(r) = self.requests.remove(&rid) {
            if !r.answered {
                let answer = Answer::Timeout;
                ctx.send(r.client, Msg::Reply { op: r.op, answer });
            }
        }
    }

    /// Every target answered: the request is over.
    fn finish(&mut self, ctx: &mut impl Ctx<Quorum>, rid: u64) {
        if let Some(r) = self.requests.remove(&rid) {
            ctx.cancel_timer(r.timer);
        }
    }
}
