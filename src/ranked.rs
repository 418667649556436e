//! An ordered set that also answers "how many keys are smaller than this one"
//! in O(log n): the queue position a host shows a waiting customer.
//!
//! It is a treap in an arena. A node's priority is its slot in the arena
//! through a fixed mixing function, so the shape (and every answer) is the
//! same on every run, and a node stores no priority of its own; slots are
//! handed out whatever the keys, so the expected depth is O(log n) for any
//! order of keys.

use serde::{Deserialize, Serialize};

const NIL: u32 = u32::MAX;

#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
struct Node<K> {
    key: K,
    left: u32,
    right: u32,
    size: u32,
}

/// A set of unique keys with rank queries.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct RankedSet<K> {
    nodes: Vec<Node<K>>,
    free: Vec<u32>,
    root: u32,
}

impl<K> Default for RankedSet<K> {
    fn default() -> Self {
        RankedSet {
            nodes: Vec::new(),
            free: Vec::new(),
            root: NIL,
        }
    }
}

/// The priority of the node in slot `t`: SplitMix64's finaliser, a fixed
/// bijection that scatters the slot numbers.
fn heap(t: u32) -> u64 {
    let mut z = u64::from(t);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl<K: Ord + Copy> RankedSet<K> {
    /// How many keys the set holds.
    pub(crate) fn len(&self) -> usize {
        self.size(self.root) as usize
    }

    /// Adds `key`; the caller guarantees it is not present.
    pub(crate) fn insert(&mut self, key: K) {
        let node = Node {
            key,
            left: NIL,
            right: NIL,
            size: 1,
        };
        let n = match self.free.pop() {
            Some(slot) => {
                self.nodes[slot as usize] = node;
                slot
            }
            None => {
                self.nodes.push(node);
                (self.nodes.len() - 1) as u32
            }
        };
        let (smaller, larger) = self.split(self.root, &key, false);
        let left = self.merge(smaller, n);
        self.root = self.merge(left, larger);
    }

    /// Removes `key`, returning whether it was present.
    pub(crate) fn remove(&mut self, key: &K) -> bool {
        let (smaller, rest) = self.split(self.root, key, false);
        let (found, larger) = self.split(rest, key, true);
        if found != NIL {
            self.free.push(found);
        }
        self.root = self.merge(smaller, larger);
        found != NIL
    }

    /// How many keys in the set are smaller than `key`.
    pub(crate) fn rank(&self, key: &K) -> usize {
        let mut rank = 0;
        let mut t = self.root;
        while t != NIL {
            let node = &self.nodes[t as usize];
            if *key <= node.key {
                t = node.left;
            } else {
                rank += self.size(node.left) as usize + 1;
                t = node.right;
            }
        }
        rank
    }

    fn size(&self, t: u32) -> u32 {
        if t == NIL {
            0
        } else {
            self.nodes[t as usize].size
        }
    }

    fn update(&mut self, t: u32) {
        let (l, r) = (self.nodes[t as usize].left, self.nodes[t as usize].right);
        self.nodes[t as usize].size = 1 + self.size(l) + self.size(r);
    }

    /// Splits `t` into keys below `key` (or up to it, if `inclusive`) and the rest.
    fn split(&mut self, t: u32, key: &K, inclusive: bool) -> (u32, u32) {
        if t == NIL {
            return (NIL, NIL);
        }
        let node_key = self.nodes[t as usize].key;
        let goes_left = if inclusive {
            node_key <= *key
        } else {
            node_key < *key
        };
        if goes_left {
            let (l, r) = self.split(self.nodes[t as usize].right, key, inclusive);
            self.nodes[t as usize].right = l;
            self.update(t);
            (t, r)
        } else {
            let (l, r) = self.split(self.nodes[t as usize].left, key, inclusive);
            self.nodes[t as usize].left = r;
            self.update(t);
            (l, t)
        }
    }

    /// Joins two treaps whose keys are all smaller in `a` than in `b`.
    fn merge(&mut self, a: u32, b: u32) -> u32 {
        if a == NIL {
            return b;
        }
        if b == NIL {
            return a;
        }
        if heap(a) >= heap(b) {
            let right = self.nodes[a as usize].right;
            self.nodes[a as usize].right = self.merge(right, b);
            self.update(a);
            a
        } else {
            let left = self.nodes[b as usize].left;
            self.nodes[b as usize].left = self.merge(a, left);
            self.update(b);
            b
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    proptest! {
        #[test]
        fn matches_a_btreeset(ops in proptest::collection::vec((any::<bool>(), 0u16..200), 0..400)) {
            let mut model = BTreeSet::new();
            let mut set = RankedSet::default();
            for (add, key) in ops {
                if add {
                    if model.insert(key) {
                        set.insert(key);
                    }
                } else {
                    prop_assert_eq!(set.remove(&key), model.remove(&key));
                }
                prop_assert_eq!(set.len(), model.len());
                for probe in [0, key, key.saturating_add(1), 199] {
                    prop_assert_eq!(set.rank(&probe), model.range(..probe).count());
                }
            }
        }
    }

    #[test]
    fn stays_shallow_for_sorted_inserts() {
        let mut set = RankedSet::default();
        for k in 0..100_000u32 {
            set.insert(k);
        }
        assert_eq!(set.rank(&50_000), 50_000);
        assert!(depth(&set, set.root) < 100, "treap degenerated");
    }

    /// A line served first in, first out: every insert reuses the slot the
    /// last remove freed, so the same few priorities come back again and
    /// again, each with a larger key.
    #[test]
    fn stays_shallow_when_slots_come_back() {
        let mut set = RankedSet::default();
        for k in 0..10_000u32 {
            set.insert(k);
        }
        for k in 10_000..200_000u32 {
            assert!(set.remove(&(k - 10_000)));
            set.insert(k);
        }
        assert_eq!(set.len(), 10_000);
        assert_eq!(set.rank(&195_000), 5_000);
        assert!(depth(&set, set.root) < 80, "treap degenerated");
    }

    fn depth(s: &RankedSet<u32>, t: u32) -> usize {
        if t == NIL {
            0
        } else {
            let n = &s.nodes[t as usize];
            1 + depth(s, n.left).max(depth(s, n.right))
        }
    }
}
