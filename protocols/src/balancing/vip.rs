//! A floating virtual address between redundant balancers, VRRP-like (RFC 5798).
//!
//! **The algorithm.** Balancer i has priority 255 − i; balancer 0 owns the address and
//! is master whenever it runs (preemption). The master advertises to the other
//! balancers every `advert_interval`. A backup that hears no advertisement from a
//! higher priority for the master-down interval, 3 × interval + skew with skew =
//! (256 − priority) / 256 × interval, becomes master. A master hearing a higher
//! priority steps down. A new master sends a gratuitous ARP: here a `claim` to every
//! client, which then sends to it.
//!
//! A restarted client has lost its ARP cache: it asks every balancer who holds the
//! address (`who_has`), and the master answers with a claim; until then it sends to
//! the owner.
//!
//! **What it simplifies.** Clients learn the holder only from claims (no ARP cache
//! expiry); a claim lost to the network leaves a client sending to the old holder. A
//! client's first start finds the owner holding the address without asking.
//! Under a partition two masters may both claim, and each client follows the last
//! claim it heard: the split brain VRRP has too.

use super::message::{Msg, Timer};
use super::observation::Observation;
use super::params::Frontend;
use super::Balancing;
use hasim_sim::{Ctx, SimDuration, TimerId};

/// One balancer's VRRP state.
#[derive(Clone, Debug)]
pub struct Vrrp {
    /// This balancer's priority.
    pub priority: u32,
    /// Whether it holds the address.
    pub master: bool,
    down: Option<TimerId>,
}

fn interval(cfg: &Balancing) -> SimDuration {
    match cfg.params.balancer.frontend {
        Frontend::Vip { advert_interval } => advert_interval,
        Frontend::Dns => SimDuration::from_secs(1),
    }
}

impl Vrrp {
    /// Starts balancer `index`: the owner as master, the others as backups.
    pub fn start(cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, index: u32) -> Vrrp {
        let mut v = Vrrp {
            priority: 255u32.saturating_sub(index).max(1),
            master: false,
            down: None,
        };
        if index == 0 {
            v.become_master(cfg, ctx);
        } else {
            v.arm_down(cfg, ctx);
        }
        v
    }

    fn arm_down(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>) {
        if let Some(t) = self.down.take() {
            ctx.cancel_timer(t);
        }
        let i = interval(cfg);
        let skew = SimDuration::from_nanos(
            (u128::from(256 - self.priority) * u128::from(i.as_nanos()) / 256) as u64,
        );
        let after = i.saturating_mul(3).saturating_add(skew);
        self.down = Some(ctx.set_timer(after, Timer::MasterDown));
    }

    fn become_master(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>) {
        if let Some(t) = self.down.take() {
            ctx.cancel_timer(t);
        }
        self.master = true;
        ctx.observe(Observation::Master);
        for c in 0..cfg.params.clients {
            ctx.send(cfg.layout.client(c), Msg::Claim);
        }
        self.advertise(cfg, ctx);
    }

    fn advertise(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>) {
        let me = ctx.id();
        for b in 0..cfg.params.balancers {
            let peer = cfg.layout.balancer(b);
            if peer != me {
                ctx.send(
                    peer,
                    Msg::Advert {
                        priority: self.priority,
                    },
                );
            }
        }
        ctx.set_timer(interval(cfg), Timer::Advert);
    }

    /// An advertisement from another balancer.
    pub fn on_advert(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, priority: u32) {
        if priority <= self.priority {
            // A lower priority master will step down when it hears us; a backup lets
            // its timer run out (preemption).
            return;
        }
        if self.master {
            self.master = false;
            ctx.observe(Observation::Backup);
        }
        self.arm_down(cfg, ctx);
    }

    /// A VRRP timer.
    pub fn on_timer(&mut self, cfg: &Balancing, ctx: &mut impl Ctx<Balancing>, timer: Timer) {
        match timer {
            Timer::Advert if self.master => self.advertise(cfg, ctx),
            Timer::MasterDown => {
                self.down = None;
                if !self.master {
                    self.become_master(cfg, ctx);
                }
            }
            _ => {}
        }
    }
}
