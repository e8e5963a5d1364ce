//! The primary's side of a replica: serving clients, shipping the log in rounds,
//! counting acknowledgements, and holding the lease.

use super::message::{Answer, DiskWrite, Entry, Epoch, Msg, Observation, Timer};
use super::params::Mode;
use super::replica::{Replica, Stance};
use super::PrimaryBackup;
use crate::replication::history::{Key, OpKind, Value};
use hasim_sim::{Ctx, NodeId, SimTime};
/// The most lease rounds a primary remembers the send time of.
const SENT_ROUNDS_MAX: usize = 64;

/// An operation waiting for backups.
#[derive(Debug)]
struct Pending {
    client: NodeId,
    op: u64,
    /// The broadcast round that must be acknowledged.
    round: u64,
    /// How many log entries the acknowledging backups must hold.
    need: u64,
    answer: Option<Value>,
}

/// A primary's bookkeeping, indexed by replica index.
#[derive(Debug)]
pub(super) struct Primacy {
    round: u64,
    /// Where the next append to each backup starts.
    next: Vec<u64>,
    /// How much of the log each backup is known to hold.
    matched: Vec<u64>,
    /// The highest round each backup acknowledged.
    acked_round: Vec<u64>,
    pending: Vec<Pending>,
    /// Lease variant: local send time of recent rounds.
    sent: Vec<(u64, SimTime)>,
    lease_until: SimTime,
    lease_timer: bool,
}

impl Primacy {
    pub(super) fn new(replicas: usize) -> Self {
        Primacy {
            round: 0,
            next: vec![0; replicas],
            matched: vec![0; replicas],
            acked_round: vec![0; replicas],
            pending: Vec::new(),
            sent: Vec::new(),
            lease_until: SimTime::ZERO,
            lease_timer: false,
        }
    }
}

impl Replica {
    /// Whether this node serves as primary now (lease: by its own clock).
    pub(super) fn ready(&self, p: &PrimaryBackup, now: SimTime) -> bool {
        match &self.stance {
            Stance::Primary(pr) => p.params().lease.is_none() || now < pr.lease_until,
            _ => false,
        }
    }

    pub(super) fn on_request(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut impl Ctx<PrimaryBackup>,
        client: NodeId,
        op: u64,
        key: Key,
        kind: OpKind,
    ) {
        let epoch = self.disk.epoch;
        if !self.ready(p, ctx.now()) {
            let primary = p.primary_of(epoch);
            let trusted = primary != ctx.id() && !p.suspects(&self.detector, primary);
            let answer = Answer::Redirect(trusted.then_some(primary));
            ctx.send(client, Msg::Reply { op, epoch, answer });
            return;
        }
        let params = p.params();
        let immediate = params.mode == Mode::Async || params.lease.is_some();
        let (answer, need) = match kind {
            OpKind::Write(value) => {
                let start = self.disk.log.len() as u64;
                let entries = vec![Entry { key, value }];
                ctx.persist_synced(DiskWrite::Replace {
                    start,
                    entries,
                    log_epoch: epoch,
                });
                self.disk.log.push(Entry { key, value });
                (None, start + 1)
            }
            OpKind::Read => {
                let value = self
                    .disk
                    .log
                    .iter()
                    .rev()
                    .find(|e| e.key == key)
                    .map_or(0, |e| e.value);
                (Some(value), self.disk.log.len() as u64)
            }
        };
        let write = matches!(kind, OpKind::Write(_));
        // Async answers everything at once; a lease holder answers reads at once.
        if params.mode == Mode::Async || (immediate && !write) {
            let answer = Answer::Ok(answer);
            ctx.send(client, Msg::Reply { op, epoch, answer });
            return;
        }
        let Stance::Primary(pr) = &mut self.stance else {
            return;
        };
        pr.pending.push(Pending {
            client,
            op,
            round: pr.round + 1,
            need,
            answer,
        });
        self.broadcast(p, ctx);
    }

    /// Sends a new round of appends to every backup: what each is missing, or nothing.
    pub(super) fn broadcast(&mut self, p: &PrimaryBackup, ctx: &mut impl Ctx<PrimaryBackup>) {
        let Stance::Primary(pr) = &mut self.stance else {
            return;
        };
        pr.round += 1;
        let round = pr.round;
        if p.params().lease.is_some() {
            if pr.sent.len() == SENT_ROUNDS_MAX {
                pr.sent.remove(0);
            }
            pr.sent.push((round, ctx.now()));
        }
        let len = self.disk.log.len() as u64;
        for (b, &node) in p.replicas().iter().enumerate() {
            if b == self.index {
                continue;
            }
            let start = pr.next[b].min(len);
            let entries = self.disk.log[start as usize..].to_vec();
            pr.next[b] = len;
            let epoch = self.disk.epoch;
            ctx.send(
                node,
                Msg::Append {
                    epoch,
                    round,
                    start,
                    entries,
                },
            );
        }
    }

    pub(super) fn on_ack(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut impl Ctx<PrimaryBackup>,
        source: NodeId,
        epoch: Epoch,
        round: u64,
        len: u64,
    ) {
        if epoch > self.disk.epoch {
            self.adopt(ctx, epoch);
            return;
        }
        let (Some(b), true) = (p.replica_index(source), epoch == self.disk.epoch) else {
            return;
        };
        let Stance::Primary(pr) = &mut self.stance else {
            return;
        };
        pr.matched[b] = pr.matched[b].max(len);
        pr.acked_round[b] = pr.acked_round[b].max(round);
        pr.next[b] = pr.next[b].max(len);
        let acks = p.params().acks as usize;
        let holds = |pr: &Primacy, round: u64, need: u64| {
            (0..pr.matched.len())
                .filter(|&i| pr.acked_round[i] >= round && pr.matched[i] >= need)
                .count()
                >= acks
        };
        let mut i = 0;
        while i < pr.pending.len() {
            let q = &pr.pending[i];
            if holds(pr, q.round, q.need) {
                let q = pr.pending.remove(i);
                let answer = Answer::Ok(q.answer);
                ctx.send(
                    q.client,
                    Msg::Reply {
                        op: q.op,
                        epoch,
                        answer,
                    },
                );
            } else {
                i += 1;
            }
        }
        let Some(lease) = p.params().lease else {
            return;
        };
        // The latest round enough backups acknowledged renews the lease from its
        // send time: each of them promised to wait at least that long after receipt.
        let renewed = pr
            .sent
            .iter()
            .rev()
            .find(|&&(r, _)| holds(pr, r, 0))
            .copied();
        if let Some((r, sent_at)) = renewed {
            pr.sent.retain(|&(s, _)| s > r);
            pr.lease_until = pr.lease_until.max(sent_at.saturating_add(lease));
            let now = ctx.now();
            if now < pr.lease_until {
                if !pr.lease_timer {
                    pr.lease_timer = true;
                    ctx.set_timer(pr.lease_until - now, Timer::LeaseEnd);
                }
                if !self.serving {
                    self.serving = true;
                    ctx.observe(Observation::Serving { epoch });
                }
            }
        }
    }

    pub(super) fn on_nack(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut impl Ctx<PrimaryBackup>,
        source: NodeId,
        epoch: Epoch,
        len: u64,
    ) {
        if epoch > self.disk.epoch {
            self.adopt(ctx, epoch);
            return;
        }
        let (Some(b), true) = (p.replica_index(source), epoch == self.disk.epoch) else {
            return;
        };
        let Stance::Primary(pr) = &mut self.stance else {
            return;
        };
        pr.next[b] = len;
        let start = len.min(self.disk.log.len() as u64);
        let entries = self.disk.log[start as usize..].to_vec();
        pr.next[b] = self.disk.log.len() as u64;
        let round = pr.round;
        ctx.send(
            source,
            Msg::Append {
                epoch,
                round,
                start,
                entries,
            },
        );
    }

    pub(super) fn on_lease_end(&mut self, ctx: &mut impl Ctx<PrimaryBackup>) {
        let now = ctx.now();
        let Stance::Primary(pr) = &mut self.stance else {
            return;
        };
        pr.lease_timer = false;
        if now < pr.lease_until {
            pr.lease_timer = true;
            ctx.set_timer(pr.lease_until - now, Timer::LeaseEnd);
        } else if self.serving {
            self.serving = false;
            let epoch = self.disk.epoch;
            ctx.observe(Observation::Stopped { epoch });
        }
    }
}
