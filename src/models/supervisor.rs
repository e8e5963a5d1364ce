//! Registry entry for `supervisor` (hasim_protocols::recovery::supervisor): role
//! `service`, a process under a Kubernetes-style kubelet (restart policy, liveness
//! probe, CrashLoopBackOff), judged by restarts, time in back-off and the fraction of
//! time the service was running and responsive.

use super::{param_docs, params, unknown_role, FigureDoc, GroupParams, Model, ParamError};
use super::{Predicate, PropertyDoc, RoleDoc, Unit};
use hasim_protocols::recovery::supervisor::figures::{intervals, overlap};
use hasim_protocols::recovery::supervisor::{Observation, ServiceParams, Supervisor, View};
use hasim_sim::{Inspect, Sim, SimTime, Status};
use std::collections::BTreeMap;

/// The `supervisor` model.
pub struct SupervisorModel;

impl Model for SupervisorModel {
    type Protocol = Supervisor;
    const NAME: &'static str = "supervisor";
    const SUMMARY: &'static str =
        "a process under a Kubernetes-style supervisor: restart policy, liveness probe, CrashLoopBackOff";
    const KEEPS_OBSERVATIONS: bool = true;

    fn roles() -> Vec<RoleDoc> {
        vec![RoleDoc {
            role: "service",
            doc: "a node running one supervised process and its supervisor (the kubelet)",
            params: param_docs::<ServiceParams>(&[
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
            ]),
        }]
    }

    fn figures() -> Vec<FigureDoc> {
        let f = |name, unit, doc| FigureDoc { name, unit, doc };
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

    fn properties() -> Vec<PropertyDoc> {
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

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Supervisor, ParamError> {
        let mut services = vec![None; nodes as usize];
        for (i, g) in groups.iter().enumerate() {
            if g.role != "service" {
                return Err(unknown_role(i, g.role, Self::NAME, &["service"]));
            }
            let p: ServiceParams = params(i, g.params)?;
            p.validate().map_err(|message| ParamError {
                group: i,
                role: false,
                message,
            })?;
            for n in g.nodes.clone() {
                services[n as usize] = Some(p.clone());
            }
        }
        Ok(Supervisor::new(services))
    }

    fn property(_: &Supervisor, name: &str) -> Option<Predicate<Supervisor>> {
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

    fn report(sim: &Sim<Supervisor>, figures: &mut BTreeMap<String, f64>) {
        report(sim, figures);
    }
}

/// The model's figures, from a run of the protocol alone or of a system it is a part of.
pub(crate) fn report(sim: &impl Inspect<Supervisor>, figures: &mut BTreeMap<String, f64>) {
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
        available += overlap(&intervals(obs, node, end, Observation::available), &up).as_secs_f64();
        backoff += overlap(&intervals(obs, node, end, Observation::backing_off), &up).as_secs_f64();
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
