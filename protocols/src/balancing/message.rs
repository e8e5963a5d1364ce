//! What travels between the roles (messages) and what wakes a role up (timers), with
//! their stable trace form.

use hasim_sim::{Describe, Detail};

/// A message on the wire. Endpoints: client ↔ balancer (request, response, claim),
/// balancer ↔ backend (forward, reply, probe), balancer ↔ balancer (advert, serving),
/// backend → autoscaling balancer (load).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// Attempt `attempt` of the client's request `id`.
    Request {
        /// Client-local request id.
        id: u64,
        /// 0 for the first attempt, then 1, 2, … for retries and hedges.
        attempt: u32,
        /// Hashing key / session.
        key: u64,
    },
    /// The balancer's answer to an attempt.
    Response {
        /// Client-local request id.
        id: u64,
        /// Which attempt.
        attempt: u32,
        /// Served (true) or failed: rejected, gateway timeout, no backend.
        ok: bool,
    },
    /// A request passed on to a backend.
    Forward {
        /// Balancer-local id of the upstream request.
        rid: u64,
        /// Hashing key.
        key: u64,
    },
    /// A backend's answer.
    Reply {
        /// Balancer-local id of the upstream request.
        rid: u64,
        /// Served (true) or failed (queue full, failing phase of a flap).
        ok: bool,
    },
    /// An active health check.
    Probe {
        /// Check number, per backend.
        seq: u64,
    },
    /// The answer to a health check.
    ProbeReply {
        /// Check number being answered.
        seq: u64,
        /// False in the failing phase of a flap.
        healthy: bool,
    },
    /// VRRP advertisement from the master.
    Advert {
        /// The sender's priority.
        priority: u32,
    },
    /// ARP request from a restarted client: who holds the virtual address? Only the
    /// master answers, with a claim.
    WhoHas,
    /// Gratuitous ARP: the sender now holds the virtual address.
    Claim,
    /// A backend's worker utilisation over the last metrics period, in parts per million.
    Load {
        /// Utilisation × 10⁶.
        ppm: u32,
    },
    /// The autoscaler's word: backends `0..count` are in service.
    Serving {
        /// How many backends serve.
        count: u32,
    },
}

/// A timer tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// Open loop: the next arrival.
    Arrival,
    /// Open loop: the next step of the rate schedule.
    RateStep,
    /// Closed loop: a user finished thinking.
    Think {
        /// Which user of this client.
        user: u32,
    },
    /// An attempt ran out of time.
    AttemptTimeout {
        /// Request id.
        id: u64,
        /// Attempt.
        attempt: u32,
    },
    /// Backoff over: retry request `id`.
    Retry {
        /// Request id.
        id: u64,
    },
    /// Hedge request `id`.
    Hedge {
        /// Request id.
        id: u64,
    },
    /// A balancer gives up on an upstream request.
    Upstream {
        /// Balancer-local id.
        rid: u64,
    },
    /// A backend worker finished.
    Done {
        /// The worker slot.
        slot: u32,
    },
    /// Time to health-check a backend.
    Check {
        /// Backend index.
        backend: u32,
    },
    /// A health check went unanswered.
    CheckTimeout {
        /// Backend index.
        backend: u32,
    },
    /// An ejection ends.
    Uneject {
        /// Backend index.
        backend: u32,
    },
    /// VRRP: the master's next advertisement.
    Advert,
    /// VRRP: a backup heard no master for the master-down interval.
    MasterDown,
    /// Autoscaler: decide.
    Sync,
    /// Backend: report load to the autoscaler.
    Report,
    /// Autoscaler: backends `0..count` have started.
    Ready {
        /// How many serve once it fires.
        count: u32,
    },
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Msg::Request { id, attempt, key } => d
                .name("request")
                .u64("id", id)
                .u64("attempt", u64::from(attempt))
                .u64("key", key),
            Msg::Response { id, attempt, ok } => d
                .name("response")
                .u64("id", id)
                .u64("attempt", u64::from(attempt))
                .bool("ok", ok),
            Msg::Forward { rid, key } => d.name("forward").u64("rid", rid).u64("key", key),
            Msg::Reply { rid, ok } => d.name("reply").u64("rid", rid).bool("ok", ok),
            Msg::Probe { seq } => d.name("probe").u64("seq", seq),
            Msg::ProbeReply { seq, healthy } => d
                .name("probe_reply")
                .u64("seq", seq)
                .bool("healthy", healthy),
            Msg::Advert { priority } => d.name("advert").u64("priority", u64::from(priority)),
            Msg::Claim => d.name("claim"),
            Msg::WhoHas => d.name("who_has"),
            Msg::Load { ppm } => d.name("load").u64("ppm", u64::from(ppm)),
            Msg::Serving { count } => d.name("serving").u64("count", u64::from(count)),
        };
    }
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match *self {
            Timer::Arrival => d.name("arrival"),
            Timer::RateStep => d.name("rate_step"),
            Timer::Think { user } => d.name("think").u64("user", u64::from(user)),
            Timer::AttemptTimeout { id, attempt } => d
                .name("attempt_timeout")
                .u64("id", id)
                .u64("attempt", u64::from(attempt)),
            Timer::Retry { id } => d.name("retry").u64("id", id),
            Timer::Hedge { id } => d.name("hedge").u64("id", id),
            Timer::Upstream { rid } => d.name("upstream_timeout").u64("rid", rid),
            Timer::Done { slot } => d.name("done").u64("slot", u64::from(slot)),
            Timer::Check { backend } => d.name("check").u64("backend", u64::from(backend)),
            Timer::CheckTimeout { backend } => {
                d.name("check_timeout").u64("backend", u64::from(backend))
            }
            Timer::Uneject { backend } => d.name("uneject").u64("backend", u64::from(backend)),
            Timer::Advert => d.name("advert"),
            Timer::MasterDown => d.name("master_down"),
            Timer::Sync => d.name("sync"),
            Timer::Report => d.name("report"),
            Timer::Ready { count } => d.name("ready").u64("count", u64::from(count)),
        };
    }
}
