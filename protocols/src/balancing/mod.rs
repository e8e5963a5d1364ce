//! `balancing`: clients → (redundant) load balancers → backends, with health checks,
//! outlier ejection, retries and autoscaling. The model behind the questions "when a
//! backend dies or slows down, how many requests fail, how long until traffic moves,
//! what happens to tail latency, and how much capacity does an SLO need".
//!
//! **The algorithm.** Clients offer requests (open loop: Poisson arrivals at a rate
//! that may follow a schedule; closed loop: users with think times), each attempt with
//! a timeout, failed attempts retried with jittered exponential backoff under an
//! optional retry budget, and an optional hedge. A balancer is a full proxy: it picks a
//! backend among those in rotation by its policy (round robin, smooth weighted round
//! robin, least outstanding, random, power of two choices, join-shortest-queue,
//! consistent hashing, session affinity), forwards, and relays the answer or a gateway
//! timeout. Backends serve with worker slots and a bounded FIFO queue. Each role's
//! module says what it does in detail: [`client`], [`balancer`], [`policy`],
//! [`health`], [`backend`], [`autoscale`], [`vip`]; [`figures`] turns a finished run
//! into numbers and [`capacity`] searches the rate an SLO allows.
//!
//! **What it simplifies.** No connections: a dead backend is noticed by timeouts only,
//! never by a reset. Requests carry no payload, so bandwidth plays no part. "Slow" and
//! "flapping" are backend behaviour scheduled in the parameters, because the engine
//! has no such fault kinds. Spare backends for autoscaling are nodes that exist from
//! the start, out of service until scaled up.
//!
//! **What it promises.** Every request a client issues ends in exactly one of `ok`,
//! `failed` or `timed_out` (unless the run ends first), with the attempts it took;
//! attempts never exceed `1 + retries_max` (+1 with a hedge); a balancer never forwards
//! to a backend out of its rotation; every change of rotation is observed with its
//! reason.
//!
//! Node layout: clients `0..clients`, then balancers, then backends (including spares).

use crate::InvalidParams;
pub mod autoscale;
pub mod backend;
pub mod balancer;
pub mod capacity;
pub mod catalogue;
pub mod client;
pub mod figures;
pub mod health;
pub mod message;
pub mod observation;
pub mod params;
pub mod policy;
pub mod retry;
pub mod vip;

pub use autoscale::Replicas;
pub use backend::Backend;
pub use balancer::Balancer;
pub use client::Client;
pub use message::{Msg, Timer};
pub use observation::{Observation, Reason};
pub use params::Params;

use hasim_sim::{Ctx, NodeId, Protocol};

/// Where each role's nodes are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Client nodes, from node 0.
    pub clients: u32,
    /// Balancer nodes, after the clients.
    pub balancers: u32,
    /// Backend nodes (spares included), after the balancers.
    pub backends: u32,
}

/// A node's role and its index within the role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Client number i.
    Client(u32),
    /// Balancer number i.
    Balancer(u32),
    /// Backend number i.
    Backend(u32),
    /// Beyond the layout: runs nothing.
    Idle,
}

impl Layout {
    /// How many nodes the model needs.
    pub fn nodes(&self) -> u32 {
        self.clients + self.balancers + self.backends
    }
    /// Client `i`'s node.
    pub fn client(&self, i: u32) -> NodeId {
        NodeId(i)
    }
    /// Balancer `i`'s node.
    pub fn balancer(&self, i: u32) -> NodeId {
        NodeId(self.clients + i)
    }
    /// Backend `i`'s node.
    pub fn backend(&self, i: u32) -> NodeId {
        NodeId(self.clients + self.balancers + i)
    }
    /// The role of `node`.
    pub fn role(&self, node: NodeId) -> Role {
        let n = node.0;
        if n < self.clients {
            Role::Client(n)
        } else if n < self.clients + self.balancers {
            Role::Balancer(n - self.clients)
        } else if n < self.nodes() {
            Role::Backend(n - self.clients - self.balancers)
        } else {
            Role::Idle
        }
    }
}

/// The protocol: validated parameters and the layout derived from them.
#[derive(Clone, Debug)]
pub struct Balancing {
    /// The parameters.
    pub params: Params,
    /// Where the roles are.
    pub layout: Layout,
}

impl Balancing {
    /// Validates the parameters.
    pub fn new(params: Params) -> Result<Balancing, InvalidParams> {
        params.validate()?;
        let layout = params.layout();
        Ok(Balancing { params, layout })
    }
}

/// A node's volatile state: its role's state.
#[derive(Debug)]
pub enum State {
    /// A client.
    Client(Client),
    /// A balancer.
    Balancer(Balancer),
    /// A backend.
    Backend(Backend),
    /// A node beyond the layout.
    Idle,
}

/// A node's summary for properties and reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum View {
    /// A client and its requests awaiting an answer.
    Client {
        /// Requests pending.
        pending: u32,
    },
    /// A balancer.
    Balancer {
        /// Backends in its rotation.
        rotation: u32,
        /// Backends serving, as it knows.
        serving: u32,
        /// Whether it holds the virtual address.
        master: bool,
    },
    /// A backend.
    Backend {
        /// Busy workers.
        busy: u32,
        /// Requests queued.
        queued: u32,
    },
    /// Nothing.
    Idle,
}

impl Protocol for Balancing {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = Replicas;
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, durable: &Replicas) -> State {
        match self.layout.role(ctx.id()) {
            Role::Client(i) => State::Client(Client::start(self, ctx, i)),
            Role::Balancer(i) => State::Balancer(Balancer::start(self, ctx, i, durable)),
            Role::Backend(i) => State::Backend(Backend::start(self, ctx, i)),
            Role::Idle => State::Idle,
        }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        match state {
            State::Client(c) => c.on_message(self, ctx, source, msg),
            State::Balancer(b) => b.on_message(self, ctx, source, msg),
            State::Backend(b) => b.on_message(self, ctx, source, msg),
            State::Idle => {}
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        match state {
            State::Client(c) => c.on_timer(self, ctx, timer),
            State::Balancer(b) => b.on_timer(self, ctx, timer),
            State::Backend(b) => b.on_timer(self, ctx, timer),
            State::Idle => {}
        }
    }

    fn view(&self, state: &State) -> View {
        match state {
            State::Client(c) => View::Client {
                pending: c.pending() as u32,
            },
            State::Balancer(b) => {
                let (rotation, serving) = b.rotation();
                View::Balancer {
                    rotation,
                    serving,
                    master: b.vrrp.as_ref().is_some_and(|v| v.master),
                }
            }
            State::Backend(b) => {
                let (busy, queued) = b.load();
                View::Backend { busy, queued }
            }
            State::Idle => View::Idle,
        }
    }
}
