//! Lines of waiting conversations, threaded through the conversations' own
//! records, so that waiting costs no allocation beyond the record.
//!
//! Each routing class and each channel keeps its waiting conversations in
//! a line ordered by key. A line is a treap whose nodes live in their
//! owners' records ([`Nodes`] says where): each node holds its links and
//! the size of its subtree, which gives "how many wait ahead" in
//! O(log n), and may sum up more of its subtree (a class's line keeps the
//! earliest time in line below each node, for its longest wait in O(1)).
//!
//! A node's heap priority is its slot through a fixed mixing function, so
//! the shape (and every answer) is the same on every run, and a node
//! stores no priority of its own; slots are handed out whatever the keys,
//! so the expected depth is O(log n) for any order of keys. Nothing here
//! recurses: keys that happen to follow the priorities (a host that knows
//! the mixing function could in principle arrange it) make a slow line,
//! not a stack overflow.

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

/// No node.
pub(crate) const NIL: u32 = u32::MAX;

/// A node's place in one line.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Links {
    left: u32,
    right: u32,
    size: u32,
}

impl Default for Links {
    fn default() -> Self {
        Links {
            left: NIL,
            right: NIL,
            size: 1,
        }
    }
}

impl Links {
    /// The node's children, each `NIL` if none.
    pub(crate) fn children(self) -> [u32; 2] {
        [self.left, self.right]
    }
}

/// Where the nodes of one kind of line keep their keys and links.
pub(crate) trait Nodes {
    type Key: Ord + Copy;
    fn key(&self, n: u32) -> Self::Key;
    fn links(&self, n: u32) -> Links;

    /// How many nodes the subtree at `n` holds.
    fn size(&self, n: u32) -> u32 {
        if n == NIL { 0 } else { self.links(n).size }
    }
}

/// Nodes that can be linked.
pub(crate) trait NodesMut: Nodes {
    fn links_mut(&mut self, n: u32) -> &mut Links;

    /// Recomputes whatever else than its size `n` sums up of its subtree,
    /// from its own and its `children`'s (`NIL` if none), which are right.
    fn sum_up_more(&mut self, _n: u32, _children: [u32; 2]) {}
}

/// Recomputes what `n` sums up of its subtree, its children's sums being
/// right.
fn sum_up(nodes: &mut impl NodesMut, n: u32) {
    let children = nodes.links(n).children();
    let [left, right] = children;
    nodes.links_mut(n).size = 1 + nodes.size(left) + nodes.size(right);
    nodes.sum_up_more(n, children);
}

/// One line: its root, and its first node at hand.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct WaitLine<K> {
    root: u32,
    first: Option<(K, u32)>,
}

impl<K> Default for WaitLine<K> {
    fn default() -> Self {
        WaitLine {
            root: NIL,
            first: None,
        }
    }
}

/// The priority of the node in slot `n`: SplitMix64's finaliser, a fixed
/// bijection that scatters the slot numbers.
fn heap(n: u32) -> u64 {
    let mut z = u64::from(n);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl<K: Ord + Copy> WaitLine<K> {
    /// Whether the line is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.root == NIL
    }

    /// The root node, if any: what it sums up is the whole line's.
    pub(crate) fn root(&self) -> Option<u32> {
        (self.root != NIL).then_some(self.root)
    }

    /// The first node in line and its key.
    pub(crate) fn first(&self) -> Option<(K, u32)> {
        self.first
    }

    /// How many nodes the line holds.
    pub(crate) fn len(&self, nodes: &impl Nodes<Key = K>) -> usize {
        nodes.size(self.root) as usize
    }

    /// How many nodes in line have a key smaller than `key`.
    pub(crate) fn rank(&self, nodes: &impl Nodes<Key = K>, key: K) -> usize {
        let mut rank = 0;
        let mut t = self.root;
        while t != NIL {
            let links = nodes.links(t);
            if key <= nodes.key(t) {
                t = links.left;
            } else {
                rank += nodes.size(links.left) as usize + 1;
                t = links.right;
            }
        }
        rank
    }

    /// Puts node `n` in line; the caller guarantees it is in no line of
    /// this kind and its key is unique.
    ///
    /// It goes down from the root while the nodes met have higher
    /// priorities, then takes the rest of the way as its two subtrees.
    pub(crate) fn insert(&mut self, nodes: &mut impl NodesMut<Key = K>, n: u32) {
        *nodes.links_mut(n) = Links::default();
        let key = nodes.key(n);
        let mut path = Path::new();
        let (mut hook, mut t) = (Hook::Root, self.root);
        while t != NIL && heap(t) > heap(n) {
            path.push(t);
            (hook, t) = step(nodes, t, key);
        }
        let (left, right) = split(nodes, t, key);
        let links = nodes.links_mut(n);
        (links.left, links.right) = (left, right);
        sum_up(nodes, n);
        hang(nodes, &mut self.root, hook, n);
        sum_up_path(nodes, &path);
        if self.first.is_none_or(|(first, _)| key < first) {
            self.first = Some((key, n));
        }
    }

    /// Takes node `n`, which is in this line, out of it: its two subtrees
    /// take its place.
    pub(crate) fn remove(&mut self, nodes: &mut impl NodesMut<Key = K>, n: u32) {
        let key = nodes.key(n);
        let mut path = Path::new();
        let (mut hook, mut t) = (Hook::Root, self.root);
        while t != n {
            if t == NIL {
                return; // Not in line: the caller's mistake, and nothing to do.
            }
            path.push(t);
            (hook, t) = step(nodes, t, key);
        }
        let [left, right] = nodes.links(n).children();
        let merged = merge(nodes, left, right);
        hang(nodes, &mut self.root, hook, merged);
        sum_up_path(nodes, &path);
        if self.first.is_some_and(|(_, first)| first == n) {
            self.first = self.leftmost(nodes);
        }
    }

    /// The node with the smallest key, found from the root.
    fn leftmost(&self, nodes: &impl Nodes<Key = K>) -> Option<(K, u32)> {
        let mut t = self.root;
        let mut found = None;
        while t != NIL {
            found = Some((nodes.key(t), t));
            t = nodes.links(t).left;
        }
        found
    }
}

/// The nodes from the root down to where an operation works, which it
/// sums up again on its way back, deepest first. No operation recurses:
/// a line whose priorities happen to follow its keys is one long chain,
/// slow to walk but no danger to the stack.
type Path = SmallVec<[u32; 64]>;

/// Where a subtree hangs: at the root, or as a child of a node.
#[derive(Clone, Copy)]
enum Hook {
    Root,
    Left(u32),
    Right(u32),
}

/// Hangs the subtree at `t` where `hook` says, `root` being the root's
/// place.
fn hang(nodes: &mut impl NodesMut, root: &mut u32, hook: Hook, t: u32) {
    match hook {
        Hook::Root => *root = t,
        Hook::Left(p) => nodes.links_mut(p).left = t,
        Hook::Right(p) => nodes.links_mut(p).right = t,
    }
}

/// One step down from `t` towards `key`: where the next node hangs, and
/// that node.
fn step<N: Nodes>(nodes: &N, t: u32, key: N::Key) -> (Hook, u32) {
    let links = nodes.links(t);
    if key < nodes.key(t) {
        (Hook::Left(t), links.left)
    } else {
        (Hook::Right(t), links.right)
    }
}

/// Sums up the nodes of `path` again, deepest first.
fn sum_up_path(nodes: &mut impl NodesMut, path: &[u32]) {
    for &t in path.iter().rev() {
        sum_up(nodes, t);
    }
}

/// Splits the subtree at `t` into the nodes under keys below `key` and the
/// rest, and returns their roots.
///
/// It walks down once: a node below `key` joins the right edge of the
/// left part and sends the walk to its right child, any other node the
/// left edge of the right part, and the walk to its left child.
fn split<N: NodesMut>(nodes: &mut N, mut t: u32, key: N::Key) -> (u32, u32) {
    let (mut left, mut right) = (NIL, NIL);
    let (mut left_edge, mut right_edge) = (Hook::Root, Hook::Root);
    let mut path = Path::new();
    while t != NIL {
        path.push(t);
        let links = nodes.links(t);
        if nodes.key(t) < key {
            hang(nodes, &mut left, left_edge, t);
            left_edge = Hook::Right(t);
            t = links.right;
        } else {
            hang(nodes, &mut right, right_edge, t);
            right_edge = Hook::Left(t);
            t = links.left;
        }
    }
    hang(nodes, &mut left, left_edge, NIL);
    hang(nodes, &mut right, right_edge, NIL);
    sum_up_path(nodes, &path);
    (left, right)
}

/// Joins two subtrees whose keys are all smaller in `a` than in `b`, and
/// returns the root.
///
/// It walks down the right edge of `a` and the left edge of `b` at once,
/// taking the node of higher priority each time.
fn merge<N: NodesMut>(nodes: &mut N, mut a: u32, mut b: u32) -> u32 {
    let mut root = NIL;
    let mut hook = Hook::Root;
    let mut path = Path::new();
    loop {
        let (next, last) = match (a, b) {
            (NIL, _) => (b, true),
            (_, NIL) => (a, true),
            _ if heap(a) > heap(b) => (a, false),
            _ => (b, false),
        };
        hang(nodes, &mut root, hook, next);
        if last {
            break;
        }
        path.push(next);
        if next == a {
            hook = Hook::Right(a);
            a = nodes.links(a).right;
        } else {
            hook = Hook::Left(b);
            b = nodes.links(b).left;
        }
    }
    sum_up_path(nodes, &path);
    root
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeSet;

    /// Nodes in a plain vector: node `n` has key `keys[n]`, and sums up the
    /// smallest "weight" (`n % 7`) below it, as a class's line sums up the
    /// earliest time in line.
    #[derive(Default)]
    struct Plain {
        keys: Vec<u32>,
        links: Vec<Links>,
        lightest: Vec<u32>,
    }

    impl Plain {
        fn node(&mut self, key: u32) -> u32 {
            self.keys.push(key);
            self.links.push(Links::default());
            self.lightest.push(0);
            (self.keys.len() - 1) as u32
        }
    }

    impl Nodes for Plain {
        type Key = u32;
        fn key(&self, n: u32) -> u32 {
            self.keys[n as usize]
        }
        fn links(&self, n: u32) -> Links {
            self.links[n as usize]
        }
    }

    impl NodesMut for Plain {
        fn links_mut(&mut self, n: u32) -> &mut Links {
            &mut self.links[n as usize]
        }
        fn sum_up_more(&mut self, n: u32, children: [u32; 2]) {
            let below = children.into_iter().filter(|&c| c != NIL);
            self.lightest[n as usize] = below
                .map(|c| self.lightest[c as usize])
                .fold(n % 7, u32::min);
        }
    }

    proptest! {
        #[test]
        fn matches_a_btreeset(ops in proptest::collection::vec((any::<bool>(), 0u32..200), 0..400)) {
            let mut nodes = Plain::default();
            let mut line = WaitLine::default();
            let mut model: BTreeSet<(u32, u32)> = BTreeSet::new();
            let mut slot_of = std::collections::BTreeMap::new();
            for (add, key) in ops {
                match (add, slot_of.get(&key).copied()) {
                    (true, None) => {
                        let n = nodes.node(key);
                        line.insert(&mut nodes, n);
                        model.insert((key, n));
                        slot_of.insert(key, n);
                    }
                    (false, Some(n)) => {
                        line.remove(&mut nodes, n);
                        model.remove(&(key, n));
                        slot_of.remove(&key);
                    }
                    _ => {}
                }
                prop_assert_eq!(line.len(&nodes), model.len());
                prop_assert_eq!(line.first(), model.first().copied());
                let lightest = model.iter().map(|&(_, n)| n % 7).min();
                prop_assert_eq!(line.root().map(|r| nodes.lightest[r as usize]), lightest);
                for probe in [0, key, key.saturating_add(1), 199] {
                    prop_assert_eq!(line.rank(&nodes, probe), model.range(..(probe, 0)).count());
                }
            }
        }
    }

    #[test]
    fn stays_shallow_for_sorted_inserts() {
        let mut nodes = Plain::default();
        let mut line = WaitLine::default();
        for k in 0..100_000 {
            let n = nodes.node(k);
            line.insert(&mut nodes, n);
        }
        assert_eq!(line.rank(&nodes, 50_000), 50_000);
        assert!(depth(&nodes, line.root) < 100, "treap degenerated");
    }

    /// A line served first in, first out, where every new node reuses the
    /// slot the last one out freed (as conversation slots are reused): the
    /// same few priorities come back again and again, each with a larger key.
    #[test]
    fn stays_shallow_when_slots_come_back() {
        let mut nodes = Plain::default();
        let mut line = WaitLine::default();
        for k in 0..10_000 {
            let n = nodes.node(k);
            line.insert(&mut nodes, n);
        }
        for k in 10_000..200_000 {
            let (_, n) = line.first().unwrap();
            line.remove(&mut nodes, n);
            nodes.keys[n as usize] = k;
            line.insert(&mut nodes, n);
        }
        assert_eq!(line.len(&nodes), 10_000);
        assert_eq!(line.rank(&nodes, 195_000), 5_000);
        assert!(depth(&nodes, line.root) < 80, "treap degenerated");
    }

    /// Keys given in the order of the nodes' priorities (which a host that
    /// knows the mixing function could arrange) make the treap one long
    /// chain. That is slow, but it must not overflow the stack.
    #[test]
    fn a_chain_of_a_hundred_thousand_does_not_overflow_the_stack() {
        const N: u32 = 100_000;
        let mut by_priority: Vec<u32> = (0..N).collect();
        by_priority.sort_by_key(|&n| heap(n));
        let mut key_of = vec![0; N as usize];
        for (key, &n) in by_priority.iter().enumerate() {
            key_of[n as usize] = key as u32;
        }
        let mut nodes = Plain::default();
        for key in key_of {
            nodes.node(key);
        }
        let mut line = WaitLine::default();
        for &n in &by_priority {
            line.insert(&mut nodes, n);
        }
        assert_eq!(
            depth_of(&nodes, line.root),
            N as usize,
            "a chain, as planned"
        );
        let (first, n) = line.first().unwrap();
        assert_eq!(first, 0);
        line.remove(&mut nodes, n);
        assert_eq!(line.first().map(|(key, _)| key), Some(1));
        assert_eq!(line.rank(&nodes, N), N as usize - 1);
    }

    /// The depth of the subtree at `t`, without recursion.
    fn depth_of(nodes: &Plain, t: u32) -> usize {
        let mut deepest = 0;
        let mut stack = vec![(t, 1)];
        while let Some((t, d)) = stack.pop() {
            if t != NIL {
                deepest = deepest.max(d);
                stack.extend(nodes.links(t).children().map(|c| (c, d + 1)));
            }
        }
        deepest
    }

    fn depth(nodes: &Plain, t: u32) -> usize {
        if t == NIL {
            0
        } else {
            let [left, right] = nodes.links(t).children();
            1 + depth(nodes, left).max(depth(nodes, right))
        }
    }
}
