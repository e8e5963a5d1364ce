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
//! - [`size`]: byte sizes as `--trace-max` takes them.
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
//! - `cli`: the `hasim` command line (clap), the one place errors are reported.

pub mod atomic;
pub mod compare;
pub mod drive;
pub mod episodes;
pub mod gallery;
pub mod generic;
pub mod models;
pub mod nines;
pub mod output_paths;
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
pub mod timeline;
pub mod trace_filter;
