//! The balancing model's parameters: what a scenario sets, with documented defaults,
//! and the validation that turns nonsense into a clear error before a run starts.

use crate::InvalidParams;
use hasim_sim::{Distribution, SimDuration};
use serde::{Deserialize, Serialize};

/// Every parameter of the model. Nodes are laid out clients first, then balancers,
/// then backends (see [`Layout`](super::Layout)).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Client nodes (default 1).
    pub clients: u32,
    /// Balancer nodes (default 1).
    pub balancers: u32,
    /// Backends in service at the start (default 4). With autoscaling, up to
    /// `autoscale.replicas_max` backend nodes exist; the rest are spares.
    pub backends: u32,
    /// What the clients offer (default: open loop, 10 requests/s in total).
    pub workload: Workload,
    /// Requests carry a key drawn uniformly from `0..keys` (default 1000): the hashing
    /// key of consistent hashing and the session of session affinity.
    pub keys: u64,
    /// Client behaviour: timeouts, retries, budget, hedging.
    pub client: ClientParams,
    /// Balancer behaviour: policy, health checks, outlier ejection, redundancy.
    pub balancer: BalancerParams,
    /// Backend behaviour: workers, queue, service time, slow and flapping schedules.
    pub backend: BackendParams,
    /// Kubernetes-HPA-like autoscaling of the backends (default off).
    pub autoscale: Option<AutoscaleParams>,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            clients: 1,
            balancers: 1,
            backends: 4,
            workload: Workload::default(),
            keys: 1000,
            client: ClientParams::default(),
            balancer: BalancerParams::default(),
            backend: BackendParams::default(),
            autoscale: None,
        }
    }
}

/// The offered load.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Workload {
    /// Poisson arrivals, independent of how fast answers come back.
    Open {
        /// Requests per second over all clients, split evenly between them.
        rate: f64,
        /// Later rates: from each step's `at` on, the total rate is its `rate`.
        #[serde(default)]
        schedule: Vec<RateStep>,
    },
    /// A fixed population of users, each waiting for its answer (after every retry)
    /// and then thinking before the next request.
    Closed {
        /// Users per client.
        users: u32,
        /// Think time between an answer and the next request.
        think: Distribution,
    },
}

impl Default for Workload {
    fn default() -> Self {
        Workload::Open {
            rate: 10.0,
            schedule: Vec::new(),
        }
    }
}

/// One step of a piecewise-constant rate schedule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateStep {
    /// When the rate changes (simulated time since the start).
    pub at: SimDuration,
    /// The new total rate, requests per second.
    pub rate: f64,
}

/// How the k-th retry's delay is drawn (AWS architecture blog, "Exponential Backoff
/// And Jitter"), with `temp = min(cap, base × 2^(k−1))`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Jitter {
    /// `temp`: plain exponential backoff.
    None,
    /// Uniform on `[0, temp]`.
    Full,
    /// `temp/2` plus uniform on `[0, temp/2]`.
    Equal,
    /// `min(cap, uniform on [base, 3 × previous delay])`, starting from `base`.
    Decorrelated,
}

/// Client behaviour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientParams {
    /// How long one attempt may take before the client gives up on it (default 1 s;
    /// zero means never).
    pub timeout: SimDuration,
    /// Retries after the first attempt (default 0, at most 30).
    pub retries_max: u32,
    /// First backoff step (default 25 ms).
    pub backoff_base: SimDuration,
    /// Largest backoff (default 1 s).
    pub backoff_cap: SimDuration,
    /// Jitter of the backoff (default full).
    pub jitter: Jitter,
    /// A retry budget (default none: every failure may be retried).
    pub budget: Option<BudgetParams>,
    /// Sends a second copy of a request that has no answer after this long (default
    /// none). The hedge counts as an attempt and against the budget.
    pub hedge_after: Option<SimDuration>,
}

impl Default for ClientParams {
    fn default() -> Self {
        ClientParams {
            timeout: SimDuration::from_secs(1),
            retries_max: 0,
            backoff_base: SimDuration::from_millis(25),
            backoff_cap: SimDuration::from_secs(1),
            jitter: Jitter::Full,
            budget: None,
            hedge_after: None,
        }
    }
}

/// A retry budget, per client: a retry (or hedge) is allowed while the retries in the
/// last `window` stay at most `ratio` × the requests in it, plus `min` (Finagle's
/// RetryBudget; Envoy's and gRPC's throttles have the same intent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BudgetParams {
    /// Retries allowed per first attempt (default 0.1).
    pub ratio: f64,
    /// The sliding window (default 10 s), kept in ten buckets.
    pub window: SimDuration,
    /// Retries always allowed per window, so a quiet client can still retry (default 3).
    pub min: u32,
}

impl Default for BudgetParams {
    fn default() -> Self {
        BudgetParams {
            ratio: 0.1,
            window: SimDuration::from_secs(10),
            min: 3,
        }
    }
}

/// Which backend a balancer sends a request to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Each in turn.
    RoundRobin,
    /// nginx's smooth weighted round robin over `balancer.weights`.
    WeightedRoundRobin,
    /// Fewest requests outstanding from this balancer; ties in turn (HAProxy leastconn).
    LeastOutstanding,
    /// Uniformly at random.
    Random,
    /// Two distinct backends at random; the one with fewer outstanding requests.
    PowerOfTwo,
    /// Fewest outstanding; ties at random (the queueing-theory JSQ).
    JoinShortestQueue,
    /// A hash ring with `balancer.vnodes` points per backend, keyed by request key.
    ConsistentHash,
    /// Sticky sessions (the key is the session), placed by least outstanding and moved
    /// when their backend leaves the rotation.
    SessionAffinity,
}

/// How clients reach one of several balancers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Frontend {
    /// Each attempt goes to the next balancer in turn (DNS round robin, no caching).
    Dns,
    /// One virtual address held by a master balancer, VRRP-like.
    Vip {
        /// Advertisement interval (default 1 s, VRRP's default).
        #[serde(default = "default_advert_interval")]
        advert_interval: SimDuration,
    },
}

fn default_advert_interval() -> SimDuration {
    SimDuration::from_secs(1)
}

/// Balancer behaviour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BalancerParams {
    /// The policy (default round robin).
    pub policy: PolicyKind,
    /// Weights per backend for weighted round robin (default all 1; missing ones 1).
    pub weights: Vec<u32>,
    /// Ring points per backend for consistent hashing (default 100).
    pub vnodes: u32,
    /// How long a balancer waits for a backend before failing the request with a
    /// gateway timeout (default 2 s; zero means never).
    pub upstream_timeout: SimDuration,
    /// Active health checks (default off).
    pub health: Option<HealthParams>,
    /// Passive outlier ejection (default off).
    pub outlier: Option<OutlierParams>,
    /// How clients reach the balancers (default DNS round robin).
    pub frontend: Frontend,
}

impl Default for BalancerParams {
    fn default() -> Self {
        BalancerParams {
            policy: PolicyKind::RoundRobin,
            weights: Vec::new(),
            vnodes: 100,
            upstream_timeout: SimDuration::from_secs(2),
            health: None,
            outlier: None,
            frontend: Frontend::Dns,
        }
    }
}

/// Active health checks, HAProxy semantics: a backend goes down after `fall`
/// consecutive failed checks and comes back after `rise` consecutive good ones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthParams {
    /// Time between checks (default 2 s, HAProxy's `inter`).
    pub interval: SimDuration,
    /// A check without an answer after this long failed (default 1 s).
    pub timeout: SimDuration,
    /// Consecutive successes to come up (default 2).
    pub rise: u32,
    /// Consecutive failures to go down (default 3).
    pub fall: u32,
}

impl Default for HealthParams {
    fn default() -> Self {
        HealthParams {
            interval: SimDuration::from_secs(2),
            timeout: SimDuration::from_secs(1),
            rise: 2,
            fall: 3,
        }
    }
}

/// Passive outlier ejection, Envoy semantics.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutlierParams {
    /// Consecutive failed requests (error or gateway timeout) to eject (default 5).
    pub consecutive: u32,
    /// Ejection time is this times the backend's ejection count (default 30 s).
    pub base_ejection: SimDuration,
    /// The longest ejection (default 300 s).
    pub ejection_max: SimDuration,
    /// Most of the serving backends that may be ejected at once (default 0.1); at least
    /// one may always be ejected.
    pub ejected_fraction_max: f64,
}

impl Default for OutlierParams {
    fn default() -> Self {
        OutlierParams {
            consecutive: 5,
            base_ejection: SimDuration::from_secs(30),
            ejection_max: SimDuration::from_secs(300),
            ejected_fraction_max: 0.1,
        }
    }
}

/// Backend behaviour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BackendParams {
    /// Requests served at once (default 1).
    pub workers: u32,
    /// Requests that may wait in the FIFO queue (default 100); a full queue rejects.
    pub queue_max: u32,
    /// Service time of one request (default exponential, mean 10 ms).
    pub service: Distribution,
    /// Brownouts: service time multiplied during a window.
    pub slow: Vec<Slow>,
    /// Flapping: a backend alternately healthy and failing during a window.
    pub flap: Vec<Flap>,
}

impl Default for BackendParams {
    fn default() -> Self {
        BackendParams {
            workers: 1,
            queue_max: 100,
            service: Distribution::Exponential {
                mean: SimDuration::from_millis(10),
            },
            slow: Vec::new(),
            flap: Vec::new(),
        }
    }
}

/// A brownout of one backend: the engine has no "slow" fault, so the model carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slow {
    /// Backend index (0-based among backends).
    pub backend: u32,
    /// Start of the window.
    pub at: SimDuration,
    /// End of the window.
    pub until: SimDuration,
    /// Service times started in the window are multiplied by this.
    pub factor: f64,
}

/// A flapping backend: from `at` to `until` it is healthy for `up`, then fails every
/// request and health check for `down`, and so on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flap {
    /// Backend index (0-based among backends).
    pub backend: u32,
    /// Start of the window.
    pub at: SimDuration,
    /// End of the window.
    pub until: SimDuration,
    /// Healthy phase.
    pub up: SimDuration,
    /// Failing phase.
    pub down: SimDuration,
}

/// Autoscaling, Kubernetes HPA semantics (without its rate-limiting policies).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AutoscaleParams {
    /// Target mean utilisation of the serving backends' workers (default 0.7).
    pub target: f64,
    /// No change while |utilisation / target − 1| is at most this (default 0.1).
    pub tolerance: f64,
    /// Time between decisions, and the backends' metrics period (default 15 s).
    pub sync_period: SimDuration,
    /// Scale down only to the highest recommendation of this window (default 300 s).
    pub stabilisation: SimDuration,
    /// Fewest replicas (default 1).
    pub replicas_min: u32,
    /// Most replicas: how many backend nodes exist (default 10).
    pub replicas_max: u32,
    /// From a scale-up decision until the new backend takes traffic (default 30 s).
    pub startup_delay: SimDuration,
}

impl Default for AutoscaleParams {
    fn default() -> Self {
        AutoscaleParams {
            target: 0.7,
            tolerance: 0.1,
            sync_period: SimDuration::from_secs(15),
            stabilisation: SimDuration::from_secs(300),
            replicas_min: 1,
            replicas_max: 10,
            startup_delay: SimDuration::from_secs(30),
        }
    }
}

impl Params {
    /// Checks ranges and cross-field rules; the message names the field.
    pub fn validate(&self) -> Result<(), InvalidParams> {
        let positive = |name: &str, v: f64| -> Result<(), InvalidParams> {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(InvalidParams::field(
                    name,
                    format!("{v} must be a finite number > 0"),
                ))
            }
        };
        if self.clients == 0 || self.balancers == 0 || self.backends == 0 {
            return Err("clients, balancers and backends must each be at least 1".into());
        }
        if self.keys == 0 {
            return Err("keys must be at least 1".into());
        }
        match &self.workload {
            Workload::Open { rate, schedule } => {
                if !(rate.is_finite() && *rate >= 0.0) {
                    return Err(
                        format!("workload.rate: {rate} must be a finite number >= 0").into(),
                    );
                }
                for (i, s) in schedule.iter().enumerate() {
                    if !(s.rate.is_finite() && s.rate >= 0.0) {
                        return Err(format!("workload.schedule[{i}].rate must be >= 0").into());
                    }
                    if i > 0 && s.at <= schedule[i - 1].at {
                        return Err("workload.schedule must be in increasing time order".into());
                    }
                }
            }
            Workload::Closed { users, think } => {
                if *users == 0 {
                    return Err("workload.users must be at least 1".into());
                }
                think
                    .validate()
                    .map_err(|e| format!("workload.think: {e}"))?;
            }
        }
        let c = &self.client;
        if c.retries_max > 30 {
            return Err("client.retries_max must be at most 30".into());
        }
        if c.backoff_base > c.backoff_cap {
            return Err("client.backoff_base must not exceed client.backoff_cap".into());
        }
        if let Some(b) = &c.budget {
            if !(b.ratio.is_finite() && b.ratio >= 0.0) {
                return Err("client.budget.ratio must be >= 0".into());
            }
            if b.window.as_nanos() < 10 {
                return Err("client.budget.window must be at least 10ns".into());
            }
        }
        let b = &self.balancer;
        if b.policy == PolicyKind::ConsistentHash && b.vnodes == 0 {
            return Err("balancer.vnodes must be at least 1".into());
        }
        if b.weights.contains(&0) {
            return Err("balancer.weights must be at least 1".into());
        }
        if let Some(h) = &b.health {
            if h.interval.is_zero() || h.rise == 0 || h.fall == 0 {
                return Err("balancer.health: interval, rise and fall must be > 0".into());
            }
        }
        if let Some(o) = &b.outlier {
            if o.consecutive == 0 || !(0.0..=1.0).contains(&o.ejected_fraction_max) {
                return Err(
                    "balancer.outlier: consecutive must be > 0, ejected_fraction_max in [0, 1]"
                        .into(),
                );
            }
        }
        if let Frontend::Vip { advert_interval } = b.frontend {
            if advert_interval.is_zero() {
                return Err("balancer.frontend.advert_interval must be > 0".into());
            }
        }
        let k = &self.backend;
        if k.workers == 0 {
            return Err("backend.workers must be at least 1".into());
        }
        k.service
            .validate()
            .map_err(|e| format!("backend.service: {e}"))?;
        let backends = self.layout().backends;
        for s in &k.slow {
            positive("backend.slow.factor", s.factor)?;
            if s.backend >= backends {
                return Err(format!("backend.slow: backend {} does not exist", s.backend).into());
            }
        }
        for f in &k.flap {
            if f.backend >= backends || f.up.is_zero() || f.down.is_zero() {
                return Err("backend.flap: backend must exist, up and down be > 0".into());
            }
        }
        if let Some(a) = &self.autoscale {
            positive("autoscale.target", a.target)?;
            if a.sync_period.is_zero() {
                return Err("autoscale.sync_period must be > 0".into());
            }
            if a.replicas_min == 0
                || a.replicas_min > a.replicas_max
                || !(a.replicas_min..=a.replicas_max).contains(&self.backends)
            {
                return Err("autoscale: need 1 <= replicas_min <= backends <= replicas_max".into());
            }
        }
        Ok(())
    }

    /// Where each role's nodes are.
    pub fn layout(&self) -> super::Layout {
        let backends = match &self.autoscale {
            Some(a) => a.replicas_max.max(self.backends),
            None => self.backends,
        };
        super::Layout {
            clients: self.clients,
            balancers: self.balancers,
            backends,
        }
    }
}
