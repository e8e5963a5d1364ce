//! Validation of `[faults.random]`: one process per kind, each resolved to the engine's
//! generator. The kinds after `clock_jump` (isolate, cut, link_down, clock_drift,
//! disk_fault) and the partition shapes along the placement came later; each is off
//! unless written, and each draws from its own stream, so a scenario without them
//! expands to the schedule it always had.

use super::fault_specs::split_along;
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
    Ok(g)
}
