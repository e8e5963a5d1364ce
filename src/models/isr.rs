//! Registry entry for `isr` (hasim_protocols::replication::isr): Kafka's in-sync
//! replicas with roles `broker` (the first broker is the controller) and `producer`;
//! checks one leader per epoch, a live leader per partition, and no lost acknowledged
//! write; figures from the client history, the controller's decisions and the faults.

use super::{param_docs, params, unknown_role, FigureDoc, GroupParams, Model, ParamError};
use super::{Predicate, PropertyDoc, RoleDoc, Unit};
use hasim_protocols::replication::isr::{
    report, BrokerParams, Isr, Observation, ProducerParams, Role,
};
use hasim_sim::{Inspect, NodeId, Sim};
use std::collections::BTreeMap;

/// The `isr` model.
pub struct IsrModel;

const ROLES: [&str; 2] = ["broker", "producer"];

/// Lost writes named in a failed check, at most.
const LOST_SHOWN: usize = 3;

impl Model for IsrModel {
    type Protocol = Isr;
    const NAME: &'static str = "isr";
    const SUMMARY: &'static str =
        "Kafka in-sync replicas: fetching followers, high watermark, ISR, clean/unclean leader election";
    const KEEPS_OBSERVATIONS: bool = true;

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "broker",
                doc: "hosts partition replicas (leader or fetching follower); the first broker is the controller and hosts none",
                params: param_docs::<BrokerParams>(&[
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
                        "the controller fences a broker silent this long",
                    ),
                    ("heartbeat_interval", "gap between heartbeats to the controller"),
                ]),
            },
            RoleDoc {
                role: "producer",
                doc: "runs the shared key-value workload against partition leaders, one operation at a time",
                params: param_docs::<ProducerParams>(&[
                    ("acks", "1 (leader's append) or \"all\" (every ISR member)"),
                    ("keys", "keys 0..keys"),
                    ("read_fraction", "fraction of operations that are reads"),
                    ("interval", "gap between operations"),
                    ("poisson", "exponential gaps with mean `interval`"),
                    ("timeout", "an operation unanswered this long is unknown"),
                ]),
            },
        ]
    }

    fn figures() -> Vec<FigureDoc> {
        let f = |name, unit, doc| FigureDoc { name, unit, doc };
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

    fn properties() -> Vec<PropertyDoc> {
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

    fn end_checks() -> Vec<PropertyDoc> {
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

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Isr, ParamError> {
        let mut roles = vec![Role::Idle; nodes as usize];
        let mut broker: Option<(usize, &toml::Table)> = None;
        for (i, g) in groups.iter().enumerate() {
            let role = match g.role {
                "broker" => {
                    match broker {
                        Some((first, table)) if table != g.params => {
                            return Err(ParamError {
                                group: i,
                                role: false,
                                message: format!(
                                    "every broker shares one set of parameters, and these differ from group[{first}]'s: write them on one broker group"
                                ),
                            })
                        }
                        Some(_) => {}
                        None => broker = Some((i, g.params)),
                    }
                    Role::Broker
                }
                "producer" => {
                    let p: ProducerParams = params(i, g.params)?;
                    p.validate().map_err(|e| ParamError {
                        group: i,
                        role: false,
                        message: e.to_string(),
                    })?;
                    Role::Producer(p)
                }
                other => return Err(unknown_role(i, other, Self::NAME, &ROLES)),
            };
            for n in g.nodes.clone() {
                roles[n as usize] = role.clone();
            }
        }
        let (group, broker_params) = match broker {
            Some((i, table)) => (i, params::<BrokerParams>(i, table)?),
            None => {
                return Err(ParamError {
                    group: 0,
                    role: true,
                    message:
                        "the isr model needs broker groups (the first broker is the controller)"
                            .to_string(),
                })
            }
        };
        Isr::new(roles, broker_params).map_err(|e| ParamError {
            group,
            role: false,
            message: e.to_string(),
        })
    }

    fn property(protocol: &Isr, name: &str) -> Option<Predicate<Isr>> {
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
                let all = if protocol.partitions() == 64 {
                    u64::MAX
                } else {
                    (1u64 << protocol.partitions()) - 1
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

    fn role(view: &hasim_protocols::replication::isr::View) -> Option<&'static str> {
        (view.leads != 0).then_some("leader")
    }

    fn request(
        o: &hasim_protocols::replication::isr::Observation,
    ) -> Option<(bool, Option<hasim_sim::SimDuration>)> {
        match o {
            hasim_protocols::replication::isr::Observation::Op(e) => {
                e.succeeded().map(|ok| (ok, None))
            }
            _ => None,
        }
    }

    fn report(sim: &Sim<Isr>, figures: &mut BTreeMap<String, f64>) {
        figures.extend(report::figures(sim));
    }

    fn end_check(sim: &Sim<Isr>, name: &str) -> Option<Result<(), String>> {
        end_check(sim, name)
    }
}

/// Judges an end check on a run of the model alone or of a system it is a part of.
pub(crate) fn end_check(sim: &impl Inspect<Isr>, name: &str) -> Option<Result<(), String>> {
    match name {
        "linearizable" => Some(
            hasim_protocols::replication::check_history(
                &report::history(sim),
                &hasim_protocols::replication::SearchLimits::default(),
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
