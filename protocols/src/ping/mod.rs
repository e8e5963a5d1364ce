//! `ping`: clients send requests round robin to a set of servers, with a timeout; the
//! servers answer after a service time. The smallest model that has a client-visible
//! availability and latency, so that crashes, pauses, partitions, loss and latency
//! spikes show up in the figures.
//!
//! **The algorithm.** Each client issues one request every `interval` (fixed gaps,
//! optionally exponential for Poisson arrivals) to the next server in round-robin
//! order, and gives up on it after `timeout`. A server answers each request after a
//! drawn `service_time`, with unbounded concurrency. A response arriving after the
//! timeout is ignored (it was already counted as a timeout).
//!
//! **What it simplifies.** No retries, no balancer, no health checks: a client keeps
//! sending to a dead server, so availability drops by the dead server's share — a
//! design without failover. No queueing at servers. Requests still in flight when
//! the run ends are counted as neither ok nor timed out.
//!
//! **What it promises.** Every request ends in exactly one observation: `ok` with its
//! latency (which is at most the timeout) or `timeout`. Counters `requests`,
//! `requests_ok`, `requests_timeout` and the histogram `latency` summarise them.

use crate::InvalidParams;
pub mod catalogue;

use hasim_sim::{
    Ctx, Describe, Detail, Distribution, NodeId, Protocol, SimDuration, SimTime, TimerId,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A client's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClientParams {
    /// Gap between two requests.
    pub interval: SimDuration,
    /// Draws gaps from an exponential with mean `interval` (Poisson arrivals) instead
    /// of fixed gaps.
    pub poisson: bool,
    /// How long a client waits for a response.
    pub timeout: SimDuration,
}

impl Default for ClientParams {
    fn default() -> Self {
        ClientParams {
            interval: SimDuration::from_millis(10),
            poisson: false,
            timeout: SimDuration::from_millis(200),
        }
    }
}

/// Requests a client may keep in flight: each holds a timeout timer until it ends,
/// and about `timeout / interval` are in flight at once. Half the engine's limit on
/// pending timers leaves room for bursts of Poisson gaps and the client's send timer;
/// past it the run would end `timers_exhausted`.
const IN_FLIGHT_MAX: u64 = (hasim_sim::TIMERS_MAX / 2) as u64;

impl ClientParams {
    /// Refuses a zero interval or timeout, and an interval so short for its timeout
    /// that the client's pending timers would reach the engine's limit (naming the
    /// shortest interval accepted).
    pub fn validate(&self) -> Result<(), InvalidParams> {
        if self.interval.is_zero() || self.timeout.is_zero() {
            return Err(InvalidParams::rule(
                "interval and timeout must be above zero",
            ));
        }
        let (interval, timeout) = (self.interval.as_nanos(), self.timeout.as_nanos());
        if timeout / interval <= IN_FLIGHT_MAX {
            return Ok(());
        }
        let shortest = SimDuration::from_nanos(timeout.div_ceil(IN_FLIGHT_MAX));
        Err(InvalidParams::rule(format!(
            "interval {} with timeout {} keeps about {} requests in flight per client, each with a pending timer, more than the {IN_FLIGHT_MAX} a client may hold (a node may have {} pending timers); expected an interval of at least {shortest} (timeout / {IN_FLIGHT_MAX}), or a shorter timeout",
            self.interval,
            self.timeout,
            timeout / interval,
            hasim_sim::TIMERS_MAX
        )))
    }
}

/// A server's parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerParams {
    /// Time from receiving a request to sending the response.
    pub service_time: Distribution,
}

impl ServerParams {
    /// Refuses a service-time distribution that cannot be drawn from.
    pub fn validate(&self) -> Result<(), InvalidParams> {
        self.service_time
            .validate()
            .map_err(|e| InvalidParams::field("service_time", e.to_string()))
    }
}

impl Default for ServerParams {
    fn default() -> Self {
        ServerParams {
            service_time: Distribution::constant(SimDuration::from_millis(1)),
        }
    }
}

/// What a node does.
#[derive(Clone, Debug, PartialEq)]
pub enum Role {
    /// Sends requests.
    Client(ClientParams),
    /// Answers them.
    Server(ServerParams),
    /// Takes no part (a node of another role in the scenario).
    Idle,
}

/// The configuration: each node's role, indexed by node id.
#[derive(Clone, Debug, PartialEq)]
pub struct Ping {
    roles: Vec<Role>,
    servers: Vec<NodeId>,
}

impl Ping {
    /// A configuration from each node's role (index = node id).
    pub fn new(roles: Vec<Role>) -> Self {
        let servers = roles
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Role::Server(_)))
            .map(|(i, _)| NodeId(i as u32))
            .collect();
        Ping { roles, servers }
    }

    /// The servers, in id order.
    pub fn servers(&self) -> &[NodeId] {
        &self.servers
    }

    /// How many nodes the configuration covers.
    pub fn node_count(&self) -> u32 {
        self.roles.len() as u32
    }

    /// The timeout of client `node`, if it is a client.
    pub fn client_timeout(&self, node: u32) -> Option<SimDuration> {
        match self.roles.get(node as usize) {
            Some(Role::Client(c)) => Some(c.timeout),
            _ => None,
        }
    }

    fn role(&self, node: NodeId) -> &Role {
        self.roles.get(node.index()).unwrap_or(&Role::Idle)
    }
}

/// On the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Msg {
    /// A client's request number `id`.
    Request {
        /// Per-client request number.
        id: u64,
    },
    /// A server's answer to request `id`.
    Response {
        /// The request answered.
        id: u64,
    },
}

/// Timer tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// A client sends its next request.
    Send,
    /// A client gives up on request `id`.
    Timeout {
        /// The request.
        id: u64,
    },
    /// A server finished serving request `id` of `client`.
    Served {
        /// Who asked.
        client: NodeId,
        /// The request.
        id: u64,
    },
}

/// A request's end, as the client saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Observation {
    /// Answered in time.
    Ok {
        /// The server that answered.
        server: NodeId,
        /// From send to response, on the client's clock.
        latency: SimDuration,
    },
    /// Not answered within the timeout.
    Timeout {
        /// The server that was asked.
        server: NodeId,
    },
}

/// A node's volatile state.
#[derive(Debug)]
pub enum State {
    /// A client: the next request number, the next server, and what is in flight.
    Client {
        /// Next request number.
        next_id: u64,
        /// Round-robin position.
        next_server: usize,
        /// Requests in flight, by id.
        pending: BTreeMap<u64, PendingRequest>,
    },
    /// A server (stateless between requests).
    Server,
    /// A node with no part in this model.
    Idle,
}

/// A request in flight, waiting for its answer.
#[derive(Clone, Debug)]
pub struct PendingRequest {
    server: NodeId,
    sent: SimTime,
    timer: TimerId,
}

/// What properties see of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    /// A client with this many requests in flight.
    Client {
        /// Requests in flight.
        in_flight: u32,
    },
    /// A server.
    Server,
    /// Neither.
    Idle,
}

impl Describe for Msg {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Msg::Request { id } => d.name("request").u64("id", *id),
            Msg::Response { id } => d.name("response").u64("id", *id),
        };
    }
}

impl Describe for Timer {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Timer::Send => d.name("send"),
            Timer::Timeout { id } => d.name("timeout").u64("id", *id),
            Timer::Served { client, id } => d.name("served").node("client", *client).u64("id", *id),
        };
    }
}

impl Describe for Observation {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            Observation::Ok { server, latency } => d
                .name("ok")
                .node("server", *server)
                .duration("latency", *latency),
            Observation::Timeout { server } => d.name("timeout").node("server", *server),
        };
    }
}

impl Ping {
    fn schedule_send(&self, ctx: &mut impl Ctx<Self>, params: &ClientParams) {
        let gap = if params.poisson {
            SimDuration::from_secs_f64(ctx.rng().exponential(params.interval.as_secs_f64()))
        } else {
            params.interval
        };
        ctx.set_timer(gap, Timer::Send);
    }
}

impl Protocol for Ping {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = ();
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, _: &()) -> State {
        match self.role(ctx.id()) {
            Role::Client(params) => {
                self.schedule_send(ctx, params);
                State::Client {
                    next_id: 0,
                    next_server: 0,
                    pending: BTreeMap::new(),
                }
            }
            Role::Server(_) => State::Server,
            Role::Idle => State::Idle,
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        match (state, msg, self.role(ctx.id())) {
            (State::Server, Msg::Request { id }, Role::Server(params)) => {
                let service = params.service_time.sample(ctx.rng());
                ctx.set_timer(service, Timer::Served { client: source, id });
            }
            (State::Client { pending, .. }, Msg::Response { id }, _) => {
                // A response to a request that already timed out is ignored.
                if let Some(p) = pending.remove(&id) {
                    ctx.cancel_timer(p.timer);
                    let latency = ctx.now().saturating_since(p.sent);
                    ctx.count("requests_ok", 1);
                    ctx.sample("latency", latency);
                    ctx.observe(Observation::Ok {
                        server: p.server,
                        latency,
                    });
                }
            }
            _ => {}
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        match (state, timer, self.role(ctx.id())) {
            (
                State::Client {
                    next_id,
                    next_server,
                    pending,
                },
                Timer::Send,
                Role::Client(params),
            ) => {
                self.schedule_send(ctx, params);
                if self.servers.is_empty() {
                    return;
                }
                let server = self.servers[*next_server % self.servers.len()];
                *next_server = (*next_server + 1) % self.servers.len();
                let id = *next_id;
                *next_id += 1;
                let timer = ctx.set_timer(params.timeout, Timer::Timeout { id });
                pending.insert(
                    id,
                    PendingRequest {
                        server,
                        sent: ctx.now(),
                        timer,
                    },
                );
                ctx.count("requests", 1);
                ctx.send(server, Msg::Request { id });
            }
            (State::Client { pending, .. }, Timer::Timeout { id }, _) => {
                if let Some(p) = pending.remove(&id) {
                    ctx.count("requests_timeout", 1);
                    ctx.observe(Observation::Timeout { server: p.server });
                }
            }
            (State::Server, Timer::Served { client, id }, _) => {
                ctx.send(client, Msg::Response { id });
            }
            _ => {}
        }
    }

    fn view(&self, state: &State) -> View {
        match state {
            State::Client { pending, .. } => View::Client {
                in_flight: pending.len() as u32,
            },
            State::Server => View::Server,
            State::Idle => View::Idle,
        }
    }
}
