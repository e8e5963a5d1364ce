//! Integration tests of hasim-topologies: one binary, one module per concern.

/// Each builder's vertices, links, names and placements.
mod builders;
/// A `Sim` routing over a topology, with link faults from its schedule.
mod engine;
/// Partitions by region, zone and rack.
mod partition;
/// The guide's `[topology]` examples (`docs/src/topologies.md`).
mod readme;
/// Path latency, loss, rerouting, disconnection and the route cache.
mod routing;
/// Scale: a 10,000-host zones topology without an N x N table.
mod scale;
/// `[topology]` tables from TOML: defaults, unknown fields, bad values, placement.
mod spec;
