//! `quorum`: leaderless quorum replication in the Dynamo / Cassandra style, with
//! last-write-wins or version-vector versioning, read repair and hinted handoff.
//!
//! **The algorithm.** Replicas sit on a consistent-hash ring ([`ring`]); a key lives on
//! the N replicas clockwise from its hash. A client sends each operation to a
//! coordinator (any replica, round robin, [`client`]). The coordinator
//! ([`coordinator`]) fans the operation out to the key's N replicas and answers the
//! client after R read answers (the newest version among them) or W write
//! acknowledgements, "unavailable" at once when it believes fewer than that are up
//! (liveness from heartbeats every replica sends every other, or from any of the
//! detection family's detectors run as a part, `detector`), or "timeout" after
//! `request_timeout`. Versions ([`version`]) are last-write-wins stamps from the
//! coordinator's local clock, or version vectors: the coordinator then reads R replicas
//! first and writes a version descending from all it read. After a read, replicas that
//! answered with older data are repaired. With hinted handoff (sloppy quorum) a write
//! for a replica believed down goes to the next live node on the ring, which keeps it
//! as a hint, counts towards W, and hands it back when it hears from the replica.
//! Replicas sync every write to disk before acknowledging it ([`disk`]).
//!
//! **What it simplifies.** One token per replica on the ring (no virtual nodes), no
//! membership changes, no anti-entropy (Merkle trees): data only converges through
//! writes, read repair and handoff. Clients write blind values (no read-modify-write)
//! and do not retry. Siblings are never returned to the client: a read resolves them to
//! the one with the highest dot, so concurrent writes under `vector` are resolved
//! arbitrarily (but deterministically) and the store is not a linearizable register.
//! A restarted client reuses its write values: fault plans should spare clients.
//!
//! **What it promises.** Every client operation ends in exactly one of ok, fail
//! (nothing was sent to any replica) or unknown. With strict quorums (no hinted
//! handoff), R + W > N and version vectors, a read never returns a value that an
//! acknowledged write completed before the read began had already superseded, and no
//! acknowledged write is lost, whatever crashes, pauses, partitions or clock faults
//! hit the replicas (clients spared; the stale-read and lost-write checkers test these
//! over seeds); last-write-wins keeps them only while clocks agree. With R + W ≤ N, or sloppy quorums under partitions, reads
//! can be stale.
//!
//! Node layout: every node of the `replica` role is a ring member; `client` nodes run
//! the workload; other nodes take no part.

use crate::InvalidParams;
pub mod catalogue;
pub mod client;
pub mod coordinator;
pub mod disk;
pub mod message;
pub mod params;
pub mod replica;
pub mod ring;
pub mod version;

pub use client::Client;
pub use disk::Disk;
pub use message::{Answer, Msg, Observation, Timer};
pub use params::{ReplicaParams, Versioning};
pub use replica::Replica;
pub use ring::Ring;
pub use version::Siblings;

use crate::detection::AnyDetector;
use crate::replication::history::{Key, Value};
use crate::replication::workload::WorkloadParams;
use hasim_sim::{Ctx, NodeId, Protocol};
use std::collections::BTreeMap;

/// What a node does.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    /// A ring member: stores and coordinates.
    Replica,
    /// Runs the workload with these parameters.
    Client(WorkloadParams),
    /// A client whose host submits the writes (`Client::submit`): the store client of
    /// an app server in a composed system. Only the workload's `timeout` is used.
    Driven(WorkloadParams),
    /// Takes no part.
    Idle,
}

/// The protocol: the replicas' shared parameters, the ring and every node's role.
#[derive(Clone, Debug)]
pub struct Quorum {
    /// The replicas' parameters.
    pub params: ReplicaParams,
    /// The ring of replicas.
    pub ring: Ring,
    roles: Vec<Role>,
    /// The replicas' detector, when the parameters name one.
    detector: Option<AnyDetector>,
}

impl Quorum {
    /// Validates the parameters against the roles (indexed by node id).
    pub fn new(params: ReplicaParams, roles: Vec<Role>) -> Result<Quorum, InvalidParams> {
        let members: Vec<NodeId> = (0..roles.len() as u32)
            .map(NodeId)
            .filter(|n| roles[n.index()] == Role::Replica)
            .collect();
        params.validate(members.len() as u32)?;
        for role in &roles {
            if let Role::Client(w) | Role::Driven(w) = role {
                w.validate()?;
            }
        }
        let detector = match &params.detector {
            Some(d) => Some(AnyDetector::new(d.clone().all_to_all()).map_err(|e| e.to_string())?),
            None => None,
        };
        Ok(Quorum {
            params,
            ring: Ring::new(members),
            roles,
            detector,
        })
    }

    /// The replicas' detector, when the parameters name one.
    pub(crate) fn detector(&self) -> Option<&AnyDetector> {
        self.detector.as_ref()
    }

    /// Where the replicas' detector runs: every node, ids unchanged (clients run no
    /// detector and ignore its traffic; replicas suspect them once).
    pub(crate) fn detector_span(&self) -> hasim_sim::Span {
        hasim_sim::Span::new(0, self.roles.len() as u32)
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

    /// The value a quorum read would return for each key once the run is over and
    /// every replica and hint is reachable: the resolution of every version any disk
    /// holds. Keys no write reached are absent (their value is the initial 0).
    pub fn final_values<'a>(disks: impl IntoIterator<Item = &'a Disk>) -> BTreeMap<Key, Value> {
        let mut all: BTreeMap<Key, Siblings> = BTreeMap::new();
        for disk in disks {
            for (key, s) in &disk.store {
                all.entry(*key).or_default().merge(s);
            }
            for ((_, key), hint) in &disk.hints {
                all.entry(*key).or_default().merge(&hint.siblings);
            }
        }
        all.into_iter()
            .filter(|(_, s)| !s.is_empty())
            .map(|(k, s)| (k, s.value()))
            .collect()
    }
}

/// A node's volatile state.
#[derive(Debug)]
pub enum State {
    /// A replica.
    Replica(Replica),
    /// A client.
    Client(Client),
    /// Neither.
    Idle,
}

/// A node's summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum View {
    /// A replica.
    Replica {
        /// Keys it holds data for.
        keys: u32,
        /// Hints it holds for others.
        hints: u32,
        /// Requests it coordinates.
        requests: u32,
    },
    /// A client.
    Client {
        /// Whether an operation is in flight.
        busy: bool,
    },
    /// Neither.
    Idle,
}

impl Protocol for Quorum {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = Disk;
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, disk: &Disk) -> State {
        match self.role(ctx.id()) {
            Role::Replica => State::Replica(Replica::start(self, ctx, disk)),
            Role::Client(w) => State::Client(Client::start(self, ctx, w)),
            Role::Driven(w) => State::Client(Client::start_driven(self, ctx, w)),
            Role::Idle => State::Idle,
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        match state {
            State::Replica(r) => r.on_message(self, ctx, source, msg),
            State::Client(c) => c.on_message(self, ctx, msg),
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
                keys: r.disk.store.len() as u32,
                hints: r.disk.hints.len() as u32,
                requests: r.requests.len() as u32,
            },
            State::Client(c) => View::Client { busy: c.busy() },
            State::Idle => View::Idle,
        }
    }
}

crate::detection::any::detector_lens!(
    /// Runs the replicas' detector as a part over every node (ids unchanged).
    DetectorLens for Quorum, disk = disk::DiskWrite
);

#[cfg(test)]
mod tests;
