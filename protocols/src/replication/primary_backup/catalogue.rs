//! The catalogue of `primary_backup`: the replicas' parameters, the one-primary
//! invariant, the lost-write and linearizability end checks, and the availability,
//! failover and two-primary figures read from the client history and the replicas'
//! reigns.

use super::figures::{coverage, failovers, false_failovers, overlaps, reigns, stopped_overlap};
use super::{Observation, PrimaryBackup, PrimaryBackupParams, View};
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use crate::replication::{lost_writes_log, History};
use hasim_sim::{Inspect, NodeId, SimDuration, SimTime, Status};
use std::collections::{BTreeMap, BTreeSet};

/// Lost writes named in a failed check, at most.
const LOST_SHOWN: usize = 3;

impl Params for PrimaryBackupParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
                    ("mode", "\"sync\" (ack after `acks` backups hold a write) or \"async\" (ack at once)"),
                    ("acks", "sync: backups that must hold a write before it is acknowledged; a promotion needs replicas - acks replicas"),
                    ("sync_interval", "how often the primary sends a round of appends (heartbeat, catch-up, lease renewal, async shipping)"),
                    ("heartbeat_interval", "the embedded heartbeat detector's interval"),
                    ("heartbeat_timeout", "silence after which a replica suspects another"),
                    ("lease", "the primary's lease by its own clock (absent: the epoch variant)"),
                    ("drift_margin", "extra wait, by a backup's clock, before it may take over after a lease"),
                    ("detector", "the replicas' failure detector, all to all: { kind = \"heartbeat\" | \"phi_accrual\" | \"swim\" | \"prometheus\", ...its parameters }; unset: heartbeats from heartbeat_interval and heartbeat_timeout"),
                    ("append_timeout", "a primary that sent no append for this long is taken as gone even while the detector trusts it (unset: heartbeat_timeout)"),
                ];
}

impl Catalogue for PrimaryBackup {
    const KEEPS_OBSERVATIONS: bool = true;

    fn figure_docs() -> Vec<FigureDoc> {
        let f = FigureDoc::new;
        vec![
            f("ops", Unit::Count, "operations invoked"),
            f("ops_ok", Unit::Count, "operations answered ok"),
            f(
                "ops_unknown",
                Unit::Count,
                "operations that timed out (or were pending at the end)",
            ),
            f("availability", Unit::Fraction, "ops_ok / ops"),
            f(
                "write_latency_p50",
                Unit::Seconds,
                "median latency of acknowledged writes",
            ),
            f(
                "write_latency_p99",
                Unit::Seconds,
                "99th percentile latency of acknowledged writes",
            ),
            f(
                "primary_time_fraction",
                Unit::Fraction,
                "fraction of the run some replica served as primary",
            ),
            f(
                "two_primary_time",
                Unit::Seconds,
                "total time two or more replicas served as primary at once, until the \
                 run stopped; an overlap a violation stopped the run in as it began \
                 counts from the later replica's promotion",
            ),
            f(
                "two_primary_overlaps",
                Unit::Count,
                "times two or more replicas began to serve as primary at once, an \
                 overlap the run stopped in included",
            ),
            f(
                "primary_crashes",
                Unit::Count,
                "crashes of a serving primary",
            ),
            f(
                "false_failovers",
                Unit::Count,
                "takeovers of a primary that had not crashed (a detector's mistake, a pause, a partition)",
            ),
            f(
                "false_failovers_per_hour",
                Unit::Count,
                "false_failovers per hour of the run",
            ),
            f(
                "failover_detect_mean",
                Unit::Seconds,
                "mean time from a primary's crash to the first suspicion by a backup (absent without a primary crash)",
            ),
            f(
                "failover_time_mean",
                Unit::Seconds,
                "mean time from that suspicion to the first acknowledged write",
            ),
            f(
                "recovery_time_mean",
                Unit::Seconds,
                "mean time from a primary's crash to the first acknowledged write",
            ),
        ]
    }

    fn property_docs() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "one_primary",
                doc: "at most one replica serves as primary at any real instant (lease variant: valid lease by its own clock; epoch variant: believes it rules)",
            },
            PropertyDoc {
                name: "primary",
                doc: "some replica serves as primary (use with eventually/sometimes)",
            },
        ]
    }

    fn end_check_docs() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "no_lost_writes",
                doc: "every acknowledged write is in the final log: the one a new primary would take (highest log epoch, then longest, over every replica's disk)",
            },
            PropertyDoc {
                name: "linearizable",
                doc: "the clients' history is linearizable per key",
            },
        ]
    }

    fn property(&self, name: &str) -> Option<Predicate<PrimaryBackup>> {
        let replicas = self.replicas().to_vec();
        match name {
            "one_primary" => Some(Box::new(move |w| {
                let serving: Vec<NodeId> = replicas
                    .iter()
                    .copied()
                    .filter(|r| w.views[r.index()].is_some_and(|v| v.serving))
                    .collect();
                if serving.len() <= 1 {
                    return Ok(());
                }
                let names: Vec<String> = serving
                    .iter()
                    .map(|&r| {
                        let epoch = w.views[r.index()].map_or(0, |v| v.epoch.0);
                        format!("{r} (epoch {epoch})")
                    })
                    .collect();
                Err(format!("two primaries serve at once: {}", names.join(", ")))
            })),
            "primary" => Some(Box::new(move |w| {
                if replicas
                    .iter()
                    .any(|r| w.views[r.index()].is_some_and(|v| v.serving))
                {
                    Ok(())
                } else {
                    Err("no replica serves as primary".into())
                }
            })),
            _ => None,
        }
    }

    fn role(view: &View) -> Option<&'static str> {
        view.serving.then_some("primary")
    }

    fn request(
        o: &crate::replication::primary_backup::Observation,
    ) -> Option<crate::catalogue::RequestEvent> {
        use crate::replication::primary_backup::Observation as O;
        match o {
            O::Op(e) => Some(e.request_event()),
            _ => None,
        }
    }

    fn suspicion(o: &crate::replication::primary_backup::Observation) -> Option<(NodeId, bool)> {
        use crate::detection::DetectorObservation as D;
        use crate::replication::primary_backup::Observation as O;
        match o {
            O::Detector(D::Suspect { target } | D::Confirm { target }) => Some((*target, true)),
            O::Detector(D::Trust { target }) => Some((*target, false)),
            _ => None,
        }
    }

    fn figures(sim: &impl Inspect<Self>, figures: &mut BTreeMap<String, f64>) {
        let history = history(sim);
        let (ok, _, unknown) = history.counts();
        figures.insert("ops".into(), history.ops.len() as f64);
        figures.insert("ops_ok".into(), ok as f64);
        figures.insert("ops_unknown".into(), unknown as f64);
        figures.insert("availability".into(), history.availability());
        let latency = sim
            .metrics()
            .histogram("write_latency")
            .cloned()
            .unwrap_or_default();
        figures.insert(
            "write_latency_p50".into(),
            latency.quantile(0.5).as_secs_f64(),
        );
        figures.insert(
            "write_latency_p99".into(),
            latency.quantile(0.99).as_secs_f64(),
        );
        let end = sim.now();
        let downs: Vec<Vec<(SimTime, SimTime)>> = (0..sim.node_count())
            .map(|n| sim.timeline(NodeId(n)).intervals(Status::Down, end))
            .collect();
        let reigns = reigns(sim.observations(), &downs, end);
        let (one, two) = coverage(&reigns, end);
        let span = end.saturating_since(SimTime::ZERO).as_secs_f64();
        let fraction = if span > 0.0 {
            one.as_secs_f64() / span
        } else {
            0.0
        };
        figures.insert("primary_time_fraction".into(), fraction);
        let two = two + stopped_overlap(&reigns, sim.observations(), end);
        figures.insert("two_primary_time".into(), two.as_secs_f64());
        figures.insert(
            "two_primary_overlaps".into(),
            f64::from(overlaps(&reigns, end)),
        );
        let f = failovers(
            &reigns,
            &downs,
            sim.protocol().replicas(),
            sim.observations(),
            &history,
        );
        figures.insert("primary_crashes".into(), f.len() as f64);
        let mistakes = f64::from(false_failovers(&reigns, &downs));
        figures.insert("false_failovers".into(), mistakes);
        if span > 0.0 {
            figures.insert("false_failovers_per_hour".into(), mistakes * 3600.0 / span);
        }
        // Undefined without a failover: left out (as a sweep leaves out NaN), so two
        // runs of one seed compare equal.
        let mut mean = |name: &str, d: Vec<SimDuration>| {
            if !d.is_empty() {
                let sum: f64 = d.iter().map(|d| d.as_secs_f64()).sum();
                figures.insert(name.into(), sum / d.len() as f64);
            }
        };
        mean(
            "failover_detect_mean",
            f.iter().filter_map(|f| f.detect()).collect(),
        );
        mean(
            "failover_time_mean",
            f.iter().filter_map(|f| f.failover()).collect(),
        );
        mean(
            "recovery_time_mean",
            f.iter().filter_map(|f| f.recovery()).collect(),
        );
    }

    fn end_check(sim: &impl Inspect<Self>, name: &str) -> Option<Result<(), String>> {
        if name == "linearizable" {
            return Some(
                crate::replication::check_history(
                    &history(sim),
                    &crate::replication::SearchLimits::default(),
                )
                .map(|_| ())
                .map_err(|e| e.to_string()),
            );
        }
        if name != "no_lost_writes" {
            return None;
        }
        let history = history(sim);
        let (node, logs) = final_logs(sim);
        let lost = lost_writes_log(&history, &logs);
        if lost.is_empty() {
            return Some(Ok(()));
        }
        let shown: Vec<String> = lost
            .iter()
            .take(LOST_SHOWN)
            .map(|l| l.to_string())
            .collect();
        Some(Err(format!(
            "{} acknowledged write(s) missing from the final log of {node}: {}{}",
            lost.len(),
            shown.join("; "),
            if lost.len() > LOST_SHOWN { "; ..." } else { "" }
        )))
    }
}

/// The clients' history.
fn history(sim: &impl Inspect<PrimaryBackup>) -> History {
    History::from_events(
        sim.observations()
            .iter()
            .filter_map(|o| match o.observation {
                Observation::Op(e) => Some((o.time, o.node, e)),
                _ => None,
            }),
    )
}

/// The final state to judge: the log a new primary would take from all the replicas'
/// disks (highest log epoch, then longest). That is the current primary's log, even
/// while it is down or cut off at the end of the run, and never the log of a deposed
/// primary that still believes it rules.
fn final_logs(sim: &impl Inspect<PrimaryBackup>) -> (NodeId, BTreeMap<u32, BTreeSet<u64>>) {
    let node = sim
        .protocol()
        .replicas()
        .iter()
        .copied()
        .max_by_key(|&r| {
            let d = sim.durable(r);
            (d.log_epoch, d.log.len())
        })
        .expect("at least two replicas");
    let mut logs: BTreeMap<u32, BTreeSet<u64>> = BTreeMap::new();
    for e in &sim.durable(node).log {
        logs.entry(e.key).or_default().insert(e.value);
    }
    (node, logs)
}
