//! The figures that judge a failure detector (Chen, Toueg, Aguilera 2002): how fast it
//! detects a failure, how often and how long it suspects a live node, and what it costs
//! in messages, computed from a finished run.
//!
//! Definitions, used consistently by every detector:
//! - A node is **live** while its status is up. A paused node is unresponsive, so a
//!   pause counts as a failure, exactly like a crash, and suspecting a paused node is
//!   correct, not a mistake.
//! - A **failure** of a target is a maximal interval during which it is not live,
//!   beginning with a crash or pause of a live node (a node kept down from the start
//!   has no failure). Only targets some node watches count.
//! - A monitor **suspects** a target from its Suspect (or Confirm) observation until
//!   its next Trust observation, or until the monitor itself crashes (its state is
//!   gone); a pause keeps the suspicion.
//! - The **eligible monitors** of a failure are the target's watchers that are live
//!   when it begins. Each detects it at the first moment within the failure that it
//!   suspects the target (the beginning, if it already did), unless it crashes first,
//!   in which case it drops out. **Detection time (first)** runs from the beginning of
//!   the failure to the first eligible monitor's detection; **(all)** to the last, when
//!   every eligible monitor that did not drop out detected it. For SWIM every other
//!   member is a monitor, so "all" means every live member has the failure. The
//!   `confirm_` figures do the same for Confirm alone. **Dissemination time** runs
//!   from the first eligible monitor's detection to the last one's (all − first).
//! - A suspicion is **false** when it begins while its target is live; its false part
//!   ends when the suspicion does, or when the target stops being live. A **false
//!   suspicion** of a target is a maximal interval during which at least one monitor
//!   falsely suspects it (monitors' overlapping mistakes are one mistake of the
//!   system); `false_suspicions_by_monitors` counts them per monitor instead. Rates are
//!   per hour of live target time.
//! - **Message cost** is every detector message sent (the `detection_messages`
//!   counter), per node of the run per second of the run.
//!
//! The node timelines, not the fault schedule, say when nodes failed: a scheduled
//! crash of a node that is already down changes nothing, and the timeline knows.

use super::{Detector, DetectorObservation, MESSAGES_COUNTER};
use hasim_sim::{Inspect, NodeId, SimDuration, SimTime, Status, Timeline};
use std::collections::BTreeMap;

/// One failure of a target and how the monitors detected it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    /// The failed node.
    pub target: NodeId,
    /// When it stopped being live.
    pub failed_at: SimTime,
    /// When it was live again (`None`: still failed when the run ended).
    pub recovered_at: Option<SimTime>,
    /// Watchers live when it failed.
    pub monitors: u32,
    /// Time to the first monitor's suspicion.
    pub first: Option<SimDuration>,
    /// Time to suspicion by every eligible monitor.
    pub all: Option<SimDuration>,
    /// Time to the first monitor's confirmation.
    pub confirm_first: Option<SimDuration>,
    /// Time to confirmation by every eligible monitor.
    pub confirm_all: Option<SimDuration>,
}

/// A maximal interval during which at least one monitor falsely suspected a live target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FalseSuspicion {
    /// The live node suspected.
    pub target: NodeId,
    /// When the first monitor began to suspect it.
    pub start: SimTime,
    /// How long some monitor suspected it while it was live.
    pub duration: SimDuration,
    /// How many monitors' suspicions it merges.
    pub monitors: u32,
}

/// Everything the figures are computed from, kept so tests can look closer.
#[derive(Clone, Debug, Default)]
pub struct DetectionReport {
    /// Every failure of a watched node, in order of target, then time.
    pub detections: Vec<Detection>,
    /// Every false suspicion, in order of target, then time.
    pub false_suspicions: Vec<FalseSuspicion>,
    /// False suspicions counted per monitor.
    pub false_suspicions_by_monitors: u64,
    /// Total live time of watched nodes.
    pub live_time: SimDuration,
    /// Detector messages sent.
    pub messages: u64,
    /// Nodes in the run.
    pub nodes: u32,
    /// The end of the run.
    pub end: SimTime,
}

/// One monitor's suspicion of one target.
#[derive(Clone, Copy, Debug)]
struct Span {
    monitor: NodeId,
    start: SimTime,
    end: SimTime,
    confirmed_at: Option<SimTime>,
}

/// The status of a node at `at`, from its timeline (down before its first change).
fn status_at(timeline: &Timeline, at: SimTime) -> Status {
    let changes = timeline.changes();
    let i = changes.partition_point(|&(t, _)| t <= at);
    if i == 0 {
        Status::Down
    } else {
        changes[i - 1].1
    }
}

/// The first time after `after` at which the node goes down.
fn next_down(timeline: &Timeline, after: SimTime) -> Option<SimTime> {
    timeline
        .changes()
        .iter()
        .find(|&&(t, s)| t > after && s == Status::Down)
        .map(|&(t, _)| t)
}

/// The first time after `after` at which the node stops being live.
fn next_failure(timeline: &Timeline, after: SimTime) -> Option<SimTime> {
    timeline
        .changes()
        .iter()
        .find(|&&(t, s)| t > after && s != Status::Up)
        .map(|&(t, _)| t)
}

impl DetectionReport {
    /// Analyses a run of `nodes` nodes that ended at `end`: `timeline(n)` is node n's
    /// status history, `observations` the detector observations in the order they
    /// were made (time, observing node, observation), `watches(m, t)` whether m
    /// monitors t, and `messages` the detector messages sent.
    pub fn new<'t>(
        nodes: u32,
        end: SimTime,
        timeline: impl Fn(NodeId) -> &'t Timeline,
        observations: impl IntoIterator<Item = (SimTime, NodeId, DetectorObservation)>,
        watches: impl Fn(NodeId, NodeId) -> bool,
        messages: u64,
    ) -> Self {
        // Suspicion spans per target, built in observation order.
        let mut open: BTreeMap<(NodeId, NodeId), Span> = BTreeMap::new();
        let mut spans: Vec<Vec<Span>> = vec![Vec::new(); nodes as usize];
        for (time, monitor, observation) in observations {
            let target = observation.target();
            if target.0 >= nodes {
                continue;
            }
            let key = (target, monitor);
            if let Some(span) = open.get(&key).copied() {
                if let Some(down) = next_down(timeline(monitor), span.start).filter(|&d| d <= time)
                {
                    spans[target.index()].push(Span { end: down, ..span });
                    open.remove(&key);
                }
            }
            match observation {
                DetectorObservation::Suspect { .. } | DetectorObservation::Confirm { .. } => {
                    let confirmed = matches!(observation, DetectorObservation::Confirm { .. });
                    let span = open.entry(key).or_insert(Span {
                        monitor,
                        start: time,
                        end: end.max(time),
                        confirmed_at: None,
                    });
                    if confirmed && span.confirmed_at.is_none() {
                        span.confirmed_at = Some(time);
                    }
                }
                DetectorObservation::Trust { .. } => {
                    if let Some(span) = open.remove(&key) {
                        spans[target.index()].push(Span { end: time, ..span });
                    }
                }
            }
        }
        for ((target, monitor), span) in open {
            let down = next_down(timeline(monitor), span.start).unwrap_or(span.end);
            spans[target.index()].push(Span {
                end: down.min(span.end),
                ..span
            });
        }

        let mut report = DetectionReport {
            messages,
            nodes,
            end,
            ..DetectionReport::default()
        };
        for t in (0..nodes).map(NodeId) {
            let watchers: Vec<NodeId> = (0..nodes)
                .map(NodeId)
                .filter(|&m| m != t && watches(m, t))
                .collect();
            if watchers.is_empty() {
                continue;
            }
            let target_timeline = timeline(t);
            report.live_time =
                report.live_time + target_timeline.time_in(Status::Up, SimTime::ZERO, end);
            let spans_t = &mut spans[t.index()];
            spans_t.sort_by_key(|s| (s.start, s.monitor));
            report.add_failures(t, target_timeline, &watchers, spans_t, &timeline);
            report.add_false_suspicions(t, target_timeline, spans_t);
        }
        report
    }

    fn add_failures<'t>(
        &mut self,
        target: NodeId,
        target_timeline: &Timeline,
        watchers: &[NodeId],
        spans: &[Span],
        timeline: &impl Fn(NodeId) -> &'t Timeline,
    ) {
        let end = self.end;
        let mut previous = Status::Down;
        let changes = target_timeline.changes();
        for (i, &(at, status)) in changes.iter().enumerate() {
            let begins = previous == Status::Up && status != Status::Up && at < end;
            previous = status;
            if !begins {
                continue;
            }
            let recovered_at = changes[i + 1..]
                .iter()
                .find(|&&(_, s)| s == Status::Up)
                .map(|&(t, _)| t)
                .filter(|&t| t < end);
            let until = recovered_at.unwrap_or(end);
            let mut detection = Detection {
                target,
                failed_at: at,
                recovered_at,
                monitors: 0,
                first: None,
                all: None,
                confirm_first: None,
                confirm_all: None,
            };
            let (mut suspect_all, mut confirm_all) =
                (Some(SimDuration::ZERO), Some(SimDuration::ZERO));
            for &m in watchers {
                let monitor_timeline = timeline(m);
                if status_at(monitor_timeline, at) != Status::Up {
                    continue;
                }
                let drops_out = next_down(monitor_timeline, at).unwrap_or(SimTime::MAX);
                let mine = spans.iter().filter(|s| s.monitor == m);
                let suspect = mine
                    .clone()
                    .filter(|s| s.end > at && s.start < until)
                    .map(|s| s.start.max(at))
                    .min()
                    .filter(|&d| d < drops_out);
                let confirm = mine
                    .filter_map(|s| s.confirmed_at.map(|c| (c, s.end)))
                    .filter(|&(c, e)| e > at && c < until)
                    .map(|(c, _)| c.max(at))
                    .min()
                    .filter(|&d| d < drops_out);
                if suspect.is_none() && drops_out < until {
                    continue;
                }
                detection.monitors += 1;
                let fold = |best: &mut Option<SimDuration>,
                            all: &mut Option<SimDuration>,
                            d: Option<SimTime>| {
                    match d.map(|d| d - at) {
                        Some(d) => {
                            *best = Some(best.map_or(d, |b| b.min(d)));
                            *all = all.map(|a| a.max(d));
                        }
                        None => *all = None,
                    }
                };
                fold(&mut detection.first, &mut suspect_all, suspect);
                fold(&mut detection.confirm_first, &mut confirm_all, confirm);
            }
            if detection.monitors > 0 {
                detection.all = suspect_all;
                detection.confirm_all = confirm_all;
            }
            self.detections.push(detection);
        }
    }

    fn add_false_suspicions(&mut self, target: NodeId, target_timeline: &Timeline, spans: &[Span]) {
        let mut parts: Vec<(SimTime, SimTime)> = Vec::new();
        for s in spans {
            if status_at(target_timeline, s.start) != Status::Up {
                continue;
            }
            self.false_suspicions_by_monitors += 1;
            let stop = next_failure(target_timeline, s.start).unwrap_or(SimTime::MAX);
            let end = s.end.min(stop).min(self.end);
            parts.push((s.start, end.max(s.start)));
        }
        parts.sort_unstable();
        let mut merged: Option<(SimTime, SimTime, u32)> = None;
        for (start, end) in parts {
            merged = match merged {
                Some((a, b, n)) if start <= b => Some((a, b.max(end), n + 1)),
                Some((a, b, n)) => {
                    self.push_false(target, a, b, n);
                    Some((start, end, 1))
                }
                None => Some((start, end, 1)),
            };
        }
        if let Some((a, b, n)) = merged {
            self.push_false(target, a, b, n);
        }
    }

    fn push_false(&mut self, target: NodeId, start: SimTime, end: SimTime, monitors: u32) {
        self.false_suspicions.push(FalseSuspicion {
            target,
            start,
            duration: end - start,
            monitors,
        });
    }

    /// The report of a detector's run: a run of the detector alone, or a projection of
    /// a composed run onto the detector part (same figures, in the part's ids).
    pub fn of<D: Detector>(sim: &impl Inspect<D>) -> Self {
        let nodes = sim.node_count();
        let detector = sim.protocol();
        DetectionReport::new(
            nodes,
            sim.now(),
            |n| sim.timeline(n),
            sim.observations()
                .iter()
                .map(|o| (o.time, o.node, o.observation)),
            |m, t| detector.watches(m, t, nodes),
            sim.metrics().counter(MESSAGES_COUNTER),
        )
    }

    /// The named figures, in seconds, counts and rates; a figure without data (no
    /// failure detected, say) is left out rather than reported as zero.
    pub fn figures(&self) -> BTreeMap<String, f64> {
        let mut f = BTreeMap::new();
        let mut put = |name: &str, value: f64| {
            f.insert(name.to_string(), value);
        };
        put("failures", self.detections.len() as f64);
        let count = |pick: fn(&Detection) -> Option<SimDuration>| {
            self.detections.iter().filter_map(pick).collect::<Vec<_>>()
        };
        let first = count(|d| d.first);
        let all = count(|d| d.all);
        put("failures_detected", first.len() as f64);
        put("failures_detected_all", all.len() as f64);
        spread(&mut put, "detection_first", &first, true);
        spread(&mut put, "detection_all", &all, false);
        // Dissemination: how long the news takes to travel from the first monitor that
        // suspects a failure to the last eligible one (for SWIM, gossip reaching every
        // live member); only failures every eligible monitor suspected have one.
        let dissemination: Vec<SimDuration> = self
            .detections
            .iter()
            .filter_map(|d| Some(d.all? - d.first?))
            .collect();
        spread(&mut put, "dissemination", &dissemination, false);
        spread(
            &mut put,
            "confirm_first",
            &count(|d| d.confirm_first),
            false,
        );
        spread(&mut put, "confirm_all", &count(|d| d.confirm_all), false);

        let live_hours = self.live_time.as_secs_f64() / 3600.0;
        put("live_node_hours", live_hours);
        let mistakes: Vec<SimDuration> = self.false_suspicions.iter().map(|s| s.duration).collect();
        put("false_suspicions", mistakes.len() as f64);
        put(
            "false_suspicions_by_monitors",
            self.false_suspicions_by_monitors as f64,
        );
        if live_hours > 0.0 {
            put(
                "false_suspicions_per_node_hour",
                mistakes.len() as f64 / live_hours,
            );
            let wrong: f64 = mistakes.iter().map(|d| d.as_secs_f64()).sum();
            put(
                "false_suspicion_fraction",
                wrong / self.live_time.as_secs_f64(),
            );
        }
        spread(&mut put, "false_suspicion_duration", &mistakes, false);

        put("messages", self.messages as f64);
        let node_seconds = f64::from(self.nodes) * self.end.as_secs_f64();
        if node_seconds > 0.0 {
            put(
                "messages_per_node_second",
                self.messages as f64 / node_seconds,
            );
        }
        f
    }
}

/// `<name>_mean_s` and `<name>_max_s` of some durations (and min, p50 and p99 when
/// `full`), if there are any.
fn spread(put: &mut impl FnMut(&str, f64), name: &str, values: &[SimDuration], full: bool) {
    if values.is_empty() {
        return;
    }
    let mut nanos: Vec<u64> = values.iter().map(|d| d.as_nanos()).collect();
    nanos.sort_unstable();
    let secs = |n: u64| n as f64 / 1e9;
    let sum: u128 = nanos.iter().map(|&n| u128::from(n)).sum();
    put(
        &format!("{name}_mean_s"),
        sum as f64 / nanos.len() as f64 / 1e9,
    );
    put(&format!("{name}_max_s"), secs(nanos[nanos.len() - 1]));
    if full {
        let rank = |q: f64| {
            let r = libm::ceil(q * nanos.len() as f64) as usize;
            nanos[r.clamp(1, nanos.len()) - 1]
        };
        put(&format!("{name}_min_s"), secs(nanos[0]));
        put(&format!("{name}_p50_s"), secs(rank(0.5)));
        put(&format!("{name}_p99_s"), secs(rank(0.99)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: u64) -> SimDuration {
        SimDuration::from_secs(s)
    }

    fn detection(first: Option<u64>, all: Option<u64>) -> Detection {
        Detection {
            target: NodeId(1),
            failed_at: SimTime::ZERO + secs(10),
            recovered_at: None,
            monitors: 4,
            first: first.map(secs),
            all: all.map(secs),
            confirm_first: None,
            confirm_all: None,
        }
    }

    fn mistake() -> FalseSuspicion {
        FalseSuspicion {
            target: NodeId(2),
            start: SimTime::ZERO + secs(1),
            duration: secs(2),
            monitors: 1,
        }
    }

    #[test]
    fn dissemination_runs_from_the_first_detection_to_the_last() {
        // Spread of 3 s and of 1 s; a failure not every monitor suspected and one
        // nobody did have no dissemination time and must not count.
        let report = DetectionReport {
            detections: vec![
                detection(Some(1), Some(4)),
                detection(Some(2), Some(3)),
                detection(Some(1), None),
                detection(None, None),
            ],
            false_suspicions: vec![mistake(), mistake(), mistake()],
            live_time: secs(2 * 3600),
            nodes: 5,
            end: SimTime::ZERO + secs(3600),
            ..DetectionReport::default()
        };
        let f = report.figures();
        assert_eq!(f["dissemination_mean_s"], 2.0);
        assert_eq!(f["dissemination_max_s"], 3.0);
        assert_eq!(f["detection_all_mean_s"], 3.5);
        assert_eq!(f["failures_detected_all"], 2.0);
        // Three mistakes over two live node-hours.
        assert_eq!(f["false_suspicions_per_node_hour"], 1.5);
        // 6 s wrongly suspected of 7,200 live seconds.
        assert!((f["false_suspicion_fraction"] - 6.0 / 7200.0).abs() < 1e-15);
    }

    #[test]
    fn no_dissemination_without_a_failure_every_monitor_detected() {
        let report = DetectionReport {
            detections: vec![detection(Some(1), None)],
            live_time: secs(3600),
            ..DetectionReport::default()
        };
        let f = report.figures();
        assert!(!f.contains_key("dissemination_mean_s"), "{f:?}");
        assert_eq!(f["false_suspicions_per_node_hour"], 0.0);
    }
}
