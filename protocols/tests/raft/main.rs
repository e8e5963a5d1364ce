//! Tests of the Raft model on the engine directly: restarts from durable state,
//! redirection, leader failover, the sync knob under a disk fault, and trace and
//! figure snapshots.

/// Durable restarts, votes, redirection, failover, and the checkers catching faults.
mod behaviour;
/// insta snapshots of the start of a trace and of a run's figures on fixed seeds.
mod snapshots;

use hasim_protocols::replication::raft::{Raft, RaftParams, Role, RoleName, View};
use hasim_protocols::replication::WorkloadParams;
use hasim_sim::{
    always, Distribution, NodeId, Record, ScheduledFault, Sim, SimDuration, SimTime, TraceSink,
};
use std::cell::RefCell;
use std::rc::Rc;

/// Milliseconds as an instant.
pub fn ms(t: u64) -> SimTime {
    SimTime::from_nanos(t * 1_000_000)
}

/// `replicas` replicas (nodes `0..replicas`) then `clients` clients.
pub fn raft(replicas: u32, clients: u32, params: RaftParams) -> Raft {
    let workload = WorkloadParams {
        read_fraction: 0.3,
        ..WorkloadParams::default()
    };
    let mut roles = vec![Role::Replica; replicas as usize];
    roles.extend((0..clients).map(|_| Role::Client(workload.clone())));
    Raft::new(params, roles).expect("valid parameters")
}

/// A run of `raft` with 1-5 ms latency, until `horizon_ms`, with `faults`, checking
/// election safety after every event.
pub fn sim(raft: Raft, seed: u64, horizon_ms: u64, faults: Vec<ScheduledFault>) -> Sim<Raft> {
    let nodes = raft.node_count();
    let mut sim = Sim::new(raft, nodes, seed);
    let latency = Distribution::Uniform {
        min: SimDuration::from_millis(1),
        max: SimDuration::from_millis(5),
    };
    let mut safety = hasim_protocols::replication::raft::check::ElectionSafety::default();
    sim.uniform_network(latency, 0.0)
        .expect("valid network")
        .horizon(ms(horizon_ms))
        .keep_observations(true)
        .faults(faults)
        .expect("valid faults");
    sim.property(always("one_leader_per_term", move |w| {
        safety.check(w.views)
    }));
    sim
}

/// The running leader with the highest term, if any.
pub fn leader(sim: &Sim<Raft>) -> Option<(NodeId, u64)> {
    (0..sim.node_count())
        .map(NodeId)
        .filter_map(|n| match sim.view(n) {
            Some(View::Replica {
                role: RoleName::Leader,
                term,
                ..
            }) => Some((n, term)),
            _ => None,
        })
        .max_by_key(|&(_, t)| t)
}

/// Keeps trace records where the test can read them after the run.
pub struct Shared(pub Rc<RefCell<Vec<Record>>>);

impl TraceSink for Shared {
    fn record(&mut self, record: &Record) {
        self.0.borrow_mut().push(record.clone());
    }
}
