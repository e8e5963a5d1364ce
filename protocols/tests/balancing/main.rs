//! Tests of the balancing model: agreement with queueing theory, behaviour under
//! crashes, brownouts and failovers, capacity search, and trace snapshots.

/// Crashes, health checks, outlier ejection, VRRP failover, autoscaling, capacity.
mod behaviour;
/// insta snapshots of the start of a trace on a fixed seed.
mod snapshots;
/// Queueing theory: Erlang C, M/M/1 under random balancing, power of two choices,
/// retry amplification.
mod theory;

use hasim_protocols::balancing::{figures::figures, Balancing, Params};
use hasim_sim::{Distribution, ScheduledFault, Sim, SimDuration, SimTime};
use std::collections::BTreeMap;

/// Seconds as a duration.
pub fn secs(s: f64) -> SimDuration {
    SimDuration::from_secs_f64(s)
}

/// Seconds as an instant.
pub fn at(s: f64) -> SimTime {
    SimTime::from_nanos(secs(s).as_nanos())
}

/// Exponential service with mean `s` seconds.
pub fn exp(s: f64) -> Distribution {
    Distribution::Exponential { mean: secs(s) }
}

/// A run of `params` for `horizon` seconds with network latency `hop` (constant) and
/// the given faults.
pub fn sim(
    params: Params,
    seed: u64,
    horizon: f64,
    hop: SimDuration,
    faults: Vec<ScheduledFault>,
) -> Sim<Balancing> {
    let protocol = Balancing::new(params).expect("valid parameters");
    let nodes = protocol.layout.nodes();
    let mut sim = Sim::new(protocol, nodes, seed);
    sim.uniform_network(Distribution::constant(hop), 0.0)
        .expect("valid network")
        .horizon(at(horizon))
        .faults(faults)
        .expect("valid faults");
    sim
}

/// Runs to the horizon and returns the figures.
pub fn run(
    params: Params,
    seed: u64,
    horizon: f64,
    hop: SimDuration,
    faults: Vec<ScheduledFault>,
) -> BTreeMap<String, f64> {
    let mut s = sim(params, seed, horizon, hop, faults);
    s.run();
    figures(&s)
}
