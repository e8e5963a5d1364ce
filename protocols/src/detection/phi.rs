//! Phi accrual (Hayashibara, Défago, Yared, Katayama 2004), as Akka and Cassandra run
//! it: suspicion as a level that rises with silence, judged against a threshold.
//!
//! Watched nodes push a heartbeat every `interval`. A monitor keeps, per target, a
//! sliding window of the last `window` inter-arrival times and fits a normal
//! distribution to them (mean μ, standard deviation σ, floored at `min_sd`). With
//! `acceptable_pause` added to the mean, the suspicion level `t` after the last
//! heartbeat is
//!
//! ```text
//! phi(t) = -log10(1 - CDF(t)),   CDF(t) = ½·erfc(-(t - μ - pause) / (σ·√2))
//! ```
//!
//! and the target is suspected once phi exceeds `threshold`. Since phi grows with t,
//! the crossing is a deadline: last arrival + μ + pause + σ·z, where z solves
//! ½·erfc(z/√2) = 10^(−threshold) once for all. The monitor arms a timer at that
//! deadline instead of polling phi, so detection is exact, not rounded to a poll.
//!
//! As in Akka: the window starts with two samples, `first_estimate` ± a quarter of it;
//! an interval that ends a suspicion is not added to the window (it measures the
//! outage, not the heartbeats); before the first heartbeat the monitor's own start
//! stands in for the last arrival. All maths goes through `libm`, so phi is the same
//! on every platform.
//!
//! Simplifies: heartbeats as in [`heartbeat`](super::heartbeat) push mode (random
//! phase, fixed period); a restarted monitor starts with fresh windows.
//!
//! Promises: a target is suspected exactly when phi first exceeds the threshold
//! (to the nanosecond) and trusted at its next heartbeat; the window never holds more
//! than `window` samples.

use super::{positive, send, Detector, DetectorObservation, InvalidParams, Monitors};
use hasim_sim::{Ctx, Describe, Detail, NodeId, Protocol, SimDuration, SimTime};
use serde::{Deserialize, Serialize};

/// Parameters of [`PhiAccrual`]; the defaults are Akka cluster's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PhiAccrualParams {
    /// Time between heartbeats (default 1s).
    pub interval: SimDuration,
    /// Phi above which a target is suspected (default 8).
    pub threshold: f64,
    /// Inter-arrival samples kept (default 1000).
    pub window: u32,
    /// Floor on the fitted standard deviation (default 100ms).
    pub min_sd: SimDuration,
    /// Silence tolerated on top of the mean interval (default 3s).
    pub acceptable_pause: SimDuration,
    /// Expected interval before any heartbeat arrived (default 1s).
    pub first_estimate: SimDuration,
    /// One central monitor (node 0) or all-to-all (default one).
    pub monitors: Monitors,
}

impl Default for PhiAccrualParams {
    fn default() -> Self {
        PhiAccrualParams {
            interval: SimDuration::from_secs(1),
            threshold: 8.0,
            window: 1000,
            min_sd: SimDuration::from_millis(100),
            acceptable_pause: SimDuration::from_secs(3),
            first_estimate: SimDuration::from_secs(1),
            monitors: Monitors::One,
        }
    }
}

/// The phi accrual detector. See the module documentation.
#[derive(Clone, Debug)]
pub struct PhiAccrual {
    params: PhiAccrualParams,
    /// Standard deviations above the mean at which phi equals the threshold.
    z: f64,
}

/// The suspicion level `elapsed` seconds after the last heartbeat, for inter-arrival
/// times with `mean` and `sd` (seconds; `mean` includes any acceptable pause).
pub fn phi(elapsed: f64, mean: f64, sd: f64) -> f64 {
    let tail = 0.5 * libm::erfc((elapsed - mean) / (sd * core::f64::consts::SQRT_2));
    -libm::log10(tail)
}

/// The z at which `phi(mean + z·sd, mean, sd) == threshold`, by bisection (phi is
/// increasing in z).
fn crossing(threshold: f64) -> f64 {
    let (mut low, mut high) = (-40.0_f64, 40.0_f64);
    for _ in 0..200 {
        let mid = 0.5 * (low + high);
        if phi(mid, 0.0, 1.0) < threshold {
            low = mid;
        } else {
            high = mid;
        }
    }
    high
}

impl PhiAccrual {
    /// A detector with validated parameters.
    pub fn new(params: PhiAccrualParams) -> Result<Self, InvalidParams> {
        positive("interval", params.interval)?;
        positive("min_sd", params.min_sd)?;
        positive("first_estimate", params.first_estimate)?;
        if !(params.threshold > 0.0 && params.threshold <= 300.0) {
            return Err(InvalidParams::rule(format!(
                "threshold: {} is not in (0, 300]",
                params.threshold
            )));
        }
        if params.window < 2 {
            return Err(InvalidParams::field(
                "window",
                "must hold at least 2 samples",
            ));
        }
        let z = crossing(params.threshold);
        Ok(PhiAccrual { params, z })
    }

    /// The parameters.
    pub fn params(&self) -> &PhiAccrualParams {
        &self.params
    }

    /// The silence after the last heartbeat at which phi crosses the threshold.
    fn patience(&self, window: &Window) -> SimDuration {
        let mean = window.mean() + self.params.acceptable_pause.as_secs_f64();
        let sd = window.sd().max(self.params.min_sd.as_secs_f64());
        SimDuration::from_secs_f64(mean + sd * self.z)
    }
}

/// Phi accrual messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Msg {
    /// A pushed heartbeat.
    Beat {
        /// The sender's heartbeat count.
        seq: u64,
    },
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        let Msg::Beat { seq } = *self;
        d.name("beat").u64("seq", seq);
    }
}

/// Phi accrual timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// Send heartbeats.
    Round,
    /// Has phi of `target` crossed the threshold?
    Check {
        /// The target whose deadline may have passed.
        target: NodeId,
    },
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Timer::Round => d.name("round"),
            Timer::Check { target } => d.name("check").node("target", target),
        };
    }
}

/// A sliding window of inter-arrival times with running sums, in nanoseconds.
#[derive(Clone, Debug)]
pub struct Window {
    samples: Vec<u64>,
    capacity: usize,
    /// Where the next sample goes once the window is full.
    next: usize,
    sum: u128,
    squares: u128,
}

impl Window {
    fn new(capacity: usize, first_estimate: SimDuration) -> Self {
        let mut w = Window {
            samples: Vec::new(),
            capacity,
            next: 0,
            sum: 0,
            squares: 0,
        };
        let (mean, sd) = (first_estimate.as_nanos(), first_estimate.as_nanos() / 4);
        w.push(mean - sd);
        w.push(mean + sd);
        w
    }

    fn push(&mut self, x: u64) {
        if self.samples.len() < self.capacity {
            self.samples.push(x);
        } else {
            let old = core::mem::replace(&mut self.samples[self.next], x);
            self.sum -= u128::from(old);
            self.squares -= u128::from(old) * u128::from(old);
            self.next = (self.next + 1) % self.capacity;
        }
        self.sum += u128::from(x);
        self.squares += u128::from(x) * u128::from(x);
    }

    /// Mean interval, seconds.
    pub fn mean(&self) -> f64 {
        self.sum as f64 / self.samples.len() as f64 / 1e9
    }

    /// Population standard deviation, seconds.
    pub fn sd(&self) -> f64 {
        let n = self.samples.len() as f64;
        let mean = self.sum as f64 / n;
        let variance = (self.squares as f64 / n - mean * mean).max(0.0);
        libm::sqrt(variance) / 1e9
    }
}

/// What a monitor knows of one target.
#[derive(Clone, Debug)]
pub struct Target {
    /// Local time of the last heartbeat (the monitor's start before any).
    last: SimTime,
    arrived: bool,
    window: Window,
    suspected: bool,
    checking: bool,
}

/// A node's phi accrual state.
#[derive(Clone, Debug)]
pub struct State {
    seq: u64,
    /// Indexed by `NodeId`; only watched targets have a window.
    targets: Vec<Option<Target>>,
    monitors: Vec<NodeId>,
    suspected: u32,
}

impl Protocol for PhiAccrual {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = ();
    /// How many nodes this node suspects.
    type View = u32;
    type Observation = DetectorObservation;

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> State {
        let (me, nodes, now) = (ctx.id(), ctx.node_count(), ctx.now());
        let p = &self.params;
        let mut targets = Vec::with_capacity(nodes as usize);
        for t in (0..nodes).map(NodeId) {
            if !p.monitors.watches(me, t) {
                targets.push(None);
                continue;
            }
            let window = Window::new(p.window as usize, p.first_estimate);
            ctx.set_timer(self.patience(&window), Timer::Check { target: t });
            targets.push(Some(Target {
                last: now,
                arrived: false,
                window,
                suspected: false,
                checking: true,
            }));
        }
        let monitors: Vec<NodeId> = (0..nodes)
            .map(NodeId)
            .filter(|&m| p.monitors.watches(m, me))
            .collect();
        if !monitors.is_empty() {
            let phase = 1 + ctx.rng().below(p.interval.as_nanos());
            ctx.set_timer(SimDuration::from_nanos(phase), Timer::Round);
        }
        State {
            seq: 0,
            targets,
            monitors,
            suspected: 0,
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, _: Msg) {
        let now = ctx.now();
        let Some(Some(t)) = state.targets.get_mut(source.index()) else {
            return;
        };
        if t.arrived && !t.suspected {
            t.window.push(now.saturating_since(t.last).as_nanos());
        }
        t.arrived = true;
        t.last = now;
        if t.suspected {
            t.suspected = false;
            state.suspected -= 1;
            ctx.observe(DetectorObservation::Trust { target: source });
        }
        if !t.checking {
            t.checking = true;
            let after = self.patience(&t.window);
            ctx.set_timer(after, Timer::Check { target: source });
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        match timer {
            Timer::Round => {
                state.seq += 1;
                let seq = state.seq;
                for i in 0..state.monitors.len() {
                    send(ctx, state.monitors[i], Msg::Beat { seq });
                }
                ctx.set_timer(self.params.interval, Timer::Round);
            }
            Timer::Check { target } => {
                let now = ctx.now();
                let Some(Some(t)) = state.targets.get_mut(target.index()) else {
                    return;
                };
                let deadline = t.last.saturating_add(self.patience(&t.window));
                if now < deadline {
                    ctx.set_timer(deadline - now, Timer::Check { target });
                } else {
                    t.checking = false;
                    if !t.suspected {
                        t.suspected = true;
                        state.suspected += 1;
                        ctx.observe(DetectorObservation::Suspect { target });
                    }
                }
            }
        }
    }

    fn view(&self, state: &State) -> u32 {
        self.suspected(state)
    }
}

impl Detector for PhiAccrual {
    fn watches(&self, monitor: NodeId, target: NodeId, _: u32) -> bool {
        self.params.monitors.watches(monitor, target)
    }

    fn suspects(&self, state: &State, target: NodeId) -> bool {
        matches!(state.targets.get(target.index()), Some(Some(t)) if t.suspected)
    }

    fn suspected(&self, state: &State) -> u32 {
        state.suspected
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crossing_is_where_phi_meets_the_threshold() {
        for threshold in [1.0, 3.0, 8.0, 12.0] {
            let z = crossing(threshold);
            assert!((phi(z, 0.0, 1.0) - threshold).abs() < 1e-9, "{threshold}");
        }
        // Three standard deviations: 1 - CDF(3) = 0.00135, phi = 2.87.
        assert!((phi(3.0, 0.0, 1.0) - 2.8697).abs() < 1e-3);
    }

    #[test]
    fn window_keeps_running_moments() {
        let mut w = Window::new(3, SimDuration::from_secs(1));
        assert!((w.mean() - 1.0).abs() < 1e-12);
        assert!((w.sd() - 0.25).abs() < 1e-12);
        for ms in [100, 200, 300] {
            w.push(ms * 1_000_000);
        }
        assert!((w.mean() - 0.2).abs() < 1e-12);
        assert!((w.sd() - libm::sqrt(2.0 / 300.0)).abs() < 1e-9);
    }
}
