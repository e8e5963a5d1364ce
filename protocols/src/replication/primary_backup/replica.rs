//! A replica: backup (copies the primary's log, redirects clients) or primary (orders
//! writes, gathers acknowledgements, holds the lease). Promotion is in `promotion`.

use super::message::{Answer, Disk, DiskWrite, Entry, Epoch, Msg, Observation, Timer};
use super::params::Mode;
use super::{PrimaryBackup, View};
use crate::detection::heartbeat;
use crate::detection::{Detector, DetectorObservation};
use crate::replication::history::{Key, OpKind, Value};
use hasim_sim::{Ctx, NodeId, SimTime};

/// The most lease rounds a primary remembers the send time of.
const SENT_ROUNDS_MAX: usize = 64;

/// What a replica is doing.
#[derive(Debug)]
pub(super) enum Stance {
    /// Copying the primary of its epoch.
    Backup,
    /// Asking the others to join `epoch`, its own.
    Promoting(Promotion),
    /// Ruling its epoch.
    Primary(Box<Primacy>),
}

/// A promotion in progress.
#[derive(Debug)]
pub(super) struct Promotion {
    /// The epoch it claims.
    pub(super) epoch: Epoch,
    /// Who joined, with their log epoch and log.
    pub(super) joined: Vec<(NodeId, Epoch, Vec<Entry>)>,
}

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

/// A replica's volatile state (its disk mirrored in `disk`).
#[derive(Debug)]
pub struct Replica {
    pub(super) index: usize,
    pub(super) disk: Disk,
    pub(super) detector: heartbeat::State,
    pub(super) stance: Stance,
    /// Local time of the last append from the primary of the current epoch.
    pub(super) last_append: SimTime,
    /// No promotion before this (a restart first learns the current epoch).
    pub(super) quiet_until: SimTime,
    /// Lease variant: the promise made to the primary runs until then.
    pub(super) promise_until: SimTime,
    pub(super) serving: bool,
}

impl Replica {
    pub(super) fn start(p: &PrimaryBackup, ctx: &mut Ctx<'_, PrimaryBackup>, disk: &Disk) -> Self {
        let index = p
            .replica_index(ctx.id())
            .expect("a replica is in the replica list");
        let detector = p.detector.start(ctx);
        let now = ctx.now();
        let params = p.params();
        let first = ctx.incarnation().0 == 0;
        // A restarted replica may have promised the old primary a lease before its
        // crash; it honours that by waiting a whole lease and margin.
        let promise_until = match params.lease {
            Some(lease) if !first => now.saturating_add(lease + params.drift_margin),
            _ => now,
        };
        let mut replica = Replica {
            index,
            disk: disk.clone(),
            detector,
            stance: Stance::Backup,
            last_append: now,
            quiet_until: if first {
                now
            } else {
                now.saturating_add(params.heartbeat_timeout)
            },
            promise_until,
            serving: false,
        };
        ctx.set_timer(params.sync_interval, Timer::Tick);
        // The first replica rules epoch 0 from the start (nothing to collect yet).
        if first && index == 0 && disk.epoch == Epoch(0) {
            replica.become_primary(p, ctx);
        }
        replica
    }

    pub(super) fn view(&self) -> View {
        View {
            serving: self.serving,
            epoch: self.disk.epoch,
        }
    }

    pub(super) fn on_message(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut Ctx<'_, PrimaryBackup>,
        source: NodeId,
        msg: Msg,
    ) {
        match msg {
            Msg::Detector(m) => {
                let told = p.detector.on_message(ctx, &mut self.detector, source, m);
                self.after_detector(p, ctx, &told);
            }
            Msg::Request { op, key, kind } => self.on_request(p, ctx, source, op, key, kind),
            Msg::Append {
                epoch,
                round,
                start,
                entries,
            } => self.on_append(p, ctx, source, epoch, round, start, entries),
            Msg::Ack { epoch, round, len } => self.on_ack(p, ctx, source, epoch, round, len),
            Msg::Nack { epoch, len } => self.on_nack(p, ctx, source, epoch, len),
            Msg::Stale { epoch } => self.adopt(p, ctx, epoch),
            Msg::Promote { epoch } => self.on_promote(p, ctx, source, epoch),
            Msg::Join {
                epoch,
                log_epoch,
                log,
            } => self.on_join(p, ctx, source, epoch, log_epoch, log),
            Msg::Reply { .. } => {}
        }
    }

    pub(super) fn on_timer(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut Ctx<'_, PrimaryBackup>,
        timer: Timer,
    ) {
        match timer {
            Timer::Detector(t) => {
                let told = p.detector.on_timer(ctx, &mut self.detector, t);
                self.after_detector(p, ctx, &told);
            }
            Timer::Tick => {
                ctx.set_timer(p.params().sync_interval, Timer::Tick);
                if matches!(self.stance, Stance::Primary(_)) {
                    self.broadcast(p, ctx);
                } else {
                    self.consider_promotion(p, ctx);
                }
            }
            Timer::LeaseEnd => self.on_lease_end(ctx),
            Timer::NextOp | Timer::Timeout { .. } | Timer::Retry { .. } => {}
        }
    }

    fn after_detector(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut Ctx<'_, PrimaryBackup>,
        told: &[DetectorObservation],
    ) {
        let about_replica = told.iter().any(|o| {
            matches!(o, DetectorObservation::Suspect { .. })
                && p.replica_index(o.target()).is_some()
        });
        if about_replica {
            self.consider_promotion(p, ctx);
        }
    }

    /// Whether this node serves as primary now (lease: by its own clock).
    fn ready(&self, p: &PrimaryBackup, now: SimTime) -> bool {
        match &self.stance {
            Stance::Primary(pr) => p.params().lease.is_none() || now < pr.lease_until,
            _ => false,
        }
    }

    fn on_request(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut Ctx<'_, PrimaryBackup>,
        client: NodeId,
        op: u64,
        key: Key,
        kind: OpKind,
    ) {
        let epoch = self.disk.epoch;
        if !self.ready(p, ctx.now()) {
            let primary = p.primary_of(epoch);
            let trusted = primary != ctx.id() && !p.detector.suspects(&self.detector, primary);
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
    pub(super) fn broadcast(&mut self, p: &PrimaryBackup, ctx: &mut Ctx<'_, PrimaryBackup>) {
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

    #[allow(clippy::too_many_arguments)]
    fn on_append(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut Ctx<'_, PrimaryBackup>,
        source: NodeId,
        epoch: Epoch,
        round: u64,
        start: u64,
        entries: Vec<Entry>,
    ) {
        if epoch < self.disk.epoch {
            let mine = self.disk.epoch;
            ctx.send(source, Msg::Stale { epoch: mine });
            return;
        }
        if let Stance::Promoting(pr) = &self.stance {
            if epoch < pr.epoch {
                // Heard from, but not followed: acknowledging would renew the lease
                // of the primary it is replacing.
                self.last_append = ctx.now();
                return;
            }
        }
        if epoch > self.disk.epoch {
            self.adopt(p, ctx, epoch);
        }
        if matches!(self.stance, Stance::Primary(_)) {
            return;
        }
        let now = ctx.now();
        self.last_append = now;
        if let Some(lease) = p.params().lease {
            let until = now.saturating_add(lease + p.params().drift_margin);
            self.promise_until = self.promise_until.max(until);
        }
        let len = self.disk.log.len() as u64;
        if self.disk.log_epoch != epoch {
            if start != 0 {
                ctx.send(source, Msg::Nack { epoch, len: 0 });
                return;
            }
            self.disk.log.clone_from(&entries);
            self.disk.log_epoch = epoch;
            ctx.persist_synced(DiskWrite::Replace {
                start: 0,
                entries,
                log_epoch: epoch,
            });
        } else if start > len {
            ctx.send(source, Msg::Nack { epoch, len });
            return;
        } else if start + entries.len() as u64 > len {
            // Same epoch: the primary's log only grows, so keep what is held and add
            // the rest (a reordered, shorter append never shrinks the log).
            let fresh = entries[(len - start) as usize..].to_vec();
            self.disk.log.extend_from_slice(&fresh);
            ctx.persist_synced(DiskWrite::Replace {
                start: len,
                entries: fresh,
                log_epoch: epoch,
            });
        }
        let len = self.disk.log.len() as u64;
        ctx.send(source, Msg::Ack { epoch, round, len });
    }

    fn on_ack(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut Ctx<'_, PrimaryBackup>,
        source: NodeId,
        epoch: Epoch,
        round: u64,
        len: u64,
    ) {
        if epoch > self.disk.epoch {
            self.adopt(p, ctx, epoch);
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

    fn on_nack(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut Ctx<'_, PrimaryBackup>,
        source: NodeId,
        epoch: Epoch,
        len: u64,
    ) {
        if epoch > self.disk.epoch {
            self.adopt(p, ctx, epoch);
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

    fn on_lease_end(&mut self, ctx: &mut Ctx<'_, PrimaryBackup>) {
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

    /// Joins a higher epoch: persists it, steps down, abandons a lower promotion.
    pub(super) fn adopt(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut Ctx<'_, PrimaryBackup>,
        epoch: Epoch,
    ) {
        if epoch <= self.disk.epoch {
            return;
        }
        ctx.persist_synced(DiskWrite::Adopt { epoch });
        let old = self.disk.epoch;
        self.disk.epoch = epoch;
        self.last_append = ctx.now();
        match &self.stance {
            Stance::Primary(_) => {
                self.stance = Stance::Backup;
                if self.serving {
                    self.serving = false;
                    ctx.observe(Observation::Stopped { epoch: old });
                }
            }
            Stance::Promoting(pr) if pr.epoch <= epoch => self.stance = Stance::Backup,
            _ => {}
        }
        let _ = p;
    }

    /// Takes over the current epoch as its primary, with the log it holds.
    pub(super) fn become_primary(&mut self, p: &PrimaryBackup, ctx: &mut Ctx<'_, PrimaryBackup>) {
        let epoch = self.disk.epoch;
        self.stance = Stance::Primary(Box::new(Primacy::new(p.replicas().len())));
        ctx.observe(Observation::Promoted { epoch });
        if p.params().lease.is_none() {
            self.serving = true;
            ctx.observe(Observation::Serving { epoch });
        }
        self.broadcast(p, ctx);
    }
}
