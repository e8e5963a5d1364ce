//! Replication: models of redundant stores that fail over, the client workload that
//! drives them, and the checkers that catch them losing data.
//!
//! ## Map of the modules
//! - [`history`]: client operations as invoked and as answered (ok / fail / unknown),
//!   gathered from observations into a [`History`] the checkers read.
//! - [`workload`]: the key-value client workload shared by every store: which
//!   operation to issue next, with unique write values so a lost write can be named.
//! - [`lost`]: the "no acknowledged write lost" checker for registers and logs.
//! - [`primary_backup`]: one primary, backups copying its log, sync or async, with
//!   detector-driven self-promotion, epoch fencing and an optional lease.
//!
//! Models record [`OpEvent`]s through `Ctx::observe` (wrapped in their own observation
//! enum); the runner turns them into a [`History`] after the run.

pub mod history;
pub mod lost;
pub mod primary_backup;
pub mod workload;

pub use history::{History, Key, OpEvent, OpKind, OpResult, Operation, Value};
pub use lost::{lost_writes_log, lost_writes_register, LostWrite};
pub use workload::{Workload, WorkloadParams};
