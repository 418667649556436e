//! Sets of agents as sparse bitsets: who serves a channel, holds a skill,
//! or belongs to a team.
//!
//! A new routing class finds its members in the narrowest of these. They
//! take about one bit per agent where members are dense (a channel, a
//! common skill) and one small block per member where they are sparse,
//! where a hash set would take some 30 bytes per member.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::dense::AgentIx;

/// Agents in a set per block of 64 slots.
const BLOCK: u32 = 64;

/// A set of agents, iterated in slot order.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct AgentSet {
    /// Non-empty blocks by number; bit `i` of block `b` is slot `b * 64 + i`.
    blocks: BTreeMap<u32, u64>,
    len: usize,
}

impl AgentSet {
    /// Adds `a`; returns whether it was absent.
    pub(crate) fn insert(&mut self, a: AgentIx) -> bool {
        let bits = self.blocks.entry(a.0 / BLOCK).or_default();
        let bit = 1 << (a.0 % BLOCK);
        let added = *bits & bit == 0;
        *bits |= bit;
        self.len += usize::from(added);
        added
    }

    /// Removes `a`; returns whether it was present.
    pub(crate) fn remove(&mut self, a: AgentIx) -> bool {
        let block = a.0 / BLOCK;
        let Some(bits) = self.blocks.get_mut(&block) else {
            return false;
        };
        let bit = 1 << (a.0 % BLOCK);
        let removed = *bits & bit != 0;
        *bits &= !bit;
        if *bits == 0 {
            self.blocks.remove(&block);
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
        self.blocks.iter().flat_map(|(&block, &bits)| {
            let mut rest = bits;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let i = rest.trailing_zeros();
                    rest &= rest - 1;
                    AgentIx(block * BLOCK + i)
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
        /// The set agrees with a `BTreeSet` after any inserts and removes.
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
            }
            prop_assert_eq!(set.iter().collect::<Vec<_>>(), model.into_iter().collect::<Vec<_>>());
            prop_assert!(set.blocks.values().all(|&bits| bits != 0));
        }
    }

    #[test]
    fn the_last_slot_fits() {
        let mut set = AgentSet::default();
        assert!(set.insert(AgentIx(u32::MAX)));
        assert!(!set.insert(AgentIx(u32::MAX)));
        assert_eq!(set.iter().collect::<Vec<_>>(), [AgentIx(u32::MAX)]);
        assert!(set.remove(AgentIx(u32::MAX)));
        assert_eq!(set.len(), 0);
    }
}
