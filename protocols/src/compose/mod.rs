//! A system composed at run time from parts of any family: what a scenario's
//! `[[part]]` tables describe, as one protocol the engine runs (`Sim<Composed>`).
//!
//! **The algorithm.** Each part is one family's protocol (a balancer tier, a Raft
//! store, a SWIM membership…) run unchanged on a contiguous span of the system's nodes
//! through [`Within`](hasim_sim::Within); spans may overlap, so a node may run several
//! parts (an app server is a balancing backend and a store client). Every message,
//! timer, observation and disk write carries its part's index, so a system may hold
//! several parts of one family, and a node's state, view and disk hold one entry per
//! part it runs. Parts meet only at *seams*: today the **store seam**, the checkout's
//! generalised: a balancing part's backends hold each `ok` reply until a Raft, quorum or
//! primary-backup part's driven client on the same node has stored the request as a write, then release it
//! (`ok` if committed, an error if refused or not acknowledged within the seam's
//! timeout). A part's *detector* is a seam of configuration, resolved before the run
//! (the detector part's parameters become the consumer's `detector` table), so it
//! needs no glue here.
//!
//! **What it simplifies.** A backend stores one request at a time, in arrival order
//! (no pipelining), and its held replies are volatile (a crash loses them; clients time
//! out and retry, at least once). Parts share each node's random stream, the run's
//! counters and the network; a part's messages to a node outside its span are dropped
//! (they cannot be built: part ids stop at its span).
//!
//! **What it promises.** Each part keeps its own invariants; a composition of one part
//! over every node runs exactly as that model alone (same trace hash: the part label
//! in trace text is not hashed, see [`hasim_sim::Detail::label`]); across a store
//! seam, a client's `ok` implies the store acknowledged the write.
//!
//! ## Map of the modules
//! - `kinds`: the closed list of families and everything written once per family.
//! - `seam`: the store seam.
//! - `catalogue`: figures and checks, each part's under its name (`orders.availability`).

mod catalogue;
mod kinds;
pub mod seam;

pub use kinds::{
    DiskWrite, Kind, Msg, Observation, PartDisk, PartLens, PartState, PartView, Timer,
};
pub use seam::StoreSeam;

use crate::InvalidParams;
use hasim_sim::{Ctx, NodeId, Protocol, Span};

/// A part's index in its system, as every wrapped message carries it.
pub type PartIx = u8;

/// The most parts one system may hold.
pub const PARTS_MAX: usize = 16;
/// The most parts one node may run (its view holds this many entries).
pub const NODE_PARTS_MAX: usize = 4;

/// One part: its name (the prefix of its figures and checks), its span, its protocol.
#[derive(Clone, Debug)]
pub struct Part {
    /// The part's name in the scenario.
    pub name: String,
    /// The nodes it runs on.
    pub span: Span,
    /// Its protocol.
    pub kind: Kind,
}

/// The system: its parts and the seams between them.
#[derive(Clone, Debug)]
pub struct Composed {
    /// The parts, in scenario order; a part's index is its place here.
    pub parts: Vec<Part>,
    /// The store seams.
    pub stores: Vec<StoreSeam>,
    /// Whether part `i` takes part in a seam (its calls hear or capture).
    seamed: Vec<bool>,
    nodes: u32,
}

impl Composed {
    /// The system of `parts` on `nodes` nodes, wired by `stores`.
    pub fn new(
        nodes: u32,
        parts: Vec<Part>,
        stores: Vec<StoreSeam>,
    ) -> Result<Self, InvalidParams> {
        if parts.is_empty() {
            return Err("a composition needs at least one part".into());
        }
        if parts.len() > PARTS_MAX {
            return Err(format!(
                "at most {PARTS_MAX} parts in a system ({} here)",
                parts.len()
            )
            .into());
        }
        for p in &parts {
            if p.span.nodes == 0 || p.span.base + p.span.nodes > nodes {
                return Err(format!(
                    "part {:?} runs on nodes {}..{}, outside the system's {nodes}",
                    p.name,
                    p.span.base,
                    p.span.base + p.span.nodes
                )
                .into());
            }
        }
        for n in 0..nodes {
            let on = parts
                .iter()
                .filter(|p| p.span.part(NodeId(n)).is_some())
                .count();
            if on > NODE_PARTS_MAX {
                return Err(format!(
                    "node {n} runs {on} parts; a node runs at most {NODE_PARTS_MAX}"
                )
                .into());
            }
        }
        let mut seamed = vec![false; parts.len()];
        for s in &stores {
            s.check(&parts)?;
            seamed[usize::from(s.front)] = true;
            seamed[usize::from(s.store)] = true;
        }
        Ok(Composed {
            parts,
            stores,
            seamed,
            nodes,
        })
    }

    /// How many nodes the system has.
    pub fn node_count(&self) -> u32 {
        self.nodes
    }

    /// The index of the part named `name`.
    pub fn part_named(&self, name: &str) -> Option<PartIx> {
        self.parts
            .iter()
            .position(|p| p.name == name)
            .map(|i| i as PartIx)
    }

    /// Whether part `i`'s calls on `node` hear its observations and capture its sends,
    /// for a seam.
    #[inline]
    fn listens(&self, i: PartIx, node: NodeId) -> (bool, bool) {
        if !self.seamed[usize::from(i)] {
            return (false, false);
        }
        let mut listen = (false, false);
        for s in self.stores.iter().filter(|s| s.apps.part(node).is_some()) {
            listen.0 |= s.store == i;
            listen.1 |= s.front == i;
        }
        listen
    }
}

/// A node's volatile state: each part it runs, and its seams' state.
pub struct State {
    parts: Vec<(PartIx, PartState)>,
    apps: Vec<(usize, seam::App)>,
}

impl State {
    /// Part `i`'s state on this node.
    pub fn part(&self, i: PartIx) -> Option<&PartState> {
        self.parts.iter().find(|(j, _)| *j == i).map(|(_, s)| s)
    }

    fn part_mut(&mut self, i: PartIx) -> Option<&mut PartState> {
        self.parts.iter_mut().find(|(j, _)| *j == i).map(|(_, s)| s)
    }

    /// The requests this node holds for store seam `k` (waiting or being stored).
    pub fn held(&self, k: usize) -> u32 {
        self.apps
            .iter()
            .find(|(j, _)| *j == k)
            .map_or(0, |(_, a)| a.held())
    }
}

/// A node's summary: each part's view where it runs.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct View {
    parts: [Option<(PartIx, PartView)>; NODE_PARTS_MAX],
}

impl View {
    /// Part `i`'s view of the node.
    pub fn of(&self, i: PartIx) -> Option<&PartView> {
        self.parts
            .iter()
            .flatten()
            .find(|(j, _)| *j == i)
            .map(|(_, v)| v)
    }

    /// Every part's view, in part order.
    pub fn all(&self) -> impl Iterator<Item = &(PartIx, PartView)> {
        self.parts.iter().flatten()
    }
}

/// A node's durable image: one entry per part that has written to it.
#[derive(Clone, Debug, Default)]
pub struct Disk {
    parts: Vec<(PartIx, PartDisk)>,
}

impl Disk {
    /// Part `i`'s image, if it has written one.
    pub fn of(&self, i: PartIx) -> Option<&PartDisk> {
        self.parts.iter().find(|(j, _)| *j == i).map(|(_, d)| d)
    }

    fn entry(&mut self, i: PartIx, fresh: impl FnOnce() -> PartDisk) -> &mut PartDisk {
        let at = match self.parts.iter().position(|(j, _)| *j == i) {
            Some(at) => at,
            None => {
                self.parts.push((i, fresh()));
                self.parts.len() - 1
            }
        };
        &mut self.parts[at].1
    }
}

impl Protocol for Composed {
    type Msg = Msg;
    type Timer = Timer;
    type State = State;
    type Durable = Disk;
    type View = View;
    type Observation = Observation;

    fn start(&self, ctx: &mut impl Ctx<Self>, durable: &Disk) -> State {
        let id = ctx.id();
        let mut parts = Vec::new();
        for (i, p) in self.parts.iter().enumerate() {
            if p.span.part(id).is_some() {
                let i = i as PartIx;
                parts.push((i, self.start_part(ctx, i, durable)));
            }
        }
        let apps = (0..self.stores.len())
            .filter(|&k| self.stores[k].apps.part(id).is_some())
            .map(|k| (k, seam::App::default()))
            .collect();
        State { parts, apps }
    }

    fn on_message(&self, ctx: &mut impl Ctx<Self>, state: &mut State, source: NodeId, msg: Msg) {
        self.part_message(ctx, state, source, msg);
    }

    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut State, timer: Timer) {
        self.part_timer(ctx, state, timer);
    }

    fn view(&self, state: &State) -> View {
        let mut view = View::default();
        for (slot, (i, s)) in view.parts.iter_mut().zip(&state.parts) {
            *slot = self.part_view(*i, s).map(|v| (*i, v));
        }
        view
    }
}
