//! The backend role: a server with a number of worker slots and a bounded FIFO queue.
//!
//! A request finding a free worker starts at once; otherwise it waits in the queue; a
//! full queue rejects it at once with an error answer (HTTP 503). Service times are
//! drawn from a distribution when service starts. The engine has no "slow" or
//! "flapping" fault, so both are backend behaviour driven by schedules in the
//! parameters: a service started during a slow window takes `factor` times longer,
//! and in the failing phase of a flap every request and health check fails at once.
//! Health checks are answered at once, off the worker pool (a light endpoint), so a
//! slow backend passes them. A crash loses the queue and the work in progress.
//!
//! The backend keeps time integrals of busy workers and queue length over its current
//! incarnation, for the utilisation and queue-length figures.

use super::message::{Msg, Timer};
use super::params::BackendParams;
use super::Balancing;
use hasim_sim::{Ctx, NodeId, SimDuration, SimTime};
use std::collections::VecDeque;

#[derive(Clone, Copy, Debug)]
struct Job {
    source: NodeId,
    rid: u64,
    arrived: SimTime,
}

/// A backend's volatile state.
#[derive(Debug)]
pub struct Backend {
    index: u32,
    slots: Vec<Option<Job>>,
    busy: u32,
    queue: VecDeque<Job>,
    started: SimTime,
    last: SimTime,
    /// ∫ busy workers dt, in worker-nanoseconds.
    busy_area: u128,
    /// ∫ queue length dt, in request-nanoseconds.
    queue_area: u128,
    reported_area: u128,
    reported_at: SimTime,
}

impl Backend {
    /// Starts backend number `index`.
    pub fn start(cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, index: u32) -> Backend {
        let now = ctx.now();
        if let Some(a) = &cfg.params.autoscale {
            ctx.set_timer(a.sync_period, Timer::Report);
        }
        Backend {
            index,
            slots: vec![None; cfg.params.backend.workers as usize],
            busy: 0,
            queue: VecDeque::new(),
            started: now,
            last: now,
            busy_area: 0,
            queue_area: 0,
            reported_area: 0,
            reported_at: now,
        }
    }

    fn account(&mut self, now: SimTime) {
        let dt = u128::from(now.saturating_since(self.last).as_nanos());
        self.busy_area += u128::from(self.busy) * dt;
        self.queue_area += self.queue.len() as u128 * dt;
        self.last = now;
    }

    /// Handles a message.
    pub fn on_message(
        &mut self,
        cfg: &Balancing,
        ctx: &mut impl Ctx<Balancing>,
        source: NodeId,
        msg: Msg,
    ) {
        let p = &cfg.params.backend;
        let now = ctx.now();
        match msg {
            Msg::Forward { rid, .. } => {
                if failing(p, self.index, now) {
                    ctx.count("backend_failed", 1);
                    ctx.send(source, Msg::Reply { rid, ok: false });
                    return;
                }
                self.account(now);
                let job = Job {
                    source,
                    rid,
                    arrived: now,
                };
                if let Some(slot) = self.slots.iter().position(Option::is_none) {
                    self.serve(cfg, ctx, slot, job);
                } else if self.queue.len() < p.queue_max as usize {
                    self.queue.push_back(job);
                } else {
                    ctx.count("backend_rejected", 1);
                    ctx.send(source, Msg::Reply { rid, ok: false });
                }
            }
            Msg::Probe { seq } => {
                let healthy = !failing(p, self.index, now);
                ctx.send(source, Msg::ProbeReply { seq, healthy });
            }
            _ => {}
        }
    }

    fn serve(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, slot: usize, job: Job) {
        let p = &cfg.params.backend;
        let now = ctx.now();
        let wait = now.saturating_since(job.arrived);
        ctx.count("backend_served", 1);
        if !wait.is_zero() {
            ctx.count("backend_waited", 1);
        }
        ctx.sample("backend_wait", wait);
        let mut service = p.service.sample(ctx.rng());
        let factor = slow_factor(p, self.index, now);
        if factor != 1.0 {
            service = SimDuration::from_secs_f64(service.as_secs_f64() * factor);
        }
        self.slots[slot] = Some(job);
        self.busy += 1;
        ctx.set_timer(service, Timer::Done { slot: slot as u32 });
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, timer: Timer) {
        let now = ctx.now();
        match timer {
            Timer::Done { slot } => {
                self.account(now);
                let Some(job) = self.slots[slot as usize].take() else {
                    return;
                };
                self.busy -= 1;
                ctx.send(
                    job.source,
                    Msg::Reply {
                        rid: job.rid,
                        ok: true,
                    },
                );
                if let Some(next) = self.queue.pop_front() {
                    self.serve(cfg, ctx, slot as usize, next);
                }
            }
            Timer::Report => {
                let Some(a) = &cfg.params.autoscale else {
                    return;
                };
                self.account(now);
                let span = now.saturating_since(self.reported_at).as_nanos();
                let capacity = u128::from(cfg.params.backend.workers) * u128::from(span.max(1));
                let ppm = (self.busy_area - self.reported_area) * 1_000_000 / capacity;
                self.reported_area = self.busy_area;
                self.reported_at = now;
                ctx.send(
                    cfg.layout.balancer(0),
                    Msg::Load {
                        ppm: ppm.min(u128::from(u32::MAX)) as u32,
                    },
                );
                ctx.set_timer(a.sync_period, Timer::Report);
            }
            _ => {}
        }
    }

    /// Busy workers and queued requests now.
    pub fn load(&self) -> (u32, u32) {
        (self.busy, self.queue.len() as u32)
    }

    /// Time-averaged worker utilisation (0..1) and queue length over this incarnation,
    /// up to `now` on the backend's clock.
    pub fn averages(&self, workers: u32, now: SimTime) -> (f64, f64) {
        let dt = u128::from(now.saturating_since(self.last).as_nanos());
        let busy = self.busy_area + u128::from(self.busy) * dt;
        let queue = self.queue_area + self.queue.len() as u128 * dt;
        let span = now.saturating_since(self.started).as_nanos() as f64;
        if span == 0.0 {
            return (0.0, 0.0);
        }
        (
            busy as f64 / (span * f64::from(workers)),
            queue as f64 / span,
        )
    }
}

fn elapsed(now: SimTime) -> SimDuration {
    now.saturating_since(SimTime::ZERO)
}

/// The product of the slow windows in force for `backend` at `now`.
fn slow_factor(p: &BackendParams, backend: u32, now: SimTime) -> f64 {
    let t = elapsed(now);
    p.slow
        .iter()
        .filter(|s| s.backend == backend && s.at <= t && t < s.until)
        .map(|s| s.factor)
        .product()
}

/// Whether `backend` is in the failing phase of a flap at `now`.
fn failing(p: &BackendParams, backend: u32, now: SimTime) -> bool {
    let t = elapsed(now);
    p.flap.iter().any(|f| {
        f.backend == backend && f.at <= t && t < f.until && {
            let period = f.up.as_nanos() + f.down.as_nanos();
            (t - f.at).as_nanos() % period >= f.up.as_nanos()
        }
    })
}
