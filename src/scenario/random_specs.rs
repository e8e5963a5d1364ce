//! Validation of `[faults.random]`: one process per kind, each resolved to the engine's
//! generator. The kinds after `clock_jump` (isolate, cut, link_down, clock_drift,
//! disk_fault) and the partition shapes along the placement came later; each is off
//! unless written, and each draws from its own stream, so a scenario without them
//! expands to the schedule it always had.
//!
//! The expected number of failures and episodes is estimated from the means before
//! anything expands (`mtbf = "1ns"` over a minute is billions of faults, which took
//! all memory) and held to the lifecycle generator's cap.

use super::fault_specs::split_along;
use super::lifecycle_specs::FAILURES_MAX;
use super::schema::{RandomShape, RandomSpec};
use super::selector::NodeLabels;
use super::units::{FixedDist, MeanDist};
use super::validate::{selector, Bad};
use hasim_sim::generator::{CrashProcess, DiskEffect, EpisodeProcess, PartitionShape};
use hasim_sim::{Distribution, Generator, NodeId, SimDuration, SimTime};
use hasim_topologies::Level;
use toml::Spanned;

/// The nodes a generator's `target` names (every node when absent).
pub(super) fn targets(
    nodes: &[NodeLabels],
    t: &Option<Spanned<String>>,
    field: &str,
) -> Result<Vec<NodeId>, Bad> {
    let all: Vec<NodeId> = (0..nodes.len() as u32).map(NodeId).collect();
    match t {
        None => Ok(all),
        Some(s) => {
            let sel = selector(s, field.to_string(), nodes, false)?;
            Ok(sel.resolve(nodes, &all, &mut hasim_sim::Seed(0).stream("unused")))
        }
    }
}

/// `[faults.random]` between `start` and `end`, validated.
pub(super) fn random(
    r: &RandomSpec,
    at: &Spanned<RandomSpec>,
    (start, end): (SimTime, SimTime),
    nodes: &[NodeLabels],
) -> Result<Generator, Bad> {
    let mut g = Generator {
        start,
        end,
        ..Generator::default()
    };
    let field = |kind: &str| format!("faults.random.{kind}.target");
    let episode = |every: &MeanDist,
                   lasts: &FixedDist,
                   t: &Option<Spanned<String>>,
                   kind: &str|
     -> Result<EpisodeProcess, Bad> {
        Ok(EpisodeProcess {
            every: every.0,
            lasts: lasts.0,
            targets: targets(nodes, t, &field(kind))?,
        })
    };
    if let Some(c) = &r.crash {
        g.crash = Some(CrashProcess {
            time_to_failure: c.mtbf.0,
            time_to_repair: c.mttr.as_ref().map(|d| d.0),
            targets: targets(nodes, &c.target, &field("crash"))?,
        });
    }
    if let Some(p) = &r.pause {
        g.pause = Some(episode(&p.every, &p.lasts, &p.target, "pause")?);
    }
    if let Some(p) = &r.partition {
        let process = episode(&p.every, &p.lasts, &p.target, "partition")?;
        let shape = p.shape.as_ref().map(|s| (*s.get_ref(), s));
        match shape {
            None | Some((RandomShape::Minority, _)) => {
                g.partition = Some((process, PartitionShape::Minority));
            }
            Some((RandomShape::Halves, _)) => g.partition = Some((process, PartitionShape::Halves)),
            Some((RandomShape::Isolate, _)) => {
                g.partition = Some((process, PartitionShape::Isolate));
            }
            Some((along, span)) => {
                if let Some(t) = &p.target {
                    return Err(Bad::at(
                        t,
                        "faults.random.partition.target",
                        "a partition along the placement (`shape` regions, zones or racks) splits every node; it takes no `target`",
                    ));
                }
                let level = match along {
                    RandomShape::Regions => Level::Region,
                    RandomShape::Zones => Level::Zone,
                    _ => Level::Rack,
                };
                let groups = split_along(nodes, level, span, "faults.random.partition.shape")?;
                g.partition_along = Some((process, groups));
            }
        }
    }
    if let Some(p) = &r.loss_spike {
        g.loss_spike = Some((
            episode(&p.every, &p.lasts, &p.target, "loss_spike")?,
            p.loss.0,
        ));
    }
    if let Some(p) = &r.latency_spike {
        let process = episode(&p.every, &p.lasts, &p.target, "latency_spike")?;
        g.latency_spike = Some((process, p.extra));
    }
    if let Some(p) = &r.clock_jump {
        let lasts = FixedDist(Distribution::constant(SimDuration::ZERO));
        g.clock_jump = Some((episode(&p.every, &lasts, &p.target, "clock_jump")?, p.max));
    }
    if let Some(p) = &r.isolate {
        g.isolate = Some(episode(&p.every, &p.lasts, &p.target, "isolate")?);
    }
    if let Some(p) = &r.cut {
        g.cut = Some(episode(&p.every, &p.lasts, &p.target, "cut")?);
    }
    if let Some(p) = &r.link_down {
        g.link_down = Some(episode(&p.every, &p.lasts, &p.target, "link_down")?);
    }
    if let Some(p) = &r.clock_drift {
        let max = *p.max_ppm.get_ref();
        if !(max.is_finite() && max > 0.0 && max < 1e6) {
            return Err(Bad::at(
                &p.max_ppm,
                "faults.random.clock_drift.max_ppm",
                "expected a drift bound above 0 and below 1000000 ppm (drifts are drawn in [-max_ppm, +max_ppm])",
            ));
        }
        let process = episode(&p.every, &p.lasts, &p.target, "clock_drift")?;
        g.clock_drift = Some((process, max));
    }
    if let Some(p) = &r.disk_fault {
        let effect = DiskEffect {
            lose_unsynced: p.lose_unsynced,
            write_delay: p.write_delay.unwrap_or(SimDuration::ZERO),
        };
        if effect == DiskEffect::default() {
            return Err(Bad::at(
                at,
                "faults.random.disk_fault",
                "a disk fault that does nothing: give `lose_unsynced = true`, a `write_delay` above zero, or both",
            ));
        }
        let process = episode(&p.every, &p.lasts, &p.target, "disk_fault")?;
        g.disk_fault = Some((process, effect));
    }
    let window = end.saturating_since(start);
    let mut total = 0.0;
    for (kind, knob, expected) in expected(&g) {
        total += expected;
        // A mean gap of zero makes the estimate infinite (or NaN).
        if total.is_nan() || total > FAILURES_MAX {
            let about = if total.is_finite() {
                format!("about {total:.0}")
            } else {
                "an unbounded number of".to_string()
            };
            return Err(Bad::at(
                at,
                format!("faults.random.{kind}.{knob}"),
                format!(
                    "{about} failures and episodes over {window} (this and earlier kinds), more than the {FAILURES_MAX:.0} a run allows; lengthen `{knob}` or shorten the run"
                ),
            ));
        }
    }
    Ok(g)
}

/// The expected failures and episodes of each kind of `g` over its window, in the
/// order the kinds are written above, with the setting that spaces them. A crash
/// process runs on each target; an episode process is one sequence (the next episode
/// is drawn after the last one ends). Every episode and repair lasts at least 1 ns, as
/// the engine's expansion makes them.
fn expected(g: &Generator) -> Vec<(&'static str, &'static str, f64)> {
    let window = g.end.saturating_since(g.start).as_secs_f64();
    if window <= 0.0 {
        return Vec::new();
    }
    let turns = |gap: &Distribution, lasts: &Distribution| {
        window / (gap.mean_secs() + lasts.mean_secs().max(1e-9))
    };
    let episodes = |p: &EpisodeProcess| turns(&p.every, &p.lasts);
    let mut out = Vec::new();
    if let Some(c) = &g.crash {
        let nodes = c.targets.len() as f64;
        let per_node = c
            .time_to_repair
            .as_ref()
            .map_or(1.0, |r| turns(&c.time_to_failure, r));
        out.push(("crash", "mtbf", nodes * per_node));
    }
    let jumps = g.clock_jump.as_ref().map(|(p, _)| {
        // A clock jump is an instant: no floor on its length, so a zero mean gap is
        // infinitely many.
        window / p.every.mean_secs()
    });
    let kinds = [
        ("pause", g.pause.as_ref().map(episodes)),
        ("partition", g.partition.as_ref().map(|(p, _)| episodes(p))),
        (
            "partition",
            g.partition_along.as_ref().map(|(p, _)| episodes(p)),
        ),
        (
            "loss_spike",
            g.loss_spike.as_ref().map(|(p, _)| episodes(p)),
        ),
        (
            "latency_spike",
            g.latency_spike.as_ref().map(|(p, _)| episodes(p)),
        ),
        ("clock_jump", jumps),
        ("isolate", g.isolate.as_ref().map(episodes)),
        ("cut", g.cut.as_ref().map(episodes)),
        ("link_down", g.link_down.as_ref().map(episodes)),
        (
            "clock_drift",
            g.clock_drift.as_ref().map(|(p, _)| episodes(p)),
        ),
        (
            "disk_fault",
            g.disk_fault.as_ref().map(|(p, _)| episodes(p)),
        ),
    ];
    for (kind, expected) in kinds {
        if let Some(expected) = expected {
            out.push((kind, "every", expected));
        }
    }
    out
}
