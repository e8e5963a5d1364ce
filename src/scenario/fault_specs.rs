//! Validation of the fault plan: explicit `[[fault]]` entries (which fields each
//! kind takes and needs, selectors, times against the run's end and the liveness
//! bound) and the `[faults.swarm]` generator; `[faults.random]` is checked in
//! `random_specs`, the `[[faults.lifecycle]]` processes in `lifecycle_specs`.

use super::plan::{places, ExplicitFault, FaultPlan, Swarm};
use super::random_specs::{random, targets};
use super::schema::{self, FaultKind, FaultSpec, SwarmKind};
use super::selector::{NodeLabels, Selector};
use super::validate::{selector, Bad};
use hasim_sim::{NodeId, SimDuration, SimTime};
use hasim_topologies::Topology;
use std::ops::Range;
use toml::Spanned;

pub(super) fn faults(
    file: &schema::File,
    nodes: &[NodeLabels],
    duration: SimDuration,
    bound: SimDuration,
    topology: Option<&Topology>,
) -> Result<FaultPlan, Bad> {
    let horizon = SimTime::ZERO.saturating_add(duration);
    let mut plan = FaultPlan::default();
    for (i, spec) in file.faults.iter().enumerate() {
        let f = explicit(spec.get_ref(), i, nodes, topology)?;
        if f.at >= horizon {
            return Err(Bad::at(
                &spec.get_ref().at,
                format!("fault[{i}].at"),
                format!("the fault is at or after the end of the run ({duration})"),
            ));
        }
        if f.end().saturating_add(bound) > horizon {
            return Err(Bad::at(spec, format!("fault[{i}]"), format!(
                "the run must last past the last fault ({}) plus the liveness bound ({bound}), but it ends at {duration}", f.end()
            )));
        }
        plan.explicit.push(f);
    }
    let targets = |t: &Option<Spanned<String>>, field: &str| targets(nodes, t, field);
    let window = |start: &Option<Spanned<SimTime>>,
                  end: &Option<Spanned<SimTime>>,
                  at: &Range<usize>,
                  field: &str|
     -> Result<(SimTime, SimTime), Bad> {
        let s = start.as_ref().map_or(SimTime::ZERO, |s| *s.get_ref());
        let latest = SimTime::ZERO.saturating_add(duration.saturating_sub(bound));
        let e = end.as_ref().map_or(latest, |e| *e.get_ref());
        let span = end.as_ref().map_or(at.clone(), |e| e.span());
        if e > latest {
            return Err(Bad { span: Some(span), field: format!("{field}.end"), message: format!(
                "faults must end by {latest}: the run lasts {duration} and the longest liveness bound is {bound}"
            ) });
        }
        if s >= e {
            return Err(Bad {
                span: Some(span),
                field: format!("{field}.start"),
                message: format!("start ({s}) must come before end ({e})"),
            });
        }
        Ok((s, e))
    };
    if let (Some(r), Some(s)) = (&file.generators.random, &file.generators.swarm) {
        let _ = r;
        return Err(Bad::at(
            s,
            "faults.swarm",
            "use either [faults.random] or [faults.swarm], not both",
        ));
    }
    if let Some(spec) = &file.generators.random {
        let r = spec.get_ref();
        let span = window(&r.start, &r.end, &spec.span(), "faults.random")?;
        plan.random = Some(random(r, spec, span, nodes)?);
    }
    plan.lifecycle =
        super::lifecycle_specs::lifecycles(&file.generators.lifecycle, nodes, duration, bound)?;
    if let Some(spec) = &file.generators.swarm {
        let s = spec.get_ref();
        let (start, end) = window(&s.start, &s.end, &spec.span(), "faults.swarm")?;
        let range = |r: &Option<Spanned<[SimDuration; 2]>>,
                     default: (u64, u64),
                     field: &str|
         -> Result<(SimDuration, SimDuration), Bad> {
            match r {
                None => Ok((
                    SimDuration::from_millis(default.0),
                    SimDuration::from_millis(default.1),
                )),
                Some(r) => {
                    let [a, b] = *r.get_ref();
                    if a.is_zero() || a > b {
                        return Err(Bad::at(r, field, "expected [min, max] with 0 < min <= max"));
                    }
                    Ok((a, b))
                }
            }
        };
        let kinds = s
            .kinds
            .clone()
            .unwrap_or_else(|| SwarmKind::DEFAULT.to_vec());
        if kinds.is_empty() {
            return Err(Bad::at(
                spec,
                "faults.swarm.kinds",
                "an empty list draws no faults at all; list at least one kind, or leave `kinds` out for the default six",
            ));
        }
        let zones = if kinds.contains(&SwarmKind::ZonePartition) {
            split_along(
                nodes,
                hasim_topologies::Level::Zone,
                spec,
                "faults.swarm.kinds",
            )?
        } else {
            Vec::new()
        };
        let every = range(&s.every, (5_000, 60_000), "faults.swarm.every")?;
        let lasts = range(&s.lasts, (500, 10_000), "faults.swarm.lasts")?;
        swarm_fits(&kinds, every.0, lasts.0, end.saturating_since(start))
            .map_err(|m| Bad::at(spec, "faults.swarm.every", m))?;
        plan.swarm = Some(Swarm {
            zones,
            start,
            end,
            kinds: kinds.clone(),
            every,
            lasts,
            targets: targets(&s.target, "faults.swarm.target")?,
        });
    }
    Ok(plan)
}

/// A swarm draws each kind's mean gap and length per seed, so the seed drawing the
/// lower ends of `every` and `lasts` for every kind is the one to bound: held to the
/// cap `[faults.random]` and lifecycles have. (A swarm's crash rate is for the whole
/// swarm, not per node; a clock jump is an instant.)
fn swarm_fits(
    kinds: &[SwarmKind],
    every: SimDuration,
    lasts: SimDuration,
    window: SimDuration,
) -> Result<(), String> {
    use super::lifecycle_specs::FAILURES_MAX;
    let worst: f64 = kinds
        .iter()
        .map(|k| {
            let length = match k {
                SwarmKind::ClockJump => 0.0,
                _ => lasts.as_secs_f64(),
            };
            window.as_secs_f64() / (every.as_secs_f64() + length)
        })
        .sum();
    if worst <= FAILURES_MAX {
        return Ok(());
    }
    Err(format!(
        "about {worst:.0} failures and episodes over {window} on a seed that draws the shortest `every` ({every}) and `lasts` ({lasts}) for its {} kinds, more than the {FAILURES_MAX:.0} a run allows; raise the lower ends of `every` and `lasts` or shorten the run",
        kinds.len()
    ))
}

/// Which optional fields each kind takes, and which it requires.
fn fields_of(kind: FaultKind) -> (&'static [&'static str], &'static [&'static str]) {
    use FaultKind::*;
    match kind {
        Crash => (&["target", "among", "restart_after"], &["target"]),
        Restart | Resume | Rejoin | DiskHeal => (&["target", "among"], &["target"]),
        Pause | Isolate => (&["target", "among", "lasts"], &["target"]),
        // `target` or `shape`: checked in `explicit`.
        Partition => (&["target", "among", "lasts", "shape"], &[]),
        Heal => (&[], &[]),
        Cut | LinkDown => (
            &["source", "target", "among", "lasts"],
            &["source", "target"],
        ),
        Uncut | LinkUp => (&["source", "target", "among"], &["source", "target"]),
        LossSpike => (&["target", "among", "loss", "lasts"], &["loss"]),
        LatencySpike => (&["target", "among", "extra", "lasts"], &["extra"]),
        SpikeEnd => (&["target", "among"], &[]),
        ClockJump => (&["target", "among", "by"], &["target", "by"]),
        ClockDrift => (&["target", "among", "ppm", "lasts"], &["target", "ppm"]),
        DiskFault => (
            &["target", "among", "lose_unsynced", "write_delay", "lasts"],
            &["target"],
        ),
    }
}

fn explicit(
    spec: &FaultSpec,
    i: usize,
    nodes: &[NodeLabels],
    topology: Option<&Topology>,
) -> Result<ExplicitFault, Bad> {
    let kind = *spec.kind.get_ref();
    let name = format!("{kind:?}");
    let present: [(&str, Option<Range<usize>>); 12] = [
        ("target", spec.target.as_ref().map(|s| s.span())),
        ("source", spec.source.as_ref().map(|s| s.span())),
        ("among", spec.among.as_ref().map(|s| s.span())),
        (
            "restart_after",
            spec.restart_after.as_ref().map(|s| s.span()),
        ),
        ("lasts", spec.lasts.as_ref().map(|s| s.span())),
        ("loss", spec.loss.as_ref().map(|s| s.span())),
        ("extra", spec.extra.as_ref().map(|s| s.span())),
        ("by", spec.by.as_ref().map(|s| s.span())),
        ("ppm", spec.ppm.as_ref().map(|s| s.span())),
        (
            "lose_unsynced",
            spec.lose_unsynced.as_ref().map(|s| s.span()),
        ),
        ("write_delay", spec.write_delay.as_ref().map(|s| s.span())),
        ("shape", spec.shape.as_ref().map(|s| s.span())),
    ];
    let (allowed, required) = fields_of(kind);
    let kind_name = snake(&name);
    for (field, span) in &present {
        if let Some(span) = span {
            if !allowed.contains(field) {
                let takes = if allowed.is_empty() {
                    "no other fields".to_string()
                } else {
                    allowed.join(", ")
                };
                return Err(Bad {
                    span: Some(span.clone()),
                    field: format!("fault[{i}].{field}"),
                    message: format!(
                        "a {kind_name} fault does not take `{field}`; it takes {takes}"
                    ),
                });
            }
        }
    }
    for field in required {
        if present.iter().any(|(f, s)| f == field && s.is_none()) {
            return Err(Bad::at(
                &spec.kind,
                format!("fault[{i}].{field}"),
                format!("a {kind_name} fault needs `{field}`"),
            ));
        }
    }
    let sel = |s: &Option<Spanned<String>>, f: &str| -> Result<Option<Selector>, Bad> {
        s.as_ref()
            .map(|s| selector(s, format!("fault[{i}].{f}"), nodes, true))
            .transpose()
    };
    if kind == FaultKind::Partition {
        partition_sides(spec, i, nodes)?;
    }
    let lasts = spec.restart_after.as_ref().or(spec.lasts.as_ref());
    if let Some(l) = lasts {
        if l.get_ref().is_zero() {
            return Err(Bad::at(
                l,
                format!("fault[{i}]"),
                "expected a duration above zero",
            ));
        }
    }
    if let Some(p) = &spec.ppm {
        if !(p.get_ref().is_finite() && *p.get_ref() > -1e6) {
            return Err(Bad::at(
                p,
                format!("fault[{i}].ppm"),
                "expected a finite drift above -1000000 ppm",
            ));
        }
    }
    let target = sel(&spec.target, "target")?;
    let source = sel(&spec.source, "source")?;
    if let (FaultKind::Partition, Some(t), Some(at)) = (kind, &target, &spec.target) {
        one_sided(t, at, i, nodes)?;
    }
    if let (FaultKind::LinkDown | FaultKind::LinkUp, Some(s), Some(t)) = (kind, &source, &target) {
        access_link(s, t, i, spec, nodes, topology)?;
    }
    Ok(ExplicitFault {
        at: *spec.at.get_ref(),
        kind,
        target,
        source,
        among: sel(&spec.among, "among")?,
        shape: spec.shape.as_ref().map(|s| s.get_ref().level()),
        lasts: lasts.map(|l| *l.get_ref()),
        loss: spec.loss.as_ref().map_or(0.0, |l| l.get_ref().0),
        extra: spec
            .extra
            .as_ref()
            .map_or(SimDuration::ZERO, |e| *e.get_ref()),
        by: spec
            .by
            .as_ref()
            .map_or_else(Default::default, |b| *b.get_ref()),
        ppm: spec.ppm.as_ref().map_or(0.0, |p| *p.get_ref()),
        lose_unsynced: spec.lose_unsynced.as_ref().is_some_and(|b| *b.get_ref()),
        write_delay: spec
            .write_delay
            .as_ref()
            .map_or(SimDuration::ZERO, |w| *w.get_ref()),
    })
}

/// A partition has `target` (one side; everyone else the other) or `shape` (every
/// region, zone or rack its own side), and a shape must split something.
fn partition_sides(spec: &FaultSpec, i: usize, nodes: &[NodeLabels]) -> Result<(), Bad> {
    let shape = match (&spec.target, &spec.shape) {
        (None, None) => {
            return Err(Bad::at(
                &spec.kind,
                format!("fault[{i}].target"),
                "a partition fault needs `target` (one side) or `shape` (\"regions\", \"zones\" or \"racks\")",
            ))
        }
        (Some(_), Some(shape)) => {
            return Err(Bad::at(
                shape,
                format!("fault[{i}].shape"),
                "give `target` or `shape`, not both",
            ))
        }
        (None, Some(shape)) => shape,
        (Some(_), None) => return Ok(()),
    };
    if let Some(among) = &spec.among {
        return Err(Bad::at(
            among,
            format!("fault[{i}].among"),
            "`among` narrows a random `target`; a `shape` partition has none",
        ));
    }
    split_along(
        nodes,
        shape.get_ref().level(),
        shape,
        &format!("fault[{i}].shape"),
    )?;
    Ok(())
}

/// A partition whose named `target` is every node has nobody on the other side:
/// each node would be on both sides of a cut that cuts nothing.
fn one_sided(
    target: &Selector,
    at: &Spanned<String>,
    i: usize,
    nodes: &[NodeLabels],
) -> Result<(), Bad> {
    if target.is_random() {
        return Ok(());
    }
    let mut rng = hasim_sim::Seed(0).stream("unused");
    let mut side = target.resolve(nodes, &[], &mut rng);
    side.sort();
    side.dedup();
    if side.len() < nodes.len() {
        return Ok(());
    }
    Err(Bad::at(
        at,
        format!("fault[{i}].target"),
        format!("`{target}` puts all {} nodes on one side and none on the other, so the partition cuts nothing; name one side's nodes (the rest are the other side) or use `shape`", nodes.len()),
    ))
}

/// The sides of a partition along `level` (every place its own), refused unless there
/// are at least two; `at` and `field` say where it was asked for.
pub(super) fn split_along<T>(
    nodes: &[NodeLabels],
    level: hasim_topologies::Level,
    at: &Spanned<T>,
    field: &str,
) -> Result<Vec<Vec<NodeId>>, Bad> {
    let groups = places(nodes, level);
    let sides = groups.len();
    if sides < 2 {
        let how = match level {
            hasim_topologies::Level::Region => {
                "regions come from a zones [topology] that declares `regions`"
            }
            hasim_topologies::Level::Zone => {
                "place the groups in zones (`zone`, with [network] zones or a [topology])"
            }
            hasim_topologies::Level::Rack => {
                "give the groups racks (`rack`), or use a zones or tree [topology]"
            }
        };
        let name = level.name();
        return Err(Bad::at(
            at,
            field,
            format!(
                "splitting by {name} needs nodes in at least two {name}s, found {sides}; {how}"
            ),
        ));
    }
    Ok(groups)
}

/// A link fault from a node to itself takes that node's access links (to its
/// switches) down; only a topology whose host has some can do that.
fn access_link(
    source: &Selector,
    target: &Selector,
    i: usize,
    spec: &FaultSpec,
    nodes: &[NodeLabels],
    topology: Option<&Topology>,
) -> Result<(), Bad> {
    if source.is_random() || target.is_random() {
        return Ok(());
    }
    let mut rng = hasim_sim::Seed(0).stream("unused");
    let (s, t) = (
        source.resolve(nodes, &[], &mut rng),
        target.resolve(nodes, &[], &mut rng),
    );
    if s.len() != 1 || s != t {
        return Ok(());
    }
    let has_access = topology.is_some_and(|t| t.clone().set_access(s[0], false));
    if has_access {
        return Ok(());
    }
    let Some(at) = &spec.target else {
        return Ok(());
    };
    Err(Bad::at(at, format!("fault[{i}].target"), format!(
        "a link from {target} to itself is its access link, which only a [topology] with switches (star, tree, zones, edges) has; use `isolate` to cut a node off"
    )))
}

/// "LossSpike" → "loss_spike".
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}
