//! Registry entry for `rereplication` (hasim_protocols::recovery::rereplication):
//! roles `namenode` (one) and `datanode` (with a `rack` each), judged by how long the
//! store took to get every block back to its replication factor, how many block-hours
//! were under-replicated, and how many blocks lost every replica.

use super::compute::went_down;
use super::{param_docs, params, unknown_role, FigureDoc, GroupParams, Model, ParamError};
use super::{Predicate, PropertyDoc, RoleDoc, Unit};
use hasim_protocols::recovery::rereplication::{
    DatanodeParams, NamenodeParams, Observation, Rereplication, View,
};
use hasim_sim::{Inspect, NodeId, Sim, SimTime};
use std::collections::{BTreeMap, BTreeSet};

/// The `rereplication` model.
pub struct RereplicationModel;

const ROLES: [&str; 2] = ["namenode", "datanode"];

impl Model for RereplicationModel {
    type Protocol = Rereplication;
    const NAME: &'static str = "rereplication";
    const SUMMARY: &'static str =
        "HDFS-style re-replication: rack-aware blocks, a namenode that detects dead datanodes and copies blocks back to their replication factor";
    const KEEPS_OBSERVATIONS: bool = true;

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "namenode",
                doc: "one node: places the blocks, declares silent datanodes dead, schedules copies (its params are the whole system's)",
                params: param_docs::<NamenodeParams>(&[
                    ("blocks", "blocks stored, placed at the start"),
                    ("replication", "replicas per block"),
                    ("placement", "rack_aware (HDFS's default) or random"),
                    ("block_size_mib", "a block's size in MiB"),
                    ("bandwidth_mib_per_s", "one copy stream's rate in MiB/s"),
                    ("max_streams", "copies a datanode sends at once, and receives at once"),
                    ("heartbeat_interval", "between heartbeats and between liveness checks"),
                    ("dead_after", "silence after which a datanode is declared dead"),
                    ("pending_timeout", "a copy not done after this long is scheduled again"),
                ]),
            },
            RoleDoc {
                role: "datanode",
                doc: "holds blocks on its disk, heartbeats, copies blocks when told",
                params: param_docs::<DatanodeParams>(&[(
                    "rack",
                    "its rack name (required; write the group's `rack` label too, for rack: selectors)",
                )]),
            },
        ]
    }

    fn figures() -> Vec<FigureDoc> {
        let f = |name, unit, doc| FigureDoc { name, unit, doc };
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

    fn properties() -> Vec<PropertyDoc> {
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

    fn end_checks() -> Vec<PropertyDoc> {
        vec![PropertyDoc {
            name: "no_lost_blocks",
            doc: "no block ever had every replica on failed datanodes",
        }]
    }

    fn end_check(sim: &Sim<Rereplication>, name: &str) -> Option<Result<(), String>> {
        end_check(sim, name)
    }

    fn build(_: u32, groups: &[GroupParams<'_>]) -> Result<Rereplication, ParamError> {
        let mut namenode: Option<(NodeId, NamenodeParams)> = None;
        let mut datanodes: Vec<(NodeId, String)> = Vec::new();
        let bad = |group, message: String| ParamError {
            group,
            role: false,
            message,
        };
        for (i, g) in groups.iter().enumerate() {
            match g.role {
                "namenode" => {
                    if namenode.is_some() || g.nodes.len() != 1 {
                        return Err(ParamError {
                            group: i,
                            role: true,
                            message: "the rereplication model has exactly one namenode".into(),
                        });
                    }
                    namenode = Some((NodeId(g.nodes.start), params(i, g.params)?));
                }
                "datanode" => {
                    let p: DatanodeParams = params(i, g.params)?;
                    if p.rack.is_empty() {
                        return Err(bad(i, "a datanode group needs `rack` in its params".into()));
                    }
                    datanodes.extend(g.nodes.clone().map(|n| (NodeId(n), p.rack.clone())));
                }
                other => return Err(unknown_role(i, other, Self::NAME, &ROLES)),
            }
        }
        let Some((id, p)) = namenode else {
            return Err(ParamError {
                group: 0,
                role: true,
                message: "the rereplication model needs a group with role = \"namenode\"".into(),
            });
        };
        let namenode_group = groups
            .iter()
            .position(|g| g.role == "namenode")
            .unwrap_or(0);
        p.validate(datanodes.len())
            .map_err(|m| bad(namenode_group, m))?;
        Ok(Rereplication::new(p, id, &datanodes))
    }

    fn property(_: &Rereplication, name: &str) -> Option<Predicate<Rereplication>> {
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

    fn report(sim: &Sim<Rereplication>, figures: &mut BTreeMap<String, f64>) {
        report(sim, figures);
    }
}

/// The model's figures, from a run of the protocol alone or of a system it is a part of.
pub(crate) fn report(sim: &impl Inspect<Rereplication>, figures: &mut BTreeMap<String, f64>) {
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
pub(crate) fn end_check(
    sim: &impl Inspect<Rereplication>,
    name: &str,
) -> Option<Result<(), String>> {
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
