//! A replica: its state, its start, its message and timer dispatch, and the backup's
//! side (copying the primary's log, joining epochs). The primary's side is in
//! `primary`, promotion in `promotion`.

use super::message::{Disk, DiskWrite, Entry, Epoch, Msg, Observation, Timer};
use super::primary::Primacy;
use super::DetectorLens;
use super::{PrimaryBackup, View};
use crate::detection::{any, DetectorObservation};
use hasim_sim::{Ctx, NodeId, SimTime};
use hasim_sim::{Protocol, Within};

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
    /// Local time the others were last asked (retries wait a `sync_interval`).
    pub(super) asked_at: SimTime,
}

/// A replica's volatile state (its disk mirrored in `disk`).
#[derive(Debug)]
pub struct Replica {
    pub(super) index: usize,
    pub(super) disk: Disk,
    pub(super) detector: any::State,
    pub(super) stance: Stance,
    /// Local time of the last append from the primary of the current epoch.
    pub(super) last_append: SimTime,
    /// No promotion before this (a restart first learns the current epoch).
    pub(super) quiet_until: SimTime,
    /// Lease variant: the promise made to the primary runs until then.
    pub(super) promise_until: SimTime,
    pub(super) serving: bool,
    /// The highest promotion this replica was asked to join but could not yet (it
    /// still trusted the primary, or its lease promise ran): it joins as soon as it can.
    pub(super) invited: Option<(NodeId, Epoch)>,
}

impl Replica {
    pub(super) fn start(p: &PrimaryBackup, ctx: &mut impl Ctx<PrimaryBackup>, disk: &Disk) -> Self {
        let index = p
            .replica_index(ctx.id())
            .expect("a replica is in the replica list");
        let detector = {
            let span = p.detector_span();
            p.detector
                .start(&mut Within::<_, DetectorLens>::new(ctx, span), &())
        };
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
            invited: None,
        };
        ctx.set_timer(params.sync_interval, Timer::Tick);
        // The first replica rules epoch 0 from the start (nothing to collect yet).
        if first && index == 0 && disk.epoch == Epoch(0) {
            replica.become_primary(p, ctx);
        }
        replica
    }

    /// The promises of the module header one replica can check alone, after every
    /// event: its epoch never goes back (joining persists it, which is the fence); it
    /// rules only an epoch it owns, and only the one on its disk; it serves only while
    /// ruling; a promotion claims a higher epoch it owns. Cheap; a violation is a bug
    /// in this model (a failing seed with its replay command in a sweep).
    pub(super) fn assert_invariants(
        &self,
        p: &PrimaryBackup,
        ctx: &impl Ctx<PrimaryBackup>,
        epoch_before: Epoch,
    ) {
        let me = ctx.id();
        let at = |what: &str| format!("primary-backup {me} at {}: {what}", ctx.now());
        assert!(
            self.disk.epoch >= epoch_before,
            "{}",
            at("the epoch went back")
        );
        match &self.stance {
            Stance::Primary(_) => assert!(
                p.primary_of(self.disk.epoch) == me,
                "{}",
                at("rules an epoch it does not own")
            ),
            Stance::Promoting(pr) => assert!(
                pr.epoch > self.disk.epoch && p.primary_of(pr.epoch) == me,
                "{}",
                at("claims an epoch it does not own, or not a newer one")
            ),
            Stance::Backup => {}
        }
        assert!(
            !self.serving || matches!(self.stance, Stance::Primary(_)),
            "{}",
            at("serves without ruling")
        );
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
        ctx: &mut impl Ctx<PrimaryBackup>,
        source: NodeId,
        msg: Msg,
    ) {
        match msg {
            Msg::Detector(m) => {
                let mut w = Within::<_, DetectorLens>::new(ctx, p.detector_span()).hearing();
                p.detector.on_message(&mut w, &mut self.detector, source, m);
                let told = w.heard();
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
            Msg::Stale { epoch } => self.adopt(ctx, epoch),
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
        ctx: &mut impl Ctx<PrimaryBackup>,
        timer: Timer,
    ) {
        match timer {
            Timer::Detector(t) => {
                let mut w = Within::<_, DetectorLens>::new(ctx, p.detector_span()).hearing();
                p.detector.on_timer(&mut w, &mut self.detector, t);
                let told = w.heard();
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
        ctx: &mut impl Ctx<PrimaryBackup>,
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

    #[allow(clippy::too_many_arguments)]
    fn on_append(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut impl Ctx<PrimaryBackup>,
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
            self.adopt(ctx, epoch);
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

    /// Joins a higher epoch: persists it, steps down, abandons a lower promotion.
    pub(super) fn adopt(&mut self, ctx: &mut impl Ctx<PrimaryBackup>, epoch: Epoch) {
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
    }

    /// Takes over the current epoch as its primary, with the log it holds.
    pub(super) fn become_primary(&mut self, p: &PrimaryBackup, ctx: &mut impl Ctx<PrimaryBackup>) {
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
