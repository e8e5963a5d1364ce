//! The timeline of one run, for `hasim report`: a lane per node (up, down, paused, and
//! its role over time), fault episodes as bands, fault and observation marks with
//! their trace records, messages, and the service's outcomes and latency over time;
//! drawn by an inline script in one self-contained HTML page, or as a static SVG.
//!
//! ## Map of the modules
//! - [`data`]: what a run contributes, gathered while it runs (`Recorder`).
//! - [`svg`]: the timeline drawn as one SVG document.
//! - [`json`]: the timeline as compact JSON, which the page's script draws.
//! - [`html`]: the page: header, checks, figures, the interactive timeline.

pub mod data;
pub mod html;
pub mod json;
pub mod svg;

pub use data::{Band, Lane, Mark, Message, MessageEnd, Request, RequestOutcome, TimelineData};
