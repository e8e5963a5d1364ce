//! The figures of a finished Raft run: client availability and write latency,
//! elections, the time with a working leader, and the failover after each leader
//! crash split into detection and takeover (T_recovery = T_detect + T_failover).

use super::check::history;
use super::log::Term;
use super::message::Observation;
use super::Raft;
use hasim_sim::{Fault, Histogram, Inspect, NodeId, SimTime, Status, Timeline};
use std::collections::BTreeMap;

/// One node's leadership of one term: from becoming leader to stepping down, crashing
/// or the end of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Leadership {
    /// The leader.
    pub node: NodeId,
    /// Its term.
    pub term: Term,
    /// When it became leader.
    pub start: SimTime,
    /// When it stopped (or the run ended).
    pub end: SimTime,
}

fn status_at(timeline: &Timeline, t: SimTime) -> Status {
    timeline
        .changes()
        .iter()
        .take_while(|&&(at, _)| at <= t)
        .last()
        .map_or(Status::Down, |&(_, s)| s)
}

/// Every leadership of the run, in start order.
pub fn leaderships(sim: &impl Inspect<Raft>) -> Vec<Leadership> {
    let end = sim.now();
    let mut open: BTreeMap<NodeId, (Term, SimTime)> = BTreeMap::new();
    let mut out = Vec::new();
    for o in sim.observations() {
        match o.observation {
            Observation::Leader { term } => {
                // An earlier leadership still open ended in a crash (cut below).
                if let Some((old, start)) = open.insert(o.node, (term, o.time)) {
                    out.push(Leadership {
                        node: o.node,
                        term: old,
                        start,
                        end: o.time,
                    });
                }
            }
            Observation::SteppedDown { .. } => {
                if let Some((term, start)) = open.remove(&o.node) {
                    out.push(Leadership {
                        node: o.node,
                        term,
                        start,
                        end: o.time,
                    });
                }
            }
            _ => {}
        }
    }
    out.extend(open.into_iter().map(|(node, (term, start))| Leadership {
        node,
        term,
        start,
        end,
    }));
    // A crash ends a leadership silently: cut each at the node's next crash.
    for l in &mut out {
        let crash = sim
            .timeline(l.node)
            .changes()
            .iter()
            .find(|&&(at, s)| at > l.start && s == Status::Down)
            .map(|&(at, _)| at);
        if let Some(c) = crash {
            l.end = l.end.min(c);
        }
    }
    out.sort_by_key(|l| (l.start, l.node));
    out
}

/// Whether a working leader exists at `t`: a node holding leadership of the highest
/// term any leader has reached by `t`, and up (not crashed, not paused).
fn working_at(sim: &impl Inspect<Raft>, ls: &[Leadership], t: SimTime) -> Option<NodeId> {
    let top = ls.iter().filter(|l| l.start <= t).map(|l| l.term).max()?;
    ls.iter()
        .find(|l| l.term == top && l.start <= t && t < l.end)
        .filter(|l| status_at(sim.timeline(l.node), t) == Status::Up)
        .map(|l| l.node)
}

/// The fraction of the run with a working leader (see [`working_at`]): a leader of
/// the newest term that is up and not paused. A deposed leader in a minority does not
/// count once a newer term has a leader; before that it counts until check-quorum
/// makes it step down.
pub fn leader_time_fraction(sim: &impl Inspect<Raft>, ls: &[Leadership]) -> f64 {
    let end = sim.now();
    if end == SimTime::ZERO {
        return 0.0;
    }
    let mut cuts: Vec<SimTime> = vec![SimTime::ZERO, end];
    for l in ls {
        cuts.push(l.start);
        cuts.push(l.end);
        cuts.extend(sim.timeline(l.node).changes().iter().map(|&(at, _)| at));
    }
    cuts.retain(|&t| t <= end);
    cuts.sort_unstable();
    cuts.dedup();
    let mut working = 0u64;
    for w in cuts.windows(2) {
        if working_at(sim, ls, w[0]).is_some() {
            working += w[1].saturating_since(w[0]).as_nanos();
        }
    }
    working as f64 / end.as_nanos() as f64
}

/// One leader crash and what followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failover {
    /// The crashed leader.
    pub leader: NodeId,
    /// When it crashed.
    pub crash: SimTime,
    /// The first election started at or after the crash (T_detect ends).
    pub detected: Option<SimTime>,
    /// The first acknowledged write completed at or after detection (T_failover ends).
    pub recovered: Option<SimTime>,
}

/// The failover after each crash of a working leader.
pub fn failovers(sim: &impl Inspect<Raft>, ls: &[Leadership]) -> Vec<Failover> {
    let h = history(sim.observations());
    let elections: Vec<SimTime> = sim
        .observations()
        .iter()
        .filter(|o| matches!(o.observation, Observation::Election { .. }))
        .map(|o| o.time)
        .collect();
    let mut out = Vec::new();
    for f in sim.schedule() {
        let Fault::Crash { node } = f.fault else {
            continue;
        };
        // Leading right up to the crash, in the newest term.
        let just_before = SimTime::from_nanos(f.at.as_nanos().saturating_sub(1));
        if working_at(sim, ls, just_before) != Some(node) {
            continue;
        }
        let detected = elections.iter().copied().find(|&t| t >= f.at);
        let recovered = detected.and_then(|d| h.first_ok_write_after(d));
        out.push(Failover {
            leader: node,
            crash: f.at,
            detected,
            recovered,
        });
    }
    out
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = xs.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

/// Every figure of the run, by name.
pub fn figures(sim: &impl Inspect<Raft>) -> BTreeMap<String, f64> {
    let mut f = BTreeMap::new();
    let h = history(sim.observations());
    let (ok, fail, unknown) = h.counts();
    f.insert("ops".into(), (ok + fail + unknown) as f64);
    f.insert("ops_ok".into(), ok as f64);
    f.insert("ops_fail".into(), fail as f64);
    f.insert("ops_unknown".into(), unknown as f64);
    f.insert("availability".into(), h.availability());
    let mut writes = Histogram::new();
    for o in h.ops.iter().filter(|o| o.is_acknowledged_write()) {
        if let Some(done) = o.complete {
            writes.record(done.saturating_since(o.invoke));
        }
    }
    f.insert(
        "write_latency_p50".into(),
        writes.quantile(0.5).as_secs_f64(),
    );
    f.insert(
        "write_latency_p99".into(),
        writes.quantile(0.99).as_secs_f64(),
    );
    let elections = sim
        .observations()
        .iter()
        .filter(|o| matches!(o.observation, Observation::Election { .. }))
        .count();
    f.insert("elections".into(), elections as f64);
    let term_max = sim
        .protocol()
        .replicas()
        .iter()
        .map(|&r| sim.on_disk(r).term)
        .max()
        .unwrap_or(0);
    f.insert("term_max".into(), term_max as f64);
    let ls = leaderships(sim);
    f.insert(
        "leader_time_fraction".into(),
        leader_time_fraction(sim, &ls),
    );
    let fo = failovers(sim, &ls);
    let done: Vec<&Failover> = fo.iter().filter(|x| x.recovered.is_some()).collect();
    f.insert("leader_crashes".into(), fo.len() as f64);
    f.insert(
        "leader_crashes_unrecovered".into(),
        (fo.len() - done.len()) as f64,
    );
    // With no recovered leader crash there is nothing to average: the figures are
    // left out rather than reported as 0, which would drag a sweep's mean down.
    if done.is_empty() {
        return f;
    }
    let secs =
        |a: SimTime, b: Option<SimTime>| b.map_or(0.0, |b| b.saturating_since(a).as_secs_f64());
    let detect = done.iter().map(|x| secs(x.crash, x.detected));
    f.insert("failover_detect_mean".into(), mean(detect));
    let takeover = done
        .iter()
        .map(|x| secs(x.detected.unwrap_or(x.crash), x.recovered));
    f.insert("failover_time_mean".into(), mean(takeover));
    let recovery = done.iter().map(|x| secs(x.crash, x.recovered));
    f.insert("recovery_time_mean".into(), mean(recovery));
    f
}
