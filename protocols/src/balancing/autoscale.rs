//! Autoscaling with Kubernetes HPA semantics, as a controller co-located on the first
//! balancer.
//!
//! **The algorithm.** Every backend reports its worker utilisation over the last
//! `sync_period` (the metrics resolution). Every `sync_period` the controller takes the
//! mean over the serving backends that reported, and recommends
//! `ceil(desired × mean / target)`, or no change while `|mean / target − 1| ≤
//! tolerance`, clamped to `[replicas_min, replicas_max]`. Scale-up follows the
//! recommendation at once; scale-down goes only to the highest recommendation of the
//! stabilisation window (HPA's default behaviour). A new backend takes traffic
//! `startup_delay` after the decision; a removed one leaves the rotation at once and
//! finishes its queue.
//!
//! **What it simplifies.** Backends `0..desired` are the replicas, so the serving set
//! is always a prefix and one count describes it; spares are pre-allocated nodes out
//! of service. No HPA rate-limiting policies, no missing-metrics damping, no pod
//! restarts: a crashed replica still counts as desired and reports nothing. The
//! controller dies with balancer 0 and, from its durable desired count, resumes when
//! that balancer restarts.
//!
//! **What it promises.** `replicas_min ≤ desired ≤ replicas_max`; serving ≤ desired.

use super::params::AutoscaleParams;
use hasim_sim::{Describe, Detail, Durable, SimTime};
use std::collections::VecDeque;

/// The controller's state.
#[derive(Clone, Debug)]
pub struct Autoscaler {
    /// Replicas wanted (starting ones included).
    pub desired: u32,
    /// Replicas taking traffic: backends `0..serving`.
    pub serving: u32,
    loads: Vec<Option<f64>>,
    recommendations: VecDeque<(SimTime, u32)>,
}

impl Autoscaler {
    /// A controller with `desired` replicas all serving, over `backends` nodes. The
    /// starting count counts as recommended `now`, as if the deployment had just been
    /// created with it, so the first low reading cannot scale down at once.
    pub fn new(desired: u32, backends: u32, now: SimTime) -> Autoscaler {
        Autoscaler {
            desired,
            serving: desired,
            loads: vec![None; backends as usize],
            recommendations: VecDeque::from([(now, desired)]),
        }
    }

    /// A backend's utilisation report.
    pub fn load(&mut self, backend: u32, utilisation: f64) {
        if let Some(l) = self.loads.get_mut(backend as usize) {
            *l = Some(utilisation);
        }
    }

    /// One sync: the new desired count when it changes, as (from, to).
    pub fn decide(&mut self, p: &AutoscaleParams, now: SimTime) -> Option<(u32, u32)> {
        let reports: Vec<f64> = self.loads[..self.serving as usize]
            .iter()
            .flatten()
            .copied()
            .collect();
        self.loads.iter_mut().for_each(|l| *l = None);
        if reports.is_empty() {
            return None;
        }
        let mean = reports.iter().sum::<f64>() / reports.len() as f64;
        let ratio = mean / p.target;
        let recommendation = if (ratio - 1.0).abs() <= p.tolerance {
            self.desired
        } else {
            let raw = (f64::from(self.desired) * ratio).ceil();
            (raw.min(f64::from(p.replicas_max)) as u32).clamp(p.replicas_min, p.replicas_max)
        };
        self.recommendations.push_back((now, recommendation));
        while self
            .recommendations
            .front()
            .is_some_and(|&(t, _)| now.saturating_since(t) > p.stabilisation)
        {
            self.recommendations.pop_front();
        }
        let down_floor = self
            .recommendations
            .iter()
            .map(|&(_, r)| r)
            .max()
            .unwrap_or(recommendation);
        let next = if recommendation > self.desired {
            recommendation
        } else {
            down_floor.min(self.desired)
        };
        let from = self.desired;
        if next == from {
            return None;
        }
        self.desired = next;
        self.serving = self.serving.min(next);
        Some((from, next))
    }

    /// New replicas up to `count` finished starting.
    pub fn ready(&mut self, count: u32) {
        self.serving = self.serving.max(count.min(self.desired));
    }
}

/// What survives a crash of the balancer that hosts the controller.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Replicas {
    /// The last desired count, if the controller ever decided one.
    pub desired: Option<u32>,
}

/// A durable write: the new desired count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SetReplicas(pub u32);

impl Describe for SetReplicas {
    fn describe(&self, d: &mut Detail<'_>) {
        d.name("replicas").u64("desired", u64::from(self.0));
    }
}

impl Durable for Replicas {
    type Write = SetReplicas;
    fn apply(&mut self, write: &SetReplicas) {
        self.desired = Some(write.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hasim_sim::SimDuration;

    fn at(s: u64) -> SimTime {
        SimTime::from_nanos(s * 1_000_000_000)
    }

    #[test]
    fn scales_up_at_once_and_down_after_the_window() {
        let p = AutoscaleParams {
            target: 0.5,
            stabilisation: SimDuration::from_secs(60),
            replicas_max: 8,
            ..AutoscaleParams::default()
        };
        let mut a = Autoscaler::new(2, 8, SimTime::ZERO);
        a.load(0, 1.0);
        a.load(1, 1.0);
        assert_eq!(a.decide(&p, at(15)), Some((2, 4)));
        a.ready(4);
        // Within tolerance: no change.
        (0..4).for_each(|b| a.load(b, 0.52));
        assert_eq!(a.decide(&p, at(30)), None);
        // Low load: the 4 recommended at 15 s holds the count until it ages out.
        (0..4).for_each(|b| a.load(b, 0.1));
        assert_eq!(a.decide(&p, at(45)), None);
        (0..4).for_each(|b| a.load(b, 0.1));
        assert_eq!(a.decide(&p, at(100)), Some((4, 1)));
        assert_eq!(a.serving, 1);
    }
}
