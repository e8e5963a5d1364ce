//! `rereplication`: HDFS-style re-replication of blocks after datanodes are lost.
//!
//! **The algorithm.** A namenode places `blocks` blocks of `replication` replicas each
//! on the datanodes when the run starts ([`place`]: rack-aware, HDFS's default, or
//! random) and tells each datanode its blocks, which it keeps on disk (durable state).
//! Datanodes heartbeat every `heartbeat_interval` (3 s); the namenode checks as often
//! and declares a datanode dead after `dead_after` of silence (HDFS: 10 min 30 s),
//! forgetting its replicas. Blocks with fewer live replicas than `replication` are
//! under-replicated; the namenode schedules copies at once and again whenever a copy
//! ends, fewest live replicas first (then by block number): the source is the
//! least busy live holder, the target the least busy live node without the block,
//! on another rack when the surviving replicas share one. A copy takes
//! `block_size_mib / bandwidth_mib_per_s`, a datanode sends at most `max_streams`
//! copies and receives at most `max_streams` at once, and a copy not reported within
//! `pending_timeout` is given up and scheduled again. A source told to copy a block
//! it does not hold says so, and the namenode forgets that replica; the initial
//! assignment is sent again at each check until the datanode confirms it stored it.
//! A datanode that comes back sends a block report and its replicas count again.
//!
//! **What it simplifies.** Blocks exist from the start (no writes, no clients, no
//! pipelines); a copy runs at a fixed rate whatever else the nodes do (no shared links,
//! no disk contention); excess replicas after a datanode returns are kept, not
//! deleted; the namenode never fails (HA namenodes are out of scope: a restarted
//! namenode asks every datanode for a block report and carries on); decommissioning,
//! balancing and corrupt replicas are left out.
//!
//! **What it promises.** With rack-aware placement and at least two racks, no block
//! has all its replicas on one rack, so losing a whole rack loses no block. A copy is
//! only ever scheduled from a node the namenode believes live and holding the block,
//! to one not holding it. Every change of the under-replicated count is observed.

pub mod catalogue;
mod params;
mod placement;

pub use params::{DatanodeParams, NamenodeParams, Placement};
pub use placement::place;

use hasim_sim::{Durable, NodeId, SimTime, TimerId};
use std::collections::{BTreeMap, BTreeSet};

/// What a node does.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    /// The namenode (exactly one).
    Namenode,
    /// Datanode number `index` (0-based among datanodes).
    Datanode {
        /// Its index among the datanodes.
        index: u16,
    },
    /// No part in this model.
    Idle,
}

/// The configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Rereplication {
    params: NamenodeParams,
    roles: Vec<Role>,
    namenode: NodeId,
    datanodes: Vec<NodeId>,
    racks: Vec<u32>,
    rack_names: Vec<String>,
}

impl Rereplication {
    /// A configuration: the namenode's parameters, the namenode's id, and each
    /// datanode's id and rack name, in the order that numbers them.
    pub fn new(params: NamenodeParams, namenode: NodeId, datanodes: &[(NodeId, String)]) -> Self {
        let size = datanodes
            .iter()
            .map(|(n, _)| n.index() + 1)
            .chain([namenode.index() + 1])
            .max()
            .unwrap_or(0);
        let mut roles = vec![Role::Idle; size];
        roles[namenode.index()] = Role::Namenode;
        let mut rack_names: Vec<String> = Vec::new();
        let mut racks = Vec::new();
        for (i, (node, rack)) in datanodes.iter().enumerate() {
            roles[node.index()] = Role::Datanode { index: i as u16 };
            let r = match rack_names.iter().position(|n| n == rack) {
                Some(r) => r,
                None => {
                    rack_names.push(rack.clone());
                    rack_names.len() - 1
                }
            };
            racks.push(r as u32);
        }
        Rereplication {
            params,
            roles,
            namenode,
            datanodes: datanodes.iter().map(|(n, _)| *n).collect(),
            racks,
            rack_names,
        }
    }

    /// The namenode's parameters.
    pub fn params(&self) -> &NamenodeParams {
        &self.params
    }

    /// The namenode's node id.
    pub fn namenode(&self) -> NodeId {
        self.namenode
    }

    /// The datanodes' node ids, by index.
    pub fn datanodes(&self) -> &[NodeId] {
        &self.datanodes
    }

    /// Each datanode's rack name, by index.
    pub fn rack_of(&self, datanode: u16) -> &str {
        &self.rack_names[self.racks[datanode as usize] as usize]
    }

    fn role(&self, node: NodeId) -> &Role {
        self.roles.get(node.index()).unwrap_or(&Role::Idle)
    }
}

/// On the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Datanode → namenode: alive.
    Heartbeat,
    /// Datanode → namenode, on start or when asked: every block on its disk.
    BlockReport {
        /// The blocks.
        blocks: Vec<u32>,
    },
    /// Namenode → datanode, at the first start: store these blocks.
    Assign {
        /// The blocks.
        blocks: Vec<u32>,
    },
    /// Datanode → namenode: the assigned blocks are on disk (the namenode sends the
    /// assignment again at each check until this arrives).
    Stored,
    /// Namenode → datanode, after the namenode restarted: send a block report.
    ReportRequest,
    /// Namenode → source datanode: copy `block` to datanode `target`.
    Replicate {
        /// The block.
        block: u32,
        /// The receiving datanode's node id.
        target: NodeId,
    },
    /// Source → target datanode: the block's data (the transfer time has passed).
    BlockData {
        /// The block.
        block: u32,
    },
    /// Target datanode → namenode: the block is stored.
    BlockReceived {
        /// The block.
        block: u32,
    },
    /// Source datanode → namenode: told to copy a block it does not hold (the
    /// namenode's map was wrong, e.g. an assignment was lost on the network).
    NotHeld {
        /// The block.
        block: u32,
    },
}

/// Timer tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timer {
    /// A datanode's next heartbeat.
    Heartbeat,
    /// The namenode's liveness and pending-copy check.
    Check,
    /// A datanode finished sending `block` to `target`.
    Sent {
        /// The block.
        block: u32,
        /// The receiving datanode's node id.
        target: NodeId,
    },
}

/// What the namenode saw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
    /// A datanode was declared dead.
    DatanodeDead {
        /// Its node id.
        node: NodeId,
    },
    /// A dead datanode was heard from again.
    DatanodeLive {
        /// Its node id.
        node: NodeId,
    },
    /// The counts of under-replicated blocks (fewer live replicas than wanted, none
    /// included) and missing blocks (no live replica) changed.
    Replication {
        /// Blocks with fewer live replicas than `replication`.
        under: u32,
        /// Blocks with no live replica.
        missing: u32,
    },
    /// A block lost its last live replica.
    Missing {
        /// The block.
        block: u32,
    },
    /// A copy completed.
    Copied {
        /// The block.
        block: u32,
        /// The datanode that now holds it.
        target: NodeId,
    },
}

/// A datanode's disk: the blocks it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Disk {
    /// The blocks.
    pub blocks: BTreeSet<u32>,
}

/// One write to a datanode's disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Store(pub u32);

impl Durable for Disk {
    type Write = Store;
    fn apply(&mut self, write: &Store) {
        self.blocks.insert(write.0);
    }
}

/// A copy the namenode scheduled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingCopy {
    source: u16,
    target: u16,
    since: SimTime,
}

/// The namenode's volatile state.
#[derive(Clone, Debug)]
pub struct Namenode {
    /// Per block, the datanodes believed to hold it (dead ones are removed).
    locations: Vec<Vec<u16>>,
    live: Vec<bool>,
    last_heard: Vec<SimTime>,
    sending: Vec<u32>,
    receiving: Vec<u32>,
    pending: BTreeMap<u32, PendingCopy>,
    /// Initial assignments not yet acknowledged, by datanode (emptied once stored).
    unassigned: Vec<Option<Vec<u32>>>,
    under: u32,
    missing: u32,
}

/// A node's volatile state.
#[derive(Clone, Debug)]
pub enum State {
    /// The namenode.
    Namenode(Box<Namenode>),
    /// A datanode: its disk as of now (a copy of the durable image).
    Datanode {
        /// The blocks it holds.
        blocks: BTreeSet<u32>,
        /// The heartbeat timer.
        heartbeat: Option<TimerId>,
    },
    /// No part in this model.
    Idle,
}

/// What properties see of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// The namenode's counts.
    Namenode {
        /// Under-replicated blocks.
        under: u32,
        /// Missing blocks.
        missing: u32,
    },
    /// A datanode with this many blocks.
    Datanode {
        /// Blocks held.
        blocks: u32,
    },
    /// Neither.
    Idle,
}

mod namenode;
mod protocol;
mod wire;
