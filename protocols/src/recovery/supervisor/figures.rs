//! The supervisor's figures from a finished run: how long each service was running
//! and responsive, and how long it waited in back-off, counting only time its node was
//! up (a node that is down or paused serves nothing, whatever its process last did).

use super::Observation;
use hasim_sim::{NodeId, Observed, SimDuration, SimTime};

/// The intervals in which a flag set and cleared by `node`'s observations was set,
/// up to `end`. `flag` says what an observation does to it (`None`: nothing).
pub fn intervals(
    observations: &[Observed<Observation>],
    node: NodeId,
    end: SimTime,
    flag: impl Fn(&Observation) -> Option<bool>,
) -> Vec<(SimTime, SimTime)> {
    let mut out = Vec::new();
    let mut since: Option<SimTime> = None;
    for o in observations.iter().filter(|o| o.node == node) {
        match (flag(&o.observation), since) {
            (Some(true), None) => since = Some(o.time),
            (Some(false), Some(start)) => {
                if o.time > start {
                    out.push((start, o.time.min(end)));
                }
                since = None;
            }
            _ => {}
        }
    }
    if let Some(start) = since.filter(|&s| s < end) {
        out.push((start, end));
    }
    out
}

/// The total length of the intersection of two sorted lists of disjoint intervals.
pub fn overlap(a: &[(SimTime, SimTime)], b: &[(SimTime, SimTime)]) -> SimDuration {
    let (mut i, mut j) = (0, 0);
    let mut total = SimDuration::ZERO;
    while i < a.len() && j < b.len() {
        let start = a[i].0.max(b[j].0);
        let end = a[i].1.min(b[j].1);
        if end > start {
            total = total + (end - start);
        }
        if a[i].1 <= b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: u64) -> SimTime {
        SimTime::from_nanos(s * 1_000_000_000)
    }

    fn seen(time: u64, node: u32, observation: Observation) -> Observed<Observation> {
        Observed {
            time: t(time),
            node: NodeId(node),
            observation,
        }
    }

    #[test]
    fn availability_is_running_intersected_with_up() {
        let obs = [
            seen(0, 0, Observation::Started { attempt: 0 }),
            seen(0, 1, Observation::Started { attempt: 0 }),
            seen(30, 0, Observation::Hung),
            seen(50, 0, Observation::Killed),
            seen(
                50,
                0,
                Observation::BackOff {
                    delay: SimDuration::from_secs(10),
                },
            ),
            seen(60, 0, Observation::Started { attempt: 1 }),
        ];
        let running = intervals(&obs, NodeId(0), t(100), Observation::available);
        assert_eq!(running, [(t(0), t(30)), (t(60), t(100))]);
        // The node was down from 20 s to 70 s.
        let up = [(t(0), t(20)), (t(70), t(100))];
        assert_eq!(overlap(&running, &up), SimDuration::from_secs(50));
        let backoff = intervals(&obs, NodeId(0), t(100), Observation::backing_off);
        assert_eq!(backoff, [(t(50), t(60))]);
        assert_eq!(overlap(&backoff, &up), SimDuration::ZERO);
    }
}
