//! The root package's one integration-test binary. Each module tests one face of
//! hasim from the outside.

/// A corpus of bad scenarios and their error messages (insta snapshots).
mod bad_scenarios;
/// The balancing model from scenarios and the CLI: capacity planning, group layout.
mod balancing;
/// The `hasim` binary: every command and exit code.
mod cli;
/// The failure detectors through scenarios and sweeps: loss and jitter against mistakes.
mod detection;
/// Primary-backup replication: safe designs over many seeds, known-unsafe ones caught
/// and replayed, a fixed seed's trace.
mod primary_backup;
/// Random scenarios, valid and mutated: no panic, no hang.
mod scenario_fuzz;
/// Every scenario in scenarios/ runs twice with the same trace hash; summary snapshots.
mod scenarios;
/// Sweeps: --jobs invariance, shards and merge, panics, determinism, statistics.
mod sweep;
