//! # hasim: scenarios, the runner and the command line
//!
//! The root package turns a TOML scenario into a run of the engine (`hasim-sim`) and a
//! report: a user describes a system and its faults, and gets measured answers.
//!
//! ## Map of the modules
//! - [`scenario`]: the scenario file: schema, loading, validation, selectors, the
//!   expansion of faults into a concrete schedule, and typed errors with positions.
//! - [`runner`]: one run of a scenario for one seed → [`runner::RunResult`].
//! - [`run_result`]: what a run gives ([`run_result::RunResult`]) or why it could not
//!   run ([`run_result::RunError`]): plain data the reports read.
//! - [`size`]: byte sizes as `--trace-max` and `memory_max` take them.
//! - [`memory`]: the counting allocator that lets `memory_max` stop a run.
//! - [`models`]: the model registry: protocol names → parameters, properties, figures.
//! - [`generic`]: the figures and properties every model has (their docs).
//! - [`drive`]: builds and runs the monomorphised `Sim<P>`; generic figures.
//! - [`sinks`]: trace sinks: JSON-lines file, `RUST_LOG` bridge, tail, fingerprints.
//! - [`schedule`]: the schedule file that `replay` prints and reads back.
//! - [`nines`]: availability in nines, per run (capped) and of a mean with its interval.
//! - [`report`]: the human summary table; figures in their units.
//! - [`episodes`]: a schedule's faults paired into episodes (a crash and its restart).
//! - [`shrink`]: from a failing seed to the fewest, shortest faults that still fail.
//! - [`atomic`]: output files written to a temporary file, then renamed.
//! - [`output_paths`]: an output may not be an input, and must be writable, checked
//!   before any run.
//! - [`stdout`]: printing that exits quietly (141) when stdout's reader has gone.
//! - [`timeline`]: a run's timeline (lanes, bands, marks, series) as SVG and HTML.
//! - [`compare`]: designs side by side on the same seeds; parameter grids; charts.
//! - [`gallery`]: the README's gallery table, measured by sweeps of the gallery scenarios.
//! - [`sweep`]: many seeds in parallel, shards and merges, the aggregate across seeds.
//! - [`registry`]: the open registry: the models a binary knows, built-in and yours.
//! - [`cli`]: the `hasim` command line (clap), the one place errors are reported;
//!   [`cli::Cli`] is a whole binary in one line.
//! - [`testing`]: a scenario run for a seed as stable text, for insta snapshots.
//! - [`sim`]: the engine (`hasim-sim`), re-exported so a model needs one dependency.

pub mod atomic;
pub mod cli;
pub mod compare;
pub mod drive;
pub mod episodes;
pub mod gallery;
pub mod generic;
pub mod memory;
pub mod models;
pub mod nines;
pub mod output_paths;
pub mod registry;
pub mod report;
pub mod run_result;
pub mod runner;
pub mod scenario;
pub mod schedule;
pub mod shrink;
pub mod sinks;
pub mod size;
pub mod stdout;
pub mod sweep;
pub mod testing;
pub mod timeline;
pub mod trace_filter;

/// The engine, `hasim-sim`: `Protocol`, `Ctx`, `NodeId`, `SimDuration`, … — what a
/// model's state machine is written against.
pub use hasim_sim as sim;

/// What a model tells the tooling about itself (`hasim-protocols`' catalogue):
/// figures, properties, end checks and documented parameters.
pub use hasim_protocols::catalogue::{
    param_docs, Catalogue, FigureDoc, ParamDoc, Params, Predicate, PropertyDoc, RequestEvent,
    RequestOutcome, Unit,
};
/// A finished run as a catalogue reads it (observations, metrics, views).
pub use hasim_sim::Inspect;

/// How a scenario's groups become a model's configuration.
pub use models::{params, GroupParams, Model, ParamError, RoleDoc};
/// The models a binary knows.
pub use registry::Registry;
