//! When a data platform run's pipeline was broken: each stage's unhealthy intervals
//! (log partitions without a live leader, the job recovering, blocks without a live
//! replica, the driver or namenode down), merged into the pipeline's outages.

use super::catalogue::{compute_part, ingest_part, kubelet_part, storage_part};
use super::DataPlatform;
use crate::recovery::compute::catalogue as compute;
use crate::recovery::rereplication as rr;
use crate::recovery::supervisor::Supervisor;
use crate::replication::isr;
use hasim_sim::{Inspect, NodeId, SimTime, Status};

/// Sorted, merged: the union of intervals.
fn union(mut intervals: Vec<(SimTime, SimTime)>) -> Vec<(SimTime, SimTime)> {
    intervals.sort();
    let mut out: Vec<(SimTime, SimTime)> = Vec::new();
    for (a, b) in intervals {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

/// When the pipeline was broken: some partition of the log had no live leader, the
/// streaming job was recovering (from its executor's failure to caught up), some block
/// had no live replica (as the namenode saw it), or the driver or namenode was down.
/// A recovery whose executor's node stayed up (its process crashed) starts when the
/// kubelet lost the process.
pub fn outages(sim: &impl Inspect<DataPlatform>) -> Vec<(SimTime, SimTime)> {
    let d = sim.protocol();
    let end = sim.now();
    let mut broken: Vec<(SimTime, SimTime)> =
        isr::report::offline_intervals(&ingest_part(sim)).concat();
    let job = compute_part(sim);
    let kubelet = kubelet_part(sim);
    let (recoveries, open) = compute::episodes(&job);
    for r in recoveries {
        let failed = r
            .executor
            .map_or(r.failed, |n| process_lost(&kubelet, n, r.failed));
        broken.push((failed, r.caught_up));
    }
    broken.extend(open.map(|f| (f, end)));
    let mut missing: Option<SimTime> = None;
    for o in storage_part(sim).observations() {
        if let rr::Observation::Replication { missing: m, .. } = o.observation {
            match (m > 0, missing) {
                (true, None) => missing = Some(o.time),
                (false, Some(from)) => {
                    broken.push((from, o.time));
                    missing = None;
                }
                _ => {}
            }
        }
    }
    broken.extend(missing.map(|f| (f, end)));
    for head in [d.compute.driver(), d.storage.namenode()] {
        let t = sim.timeline(d.cluster.host(head));
        broken.extend(t.intervals(Status::Down, end));
        broken.extend(t.intervals(Status::Paused, end));
    }
    union(broken)
}

/// When the kubelet on `executor` last lost its process at or before `at` (`at` if the
/// process was running then).
fn process_lost(kubelet: &impl Inspect<Supervisor>, executor: NodeId, at: SimTime) -> SimTime {
    let last = kubelet
        .observations()
        .iter()
        .rev()
        .filter(|o| o.node == executor && o.time <= at)
        .find_map(|o| o.observation.available().map(|up| (o.time, up)));
    match last {
        Some((t, false)) => t,
        _ => at,
    }
}

#[cfg(test)]
mod tests {
    use super::union;
    use hasim_sim::SimTime;

    fn t(s: u64) -> SimTime {
        SimTime::from_nanos(s * 1_000_000_000)
    }

    #[test]
    fn union_merges_overlapping_and_touching_intervals_and_keeps_gaps() {
        let got = union(vec![
            (t(5), t(7)),
            (t(0), t(2)),
            (t(1), t(3)),
            (t(3), t(4)),
            (t(6), t(6)),
        ]);
        assert_eq!(got, vec![(t(0), t(4)), (t(5), t(7))]);
        assert!(union(Vec::new()).is_empty());
    }
}
