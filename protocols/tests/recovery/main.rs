//! The recovery models against their specifications and theory: one test binary, one
//! module per model.

/// The restart supervisor: the exact back-off sequence and its reset, liveness kills
/// within their bound over many seeds, and a snapshot of a crash loop's trace.
mod supervisor;
