//! A replica's storage side: it keeps its keys' versions and the hints it holds for
//! others on disk, answers reads, stores writes and repairs, tells every other
//! replica it is alive, and hands hints back to their replica once it hears from it.
//! The same node coordinates client requests ([`super::coordinator`]).

use crate::detection::{any, Detector};
use crate::replication::history::Key;
use crate::replication::quorum::coordinator::Request;
use crate::replication::quorum::disk::{Disk, DiskWrite, Hint};
use crate::replication::quorum::message::{Msg, Timer};
use crate::replication::quorum::version::Siblings;
use crate::replication::quorum::{DetectorLens, Quorum};
use hasim_sim::{Ctx, NodeId, Protocol, SimTime, Within};
use std::collections::BTreeMap;

/// A replica's volatile state (its disk image is mirrored in `disk`).
#[derive(Debug)]
pub struct Replica {
    /// The durable image as this incarnation knows it (every change is persisted).
    pub disk: Disk,
    /// When each ring member was last heard from (local clock); `None`: not yet since
    /// this node started, which counts as alive.
    pub(super) last_heard: Vec<Option<SimTime>>,
    /// Client requests this node coordinates, by request id.
    pub(super) requests: BTreeMap<u64, Request>,
    /// The next request id (ids start at 1).
    pub(super) next_rid: u64,
    /// The detector's state on this node, when the run has one.
    detector: Option<any::State>,
}

impl Replica {
    /// Starts from the disk image and begins sending liveness messages.
    pub fn start(q: &Quorum, ctx: &mut impl Ctx<Quorum>, disk: &Disk) -> Replica {
        let detector = match q.detector() {
            Some(d) => Some(d.start(
                &mut Within::<_, DetectorLens>::new(ctx, q.detector_span()),
                &(),
            )),
            None => {
                ctx.set_timer(q.params.heartbeat_interval, Timer::Heartbeat);
                None
            }
        };
        Replica {
            disk: disk.clone(),
            last_heard: vec![None; q.ring.members().len()],
            requests: BTreeMap::new(),
            next_rid: 1,
            detector,
        }
    }

    /// Whether this node believes `node` is up: itself, or heard from recently.
    pub(super) fn is_live(&self, q: &Quorum, now: SimTime, me: NodeId, node: NodeId) -> bool {
        if node == me {
            return true;
        }
        let Some(i) = q.ring.index_of(node) else {
            return false;
        };
        if let (Some(d), Some(state)) = (q.detector(), &self.detector) {
            return !d.suspects(state, node);
        }
        self.last_heard[i].is_none_or(|t| now.saturating_since(t) <= q.params.suspect_after)
    }

    /// What this node holds for `key`: its own versions and every hint for the key.
    fn holding(&self, key: Key) -> Siblings {
        let mut s = self.disk.store.get(&key).cloned().unwrap_or_default();
        for ((_, k), hint) in &self.disk.hints {
            if *k == key {
                s.merge(&hint.siblings);
            }
        }
        s
    }

    /// Merges `siblings` into the key's own data; persists and returns whether it changed.
    fn store(&mut self, ctx: &mut impl Ctx<Quorum>, key: Key, siblings: &Siblings) -> bool {
        let held = self.disk.store.entry(key).or_default();
        if !held.merge(siblings) {
            return false;
        }
        let siblings = held.clone();
        ctx.persist_synced(DiskWrite::Store { key, siblings });
        true
    }

    /// Handles a message.
    pub fn on_message(&mut self, q: &Quorum, ctx: &mut impl Ctx<Quorum>, source: NodeId, msg: Msg) {
        match msg {
            Msg::Get { op, key } => self.on_get(q, ctx, source, op, key),
            Msg::Put { op, key, value } => self.on_put(q, ctx, source, op, key, value),
            Msg::ReadReply { rid, siblings } => self.on_read_reply(q, ctx, source, rid, siblings),
            Msg::WriteAck { rid } => self.on_write_ack(q, ctx, source, rid),
            Msg::Read { rid, key } => {
                let siblings = self.holding(key);
                ctx.send(source, Msg::ReadReply { rid, siblings });
            }
            Msg::Write {
                rid,
                key,
                siblings,
                hint,
            } => {
                match hint {
                    Some(target) if target != ctx.id() => {
                        let entry = self.disk.hints.entry((target, key)).or_default();
                        if entry.siblings.merge(&siblings) {
                            entry.seq += 1;
                            let hint = entry.clone();
                            ctx.persist_synced(DiskWrite::Hint { target, key, hint });
                        }
                        ctx.count("hints_stored", 1);
                    }
                    _ => {
                        self.store(ctx, key, &siblings);
                    }
                }
                ctx.send(source, Msg::WriteAck { rid });
            }
            Msg::Repair { key, siblings } => {
                self.store(ctx, key, &siblings);
            }
            Msg::Alive => {
                if let Some(i) = q.ring.index_of(source) {
                    self.last_heard[i] = Some(ctx.now());
                }
                self.hand_off(ctx, source);
            }
            Msg::Detector(m) => {
                if let (Some(d), Some(state)) = (q.detector(), &mut self.detector) {
                    let mut w = Within::<_, DetectorLens>::new(ctx, q.detector_span());
                    d.on_message(&mut w, state, source, m);
                    // Hearing anything from a ring member means it is up: the time to
                    // hand its hints back, as the built-in liveness does.
                    if q.ring.index_of(source).is_some() {
                        self.hand_off(ctx, source);
                    }
                }
            }
            Msg::Handoff { key, seq, siblings } => {
                self.store(ctx, key, &siblings);
                ctx.send(source, Msg::HandoffAck { key, seq });
            }
            Msg::HandoffAck { key, seq } => {
                if self
                    .disk
                    .hints
                    .get(&(source, key))
                    .is_some_and(|h| h.seq == seq)
                {
                    self.disk.hints.remove(&(source, key));
                    ctx.persist_synced(DiskWrite::HintDone {
                        target: source,
                        key,
                    });
                    ctx.count("hints_delivered", 1);
                }
            }
            // A client's answer never reaches a replica.
            Msg::Reply { .. } => {}
        }
    }

    /// Sends `target` every hint held for it (again on every liveness message until it
    /// acknowledges: handoffs are idempotent merges).
    fn hand_off(&mut self, ctx: &mut impl Ctx<Quorum>, target: NodeId) {
        let start = (target, Key::MIN);
        let pending: Vec<(Key, Hint)> = self
            .disk
            .hints
            .range(start..)
            .take_while(|((t, _), _)| *t == target)
            .map(|((_, k), h)| (*k, h.clone()))
            .collect();
        for (key, hint) in pending {
            ctx.send(
                target,
                Msg::Handoff {
                    key,
                    seq: hint.seq,
                    siblings: hint.siblings,
                },
            );
        }
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, q: &Quorum, ctx: &mut impl Ctx<Quorum>, timer: Timer) {
        match timer {
            Timer::Heartbeat => {
                let me = ctx.id();
                for &m in q.ring.members() {
                    if m != me {
                        ctx.send(m, Msg::Alive);
                    }
                }
                ctx.set_timer(q.params.heartbeat_interval, Timer::Heartbeat);
            }
            Timer::Detector(t) => {
                if let (Some(d), Some(state)) = (q.detector(), &mut self.detector) {
                    d.on_timer(
                        &mut Within::<_, DetectorLens>::new(ctx, q.detector_span()),
                        state,
                        t,
                    );
                }
            }
            Timer::RequestTimeout { rid } => self.on_request_timeout(ctx, rid),
            Timer::Next | Timer::OpTimeout { .. } => {}
        }
    }
}
