//! `isr`: in-sync-replica replication as Kafka does it — partition leaders, followers
//! that fetch, a high watermark, an ISR that shrinks and grows, and a controller that
//! elects leaders cleanly (from the ISR only) or uncleanly (from any live replica).
//!
//! **The algorithm.** Brokers host partitions; a key of the shared workload lives in
//! partition `key % partitions`. Each partition has `replication_factor` replicas
//! placed round robin, a leader and followers. Followers send FETCH to the leader every
//! `fetch_interval` with their log end offset and the epoch of their last entry; the
//! leader answers with the entries that follow and its high watermark (HW), the
//! smallest log end offset over the ISR: everything below it is committed. A follower
//! is caught up when a fetch reaches the leader's log end as of its previous fetch
//! (Kafka's lastCaughtUpTime rule); one not caught up for `replica_lag_time_max` is
//! dropped from the ISR, and one whose log reaches the HW (and the leader's epoch start)
//! is added back. The leader proposes each ISR change to the controller (Kafka's
//! AlterPartition) and uses the union of the old and proposed ISR for the HW until the
//! controller commits, so the HW never counts a replica the controller does not.
//!
//! The **controller** is the first broker (lowest id), or with standbys the active one
//! of the `controllers` (below). Like a KRaft controller-only
//! node it hosts no replicas. Brokers heartbeat to it every `heartbeat_interval`; one
//! it judges dead is fenced: removed from every ISR (unless it is the last member)
//! and, where it led, replaced. Dead means silent for `session_timeout`, or with a
//! `detector` (any of the detection family's, run all to all as a part through
//! `Within`), suspected by it. A clean election takes the first live ISR
//! member in replica order; when none is alive the partition goes offline (writes fail
//! or wait) until an ISR member comes back. With `unclean_leader_election` any live
//! replica may be taken (its ISR becomes just itself): the partition comes back
//! sooner, and acknowledged writes the new leader never had are lost. Every leader
//! change bumps the leader epoch; a fetch or ISR change carrying an old epoch is
//! refused, so a deposed leader can neither commit nor change the ISR.
//!
//! **Standby controllers** (`controllers` > 1: the first brokers, or `controller`
//! nodes of their own). Controller epoch `e` belongs to controller `e % n`; the first
//! is active in epoch 0. Every metadata change is stamped with the epoch and committed
//! once a majority of the controllers hold it on disk; only then is it recorded and
//! pushed. A standby that judges the active controller dead (the same rule as for
//! brokers, on `leading` heartbeats between controllers), and every controller
//! between them in succession order too, claims its next epoch; a majority that also
//! judge the active one dead promise it, each with its records; the winner takes the
//! newest record per partition (which includes everything committed: majorities
//! meet), commits them again in its epoch, and carries on. Controllers and brokers
//! refuse anything of an older controller epoch, so a deposed controller can neither
//! commit nor elect (`controller/quorum.rs`).
//!
//! **Producers** run the shared [`Workload`](crate::replication::Workload): a write goes
//! to the partition's leader, a read returns the key's latest value below the HW.
//! `acks = 1` is answered after the leader's append; `acks = "all"` once the HW passes
//! the entry, and refused (NotEnoughReplicas, nothing appended) when the ISR is smaller
//! than `min_insync_replicas`. A producer learns leaders from any broker's metadata and
//! follows a NotLeader hint; an operation with no answer within the timeout is unknown.
//!
//! **What it simplifies.** With one controller there is no failover: its metadata is
//! on its disk, and while it is down nothing is fenced, elected or re-ISRed (leaders
//! keep serving; a partition whose leader dies stays offline until it returns). With
//! standbys the controller quorum is a majority-commit-plus-epoch scheme rather than
//! Raft: the whole metadata is a handful of per-partition records, so a new controller
//! recovers them from one round of promises instead of replaying a log; one change per
//! partition is in flight at a time (an ISR proposal meanwhile is dropped and
//! retried); there is no pre-vote, so a standby that claimed while cut off deposes a
//! healthy active controller once on healing; a new controller gives every broker a
//! fresh session; controllers never change membership. Brokers heartbeat to every
//! controller (the active one answers a broker that has not heard of its epoch).
//! Producers ask any broker or controller for metadata (a standby answers from what
//! it accepted).
//! Leader-epoch truncation (KIP-101/279) is folded into the fetch: a leader whose entry
//! before the fetch offset has another epoch answers DIVERGED with the end offset of
//! the largest epoch it holds up to the follower's last one; the follower truncates
//! there and fetches again (each round strictly shortens it). No batching across
//! partitions, no fsync policy (appends are unsynced writes, as Kafka leaves flushing
//! to the OS), no HW checkpoint (a restarted broker's HW starts at zero), no producer
//! idempotence or retries beyond following one NotLeader hint, no consumer groups or
//! offsets: a read is a point lookup at the leader. A deposed leader that has not yet
//! heard still answers reads and `acks = 1` writes, as in Kafka.
//!
//! **What it promises.** At most one broker becomes leader of a partition in an epoch
//! (with standbys too: a leader epoch is only ever committed once).
//! With clean election, `acks = "all"` and `min_insync_replicas` ≥ 2, no acknowledged
//! write is lost to crashes, pauses and partitions (the `replication_isr_clean`
//! scenario sweeps it); with unclean election or `acks = 1` writes can be lost.

mod broker;
pub mod catalogue;
mod controller;
mod describe;
mod disk;
mod leader;
mod liveness;
mod params;
mod producer;
pub mod report;
mod wire;

pub use disk::{Disk, DiskWrite};
pub use params::{BrokerParams, IsrError, ProducerParams, CONTROLLERS_MAX};
pub use wire::{Acks, Answer, Entry, Msg, Observation, PartitionState, ReplicaSet, Timer};

use crate::detection::AnyDetector;
use crate::replication::history::Key;
use broker::Broker;
use hasim_sim::{Ctx, NodeId, Protocol, Span};
use producer::Producer;

/// What a node does.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    /// Hosts replicas (or, without `Controller` nodes, for the first `controllers`
    /// brokers, is a controller).
    Broker,
    /// A controller (active or standby); hosts no replicas.
    Controller,
    /// Runs the workload.
    Producer(ProducerParams),
    /// Takes no part.
    Idle,
}

/// The configuration: each node's role, the brokers' shared parameters, the
/// controllers, where each partition's replicas live, and the detector if one is set.
#[derive(Clone, Debug)]
pub struct Isr {
    broker: BrokerParams,
    roles: Vec<Role>,
    brokers: Vec<NodeId>,
    controllers: Vec<NodeId>,
    replicas: Vec<Vec<NodeId>>,
    detector: Option<AnyDetector>,
}

impl Isr {
    /// A configuration from each node's role (index = node id) and the brokers'
    /// parameters. The controllers are the `Controller` nodes or, when there are none,
    /// the first `controllers` brokers; partition `p`'s replicas are the next
    /// `replication_factor` of the other brokers, round robin from the `p`-th, in
    /// preference order.
    pub fn new(roles: Vec<Role>, broker: BrokerParams) -> Result<Self, IsrError> {
        broker.validate()?;
        let having = |want: fn(&Role) -> bool| -> Vec<NodeId> {
            roles
                .iter()
                .enumerate()
                .filter(|(_, r)| want(r))
                .map(|(i, _)| NodeId(i as u32))
                .collect()
        };
        let brokers = having(|r| matches!(r, Role::Broker | Role::Controller));
        let own = having(|r| matches!(r, Role::Controller));
        let hosting = having(|r| matches!(r, Role::Broker));
        let (controllers, data, shared) = if own.is_empty() {
            let n = (broker.controllers as usize).min(hosting.len());
            (
                hosting[..n].to_vec(),
                hosting[n..].to_vec(),
                broker.controllers,
            )
        } else {
            if broker.controllers != 1 && broker.controllers as usize != own.len() {
                return Err(IsrError::Param(format!(
                    "controllers = {} but the controller groups hold {} nodes: leave controllers out, or make them agree",
                    broker.controllers,
                    own.len()
                )));
            }
            (own, hosting, 0)
        };
        if (data.len() as u32) < broker.replication_factor {
            return Err(IsrError::TooFewBrokers {
                brokers: if shared > 0 {
                    brokers.len()
                } else {
                    data.len()
                } as u32,
                replication_factor: broker.replication_factor,
                controllers: shared,
            });
        }
        if let Some(b) = brokers.iter().find(|b| b.0 >= 64) {
            return Err(IsrError::BrokerIdTooHigh(*b));
        }
        for r in &roles {
            if let Role::Producer(p) = r {
                p.validate()?;
            }
        }
        let replicas = (0..broker.partitions as usize)
            .map(|p| {
                (0..broker.replication_factor as usize)
                    .map(|i| data[(p + i) % data.len()])
                    .collect()
            })
            .collect();
        let detector = match &broker.detector {
            Some(d) => Some(
                AnyDetector::new(d.clone().all_to_all())
                    .map_err(|e| IsrError::Param(format!("detector: {e}")))?,
            ),
            None => None,
        };
        Ok(Isr {
            broker,
            roles,
            brokers,
            controllers,
            replicas,
            detector,
        })
    }

    /// The brokers' parameters.
    pub fn broker_params(&self) -> &BrokerParams {
        &self.broker
    }

    /// The first controller: the active one of controller epoch 0.
    pub fn controller(&self) -> NodeId {
        self.controllers[0]
    }

    /// The controllers, in succession order (epoch `e` belongs to the `e % n`-th).
    pub fn controllers(&self) -> &[NodeId] {
        &self.controllers
    }

    /// Whether `node` is a controller.
    pub fn is_controller(&self, node: NodeId) -> bool {
        self.controllers.contains(&node)
    }

    /// How many controllers make a majority.
    pub fn majority(&self) -> u32 {
        self.controllers.len() as u32 / 2 + 1
    }

    /// Every broker and controller, in id order.
    pub fn brokers(&self) -> &[NodeId] {
        &self.brokers
    }

    /// The brokers that host replicas (every broker but the controllers).
    pub fn hosting(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.brokers
            .iter()
            .copied()
            .filter(|b| !self.is_controller(*b))
    }

    /// The detector, when the parameters name one.
    pub(crate) fn detector(&self) -> Option<&AnyDetector> {
        self.detector.as_ref()
    }

    /// Where the detector runs: every node, ids unchanged (producers run none and
    /// ignore its traffic).
    pub(crate) fn detector_span(&self) -> Span {
        Span::new(0, self.node_count())
    }

    /// How many partitions there are.
    pub fn partitions(&self) -> u32 {
        self.broker.partitions
    }

    /// The replicas of `partition`, in preference order.
    pub fn replicas(&self, partition: u32) -> &[NodeId] {
        &self.replicas[partition as usize]
    }

    /// The partition a key lives in.
    pub fn partition_of(&self, key: Key) -> u32 {
        key % self.broker.partitions
    }

    /// How many nodes the configuration covers.
    pub fn node_count(&self) -> u32 {
        self.roles.len() as u32
    }

    /// The role of `node`.
    pub fn role(&self, node: NodeId) -> &Role {
        self.roles.get(node.index()).unwrap_or(&Role::Idle)
    }

    fn replica_set(&self, partition: u32) -> ReplicaSet {
        self.replicas(partition)
            .iter()
            .fold(ReplicaSet::EMPTY, |s, n| s.with(*n))
    }
}

/// A node's volatile state.
#[derive(Debug)]
pub enum State {
    /// A broker (the controller among them).
    Broker(Box<Broker>),
    /// A producer.
    Producer(Box<Producer>),
    /// A node with no part.
    Idle,
}

impl State {
    /// A broker's current (page-cache) log of `partition`; `None` for other roles.
    pub fn log(&self, partition: u32) -> Option<&[Entry]> {
        match self {
            State::Broker(b) => Some(b.log(partition)),
            _ => None,
        }
    }
}

/// What properties see of a node: the partitions it acts as leader of, as a bitmask.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// Bit `p` set: this node acts as leader of partition `p`.
    pub leads: u64,
}

impl Protocol for Isr {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = Disk;
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, disk: &Disk) -> State {
        match self.role(ctx.id()) {
            Role::Broker | Role::Controller => {
                State::Broker(Box::new(Broker::start(self, ctx, disk)))
            }
            Role::Producer(p) => State::Producer(Box::new(Producer::start(self, ctx, p))),
            Role::Idle => State::Idle,
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        match state {
            State::Broker(b) => b.on_message(self, ctx, source, msg),
            State::Producer(p) => p.on_message(self, ctx, msg),
            State::Idle => {}
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        match state {
            State::Broker(b) => b.on_timer(self, ctx, timer),
            State::Producer(p) => p.on_timer(self, ctx, timer),
            State::Idle => {}
        }
    }

    fn view(&self, state: &State) -> View {
        match state {
            State::Broker(b) => View { leads: b.leads() },
            _ => View::default(),
        }
    }
}

crate::detection::any::detector_lens!(
    /// Runs the detector as a part over every node (ids unchanged).
    DetectorLens for Isr, disk = DiskWrite
);

#[cfg(test)]
mod tests {
    use super::*;

    fn params(controllers: u32) -> BrokerParams {
        BrokerParams {
            controllers,
            ..BrokerParams::default()
        }
    }

    #[test]
    fn controllers_are_the_first_brokers_or_the_controller_nodes_and_host_no_replicas() {
        let shared = Isr::new(vec![Role::Broker; 6], params(3)).expect("valid");
        assert_eq!(shared.controllers(), &[NodeId(0), NodeId(1), NodeId(2)]);
        assert_eq!(shared.majority(), 2);
        assert_eq!(shared.replicas(0), &[NodeId(3), NodeId(4), NodeId(5)]);
        let mut roles = vec![Role::Broker; 3];
        roles.extend(vec![Role::Controller; 3]);
        let own = Isr::new(roles.clone(), params(3)).expect("valid");
        assert_eq!(own.controllers(), &[NodeId(3), NodeId(4), NodeId(5)]);
        assert_eq!(
            own.hosting().collect::<Vec<_>>(),
            &[NodeId(0), NodeId(1), NodeId(2)]
        );
        let e = Isr::new(roles, params(5)).unwrap_err().to_string();
        assert!(e.contains("controllers = 5"), "{e}");
        let e = Isr::new(vec![Role::Broker; 5], params(3))
            .unwrap_err()
            .to_string();
        assert!(e.contains("at least 6 brokers"), "{e}");
    }
}
