//! An ordered set that is a sorted vector while it is short and a B-tree
//! once it is long.
//!
//! Most free-agent lines are short (the agents with one skill at one level
//! on one channel), and a `BTreeSet` gives even a one-entry set a whole
//! node of eleven slots. A sorted vector takes only the slots it uses, and
//! while it is short a binary search and one `memmove` cost no more than
//! walking a tree's nodes. Past [`LONG`] entries the set becomes a B-tree,
//! and below [`SHORT`] a vector again: far enough apart that an entry
//! going in and out at either edge does not convert it each time.
//!
//! [`LONG`] is 256 because the scale example counted the fewest
//! instructions per event with it: at 1k agents 128 and 256 were even, and
//! 1,024 (whose vectors held whole channels) took almost twice as many.

use std::collections::{BTreeSet, btree_set};
use std::slice;

use serde::{Deserialize, Serialize};

/// A short set becomes a B-tree when it grows past this many entries.
pub(crate) const LONG: usize = 256;

/// A long set becomes a sorted vector when it shrinks below this many.
pub(crate) const SHORT: usize = 64;

/// Room for how many more entries a short set of `len` makes when it is
/// full, or keeps when it shrinks: an eighth (at least two). A set gives
/// back its room once it has more than twice that spare, so that a vector
/// wastes at most about a fifth of its room where doubling would waste up
/// to half. A vector grows to at most [`LONG`] entries, so the copies this
/// costs stay short.
fn slack(len: usize) -> usize {
    (len / 8).max(2)
}

/// A set of `T` in order (see the module documentation).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    from = "Vec<T>",
    into = "Vec<T>",
    bound(
        serialize = "T: Serialize + Ord + Copy",
        deserialize = "T: Deserialize<'de> + Ord + Copy"
    )
)]
pub(crate) enum SortedSet<T> {
    /// At most [`LONG`] entries, sorted, without duplicates.
    Short(Vec<T>),
    /// At least [`SHORT`] entries.
    Long(BTreeSet<T>),
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet::Short(Vec::new())
    }
}

impl<T: Ord + Copy> SortedSet<T> {
    /// Adds `value`; returns whether it was absent.
    #[inline]
    pub(crate) fn insert(&mut self, value: T) -> bool {
        match self {
            SortedSet::Short(items) => match items.binary_search(&value) {
                Ok(_) => false,
                Err(at) => {
                    if items.len() == items.capacity() {
                        items.reserve_exact(slack(items.len() + 1));
                    }
                    items.insert(at, value);
                    if items.len() > LONG {
                        *self = SortedSet::Long(items.drain(..).collect());
                    }
                    true
                }
            },
            SortedSet::Long(set) => set.insert(value),
        }
    }

    /// Removes `value`; returns whether it was present.
    #[inline]
    pub(crate) fn remove(&mut self, value: &T) -> bool {
        match self {
            SortedSet::Short(items) => match items.binary_search(value) {
                Ok(at) => {
                    items.remove(at);
                    if items.capacity() - items.len() > 2 * slack(items.len()) {
                        items.shrink_to(items.len() + slack(items.len()));
                    }
                    true
                }
                Err(_) => false,
            },
            SortedSet::Long(set) => {
                let removed = set.remove(value);
                if set.len() < SHORT {
                    *self = SortedSet::Short(std::mem::take(set).into_iter().collect());
                }
                removed
            }
        }
    }

    /// How many entries the set has.
    pub(crate) fn len(&self) -> usize {
        match self {
            SortedSet::Short(items) => items.len(),
            SortedSet::Long(set) => set.len(),
        }
    }

    /// Whether the set has no entries.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entries in order.
    #[inline]
    pub(crate) fn iter(&self) -> Iter<'_, T> {
        match self {
            SortedSet::Short(items) => Iter::Short(items.iter()),
            SortedSet::Long(set) => Iter::Long(set.range(..)),
        }
    }

    /// The entries at or after `from`, in order.
    #[inline]
    pub(crate) fn range_from(&self, from: T) -> Iter<'_, T> {
        match self {
            SortedSet::Short(items) => {
                let at = items.partition_point(|item| *item < from);
                Iter::Short(items[at..].iter())
            }
            SortedSet::Long(set) => Iter::Long(set.range(from..)),
        }
    }
}

/// Two sets are equal when they hold the same entries, whatever their form.
impl<T: Ord + Copy> PartialEq for SortedSet<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Ord + Copy> Eq for SortedSet<T> {}

impl<T: Ord + Copy> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(values: I) -> Self {
        let mut items: Vec<T> = values.into_iter().collect();
        items.sort_unstable();
        items.dedup();
        if items.len() > LONG {
            SortedSet::Long(items.into_iter().collect())
        } else {
            items.shrink_to_fit();
            SortedSet::Short(items)
        }
    }
}

impl<T: Ord + Copy> From<Vec<T>> for SortedSet<T> {
    fn from(values: Vec<T>) -> Self {
        values.into_iter().collect()
    }
}

impl<T: Ord + Copy> From<SortedSet<T>> for Vec<T> {
    fn from(set: SortedSet<T>) -> Self {
        match set {
            SortedSet::Short(items) => items,
            SortedSet::Long(set) => set.into_iter().collect(),
        }
    }
}

/// The entries of a [`SortedSet`], in order.
pub(crate) enum Iter<'a, T> {
    /// Over a sorted vector.
    Short(slice::Iter<'a, T>),
    /// Over a B-tree.
    Long(btree_set::Range<'a, T>),
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    #[inline]
    fn next(&mut self) -> Option<&'a T> {
        match self {
            Iter::Short(items) => items.next(),
            Iter::Long(range) => range.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// The set agrees with a `BTreeSet` after any runs of inserts and
        /// removes, which take it past both thresholds and back, and is
        /// always in the form its length allows, with at most twice its
        /// slack spare.
        #[test]
        fn agrees_with_a_btree_set(
            runs in prop::collection::vec((any::<bool>(), prop::collection::vec(0_u16..600, 0..500)), 1..6),
            from in 0_u16..600,
        ) {
            let (mut set, mut model) = (SortedSet::default(), BTreeSet::new());
            for (insert, values) in runs {
                for value in values {
                    if insert {
                        prop_assert_eq!(set.insert(value), model.insert(value));
                    } else {
                        prop_assert_eq!(set.remove(&value), model.remove(&value));
                    }
                    prop_assert_eq!(set.len(), model.len());
                    match &set {
                        SortedSet::Short(items) => {
                            prop_assert!(items.len() <= LONG);
                            let room = items.capacity() - items.len();
                            prop_assert!(room <= 2 * slack(items.len()), "{} spare", room);
                        }
                        SortedSet::Long(long) => prop_assert!(long.len() >= SHORT),
                    }
                }
                prop_assert!(set.iter().eq(model.iter()));
            }
            prop_assert!(set.iter().eq(model.iter()));
            prop_assert!(set.range_from(from).eq(model.range(from..)));
            let copy: SortedSet<u16> = model.iter().copied().collect();
            prop_assert_eq!(&copy, &set);
            prop_assert_eq!(Vec::from(set), model.into_iter().collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_set_grows_into_a_tree_and_shrinks_back_into_a_vector() {
        let mut set = SortedSet::default();
        for value in (0..=LONG).rev() {
            assert!(matches!(set, SortedSet::Short(_)));
            assert!(set.insert(value));
        }
        assert!(matches!(set, SortedSet::Long(_)));
        assert_eq!(
            set.range_from(LONG - 1).copied().collect::<Vec<_>>(),
            [LONG - 1, LONG]
        );
        // LONG + 1 entries: the one that leaves SHORT - 1 turns it back.
        for value in 0..=LONG - SHORT + 1 {
            assert!(matches!(set, SortedSet::Long(_)));
            assert!(set.remove(&value));
        }
        assert!(matches!(set, SortedSet::Short(_)));
        assert_eq!(set.len(), SHORT - 1);
        assert_eq!(
            set.iter().copied().collect::<Vec<_>>(),
            (LONG - SHORT + 2..=LONG).collect::<Vec<_>>()
        );
    }

    #[test]
    fn the_two_forms_of_the_same_entries_are_equal_and_serialize_alike() {
        let long = SortedSet::Long((0..100_u32).collect());
        let short = SortedSet::Short((0..100_u32).collect());
        assert_eq!(long, short);
        assert_eq!(
            serde_json::to_string(&long).unwrap(),
            serde_json::to_string(&short).unwrap()
        );
        let back: SortedSet<u32> =
            serde_json::from_str(&serde_json::to_string(&long).unwrap()).unwrap();
        assert_eq!(back, long);
    }
}
