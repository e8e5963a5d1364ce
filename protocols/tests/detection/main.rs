//! The detection models against theory, and snapshots of how each one begins: one test
//! binary, one module per claim.

/// Shared machinery: durations, crash schedules, a trace sink the test can read.
mod support;

/// Push heartbeats: detection time against its closed form, for timeout and k missed.
mod heartbeat_theory;

/// SWIM, random probe order: periods until a crashed member is first pinged.
mod swim_theory;

/// Loss sweep: false suspicions rise for every detector, faster for a fixed timeout
/// than for phi accrual at equal mean detection time.
mod mistakes;

/// The figures' definitions on a hand-checked run: pauses are failures, mistakes merge.
mod figures;

/// insta snapshots of the first trace records of each detector on a fixed seed.
mod snapshots;

/// Detectors as parts: inside a host, each runs and measures exactly as it does alone.
mod parts;
