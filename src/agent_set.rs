//! Sets of agents as bitsets over agent slots: who serves a channel,
//! holds a skill, or belongs to a team.
//!
//! A new routing class finds its members in the narrowest of these, and
//! an agent added, updated or removed changes its bit in each set it is
//! in: one word, found by its index, where a B-tree of 64-slot blocks
//! walked its nodes (14% of the samples of a profile of `agent_updated`
//! at 1M agents). Slots are the router's dense agent indices, so a set
//! takes one bit per slot up to the highest it holds, whatever its
//! members: at a million agents, 122 KiB.

use serde::{Deserialize, Serialize};

use crate::dense::AgentIx;

/// Slots per word.
const WORD: u32 = 64;

/// A set of agents, iterated in slot order.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct AgentSet {
    /// Bit `i % 64` of word `i / 64`: whether slot `i` is in the set. The
    /// last word is not zero, so that equal sets are equal here too.
    words: Vec<u64>,
    len: usize,
}

impl AgentSet {
    /// Adds `a`; returns whether it was absent.
    pub(crate) fn insert(&mut self, a: AgentIx) -> bool {
        let w = (a.0 / WORD) as usize;
        if w >= self.words.len() {
            self.words.resize(w + 1, 0);
        }
        let bit = 1 << (a.0 % WORD);
        let added = self.words[w] & bit == 0;
        self.words[w] |= bit;
        self.len += usize::from(added);
        added
    }

    /// Removes `a`; returns whether it was present.
    pub(crate) fn remove(&mut self, a: AgentIx) -> bool {
        let w = (a.0 / WORD) as usize;
        let Some(word) = self.words.get_mut(w) else {
            return false;
        };
        let bit = 1 << (a.0 % WORD);
        let removed = *word & bit != 0;
        *word &= !bit;
        if w + 1 == self.words.len() {
            while self.words.last() == Some(&0) {
                self.words.pop();
            }
        }
        self.len -= usize::from(removed);
        removed
    }

    /// How many agents are in the set.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The agents, in slot order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = AgentIx> + '_ {
        (0_u32..).zip(&self.words).flat_map(|(w, &bits)| {
            let mut rest = bits;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let i = rest.trailing_zeros();
                    rest &= rest - 1;
                    AgentIx(w * WORD + i)
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The set agrees with a `BTreeSet` after any inserts and removes,
        /// and keeps no zero word at its end.
        #[test]
        fn agrees_with_an_ordered_set(ops in prop::collection::vec((any::<bool>(), 0_u32..300), 0..200)) {
            let (mut set, mut model) = (AgentSet::default(), BTreeSet::new());
            for (add, slot) in ops {
                let a = AgentIx(slot);
                if add {
                    prop_assert_eq!(set.insert(a), model.insert(a));
                } else {
                    prop_assert_eq!(set.remove(a), model.remove(&a));
                }
                prop_assert_eq!(set.len(), model.len());
                prop_assert_ne!(set.words.last(), Some(&0));
            }
            prop_assert_eq!(set.iter().collect::<Vec<_>>(), model.into_iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_far_slot_takes_its_words_and_gives_them_back() {
        let (near, far) = (AgentIx(3), AgentIx(1 << 20));
        let mut set = AgentSet::default();
        assert!(set.insert(near));
        assert!(set.insert(far));
        assert!(!set.insert(far));
        assert_eq!(set.words.len(), (1 << 20) / 64 + 1);
        assert_eq!(set.iter().collect::<Vec<_>>(), [near, far]);
        assert!(set.remove(far));
        assert!(!set.remove(far));
        assert_eq!((set.len(), set.words.len()), (1, 1));
    }
}
