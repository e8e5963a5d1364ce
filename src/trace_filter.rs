//! Which trace records `run`/`replay --trace` write: `--trace-node`, `--trace-verb`,
//! `--trace-from` and `--trace-until` narrow a trace to the nodes, kinds of record and
//! time window being looked at, so a long run's trace of one node's last minute fits
//! where the whole one (gigabytes) would not.
//!
//! A filter only chooses what is written: the run, its outcome and its trace hash (of
//! every record) are the same with or without one, so a filtered trace still belongs
//! to the replay command that made it. The conditions combine with "and"; each
//! option takes a comma-separated list or may be repeated. A node filter keeps the
//! records about those nodes and those about no node (a partition, a heal, a global
//! fault), which concern every node.

use crate::scenario::Scenario;
use hasim_sim::trace::{Record, Verb};
use hasim_sim::SimDuration;

/// Every verb, for parsing `--trace-verb` and for its message.
const VERBS: [Verb; 15] = [
    Verb::Start,
    Verb::Send,
    Verb::Deliver,
    Verb::Drop,
    Verb::Timer,
    Verb::Crash,
    Verb::Restart,
    Verb::Pause,
    Verb::Resume,
    Verb::Partition,
    Verb::Heal,
    Verb::Fault,
    Verb::Persist,
    Verb::Observe,
    Verb::Violation,
];

/// The trace filter's command-line options.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TraceFilterArgs {
    /// With --trace: only records about these nodes (names, comma-separated or
    /// repeated), and those about no node (partitions, heals).
    #[arg(long = "trace-node", value_name = "NAME", value_delimiter = ',')]
    pub nodes: Vec<String>,
    /// With --trace: only records of these verbs (start, send, deliver, drop, timer,
    /// crash, restart, pause, resume, partition, heal, fault, persist, observe,
    /// violation).
    #[arg(long = "trace-verb", value_name = "VERB", value_delimiter = ',')]
    pub verbs: Vec<String>,
    /// With --trace: only records at or after this simulated time (`30s`).
    #[arg(long = "trace-from", value_name = "TIME")]
    pub from: Option<String>,
    /// With --trace: only records at or before this simulated time (`1m`).
    #[arg(long = "trace-until", value_name = "TIME")]
    pub until: Option<String>,
}

/// A trace filter, resolved against a scenario (node names to ids); the default keeps
/// every record.
#[derive(Clone, Debug)]
pub struct TraceFilter {
    /// Kept nodes, indexed by node id; `None`: every node.
    nodes: Option<Vec<bool>>,
    /// Kept verbs; `None`: every verb.
    verbs: Option<Vec<Verb>>,
    /// The window, in nanoseconds of simulated time, both ends included.
    from_ns: u64,
    until_ns: u64,
}

impl Default for TraceFilter {
    fn default() -> Self {
        TraceFilter::all()
    }
}

impl TraceFilter {
    /// Keeps every record.
    pub fn all() -> TraceFilter {
        TraceFilter {
            nodes: None,
            verbs: None,
            from_ns: 0,
            until_ns: u64::MAX,
        }
    }

    /// Whether it keeps every record.
    pub fn is_all(&self) -> bool {
        self.nodes.is_none()
            && self.verbs.is_none()
            && self.from_ns == 0
            && self.until_ns == u64::MAX
    }

    /// The filter `args` ask for on `scenario`; an unknown node or verb, a time
    /// without its unit, or an empty window is an error saying what was expected.
    pub fn new(args: &TraceFilterArgs, scenario: &Scenario) -> Result<TraceFilter, String> {
        let mut filter = TraceFilter::all();
        if !args.nodes.is_empty() {
            let mut keep = vec![false; scenario.nodes.len()];
            for name in &args.nodes {
                let name = name.trim();
                let i = scenario
                    .nodes
                    .iter()
                    .position(|n| n.name == name)
                    .ok_or_else(|| {
                        let names: Vec<&str> = scenario
                            .nodes
                            .iter()
                            .take(20)
                            .map(|n| n.name.as_str())
                            .collect();
                        let more = if scenario.nodes.len() > 20 {
                            ", …"
                        } else {
                            ""
                        };
                        format!(
                            "--trace-node: no node named {name:?} in {}: expected one of {}{more}",
                            scenario.name,
                            names.join(", ")
                        )
                    })?;
                keep[i] = true;
            }
            filter.nodes = Some(keep);
        }
        if !args.verbs.is_empty() {
            let verbs = args
                .verbs
                .iter()
                .map(|v| {
                    let v = v.trim();
                    VERBS
                        .iter()
                        .copied()
                        .find(|k| k.name() == v)
                        .ok_or_else(|| {
                            let names: Vec<&str> = VERBS.iter().map(|k| k.name()).collect();
                            format!(
                                "--trace-verb: `{v}` is not a trace verb: expected one of {}",
                                names.join(", ")
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            filter.verbs = Some(verbs);
        }
        let time = |flag: &str, text: &str| {
            SimDuration::parse(text)
                .map(|d| d.as_nanos())
                .map_err(|e| format!("{flag}: {e} (a simulated time such as 30s or 1m)"))
        };
        if let Some(from) = &args.from {
            filter.from_ns = time("--trace-from", from)?;
        }
        if let Some(until) = &args.until {
            filter.until_ns = time("--trace-until", until)?;
        }
        if filter.from_ns > filter.until_ns {
            return Err(format!(
                "--trace-from {} is after --trace-until {}: the window holds no record",
                args.from.as_deref().unwrap_or("0s"),
                args.until.as_deref().unwrap_or("")
            ));
        }
        Ok(filter)
    }

    /// Whether `record` is written.
    pub fn keeps(&self, record: &Record) -> bool {
        let t = record.time.as_nanos();
        (self.from_ns..=self.until_ns).contains(&t)
            && self
                .verbs
                .as_ref()
                .is_none_or(|verbs| verbs.contains(&record.verb))
            && match (&self.nodes, record.node) {
                (Some(keep), Some(node)) => keep.get(node.0 as usize).copied().unwrap_or(false),
                _ => true,
            }
    }
}
