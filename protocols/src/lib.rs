//! # hasim-protocols: models of high-availability designs for hasim-sim
//!
//! Each model is a plain struct implementing `hasim_sim::Protocol`, with its
//! parameters as serde structs so that a scenario can name it and set its fields.
//! Each module's opening comment says what the model abstracts away.
//!
//! ## Map of the modules
//! - [`catalogue`]: what a model tells the tooling: parameters with their docs and
//!   defaults, properties, end checks, figures with units ([`catalogue::Catalogue`]).
//! - [`InvalidParams`]: the one error a model's parameters give.
//! - [`nines`]: an availability in nines, capped.
//! - [`balancing`]: clients, load balancers and backends: policies, health checks,
//!   outlier ejection, retries, redundant balancers, autoscaling, capacity search.
//! - [`detection`]: failure detectors (fixed heartbeats, phi accrual, SWIM, Prometheus
//!   alerting) and the figures that judge them: detection time, mistakes, cost.
//! - [`replication`]: replicated stores that fail over (primary-backup, quorum, in-sync
//!   replicas, Raft), their client workload, and the checkers for lost writes and
//!   linearizability.
//! - [`redundancy`]: k-of-n replicas judged from node timelines, for long-run
//!   availability under failure and repair processes.
//! - [`recovery`]: what brings a system back: a Kubernetes-style restart supervisor
//!   with liveness probes and CrashLoopBackOff, HDFS-style re-replication after a
//!   datanode or rack is lost.
//! - [`compose`]: a system composed at run time from parts of any family, as a
//!   scenario's `[[part]]` tables describe it, wired by seams.
//! - [`systems`]: whole systems composed of the families above (a checkout: balancers,
//!   app servers and a Raft order store), wired through small seams.
//! - [`ping`]: clients send requests round robin to servers with a timeout; the
//!   smallest model with client-visible availability and latency.

pub mod balancing;
pub mod catalogue;
pub mod compose;
pub mod detection;
mod invalid;
pub mod nines;
pub mod ping;
pub mod recovery;
pub mod redundancy;
pub mod replication;
pub mod systems;

pub use invalid::InvalidParams;
