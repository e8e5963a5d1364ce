//! Standby controllers of the in-sync-replica model (`controllers` > 1): a controller
//! epoch, majority commit of every metadata change, and takeover of a dead active
//! controller. A small Paxos over the whole metadata, in the shape KRaft gives it.
//!
//! - **Epochs.** Controller epoch `e` belongs to the `e % n`-th controller; epoch 0 to
//!   the first, which starts active. A controller's promise (the highest epoch it
//!   has seen claimed) is on its disk, and it refuses every message of an older epoch.
//! - **Commit.** The active controller proposes each new record (stamped with its
//!   epoch) to the others, which keep it on disk if it is newer, by (controller epoch,
//!   partition epoch), than what they hold, and say so. Once a majority (itself
//!   included) holds it the record is committed: recorded (elections, ISR changes) and
//!   pushed to the brokers. One change per partition is in flight at a time.
//! - **Takeover.** A standby claims the next epoch it owns when it judges the active
//!   controller dead (its detector suspects it, or no `leading` heartbeat came for
//!   `session_timeout`) and every controller between the two in succession order too.
//!   A controller grants a claim only if it judges the active one dead as well. With
//!   a majority of promises the candidate takes, per partition, the record of the
//!   highest (controller epoch, partition epoch) among them, which includes every
//!   committed record (any two majorities meet), re-proposes all of them in its
//!   epoch, and acts once they commit.
//! - **Fencing.** A deposed controller cannot commit (a majority promised a newer
//!   epoch), so it cannot elect; brokers refuse records of an epoch older than the
//!   newest they saw.

use super::Controller;
use crate::replication::isr::disk::{Disk, DiskWrite};
use crate::replication::isr::liveness;
use crate::replication::isr::wire::{Msg, Observation, PartitionState, ReplicaSet};
use crate::replication::isr::Isr;
use hasim_sim::{Ctx, NodeId, SimTime};

/// A record waiting for a majority of the controllers.
#[derive(Debug)]
pub(super) struct Pending {
    state: PartitionState,
    /// The committed record it replaces (none for a takeover's re-proposal).
    before: Option<PartitionState>,
    /// The controllers that hold it.
    holders: ReplicaSet,
    /// What it does, recorded when it commits.
    notes: Vec<Observation>,
}

#[derive(Debug)]
enum Stance {
    Standby,
    /// Claimed `epoch`: the controllers that promised it and the best records they sent.
    Candidate {
        promised: ReplicaSet,
        best: Vec<PartitionState>,
    },
    Active,
}

/// A controller's part in the controller epochs.
#[derive(Debug)]
pub(super) struct Quorum {
    /// Its position in the succession order.
    index: usize,
    /// The highest epoch it promised (also on its disk).
    pub(super) epoch: u32,
    /// The highest epoch it heard led (to know whom to watch).
    watching: u32,
    stance: Stance,
    /// When the active controller of `watching` was last heard leading.
    heard_leading: SimTime,
    /// The owner of `watching` said it does not lead (it restarted as a standby).
    owner_gone: bool,
    /// Per partition, the record waiting for a majority (active only).
    pending: Vec<Option<Pending>>,
}

impl Quorum {
    /// This controller's part after a (re)start: active only for the first controller
    /// at its first start, in epoch 0.
    pub(super) fn start(isr: &Isr, ctx: &mut impl Ctx<Isr>, disk: &Disk, first: bool) -> Self {
        let index = isr
            .controllers()
            .iter()
            .position(|c| *c == ctx.id())
            .unwrap_or(0);
        let epoch = disk.controller_epoch;
        Quorum {
            index,
            epoch,
            watching: epoch,
            stance: if first && epoch == 0 {
                Stance::Active
            } else {
                Stance::Standby
            },
            heard_leading: ctx.now(),
            owner_gone: false,
            pending: (0..isr.partitions()).map(|_| None).collect(),
        }
    }

    /// Whether this controller is the active one of its epoch.
    pub(super) fn is_active(&self) -> bool {
        matches!(self.stance, Stance::Active)
    }
}

/// Whether `a` is a newer record than `b`.
fn newer(a: &PartitionState, b: &PartitionState) -> bool {
    (a.controller_epoch, a.partition_epoch) > (b.controller_epoch, b.partition_epoch)
}

impl Controller {
    fn q(&mut self) -> &mut Quorum {
        self.quorum.as_mut().expect("standby controllers")
    }

    /// Whether partition `p`'s last change still waits for its majority.
    pub(super) fn pending(&self, p: u32) -> bool {
        self.quorum
            .as_ref()
            .is_some_and(|q| q.pending[p as usize].is_some())
    }

    /// The committed record of partition `p`, if one is known.
    pub(super) fn committed(&self, p: usize) -> Option<PartitionState> {
        match self.quorum.as_ref().and_then(|q| q.pending[p].as_ref()) {
            Some(pending) => pending.before,
            None => Some(self.meta[p]),
        }
    }

    fn others<'a>(&self, isr: &'a Isr, me: NodeId) -> impl Iterator<Item = NodeId> + 'a {
        isr.controllers().iter().copied().filter(move |c| *c != me)
    }

    /// Whether controller `c` counts as dead: suspected, or silent for the session.
    fn controller_dead(&self, isr: &Isr, now: SimTime, c: NodeId) -> bool {
        self.dead(isr, now, c)
    }

    /// Whether the active controller this one watches counts as dead: suspected, or
    /// not heard leading for `session_timeout` (alive but not leading counts as dead).
    fn active_dead(&self, isr: &Isr, now: SimTime) -> bool {
        let q = self.quorum.as_ref().expect("standby controllers");
        let n = isr.controllers().len();
        let owner = isr.controllers()[q.watching as usize % n];
        let silent = now.saturating_since(q.heard_leading) > isr.broker_params().session_timeout;
        owner == isr.controllers()[q.index]
            || q.owner_gone
            || silent
            || liveness::suspects(isr, &self.liveness, owner).unwrap_or(false)
    }

    /// Every heartbeat interval: beat to the other controllers; the active one
    /// re-proposes what waits, a candidate claims again, a standby whose turn it is
    /// claims.
    pub(super) fn quorum_tick(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>) {
        let me = ctx.id();
        let now = ctx.now();
        let (epoch, leading) = {
            let q = self.q();
            (q.epoch, !matches!(q.stance, Stance::Standby))
        };
        for c in self.others(isr, me) {
            ctx.send(c, Msg::ControllerHeartbeat { epoch, leading });
        }
        match &self.q().stance {
            Stance::Active => {
                for p in &self.q().pending {
                    let Some(p) = p else { continue };
                    for c in isr.controllers() {
                        if !p.holders.contains(*c) {
                            ctx.send(*c, Msg::Accept(p.state));
                        }
                    }
                }
            }
            Stance::Candidate { .. } => {
                for c in self.others(isr, me) {
                    ctx.send(c, Msg::Claim { epoch });
                }
            }
            Stance::Standby => {
                if self.my_turn(isr, now) {
                    self.claim(isr, ctx);
                }
            }
        }
    }

    /// Whether this standby should claim: the active controller and every controller
    /// between it and this one in succession order count as dead.
    fn my_turn(&self, isr: &Isr, now: SimTime) -> bool {
        let q = self.quorum.as_ref().expect("standby controllers");
        if !self.active_dead(isr, now) {
            return false;
        }
        let n = isr.controllers().len();
        let owner = q.watching as usize % n;
        (1..n)
            .map(|k| (owner + k) % n)
            .take_while(|&i| i != q.index)
            .all(|i| self.controller_dead(isr, now, isr.controllers()[i]))
    }

    /// Claims the next epoch this controller owns.
    fn claim(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>) {
        let n = isr.controllers().len() as u32;
        let me = ctx.id();
        let q = self.q();
        let next = q.epoch + 1;
        let epoch = next + (q.index as u32 + n - next % n) % n;
        ctx.persist_synced(DiskWrite::Promise(epoch));
        q.epoch = epoch;
        q.watching = epoch;
        let best = self.meta.clone();
        self.q().stance = Stance::Candidate {
            promised: ReplicaSet::EMPTY.with(me),
            best,
        };
        for c in self.others(isr, me) {
            ctx.send(c, Msg::Claim { epoch });
        }
    }

    /// Moves to a newer epoch `epoch` as a standby (a deposed active controller drops
    /// what waits: it never committed).
    fn adopt(&mut self, ctx: &mut impl Ctx<Isr>, epoch: u32) {
        let now = ctx.now();
        let q = self.q();
        if epoch <= q.epoch {
            return;
        }
        ctx.persist_synced(DiskWrite::Promise(epoch));
        q.epoch = epoch;
        q.watching = q.watching.max(epoch);
        q.heard_leading = now;
        q.owner_gone = false;
        if q.is_active() {
            ctx.observe(Observation::ControllerDeposed { epoch });
            for p in &mut q.pending {
                *p = None;
            }
        }
        q.stance = Stance::Standby;
        // A record proposed but never committed stays on disk: a later controller may
        // recover it (harmless, it was a valid change) or overwrite it.
        self.notes.clear();
    }

    /// The controller-to-controller messages.
    pub(super) fn on_quorum_message(
        &mut self,
        isr: &Isr,
        ctx: &mut impl Ctx<Isr>,
        source: NodeId,
        msg: Msg,
    ) {
        if !isr.is_controller(source) {
            return;
        }
        let now = ctx.now();
        self.last_heard[source.index()] = now;
        match msg {
            Msg::ControllerHeartbeat { epoch, leading } => {
                let mine = self.q().epoch;
                if leading && epoch > mine && self.q().is_active() {
                    self.adopt(ctx, epoch);
                }
                let n = isr.controllers().len();
                let q = self.q();
                let owner = |e: u32| isr.controllers()[e as usize % n];
                if epoch > q.watching {
                    // A newer epoch than this controller knew (it was down or cut
                    // off): watch its owner from now on, but only leading counts.
                    q.watching = epoch;
                    q.owner_gone = false;
                }
                if leading && epoch >= q.epoch && epoch == q.watching {
                    q.heard_leading = now;
                    q.owner_gone = false;
                } else if leading && epoch < q.epoch {
                    ctx.send(source, Msg::NewerEpoch { epoch: q.epoch });
                } else if !leading && epoch == q.watching && owner(epoch) == source {
                    // Alive, but not leading: no need to wait out its session.
                    q.owner_gone = true;
                }
            }
            Msg::Claim { epoch } => {
                let q = self.q();
                if epoch < q.epoch {
                    ctx.send(source, Msg::NewerEpoch { epoch: q.epoch });
                } else if epoch == q.epoch {
                    if matches!(q.stance, Stance::Standby) {
                        let meta = self.meta.clone();
                        ctx.send(source, Msg::Promise { epoch, meta });
                    }
                } else if !q.is_active()
                    && (isr.controllers()[q.watching as usize % isr.controllers().len()] == source
                        || self.active_dead(isr, now))
                {
                    // Granted only if the active controller is gone (or the claimer is
                    // the one this controller already watches): a live one is kept.
                    self.adopt(ctx, epoch);
                    let meta = self.meta.clone();
                    ctx.send(source, Msg::Promise { epoch, meta });
                }
            }
            Msg::Promise { epoch, meta } => self.on_promise(isr, ctx, source, epoch, meta),
            Msg::Accept(state) => {
                let epoch = state.controller_epoch;
                if epoch < self.q().epoch {
                    let mine = self.q().epoch;
                    ctx.send(source, Msg::NewerEpoch { epoch: mine });
                    return;
                }
                self.adopt(ctx, epoch);
                let q = self.q();
                q.watching = epoch;
                q.heard_leading = now;
                q.owner_gone = false;
                let p = state.partition as usize;
                if p < self.meta.len() && newer(&state, &self.meta[p]) {
                    ctx.persist_synced(DiskWrite::Meta(state));
                    self.meta[p] = state;
                }
                ctx.send(
                    source,
                    Msg::Accepted {
                        epoch,
                        partition: state.partition,
                        partition_epoch: state.partition_epoch,
                    },
                );
            }
            Msg::Accepted {
                epoch,
                partition,
                partition_epoch,
            } => self.on_accepted(isr, ctx, source, epoch, partition, partition_epoch),
            Msg::NewerEpoch { epoch } => self.adopt(ctx, epoch),
            _ => {}
        }
    }

    fn on_promise(
        &mut self,
        isr: &Isr,
        ctx: &mut impl Ctx<Isr>,
        source: NodeId,
        epoch: u32,
        meta: Vec<PartitionState>,
    ) {
        let majority = isr.majority();
        let q = self.q();
        if epoch != q.epoch {
            return;
        }
        let Stance::Candidate { promised, best } = &mut q.stance else {
            return;
        };
        *promised = promised.with(source);
        for r in meta {
            if let Some(b) = best.get_mut(r.partition as usize) {
                if newer(&r, b) {
                    *b = r;
                }
            }
        }
        if promised.len() >= majority {
            let best = std::mem::take(best);
            self.take_over(isr, ctx, best);
        }
    }

    /// Won the epoch: re-proposes every recovered record in it; the brokers hear of
    /// each once it commits. Every broker gets a fresh session.
    fn take_over(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, best: Vec<PartitionState>) {
        let me = ctx.id();
        let now = ctx.now();
        let epoch = self.q().epoch;
        ctx.observe(Observation::ControllerActive { epoch });
        self.fenced = ReplicaSet::EMPTY;
        for b in isr.hosting() {
            self.last_heard[b.index()] = now;
        }
        self.notes.clear();
        let q = self.q();
        q.stance = Stance::Active;
        q.heard_leading = now;
        for mut state in best {
            state.controller_epoch = epoch;
            ctx.persist_synced(DiskWrite::Meta(state));
            self.meta[state.partition as usize] = state;
            self.q().pending[state.partition as usize] = Some(Pending {
                state,
                before: None,
                holders: ReplicaSet::EMPTY.with(me),
                notes: Vec::new(),
            });
            for c in self.others(isr, me) {
                ctx.send(c, Msg::Accept(state));
            }
        }
    }

    /// Proposes a new record of the active controller's (see [`Controller::commit`]).
    pub(super) fn propose(
        &mut self,
        isr: &Isr,
        ctx: &mut impl Ctx<Isr>,
        mut state: PartitionState,
    ) {
        let me = ctx.id();
        state.controller_epoch = self.q().epoch;
        ctx.persist_synced(DiskWrite::Meta(state));
        let p = state.partition as usize;
        let before = Some(self.meta[p]);
        self.meta[p] = state;
        let notes = std::mem::take(&mut self.notes);
        self.q().pending[p] = Some(Pending {
            state,
            before,
            holders: ReplicaSet::EMPTY.with(me),
            notes,
        });
        for c in self.others(isr, me) {
            ctx.send(c, Msg::Accept(state));
        }
    }

    fn on_accepted(
        &mut self,
        isr: &Isr,
        ctx: &mut impl Ctx<Isr>,
        source: NodeId,
        epoch: u32,
        partition: u32,
        partition_epoch: u32,
    ) {
        let majority = isr.majority();
        let q = self.q();
        if !q.is_active() || epoch != q.epoch {
            return;
        }
        let Some(Some(p)) = q.pending.get_mut(partition as usize) else {
            return;
        };
        if p.state.partition_epoch != partition_epoch {
            return;
        }
        p.holders = p.holders.with(source);
        if p.holders.len() < majority {
            return;
        }
        let Some(done) = q.pending[partition as usize].take() else {
            return;
        };
        for o in done.notes {
            ctx.observe(o);
        }
        for b in isr.hosting() {
            ctx.send(b, Msg::LeaderAndIsr(done.state));
        }
        self.reconcile(isr, ctx, partition);
    }
}
