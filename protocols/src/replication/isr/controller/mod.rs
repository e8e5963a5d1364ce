//! The controller of the in-sync-replica model: it keeps each partition's leader,
//! leader epoch and ISR on its disk, fences brokers it judges dead (silent for
//! `session_timeout`, or suspected by the `detector`), elects leaders (cleanly from the
//! ISR, or uncleanly from any live replica when allowed), commits the ISR changes
//! leaders propose, and pushes every change to every broker. With standby controllers
//! a change is committed by a majority of them first, and a standby takes over a dead
//! active controller: that is `quorum.rs`.

mod quorum;

use super::disk::{Disk, DiskWrite};
use super::liveness::{self, Liveness};
use super::wire::{Msg, Observation, PartitionState, ReplicaSet, Timer};
use super::Isr;
use crate::detection::DetectorObservation;
use hasim_sim::{Ctx, NodeId, SimTime};
use quorum::Quorum;

/// A controller's volatile state (its partition states are also on its disk).
#[derive(Debug)]
pub struct Controller {
    /// The records: committed ones, and on an active controller with standbys, the
    /// proposals waiting for a majority (see `Quorum::pending`).
    meta: Vec<PartitionState>,
    /// When each node was last heard from, by node id.
    last_heard: Vec<SimTime>,
    /// Brokers judged dead.
    fenced: ReplicaSet,
    /// The detector, when the run has one.
    liveness: Liveness,
    /// With standby controllers: the controller epoch and this one's part in it.
    quorum: Option<Quorum>,
    /// With standby controllers: what the change being built will have done, recorded
    /// once a majority commits it (a change that never commits never happened).
    notes: Vec<Observation>,
}

impl Controller {
    /// Starts a controller from its disk. At first start every partition gets its
    /// preferred replica as leader and all its replicas as ISR (every controller
    /// writes the same initial records; the first one acts on them). After a restart
    /// every broker gets a fresh session (the controller cannot know who died
    /// meanwhile), and with standbys the controller restarts as one.
    pub fn start(isr: &Isr, ctx: &mut impl Ctx<Isr>, disk: &Disk) -> Self {
        let initial = ctx.id() == isr.controller();
        let fresh = (disk.meta.len() as u32) < isr.partitions();
        let mut c = Controller {
            meta: disk.meta.clone(),
            last_heard: vec![ctx.now(); isr.node_count() as usize],
            fenced: ReplicaSet::EMPTY,
            liveness: None,
            quorum: None,
            notes: Vec::new(),
        };
        for p in c.meta.len() as u32..isr.partitions() {
            let leader = isr.replicas(p)[0];
            let state = PartitionState {
                partition: p,
                leader_epoch: 1,
                partition_epoch: 1,
                leader: Some(leader),
                isr: isr.replica_set(p),
                controller_epoch: 0,
            };
            ctx.persist_synced(DiskWrite::Meta(state));
            if initial {
                ctx.observe(Observation::Elected {
                    partition: p,
                    epoch: 1,
                    leader: Some(leader),
                    clean: true,
                });
            }
            c.meta.push(state);
        }
        if isr.controllers().len() > 1 {
            c.quorum = Some(Quorum::start(isr, ctx, disk, fresh && initial));
        }
        if c.active() {
            for b in isr.hosting() {
                c.push_all(ctx, b);
            }
        }
        ctx.set_timer(isr.broker_params().heartbeat_interval, Timer::Session);
        c.liveness = liveness::start(isr, ctx);
        c
    }

    /// Whether this controller acts (always, without standbys).
    fn active(&self) -> bool {
        self.quorum.as_ref().is_none_or(Quorum::is_active)
    }

    /// The controller epoch it knows (0 without standbys).
    fn epoch(&self) -> u32 {
        self.quorum.as_ref().map_or(0, |q| q.epoch)
    }

    /// Whether `node` counts as dead: suspected by the detector, or without one,
    /// silent for `session_timeout`.
    fn dead(&self, isr: &Isr, now: SimTime, node: NodeId) -> bool {
        liveness::suspects(isr, &self.liveness, node).unwrap_or_else(|| {
            now.saturating_since(self.last_heard[node.index()])
                > isr.broker_params().session_timeout
        })
    }

    /// Handles a timer: fences dead brokers, retries elections of offline partitions,
    /// and with standbys, beats to the other controllers and claims or retries.
    pub fn on_timer(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, timer: Timer) {
        match timer {
            Timer::Detector(t) => {
                let heard = liveness::on_timer(isr, ctx, &mut self.liveness, t);
                self.on_heard(isr, ctx, &heard);
            }
            Timer::Session => {
                let params = isr.broker_params();
                if self.quorum.is_some() {
                    self.quorum_tick(isr, ctx);
                }
                if self.active() {
                    let now = ctx.now();
                    for b in isr.hosting() {
                        if !self.fenced.contains(b) && self.dead(isr, now, b) {
                            self.fence(isr, ctx, b);
                        }
                    }
                    self.elect_offline(isr, ctx);
                }
                ctx.set_timer(params.heartbeat_interval, Timer::Session);
            }
            _ => {}
        }
    }

    /// Acts on the detector's word: fences a suspected broker at once, takes a trusted
    /// one back.
    fn on_heard(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, heard: &[DetectorObservation]) {
        for o in heard {
            let b = o.target();
            if !self.active() || !isr.hosting().any(|h| h == b) {
                continue;
            }
            match o {
                DetectorObservation::Suspect { .. } | DetectorObservation::Confirm { .. } => {
                    if !self.fenced.contains(b) {
                        self.fence(isr, ctx, b);
                    }
                }
                DetectorObservation::Trust { .. } => self.unfence(isr, ctx, b),
            }
        }
    }

    /// Handles a message.
    pub fn on_message(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, source: NodeId, msg: Msg) {
        match msg {
            Msg::Detector(m) => {
                let heard = liveness::on_message(isr, ctx, &mut self.liveness, source, m);
                self.on_heard(isr, ctx, &heard);
            }
            Msg::Heartbeat {
                digest,
                controller_epoch,
            } => {
                self.last_heard[source.index()] = ctx.now();
                if !self.active() {
                    return;
                }
                if self.fenced.contains(source) && !self.dead(isr, ctx.now(), source) {
                    self.unfence(isr, ctx, source);
                }
                if digest != self.digest() || controller_epoch < self.epoch() {
                    self.push_all(ctx, source);
                }
            }
            Msg::AlterIsr {
                partition,
                leader_epoch,
                isr: proposal,
            } => {
                let Some(&state) = self.meta.get(partition as usize) else {
                    return;
                };
                // A standby does not decide; a change waiting for its majority is
                // not built upon (the leader retries after `replica_lag_time_max / 2`).
                if !self.active() || self.pending(partition) {
                    return;
                }
                let joining = ReplicaSet(proposal.0 & !state.isr.0);
                let valid = state.leader == Some(source)
                    && state.leader_epoch == leader_epoch
                    && proposal.contains(source)
                    && proposal.0 & !isr.replica_set(partition).0 == 0
                    && joining.0 & self.fenced.0 == 0;
                if valid && proposal != state.isr {
                    let left = ReplicaSet(state.isr.0 & !proposal.0);
                    self.note(
                        ctx,
                        Observation::IsrChanged {
                            partition,
                            isr: proposal,
                            added: joining.len(),
                            removed: left.len(),
                        },
                    );
                    self.commit(
                        isr,
                        ctx,
                        PartitionState {
                            isr: proposal,
                            ..state
                        },
                    );
                } else {
                    // Refused (a deposed leader, a fenced joiner) or already so: tell
                    // the proposer what holds.
                    ctx.send(source, Msg::LeaderAndIsr(state));
                }
            }
            Msg::Metadata { partition } => {
                if let Some(s) = self.meta.get(partition as usize) {
                    let leader = s.leader;
                    ctx.send(source, Msg::MetadataReply { partition, leader });
                }
            }
            other => {
                if self.quorum.is_some() {
                    self.on_quorum_message(isr, ctx, source, other);
                }
            }
        }
    }

    /// Records `o` now, or with standbys, when the change it belongs to commits.
    fn note(&mut self, ctx: &mut impl Ctx<Isr>, o: Observation) {
        if self.quorum.is_some() {
            self.notes.push(o);
        } else {
            ctx.observe(o);
        }
    }

    fn digest(&self) -> u64 {
        (0..self.meta.len())
            .filter_map(|p| self.committed(p))
            .map(|s| u64::from(s.partition_epoch))
            .sum()
    }

    fn push_all(&self, ctx: &mut impl Ctx<Isr>, broker: NodeId) {
        for p in 0..self.meta.len() {
            if let Some(s) = self.committed(p) {
                ctx.send(broker, Msg::LeaderAndIsr(s));
            }
        }
    }

    /// Takes `broker` back after it was judged dead, and elects where it is needed.
    fn unfence(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, broker: NodeId) {
        if self.fenced.contains(broker) {
            self.fenced = self.fenced.without(broker);
            ctx.observe(Observation::Unfenced { broker });
            self.elect_offline(isr, ctx);
        }
    }

    /// Treats `broker` as dead: out of every ISR it is not the last member of, and
    /// replaced where it led. (With standbys, a partition whose last change is still
    /// waiting for its majority is reconciled when that change commits.)
    fn fence(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, broker: NodeId) {
        self.fenced = self.fenced.with(broker);
        ctx.observe(Observation::Fenced { broker });
        for p in 0..self.meta.len() {
            if self.pending(p as u32) {
                continue;
            }
            let mut state = self.meta[p];
            let mut changed = false;
            if state.isr.contains(broker) && state.isr.len() > 1 {
                state.isr = state.isr.without(broker);
                self.note(
                    ctx,
                    Observation::IsrChanged {
                        partition: p as u32,
                        isr: state.isr,
                        added: 0,
                        removed: 1,
                    },
                );
                changed = true;
            }
            if state.leader == Some(broker) {
                changed |= self.elect(isr, ctx, &mut state);
            }
            if changed {
                self.commit(isr, ctx, state);
            }
        }
    }

    fn elect_offline(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>) {
        for p in 0..self.meta.len() {
            if self.quorum.is_some() {
                self.reconcile(isr, ctx, p as u32);
                continue;
            }
            let mut state = self.meta[p];
            if state.leader.is_none() && self.elect(isr, ctx, &mut state) {
                self.commit(isr, ctx, state);
            }
        }
    }

    /// With standbys: brings partition `p` in line with the fenced set (removes fenced
    /// members from its ISR but the last, replaces a fenced or missing leader), unless
    /// its last change still waits for a majority.
    fn reconcile(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, p: u32) {
        if !self.active() || self.pending(p) {
            return;
        }
        let mut state = self.meta[p as usize];
        let mut changed = false;
        for b in ReplicaSet(state.isr.0 & self.fenced.0).iter() {
            if state.isr.len() > 1 {
                state.isr = state.isr.without(b);
                let isr_now = state.isr;
                self.note(
                    ctx,
                    Observation::IsrChanged {
                        partition: p,
                        isr: isr_now,
                        added: 0,
                        removed: 1,
                    },
                );
                changed = true;
            }
        }
        if state.leader.is_none_or(|l| self.fenced.contains(l)) {
            changed |= self.elect(isr, ctx, &mut state);
        }
        if changed {
            self.commit(isr, ctx, state);
        }
    }

    /// Picks a new leader for `state` (its current one is gone): the first live ISR
    /// member in preference order; else, if allowed, the first live replica (which
    /// becomes the whole ISR); else none. Returns whether anything changed.
    fn elect(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, state: &mut PartitionState) -> bool {
        let replicas = isr.replicas(state.partition);
        let fenced = self.fenced;
        let live = |n: &&NodeId| !fenced.contains(**n);
        let clean = replicas
            .iter()
            .filter(live)
            .find(|n| state.isr.contains(**n));
        let (leader, clean) = match clean {
            Some(&c) => (Some(c), true),
            None if isr.broker_params().unclean_leader_election => {
                match replicas.iter().find(live) {
                    Some(&c) => {
                        state.isr = ReplicaSet::EMPTY.with(c);
                        (Some(c), false)
                    }
                    None => (None, true),
                }
            }
            None => (None, true),
        };
        if leader.is_none() && state.leader.is_none() {
            return false;
        }
        state.leader = leader;
        state.leader_epoch += 1;
        self.note(
            ctx,
            Observation::Elected {
                partition: state.partition,
                epoch: state.leader_epoch,
                leader,
                clean,
            },
        );
        true
    }

    /// Makes `state` the partition's record: on disk, then pushed to every broker;
    /// with standbys, proposed to them and pushed once a majority holds it.
    fn commit(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, mut state: PartitionState) {
        state.partition_epoch += 1;
        if self.quorum.is_some() {
            self.propose(isr, ctx, state);
            return;
        }
        ctx.persist_synced(DiskWrite::Meta(state));
        self.meta[state.partition as usize] = state;
        for b in isr.hosting() {
            ctx.send(b, Msg::LeaderAndIsr(state));
        }
    }
}
