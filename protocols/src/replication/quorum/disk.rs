//! What a replica keeps on disk: its data, the hints it holds for other replicas, and
//! its vector write counter. Every write is synced before it is acknowledged, so a
//! crash loses nothing a replica acknowledged (a disk fault that drops unsynced writes
//! can still lose what was in flight).

use crate::replication::history::Key;
use crate::replication::quorum::version::Siblings;
use hasim_sim::{Describe, Detail, Durable, NodeId};
use std::collections::BTreeMap;

/// A hint: versions held for another replica, and a sequence number that tells a
/// handoff acknowledgement for this content from one for older content.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hint {
    /// Bumped on every change, so an acknowledgement of older content keeps the hint.
    pub seq: u64,
    /// The versions.
    pub siblings: Siblings,
}

/// A replica's durable image.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Disk {
    /// Its own data, per key.
    pub store: BTreeMap<Key, Siblings>,
    /// Hints, per (intended replica, key).
    pub hints: BTreeMap<(NodeId, Key), Hint>,
    /// The highest vector counter it used as a coordinator.
    pub counter: u64,
}

/// One write to the image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DiskWrite {
    /// A key's data is now this.
    Store {
        /// The key.
        key: Key,
        /// Its versions.
        siblings: Siblings,
    },
    /// A hint is now this.
    Hint {
        /// The intended replica.
        target: NodeId,
        /// The key.
        key: Key,
        /// The hint.
        hint: Hint,
    },
    /// A hint was handed off.
    HintDone {
        /// The intended replica.
        target: NodeId,
        /// The key.
        key: Key,
    },
    /// The coordinator counter is now this.
    Counter(u64),
}

impl Durable for Disk {
    type Write = DiskWrite;

    fn apply(&mut self, write: &DiskWrite) {
        match write {
            DiskWrite::Store { key, siblings } => {
                self.store.insert(*key, siblings.clone());
            }
            DiskWrite::Hint { target, key, hint } => {
                self.hints.insert((*target, *key), hint.clone());
            }
            DiskWrite::HintDone { target, key } => {
                self.hints.remove(&(*target, *key));
            }
            DiskWrite::Counter(c) => self.counter = *c,
        }
    }
}

impl Describe for DiskWrite {
    fn describe(&self, d: &mut Detail<'_>) {
        match self {
            DiskWrite::Store { key, siblings } => d
                .name("store")
                .u64("key", u64::from(*key))
                .u64("value", siblings.value())
                .u64("siblings", siblings.len() as u64),
            DiskWrite::Hint { target, key, hint } => d
                .name("hint")
                .node("for", *target)
                .u64("key", u64::from(*key))
                .u64("seq", hint.seq),
            DiskWrite::HintDone { target, key } => d
                .name("hint_done")
                .node("for", *target)
                .u64("key", u64::from(*key)),
            DiskWrite::Counter(c) => d.name("counter").u64("counter", *c),
        };
    }
}
