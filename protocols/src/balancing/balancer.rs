//! The balancer role: a full proxy between clients and backends. It picks a backend by
//! its policy among those in rotation, forwards the request, and relays the answer;
//! it health-checks the backends, ejects outliers, and (on balancer 0) hosts the
//! autoscaler; with a virtual address it runs VRRP with its peers.
//!
//! A backend is in rotation when it is serving (autoscaler), up (active checks) and not
//! ejected (outlier detection). With none in rotation a request fails at once (no
//! panic mode). A crashed backend is noticed only through timeouts (gateway timeouts,
//! failed checks): the network carries no connection resets.

use super::autoscale::{Autoscaler, Replicas, SetReplicas};
use super::health::{ejections_allowed, Check, Outlier};
use super::message::{Msg, Timer};
use super::observation::{Observation, Reason};
use super::params::Frontend;
use super::policy::Policy;
use super::vip::Vrrp;
use super::{Balancing, Role};
use hasim_sim::{Ctx, NodeId, SimDuration, SimTime, TimerId};
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
struct Upstream {
    client: NodeId,
    id: u64,
    attempt: u32,
    backend: u32,
    sent: SimTime,
    timer: Option<TimerId>,
}

/// A balancer's volatile state.
#[derive(Debug)]
pub struct Balancer {
    outstanding: Vec<u32>,
    upstream: BTreeMap<u64, Upstream>,
    next_rid: u64,
    policy: Policy,
    checks: Vec<Check>,
    outliers: Vec<Outlier>,
    serving: u32,
    rotation: Vec<bool>,
    /// VRRP state when the frontend is a virtual address.
    pub vrrp: Option<Vrrp>,
    /// The autoscaler, on balancer 0 when autoscaling is on.
    pub autoscaler: Option<Autoscaler>,
}

impl Balancer {
    /// Starts balancer number `index`.
    pub fn start(
        cfg: &Balancing,
        ctx: &mut impl Ctx<Balancing>,
        index: u32,
        durable: &Replicas,
    ) -> Balancer {
        let p = &cfg.params;
        let n = cfg.layout.backends;
        let autoscaler = match (&p.autoscale, index) {
            (Some(a), 0) => {
                ctx.set_timer(a.sync_period, Timer::Sync);
                Some(Autoscaler::new(
                    durable.desired.unwrap_or(p.backends),
                    n,
                    ctx.now(),
                ))
            }
            _ => None,
        };
        let serving = autoscaler.as_ref().map_or(p.backends, |a| a.serving);
        let mut checks = Vec::new();
        if let Some(h) = &p.balancer.health {
            checks = vec![Check::default(); n as usize];
            // Spread the checks over an interval, as HAProxy's spread-checks does.
            for backend in 0..n {
                let first = ctx.rng().below(h.interval.as_nanos());
                ctx.set_timer(SimDuration::from_nanos(first), Timer::Check { backend });
            }
        }
        let outliers = match p.balancer.outlier {
            Some(_) => vec![Outlier::default(); n as usize],
            None => Vec::new(),
        };
        let vrrp = match p.balancer.frontend {
            Frontend::Vip { .. } => Some(Vrrp::start(cfg, ctx, index)),
            Frontend::Dns => None,
        };
        let mut b = Balancer {
            outstanding: vec![0; n as usize],
            upstream: BTreeMap::new(),
            next_rid: 0,
            policy: Policy::new(p.balancer.policy, n, &p.balancer.weights, p.balancer.vnodes),
            checks,
            outliers,
            serving,
            rotation: (0..n).map(|b| b < serving).collect(),
            vrrp,
            autoscaler,
        };
        if b.autoscaler.is_some() && durable.desired.is_some() {
            // A restarted controller tells its peers the count it resumed from.
            b.broadcast_serving(cfg, ctx);
        }
        b
    }

    fn eligible(&self, b: usize) -> bool {
        (b as u32) < self.serving
            && self.checks.get(b).is_none_or(|c| c.up)
            && self.outliers.get(b).is_none_or(|o| !o.ejected)
    }

    fn refresh(&mut self, ctx: &mut impl Ctx<Balancing>, b: usize, reason: Reason) {
        let now = self.eligible(b);
        if now != self.rotation[b] {
            self.rotation[b] = now;
            let backend = b as u32;
            ctx.observe(if now {
                Observation::InRotation { backend, reason }
            } else {
                Observation::OutOfRotation { backend, reason }
            });
        }
    }

    fn set_serving(&mut self, ctx: &mut impl Ctx<Balancing>, count: u32) {
        if count == self.serving {
            return;
        }
        self.serving = count;
        for b in 0..self.rotation.len() {
            self.refresh(ctx, b, Reason::Scaling);
        }
    }

    fn broadcast_serving(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>) {
        let Some(a) = &self.autoscaler else { return };
        let count = a.serving;
        let me = ctx.id();
        for i in 0..cfg.params.balancers {
            let peer = cfg.layout.balancer(i);
            if peer != me {
                ctx.send(peer, Msg::Serving { count });
            }
        }
        self.set_serving(ctx, count);
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
            Msg::Request { id, attempt, key } => self.route(cfg, ctx, source, id, attempt, key),
            Msg::Reply { rid, ok } => {
                if let Some(u) = self.upstream.remove(&rid) {
                    if let Some(t) = u.timer {
                        ctx.cancel_timer(t);
                    }
                    self.settle(cfg, ctx, u, ok, false);
                }
            }
            Msg::ProbeReply { seq, healthy } => {
                let Role::Backend(b) = cfg.layout.role(source) else {
                    return;
                };
                let Some(check) = self.checks.get_mut(b as usize) else {
                    return;
                };
                if let Some((s, timer)) = check.waiting {
                    if s == seq {
                        check.waiting = None;
                        ctx.cancel_timer(timer);
                        self.check_result(cfg, ctx, b as usize, healthy);
                    }
                }
            }
            Msg::Advert { priority } => {
                if let Some(v) = self.vrrp.as_mut() {
                    v.on_advert(cfg, ctx, priority);
                }
            }
            Msg::WhoHas if self.vrrp.as_ref().is_some_and(|v| v.master) => {
                ctx.send(source, Msg::Claim);
            }
            Msg::Serving { count } if self.autoscaler.is_none() => self.set_serving(ctx, count),
            Msg::Load { ppm } => {
                if let (Some(a), Role::Backend(b)) =
                    (self.autoscaler.as_mut(), cfg.layout.role(source))
                {
                    a.load(b, f64::from(ppm) / 1e6);
                }
            }
            _ => {}
        }
    }

    fn route(
        &mut self,
        cfg: &Balancing,
        ctx: &mut impl Ctx<Balancing>,
        client: NodeId,
        id: u64,
        attempt: u32,
        key: u64,
    ) {
        let pick = self
            .policy
            .pick(key, &self.rotation, &self.outstanding, ctx.rng());
        let moved = self.policy.take_moved();
        if moved > 0 {
            ctx.count("sessions_moved", moved);
        }
        let Some(backend) = pick else {
            ctx.observe(Observation::NoBackend);
            ctx.send(
                client,
                Msg::Response {
                    id,
                    attempt,
                    ok: false,
                },
            );
            return;
        };
        let rid = self.next_rid;
        self.next_rid += 1;
        self.outstanding[backend as usize] += 1;
        ctx.send(cfg.layout.backend(backend), Msg::Forward { rid, key });
        let timeout = cfg.params.balancer.upstream_timeout;
        let timer = (!timeout.is_zero()).then(|| ctx.set_timer(timeout, Timer::Upstream { rid }));
        self.upstream.insert(
            rid,
            Upstream {
                client,
                id,
                attempt,
                backend,
                sent: ctx.now(),
                timer,
            },
        );
    }

    /// An upstream request ended: relay the answer, count it for outlier detection.
    fn settle(
        &mut self,
        cfg: &Balancing,
        ctx: &mut impl Ctx<Balancing>,
        u: Upstream,
        ok: bool,
        timeout: bool,
    ) {
        let b = u.backend as usize;
        self.outstanding[b] -= 1;
        ctx.send(
            u.client,
            Msg::Response {
                id: u.id,
                attempt: u.attempt,
                ok,
            },
        );
        if !ok {
            ctx.observe(Observation::UpstreamFailed {
                backend: u.backend,
                waited: ctx.now().saturating_since(u.sent),
                timeout,
            });
        }
        let Some(p) = &cfg.params.balancer.outlier else {
            return;
        };
        if !self.outliers[b].result(ok, p) {
            return;
        }
        let ejected = self.outliers.iter().filter(|o| o.ejected).count() as u32;
        if ejected < ejections_allowed(self.serving, p.ejected_fraction_max) {
            let duration = self.outliers[b].eject(p);
            ctx.set_timer(duration, Timer::Uneject { backend: u.backend });
            ctx.observe(Observation::Ejected {
                backend: u.backend,
                duration,
            });
            self.refresh(ctx, b, Reason::Outlier);
        }
    }

    fn check_result(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, b: usize, ok: bool) {
        let Some(h) = &cfg.params.balancer.health else {
            return;
        };
        if self.checks[b].result(ok, h).is_some() {
            self.refresh(ctx, b, Reason::Health);
        }
    }

    /// Handles a timer.
    pub fn on_timer(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, timer: Timer) {
        match timer {
            Timer::Upstream { rid } => {
                if let Some(u) = self.upstream.remove(&rid) {
                    self.settle(cfg, ctx, u, false, true);
                }
            }
            Timer::Check { backend } => {
                let Some(h) = &cfg.params.balancer.health else {
                    return;
                };
                let b = backend as usize;
                if let Some((_, t)) = self.checks[b].waiting.take() {
                    ctx.cancel_timer(t);
                    self.check_result(cfg, ctx, b, false);
                }
                let check = &mut self.checks[b];
                let seq = check.seq;
                check.seq += 1;
                ctx.send(cfg.layout.backend(backend), Msg::Probe { seq });
                let t = ctx.set_timer(h.timeout, Timer::CheckTimeout { backend });
                self.checks[b].waiting = Some((seq, t));
                ctx.set_timer(h.interval, Timer::Check { backend });
            }
            Timer::CheckTimeout { backend } => {
                let b = backend as usize;
                if self.checks[b].waiting.take().is_some() {
                    self.check_result(cfg, ctx, b, false);
                }
            }
            Timer::Uneject { backend } => {
                let b = backend as usize;
                self.outliers[b].return_to_service();
                self.refresh(ctx, b, Reason::Outlier);
            }
            Timer::Advert | Timer::MasterDown => {
                if let Some(v) = self.vrrp.as_mut() {
                    v.on_timer(cfg, ctx, timer);
                }
            }
            Timer::Sync => self.sync(cfg, ctx),
            Timer::Ready { count } => {
                if let Some(a) = self.autoscaler.as_mut() {
                    a.ready(count);
                    self.broadcast_serving(cfg, ctx);
                }
            }
            _ => {}
        }
    }

    fn sync(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>) {
        let (Some(p), Some(a)) = (&cfg.params.autoscale, self.autoscaler.as_mut()) else {
            return;
        };
        ctx.set_timer(p.sync_period, Timer::Sync);
        if let Some((from, to)) = a.decide(p, ctx.now()) {
            ctx.observe(Observation::Scale { from, to });
            ctx.persist_synced(SetReplicas(to));
            if to > from {
                ctx.set_timer(p.startup_delay, Timer::Ready { count: to });
            }
        }
        // Every sync, so that a restarted peer converges within one period.
        self.broadcast_serving(cfg, ctx);
    }

    /// Backends in this balancer's rotation, and the serving count it knows.
    pub fn rotation(&self) -> (u32, u32) {
        (
            self.rotation.iter().filter(|&&r| r).count() as u32,
            self.serving,
        )
    }
}
