//! `checkout`: an e-commerce checkout as one composed system: clients → redundant
//! balancers (a floating address) → app servers (autoscaled) → a Raft order store.
//!
//! **The algorithm.** Two families run unchanged as parts ([`Within`]): the balancing
//! model (clients, balancers with VRRP, backends under an autoscaler) on nodes
//! `0..clients + balancers + apps`, and the Raft key-value store on the app servers
//! plus the replicas. An app server node runs both parts: the balancing backend (its
//! workers, queue and service time are the app's own work) and a Raft client in
//! `Driven` mode. The seam is the backend's answer: when the backend finishes a
//! request, the app server holds its `ok` reply, stores the order as a Raft write
//! (a fresh unique value on key `rid mod order_keys`), and releases the reply when
//! the write is acknowledged — `ok` if it committed, an error if the store refused it
//! or did not answer in time. Error replies and everything else pass at once.
//!
//! **What it simplifies.** An app server stores one order at a time, in arrival
//! order (no pipelining or batching of store writes), so the store's commit latency
//! bounds an app server's throughput. Held replies are volatile: a crashed app server
//! loses them and its clients time out and retry (a retried request is a new order:
//! at-least-once, as most checkouts without idempotency keys). The parts share each
//! node's random stream and the run's counters.
//!
//! **What it promises.** Each part keeps its own promises (the balancing model's
//! exactly-one end per request, Raft's election safety and log matching); across the
//! seam, a client's `ok` implies its order was acknowledged by the store, so "no
//! acknowledged order lost" is Raft's "no acknowledged write lost" on the app servers'
//! histories.

use crate::InvalidParams;
pub mod catalogue;

use crate::balancing::{self, Balancing};
use crate::replication::history::{OpEvent, OpResult};
use crate::replication::raft::{self, Raft};
use hasim_sim::{Ctx, NodeId, Protocol, SimDuration, Span, Within};
use std::collections::VecDeque;

/// The system: both parts' configurations and where each runs.
#[derive(Clone, Debug)]
pub struct Checkout {
    /// The balancer tier (its backends are the app servers).
    pub balancing: Balancing,
    /// The order store (app servers as driven clients, then the replicas).
    pub store: Raft,
    /// Where the balancer tier runs.
    pub lb: Span,
    /// Where the store runs (its first nodes are the app servers).
    pub db: Span,
    /// Orders are written to keys `0..order_keys`.
    pub order_keys: u32,
}

impl Checkout {
    /// The system of `balancing`'s layout followed by `replicas` Raft replicas; the app
    /// servers are `balancing`'s backends. `store_timeout` bounds one order's write.
    pub fn new(
        balancing: Balancing,
        raft: raft::RaftParams,
        replicas: u32,
        store_timeout: SimDuration,
        order_keys: u32,
    ) -> Result<Self, InvalidParams> {
        if replicas == 0 {
            return Err("the order store needs at least one replica".into());
        }
        if order_keys == 0 {
            return Err("order_keys must be at least 1".into());
        }
        let layout = balancing.layout;
        let apps = layout.backends;
        let client = crate::replication::WorkloadParams {
            timeout: store_timeout,
            ..Default::default()
        };
        let mut roles = vec![raft::Role::Driven(client); apps as usize];
        roles.extend((0..replicas).map(|_| raft::Role::Replica));
        let store = Raft::new(raft, roles)?;
        Ok(Checkout {
            lb: Span::new(0, layout.nodes()),
            db: Span::new(layout.clients + layout.balancers, apps + replicas),
            balancing,
            store,
            order_keys,
        })
    }

    /// How many nodes the system has.
    pub fn node_count(&self) -> u32 {
        self.db.base + self.db.nodes
    }

    /// Whether `node` is an app server (runs both parts).
    pub fn is_app(&self, node: NodeId) -> bool {
        self.lb.part(node).is_some() && self.db.part(node).is_some()
    }
}

parts! {
    host Checkout;
    /// The balancer tier's.
    Lb(Balancing), lens LbLens, disk lb, name "lb";
    /// The store's.
    Db(Raft), lens DbLens, disk db, name "db";
}

/// An order the app server holds: the balancer's request, answered once stored.
#[derive(Clone, Copy, Debug)]
struct Order {
    /// The balancer, in the balancer tier's ids.
    balancer: NodeId,
    rid: u64,
}

/// An app server's seam state: orders waiting for the store, and the one in flight.
#[derive(Debug, Default)]
pub struct App {
    waiting: VecDeque<Order>,
    storing: Option<(u64, Order)>,
}

impl App {
    /// Orders held (waiting or being stored).
    pub fn held(&self) -> u32 {
        self.waiting.len() as u32 + u32::from(self.storing.is_some())
    }
}

/// A node's volatile state: the parts it runs.
#[derive(Debug)]
pub struct State {
    lb: Option<balancing::State>,
    db: Option<raft::State>,
    app: Option<App>,
}

impl State {
    /// The balancer tier's state on this node.
    pub fn lb(&self) -> Option<&balancing::State> {
        self.lb.as_ref()
    }
    /// The store's state on this node.
    pub fn db(&self) -> Option<&raft::State> {
        self.db.as_ref()
    }
    /// The app server's held orders.
    pub fn app(&self) -> Option<&App> {
        self.app.as_ref()
    }
}

/// A node's summary: each part's view where it runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    /// The balancer tier's view.
    pub lb: Option<balancing::View>,
    /// The store's view.
    pub db: Option<raft::View>,
}

/// What a balancer-tier event on this node needs to run: a message or a timer.
enum LbEvent {
    Message(NodeId, balancing::Msg),
    Timer(balancing::Timer),
}

/// The same for the store.
enum DbEvent {
    Message(NodeId, raft::Msg),
    Timer(raft::Timer),
}

impl Checkout {
    fn on_lb(&self, ctx: &mut impl Ctx<Self>, state: &mut State, event: LbEvent) {
        let Some(lb) = state.lb.as_mut() else {
            return;
        };
        // Only an app server's replies cross the seam; elsewhere sends go straight out.
        let mut w = Within::<_, LbLens>::new(ctx, self.lb);
        if state.app.is_some() {
            w = w.capturing();
        }
        match event {
            LbEvent::Message(s, m) => self.balancing.on_message(&mut w, lb, s, m),
            LbEvent::Timer(t) => self.balancing.on_timer(&mut w, lb, t),
        }
        let captured = w.captured();
        let Some(app) = state.app.as_mut() else {
            return;
        };
        for (target, msg) in captured {
            match msg {
                balancing::Msg::Reply { rid, ok: true } => app.waiting.push_back(Order {
                    balancer: target,
                    rid,
                }),
                other => ctx.send(self.lb.host(target), Msg::Lb(other)),
            }
        }
        self.store_next(ctx, state);
    }

    fn on_db(&self, ctx: &mut impl Ctx<Self>, state: &mut State, event: DbEvent) {
        let Some(db) = state.db.as_mut() else {
            return;
        };
        // Only an app server listens to its store client; replicas' observations (an
        // `applied` per entry) are not copied.
        let mut w = Within::<_, DbLens>::new(ctx, self.db);
        if state.app.is_some() {
            w = w.hearing();
        }
        match event {
            DbEvent::Message(s, m) => self.store.on_message(&mut w, db, s, m),
            DbEvent::Timer(t) => self.store.on_timer(&mut w, db, t),
        }
        let heard = w.heard();
        let Some(app) = state.app.as_mut() else {
            return;
        };
        for o in heard {
            let raft::Observation::Client(OpEvent::Complete { op, result }) = o else {
                continue;
            };
            let Some((storing, order)) = app.storing else {
                continue;
            };
            if storing == op {
                app.storing = None;
                let reply = balancing::Msg::Reply {
                    rid: order.rid,
                    ok: matches!(result, OpResult::Ok(_)),
                };
                ctx.send(self.lb.host(order.balancer), Msg::Lb(reply));
            }
        }
        self.store_next(ctx, state);
    }

    /// Starts storing the next waiting order when the store client is free.
    fn store_next(&self, ctx: &mut impl Ctx<Self>, state: &mut State) {
        let (Some(app), Some(raft::State::Client(client))) = (state.app.as_mut(), &mut state.db)
        else {
            return;
        };
        if app.storing.is_some() || client.busy() {
            return;
        }
        let Some(order) = app.waiting.pop_front() else {
            return;
        };
        let key = (order.rid % u64::from(self.order_keys)) as u32;
        let mut w = Within::<_, DbLens>::new(ctx, self.db);
        if let Some(op) = client.submit(&self.store, &mut w, key) {
            app.storing = Some((op, order));
        }
    }
}

impl Protocol for Checkout {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = Disk;
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, durable: &Disk) -> State {
        let id = ctx.id();
        let lb = self.lb.part(id).map(|_| {
            let mut w = Within::<_, LbLens>::new(ctx, self.lb);
            self.balancing.start(&mut w, &durable.lb)
        });
        let db = self.db.part(id).map(|_| {
            let mut w = Within::<_, DbLens>::new(ctx, self.db);
            self.store.start(&mut w, &durable.db)
        });
        let app = self.is_app(id).then(App::default);
        State { lb, db, app }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        match msg {
            Msg::Lb(m) => {
                if let Some(s) = self.lb.part(source) {
                    self.on_lb(ctx, state, LbEvent::Message(s, m));
                }
            }
            Msg::Db(m) => {
                if let Some(s) = self.db.part(source) {
                    self.on_db(ctx, state, DbEvent::Message(s, m));
                }
            }
        }
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        match timer {
            Timer::Lb(t, _) => self.on_lb(ctx, state, LbEvent::Timer(t)),
            Timer::Db(t, _) => self.on_db(ctx, state, DbEvent::Timer(t)),
        }
    }

    fn view(&self, state: &State) -> View {
        View {
            lb: state.lb.as_ref().map(|s| self.balancing.view(s)),
            db: state.db.as_ref().map(|s| self.store.view(s)),
        }
    }
}
