//! The consistent-hash ring: where each replica sits, and which replicas hold a key
//! (its preference list: the first N distinct replicas clockwise from the key's hash).
//!
//! The hash is the SplitMix64 finaliser, fixed here so that placements are the same on
//! every platform and build (std's `RandomState` is seeded per process).

use crate::replication::history::Key;
use hasim_sim::NodeId;

/// SplitMix64's finaliser: a stable, well-mixed 64-bit hash of `x`.
pub fn mix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The ring: one token per replica, sorted by token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ring {
    /// (token, replica node), ascending by token.
    tokens: Vec<(u64, NodeId)>,
    /// The replica nodes in id order: a replica's position here is its index in
    /// version vectors.
    members: Vec<NodeId>,
}

/// Separates the key hashes from the node tokens, so key k and node k do not collide.
const KEY_SALT: u64 = 0x6b65_795f_7269_6e67;

impl Ring {
    /// The ring of `members` (distinct nodes).
    pub fn new(mut members: Vec<NodeId>) -> Ring {
        members.sort_unstable();
        members.dedup();
        let mut tokens: Vec<(u64, NodeId)> = members
            .iter()
            .map(|&m| (mix64(u64::from(m.0)), m))
            .collect();
        tokens.sort_unstable();
        Ring { tokens, members }
    }

    /// The replica nodes in id order.
    pub fn members(&self) -> &[NodeId] {
        &self.members
    }

    /// The index of `node` among the members (its slot in version vectors).
    pub fn index_of(&self, node: NodeId) -> Option<usize> {
        self.members.binary_search(&node).ok()
    }

    /// Every member, clockwise from `key`'s position: the first N are its preference
    /// list, the rest the fallbacks a sloppy quorum walks on to.
    pub fn walk(&self, key: Key) -> impl Iterator<Item = NodeId> + '_ {
        let position = mix64(u64::from(key) ^ KEY_SALT);
        let start = self.tokens.partition_point(|&(t, _)| t < position);
        let len = self.tokens.len();
        (0..len).map(move |i| self.tokens[(start + i) % len].1)
    }

    /// Whether `node` is among the first `n` replicas of `key`.
    pub fn is_preferred(&self, key: Key, n: usize, node: NodeId) -> bool {
        self.walk(key).take(n).any(|m| m == node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preference_lists_are_stable_distinct_and_spread() {
        let ring = Ring::new((0..5).map(NodeId).collect());
        let mut first = [0u32; 5];
        for key in 0..1000 {
            let list: Vec<NodeId> = ring.walk(key).collect();
            assert_eq!(list.len(), 5);
            let mut sorted = list.clone();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), 5, "key {key}: {list:?}");
            first[list[0].index()] += 1;
            assert!(ring.is_preferred(key, 3, list[2]));
            assert!(!ring.is_preferred(key, 3, list[3]));
        }
        // Every node leads some keys: the hash spreads them (one token per node is
        // uneven, but none of five gets nothing over 1,000 keys).
        assert!(first.iter().all(|&c| c > 0), "{first:?}");
        // The placement is pinned: a change of hash would move every key's data.
        let key0: Vec<u32> = ring.walk(0).map(|n| n.0).collect();
        assert_eq!(key0, vec![4, 1, 2, 0, 3]);
    }
}
