//! Whole systems written in Rust: families composed into one protocol where the
//! scenario-level composition ([`crate::compose`]) has no seam for them yet.
//!
//! Each system keeps its parts' types inside its own and runs the parts' handlers
//! unchanged through [`hasim_sim::Within`]; the system's own code is only the seam
//! between parts (an app server holding a reply until its order is stored). Figures
//! and checks reuse each family's through [`hasim_sim::Projection`].
//!
//! ## Map of the modules
//! - `parts`: the `parts!` macro that declares a system's part-wrapping types.
//! - [`data_platform`]: an in-sync-replica ingest log → a compute job on supervised
//!   executors → rack-aware re-replicated storage.

#[macro_use]
mod parts;
pub mod data_platform;
pub mod projected;

pub use data_platform::DataPlatform;
