//! Replication: models of redundant stores that fail over, the client workload that
//! drives them, and the checkers that catch them losing data.
//!
//! ## Map of the modules
//! - [`history`]: client operations as invoked and as answered (ok / fail / unknown),
//!   gathered from observations into a [`History`] the checkers read.
//! - [`workload`]: the key-value client workload shared by every store: which
//!   operation to issue next, with unique write values so a lost write can be named.
//! - [`lost`]: the "no acknowledged write lost" checker for registers and logs.
//! - [`linearizability`]: the linearizability checker for register histories (per-key
//!   Wing & Gong / Lowe search, unknown operations per Jepsen), with a small
//!   counterexample, and reference atomic-register histories to test checkers on.
//! - [`quorum`]: leaderless quorum replication (Dynamo / Cassandra): N/R/W, last write
//!   wins or version vectors, read repair, hinted handoff.
//! - [`stale`]: stale reads: values an acknowledged write had superseded before the
//!   read began.
//! - [`isr`]: in-sync-replica replication as Kafka does it: leaders, fetching
//!   followers, a high watermark, an ISR, clean and unclean leader election.
//! - [`raft`]: a key-value store replicated by Raft, with its election, log and
//!   state machine checkers and failover figures.
//! - [`primary_backup`]: one primary, backups copying its log, sync or async, with
//!   detector-driven self-promotion, epoch fencing and an optional lease.
//!
//! Models record [`OpEvent`]s through `Ctx::observe` (wrapped in their own observation
//! enum); the runner turns them into a [`History`] after the run.

pub mod history;
pub mod isr;
pub mod linearizability;
pub mod lost;
pub mod primary_backup;
pub mod quorum;
pub mod raft;
pub mod stale;
pub mod workload;

pub use history::{History, Key, OpEvent, OpKind, OpResult, Operation, Value};
pub use linearizability::{check_history, Counterexample, LinearizabilityError, SearchLimits};
pub use lost::{lost_writes_log, lost_writes_register, LostWrite};
pub use stale::{stale_reads, StaleRead, StaleReads};
pub use workload::{Workload, WorkloadParams};
