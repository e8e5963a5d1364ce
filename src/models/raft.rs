//! Registry entry for `raft` (hasim_protocols::replication::raft): roles `replica`
//! and `client`; election safety per event, log matching, state machine safety and
//! lost writes on the finished run; availability, leader time and failover figures.

use super::{param_docs, params, unknown_role, FigureDoc, GroupParams, Model, ParamError};
use super::{Predicate, PropertyDoc, RoleDoc, Unit};
use hasim_protocols::replication::raft::{check, figures, Raft, RaftParams, Role, RoleName, View};
use hasim_protocols::replication::WorkloadParams;
use hasim_sim::Sim;
use std::collections::BTreeMap;

/// The `raft` model.
pub struct RaftModel;

const ROLES: [&str; 2] = ["replica", "client"];

impl Model for RaftModel {
    type Protocol = Raft;
    const NAME: &'static str = "raft";
    const SUMMARY: &'static str =
        "a key-value store replicated by Raft: elections, log replication, clients redirected to the leader";
    const KEEPS_OBSERVATIONS: bool = true;

    fn roles() -> Vec<RoleDoc> {
        vec![
            RoleDoc {
                role: "replica",
                doc: "a Raft replica (one parameter set for the cluster: write it on one replica group)",
                params: param_docs::<RaftParams>(&[
                    ("election_timeout_min", "shortest randomised election timeout"),
                    ("election_timeout_max", "longest randomised election timeout"),
                    ("heartbeat", "leader's heartbeat (empty AppendEntries) interval"),
                    ("entries_max", "most entries per AppendEntries"),
                    ("sync", "sync term, vote and log writes before answering (false: unsafe under disk faults)"),
                    ("check_quorum", "a leader steps down when no majority answered within election_timeout_min"),
                ]),
            },
            RoleDoc {
                role: "client",
                doc: "one key-value operation at a time to the leader it knows; redirected by followers",
                params: param_docs::<WorkloadParams>(&[
                    ("keys", "keys spread over (0..keys)"),
                    ("read_fraction", "fraction of operations that are reads (through the log)"),
                    ("interval", "gap between one operation's end and the next's start"),
                    ("poisson", "exponential gaps with mean `interval`"),
                    ("timeout", "an operation's deadline; each attempt gets a fifth of it"),
                ]),
            },
        ]
    }

    fn figures() -> Vec<FigureDoc> {
        let f = |name, unit, doc| FigureDoc { name, unit, doc };
        vec![
            f("ops", Unit::Count, "client operations invoked"),
            f("ops_ok", Unit::Count, "operations answered ok"),
            f("ops_fail", Unit::Count, "operations definitely not applied"),
            f("ops_unknown", Unit::Count, "operations timed out (may or may not have applied)"),
            f("availability", Unit::Fraction, "ops_ok / ops"),
            f("write_latency_p50", Unit::Seconds, "median latency of acknowledged writes"),
            f("write_latency_p99", Unit::Seconds, "99th percentile latency of acknowledged writes"),
            f("elections", Unit::Count, "elections started (candidacies)"),
            f("term_max", Unit::Count, "the highest term reached"),
            f(
                "leader_time_fraction",
                Unit::Fraction,
                "fraction of the run with a working leader: a leader of the newest term led so far, up and not paused",
            ),
            f("leader_crashes", Unit::Count, "crashes of a working leader"),
            f(
                "leader_crashes_unrecovered",
                Unit::Count,
                "leader crashes with no election or no acknowledged write after them",
            ),
            f(
                "failover_detect_mean",
                Unit::Seconds,
                "T_detect: leader crash to the first election started after it (mean over leader crashes)",
            ),
            f(
                "failover_time_mean",
                Unit::Seconds,
                "T_failover: that election to the first acknowledged write after it (mean)",
            ),
            f(
                "recovery_time_mean",
                Unit::Seconds,
                "T_recovery = T_detect + T_failover: leader crash to the first acknowledged write (mean)",
            ),
        ]
    }

    fn properties() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "one_leader_per_term",
                doc: "no two nodes are leader in the same term, over the whole run (election safety; use as invariant)",
            },
            PropertyDoc {
                name: "leader",
                doc: "some replica that is not crashed believes it leads (a paused one counts; use with eventually/sometimes)",
            },
        ]
    }

    fn end_checks() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "no_lost_writes",
                doc: "every acknowledged write is in the committed log of the final durable state",
            },
            PropertyDoc {
                name: "log_matching",
                doc: "final logs that share an entry (index and term) are identical up to it",
            },
            PropertyDoc {
                name: "state_machine_safety",
                doc: "no two replicas applied different commands at the same index, restarts included",
            },
            PropertyDoc {
                name: "linearizable",
                doc: "the clients' history is linearizable per key (reads go through the log)",
            },
        ]
    }

    fn build(nodes: u32, groups: &[GroupParams<'_>]) -> Result<Raft, ParamError> {
        let mut roles = vec![Role::Idle; nodes as usize];
        let mut cluster: Option<(usize, RaftParams)> = None;
        let mut replicas = false;
        for (i, g) in groups.iter().enumerate() {
            let role = match g.role {
                "replica" => {
                    replicas = true;
                    replica_params(&mut cluster, i, g.params)?;
                    Role::Replica
                }
                "client" => Role::Client(super::workload(i, g.params)?),
                other => return Err(unknown_role(i, other, Self::NAME, &ROLES)),
            };
            for n in g.nodes.clone() {
                roles[n as usize] = role.clone();
            }
        }
        if !replicas {
            return Err(ParamError {
                group: 0,
                role: true,
                message: "the raft model needs a group of role \"replica\"".to_string(),
            });
        }
        let (group, p) = cluster.unwrap_or_default();
        Raft::new(p, roles).map_err(|message| ParamError {
            group,
            role: false,
            message,
        })
    }

    fn property(_: &Raft, name: &str) -> Option<Predicate<Raft>> {
        match name {
            "one_leader_per_term" => {
                let mut safety = check::ElectionSafety::default();
                Some(Box::new(move |w| safety.check(w.views)))
            }
            "leader" => Some(Box::new(|w| {
                let leading = w.views.iter().any(|v| {
                    matches!(
                        v,
                        Some(View::Replica {
                            role: RoleName::Leader,
                            ..
                        })
                    )
                });
                if leading {
                    Ok(())
                } else {
                    Err("no running replica is leader".to_string())
                }
            })),
            _ => None,
        }
    }

    fn role(view: &View) -> Option<&'static str> {
        match view {
            View::Replica {
                role: RoleName::Leader,
                ..
            } => Some("leader"),
            View::Replica {
                role: RoleName::Candidate,
                ..
            } => Some("candidate"),
            _ => None,
        }
    }

    fn request(
        o: &hasim_protocols::replication::raft::Observation,
    ) -> Option<(bool, Option<hasim_sim::SimDuration>)> {
        match o {
            hasim_protocols::replication::raft::Observation::Client(e) => {
                e.succeeded().map(|ok| (ok, None))
            }
            _ => None,
        }
    }

    fn report(sim: &Sim<Raft>, out: &mut BTreeMap<String, f64>) {
        out.extend(figures::figures(sim));
    }

    fn end_check(sim: &Sim<Raft>, name: &str) -> Option<Result<(), String>> {
        match name {
            "no_lost_writes" => Some(check::no_lost_writes(sim)),
            "log_matching" => Some(check::final_log_matching(sim)),
            "state_machine_safety" => Some(check::state_machine_safety(sim.observations())),
            "linearizable" => Some(
                hasim_protocols::replication::check_history(
                    &check::history(sim.observations()),
                    &hasim_protocols::replication::SearchLimits::default(),
                )
                .map(|_| ())
                .map_err(|e| e.to_string()),
            ),
            _ => None,
        }
    }
}

/// Reads a replica group's parameters into `cluster`, the one set every replica shares:
/// the first group that writes them sets them, and a later group that writes different
/// ones is an error naming both groups.
pub(super) fn replica_params(
    cluster: &mut Option<(usize, RaftParams)>,
    group: usize,
    table: &toml::Table,
) -> Result<(), ParamError> {
    if table.is_empty() {
        return Ok(());
    }
    let p: RaftParams = params(group, table)?;
    match cluster {
        Some((first, q)) if *q != p => Err(ParamError {
            group,
            role: false,
            message: format!(
                "the replicas' parameters are one set for the cluster, and these differ from group[{first}]'s: write them once"
            ),
        }),
        Some(_) => Ok(()),
        None => {
            *cluster = Some((group, p));
            Ok(())
        }
    }
}
