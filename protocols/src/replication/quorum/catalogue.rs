//! The catalogue of `quorum`: the replicas' parameters, the end checks that judge the
//! clients' history against the replicas' final disks (lost writes, stale reads,
//! linearizability), and the figures of availability, latency, stale reads, read
//! repairs and hints.

use super::{Observation, Quorum, ReplicaParams};
use crate::catalogue::{Catalogue, FigureDoc, Params, Predicate, PropertyDoc, Unit};
use crate::replication::{
    lost_writes_register, stale_reads, History, Key, OpKind, OpResult, Value,
};
use hasim_sim::{Histogram, Inspect, NodeId};
use std::collections::BTreeMap;

impl Params for ReplicaParams {
    const DOCS: &'static [(&'static str, &'static str)] = &[
                    ("n", "replicas per key"),
                    ("r", "read answers a read waits for"),
                    ("w", "acknowledgements a write waits for"),
                    ("versioning", "\"lww\" (coordinator clock stamps) or \"vector\" (version vectors, read-before-write)"),
                    ("read_repair", "write the newest version back to replicas that answered a read with older data"),
                    ("hinted_handoff", "sloppy quorum: writes for a replica believed down go to the next node on the ring as hints"),
                    ("request_timeout", "a coordinator answers \"timeout\" after this long without its quorum"),
                    ("heartbeat_interval", "gap between liveness messages from each replica to every other (built-in liveness, without `detector`)"),
                    ("suspect_after", "a replica not heard from for this long is believed down (built-in liveness, without `detector`)"),
                    ("detector", "the failure detector coordinators consult to mark replicas down, all to all: `{ kind = \"heartbeat\" | \"phi_accrual\" | \"swim\" | \"prometheus\", ... }` with that detector's params; unset: the built-in liveness"),
                ];
}

impl Catalogue for Quorum {
    const KEEPS_OBSERVATIONS: bool = true;

    fn figure_docs() -> Vec<FigureDoc> {
        let f = FigureDoc::new;
        use Unit::{Count, Fraction, Seconds};
        vec![
            f("operations", Count, "client operations invoked"),
            f("availability", Fraction, "operations answered ok / operations"),
            f("read_availability", Fraction, "reads answered ok / reads"),
            f("write_availability", Fraction, "writes acknowledged / writes"),
            f("reads_failed", Count, "reads a coordinator refused (too few live replicas)"),
            f("writes_failed", Count, "writes a coordinator refused (too few live replicas)"),
            f("operations_unknown", Count, "operations that timed out"),
            f("stale_reads", Count, "ok reads returning a value an acknowledged write had superseded before the read began"),
            f("stale_read_fraction", Fraction, "stale_reads / ok reads"),
            f("lost_writes", Count, "acknowledged writes the final state does not hold (lost-write checker for registers)"),
            f("read_latency_p50", Seconds, "median latency of ok reads"),
            f("read_latency_p99", Seconds, "99th percentile latency of ok reads"),
            f("write_latency_p50", Seconds, "median latency of acknowledged writes"),
            f("write_latency_p99", Seconds, "99th percentile latency of acknowledged writes"),
            f("read_repairs", Count, "repair messages coordinators sent after reads"),
            f("hints_stored", Count, "hinted writes a stand-in node took (sloppy quorum)"),
            f("hints_delivered", Count, "hints handed back to their replica"),
        ]
    }

    fn property_docs() -> Vec<PropertyDoc> {
        Vec::new()
    }

    fn end_check_docs() -> Vec<PropertyDoc> {
        vec![
            PropertyDoc {
                name: "no_lost_writes",
                doc: "every acknowledged write survives: the value a final quorum read returns for its key (newest version over every replica and hint) was not written by a write that finished before it began",
            },
            PropertyDoc {
                name: "no_stale_reads",
                doc: "no ok read returned a value an acknowledged write had superseded before the read began (real-time order)",
            },
            PropertyDoc {
                name: "linearizable",
                doc: "the clients' history is linearizable per key (a register); concurrent writes resolved by version vectors need not be",
            },
        ]
    }

    fn property(&self, _name: &str) -> Option<Predicate<Quorum>> {
        None
    }

    fn request(o: &Observation) -> Option<crate::catalogue::RequestEvent> {
        match o {
            Observation::Op(e) => Some(e.request_event()),
            Observation::Detector(_) => None,
        }
    }

    fn suspicion(o: &Observation) -> Option<(NodeId, bool)> {
        use crate::detection::DetectorObservation as D;
        match o {
            Observation::Detector(D::Suspect { target } | D::Confirm { target }) => {
                Some((*target, true))
            }
            Observation::Detector(D::Trust { target }) => Some((*target, false)),
            Observation::Op(_) => None,
        }
    }

    fn figures(sim: &impl Inspect<Self>, out: &mut BTreeMap<String, f64>) {
        let h = history(sim);
        let mut put = |name: &str, v: f64| {
            out.insert(name.to_string(), v);
        };
        let (mut reads, mut writes) = ([0u64; 3], [0u64; 3]);
        let (mut read_latency, mut write_latency) = (Histogram::new(), Histogram::new());
        for o in &h.ops {
            let (tally, latency) = match o.kind {
                OpKind::Read => (&mut reads, &mut read_latency),
                OpKind::Write(_) => (&mut writes, &mut write_latency),
            };
            let i = match o.result {
                OpResult::Ok(_) => 0,
                OpResult::Fail => 1,
                OpResult::Unknown => 2,
            };
            tally[i] += 1;
            if let (0, Some(done)) = (i, o.complete) {
                latency.record(done.saturating_since(o.invoke));
            }
        }
        let ratio = |ok: u64, all: u64| {
            if all == 0 {
                1.0
            } else {
                ok as f64 / all as f64
            }
        };
        let (r_all, w_all) = (reads.iter().sum::<u64>(), writes.iter().sum::<u64>());
        put("operations", h.ops.len() as f64);
        put("availability", h.availability());
        put("read_availability", ratio(reads[0], r_all));
        put("write_availability", ratio(writes[0], w_all));
        put("reads_failed", reads[1] as f64);
        put("writes_failed", writes[1] as f64);
        put("operations_unknown", (reads[2] + writes[2]) as f64);
        let stale = stale_reads(&h);
        put("stale_reads", stale.stale as f64);
        put("stale_read_fraction", stale.fraction());
        put(
            "lost_writes",
            lost_writes_register(&h, &final_values(sim)).len() as f64,
        );
        put("read_latency_p50", percentile(&read_latency, 0.5));
        put("read_latency_p99", percentile(&read_latency, 0.99));
        put("write_latency_p50", percentile(&write_latency, 0.5));
        put("write_latency_p99", percentile(&write_latency, 0.99));
        let m = sim.metrics();
        for name in ["read_repairs", "hints_stored", "hints_delivered"] {
            put(name, m.counter(name) as f64);
        }
    }

    fn end_check(sim: &impl Inspect<Self>, name: &str) -> Option<Result<(), String>> {
        match name {
            "no_lost_writes" => {
                let lost = lost_writes_register(&history(sim), &final_values(sim));
                Some(match lost.first() {
                    None => Ok(()),
                    Some(first) => Err(format!(
                        "{} acknowledged writes lost; first: {first}",
                        lost.len()
                    )),
                })
            }
            "linearizable" => Some(
                crate::replication::check_history(
                    &history(sim),
                    &crate::replication::SearchLimits::default(),
                )
                .map(|_| ())
                .map_err(|e| e.to_string()),
            ),
            "no_stale_reads" => {
                let stale = stale_reads(&history(sim));
                Some(match stale.first {
                    None => Ok(()),
                    Some(first) => Err(format!(
                        "{} of {} reads stale; first: {first}",
                        stale.stale, stale.reads
                    )),
                })
            }
            _ => None,
        }
    }
}

/// The clients' history of a finished run.
fn history(sim: &impl Inspect<Quorum>) -> History {
    History::from_events(
        sim.observations()
            .iter()
            .filter_map(|o| match o.observation {
                Observation::Op(event) => Some((o.time, o.node, event)),
                Observation::Detector(_) => None,
            }),
    )
}

/// Each key's value as a final quorum read would return it, every replica and hint
/// reachable again: the resolution of all versions on the replicas' disks.
fn final_values(sim: &impl Inspect<Quorum>) -> BTreeMap<Key, Value> {
    let q = sim.protocol();
    Quorum::final_values(q.ring.members().iter().map(|&m| sim.durable(m)))
}

fn percentile(h: &Histogram, q: f64) -> f64 {
    h.quantile(q).as_secs_f64()
}
