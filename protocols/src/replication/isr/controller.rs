//! The controller of the in-sync-replica model: it keeps each partition's leader,
//! leader epoch and ISR on its disk, fences brokers whose heartbeats stop, elects
//! leaders (cleanly from the ISR, or uncleanly from any live replica when allowed),
//! commits the ISR changes leaders propose, and pushes every change to every broker.

use super::disk::{Disk, DiskWrite};
use super::wire::{Msg, Observation, PartitionState, ReplicaSet, Timer};
use super::Isr;
use hasim_sim::{Ctx, NodeId, SimTime};

/// The controller's volatile state (its partition states are also on its disk).
#[derive(Debug)]
pub struct Controller {
    meta: Vec<PartitionState>,
    /// When each node was last heard from, by node id.
    last_heard: Vec<SimTime>,
    /// Brokers whose session expired.
    fenced: ReplicaSet,
}

impl Controller {
    /// Starts the controller from its disk. At first start every partition gets its
    /// preferred replica as leader and all its replicas as ISR. After a restart every
    /// broker gets a fresh session (the controller cannot know who died meanwhile).
    pub fn start(isr: &Isr, ctx: &mut impl Ctx<Isr>, disk: &Disk) -> Self {
        let mut c = Controller {
            meta: disk.meta.clone(),
            last_heard: vec![ctx.now(); isr.node_count() as usize],
            fenced: ReplicaSet::EMPTY,
        };
        for p in c.meta.len() as u32..isr.partitions() {
            let leader = isr.replicas(p)[0];
            let state = PartitionState {
                partition: p,
                leader_epoch: 1,
                partition_epoch: 1,
                leader: Some(leader),
                isr: isr.replica_set(p),
            };
            ctx.persist_synced(DiskWrite::Meta(state));
            ctx.observe(Observation::Elected {
                partition: p,
                epoch: 1,
                leader: Some(leader),
                clean: true,
            });
            c.meta.push(state);
        }
        for &b in &isr.brokers()[1..] {
            c.push_all(ctx, b);
        }
        ctx.set_timer(isr.broker_params().heartbeat_interval, Timer::Session);
        c
    }

    /// Handles a timer: fences silent brokers, retries elections of offline partitions.
    pub fn on_timer(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, timer: Timer) {
        if timer != Timer::Session {
            return;
        }
        let params = isr.broker_params();
        let now = ctx.now();
        for &b in &isr.brokers()[1..] {
            let silent = now.saturating_since(self.last_heard[b.index()]);
            if !self.fenced.contains(b) && silent > params.session_timeout {
                self.fence(isr, ctx, b);
            }
        }
        self.elect_offline(isr, ctx);
        ctx.set_timer(params.heartbeat_interval, Timer::Session);
    }

    /// Handles a message.
    pub fn on_message(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, source: NodeId, msg: Msg) {
        match msg {
            Msg::Heartbeat { digest } => {
                self.last_heard[source.index()] = ctx.now();
                if self.fenced.contains(source) {
                    self.fenced = self.fenced.without(source);
                    ctx.observe(Observation::Unfenced { broker: source });
                    self.elect_offline(isr, ctx);
                }
                if digest != self.digest() {
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
                let joining = ReplicaSet(proposal.0 & !state.isr.0);
                let valid = state.leader == Some(source)
                    && state.leader_epoch == leader_epoch
                    && proposal.contains(source)
                    && proposal.0 & !isr.replica_set(partition).0 == 0
                    && joining.0 & self.fenced.0 == 0;
                if valid && proposal != state.isr {
                    let left = ReplicaSet(state.isr.0 & !proposal.0);
                    ctx.observe(Observation::IsrChanged {
                        partition,
                        isr: proposal,
                        added: joining.len(),
                        removed: left.len(),
                    });
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
            _ => {}
        }
    }

    fn digest(&self) -> u64 {
        self.meta.iter().map(|s| u64::from(s.partition_epoch)).sum()
    }

    fn push_all(&self, ctx: &mut impl Ctx<Isr>, broker: NodeId) {
        for s in &self.meta {
            ctx.send(broker, Msg::LeaderAndIsr(*s));
        }
    }

    /// Treats `broker` as dead: out of every ISR it is not the last member of, and
    /// replaced where it led.
    fn fence(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, broker: NodeId) {
        self.fenced = self.fenced.with(broker);
        ctx.observe(Observation::Fenced { broker });
        for p in 0..self.meta.len() {
            let mut state = self.meta[p];
            let mut changed = false;
            if state.isr.contains(broker) && state.isr.len() > 1 {
                state.isr = state.isr.without(broker);
                ctx.observe(Observation::IsrChanged {
                    partition: p as u32,
                    isr: state.isr,
                    added: 0,
                    removed: 1,
                });
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
            let mut state = self.meta[p];
            if state.leader.is_none() && self.elect(isr, ctx, &mut state) {
                self.commit(isr, ctx, state);
            }
        }
    }

    /// Picks a new leader for `state` (its current one is gone): the first live ISR
    /// member in preference order; else, if allowed, the first live replica (which
    /// becomes the whole ISR); else none. Returns whether anything changed.
    fn elect(&self, isr: &Isr, ctx: &mut impl Ctx<Isr>, state: &mut PartitionState) -> bool {
        let replicas = isr.replicas(state.partition);
        let live = |n: &&NodeId| !self.fenced.contains(**n);
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
        ctx.observe(Observation::Elected {
            partition: state.partition,
            epoch: state.leader_epoch,
            leader,
            clean,
        });
        true
    }

    /// Makes `state` the partition's record: on disk, then pushed to every broker.
    fn commit(&mut self, isr: &Isr, ctx: &mut impl Ctx<Isr>, mut state: PartitionState) {
        state.partition_epoch += 1;
        ctx.persist_synced(DiskWrite::Meta(state));
        self.meta[state.partition as usize] = state;
        for &b in &isr.brokers()[1..] {
            ctx.send(b, Msg::LeaderAndIsr(state));
        }
    }
}
