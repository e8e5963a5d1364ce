//! The catalogue of `rereplication`: the namenode's and datanodes' parameters, its
//! properties and end checks, and the figures of how long the store took to get every
//! block back to its replication factor, how many block-hours were under-replicated, and
//! how many blocks lost every replica.

use super::{DatanodeParams, NamenodeParams, Observation, Rereplication, View};
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use crate::recovery::compute::catalogue::went_down;
use hasim_sim::{Inspect, NodeId, SimTime};
use std::collections::{BTreeMap, BTreeSet};

impl Params for NamenodeParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        ("blocks", "blocks stored, placed at the start"),
        ("replication", "replicas per block"),
        ("placement", "rack_aware (HDFS's default) or random"),
        ("block_size_mib", "a block's size in MiB"),
        ("bandwidth_mib_per_s", "one copy stream's rate in MiB/s"),
        (
            "max_streams",
            "copies a datanode sends at once, and receives at once",
        ),
        (
            "heartbeat_interval",
            "between heartbeats and between liveness checks",
        ),
        (
            "dead_after",
            "silence after which a datanode is declared dead",
        ),
        (
            "pending_timeout",
            "a copy not done after this long is scheduled again",
        ),
    ];
}

impl Params for DatanodeParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[(
        "rack",
        "its rack name (required; write the group's `rack` label too, for rack: selectors)",
    )];
}

impl Catalogue for Rereplication {
    const KEEPS_OBSERVATIONS: bool = true;

    fn figure_docs() -> Vec<FigureDoc> {
        let f = FigureDoc::new;
        vec![
            f(
                "time_to_full_replication",
                Unit::Seconds,
                "longest time from a datanode failure to every block back at its replication factor (missing if it never was)",
            ),
            f(
                "time_to_rereplicate",
                Unit::Seconds,
                "longest time from the namenode seeing blocks under-replicated to all back at the factor",
            ),
            f(
                "under_replicated_block_hours",
                Unit::Count,
                "under-replicated blocks integrated over time, as the namenode saw them, in block-hours",
            ),
            f("under_replicated_max", Unit::Count, "the most blocks under-replicated at once"),
            f("blocks_lost", Unit::Count, "blocks that at some time had no live replica"),
            f("blocks_missing_end", Unit::Count, "blocks with no live replica at the end"),
            f("copies", Unit::Count, "block copies completed"),
            f("datanodes_dead", Unit::Count, "times a datanode was declared dead"),
        ]
    }

    fn property_docs() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "fully_replicated",
                doc:
                    "the namenode sees every block at its replication factor (use with eventually)",
            },
            PropertyDoc {
                name: "no_block_missing",
                doc: "the namenode sees a live replica of every block",
            },
        ]
    }

    fn end_check_docs() -> Vec<PropertyDoc> {
        vec![PropertyDoc {
            name: "no_lost_blocks",
            doc: "no block ever had every replica on failed datanodes",
        }]
    }

    fn end_check(sim: &impl Inspect<Self>, name: &str) -> Option<Result<(), String>> {
        end_check(sim, name)
    }

    fn property(&self, name: &str) -> Option<Predicate<Rereplication>> {
        let bad: fn(u32, u32) -> Option<String> = match name {
            "fully_replicated" => {
                |under, _| (under > 0).then(|| format!("{under} blocks under-replicated"))
            }
            "no_block_missing" => {
                |_, missing| (missing > 0).then(|| format!("{missing} blocks missing"))
            }
            _ => return None,
        };
        Some(Box::new(move |w| {
            for v in w.views.iter().flatten() {
                if let View::Namenode { under, missing } = *v {
                    if let Some(e) = bad(under, missing) {
                        return Err(e);
                    }
                }
            }
            Ok(())
        }))
    }

    fn figures(sim: &impl Inspect<Self>, figures: &mut BTreeMap<String, f64>) {
        report(sim, figures);
    }
}

/// The model's figures, from a run of the protocol alone or of a system it is a part of.
fn report(sim: &impl Inspect<Rereplication>, figures: &mut BTreeMap<String, f64>) {
    let obs = sim.observations();
    let end = sim.now();
    figures.insert("copies".into(), sim.metrics().counter("copies") as f64);
    let dead = obs
        .iter()
        .filter(|o| matches!(o.observation, Observation::DatanodeDead { .. }))
        .count();
    figures.insert("datanodes_dead".into(), dead as f64);
    let lost: BTreeSet<u32> = obs
        .iter()
        .filter_map(|o| match o.observation {
            Observation::Missing { block } => Some(block),
            _ => None,
        })
        .collect();
    figures.insert("blocks_lost".into(), lost.len() as f64);
    let (mut under, mut missing, mut peak) = (0u32, 0u32, 0u32);
    let mut since = SimTime::ZERO;
    let mut block_seconds = 0.0;
    // An episode starts when the first datanode declared dead in it stopped being
    // up (when the namenode saw blocks under-replicated, if it never went down).
    let mut episode: Option<SimTime> = None;
    let (mut dead, mut declared): (Option<NodeId>, Option<NodeId>) = (None, None);
    let (mut to_full, mut to_rereplicate): (Option<f64>, Option<f64>) = (None, None);
    for o in obs {
        let (u, m) = match o.observation {
            Observation::Replication { under, missing } => (under, missing),
            Observation::DatanodeDead { node } => {
                // The first declared since the last change of the counts.
                declared = declared.or(Some(node));
                continue;
            }
            _ => continue,
        };
        block_seconds += f64::from(under) * o.time.saturating_since(since).as_secs_f64();
        since = o.time;
        if under == 0 && u > 0 {
            episode = Some(o.time);
            dead = declared;
        }
        declared = None;
        if u == 0 {
            if let Some(seen) = episode.take() {
                let failed = dead.map_or(seen, |n| went_down(sim.timeline(n), seen));
                let longest = |m: Option<f64>, d: f64| Some(m.map_or(d, |m| m.max(d)));
                to_full = longest(to_full, o.time.saturating_since(failed).as_secs_f64());
                to_rereplicate =
                    longest(to_rereplicate, o.time.saturating_since(seen).as_secs_f64());
            }
        }
        (under, missing, peak) = (u, m, peak.max(u));
    }
    block_seconds += f64::from(under) * end.saturating_since(since).as_secs_f64();
    figures.insert(
        "under_replicated_block_hours".into(),
        block_seconds / 3600.0,
    );
    figures.insert("under_replicated_max".into(), f64::from(peak));
    figures.insert("blocks_missing_end".into(), f64::from(missing));
    if let Some(d) = to_full {
        figures.insert("time_to_full_replication".into(), d);
    }
    if let Some(d) = to_rereplicate {
        figures.insert("time_to_rereplicate".into(), d);
    }
}

/// Judges an end check on a run of the model alone or of a system it is a part of.
fn end_check(sim: &impl Inspect<Rereplication>, name: &str) -> Option<Result<(), String>> {
    if name != "no_lost_blocks" {
        return None;
    }
    let lost: Vec<(SimTime, u32)> = sim
        .observations()
        .iter()
        .filter_map(|o| match o.observation {
            Observation::Missing { block } => Some((o.time, block)),
            _ => None,
        })
        .collect();
    Some(match lost.first() {
        None => Ok(()),
        Some((at, block)) => Err(format!(
            "{} blocks lost every live replica, the first block {block} at {at}",
            lost.len()
        )),
    })
}
