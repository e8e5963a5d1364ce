//! Versions of a key's value and how a replica keeps them: last-write-wins stamps, or
//! version vectors with siblings for writes no vector orders.
//!
//! **Last write wins.** A version is the coordinator's local clock reading at the
//! write, ties broken by the coordinator's id. A replica keeps the highest stamp. The
//! order is total, so there are never siblings; but it is clock order, not real-time
//! order: a coordinator whose clock is behind stamps a later write below an earlier one,
//! and the later write silently loses.
//!
//! **Version vectors.** A version carries a vector of per-replica write counters and
//! its *dot*, the (counter, replica) of the write that made it. `a` descends from `b`
//! when every counter of `a` is at least `b`'s. A replica keeps every version that no
//! other it holds descends from (siblings). A read that finds siblings returns the
//! value of the one with the highest dot (counter first, then replica index): a
//! deterministic but arbitrary choice among concurrent writes, so the store is not a
//! linearizable register; but a write that descends from another always wins over it.

use crate::replication::history::Value;
use hasim_sim::{NodeId, SimTime};

/// A last-write-wins stamp: ordered by time, then by node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Stamp {
    /// The coordinator's local clock when it took the write.
    pub time: SimTime,
    /// The coordinator.
    pub node: NodeId,
}

/// The write event behind a vector version: the coordinator's counter after the write
/// and the coordinator's index on the ring. Ordered by counter, then replica.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Dot {
    /// The coordinator's write counter.
    pub counter: u64,
    /// The coordinator's index among the ring's members.
    pub replica: u32,
}

/// A version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Version {
    /// Last write wins.
    Lww(Stamp),
    /// A version vector (one counter per ring member) and the write that made it.
    Vector {
        /// Counters, indexed by ring member.
        vector: Vec<u64>,
        /// The write that made this version.
        dot: Dot,
    },
}

/// A value with its version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Versioned {
    /// The version.
    pub version: Version,
    /// The value.
    pub value: Value,
}

/// Whether every counter of `a` is at least the one of `b` (missing counters are 0).
pub fn descends(a: &[u64], b: &[u64]) -> bool {
    (0..a.len().max(b.len()))
        .all(|i| a.get(i).copied().unwrap_or(0) >= b.get(i).copied().unwrap_or(0))
}

impl Versioned {
    /// Whether this version makes `other` obsolete: a higher or equal stamp, or a
    /// vector that descends from `other`'s.
    pub fn covers(&self, other: &Versioned) -> bool {
        match (&self.version, &other.version) {
            (Version::Lww(a), Version::Lww(b)) => a >= b,
            (Version::Vector { vector: a, .. }, Version::Vector { vector: b, .. }) => {
                descends(a, b)
            }
            // The two kinds never meet in one run (every replica shares `versioning`).
            _ => false,
        }
    }

    /// The order a read uses to pick among siblings: stamp, or dot.
    fn rank(&self) -> (u64, u32) {
        match &self.version {
            Version::Lww(s) => (s.time.as_nanos(), s.node.0),
            Version::Vector { dot, .. } => (dot.counter, dot.replica),
        }
    }
}

/// What a replica holds for one key: the versions no other it holds covers, sorted by
/// rank so that two replicas holding the same versions compare equal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Siblings {
    items: Vec<Versioned>,
}

impl Siblings {
    /// One version.
    pub fn one(v: Versioned) -> Siblings {
        Siblings { items: vec![v] }
    }

    /// Whether no write reached this key yet.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many siblings.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The versions held.
    pub fn iter(&self) -> impl Iterator<Item = &Versioned> + '_ {
        self.items.iter()
    }

    /// Adds a version; returns whether anything changed (false when a held version
    /// already covers it).
    pub fn insert(&mut self, v: &Versioned) -> bool {
        if self.items.iter().any(|held| held.covers(v)) {
            return false;
        }
        self.items.retain(|held| !v.covers(held));
        let at = self.items.partition_point(|held| held.rank() < v.rank());
        self.items.insert(at, v.clone());
        true
    }

    /// Adds every version of `other`; returns whether anything changed.
    pub fn merge(&mut self, other: &Siblings) -> bool {
        let mut changed = false;
        for v in &other.items {
            changed |= self.insert(v);
        }
        changed
    }

    /// The version a read returns: the highest-ranked sibling.
    pub fn resolve(&self) -> Option<&Versioned> {
        self.items.last()
    }

    /// The value a read returns: the resolved version's, or 0 (the initial value).
    pub fn value(&self) -> Value {
        self.resolve().map_or(0, |v| v.value)
    }

    /// Whether every version of `other` is covered here (this holds all it knows).
    pub fn covers_all(&self, other: &Siblings) -> bool {
        other
            .items
            .iter()
            .all(|o| self.items.iter().any(|held| held.covers(o)))
    }

    /// The least vector that descends from every sibling (the causal context a new
    /// write must descend from), `len` counters long.
    pub fn context(&self, len: usize) -> Vec<u64> {
        let mut context = vec![0; len];
        for v in &self.items {
            if let Version::Vector { vector, .. } = &v.version {
                for (c, x) in context.iter_mut().zip(vector) {
                    *c = (*c).max(*x);
                }
            }
        }
        context
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vv(vector: &[u64], replica: u32, value: Value) -> Versioned {
        Versioned {
            version: Version::Vector {
                vector: vector.to_vec(),
                dot: Dot {
                    counter: vector[replica as usize],
                    replica,
                },
            },
            value,
        }
    }

    fn lww(ms: u64, node: u32, value: Value) -> Versioned {
        Versioned {
            version: Version::Lww(Stamp {
                time: SimTime::from_nanos(ms * 1_000_000),
                node: NodeId(node),
            }),
            value,
        }
    }

    #[test]
    fn lww_keeps_the_highest_stamp_whatever_the_arrival_order() {
        let mut a = Siblings::default();
        assert!(a.insert(&lww(5, 1, 50)));
        assert!(!a.insert(&lww(4, 2, 40)), "an older stamp changes nothing");
        assert!(a.insert(&lww(5, 2, 52)), "equal time: the higher node wins");
        assert_eq!((a.len(), a.value()), (1, 52));
        let mut b = Siblings::default();
        b.insert(&lww(5, 2, 52));
        b.insert(&lww(5, 1, 50));
        assert_eq!(a, b);
    }

    #[test]
    fn vectors_keep_concurrent_siblings_and_drop_what_a_descendant_covers() {
        let mut s = Siblings::default();
        assert!(s.insert(&vv(&[1, 0, 0], 0, 10)));
        // Concurrent: neither descends from the other.
        assert!(s.insert(&vv(&[0, 1, 0], 1, 20)));
        assert_eq!(s.len(), 2);
        // Equal counters, dot (1, 1) beats (1, 0).
        assert_eq!(s.value(), 20);
        // A write that read both descends from both and replaces them.
        assert_eq!(s.context(3), vec![1, 1, 0]);
        assert!(s.insert(&vv(&[1, 1, 1], 2, 30)));
        assert_eq!((s.len(), s.value()), (1, 30));
        // Stale versions arriving late change nothing.
        assert!(!s.insert(&vv(&[1, 0, 0], 0, 10)));
        assert!(s.covers_all(&Siblings::one(vv(&[0, 1, 0], 1, 20))));
        assert!(!s.covers_all(&Siblings::one(vv(&[0, 0, 2], 2, 40))));
    }

    #[test]
    fn a_causally_later_write_wins_even_with_a_lower_dot() {
        // Replica 2 wrote a lot (dot counter 9); replica 0 then read it and wrote.
        let mut s = Siblings::one(vv(&[0, 0, 9], 2, 90));
        assert!(s.insert(&vv(&[1, 0, 9], 0, 11)));
        assert_eq!((s.len(), s.value()), (1, 11));
        // Merging in either order gives the same siblings.
        let mut t = Siblings::one(vv(&[1, 0, 9], 0, 11));
        t.merge(&Siblings::one(vv(&[0, 0, 9], 2, 90)));
        assert_eq!(s, t);
    }
}
