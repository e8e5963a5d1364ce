//! Validation of `[[faults.lifecycle]]`: the targets (a fixed selector), the failure
//! units they form (`per = "node" | "rack" | "zone" | "region"`, every target placed
//! at that level), the two distributions (a mean above zero, and few enough failures
//! for the run to stay cheap) and the crews, resolved to the engine's
//! [`Lifecycle`] processes in one [`Generator`] over `[0, end of the fault phase)`.

use super::schema::{LifecycleSpec, UnitKind};
use super::selector::NodeLabels;
use super::validate::{selector, Bad};
use hasim_sim::lifecycle::{FailureUnit, Lifecycle};
use hasim_sim::{Generator, NodeId, SimDuration, SimTime};
use hasim_topologies::Level;
use std::collections::BTreeMap;
use toml::Spanned;

/// Expected failures (over all units of all processes) a scenario may ask for: each
/// is two events; fifty million events is the default budget. `[faults.random]` is
/// held to the same number of failures and episodes, and it is half the faults the
/// engine's expansion produces at most (`SCHEDULE_MAX`, its second guard).
pub(super) const FAILURES_MAX: f64 = (hasim_sim::generator::SCHEDULE_MAX / 2) as f64;

/// The lifecycle processes, in file order, as one generator; `None` when there are
/// none. Failures stop `bound` (the longest liveness bound) before the run's end.
pub(super) fn lifecycles(
    specs: &[Spanned<LifecycleSpec>],
    nodes: &[NodeLabels],
    duration: SimDuration,
    bound: SimDuration,
) -> Result<Option<Generator>, Bad> {
    let Some(first) = specs.first() else {
        return Ok(None);
    };
    let window = duration.saturating_sub(bound);
    if window.is_zero() {
        return Err(Bad::at(
            first,
            "faults.lifecycle",
            format!(
                "the liveness bound ({bound}) leaves no time for failures in a run of {duration}"
            ),
        ));
    }
    let mut processes = Vec::new();
    let mut failures = 0.0;
    for (i, spec) in specs.iter().enumerate() {
        let field = |name: &str| format!("faults.lifecycle[{i}].{name}");
        let s = spec.get_ref();
        let all: Vec<NodeId> = (0..nodes.len() as u32).map(NodeId).collect();
        let targets = match &s.target {
            None => all.clone(),
            Some(t) => {
                let sel = selector(t, field("target"), nodes, false)?;
                sel.resolve(nodes, &all, &mut hasim_sim::Seed(0).stream("unused"))
            }
        };
        let per = s.per.as_ref().map_or(UnitKind::Node, |p| *p.get_ref());
        let units = match level(per) {
            None => targets
                .iter()
                .map(|&n| FailureUnit {
                    label: nodes[n.index()].name.clone(),
                    nodes: vec![n],
                })
                .collect(),
            Some(level) => {
                let mut places: BTreeMap<&str, Vec<NodeId>> = BTreeMap::new();
                for &n in &targets {
                    let Some(place) = nodes[n.index()].at(level) else {
                        let per = s.per.as_ref().expect("a level comes from `per`");
                        let name = level.name();
                        return Err(Bad::at(per, field("per"), format!(
                            "{} is in no {name}, so it cannot fail with one; place the groups in {name}s, or narrow `target`",
                            nodes[n.index()].name
                        )));
                    };
                    places.entry(place).or_default().push(n);
                }
                places
                    .into_iter()
                    .map(|(place, nodes)| FailureUnit {
                        label: format!("{}:{place}", level.name()),
                        nodes,
                    })
                    .collect::<Vec<_>>()
            }
        };
        let ttf = s.time_to_failure.get_ref().0;
        let ttr = s.time_to_repair.get_ref().0;
        for (d, name, spanned) in [
            (ttf, "time_to_failure", &s.time_to_failure),
            (ttr, "time_to_repair", &s.time_to_repair),
        ] {
            let mean = d.mean_secs();
            if mean.is_nan() || mean <= 0.0 {
                return Err(Bad::at(
                    spanned,
                    field(name),
                    "expected a distribution with a mean above zero",
                ));
            }
        }
        let cycle = ttf.mean_secs() + ttr.mean_secs();
        failures += units.len() as f64 * window.as_secs_f64() / cycle;
        if failures > FAILURES_MAX {
            return Err(Bad::at(&s.time_to_failure, field("time_to_failure"), format!(
                "about {failures:.0} failures over {window} (this and earlier processes), more than the {FAILURES_MAX:.0} a run allows; lengthen the time to failure or shorten the run"
            )));
        }
        let crews = match &s.crews {
            Some(c) if *c.get_ref() == 0 => {
                return Err(Bad::at(
                    c,
                    field("crews"),
                    "expected at least 1 crew (leave `crews` out for independent repair)",
                ))
            }
            c => c.as_ref().map(|c| *c.get_ref()),
        };
        processes.push(Lifecycle {
            time_to_failure: ttf,
            time_to_repair: ttr,
            units,
            crews,
        });
    }
    Ok(Some(Generator {
        start: SimTime::ZERO,
        end: SimTime::ZERO.saturating_add(window),
        lifecycles: processes,
        ..Generator::default()
    }))
}

fn level(kind: UnitKind) -> Option<Level> {
    match kind {
        UnitKind::Node => None,
        UnitKind::Rack => Some(Level::Rack),
        UnitKind::Zone => Some(Level::Zone),
        UnitKind::Region => Some(Level::Region),
    }
}
