//! The figures and properties every model has, whatever its protocol: what the
//! runner measures of any run (events, drops, uptime) and checks of any layout (all
//! up, a majority up). The runner computes them; their documentation lives here,
//! beside each model's own, so the registry lists both.

use crate::models::{FigureDoc, PropertyDoc, Unit};

/// Figures every model reports.
pub fn generic_figures() -> Vec<FigureDoc> {
    let f = FigureDoc::new;
    vec![
        f("events", Unit::Count, "events processed"),
        f(
            "messages_dropped",
            Unit::Count,
            "messages lost to loss, partitions, cuts or dead targets",
        ),
        f(
            "faults",
            Unit::Count,
            "entries in the concrete fault schedule",
        ),
        f(
            "uptime_mean",
            Unit::Fraction,
            "mean fraction of the run that nodes were up",
        ),
        f(
            "uptime_min",
            Unit::Fraction,
            "the least-up node's fraction of the run",
        ),
        f(
            "uptime.*",
            Unit::Fraction,
            "each node's fraction of the run up (up to 32 nodes), e.g. uptime.server-1",
        ),
    ]
}

/// Properties every model can check.
pub fn generic_properties() -> Vec<PropertyDoc> {
    vec![
        PropertyDoc {
            name: "all_up",
            doc: "every node is running",
        },
        PropertyDoc {
            name: "majority_up",
            doc: "more than half of the nodes are running (after start-up)",
        },
    ]
}
