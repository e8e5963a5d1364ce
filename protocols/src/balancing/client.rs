//! The client role: generates requests (open or closed loop), sends each attempt to a
//! balancer, and owns timeouts, retries with backoff, the retry budget and hedging.
//!
//! One logical request may have several attempts; the first good answer ends it, and
//! answers of attempts that already timed out are ignored (their connection is gone).
//! A failed attempt is retried only when no other attempt of the request is still
//! live, so a hedge in flight is given its chance first. Requests still pending when
//! the run ends are counted nowhere.

use super::message::{Msg, Timer};
use super::observation::Observation;
use super::params::{Frontend, Workload};
use super::retry::{backoff, Budget};
use super::Balancing;
use hasim_sim::{Ctx, NodeId, SimDuration, SimTime, TimerId};
use std::collections::BTreeMap;

/// A client's volatile state.
#[derive(Debug)]
pub struct Client {
    next_id: u64,
    pending: BTreeMap<u64, Pending>,
    /// DNS round robin position.
    cursor: u32,
    /// The current holder of the virtual address, as last claimed.
    vip: NodeId,
    arrival: Option<TimerId>,
    /// Rate schedule steps already in force.
    step: usize,
    budget: Option<Budget>,
}

#[derive(Debug)]
struct Pending {
    user: Option<u32>,
    started: SimTime,
    key: u64,
    /// Attempts sent (first, retries, hedge).
    sent: u32,
    retries: u32,
    /// Attempts awaiting an answer, with their timeout timers.
    live: Vec<(u32, Option<TimerId>)>,
    retry: Option<TimerId>,
    hedge: Option<TimerId>,
    backoff: SimDuration,
    last_timed_out: bool,
}

impl Client {
    /// Starts client number `index`.
    pub fn start(cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, index: u32) -> Client {
        let p = &cfg.params;
        let mut c = Client {
            next_id: 0,
            pending: BTreeMap::new(),
            cursor: index % p.balancers,
            vip: cfg.layout.balancer(0),
            arrival: None,
            step: 0,
            budget: p.client.budget.as_ref().map(Budget::new),
        };
        if matches!(p.balancer.frontend, Frontend::Vip { .. }) && ctx.incarnation().0 > 0 {
            for b in 0..p.balancers {
                ctx.send(cfg.layout.balancer(b), Msg::WhoHas);
            }
        }
        match &p.workload {
            Workload::Open { schedule, .. } => {
                let now = ctx.now();
                let elapsed = now.saturating_since(SimTime::ZERO);
                c.step = schedule.iter().take_while(|s| s.at <= elapsed).count();
                if let Some(next) = schedule.get(c.step) {
                    ctx.set_timer(next.at - elapsed, Timer::RateStep);
                }
                c.schedule_arrival(cfg, ctx);
            }
            Workload::Closed { users, think } => {
                for user in 0..*users {
                    let t = think.sample(ctx.rng());
                    ctx.set_timer(t, Timer::Think { user });
                }
            }
        }
        c
    }

    fn rate(&self, cfg: &Balancing) -> f64 {
        match &cfg.params.workload {
            Workload::Open { rate, schedule } => {
                let total = match self.step {
                    0 => *rate,
                    n => schedule[n - 1].rate,
                };
                total / f64::from(cfg.params.clients)
            }
            Workload::Closed { .. } => 0.0,
        }
    }

    fn schedule_arrival(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>) {
        let rate = self.rate(cfg);
        if rate > 0.0 {
            let gap = SimDuration::from_secs_f64(ctx.rng().exponential(1.0 / rate));
            self.arrival = Some(ctx.set_timer(gap, Timer::Arrival));
        }
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, timer: Timer) {
        match timer {
            Timer::Arrival => {
                self.arrival = None;
                self.issue(cfg, ctx, None);
                self.schedule_arrival(cfg, ctx);
            }
            Timer::RateStep => {
                // Poisson arrivals are memoryless, so redrawing the next arrival at the
                // new rate is exact.
                self.step += 1;
                if let Some(t) = self.arrival.take() {
                    ctx.cancel_timer(t);
                }
                self.schedule_arrival(cfg, ctx);
                if let Workload::Open { schedule, .. } = &cfg.params.workload {
                    if let Some(next) = schedule.get(self.step) {
                        let elapsed = ctx.now().saturating_since(SimTime::ZERO);
                        ctx.set_timer(next.at.saturating_sub(elapsed), Timer::RateStep);
                    }
                }
            }
            Timer::Think { user } => self.issue(cfg, ctx, Some(user)),
            Timer::AttemptTimeout { id, attempt } => {
                let Some(p) = self.pending.get_mut(&id) else {
                    return;
                };
                let Some(i) = p.live.iter().position(|&(a, _)| a == attempt) else {
                    return;
                };
                p.live.swap_remove(i);
                self.attempt_failed(cfg, ctx, id, true);
            }
            Timer::Retry { id } => {
                if let Some(p) = self.pending.get_mut(&id) {
                    p.retry = None;
                    self.send_attempt(cfg, ctx, id);
                }
            }
            Timer::Hedge { id } => self.hedge(cfg, ctx, id),
            _ => {}
        }
    }

    /// Handles a message.
    pub fn on_message(
        &mut self,
        cfg: &Balancing,
        ctx: &mut impl Ctx<Balancing>,
        source: NodeId,
        msg: Msg,
    ) {
        match msg {
            Msg::Response { id, attempt, ok } => {
                let Some(p) = self.pending.get_mut(&id) else {
                    return;
                };
                let Some(i) = p.live.iter().position(|&(a, _)| a == attempt) else {
                    return;
                };
                let (_, timer) = p.live.swap_remove(i);
                if let Some(t) = timer {
                    ctx.cancel_timer(t);
                }
                if ok {
                    self.finish(cfg, ctx, id, true);
                } else {
                    self.attempt_failed(cfg, ctx, id, false);
                }
            }
            Msg::Claim => self.vip = source,
            _ => {}
        }
    }

    fn issue(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, user: Option<u32>) {
        let id = self.next_id;
        self.next_id += 1;
        let key = ctx.rng().below(cfg.params.keys);
        let now = ctx.now();
        if let Some(b) = self.budget.as_mut() {
            b.deposit(now);
        }
        let hedge = cfg
            .params
            .client
            .hedge_after
            .map(|after| ctx.set_timer(after, Timer::Hedge { id }));
        self.pending.insert(
            id,
            Pending {
                user,
                started: now,
                key,
                sent: 0,
                retries: 0,
                live: Vec::new(),
                retry: None,
                hedge,
                backoff: cfg.params.client.backoff_base,
                last_timed_out: false,
            },
        );
        self.send_attempt(cfg, ctx, id);
    }

    fn send_attempt(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, id: u64) {
        let target = match cfg.params.balancer.frontend {
            Frontend::Dns => {
                let b = self.cursor % cfg.params.balancers;
                self.cursor = self.cursor.wrapping_add(1);
                cfg.layout.balancer(b)
            }
            Frontend::Vip { .. } => self.vip,
        };
        let p = self.pending.get_mut(&id).expect("pending request");
        let attempt = p.sent;
        p.sent += 1;
        ctx.send(
            target,
            Msg::Request {
                id,
                attempt,
                key: p.key,
            },
        );
        let timeout = cfg.params.client.timeout;
        let timer = (!timeout.is_zero())
            .then(|| ctx.set_timer(timeout, Timer::AttemptTimeout { id, attempt }));
        p.live.push((attempt, timer));
    }

    fn hedge(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, id: u64) {
        let Some(p) = self.pending.get_mut(&id) else {
            return;
        };
        p.hedge = None;
        // Only while the first attempt is still out: after a failure, retries take over.
        if p.live.is_empty() || p.retry.is_some() {
            return;
        }
        let now = ctx.now();
        if let Some(b) = self.budget.as_mut() {
            if !b.withdraw(now) {
                ctx.observe(Observation::RetryDenied);
                return;
            }
        }
        ctx.observe(Observation::Hedge);
        self.send_attempt(cfg, ctx, id);
    }

    fn attempt_failed(
        &mut self,
        cfg: &Balancing,
        ctx: &mut impl Ctx<Balancing>,
        id: u64,
        timed_out: bool,
    ) {
        let c = &cfg.params.client;
        let p = self.pending.get_mut(&id).expect("pending request");
        p.last_timed_out = timed_out;
        if !p.live.is_empty() || p.retry.is_some() {
            return;
        }
        if p.retries >= c.retries_max {
            return self.finish(cfg, ctx, id, false);
        }
        let now = ctx.now();
        if let Some(b) = self.budget.as_mut() {
            if !b.withdraw(now) {
                ctx.observe(Observation::RetryDenied);
                return self.finish(cfg, ctx, id, false);
            }
        }
        let p = self.pending.get_mut(&id).expect("pending request");
        p.retries += 1;
        let after = backoff(
            c.jitter,
            c.backoff_base,
            c.backoff_cap,
            p.retries,
            p.backoff,
            ctx.rng(),
        );
        p.backoff = after;
        p.retry = Some(ctx.set_timer(after, Timer::Retry { id }));
        ctx.observe(Observation::Retry {
            attempt: p.sent,
            after,
        });
    }

    fn finish(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, id: u64, ok: bool) {
        let p = self.pending.remove(&id).expect("pending request");
        for t in p
            .live
            .iter()
            .filter_map(|&(_, t)| t)
            .chain(p.retry)
            .chain(p.hedge)
        {
            ctx.cancel_timer(t);
        }
        let latency = ctx.now().saturating_since(p.started);
        let attempts = p.sent;
        ctx.observe(match (ok, p.last_timed_out) {
            (true, _) => Observation::Ok { latency, attempts },
            (false, false) => Observation::Failed { latency, attempts },
            (false, true) => Observation::TimedOut { latency, attempts },
        });
        if let (Some(user), Workload::Closed { think, .. }) = (p.user, &cfg.params.workload) {
            let t = think.sample(ctx.rng());
            ctx.set_timer(t, Timer::Think { user });
        }
    }

    /// Requests awaiting an answer.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }
}
