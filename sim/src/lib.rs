//! # hasim-sim: the deterministic discrete-event engine
//!
//! hasim-sim runs models of distributed designs on simulated nodes and networks,
//! single-threaded, from one seed: the same protocol, configuration, fault schedule and
//! seed give the same run, event for event, on any machine. It knows nothing of any
//! particular protocol; `hasim-protocols` and users' own crates bring those.
//!
//! A protocol is a sans-IO state machine ([`Protocol`]); its handlers act only through
//! a [`Ctx`]. The engine ([`Sim`]) owns the event queue, the nodes' lifecycles
//! (crash, restart, pause), their clocks and disks, the network and its faults, the
//! trace and its hash, metrics, and properties.
//!
//! ## Map of the modules
//! - [`time`]: `SimTime`, `SimDuration`; integer nanoseconds, human parsing/printing.
//! - [`id`]: `NodeId`, `Incarnation`, `TimerId`.
//! - [`rng`]: seeded ChaCha8 streams forked by label; platform-identical sampling.
//! - [`dist`]: duration distributions (constant, uniform, exponential, normal,
//!   lognormal, pareto, weibull).
//! - [`protocol`]: the `Protocol` and `Durable` traits.
//! - [`ctx`]: `Ctx`, what a handler may do; `NodeCtx`, the engine's.
//! - [`within`]: `Within`, a protocol run as a part of another (composition).
//! - [`projection`]: `Inspect`, what figure code reads of a run; `Projection`, one
//!   part's share of a composed run.
//! - [`sim`]: `Sim`, the run loop, outcomes, configuration errors.
//! - `apply`: how each fault changes the world.
//! - `queue`, `node`: the event queue (a heap and a FIFO of in-order deliveries) and
//!   per-node machinery (private).
//! - [`network`]: paths, loss, partitions, cuts, spikes.
//! - [`clock`]: local clocks with offset and drift.
//! - [`fault`]: the fault vocabulary and schedules; [`generator`]: random schedules;
//!   [`lifecycle`]: long-run failure and repair of nodes, racks and zones, with crews.
//! - [`trace`]: trace records, the running hash, sinks; `Describe` for protocol types.
//! - [`metrics`]: counters, histograms, node timelines.
//! - [`memory`]: `MemoryBudget`, a limit on a run's heap read through a host's probe.
//! - [`property`]: always / eventually-within / sometimes checks.

#![warn(missing_docs)]

mod apply;
mod check;
pub mod clock;
pub mod ctx;
pub mod dist;
pub mod fault;
pub mod generator;
pub mod id;
mod inspect;
pub mod lifecycle;
pub mod memory;
pub mod metrics;
pub mod network;
mod node;
mod outcome;
pub mod projection;
pub mod property;
pub mod protocol;
mod queue;
pub mod rng;
pub mod sim;
mod sink;
pub mod time;
pub mod trace;
pub mod within;

pub use clock::Clock;
pub use ctx::{Ctx, NodeCtx};
pub use dist::Distribution;
pub use fault::{Fault, InvalidFault, ScheduledFault, SignedDuration};
pub use generator::Generator;
pub use id::{Incarnation, NodeId, TimerId};
pub use memory::{MemoryBudget, MEMORY_CHECK_EVERY};
pub use metrics::{Histogram, Metrics, Status, Timeline};
pub use network::{DropReason, Path, Paths, Transit, UniformPaths};
pub use node::TIMERS_MAX;
pub use projection::{Inspect, Projection};
pub use property::{
    always, eventually, sometimes, Expectation, Observed, Property, Violation, World,
};
pub use protocol::{Durable, NoWrite, Protocol};
pub use rng::{Seed, Stream};
pub use sim::{Outcome, Sim, SimError};
pub use time::{SimDuration, SimTime};
pub use trace::{Describe, Detail, JsonLinesSink, Record, RingSink, TraceSink, VecSink, Verb};
pub use within::{Lens, Span, Within};
