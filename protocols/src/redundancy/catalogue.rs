//! The catalogue of `redundancy`: its one parameter, the `system_up` property, and the
//! figures of long-run availability (fraction and nines), system failures, mean time
//! to system failure and to repair, judged from the node timelines after the run.

use super::{k_of_n, Redundancy};
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use crate::nines::nines;
use hasim_sim::{Inspect, SimTime, Status};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A replica's parameters: one set for the role, written on any of its groups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReplicaParams {
    /// How many replicas must be up for the system to be up.
    pub k: u32,
}

impl Default for ReplicaParams {
    fn default() -> Self {
        ReplicaParams { k: 1 }
    }
}

impl Params for ReplicaParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[(
        "k",
        "replicas that must be up for the system to be up (written once, on any replica group)",
    )];
}

impl Catalogue for Redundancy {
    fn figure_docs() -> Vec<FigureDoc> {
        let f = FigureDoc::new;
        vec![
            f(
                "system_availability",
                Unit::Fraction,
                "fraction of the run with at least k replicas up",
            ),
            f(
                "system_nines",
                Unit::Count,
                "-log10(1 - system_availability), capped at 9 (a run without downtime)",
            ),
            f(
                "system_failures",
                Unit::Count,
                "times the system went from up to down",
            ),
            f(
                "system_uptime",
                Unit::Seconds,
                "total time with at least k replicas up (the numerator of mttsf)",
            ),
            f(
                "system_downtime",
                Unit::Seconds,
                "total time with fewer than k replicas up",
            ),
            f(
                "mttsf",
                Unit::Seconds,
                "mean time to system failure: system_uptime / system_failures (absent without one; a sweep pools it, see docs/src/sweeps.md)",
            ),
            f(
                "mttr_system",
                Unit::Seconds,
                "mean system outage: system_downtime / system_failures (absent without one; a sweep pools it)",
            ),
            f(
                "node_availability",
                Unit::Fraction,
                "mean fraction of the run a replica was up",
            ),
            f("node_failures", Unit::Count, "replica crashes in the run"),
            f(
                "node_mttr",
                Unit::Seconds,
                "mean time a crashed replica stayed down (absent without a crash; a sweep pools it)",
            ),
        ]
    }

    fn property_docs() -> Vec<PropertyDoc> {
        vec![PropertyDoc {
            name: "system_up",
            doc: "at least k replicas are running (after start-up)",
        }]
    }

    fn property(&self, name: &str) -> Option<Predicate<Redundancy>> {
        match name {
            "system_up" => {
                let replicas = self.replicas().to_vec();
                let k = self.k() as usize;
                Some(Box::new(move |w| {
                    // Nodes start one event at a time at time zero: judge from after.
                    if w.now == SimTime::ZERO {
                        return Ok(());
                    }
                    let up = replicas
                        .iter()
                        .filter(|r| w.views[r.index()].is_some())
                        .count();
                    if up >= k {
                        Ok(())
                    } else {
                        Err(format!(
                            "only {up} of {} replicas are up, fewer than k = {k}",
                            replicas.len()
                        ))
                    }
                }))
            }
            _ => None,
        }
    }

    fn figures(sim: &impl Inspect<Redundancy>, figures: &mut BTreeMap<String, f64>) {
        let end = sim.span_end();
        let span = end.saturating_since(SimTime::ZERO).as_secs_f64();
        let replicas = sim.protocol().replicas();
        let timelines: Vec<&[(SimTime, Status)]> = replicas
            .iter()
            .map(|&r| sim.timeline(r).changes())
            .collect();
        let system = k_of_n(&timelines, sim.protocol().k() as usize, end);
        let availability = if span > 0.0 {
            system.up.as_secs_f64() / span
        } else {
            1.0
        };
        figures.insert("system_availability".into(), availability);
        figures.insert("system_nines".into(), nines(availability));
        figures.insert("system_failures".into(), system.failures as f64);
        figures.insert("system_uptime".into(), system.up.as_secs_f64());
        figures.insert("system_downtime".into(), system.down.as_secs_f64());
        if system.failures > 0 {
            let failures = system.failures as f64;
            figures.insert("mttsf".into(), system.up.as_secs_f64() / failures);
            figures.insert("mttr_system".into(), system.down.as_secs_f64() / failures);
        }
        let (mut up, mut down, mut crashes) = (0.0, 0.0, 0u64);
        for &r in replicas {
            let t = sim.timeline(r);
            up += t.time_in(Status::Up, SimTime::ZERO, end).as_secs_f64();
            for (from, to) in t.intervals(Status::Down, end) {
                down += to.saturating_since(from).as_secs_f64();
                crashes += 1;
            }
        }
        let n = replicas.len().max(1) as f64;
        figures.insert(
            "node_availability".into(),
            if span > 0.0 { up / (n * span) } else { 1.0 },
        );
        figures.insert("node_failures".into(), crashes as f64);
        if crashes > 0 {
            figures.insert("node_mttr".into(), down / crashes as f64);
        }
    }
}
