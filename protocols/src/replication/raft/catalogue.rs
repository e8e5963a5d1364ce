//! The catalogue of `raft`: the replicas' parameters, the per-event properties (one
//! leader per term, …), the end checks (no lost writes, linearizability), and the
//! figures of elections, leader availability, failover and client operations.

use super::{check, figures, Raft, RaftParams, RoleName, View};
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use hasim_sim::Inspect;
use std::collections::BTreeMap;

impl Params for RaftParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
        (
            "election_timeout_min",
            "shortest randomised election timeout",
        ),
        (
            "election_timeout_max",
            "longest randomised election timeout",
        ),
        (
            "heartbeat",
            "leader's heartbeat (empty AppendEntries) interval",
        ),
        ("entries_max", "most entries per AppendEntries"),
        (
            "sync",
            "sync term, vote and log writes before answering (false: unsafe under disk faults)",
        ),
        (
            "check_quorum",
            "a leader steps down when no majority answered within election_timeout_min",
        ),
    ];
}

impl Catalogue for Raft {
    const KEEPS_OBSERVATIONS: bool = true;

    fn figure_docs() -> Vec<FigureDoc> {
        let f = FigureDoc::new;
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

    fn property_docs() -> Vec<PropertyDoc> {
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

    fn end_check_docs() -> Vec<PropertyDoc> {
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

    fn property(&self, name: &str) -> Option<Predicate<Raft>> {
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
        o: &crate::replication::raft::Observation,
    ) -> Option<crate::catalogue::RequestEvent> {
        match o {
            crate::replication::raft::Observation::Client(e) => Some(e.request_event()),
            _ => None,
        }
    }

    fn figures(sim: &impl Inspect<Self>, out: &mut BTreeMap<String, f64>) {
        out.extend(figures::figures(sim));
    }

    fn end_check(sim: &impl Inspect<Self>, name: &str) -> Option<Result<(), String>> {
        match name {
            "no_lost_writes" => Some(check::no_lost_writes(sim)),
            "log_matching" => Some(check::final_log_matching(sim)),
            "state_machine_safety" => Some(check::state_machine_safety(sim.observations())),
            "linearizable" => Some(
                crate::replication::check_history(
                    &check::history(sim.observations()),
                    &crate::replication::SearchLimits::default(),
                )
                .map(|_| ())
                .map_err(|e| e.to_string()),
            ),
            _ => None,
        }
    }
}
