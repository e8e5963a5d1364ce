//! Primary-backup replication with detector-driven failover, epoch fencing and an
//! optional lease: one primary orders every write into a log that its backups copy.
//!
//! **The algorithm.** Replicas hold a log of `(key, value)` writes and the highest
//! epoch they joined (both durable). The primary of epoch `e` is replica
//! `e mod replicas`; the first replica rules epoch 0. Clients send operations to any
//! replica; a backup redirects them to the primary it believes in.
//! - *Replication.* `sync`: the primary appends a write, sends it to every backup, and
//!   acknowledges it once `acks` backups hold it; a read is answered once `acks`
//!   backups confirmed the primary's epoch after the read arrived (with everything in
//!   the log at that point), so a deposed primary cannot answer. `async`: writes and
//!   reads are answered at once, and the log is shipped every `sync_interval`.
//! - *Failover (self-promotion, no coordinator).* Every replica runs a failure
//!   detector as a part (`detector`: any of the detection family's, all to all;
//!   push heartbeats by default). A backup that suspects its primary (or has had no
//!   append from it for `append_timeout`), and suspects every replica with a lower
//!   index, promotes itself: it picks the next epoch it owns and asks the others to
//!   join. A replica joins a higher epoch only if it also suspects the current primary
//!   (or the promoter is that primary), persists the epoch and hands over its log. With
//!   `replicas − acks` members (itself included) the promoter takes the most
//!   up-to-date log (highest log epoch, then longest: Viewstamped Replication's rule),
//!   installs it on the backups and serves. In `async` mode it promotes alone, with
//!   whatever log it has: that is what loses acknowledged writes.
//! - *Fencing.* Every replication message and client answer carries the epoch; a node
//!   that sees a higher epoch adopts it and steps down; stale appends are refused.
//! - *Restart.* A replica restarts as a backup from its disk, waits one
//!   `heartbeat_timeout` to learn the current epoch, and catches up from the primary's
//!   appends (a whole-log install on the first append of a new epoch).
//! - *Lease* (`lease` set, sync only). Each round's appends renew it: when `acks`
//!   backups acknowledged a round sent at local time `t`, the primary holds the lease
//!   until `t + lease` by its own clock, and serves reads locally and writes only
//!   while it does. A backup that acknowledges promises, until `lease + drift_margin`
//!   after receipt by its clock, neither to promote nor to join another epoch (a
//!   restarted replica waits as long); a promoter ignores the old primary's appends.
//!
//! **What it simplifies.** Logs are never compacted and a new epoch reinstalls the
//! whole log on every backup. The replica set is fixed (no reconfiguration). Clients
//! keep one operation outstanding and never retry one that timed out (it is unknown).
//! The detector spans every node, clients included: replicas beat to (or probe,
//! scrape) clients, who run no detector and ignore it, and suspect them once; only
//! suspicions of replicas matter. (SWIM members gossip the clients' deaths too.)
//!
//! **What it promises.** In `sync` mode no acknowledged write is lost (disks here
//! keep synced writes): an acknowledged write is on `acks + 1` replicas, every new
//! epoch hears from `replicas − acks` of them, and a deposed primary cannot gather
//! acknowledgements because the backups that joined a higher epoch refuse it. Why not
//! "every live backup" acknowledges: a cut-off primary that drops the backups it
//! suspects would acknowledge alone while the others elect a new primary. The epoch
//! variant does *not* promise a single primary: a partitioned old primary believes it
//! rules until it hears of a higher epoch (it just cannot acknowledge anything). The
//! lease variant promises at most one primary *serving* at any real instant while
//! clock drift and jumps stay within `drift_margin` over a lease; a larger clock fault
//! breaks it.

pub mod catalogue;
mod client;
pub use client::Client;
pub mod figures;
mod message;
mod params;
mod primary;
mod promotion;
mod replica;

pub use message::{Answer, Disk, DiskWrite, Entry, Epoch, Msg, Observation, Timer};
pub use params::{Mode, PrimaryBackupParams};

use crate::detection::heartbeat::{HeartbeatParams, Mode as BeatMode, Rule};
use crate::detection::Monitors;
use crate::detection::{any, AnyDetector, DetectorParams, InvalidParams};
use crate::replication::workload::{Workload, WorkloadParams};
use hasim_sim::{Ctx, NodeId, Protocol};
use replica::Replica;

/// What a node does.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    /// A replica (its index among the replicas is its order in the run).
    Replica,
    /// A client running the shared workload.
    Client(WorkloadParams),
    /// A client whose host submits the writes (`Client::submit`): the store client of
    /// an app server in a composed system. Only the workload's `timeout` is used.
    Driven(WorkloadParams),
    /// Takes no part.
    Idle,
}

/// The configuration: each node's role and the replicas' parameters.
#[derive(Clone, Debug)]
pub struct PrimaryBackup {
    roles: Vec<Role>,
    replicas: Vec<NodeId>,
    params: PrimaryBackupParams,
    detector: AnyDetector,
}

impl PrimaryBackup {
    /// A run with these roles (indexed by node id) and replica parameters.
    pub fn new(roles: Vec<Role>, params: PrimaryBackupParams) -> Result<Self, InvalidParams> {
        let replicas: Vec<NodeId> = roles
            .iter()
            .enumerate()
            .filter(|(_, r)| **r == Role::Replica)
            .map(|(i, _)| NodeId(i as u32))
            .collect();
        params.validate(replicas.len() as u32)?;
        for r in &roles {
            if let Role::Client(w) | Role::Driven(w) = r {
                w.validate()?;
            }
        }
        let detector = AnyDetector::new(match &params.detector {
            Some(d) => d.clone().all_to_all(),
            None => DetectorParams::Heartbeat(HeartbeatParams {
                mode: BeatMode::Push,
                interval: params.heartbeat_interval,
                rule: Rule::Timeout,
                timeout: params.heartbeat_timeout,
                missed: 3,
                monitors: Monitors::All,
            }),
        })?;
        Ok(PrimaryBackup {
            roles,
            replicas,
            params,
            detector,
        })
    }

    /// Where the replicas' detector runs: every node, ids unchanged.
    pub(crate) fn detector_span(&self) -> hasim_sim::Span {
        hasim_sim::Span::new(0, self.roles.len() as u32)
    }

    /// Whether this replica's detector suspects `node` now.
    pub(crate) fn suspects(&self, detector: &any::State, node: NodeId) -> bool {
        use crate::detection::Detector;
        self.detector.suspects(detector, node)
    }

    /// The replicas, in index order.
    pub fn replicas(&self) -> &[NodeId] {
        &self.replicas
    }

    /// The role of `node`.
    pub fn role(&self, node: NodeId) -> &Role {
        self.roles.get(node.index()).unwrap_or(&Role::Idle)
    }

    /// Makes nodes `nodes` clients driven by their host (a composed system's store
    /// seam), each write bounded by `timeout`. They must not be replicas.
    pub fn drive(
        &mut self,
        nodes: std::ops::Range<u32>,
        timeout: hasim_sim::SimDuration,
    ) -> Result<(), InvalidParams> {
        crate::replication::workload::drive(
            &mut self.roles,
            nodes,
            timeout,
            |r| matches!(r, Role::Replica),
            Role::Driven,
        )
    }

    /// The replicas' parameters.
    pub fn params(&self) -> &PrimaryBackupParams {
        &self.params
    }

    /// The primary of `epoch`.
    pub fn primary_of(&self, epoch: Epoch) -> NodeId {
        self.replicas[(epoch.0 % self.replicas.len() as u64) as usize]
    }

    /// The index of `node` among the replicas.
    fn replica_index(&self, node: NodeId) -> Option<usize> {
        self.replicas.iter().position(|&r| r == node)
    }

    /// How many replicas (the promoter included) must join a new epoch.
    pub fn promotion_quorum(&self) -> usize {
        match self.params.mode {
            Mode::Sync => self.replicas.len() - self.params.acks as usize,
            Mode::Async => 1,
        }
    }
}

/// A node's volatile state.
#[derive(Debug)]
pub enum State {
    /// A replica.
    Replica(Box<Replica>),
    /// A client.
    Client(Client),
    /// A node that takes no part.
    Idle,
}

/// What the checkers see of a node.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// Serves clients as primary now: believes itself primary (epoch variant) or holds
    /// a valid lease by its own clock (lease variant). A paused node's view is frozen,
    /// so a paused primary counts as serving until it runs again (conservative).
    pub serving: bool,
    /// Its epoch (0 for clients).
    pub epoch: Epoch,
}

impl Protocol for PrimaryBackup {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = Disk;
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, disk: &Disk) -> State {
        match &self.roles[ctx.id().index()] {
            Role::Replica => State::Replica(Box::new(Replica::start(self, ctx, disk))),
            Role::Client(w) => State::Client(Client::start(
                ctx,
                Workload::new(ctx.id(), w.clone(), ctx.incarnation().0),
            )),
            Role::Driven(w) => State::Client(Client::start_driven(Workload::new(
                ctx.id(),
                w.clone(),
                ctx.incarnation().0,
            ))),
            Role::Idle => State::Idle,
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        match state {
            State::Replica(r) => {
                let epoch = r.disk.epoch;
                r.on_message(self, ctx, source, msg);
                r.assert_invariants(self, ctx, epoch);
            }
            State::Client(c) => c.on_message(self, ctx, source, msg),
            State::Idle => {}
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        match state {
            State::Replica(r) => {
                let epoch = r.disk.epoch;
                r.on_timer(self, ctx, timer);
                r.assert_invariants(self, ctx, epoch);
            }
            State::Client(c) => c.on_timer(self, ctx, timer),
            State::Idle => {}
        }
    }

    fn view(&self, state: &State) -> View {
        match state {
            State::Replica(r) => r.view(),
            _ => View::default(),
        }
    }
}

crate::detection::any::detector_lens!(
    /// Runs the replicas' detector as a part over every node (ids unchanged):
    /// replicas run it, clients do not (heartbeats to them go unanswered and are
    /// ignored).
    DetectorLens for PrimaryBackup, disk = DiskWrite
);
