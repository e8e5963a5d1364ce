//! The primary-backup figures of a finished run: when each replica served as primary,
//! how much of the time one (or two) did, and for each crash of a serving primary how
//! long the backups took to suspect it and then to acknowledge a write again.

use super::message::Observation;
use crate::detection::DetectorObservation;
use crate::replication::history::History;
use hasim_sim::{NodeId, Observed, SimDuration, SimTime};

/// One stretch of time a replica served as primary (global time).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reign {
    /// The replica.
    pub node: NodeId,
    /// When it started serving.
    pub from: SimTime,
    /// When it stopped (stepped down, lost its lease, crashed, or the run ended).
    pub until: SimTime,
}

/// When each replica served, from its `Serving` / `Stopped` observations; a crash
/// (the start of one of `downs[node]`, the node's down intervals) ends a reign too.
pub fn reigns(
    observations: &[Observed<Observation>],
    downs: &[Vec<(SimTime, SimTime)>],
    end: SimTime,
) -> Vec<Reign> {
    let mut open: Vec<Option<SimTime>> = vec![None; downs.len()];
    let mut out = Vec::new();
    let close = |out: &mut Vec<Reign>, node: usize, from: SimTime, until: SimTime| {
        // A crash inside the reign ends it at the crash.
        let until = downs[node]
            .iter()
            .map(|d| d.0)
            .filter(|&d| d >= from && d < until)
            .min()
            .unwrap_or(until);
        out.push(Reign {
            node: NodeId(node as u32),
            from,
            until,
        });
    };
    for o in observations {
        let n = o.node.index();
        match o.observation {
            Observation::Serving { .. } => {
                if let Some(from) = open[n].take() {
                    close(&mut out, n, from, o.time);
                }
                open[n] = Some(o.time);
            }
            Observation::Stopped { .. } => {
                if let Some(from) = open[n].take() {
                    close(&mut out, n, from, o.time);
                }
            }
            _ => {}
        }
    }
    for (n, from) in open.iter().enumerate() {
        if let Some(from) = *from {
            close(&mut out, n, from, end);
        }
    }
    out.sort_by_key(|r| (r.from, r.node));
    out
}

/// Time with at least one replica serving, and with at least two, until `end`.
pub fn coverage(reigns: &[Reign], end: SimTime) -> (SimDuration, SimDuration) {
    let mut edges: Vec<(SimTime, i32)> = Vec::new();
    for r in reigns {
        let until = r.until.min(end);
        if until > r.from {
            edges.push((r.from, 1));
            edges.push((until, -1));
        }
    }
    // Ends before starts at the same instant: a hand-over is not an overlap.
    edges.sort_by_key(|&(t, d)| (t, d));
    let (mut one, mut two) = (SimDuration::ZERO, SimDuration::ZERO);
    let (mut count, mut last) = (0, SimTime::ZERO);
    for (t, d) in edges {
        let span = t.saturating_since(last);
        if count >= 1 {
            one = one + span;
        }
        if count >= 2 {
            two = two + span;
        }
        count += d;
        last = t;
    }
    (one, two)
}

/// How many times two or more replicas began to serve at once, until `end`. An
/// overlap the run ends in counts even at zero length: a run stops at the instant a
/// safety property fails, so an overlap that the violation reports began just as the
/// run stopped and has no time in [`coverage`], but it happened.
pub fn overlaps(reigns: &[Reign], end: SimTime) -> u32 {
    // Order at one instant: hand-overs end before starts (not an overlap), but a
    // reign still running at `end` ends after every start there.
    let mut edges: Vec<(SimTime, u8, i32)> = Vec::new();
    for r in reigns {
        let until = r.until.min(end);
        if until > r.from || r.from == end {
            edges.push((r.from, 1, 1));
            edges.push((until, if until == end { 2 } else { 0 }, -1));
        }
    }
    edges.sort_by_key(|&(t, order, _)| (t, order));
    let (mut count, mut began) = (0, 0);
    for (_, _, d) in edges {
        count += d;
        if d > 0 && count == 2 {
            began += 1;
        }
    }
    began
}

/// One crash of a serving primary and the failover that followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Failover {
    /// The primary that crashed.
    pub node: NodeId,
    /// When.
    pub crash: SimTime,
    /// The first suspicion of it by another replica after the crash.
    pub suspected: Option<SimTime>,
    /// The first acknowledged write completed after that suspicion.
    pub recovered: Option<SimTime>,
}

impl Failover {
    /// Crash to suspicion.
    pub fn detect(&self) -> Option<SimDuration> {
        self.suspected.map(|s| s.saturating_since(self.crash))
    }
    /// Suspicion to the first acknowledged write.
    pub fn failover(&self) -> Option<SimDuration> {
        Some(self.recovered?.saturating_since(self.suspected?))
    }
    /// Crash to the first acknowledged write.
    pub fn recovery(&self) -> Option<SimDuration> {
        self.recovered.map(|r| r.saturating_since(self.crash))
    }
}

/// Every crash of a replica that was serving at that moment (a reign ending at the
/// crash), with its detection and recovery.
pub fn failovers(
    reigns: &[Reign],
    downs: &[Vec<(SimTime, SimTime)>],
    replicas: &[NodeId],
    observations: &[Observed<Observation>],
    history: &History,
) -> Vec<Failover> {
    let mut out = Vec::new();
    for r in reigns {
        let crashed = downs[r.node.index()].iter().any(|d| d.0 == r.until);
        if !crashed {
            continue;
        }
        let suspected = observations
            .iter()
            .filter(|o| o.time >= r.until && o.node != r.node && replicas.contains(&o.node))
            .find(|o| {
                o.observation
                    == Observation::Detector(DetectorObservation::Suspect { target: r.node })
            })
            .map(|o| o.time);
        let recovered = suspected.and_then(|s| history.first_ok_write_after(s));
        out.push(Failover {
            node: r.node,
            crash: r.until,
            suspected,
            recovered,
        });
    }
    out
}

/// Takeovers of a live primary: reigns that began right after another replica's
/// reign (in order of start) whose replica did not crash from the start of its reign
/// to the takeover. A detector's mistake (a slow or lossy network, a pause longer
/// than its timeout) deposes a primary that was alive; a partitioned primary is alive
/// too, so its takeover counts here, as it would in an operator's pager.
pub fn false_failovers(reigns: &[Reign], downs: &[Vec<(SimTime, SimTime)>]) -> u32 {
    let mut count = 0;
    for pair in reigns.windows(2) {
        let (before, after) = (pair[0], pair[1]);
        if before.node == after.node {
            continue;
        }
        let crashed = downs[before.node.index()]
            .iter()
            .any(|&(down, _)| down >= before.from && down <= after.from);
        if !crashed {
            count += 1;
        }
    }
    count
}

#[cfg(test)]
mod tests {
    fn secs(s: u64) -> SimTime {
        SimTime::from_nanos(s * 1_000_000_000)
    }

    fn reign(node: u32, from: u64, until: u64) -> Reign {
        Reign {
            node: NodeId(node),
            from: secs(from),
            until: secs(until),
        }
    }

    #[test]
    fn a_takeover_is_false_only_when_the_deposed_primary_never_crashed() {
        let s = secs;
        // 0 serves, crashes at 10; 1 takes over at 12 (a true failover), renews at 20,
        // is deposed alive at 30 by 2 (false), and 2 by 0 at 40 after 2 crashed at 38.
        let reigns = [
            reign(0, 0, 10),
            reign(1, 12, 20),
            reign(1, 20, 30),
            reign(2, 30, 38),
            reign(0, 40, 50),
        ];
        let downs = vec![vec![(s(10), s(11))], vec![], vec![(s(38), s(39))]];
        assert_eq!(false_failovers(&reigns, &downs), 1);
        // Without the crash of 0 the first takeover is a mistake too.
        let downs = vec![vec![], vec![], vec![(s(38), s(39))]];
        assert_eq!(false_failovers(&reigns, &downs), 2);
    }

    #[test]
    fn an_overlap_the_run_stops_in_counts_and_a_hand_over_does_not() {
        let e = Epoch(0);
        let none: Vec<Vec<(SimTime, SimTime)>> = vec![vec![], vec![], vec![]];
        // Node 0 hands over to node 1 at 100; node 2 starts serving at 500, the
        // instant the run stops (a violation stops it there).
        let obs = vec![
            seen(0, 0, Observation::Serving { epoch: e }),
            seen(100, 0, Observation::Stopped { epoch: e }),
            seen(100, 1, Observation::Serving { epoch: e }),
            seen(500, 2, Observation::Serving { epoch: e }),
        ];
        let r = reigns(&obs, &none, t(500));
        assert_eq!(coverage(&r, t(500)).1, SimDuration::ZERO);
        assert_eq!(overlaps(&r, t(500)), 1);
        // Without the last start, nothing overlapped.
        let r = reigns(&obs[..3], &none, t(500));
        assert_eq!(overlaps(&r, t(500)), 0);
    }

    use super::*;
    use crate::replication::primary_backup::Epoch;

    fn t(ms: u64) -> SimTime {
        SimTime::from_nanos(ms * 1_000_000)
    }

    fn seen(ms: u64, node: u32, observation: Observation) -> Observed<Observation> {
        Observed {
            time: t(ms),
            node: NodeId(node),
            observation,
        }
    }

    #[test]
    fn reigns_end_at_stop_crash_or_end_and_overlaps_are_counted() {
        let e = Epoch(0);
        let obs = vec![
            seen(0, 0, Observation::Serving { epoch: e }),
            seen(100, 1, Observation::Serving { epoch: e }),
            seen(150, 1, Observation::Stopped { epoch: e }),
            seen(300, 1, Observation::Serving { epoch: e }),
        ];
        // Node 0 crashes at 200 (down until 400).
        let downs = vec![vec![(t(200), t(400))], vec![]];
        let r = reigns(&obs, &downs, t(1000));
        assert_eq!(
            r.iter()
                .map(|r| (r.node.0, r.from, r.until))
                .collect::<Vec<_>>(),
            vec![(0, t(0), t(200)), (1, t(100), t(150)), (1, t(300), t(1000))]
        );
        let (one, two) = coverage(&r, t(1000));
        // Served: [0, 200) and [300, 1000): 900 ms; two at once: [100, 150).
        assert_eq!(one, SimDuration::from_millis(900));
        assert_eq!(two, SimDuration::from_millis(50));
        assert_eq!(overlaps(&r, t(1000)), 1);
        let f = failovers(
            &r,
            &downs,
            &[NodeId(0), NodeId(1)],
            &obs,
            &History::default(),
        );
        assert_eq!(f.len(), 1);
        assert_eq!(
            (f[0].node, f[0].crash, f[0].suspected),
            (NodeId(0), t(200), None)
        );
    }
}
