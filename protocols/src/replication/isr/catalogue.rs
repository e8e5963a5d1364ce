//! The catalogue of `isr`: the brokers' and producers' parameters, one leader per
//! epoch and a live leader per partition as properties, no lost acknowledged write and
//! linearizability as end checks, and the figures of the client history, the
//! controller's decisions and the faults (computed in `report`).

use super::{report, BrokerParams, Isr, Observation, ProducerParams, View};
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use hasim_sim::{Inspect, NodeId};
use std::collections::BTreeMap;

/// Lost writes named in a failed check, at most.
const LOST_SHOWN: usize = 3;

impl Params for BrokerParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
                    ("replication_factor", "replicas per partition"),
                    ("partitions", "partitions (key % partitions), at most 64"),
                    ("fetch_interval", "gap between a follower's fetches"),
                    (
                        "replica_lag_time_max",
                        "a follower not caught up for this long leaves the ISR",
                    ),
                    (
                        "unclean_leader_election",
                        "elect an out-of-sync replica when no ISR member is alive (may lose acknowledged writes)",
                    ),
                    (
                        "min_insync_replicas",
                        "acks = \"all\" writes fail with NotEnoughReplicas below this ISR size",
                    ),
                    (
                        "session_timeout",
                        "the controller fences a broker silent this long, and a standby takes over from an active controller silent this long (without a detector; with one, also what `leading` heartbeats are judged by)",
                    ),
                    ("heartbeat_interval", "gap between heartbeats to the controller"),
                    (
                        "controllers",
                        "controllers: the first active, the others standbys that take over (new controller epoch) when it dies; every metadata change is committed by a majority of them first; without controller groups the first `controllers` brokers are the controllers",
                    ),
                    (
                        "detector",
                        "how the controllers judge brokers and one another dead, run all to all: { kind = \"heartbeat\" | \"phi_accrual\" | \"swim\" | \"prometheus\", ...its parameters }; unset: silent for session_timeout",
                    ),
                ];
}

impl Params for ProducerParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        ("acks", "1 (leader's append) or \"all\" (every ISR member)"),
        ("keys", "keys 0..keys"),
        ("read_fraction", "fraction of operations that are reads"),
        ("interval", "gap between operations"),
        ("poisson", "exponential gaps with mean `interval`"),
        ("timeout", "an operation unanswered this long is unknown"),
    ];
}

impl Catalogue for Isr {
    const KEEPS_OBSERVATIONS: bool = true;

    fn figure_docs() -> Vec<FigureDoc> {
        let f = FigureDoc::new;
        vec![
            f("availability", Unit::Fraction, "operations answered ok / operations"),
            f("writes", Unit::Count, "writes issued"),
            f("writes_ok", Unit::Count, "writes acknowledged"),
            f("write_latency_p50", Unit::Seconds, "median latency of acknowledged writes"),
            f("write_latency_p99", Unit::Seconds, "99th percentile latency of acknowledged writes"),
            f(
                "offline_time_fraction",
                Unit::Fraction,
                "fraction of partition-time with no live leader (none elected, or the elected one down or paused)",
            ),
            f("elections_clean", Unit::Count, "leaders elected from the ISR"),
            f("elections_unclean", Unit::Count, "leaders elected from outside the ISR"),
            f("isr_shrinks", Unit::Count, "replicas removed from an ISR (by a leader or by fencing)"),
            f("isr_expands", Unit::Count, "replicas added back to an ISR"),
            f("truncations", Unit::Count, "times a follower cut its log back to its leader's"),
            f("lost_writes", Unit::Count, "acknowledged writes missing from the final logs"),
            f("leader_crashes", Unit::Count, "crashes of a partition leader that the controller noticed"),
            f(
                "controller_takeovers",
                Unit::Count,
                "standby controllers that won a controller epoch (reported only with controllers > 1)",
            ),
            f(
                "failover_detect_mean",
                Unit::Seconds,
                "leader crash to the controller fencing it",
            ),
            f(
                "failover_time_mean",
                Unit::Seconds,
                "fencing to the partition's first acknowledged write",
            ),
            f(
                "recovery_time_mean",
                Unit::Seconds,
                "leader crash to the partition's first acknowledged write",
            ),
        ]
    }

    fn property_docs() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "one_leader_per_epoch",
                doc: "no two brokers take up leadership of a partition in the same leader epoch",
            },
            PropertyDoc {
                name: "leader",
                doc: "every partition has a running broker acting as its leader",
            },
        ]
    }

    fn end_check_docs() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "no_lost_writes",
                doc: "every acknowledged write is in its partition's final log (the last leader's, or the last ISR member's)",
            },
            PropertyDoc {
                name: "linearizable",
                doc: "the producers' history is linearizable per key (a deposed leader that has not heard yet may serve stale reads)",
            },
        ]
    }

    fn property(&self, name: &str) -> Option<Predicate<Isr>> {
        match name {
            "one_leader_per_epoch" => {
                let mut leaders: BTreeMap<(u32, u32), NodeId> = BTreeMap::new();
                Some(Box::new(move |w| {
                    for o in w.observations {
                        if let Observation::BecameLeader { partition, epoch } = o.observation {
                            let first = *leaders.entry((partition, epoch)).or_insert(o.node);
                            if first != o.node {
                                return Err(format!(
                                    "{} and {} both led partition {partition} in epoch {epoch}",
                                    first, o.node
                                ));
                            }
                        }
                    }
                    Ok(())
                }))
            }
            "leader" => {
                let all = if self.partitions() == 64 {
                    u64::MAX
                } else {
                    (1u64 << self.partitions()) - 1
                };
                Some(Box::new(move |w| {
                    let led = w.views.iter().flatten().fold(0, |m, v| m | v.leads);
                    if led & all == all {
                        Ok(())
                    } else {
                        let missing = (all & !led).trailing_zeros();
                        Err(format!("partition {missing} has no running leader"))
                    }
                }))
            }
            _ => None,
        }
    }

    fn role(view: &View) -> Option<&'static str> {
        (view.leads != 0).then_some("leader")
    }

    fn request(o: &Observation) -> Option<crate::catalogue::RequestEvent> {
        match o {
            Observation::Op(e) => Some(e.request_event()),
            _ => None,
        }
    }

    fn figures(sim: &impl Inspect<Self>, figures: &mut BTreeMap<String, f64>) {
        figures.extend(report::figures(sim));
    }

    /// Judges an end check on a run of the model alone or of a system it is a part of.
    fn end_check(sim: &impl Inspect<Self>, name: &str) -> Option<Result<(), String>> {
        match name {
            "linearizable" => Some(
                crate::replication::check_history(
                    &report::history(sim),
                    &crate::replication::SearchLimits::default(),
                )
                .map(|_| ())
                .map_err(|e| e.to_string()),
            ),
            "no_lost_writes" => {
                let lost = report::lost_writes(sim);
                Some(if lost.is_empty() {
                    Ok(())
                } else {
                    let shown: Vec<String> = lost
                        .iter()
                        .take(LOST_SHOWN)
                        .map(|l| l.to_string())
                        .collect();
                    Err(format!(
                        "{} acknowledged writes lost: {}{}",
                        lost.len(),
                        shown.join("; "),
                        if lost.len() > LOST_SHOWN { "; ..." } else { "" }
                    ))
                })
            }
            _ => None,
        }
    }
}
