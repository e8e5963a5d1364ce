//! `SharedTopology`: a topology the engine routes over while its owner keeps a handle.
//!
//! The engine owns its `Paths` and only ever calls `set_link` with host ids, so a
//! switch failure has no fault to ride on. A runner that needs one hands the engine a
//! clone of a `SharedTopology`, runs to the fault's time with `Sim::run_until`, flips
//! the switch through its own clone, and runs on. Single-threaded by design, like a run.

use crate::topology::Topology;
use core::cell::{RefCell, RefMut};
use hasim_sim::{NodeId, Paths, Stream, Transit};
use std::rc::Rc;

/// A topology shared between the engine and its runner.
#[derive(Clone, Debug)]
pub struct SharedTopology(Rc<RefCell<Topology>>);

impl SharedTopology {
    /// Wraps a topology.
    pub fn new(topology: Topology) -> Self {
        SharedTopology(Rc::new(RefCell::new(topology)))
    }

    /// The topology, to apply faults or query it between engine steps. Panics if
    /// called from inside `transit` (which never calls out), so never in practice.
    pub fn borrow_mut(&self) -> RefMut<'_, Topology> {
        self.0.borrow_mut()
    }
}

impl Paths for SharedTopology {
    fn transit(&mut self, source: NodeId, target: NodeId, rng: &mut Stream) -> Option<Transit> {
        self.0.borrow_mut().transit(source, target, rng)
    }

    fn set_link(&mut self, a: NodeId, b: NodeId, up: bool) -> bool {
        self.0.borrow_mut().set_link(a, b, up)
    }
}
