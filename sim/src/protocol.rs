//! The sans-IO protocol trait: what a user implements to model a distributed design.
//!
//! A protocol is a plain struct holding immutable configuration. The engine owns each
//! node's volatile `State` and durable image, and calls the handlers; handlers act
//! only through [`Ctx`](crate::Ctx), which records their effects in order. No I/O, no
//! threads, no clocks: the same inputs give the same effects.

use crate::ctx::Ctx;
use crate::id::NodeId;
use crate::trace::Describe;
use core::fmt::Debug;

/// State that survives a crash: an image updated by writes, like a disk under a page
/// cache. Writes are applied at once to the page-cache image; synced writes also reach
/// the platter. A crash under a "lose unsynced writes" disk fault keeps only what was
/// synced.
pub trait Durable: Clone + Default + 'static {
    /// One write to the image (an appended log entry, a new term and vote).
    type Write: Clone + Debug + Describe;
    /// Applies a write to the image.
    fn apply(&mut self, write: &Self::Write);
}

/// The write of a protocol with no durable state: there is none. The type has no
/// values, so a [`Lens`](crate::Lens) can wrap it into any host's writes (`match w {}`)
/// and a diskless part can sit inside a host that has a disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoWrite {}

impl Describe for NoWrite {
    fn describe(&self, _: &mut crate::trace::Detail<'_>) {
        match *self {}
    }
}

impl Durable for () {
    type Write = NoWrite;
    fn apply(&mut self, write: &NoWrite) {
        match *write {}
    }
}

/// A message-passing protocol, modelled as a state machine per node.
///
/// Roles (client, balancer, backend, replica) are variants inside `State` and `Msg`;
/// the protocol decides a node's role from its id and its configuration. Handlers take
/// any [`Ctx`]: the engine's own, or a host's [`Within`](crate::Within) when the
/// protocol runs as a part of a larger one.
pub trait Protocol: Sized + 'static {
    /// A message on the wire.
    type Msg: Clone + Debug + Describe;
    /// A timer tag: which timer fired.
    type Timer: Copy + Debug + Describe;
    /// A node's volatile state: dropped on crash.
    type State;
    /// A node's durable state: survives a crash, handed back on restart.
    type Durable: Durable;
    /// A small summary of a node (role, term, leader) for properties and reports.
    type View: Clone + Debug + Eq;
    /// A typed observation for metrics and checkers (suspected X, request ok in 3 ms).
    type Observation: Clone + Debug + Describe;

    /// Starts (or restarts) a node from its durable image.
    fn start(&self, ctx: &mut impl Ctx<Self>, durable: &Self::Durable) -> Self::State;

    /// Handles a message from `source`.
    fn on_message(
        &self,
        ctx: &mut impl Ctx<Self>,
        state: &mut Self::State,
        source: NodeId,
        msg: Self::Msg,
    );

    /// Handles a timer that fired.
    fn on_timer(&self, ctx: &mut impl Ctx<Self>, state: &mut Self::State, timer: Self::Timer);

    /// The node's summary.
    fn view(&self, state: &Self::State) -> Self::View;
}
