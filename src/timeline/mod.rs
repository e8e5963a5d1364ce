//! The timeline of one run, for `hasim report`: a lane per node (up, down, paused, and
//! its role over time), fault episodes as bands, fault and observation marks with
//! their trace records, and the service's success rate and latency over time; drawn
//! as SVG and wrapped in one self-contained HTML page.
//!
//! ## Map of the modules
//! - [`data`]: what a run contributes, gathered while it runs (`Recorder`).
//! - [`svg`]: the timeline drawn as one SVG document.
//! - [`html`]: the page: header, checks, figures, the SVG, a hover panel.

pub mod data;
pub mod html;
pub mod svg;

pub use data::{Band, Lane, Mark, Request, TimelineData};
