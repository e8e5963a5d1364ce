//! The root package's one integration-test binary. Each module tests one face of
//! hasim from the outside.

/// A corpus of bad scenarios and their error messages (insta snapshots).
mod bad_scenarios;
/// The balancing model from scenarios and the CLI: capacity planning, group layout.
mod balancing;
/// The gallery checkout composition: the store seam between balancers and orders.
mod checkout;
/// The `hasim` binary: every command and exit code.
mod cli;
/// `hasim compare`: designs and parameter grids on common random numbers.
mod compare;
/// Compositions: one part runs exactly as its model alone.
mod compose;
/// The composed data platform: the executor seam, pipeline recovery, placement
/// against theory.
mod data_platform;
/// The failure detectors through scenarios and sweeps: loss and jitter against mistakes.
mod detection;
/// The documentation's relative links and anchors resolve; every chapter is in the summary.
mod doc_links;
/// The documentation's commands name only bundled scenario files; the README's picture.
mod doc_paths;
/// The guide's end-check table against the registry.
mod end_checks_table;
/// `hasim gallery`: the README's gallery table against a fresh sweep; fixture galleries for the
/// table, unknown figures, markers, --check and violated checks.
mod gallery;
/// The gallery scenarios: their checks hold on seeds 1..=20 and their figures match
/// the Gallery chapter's; the bank ledger's per-fault files are safe on both designs.
mod gallery_scenarios;
/// The isr model (Kafka in-sync replicas): safe setting over seeds, unclean and acks=1 losses.
mod isr;
/// The isr model's controllers: failover to a standby keeps electing, safety over seeds
/// of faults that hit controllers, each detector kind as the controllers' judge.
mod isr_controllers;
/// A sweep's pooled MTTSF and probability of failure in a period against the
/// exponential.
mod pooled_theory;
/// Primary-backup replication: safe designs over many seeds, known-unsafe ones caught
/// and replayed, a fixed seed's trace.
mod primary_backup;
/// Quorum replication: safe over many seeds, known-unsafe configurations, stale reads
/// against R + W, sloppy quorums.
mod quorum;
/// The Raft model: checkers over many seeds of faults, and failing when a disk loses writes.
mod raft;
/// The recovery models through their scenarios: rack loss under rack-aware and random
/// placement (rack: selectors), the supervisor's back-off cap and probe window, replay
/// against the checkpoint interval.
mod recovery;
/// Failure and repair over the long run: k-of-n availability against the binomial and
/// the birth–death chain of a shared repair crew.
mod recovery_theory;
/// The open registry (issue 18): what `Cli::new()` holds, lookups by name, and
/// `hasim::testing` snapshots stable for a seed and changed by a parameter.
mod registry;
/// Hardening (issue 19): hostile inputs, bounds on what a run consumes, nothing
/// overwritten; each case failed on the code before its fix.
mod reliability;
/// `hasim report`: timeline data, a self-contained page, headless Chromium draws it.
mod report;
/// `[params.ROLE]` tables: the same run as params on the groups, overrides, errors.
mod role_params;
/// Random scenarios, valid and mutated: no panic, no hang.
mod scenario_fuzz;
/// Every scenario in scenarios/ runs twice with the same trace hash; summary snapshots.
mod scenarios;
/// `hasim shrink`: smaller schedules that still fail, written as runnable scenarios.
mod shrink;
/// What the scenario-level modules share: running a scenario on a seed.
mod support;
/// Sweeps: --jobs invariance, shards and merge, panics, determinism, statistics.
mod sweep;
/// Words, not numbers: figures with no value, checks that never ran.
mod words;
