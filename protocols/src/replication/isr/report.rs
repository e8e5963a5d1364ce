//! What an in-sync-replica run delivered, read from a finished simulation: the client
//! history and its availability, how long partitions had no live leader, elections
//! and ISR churn, lost acknowledged writes against the final logs, write latency, and
//! the failover of each crashed leader split into detection and the rest.

use super::wire::{Observation, PartitionState};
use super::Isr;
use crate::replication::history::{History, Key, OpKind, Value};
use crate::replication::lost::{lost_writes_log, LostWrite};
use hasim_sim::{Fault, Histogram, Inspect, NodeId, SimTime, Status};
use std::collections::{BTreeMap, BTreeSet};

/// The client history of a run (its producers' operations).
pub fn history(sim: &impl Inspect<Isr>) -> History {
    History::from_events(
        sim.observations()
            .iter()
            .filter_map(|o| match o.observation {
                Observation::Op(e) => Some((o.time, o.node, e)),
                _ => None,
            }),
    )
}

/// Each partition's final record: the newest (controller epoch, partition epoch) on
/// any controller's disk, which is what a controller taking over would recover.
pub fn final_records(sim: &impl Inspect<Isr>) -> Vec<PartitionState> {
    let isr = sim.protocol();
    let mut out: Vec<PartitionState> = sim.durable(isr.controller()).meta.clone();
    for &c in &isr.controllers()[1..] {
        for r in &sim.durable(c).meta {
            if let Some(o) = out.get_mut(r.partition as usize) {
                if (r.controller_epoch, r.partition_epoch) > (o.controller_epoch, o.partition_epoch)
                {
                    *o = *r;
                }
            }
        }
    }
    out
}

/// The values each key's final log holds: for each partition the log of the
/// controller's last leader, or, for a partition that ended offline, of the ISR member
/// a clean election would wait for (its memory if it is running, else its disk).
pub fn final_logs(sim: &impl Inspect<Isr>) -> BTreeMap<Key, BTreeSet<Value>> {
    let mut logs: BTreeMap<Key, BTreeSet<Value>> = BTreeMap::new();
    for state in &final_records(sim) {
        let Some(holder) = state.leader.or_else(|| state.isr.iter().next()) else {
            continue;
        };
        // A running broker's page cache holds writes its disk image has not synced.
        let log = sim
            .state(holder)
            .and_then(|s| s.log(state.partition))
            .unwrap_or_else(|| sim.durable(holder).log(state.partition));
        for e in log {
            logs.entry(e.key).or_default().insert(e.value);
        }
    }
    logs
}

/// The acknowledged writes the final logs do not hold.
pub fn lost_writes(sim: &impl Inspect<Isr>) -> Vec<LostWrite> {
    lost_writes_log(&history(sim), &final_logs(sim))
}

/// Each partition's leader over time as the controller decided it: (from, leader).
fn leader_timelines(sim: &impl Inspect<Isr>) -> Vec<Vec<(SimTime, Option<NodeId>)>> {
    let mut out = vec![Vec::new(); sim.protocol().partitions() as usize];
    for o in sim.observations() {
        if let Observation::Elected {
            partition, leader, ..
        } = o.observation
        {
            out[partition as usize].push((o.time, leader));
        }
    }
    out
}

/// Per partition, the intervals in which it had no live leader (the controller named
/// none, or the one it named was down or paused), up to the end of the run.
pub fn offline_intervals(sim: &impl Inspect<Isr>) -> Vec<Vec<(SimTime, SimTime)>> {
    let end = sim.now();
    let mut out = Vec::new();
    for timeline in leader_timelines(sim) {
        let mut offline = Vec::new();
        for (i, &(from, leader)) in timeline.iter().enumerate() {
            let until = timeline.get(i + 1).map_or(end, |&(t, _)| t).min(end);
            let mut at = from;
            if let Some(l) = leader {
                for (a, b) in sim.timeline(l).intervals(Status::Up, end) {
                    let (a, b) = (a.max(from), b.min(until));
                    if a < b {
                        if a > at {
                            offline.push((at, a));
                        }
                        at = b;
                    }
                }
            }
            if at < until {
                offline.push((at, until));
            }
        }
        out.push(offline);
    }
    out
}

fn leader_at(timeline: &[(SimTime, Option<NodeId>)], t: SimTime) -> Option<NodeId> {
    timeline
        .iter()
        .take_while(|(from, _)| *from <= t)
        .last()
        .and_then(|(_, l)| *l)
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        f64::NAN
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

/// Every figure of the model, by name (durations in seconds).
pub fn figures(sim: &impl Inspect<Isr>) -> BTreeMap<String, f64> {
    let isr = sim.protocol();
    let end = sim.now();
    let history = history(sim);
    let mut f = BTreeMap::new();
    let mut put = |name: &str, v: f64| {
        f.insert(name.to_string(), v);
    };
    put("availability", history.availability());
    let writes: Vec<_> = history
        .ops
        .iter()
        .filter(|o| matches!(o.kind, OpKind::Write(_)))
        .collect();
    let acked: Vec<_> = writes
        .iter()
        .filter(|o| o.is_acknowledged_write())
        .collect();
    put("writes", writes.len() as f64);
    put("writes_ok", acked.len() as f64);
    let mut latency = Histogram::new();
    for o in &acked {
        if let Some(done) = o.complete {
            latency.record(done.saturating_since(o.invoke));
        }
    }
    put("write_latency_p50", latency.quantile(0.5).as_secs_f64());
    put("write_latency_p99", latency.quantile(0.99).as_secs_f64());

    let (mut clean, mut unclean, mut shrinks, mut expands, mut truncations) = (0, 0, 0, 0, 0);
    for o in sim.observations() {
        match o.observation {
            // Epoch 1 is the controller's initial assignment, not an election.
            Observation::Elected {
                leader: Some(_),
                clean: c,
                epoch,
                ..
            } if epoch > 1 => {
                if c {
                    clean += 1
                } else {
                    unclean += 1
                }
            }
            Observation::IsrChanged { added, removed, .. } => {
                shrinks += removed;
                expands += added;
            }
            Observation::Truncated { .. } => truncations += 1,
            _ => {}
        }
    }
    put("elections_clean", f64::from(clean));
    put("elections_unclean", f64::from(unclean));
    put("isr_shrinks", f64::from(shrinks));
    put("isr_expands", f64::from(expands));
    put("truncations", f64::from(truncations));
    put(
        "lost_writes",
        lost_writes_log(&history, &final_logs(sim)).len() as f64,
    );

    // Offline: the controller names no leader, or its leader is not up.
    let timelines = leader_timelines(sim);
    let mut offline = 0.0;
    for timeline in &timelines {
        for (i, &(from, leader)) in timeline.iter().enumerate() {
            let until = timeline.get(i + 1).map_or(end, |&(t, _)| t).min(end);
            let span = until.saturating_since(from).as_secs_f64();
            let up = leader.map_or(0.0, |l| {
                sim.timeline(l)
                    .time_in(Status::Up, from, until)
                    .as_secs_f64()
            });
            offline += span - up;
        }
    }
    let partition_time = end.as_secs_f64() * f64::from(isr.partitions());
    put(
        "offline_time_fraction",
        if partition_time > 0.0 {
            offline / partition_time
        } else {
            0.0
        },
    );

    // Failover per crash of a leader: crash → fenced → first acknowledged write.
    let (mut detect, mut failover, mut recovery) = (Vec::new(), Vec::new(), Vec::new());
    let schedule = sim.schedule();
    let fenced: Vec<(SimTime, NodeId)> = sim
        .observations()
        .iter()
        .filter_map(|o| match o.observation {
            Observation::Fenced { broker } => Some((o.time, broker)),
            _ => None,
        })
        .collect();
    for (i, fault) in schedule.iter().enumerate() {
        let Fault::Crash { node } = fault.fault else {
            continue;
        };
        let crash = fault.at;
        let restart = schedule[i + 1..]
            .iter()
            .find(|s| matches!(s.fault, Fault::Restart { node: n } if n == node))
            .map_or(SimTime::MAX, |s| s.at);
        let Some(&(noticed, _)) = fenced
            .iter()
            .find(|(t, b)| *b == node && *t >= crash && *t < restart)
        else {
            continue;
        };
        for (p, timeline) in timelines.iter().enumerate() {
            if leader_at(timeline, crash) != Some(node) {
                continue;
            }
            let d = noticed.saturating_since(crash).as_secs_f64();
            detect.push(d);
            let first_write = acked
                .iter()
                .filter(|o| isr.partition_of(o.key) == p as u32)
                .filter_map(|o| o.complete)
                .filter(|t| *t >= noticed)
                .min();
            if let Some(w) = first_write {
                let rest = w.saturating_since(noticed).as_secs_f64();
                failover.push(rest);
                recovery.push(d + rest);
            }
        }
    }
    if isr.controllers().len() > 1 {
        let takeovers = sim
            .observations()
            .iter()
            .filter(|o| matches!(o.observation, Observation::ControllerActive { .. }))
            .count();
        put("controller_takeovers", takeovers as f64);
    }
    put("leader_crashes", detect.len() as f64);
    put("failover_detect_mean", mean(&detect));
    put("failover_time_mean", mean(&failover));
    put("recovery_time_mean", mean(&recovery));
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replication::isr::{BrokerParams, ProducerParams, Role};
    use hasim_sim::{ScheduledFault, Sim};

    #[test]
    fn offline_intervals_add_up_to_the_offline_fraction() {
        let mut roles = vec![Role::Broker; 4];
        roles.push(Role::Producer(ProducerParams::default()));
        let isr = Isr::new(roles, BrokerParams::default()).expect("valid");
        let mut sim = Sim::new(isr, 5, 3);
        let at = |s: u64| SimTime::from_nanos(s * 1_000_000_000);
        // Brokers 2 and 3 lead the two partitions; each crashes for a while.
        let faults = vec![
            ScheduledFault {
                at: at(3),
                fault: Fault::Crash { node: NodeId(1) },
            },
            ScheduledFault {
                at: at(6),
                fault: Fault::Restart { node: NodeId(1) },
            },
            ScheduledFault {
                at: at(8),
                fault: Fault::Crash { node: NodeId(2) },
            },
            ScheduledFault {
                at: at(9),
                fault: Fault::Restart { node: NodeId(2) },
            },
        ];
        sim.horizon(at(15)).faults(faults).expect("valid faults");
        sim.run();
        let intervals = offline_intervals(&sim);
        let offline: f64 = intervals
            .iter()
            .flatten()
            .map(|(a, b)| {
                assert!(a < b, "empty or reversed interval {a}..{b}");
                b.saturating_since(*a).as_secs_f64()
            })
            .sum();
        assert!(
            offline > 0.5,
            "the leaders' crashes left {offline} s offline"
        );
        let fraction = figures(&sim)["offline_time_fraction"];
        let expected = offline / (15.0 * f64::from(sim.protocol().partitions()));
        assert!(
            (fraction - expected).abs() < 1e-9,
            "{fraction} vs {expected}"
        );
    }
}
