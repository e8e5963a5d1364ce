//! The search behind the linearizability checker: Lowe's just-in-time linearization of
//! one key's operations (Wing & Gong's backtracking, with the placed-set memoisation of
//! Lowe and Porcupine), bounded by a step and a state limit.
//!
//! Every operation has a call and a return entry in a doubly linked list ordered by
//! time. The search walks the list from its head: at a call it tries to place that
//! operation next (a read fits when the register holds its value, a write always fits);
//! at a return it has met an operation that it could not place before the operation
//! ended, so it undoes the last placement and tries the next candidate. A configuration
//! (the set of placed operations, the register's value) already explored is never
//! explored again, which bounds the work by the number of such configurations rather
//! than by the number of orders.

use super::SearchLimits;
use crate::replication::history::Value;

/// What an operation does to the register, as the search sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Effect {
    /// Fits only when the register holds this value; leaves it unchanged.
    Read(Value),
    /// Always fits; sets the register to this value.
    Write(Value),
}

/// One operation as the search sees it. Times are nanoseconds of simulated time; the
/// operation may take effect at any instant in `[call, ret]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct SearchOp {
    /// When it was invoked.
    pub call: u64,
    /// The latest instant it may take effect.
    pub ret: u64,
    /// What it does.
    pub effect: Effect,
    /// Its index in the key's operations, for the counterexample.
    pub origin: usize,
}

/// Where the deepest attempt stopped: the placed operations (indices into the search's
/// operations, in linearization order), the one that could not be placed next, and the
/// register's value at that point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Stuck {
    pub placed: Vec<usize>,
    pub stuck: usize,
    pub value: Value,
}

/// The search's answer, with the work it took.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Every operation was placed in a valid order.
    Linearizable { steps: u64, states: u64 },
    /// No valid order exists.
    Stuck(Stuck),
    /// A limit was reached before the search could decide.
    GaveUp { steps: u64, states: u64 },
}

/// The list's head sentinel and its end marker.
const HEAD: usize = 0;
const NIL: usize = usize::MAX;

/// The time-ordered list of call and return entries, with O(1) removal and reinsertion
/// (dancing links: reinsertions happen in the reverse order of removals).
struct Entries {
    /// For node `i` (1-based; 0 is the head), the operation and whether it is the call.
    node: Vec<(usize, bool)>,
    next: Vec<usize>,
    prev: Vec<usize>,
    call_node: Vec<usize>,
    ret_node: Vec<usize>,
}

impl Entries {
    /// At equal times calls come before returns: operations that touch at an instant
    /// count as concurrent, the lenient reading.
    fn new(ops: &[SearchOp]) -> Entries {
        let mut order: Vec<(u64, bool, usize)> = Vec::with_capacity(2 * ops.len());
        for (i, o) in ops.iter().enumerate() {
            order.push((o.call, false, i));
            order.push((o.ret, true, i));
        }
        order.sort_unstable();
        let len = order.len() + 1;
        let mut e = Entries {
            node: Vec::with_capacity(len),
            next: (1..=len).map(|i| if i == len { NIL } else { i }).collect(),
            prev: (0..len).map(|i| i.wrapping_sub(1)).collect(),
            call_node: vec![0; ops.len()],
            ret_node: vec![0; ops.len()],
        };
        e.node.push((NIL, false));
        for (n, &(_, is_return, op)) in order.iter().enumerate() {
            e.node.push((op, !is_return));
            if is_return {
                e.ret_node[op] = n + 1;
            } else {
                e.call_node[op] = n + 1;
            }
        }
        e
    }

    fn unlink(&mut self, n: usize) {
        let (p, x) = (self.prev[n], self.next[n]);
        self.next[p] = x;
        if x != NIL {
            self.prev[x] = p;
        }
    }

    fn relink(&mut self, n: usize) {
        let (p, x) = (self.prev[n], self.next[n]);
        self.next[p] = n;
        if x != NIL {
            self.prev[x] = n;
        }
    }

    fn lift(&mut self, op: usize) {
        self.unlink(self.call_node[op]);
        self.unlink(self.ret_node[op]);
    }

    fn unlift(&mut self, op: usize) {
        self.relink(self.ret_node[op]);
        self.relink(self.call_node[op]);
    }
}

/// Searches for a linearization of `ops`, which must be in return order (ascending
/// `ret`) so that the placed set is mostly a prefix and its memo key stays short.
pub(super) fn search(ops: &[SearchOp], limits: &SearchLimits) -> Outcome {
    let mut list = Entries::new(ops);
    let mut placed = Placed::new(ops.len());
    let mut memo = Memo::default();
    let mut key = Vec::new();
    // The placed operations with the register's value before each.
    let mut stack: Vec<(usize, Value)> = Vec::with_capacity(ops.len());
    // The deepest stuck point so far (`stuck` is NIL until there is one), and how long
    // a prefix of the stack it still shares, so that recording a deeper one copies only
    // what changed since.
    let mut deepest = Stuck {
        placed: Vec::new(),
        stuck: NIL,
        value: 0,
    };
    let mut shared = 0;
    let mut value: Value = 0;
    let mut steps: u64 = 0;
    let mut node = list.next[HEAD];
    loop {
        if stack.len() == ops.len() {
            return Outcome::Linearizable {
                steps,
                states: memo.len(),
            };
        }
        steps += 1;
        if steps > limits.max_steps || memo.len() > limits.max_states {
            return Outcome::GaveUp {
                steps,
                states: memo.len(),
            };
        }
        // Some operation is unplaced, so its return entry is still in the list and the
        // walk meets a return before it runs off the end.
        let (op, is_call) = list.node[node];
        if is_call {
            let after = match ops[op].effect {
                Effect::Read(v) if v == value => Some(value),
                Effect::Read(_) => None,
                Effect::Write(v) => Some(v),
            };
            if let Some(after) = after {
                placed.insert(op);
                placed.memo_key(after, &mut key);
                if memo.insert(&key) {
                    stack.push((op, value));
                    value = after;
                    list.lift(op);
                    node = list.next[HEAD];
                    continue;
                }
                placed.remove(op);
            }
            node = list.next[node];
        } else {
            if deepest.stuck == NIL || stack.len() > deepest.placed.len() {
                deepest.placed.truncate(shared);
                deepest
                    .placed
                    .extend(stack[shared..].iter().map(|&(o, _)| o));
                deepest.stuck = op;
                deepest.value = value;
                shared = stack.len();
            }
            let Some((last, before)) = stack.pop() else {
                return Outcome::Stuck(deepest);
            };
            shared = shared.min(stack.len());
            placed.remove(last);
            value = before;
            list.unlift(last);
            node = list.next[list.call_node[last]];
        }
    }
}

/// The placed operations as a bitset, with bounds on where its unplaced and placed
/// operations are, so that building a memo key reads only the few words where the
/// placed set is ragged rather than the whole history.
struct Placed {
    words: Vec<u64>,
    /// Every word before `full` is all ones.
    full: usize,
    /// Every word from `end` on is all zeros.
    end: usize,
}

impl Placed {
    fn new(ops: usize) -> Placed {
        Placed {
            words: vec![0; ops.div_ceil(64)],
            full: 0,
            end: 0,
        }
    }

    fn insert(&mut self, op: usize) {
        self.words[op / 64] |= 1 << (op % 64);
        self.end = self.end.max(op / 64 + 1);
    }

    fn remove(&mut self, op: usize) {
        self.words[op / 64] &= !(1 << (op % 64));
        self.full = self.full.min(op / 64);
    }

    /// The canonical memo key of a configuration: the value, then `k`, the first
    /// operation (in return order) not placed, then every placed operation after `k`.
    /// Operations before `k` are all placed, so the key is short when few operations
    /// overlap, and two equal configurations always give equal keys.
    fn memo_key(&mut self, value: Value, key: &mut Vec<u64>) {
        key.clear();
        key.push(value);
        while self.full < self.end && self.words[self.full] == u64::MAX {
            self.full += 1;
        }
        let Some(&word) = self.words.get(self.full) else {
            key.push((self.full * 64) as u64);
            return;
        };
        let zero = (!word).trailing_zeros();
        key.push((self.full * 64) as u64 + u64::from(zero));
        let mut rest = word & (u64::MAX << zero);
        let mut index = self.full;
        loop {
            while rest != 0 {
                key.push((index * 64) as u64 + u64::from(rest.trailing_zeros()));
                rest &= rest - 1;
            }
            index += 1;
            if index >= self.end {
                return;
            }
            rest = self.words[index];
        }
    }
}

/// A set of memo keys: open addressing over one arena of words, so that recording a
/// configuration allocates nothing but amortised growth.
#[derive(Default)]
struct Memo {
    /// 0 when empty, otherwise 1 + the index of the entry.
    slots: Vec<usize>,
    /// Hash, start in the arena, length.
    entries: Vec<(u64, usize, usize)>,
    arena: Vec<u64>,
}

impl Memo {
    fn len(&self) -> u64 {
        self.entries.len() as u64
    }

    /// Records `key`; false when it was already recorded.
    fn insert(&mut self, key: &[u64]) -> bool {
        if 2 * (self.entries.len() + 1) > self.slots.len() {
            self.grow();
        }
        let hash = hash(key);
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            match self.slots[i] {
                0 => {
                    self.entries.push((hash, self.arena.len(), key.len()));
                    self.arena.extend_from_slice(key);
                    self.slots[i] = self.entries.len();
                    return true;
                }
                s => {
                    let (h, start, len) = self.entries[s - 1];
                    if h == hash && self.arena[start..start + len] == *key {
                        return false;
                    }
                }
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1024);
        self.slots = vec![0; size];
        let mask = size - 1;
        for (e, &(hash, _, _)) in self.entries.iter().enumerate() {
            let mut i = (hash as usize) & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = e + 1;
        }
    }
}

/// A fixed, platform-independent hash of a key (multiply-rotate, SplitMix64 finish).
fn hash(key: &[u64]) -> u64 {
    let mut h: u64 = key.len() as u64;
    for &w in key {
        h = (h.rotate_left(5) ^ w).wrapping_mul(0x517C_C1B7_2722_0A95);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94D0_49BB_1331_11EB);
    h ^ (h >> 31)
}
