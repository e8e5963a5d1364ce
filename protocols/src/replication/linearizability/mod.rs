//! Linearizability of key-value register histories: is there one order of all the
//! operations, consistent with real time, in which every read returns the value of the
//! latest write before it? If not, a short counterexample says where it breaks.
//!
//! ## Algorithm
//! Registers compose (P-compositionality, Herlihy & Wing): a history is linearizable
//! exactly when each key's sub-history is, so each key is checked on its own, in
//! ascending key order. Per key, a Wing & Gong backtracking search with Lowe's
//! just-in-time linearization and memoised configurations (the set of placed operations
//! as a bitset, the register's value), as in Porcupine; the `search` submodule
//! describes the walk itself. Before searching, each read is matched with the write of
//! its value (values are unique), which decides three failures at once without a
//! search: a read of a value no write wrote, a read of a failed write's value, and a
//! read that returned before the write of its value was invoked.
//!
//! ## Semantics of the results (Jepsen / Knossos / Porcupine)
//! - `Ok` operations take effect once, at some instant in `[invoke, complete]`.
//! - `Fail` operations never took effect and are removed.
//! - `Unknown` operations (timeouts, still pending at the end) may take effect at any
//!   instant after `invoke`, or never. An unknown read constrains nothing and is
//!   removed. An unknown write that no read observed is removed too: with unique
//!   values, "it never took effect" is always a valid choice for it. An unknown write
//!   that a read observed must have taken effect before that read returned, so it is
//!   kept with the earliest such return as its deadline.
//! - Any write must take effect before the earliest return of a read of its value;
//!   that deadline tightens the search without changing its answer.
//! - Operations that touch at an instant (one returns at `t`, the other is invoked at
//!   `t`) count as concurrent: the lenient reading, so no false alarm can come from
//!   two events at the same simulated instant.
//!
//! ## What it promises, and what it leaves out
//! - It answers linearizable only when a valid order exists (it has built one), and not
//!   linearizable only when none exists (it has exhausted the configurations). When a
//!   key needs more than [`SearchLimits`] allow it answers inconclusive instead of
//!   running on. The search is exponential in the worst case (checking
//!   linearizability is NP-complete in general; unique values make registers
//!   polynomial, by Gibbons & Korach's different algorithm, which this one does not
//!   use) and near-linear when few operations overlap.
//! - The counterexample is the deepest attempt: how many operations it placed, the
//!   last few of them, the operation it could not place next, and the operations still
//!   open at that point. It is a pointer to where to look, not a minimal history.
//! - Only single-key reads and writes: no compare-and-set, no multi-key transactions.
//!   A read answered `Ok(None)` carries no value and is treated as unknown. Write
//!   values must be unique per key and nonzero (0 is every key's initial value), as
//!   [`crate::replication::Workload`] makes them; a history that breaks this is an
//!   error, not a verdict.

mod reference;
mod search;
#[cfg(test)]
mod tests;

pub use reference::{atomic_register_history, ReferenceParams};

use crate::replication::history::{History, Key, OpKind, OpResult, Operation, Value};
use search::{Effect, Outcome, SearchOp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Bounds on the search for one key; reaching one gives an inconclusive answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchLimits {
    /// Steps (candidates tried and backtracks) per key.
    pub max_steps: u64,
    /// Memoised configurations per key (each costs a few words of memory).
    pub max_states: u64,
}

impl Default for SearchLimits {
    /// About a few seconds and a few hundred MiB per key at worst on a laptop.
    fn default() -> Self {
        SearchLimits {
            max_steps: 50_000_000,
            max_states: 5_000_000,
        }
    }
}

/// What a successful check looked at and the work it took.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Checked {
    /// Keys checked.
    pub keys: usize,
    /// Operations the searches placed (after removing failed and unconstraining ones).
    pub operations: usize,
    /// Search steps, summed over keys.
    pub steps: u64,
    /// Memoised configurations, summed over keys.
    pub states: u64,
}

/// Why a check did not pass.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinearizabilityError {
    /// A key's history is not linearizable.
    Violated(Box<Counterexample>),
    /// A key's search reached a limit before deciding (and no key was found violated).
    Inconclusive(Inconclusive),
    /// The history cannot be judged: a key has two writes of one value, or a write of
    /// 0, the initial value, so a read's value does not name one write.
    AmbiguousWrite {
        /// The key.
        key: Key,
        /// The value.
        value: Value,
    },
}

impl fmt::Display for LinearizabilityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinearizabilityError::Violated(c) => c.fmt(f),
            LinearizabilityError::Inconclusive(i) => i.fmt(f),
            LinearizabilityError::AmbiguousWrite { key, value } => write!(
                f,
                "cannot check key {key}: value {value:#x} is written twice or is the initial \
                 value 0; the checker needs unique nonzero write values"
            ),
        }
    }
}

impl std::error::Error for LinearizabilityError {}

/// A search that gave up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Inconclusive {
    /// The key.
    pub key: Key,
    /// Its operations the search had to place.
    pub operations: usize,
    /// Steps taken.
    pub steps: u64,
    /// Configurations memoised.
    pub states: u64,
}

impl fmt::Display for Inconclusive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "linearizability of key {} ({} operations) is inconclusive: the search gave up \
             after {} steps and {} configurations",
            self.key, self.operations, self.steps, self.states
        )
    }
}

/// Why a key is not linearizable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// The read returned a value that no write of the key wrote.
    NeverWritten,
    /// The read returned the value of this write, which failed.
    FailedWriteObserved(Operation),
    /// The read returned the value of this write, invoked only after the read returned.
    WriteInvokedAfterRead(Operation),
    /// No order of the operations places [`Counterexample::stuck`] before it returned.
    NoOrder,
}

/// Where a key's history stops being linearizable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counterexample {
    /// The key.
    pub key: Key,
    /// Why.
    pub reason: Reason,
    /// The operation that could not be placed.
    pub stuck: Operation,
    /// How many operations the deepest attempt placed before getting stuck.
    pub placed: usize,
    /// How many operations the search had to place.
    pub operations: usize,
    /// The register's value after the placed ones.
    pub value: Value,
    /// The last few placed operations, in the order the attempt placed them.
    pub recent: Vec<Operation>,
    /// Operations invoked before `stuck` returned and not yet placed: the candidates
    /// that no order could fit around it.
    pub open: Vec<Operation>,
}

/// How many operations each list of a counterexample shows.
const SHOWN: usize = 4;

impl fmt::Display for Counterexample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key {} is not linearizable: ", self.key)?;
        let stuck = Line(&self.stuck);
        match &self.reason {
            Reason::NeverWritten => write!(f, "{stuck}, a value no write of the key wrote"),
            Reason::FailedWriteObserved(w) => {
                write!(f, "{stuck}, the value of a write that failed: {}", Line(w))
            }
            Reason::WriteInvokedAfterRead(w) => {
                write!(
                    f,
                    "{stuck}, the value of a write invoked after it returned: {}",
                    Line(w)
                )
            }
            Reason::NoOrder => {
                write!(f, "no order places {stuck}")?;
                write!(
                    f,
                    "\n  the deepest attempt placed {} of {} operations, leaving the key at {:#x}",
                    self.placed, self.operations, self.value
                )?;
                if !self.recent.is_empty() {
                    write!(f, "; the last placed:")?;
                    for o in &self.recent {
                        write!(f, "\n    {}", Line(o))?;
                    }
                }
                if !self.open.is_empty() {
                    write!(f, "\n  not placed, invoked before it returned:")?;
                    for o in &self.open {
                        write!(f, "\n    {}", Line(o))?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// One operation on one line: what, by whom, when, and what the client saw.
struct Line<'a>(&'a Operation);

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = self.0;
        match o.kind {
            OpKind::Read => write!(f, "read")?,
            OpKind::Write(v) => write!(f, "write {v:#x}")?,
        }
        write!(f, " by {} (op {}) [{}, ", o.client, o.op, o.invoke)?;
        match o.complete {
            Some(t) => write!(f, "{t}]")?,
            None => write!(f, "-]")?,
        }
        match (o.kind, o.result) {
            (OpKind::Read, OpResult::Ok(Some(v))) => write!(f, " -> {v:#x}"),
            (_, OpResult::Ok(_)) => write!(f, " ok"),
            (_, OpResult::Fail) => write!(f, " failed"),
            (_, OpResult::Unknown) => write!(f, " unknown"),
        }
    }
}

/// Checks every key of `history`, in ascending key order. A key found not linearizable
/// is reported even when an earlier key was inconclusive; the first such key wins.
pub fn check_history(
    history: &History,
    limits: &SearchLimits,
) -> Result<Checked, LinearizabilityError> {
    let mut by_key: BTreeMap<Key, Vec<Operation>> = BTreeMap::new();
    for o in &history.ops {
        by_key.entry(o.key).or_default().push(*o);
    }
    let mut checked = Checked::default();
    let mut inconclusive = None;
    for (key, ops) in &by_key {
        match check_key(*key, ops, limits) {
            Ok(c) => {
                checked.keys += 1;
                checked.operations += c.operations;
                checked.steps += c.steps;
                checked.states += c.states;
            }
            Err(LinearizabilityError::Inconclusive(i)) => {
                inconclusive.get_or_insert(i);
            }
            Err(violated) => return Err(violated),
        }
    }
    match inconclusive {
        Some(i) => Err(LinearizabilityError::Inconclusive(i)),
        None => Ok(checked),
    }
}

/// Checks one key's operations (all of them on `key`, in any order).
pub fn check_key(
    key: Key,
    ops: &[Operation],
    limits: &SearchLimits,
) -> Result<Checked, LinearizabilityError> {
    let search_ops = prepare(key, ops)?;
    let operations = search_ops.len();
    match search::search(&search_ops, limits) {
        Outcome::Linearizable { steps, states } => Ok(Checked {
            keys: 1,
            operations,
            steps,
            states,
        }),
        Outcome::GaveUp { steps, states } => {
            Err(LinearizabilityError::Inconclusive(Inconclusive {
                key,
                operations,
                steps,
                states,
            }))
        }
        Outcome::Stuck(s) => {
            let origin = |i: usize| ops[search_ops[i].origin];
            let stuck = &search_ops[s.stuck];
            let placed: Vec<bool> = {
                let mut p = vec![false; search_ops.len()];
                for &i in &s.placed {
                    p[i] = true;
                }
                p
            };
            let mut open: Vec<Operation> = (0..search_ops.len())
                .filter(|&i| i != s.stuck && !placed[i] && search_ops[i].call <= stuck.ret)
                .map(origin)
                .collect();
            open.sort_by_key(|o| (o.invoke, o.client, o.op));
            open.truncate(SHOWN);
            let recent = s.placed[s.placed.len().saturating_sub(SHOWN)..]
                .iter()
                .map(|&i| origin(i))
                .collect();
            Err(violated(Counterexample {
                key,
                reason: Reason::NoOrder,
                stuck: origin(s.stuck),
                placed: s.placed.len(),
                operations,
                value: s.value,
                recent,
                open,
            }))
        }
    }
}

fn violated(c: Counterexample) -> LinearizabilityError {
    LinearizabilityError::Violated(Box::new(c))
}

/// The operations the search must place, in return order, or the violation that
/// matching reads to writes already shows. See the module comment for the rules.
fn prepare(key: Key, ops: &[Operation]) -> Result<Vec<SearchOp>, LinearizabilityError> {
    let nanos = |t: hasim_sim::SimTime| t.as_nanos();
    // Each value's write (index into `ops`), and the earliest return of a read of it.
    let mut writes: BTreeMap<Value, usize> = BTreeMap::new();
    for (i, o) in ops.iter().enumerate() {
        if let OpKind::Write(value) = o.kind {
            if value == 0 || writes.insert(value, i).is_some() {
                return Err(LinearizabilityError::AmbiguousWrite { key, value });
            }
        }
    }
    let mut read_by: BTreeMap<Value, u64> = BTreeMap::new();
    let mut reads = Vec::new();
    let mut order: Vec<usize> = (0..ops.len()).collect();
    order.sort_by_key(|&i| (ops[i].invoke, ops[i].client, ops[i].op));
    for &i in &order {
        let o = &ops[i];
        let (OpKind::Read, OpResult::Ok(Some(v)), Some(done)) = (o.kind, o.result, o.complete)
        else {
            continue;
        };
        if v != 0 {
            let bad = |reason| {
                violated(Counterexample {
                    key,
                    reason,
                    stuck: *o,
                    placed: 0,
                    operations: 0,
                    value: 0,
                    recent: Vec::new(),
                    open: Vec::new(),
                })
            };
            let Some(&w) = writes.get(&v) else {
                return Err(bad(Reason::NeverWritten));
            };
            let write = &ops[w];
            if write.result == OpResult::Fail {
                return Err(bad(Reason::FailedWriteObserved(*write)));
            }
            if write.invoke > done {
                return Err(bad(Reason::WriteInvokedAfterRead(*write)));
            }
            let deadline = read_by.entry(v).or_insert(u64::MAX);
            *deadline = (*deadline).min(nanos(done));
        }
        reads.push(SearchOp {
            call: nanos(o.invoke),
            ret: nanos(done),
            effect: Effect::Read(v),
            origin: i,
        });
    }
    let mut search_ops = reads;
    for (&v, &i) in &writes {
        let o = &ops[i];
        let own = match o.result {
            OpResult::Ok(_) => o.complete.map_or(u64::MAX, nanos),
            OpResult::Fail => continue,
            OpResult::Unknown => u64::MAX,
        };
        let ret = own.min(read_by.get(&v).copied().unwrap_or(u64::MAX));
        if ret == u64::MAX {
            // An unknown write nobody read: "never took effect" is always valid.
            continue;
        }
        search_ops.push(SearchOp {
            call: nanos(o.invoke),
            ret,
            effect: Effect::Write(v),
            origin: i,
        });
    }
    search_ops.sort_by_key(|s| (s.ret, s.call, s.origin));
    Ok(search_ops)
}
