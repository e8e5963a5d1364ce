//! Recovery: what brings a system back after a failure, and how long it takes.
//!
//! - [`supervisor`]: a process under a Kubernetes-style restart supervisor (restart
//!   policy, liveness probe, CrashLoopBackOff).
//! - [`rereplication`]: HDFS-style re-replication of blocks after a datanode is lost,
//!   with rack-aware placement and bandwidth-bounded copies.
//! - [`compute`]: recovery of computation: a Spark-style batch job re-running a lost
//!   executor's tasks, and a Flink-style streaming job restoring its last completed
//!   checkpoint and replaying its input.

pub mod compute;
pub mod rereplication;
pub mod supervisor;
