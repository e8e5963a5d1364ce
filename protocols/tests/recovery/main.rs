//! The recovery models against their specifications and theory: one test binary, one
//! module per model.

/// The restart supervisor: the exact back-off sequence and its reset, liveness kills
/// within their bound over many seeds, and a snapshot of a crash loop's trace.
mod supervisor;

/// Re-replication: a single datanode loss is repaired in dead_after plus the copy
/// work over the aggregate stream bandwidth, within a stated tolerance.
mod rereplication;

/// Recovery of computation: the task failure budget exactly, and the streaming job's
/// replay against interval / 2 + checkpoint duration.
mod compute;
