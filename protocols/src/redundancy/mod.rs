//! `redundancy`: k-of-n redundancy judged from the nodes' up/down timelines. The
//! model of a replicated system for long-run availability: the system is up while at
//! least `k` of its `n` replicas are up, whatever the replicas do.
//!
//! **The algorithm.** None runs: replicas exchange no messages and set no timers, so
//! a run is nothing but its fault schedule (a year of failures and repairs is a few
//! thousand events). After the run, [`k_of_n`] sweeps the replicas' timelines in time
//! order and records when the count of running replicas crosses `k`.
//!
//! **What it simplifies.** Everything but counting: no data to copy back after a
//! repair (a repaired replica counts at once), no failover delay, no detection time,
//! no quorum logic beyond the count. A paused replica counts as not up. Failure and
//! repair come from the scenario's fault schedule, usually `[[faults.lifecycle]]`.
//!
//! **What it promises.** Changes at one instant are applied together before the
//! system is judged, so two replicas of a rack crashing at once are one system
//! failure, and a restart and a crash at the same instant never make a zero-length
//! outage. Up and down time add up to the judged span exactly.

pub mod catalogue;

use hasim_sim::{Ctx, NodeId, Protocol, SimDuration, SimTime, Status};

/// The protocol: which nodes are replicas. Nothing runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redundancy {
    replicas: Vec<NodeId>,
    k: u32,
}

impl Redundancy {
    /// `k` of `replicas` must be up for the system to be up.
    pub fn new(replicas: Vec<NodeId>, k: u32) -> Self {
        Redundancy { replicas, k }
    }

    /// The replicas.
    pub fn replicas(&self) -> &[NodeId] {
        &self.replicas
    }

    /// How many replicas must be up.
    pub fn k(&self) -> u32 {
        self.k
    }
}

impl Protocol for Redundancy {
    type Msg = ();
    type Timer = ();
    type State = ();
    type Durable = ();
    type View = ();
    type Observation = ();

    fn start(&self, _: &mut impl Ctx<Self>, _: &()) {}

    fn on_message(&self, _: &mut impl Ctx<Self>, _: &mut (), _: NodeId, _: ()) {}

    fn on_timer(&self, _: &mut impl Ctx<Self>, _: &mut (), _: ()) {}

    fn view(&self, _: &()) {}
}

/// The system's record over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SystemRecord {
    /// Time with at least `k` replicas up.
    pub up: SimDuration,
    /// Time with fewer.
    pub down: SimDuration,
    /// Times the system went from up to down.
    pub failures: u64,
    /// The system's down periods, clipped to the end of the run.
    pub outages: Vec<(SimTime, SimTime)>,
}

/// Judges `k`-of-n over `[0, end]` from each replica's status changes (in time order,
/// as the engine's timelines record them; a replica is not up before its first
/// change). The system is up while at least `k` replicas are `Up`.
pub fn k_of_n(timelines: &[&[(SimTime, Status)]], k: usize, end: SimTime) -> SystemRecord {
    let mut changes: Vec<(SimTime, usize, Status)> = timelines
        .iter()
        .enumerate()
        .flat_map(|(i, t)| t.iter().map(move |&(at, s)| (at, i, s)))
        .filter(|&(at, _, _)| at <= end)
        .collect();
    // Stable: one replica's changes at one instant keep their order.
    changes.sort_by_key(|&(at, _, _)| at);
    let mut status = vec![false; timelines.len()];
    let mut up_count = 0usize;
    let mut record = SystemRecord::default();
    let mut system_up = k == 0;
    let mut since = SimTime::ZERO;
    let mut i = 0;
    while i < changes.len() {
        let now = changes[i].0;
        while i < changes.len() && changes[i].0 == now {
            let (_, node, s) = changes[i];
            let up = s == Status::Up;
            if up != status[node] {
                status[node] = up;
                if up {
                    up_count += 1;
                } else {
                    up_count -= 1;
                }
            }
            i += 1;
        }
        let now_up = up_count >= k;
        if now_up != system_up {
            close(&mut record, system_up, since, now);
            if !now_up && now > SimTime::ZERO {
                record.failures += 1;
            }
            system_up = now_up;
            since = now;
        }
    }
    close(&mut record, system_up, since, end);
    record
}

fn close(record: &mut SystemRecord, up: bool, from: SimTime, to: SimTime) {
    let span = to.saturating_since(from);
    if up {
        record.up = record.up + span;
    } else {
        record.down = record.down + span;
        if !span.is_zero() {
            record.outages.push((from, to));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: u64) -> SimTime {
        SimTime::from_nanos(s * 1_000_000_000)
    }

    fn secs(d: SimDuration) -> u64 {
        d.as_nanos() / 1_000_000_000
    }

    #[test]
    fn two_of_three_counts_overlaps_only() {
        use Status::{Down, Up};
        // Node 0 down 10–20 and 50–60; node 1 down 15–30; node 2 down 55–58 and 80–90.
        let a = [
            (t(0), Up),
            (t(10), Down),
            (t(20), Up),
            (t(50), Down),
            (t(60), Up),
        ];
        let b = [(t(0), Up), (t(15), Down), (t(30), Up)];
        let c = [
            (t(0), Up),
            (t(55), Down),
            (t(58), Up),
            (t(80), Down),
            (t(90), Up),
        ];
        let r = k_of_n(&[&a, &b, &c], 2, t(100));
        assert_eq!(r.outages, vec![(t(15), t(20)), (t(55), t(58))]);
        assert_eq!((secs(r.up), secs(r.down), r.failures), (92, 8, 2));
        // 1-of-3: never all three down at once.
        let any = k_of_n(&[&a, &b, &c], 1, t(100));
        assert_eq!((secs(any.down), any.failures), (0, 0));
        // 3-of-3: the union of the outages, 10–30, 50–60 and 80–90.
        let all = k_of_n(&[&a, &b, &c], 3, t(100));
        assert_eq!(secs(all.down), 20 + 10 + 10);
        assert_eq!(all.failures, 3);
    }

    #[test]
    fn changes_at_one_instant_are_judged_together() {
        use Status::{Down, Paused, Up};
        // Nodes 0 and 1 crash together at 10 (one failure); at 20 node 0 restarts while
        // node 1 restarts and crashes again: still down, one outage 10–25.
        let a = [(t(0), Up), (t(10), Down), (t(20), Up)];
        let b = [
            (t(0), Up),
            (t(10), Down),
            (t(20), Up),
            (t(20), Down),
            (t(25), Up),
        ];
        let r = k_of_n(&[&a, &b], 2, t(40));
        assert_eq!(r.outages, vec![(t(10), t(25))]);
        assert_eq!(r.failures, 1);
        // A pause counts as not up; the end clips the last outage.
        let c = [(t(0), Up), (t(30), Paused)];
        let r = k_of_n(&[&c], 1, t(40));
        assert_eq!((r.outages.clone(), r.failures), (vec![(t(30), t(40))], 1));
        assert_eq!(r.up + r.down, SimDuration::from_secs(40));
    }
}
