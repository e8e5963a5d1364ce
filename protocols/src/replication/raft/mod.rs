//! `raft`: a key-value store replicated by Raft (Ongaro and Ousterhout, 2014): leader
//! election and log replication, with clients that find the leader by redirection.
//!
//! **The algorithm.** Replicas are followers, candidates or leaders in numbered terms.
//! A follower that hears from no leader within a randomised election timeout (drawn
//! from its own stream, uniform in `[election_timeout_min, election_timeout_max]`)
//! becomes a candidate of the next term, votes for itself and asks the others; a voter
//! grants one vote per term, and only to a candidate whose log is at least as up to
//! date as its own (§5.4.1). A majority makes a leader, which appends a no-op entry of
//! its term and replicates its log with AppendEntries (empty ones are the heartbeats,
//! every `heartbeat`). A follower accepts entries only after the consistency check on
//! the previous index and term, truncating its log at the first conflicting entry. The
//! leader commits an index once a majority stores it and its entry is of the leader's
//! own term (Figure 8: earlier-term entries commit only indirectly). Every replica
//! applies committed entries in order to a key-value map. Term, vote and log are
//! persisted (synced by default) before a replica answers a vote or an append, so a
//! restarted replica keeps them and never votes twice in a term.
//!
//! Clients send each operation to the leader they know, or to the replicas in turn
//! when they know none; a follower answers "not the leader, try X". Reads go through
//! the log like writes (the simplest linearizable reads: no leases, no ReadIndex), and
//! the leader answers once the entry is committed and applied. Entries carry the
//! client and its operation number, and the state machine applies a retried duplicate
//! once (§8), so a client may retry an operation at another replica safely.
//!
//! **What it simplifies.** No membership changes, no snapshots or log compaction, no
//! pre-vote. A leader steps down when it has not heard from a majority within an
//! election timeout (`check_quorum`, as etcd does), so a leader cut off in a minority
//! does not believe itself leader forever. Entries are sent in batches of at most
//! `entries_max`, re-sent from `next_index` on each heartbeat (no pipelining window).
//! Commit index and state machine are volatile and rebuilt from the log after a
//! restart. With `sync = false` writes are persisted but not synced, which is unsafe
//! under a disk fault that loses unsynced writes.
//!
//! **What it promises** (checked by [`check`]): at most one leader per term
//! (election safety); logs that agree on an index and term agree on everything before
//! (log matching); no two replicas apply different commands at one index (state
//! machine safety); no acknowledged write is missing from the committed log.
//!
//! Modules: [`log`] (the log, its durable image and the vote and commit rules),
//! [`message`] (wire, timers, observations), [`replica`], [`client`], [`check`]
//! (the checkers) and [`figures`] (availability, leader time, failover).

use crate::InvalidParams;
pub mod catalogue;
pub mod check;
pub mod client;
pub mod figures;
pub mod log;
pub mod message;
pub mod replica;

pub use client::Client;
pub use log::{Command, Disk, DiskWrite, Entry, Index, Log, Term};
pub use message::{Msg, Observation, Timer};
pub use replica::{Replica, RoleName};

use crate::replication::workload::WorkloadParams;
use hasim_sim::{Ctx, NodeId, Protocol, SimDuration};
use serde::{Deserialize, Serialize};

/// A replica's parameters (one set for the whole cluster).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RaftParams {
    /// The shortest election timeout.
    pub election_timeout_min: SimDuration,
    /// The longest election timeout; each timeout is drawn uniformly in between.
    pub election_timeout_max: SimDuration,
    /// The leader's heartbeat interval.
    pub heartbeat: SimDuration,
    /// The most entries one AppendEntries carries.
    pub entries_max: u32,
    /// Sync durable writes before answering (the safe choice); `false` only persists.
    pub sync: bool,
    /// A leader steps down when no majority answered within `election_timeout_min`.
    pub check_quorum: bool,
}

impl Default for RaftParams {
    fn default() -> Self {
        RaftParams {
            election_timeout_min: SimDuration::from_millis(150),
            election_timeout_max: SimDuration::from_millis(300),
            heartbeat: SimDuration::from_millis(50),
            entries_max: 64,
            sync: true,
            check_quorum: true,
        }
    }
}

impl RaftParams {
    /// Checks the ranges; the message names the field.
    pub fn validate(&self) -> Result<(), InvalidParams> {
        if self.election_timeout_min.is_zero() || self.heartbeat.is_zero() {
            return Err("election_timeout_min and heartbeat must be above zero".into());
        }
        if self.election_timeout_max < self.election_timeout_min {
            return Err(format!(
                "election_timeout_max ({}) is below election_timeout_min ({})",
                self.election_timeout_max, self.election_timeout_min
            )
            .into());
        }
        if self.heartbeat >= self.election_timeout_min {
            return Err(format!(
                "heartbeat ({}) must be below election_timeout_min ({}), or followers \
                 time out between heartbeats",
                self.heartbeat, self.election_timeout_min
            )
            .into());
        }
        if self.entries_max == 0 {
            return Err("entries_max must be at least 1".into());
        }
        Ok(())
    }
}

/// What a node does.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    /// A Raft replica.
    Replica,
    /// A client with its workload.
    Client(WorkloadParams),
    /// A client whose host submits the writes (`Client::submit`): the store client of
    /// an app server in a composed system. Only the workload's `timeout` is used.
    Driven(WorkloadParams),
    /// Takes no part.
    Idle,
}

/// The configuration: the cluster's parameters and each node's role.
#[derive(Clone, Debug, PartialEq)]
pub struct Raft {
    /// The replicas' parameters.
    pub params: RaftParams,
    roles: Vec<Role>,
    replicas: Vec<NodeId>,
}

impl Raft {
    /// A configuration from each node's role (index = node id); checks the parameters.
    pub fn new(params: RaftParams, roles: Vec<Role>) -> Result<Self, InvalidParams> {
        params.validate()?;
        for r in &roles {
            if let Role::Client(w) | Role::Driven(w) = r {
                w.validate()?;
            }
        }
        let replicas: Vec<NodeId> = roles
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Role::Replica))
            .map(|(i, _)| NodeId(i as u32))
            .collect();
        if replicas.is_empty() {
            return Err("a Raft cluster needs at least one replica".into());
        }
        Ok(Raft {
            params,
            roles,
            replicas,
        })
    }

    /// The replicas, in id order.
    pub fn replicas(&self) -> &[NodeId] {
        &self.replicas
    }

    /// The role of `node`.
    pub fn role(&self, node: NodeId) -> &Role {
        self.roles.get(node.index()).unwrap_or(&Role::Idle)
    }

    /// How many nodes the configuration covers.
    pub fn node_count(&self) -> u32 {
        self.roles.len() as u32
    }

    /// Makes nodes `nodes` clients driven by their host (a composed system's store
    /// seam), each write bounded by `timeout`. They must not be replicas.
    pub fn drive(
        &mut self,
        nodes: std::ops::Range<u32>,
        timeout: SimDuration,
    ) -> Result<(), InvalidParams> {
        crate::replication::workload::drive(
            &mut self.roles,
            nodes,
            timeout,
            |r| matches!(r, Role::Replica),
            Role::Driven,
        )
    }
}

/// A node's volatile state.
#[derive(Debug)]
pub enum State {
    /// A replica.
    Replica(Box<Replica>),
    /// A client.
    Client(Client),
    /// Nothing.
    Idle,
}

/// What properties see of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// A replica: its role, term and commit index.
    Replica {
        /// Follower, candidate or leader.
        role: RoleName,
        /// Its current term.
        term: Term,
        /// Its commit index.
        commit: Index,
    },
    /// A client.
    Client,
    /// Neither.
    Idle,
}

impl Protocol for Raft {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = Disk;
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, durable: &Disk) -> State {
        match self.role(ctx.id()) {
            Role::Replica => State::Replica(Box::new(Replica::start(self, ctx, durable))),
            Role::Client(params) => State::Client(Client::start(self, ctx, params.clone())),
            Role::Driven(params) => State::Client(Client::start_driven(ctx, params.clone())),
            Role::Idle => State::Idle,
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        match state {
            State::Replica(r) => r.on_message(self, ctx, source, msg),
            State::Client(c) => c.on_message(self, ctx, source, msg),
            State::Idle => {}
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        match state {
            State::Replica(r) => r.on_timer(self, ctx, timer),
            State::Client(c) => c.on_timer(self, ctx, timer),
            State::Idle => {}
        }
    }

    fn view(&self, state: &State) -> View {
        match state {
            State::Replica(r) => View::Replica {
                role: r.role_name(),
                term: r.term(),
                commit: r.commit(),
            },
            State::Client(_) => View::Client,
            State::Idle => View::Idle,
        }
    }
}
