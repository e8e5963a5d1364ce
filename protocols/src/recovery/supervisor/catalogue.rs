//! The catalogue of `supervisor`: the service's parameters, its properties, and the
//! figures of restarts, time in back-off and the share of time the service was running
//! and responsive, read from the node timelines and the supervisor's observations.

use super::figures::{intervals, overlap};
use super::{Observation, ServiceParams, Supervisor, View};
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use hasim_sim::{Inspect, SimTime, Status};
use std::collections::BTreeMap;

impl Params for ServiceParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
                ("restart_policy", "always, on_failure or never (Always, OnFailure, Never)"),
                (
                    "liveness",
                    "{initial_delay, period = 10s, timeout = 1s, failure_threshold = 3}; none: hangs go unnoticed",
                ),
                ("backoff_initial", "the first restart delay"),
                ("backoff_max", "the cap on the doubling restart delay"),
                ("backoff_reset", "a run healthy this long resets the delay"),
                ("start_failure_probability", "chance a start fails at once"),
                ("crash_after", "the process crashes this long after each start"),
                ("crash_mtbf", "mean time to a random crash (exponential)"),
                ("hang_mtbf", "mean time to a hang (exponential)"),
                ("exit_after", "the process exits cleanly this long after each start"),
            ];
}

impl Catalogue for Supervisor {
    const KEEPS_OBSERVATIONS: bool = true;

    fn figure_docs() -> Vec<FigureDoc> {
        let f = FigureDoc::new;
        vec![
            f("restarts", Unit::Count, "process starts after the first, over all services"),
            f("crashes", Unit::Count, "process crashes (start failures included)"),
            f("hangs", Unit::Count, "processes that hung"),
            f("probe_kills", Unit::Count, "processes killed by the liveness probe"),
            f("completions", Unit::Count, "clean exits"),
            f(
                "crash_loop_time",
                Unit::Seconds,
                "time services spent waiting in back-off (summed over services, node up)",
            ),
            f(
                "service_availability",
                Unit::Fraction,
                "mean over services of the fraction of the run the process was running and responsive on an up node",
            ),
            f(
                "hang_to_kill_max",
                Unit::Seconds,
                "the longest time from a hang to the liveness probe's kill",
            ),
            f("backoff_max", Unit::Seconds, "the longest restart delay"),
            f("backoff_mean", Unit::Seconds, "the mean restart delay"),
        ]
    }

    fn property_docs() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "all_running",
                doc: "every service node's process is running and responsive",
            },
            PropertyDoc {
                name: "none_stopped",
                doc: "no process was left down for good by its restart policy",
            },
        ]
    }

    fn property(&self, name: &str) -> Option<Predicate<Supervisor>> {
        let want: fn(&View) -> bool = match name {
            "all_running" => |v| matches!(v, View::Running | View::Idle),
            "none_stopped" => |v| !matches!(v, View::Stopped),
            _ => return None,
        };
        Some(Box::new(move |w| {
            match w
                .views
                .iter()
                .position(|v| v.as_ref().is_some_and(|v| !want(v)))
            {
                None => Ok(()),
                Some(n) => Err(format!("node {n} is {:?}", w.views[n])),
            }
        }))
    }

    /// From a run of the protocol alone or of a system it is a part of.
    fn figures(sim: &impl Inspect<Self>, figures: &mut BTreeMap<String, f64>) {
        let m = sim.metrics();
        let obs = sim.observations();
        let count = |f: fn(&Observation) -> bool| obs.iter().filter(|o| f(&o.observation)).count();
        figures.insert("restarts".into(), m.counter("restarts") as f64);
        figures.insert(
            "crashes".into(),
            count(|o| *o == Observation::Crashed) as f64,
        );
        figures.insert("hangs".into(), count(|o| *o == Observation::Hung) as f64);
        figures.insert("probe_kills".into(), m.counter("probe_kills") as f64);
        figures.insert(
            "completions".into(),
            count(|o| *o == Observation::Completed) as f64,
        );
        let mut hung_at: BTreeMap<u32, SimTime> = BTreeMap::new();
        let mut hang_to_kill: Option<f64> = None;
        for o in obs {
            match o.observation {
                Observation::Hung => {
                    hung_at.insert(o.node.0, o.time);
                }
                Observation::Killed => {
                    if let Some(at) = hung_at.remove(&o.node.0) {
                        let d = o.time.saturating_since(at).as_secs_f64();
                        hang_to_kill = Some(hang_to_kill.map_or(d, |m: f64| m.max(d)));
                    }
                }
                Observation::Started { .. } => {
                    hung_at.remove(&o.node.0);
                }
                _ => {}
            }
        }
        if let Some(d) = hang_to_kill {
            figures.insert("hang_to_kill_max".into(), d);
        }
        let end = sim.now();
        let span = end.saturating_since(SimTime::ZERO).as_secs_f64();
        let services = sim.protocol().service_nodes();
        let (mut available, mut backoff) = (0.0, 0.0);
        for &node in &services {
            let up = sim.timeline(node).intervals(Status::Up, end);
            available +=
                overlap(&intervals(obs, node, end, Observation::available), &up).as_secs_f64();
            backoff +=
                overlap(&intervals(obs, node, end, Observation::backing_off), &up).as_secs_f64();
        }
        figures.insert("crash_loop_time".into(), backoff);
        if !services.is_empty() && span > 0.0 {
            figures.insert(
                "service_availability".into(),
                available / (span * services.len() as f64),
            );
        }
        let delays = m.histogram("backoff").cloned().unwrap_or_default();
        if delays.count() > 0 {
            figures.insert("backoff_max".into(), delays.max().as_secs_f64());
            figures.insert("backoff_mean".into(), delays.mean().as_secs_f64());
        }
    }
}
