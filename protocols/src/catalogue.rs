//! What a model tells the tooling about itself, kept next to the protocol it describes:
//! its parameters with their documentation and defaults, the properties it can check,
//! its end-of-run checks, and its figures with their units.
//!
//! A [`Catalogue`] reads a finished run through [`Inspect`], so the same figures and
//! end checks judge a protocol run alone and a projection of it inside a composed run.
//! The application maps a scenario's groups to a protocol and looks everything else
//! up here; a user's own protocol implements the same trait.

use hasim_sim::{Inspect, NodeId, Protocol, SimDuration, World};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::BTreeMap;

/// How a figure is measured, to print and compare it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// A fraction in [0, 1], printed as a percentage.
    Fraction,
    /// Seconds, printed with units.
    Seconds,
    /// A count or a plain number.
    Count,
}

/// What a client saw of a request as it ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestOutcome {
    /// It succeeded.
    Ok,
    /// It definitely failed (refused, "not the leader").
    Failed,
    /// It timed out, or was pending at the end: it may or may not have taken effect.
    Unknown,
}

/// An observation's part in a client request, as a timeline reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestEvent {
    /// The observing client issued request `id` (its own numbering).
    Invoked {
        /// The client's number for the request.
        id: u64,
    },
    /// A request ended. Without a `latency` the timeline measures one from the same
    /// client's `Invoked` with the same `id`, when there was one.
    Ended {
        /// The client's number for the request, when the model numbers them.
        id: Option<u64>,
        /// What the client saw.
        outcome: RequestOutcome,
        /// How long it took, when the model says.
        latency: Option<SimDuration>,
    },
}

impl RequestEvent {
    /// An end that carries its latency (models that measure it themselves).
    pub fn ended(outcome: RequestOutcome, latency: Option<SimDuration>) -> Self {
        RequestEvent::Ended {
            id: None,
            outcome,
            latency,
        }
    }
}

/// A figure a model reports.
#[derive(Clone, Debug)]
pub struct FigureDoc {
    /// Its name in results and checks. A trailing `.*` means one per node. Owned
    /// when a composed system prefixes a part's figure (`store_availability`).
    pub name: std::borrow::Cow<'static, str>,
    /// Its unit.
    pub unit: Unit,
    /// What it measures.
    pub doc: &'static str,
}

impl FigureDoc {
    /// A figure named `name` in `unit`.
    pub const fn new(name: &'static str, unit: Unit, doc: &'static str) -> Self {
        FigureDoc {
            name: std::borrow::Cow::Borrowed(name),
            unit,
            doc,
        }
    }
}

/// A named property a model can check (as an invariant, a liveness or a coverage
/// check; the scenario decides which), or an end-of-run check.
#[derive(Clone, Debug)]
pub struct PropertyDoc {
    /// Its name in `[[check]]`.
    pub name: &'static str,
    /// What holds when it holds.
    pub doc: &'static str,
}

/// One parameter of a role, with its default as TOML.
#[derive(Clone, Debug)]
pub struct ParamDoc {
    /// The key in `params`.
    pub name: String,
    /// The default, as it would be written in TOML.
    pub default: String,
    /// What it sets.
    pub doc: &'static str,
}

/// A predicate over the world after an event, boxed so a model can hand it out by name.
pub type Predicate<P> = Box<dyn FnMut(&World<'_, P>) -> Result<(), String>>;

/// A parameter struct a scenario fills from a `params` table: serde for the table,
/// `Default` for what is left out, and one line of documentation per field.
pub trait Params: Serialize + DeserializeOwned + Default {
    /// One line per field, in the order `hasim list` shows them: (key, what it sets).
    const DOCS: &'static [(&'static str, &'static str)];

    /// The fields with their defaults, read from `Default` so they cannot drift.
    fn docs() -> Vec<ParamDoc> {
        param_docs::<Self>(Self::DOCS)
    }
}

/// Documents a parameter struct from its `Default`, so defaults shown by `hasim list`
/// can never drift from the code. `docs` gives one line per field.
pub fn param_docs<T: Serialize + Default>(docs: &[(&str, &'static str)]) -> Vec<ParamDoc> {
    let table = toml::Table::try_from(T::default()).unwrap_or_default();
    docs.iter()
        .map(|(name, doc)| ParamDoc {
            name: name.to_string(),
            default: table.get(*name).map_or("-".to_string(), |v| v.to_string()),
            doc,
        })
        .collect()
}

/// A protocol's catalogue: what it checks and measures. See the module documentation.
pub trait Catalogue: Protocol + Sized {
    /// Whether [`Catalogue::figures`] or an end check reads the run's observations:
    /// only then are they kept in memory for the whole run.
    const KEEPS_OBSERVATIONS: bool = false;

    /// The figures [`Catalogue::figures`] reports.
    fn figure_docs() -> Vec<FigureDoc>;

    /// The properties [`Catalogue::property`] knows.
    fn property_docs() -> Vec<PropertyDoc>;

    /// The predicate of the property `name` for this configuration; `None` for a
    /// property it does not know.
    fn property(&self, name: &str) -> Option<Predicate<Self>>;

    /// Adds the figures of a finished run to `figures`. A figure without a value (a
    /// detection time when nothing crashed) is NaN or left out, never 0.
    fn figures(run: &impl Inspect<Self>, figures: &mut BTreeMap<String, f64>);

    /// The checks of a finished run it can judge (`[[check]] at_end = "NAME"`).
    fn end_check_docs() -> Vec<PropertyDoc> {
        Vec::new()
    }

    /// Judges the end check `name` on a finished run (`Err` says what went wrong, with
    /// a small counterexample); `None` for a check it does not know.
    fn end_check(run: &impl Inspect<Self>, name: &str) -> Option<Result<(), String>> {
        let _ = (run, name);
        None
    }

    /// The role a node's view shows, drawn on its lane in a timeline ("leader").
    fn role(view: &Self::View) -> Option<&'static str> {
        let _ = view;
        None
    }

    /// The observation's part in a client request, if any: its invocation, or its end
    /// with what the client saw: a timeline's outcome-rate and latency series.
    fn request(observation: &Self::Observation) -> Option<RequestEvent> {
        let _ = observation;
        None
    }

    /// Whether an observation says its node now suspects (`true`) or trusts again
    /// (`false`) another node: a timeline draws "suspected by others" on its lane.
    fn suspicion(observation: &Self::Observation) -> Option<(NodeId, bool)> {
        let _ = observation;
        None
    }
}
