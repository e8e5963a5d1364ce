//! Failover by self-promotion: when a backup decides to take over, how the others join
//! its epoch, and how it picks the log to rule with.
//!
//! The lowest-indexed replica that suspects the primary (and every replica below
//! itself) promotes; there is no coordinator. A replica joins a higher epoch only if it
//! also suspects the current primary, or the promoter *is* that primary (a restarted
//! primary claiming a new epoch), and in the lease variant only once its promise to
//! the old primary has run out. Joining persists the epoch, which fences the old
//! primary out: its appends are refused from then on.

use super::message::{DiskWrite, Entry, Epoch, Msg};
use super::replica::{Promotion, Replica, Stance};
use super::PrimaryBackup;
use hasim_sim::{Ctx, NodeId};

impl Replica {
    /// Whether this replica believes the primary of its epoch is gone: its detector
    /// suspects it, it has sent no append for `append_timeout`, or it is this
    /// replica itself (restarted, so not ruling).
    pub(super) fn suspects_primary(
        &self,
        p: &PrimaryBackup,
        ctx: &impl Ctx<PrimaryBackup>,
    ) -> bool {
        let primary = p.primary_of(self.disk.epoch);
        if primary == ctx.id() {
            return !matches!(self.stance, Stance::Primary(_));
        }
        let silent = self.last_append.saturating_add(p.params().append_timeout());
        p.suspects(&self.detector, primary) || ctx.now() >= silent
    }

    /// Starts a promotion when this replica should take over; retries (or abandons)
    /// one in progress.
    pub(super) fn consider_promotion(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut impl Ctx<PrimaryBackup>,
    ) {
        let suspects = self.suspects_primary(p, ctx);
        match &self.stance {
            Stance::Primary(_) => return,
            Stance::Promoting(pr) => {
                if !suspects {
                    // The primary is back: nobody needs replacing. A join still in
                    // flight is handled by its receiver's epoch (see `on_join`).
                    self.stance = Stance::Backup;
                    return;
                }
                let now = ctx.now();
                if now < pr.asked_at.saturating_add(p.params().sync_interval) {
                    return;
                }
                let epoch = pr.epoch;
                for &node in p.replicas() {
                    let joined = pr.joined.iter().any(|j| j.0 == node);
                    if node != ctx.id() && !joined {
                        ctx.send(node, Msg::Promote { epoch });
                    }
                }
                if let Stance::Promoting(pr) = &mut self.stance {
                    pr.asked_at = now;
                }
                return;
            }
            Stance::Backup => {}
        }
        if let Some((promoter, epoch)) = self.invited {
            if epoch <= self.disk.epoch {
                self.invited = None;
            } else if self.may_join(p, ctx, promoter) {
                self.join(ctx, promoter, epoch);
                return;
            }
        }
        let now = ctx.now();
        if !suspects || now < self.quiet_until || now < self.promise_until {
            return;
        }
        let primary = p.primary_of(self.disk.epoch);
        let lower_alive = p.replicas()[..self.index]
            .iter()
            .any(|&r| r != primary && !p.suspects(&self.detector, r));
        if lower_alive {
            return;
        }
        let n = p.replicas().len() as u64;
        let mut e = self.disk.epoch.0 + 1;
        while e % n != self.index as u64 {
            e += 1;
        }
        let epoch = Epoch(e);
        self.stance = Stance::Promoting(Promotion {
            epoch,
            joined: Vec::new(),
            asked_at: now,
        });
        if p.promotion_quorum() <= 1 {
            self.complete_promotion(p, ctx);
            return;
        }
        for &node in p.replicas() {
            if node != ctx.id() {
                ctx.send(node, Msg::Promote { epoch });
            }
        }
    }

    /// A promoter asks this replica to join `epoch`.
    pub(super) fn on_promote(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut impl Ctx<PrimaryBackup>,
        source: NodeId,
        epoch: Epoch,
    ) {
        if epoch < self.disk.epoch {
            let mine = self.disk.epoch;
            ctx.send(source, Msg::Stale { epoch: mine });
            return;
        }
        let ruling = matches!(self.stance, Stance::Primary(_));
        if epoch == self.disk.epoch {
            // A join that was lost: say it again.
            if !ruling && p.primary_of(epoch) == source {
                self.send_join(ctx, source);
            }
            return;
        }
        if ruling {
            return;
        }
        if let Stance::Promoting(pr) = &self.stance {
            if pr.epoch > epoch {
                return;
            }
        }
        if !self.may_join(p, ctx, source) {
            if self.invited.is_none_or(|(_, e)| e < epoch) {
                self.invited = Some((source, epoch));
            }
            return;
        }
        self.join(ctx, source, epoch);
    }

    /// Whether this replica may leave its epoch for `promoter`'s: it suspects the
    /// primary too (or the promoter is that primary), and any lease promise ran out.
    fn may_join(&self, p: &PrimaryBackup, ctx: &impl Ctx<PrimaryBackup>, promoter: NodeId) -> bool {
        let primary = p.primary_of(self.disk.epoch);
        ctx.now() >= self.promise_until && (self.suspects_primary(p, ctx) || primary == promoter)
    }

    fn join(&mut self, ctx: &mut impl Ctx<PrimaryBackup>, promoter: NodeId, epoch: Epoch) {
        self.invited = None;
        self.adopt(ctx, epoch);
        self.send_join(ctx, promoter);
    }

    fn send_join(&self, ctx: &mut impl Ctx<PrimaryBackup>, target: NodeId) {
        let msg = Msg::Join {
            epoch: self.disk.epoch,
            log_epoch: self.disk.log_epoch,
            log: self.disk.log.clone(),
        };
        ctx.send(target, msg);
    }

    /// A replica joined; with enough of them, the promotion completes.
    pub(super) fn on_join(
        &mut self,
        p: &PrimaryBackup,
        ctx: &mut impl Ctx<PrimaryBackup>,
        source: NodeId,
        epoch: Epoch,
        log_epoch: Epoch,
        log: Vec<Entry>,
    ) {
        let Stance::Promoting(pr) = &mut self.stance else {
            // A late join to an abandoned promotion: the joiner now refuses the old
            // primary, so take the epoch; as its owner, this replica will claim a
            // new one at its next tick.
            if epoch > self.disk.epoch && !matches!(self.stance, Stance::Primary(_)) {
                self.adopt(ctx, epoch);
            }
            return;
        };
        if pr.epoch != epoch {
            return;
        }
        if !pr.joined.iter().any(|j| j.0 == source) {
            pr.joined.push((source, log_epoch, log));
        }
        if pr.joined.len() + 1 >= p.promotion_quorum() {
            self.complete_promotion(p, ctx);
        }
    }

    /// Rules the claimed epoch with the most up-to-date log among those who joined
    /// (highest log epoch, then longest; its own on a tie).
    fn complete_promotion(&mut self, p: &PrimaryBackup, ctx: &mut impl Ctx<PrimaryBackup>) {
        let Stance::Promoting(pr) = std::mem::replace(&mut self.stance, Stance::Backup) else {
            return;
        };
        let epoch = pr.epoch;
        let own = (self.disk.log_epoch, self.disk.log.len());
        let best = pr
            .joined
            .into_iter()
            .filter(|j| (j.1, j.2.len()) > own)
            .max_by_key(|j| (j.1, j.2.len()));
        ctx.persist_synced(DiskWrite::Adopt { epoch });
        self.disk.epoch = epoch;
        match best {
            Some((_, _, log)) => {
                ctx.persist_synced(DiskWrite::Replace {
                    start: 0,
                    entries: log.clone(),
                    log_epoch: epoch,
                });
                self.disk.log = log;
            }
            None => ctx.persist_synced(DiskWrite::Replace {
                start: self.disk.log.len() as u64,
                entries: Vec::new(),
                log_epoch: epoch,
            }),
        }
        self.disk.log_epoch = epoch;
        self.become_primary(p, ctx);
    }
}
