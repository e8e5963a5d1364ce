//! # hasim: scenarios, the runner and the command line
//!
//! The root package turns a TOML scenario into a run of the engine (`hasim-sim`) and a
//! report: a user describes a system and its faults, and gets measured answers.
//!
//! ## Map of the modules
//! - [`scenario`]: the scenario file: schema, loading, validation, selectors, the
//!   expansion of faults into a concrete schedule, and typed errors with positions.
//! - [`runner`]: one run of a scenario for one seed → [`runner::RunResult`].
//! - `sweep`: many seeds in parallel, shards and merges (owned by the sweep work).
//! - `cli`: the `hasim` command line (clap), the one place errors are reported.

pub mod runner;
pub mod scenario;
