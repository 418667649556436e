//! An ordered set that is a sorted vector while it is short, and once it
//! is long a bitset per rank while few ranks are in use, else sorted runs.
//!
//! Most free-agent lines are short (the agents with one skill at one level
//! on one channel), and a `BTreeSet` gives even a one-entry set a whole
//! node of eleven slots. A sorted vector takes only the slots it uses, and
//! while it is short a binary search and one `memmove` cost no more than
//! walking a tree's nodes. Past [`LONG`] entries the set becomes long,
//! and below [`SHORT`] a vector again: far enough apart that an entry
//! going in and out at either edge does not convert it each time.
//!
//! [`LONG`] is 128 because the scale example counted the fewest cache
//! misses per event with it: at 1k agents 128 and 256 counted the same
//! instructions and misses, and 1,024 (whose vectors held whole channels)
//! almost twice the instructions; at 10k and 100k agents, under least
//! loaded, 128 counted the same instructions as 256 and 3% fewer
//! first-level misses.
//!
//! A long set whose values fall in at most [`MAX_RANKS`] ranks (see
//! [`Ranked`]) keeps, per rank, a bitset over slots, one slot per rest
//! (see [`by_rank`]): a value moving from one rank to another, as a
//! free agent's entry does when its load changes, clears one bit and
//! sets another. Free-agent lines rank by load (a few dozen ranks), or
//! all alike under round robin; longest idle ranks by time, and its long
//! lines are sorted runs (see [`runs`]). Least loaded at 100k agents in
//! the scale example counted 6,991 instructions per event with bitsets,
//! 10,796 with a B-tree per rank (commits 7fc0bee and 3c1c284).

use std::slice;

use serde::{Deserialize, Serialize};

mod by_rank;
mod runs;

use by_rank::ByRank;
use runs::Runs;

/// A short set becomes long when it grows past this many entries.
pub(crate) const LONG: usize = 128;

/// A long set becomes a sorted vector when it shrinks below this many.
pub(crate) const SHORT: usize = 32;

/// How many ranks a long set keeps a bitset each for, at most, so that
/// finding a rank stays a short scan; with more, it keeps whole values in
/// sorted runs.
pub(crate) const MAX_RANKS: usize = 128;

/// Room for how many more entries a short set of `len` makes when it is
/// full, or keeps when it shrinks: an eighth (at least two). A set gives
/// back its room once it has more than twice that spare, so that a vector
/// wastes at most about a fifth of its room where doubling would waste up
/// to half. A vector grows to at most [`LONG`] entries, so the copies this
/// costs stay short.
fn slack(len: usize) -> usize {
    (len / 8).max(2)
}

/// Inserts `value` at `at` of a short set's `items`, full or at [`LONG`]
/// entries: makes room for it (and some slack), and returns whether the
/// set is now too long to stay short.
#[cold]
#[inline(never)]
fn insert_growing<T>(items: &mut Vec<T>, at: usize, value: T) -> bool {
    if items.len() == items.capacity() {
        items.reserve_exact(slack(items.len() + 1));
    }
    items.insert(at, value);
    items.len() > LONG
}

/// Moves the entry at `from` of sorted `items` to where `value` belongs,
/// `to` (as a binary search for `value` found it, with the entry still
/// there), and writes `value` there: the entries between shift by one.
#[inline]
fn shift_into_place<T: Copy>(items: &mut [T], from: usize, to: usize, value: T) {
    if to > from {
        items.copy_within(from + 1..to, from);
        items[to - 1] = value;
    } else {
        items.copy_within(to..from, to + 1);
        items[to] = value;
    }
}

/// Where a value's rest was last found in a set by rank: checked before
/// it is used, so that a right one spares the search for the rest's slot
/// and a stale one (after the slots were laid out again, or for another
/// set) costs only the check. An agent keeps one per line it is in.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Hint(u32);

impl Hint {
    /// A hint to `slot`; to slot `u32::MAX` if `slot` is beyond what a
    /// `u32` holds, which the check before use then finds wrong.
    fn at(slot: usize) -> Self {
        Hint(u32::try_from(slot).unwrap_or(u32::MAX))
    }
}

/// A value that is a rank and a rest, ordered by rank and then by rest.
pub(crate) trait Ranked: Ord + Copy {
    /// The value's rank: its order's first part.
    fn rank(self) -> u64;
    /// The rest of the value: its order among values of the same rank.
    fn rest(self) -> u64;
    /// The value of `rank` and `rest`.
    fn from_parts(rank: u64, rest: u64) -> Self;
}

/// A set of `T` in order (see the module documentation).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(
    from = "Vec<T>",
    into = "Vec<T>",
    bound(
        serialize = "T: Serialize + Ranked",
        deserialize = "T: Deserialize<'de> + Ranked"
    )
)]
pub(crate) enum SortedSet<T> {
    /// At most [`LONG`] entries, sorted, without duplicates.
    Short(Vec<T>),
    /// At least [`SHORT`] entries, in at most [`MAX_RANKS`] ranks; boxed,
    /// so that the many short sets take no more room for it.
    ByRank(Box<ByRank<T>>),
    /// At least [`SHORT`] entries, in sorted runs; boxed, as a set by
    /// rank is.
    Long(Box<Runs<T>>),
}

impl<T: Ranked> SortedSet<T> {
    /// Adds `value`; returns whether it was absent. `hint` is where
    /// `value`'s rest was last found, and is set to where it is.
    #[inline]
    pub(crate) fn insert(&mut self, value: T, hint: &mut Hint) -> bool {
        match self {
            SortedSet::Short(items) => match items.binary_search(&value) {
                Ok(_) => false,
                Err(at) if items.len() < items.capacity() && items.len() < LONG => {
                    items.insert(at, value);
                    true
                }
                Err(at) => {
                    if insert_growing(items, at, value) {
                        *self = SortedSet::long(std::mem::take(items));
                    }
                    true
                }
            },
            SortedSet::ByRank(by_rank) => match by_rank.insert(value, hint) {
                Some(added) => added,
                None => {
                    self.insert_into_runs(value);
                    true
                }
            },
            SortedSet::Long(set) => set.insert(value),
        }
    }

    /// Inserts `value`, which takes one rank too many, into a set by rank:
    /// the set becomes sorted runs.
    #[cold]
    #[inline(never)]
    fn insert_into_runs(&mut self, value: T) {
        let mut values: Vec<T> = self.iter().collect();
        if let Err(at) = values.binary_search(&value) {
            values.insert(at, value);
        }
        *self = SortedSet::Long(Box::new(Runs::new(&values)));
    }

    /// Removes `value`; returns whether it was present. `hint` is as for
    /// [`insert`](Self::insert).
    #[inline]
    pub(crate) fn remove(&mut self, value: &T, hint: &mut Hint) -> bool {
        let removed = match self {
            SortedSet::Short(items) => match items.binary_search(value) {
                Ok(at) => {
                    items.remove(at);
                    true
                }
                Err(_) => false,
            },
            SortedSet::ByRank(by_rank) => by_rank.remove(value, hint),
            SortedSet::Long(set) => set.remove(value),
        };
        if removed && self.has_room_to_shrink() {
            self.shrink();
        }
        removed
    }

    /// Removes `old` and adds `new`. In a sorted vector, only the entries
    /// between the two places shift, by one; in a set by rank, where
    /// `new`'s rest is `old`'s, one slot moves from one rank to another.
    /// `hint` is as for [`insert`](Self::insert), for `old` and `new`.
    #[inline]
    pub(crate) fn replace(&mut self, old: &T, new: T, hint: &mut Hint) {
        match self {
            SortedSet::Short(items) => {
                if let (Ok(from), Err(to)) = (items.binary_search(old), items.binary_search(&new)) {
                    shift_into_place(items, from, to, new);
                    return;
                }
            }
            SortedSet::ByRank(by_rank) => {
                if old.rest() == new.rest() && by_rank.move_rank(old, new, hint) {
                    return;
                }
            }
            SortedSet::Long(_) => {}
        }
        self.remove(old, hint);
        self.insert(new, hint);
    }

    /// Whether the set holds few enough entries to take less room: a
    /// short one more than twice its slack spare, a long one fewer than
    /// [`SHORT`] entries.
    #[inline]
    fn has_room_to_shrink(&self) -> bool {
        match self {
            SortedSet::Short(items) => items.capacity() - items.len() > 2 * slack(items.len()),
            _ => self.len() < SHORT,
        }
    }

    /// Gives back a short set's spare room, or makes a long set short.
    #[cold]
    #[inline(never)]
    fn shrink(&mut self) {
        match self {
            SortedSet::Short(items) => items.shrink_to(items.len() + slack(items.len())),
            SortedSet::ByRank(_) => *self = SortedSet::Short(self.iter().collect()),
            SortedSet::Long(set) => *self = SortedSet::Short(set.iter().collect()),
        }
    }

    /// A long set of `values` (sorted, without duplicates): by rank if
    /// they take few enough ranks.
    fn long(values: Vec<T>) -> Self {
        match ByRank::new(&values, &[]) {
            Some(by_rank) => SortedSet::ByRank(Box::new(by_rank)),
            None => SortedSet::Long(Box::new(Runs::new(&values))),
        }
    }

    /// How many entries the set has.
    pub(crate) fn len(&self) -> usize {
        match self {
            SortedSet::Short(items) => items.len(),
            SortedSet::ByRank(by_rank) => by_rank.len(),
            SortedSet::Long(set) => set.len(),
        }
    }

    /// Whether the set has no entries.
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The first entry.
    #[inline]
    pub(crate) fn first(&self) -> Option<T> {
        match self {
            SortedSet::Short(items) => items.first().copied(),
            SortedSet::ByRank(by_rank) => by_rank.first(),
            SortedSet::Long(set) => set.first(),
        }
    }

    /// The entries in order.
    #[inline]
    pub(crate) fn iter(&self) -> Iter<'_, T> {
        match self {
            SortedSet::Short(items) => Iter::Short(items.iter()),
            SortedSet::ByRank(by_rank) => Iter::ByRank(by_rank.iter()),
            SortedSet::Long(set) => Iter::Long(set.iter()),
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
            SortedSet::ByRank(by_rank) => Iter::ByRank(by_rank.range_from(from)),
            SortedSet::Long(set) => Iter::Long(set.range_from(from)),
        }
    }
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        SortedSet::Short(Vec::new())
    }
}

/// Two sets are equal when they hold the same entries, whatever their form.
impl<T: Ranked> PartialEq for SortedSet<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<T: Ranked> Eq for SortedSet<T> {}

impl<T: Ranked> FromIterator<T> for SortedSet<T> {
    fn from_iter<I: IntoIterator<Item = T>>(values: I) -> Self {
        let mut items: Vec<T> = values.into_iter().collect();
        items.sort_unstable();
        items.dedup();
        if items.len() > LONG {
            SortedSet::long(items)
        } else {
            items.shrink_to_fit();
            SortedSet::Short(items)
        }
    }
}

impl<T: Ranked> From<Vec<T>> for SortedSet<T> {
    fn from(values: Vec<T>) -> Self {
        values.into_iter().collect()
    }
}

impl<T: Ranked> From<SortedSet<T>> for Vec<T> {
    fn from(set: SortedSet<T>) -> Self {
        match set {
            SortedSet::Short(items) => items,
            SortedSet::Long(set) => set.iter().collect(),
            by_rank @ SortedSet::ByRank(_) => by_rank.iter().collect(),
        }
    }
}

/// The entries of a [`SortedSet`], in order.
pub(crate) enum Iter<'a, T> {
    /// Over a sorted vector.
    Short(slice::Iter<'a, T>),
    /// Over a set by rank.
    ByRank(by_rank::Iter<'a, T>),
    /// Over sorted runs.
    Long(runs::Iter<'a, T>),
}

impl<T: Ranked> Iterator for Iter<'_, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        match self {
            Iter::Short(items) => items.next().copied(),
            Iter::ByRank(values) => values.next(),
            Iter::Long(values) => values.next(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    /// Test values rank by their value over four: 0 to 3 are rank 0.
    macro_rules! ranked_by_fours {
        ($($t:ty),*) => {$(
            impl Ranked for $t {
                fn rank(self) -> u64 {
                    self as u64 >> 2
                }
                fn rest(self) -> u64 {
                    self as u64 & 3
                }
                fn from_parts(rank: u64, rest: u64) -> Self {
                    (rank << 2 | rest) as $t
                }
            }
        )*};
    }
    ranked_by_fours!(u16, u32, usize);

    proptest! {
        /// The set agrees with a `BTreeSet` after any runs of inserts,
        /// removes and replacements, which take it past both thresholds
        /// and back, and is always in the form its length and ranks allow,
        /// with at most twice its slack spare. Values up to `top` take up
        /// to 150 ranks, more than a set keeps a bitset each for, or fewer.
        #[test]
        fn agrees_with_a_btree_set(
            runs in prop::collection::vec(
                (
                    prop_oneof![Just(Step::Insert), Just(Step::Remove), Just(Step::Move)],
                    prop::collection::vec((0_u16..600, 0_u16..600, stale_hint()), 0..500),
                ),
                1..6,
            ),
            from in 0_u16..600,
            top in prop_oneof![Just(600_u16), Just(400), Just(100)],
        ) {
            let (mut set, mut model) = (SortedSet::default(), BTreeSet::new());
            // One hint per rest, as an agent keeps one per line.
            let mut hints = [Hint::default(); 4];
            for (step, values) in runs {
                for (value, other, stale) in values.into_iter().map(|(v, o, s)| (v % top, o % top, s)) {
                    let hint = hint_for(&mut hints, value.rest(), stale);
                    match step {
                        Step::Insert => prop_assert_eq!(set.insert(value, hint), model.insert(value)),
                        Step::Remove => prop_assert_eq!(set.remove(&value, hint), model.remove(&value)),
                        Step::Move => {
                            set.replace(&value, other, hint);
                            model.remove(&value);
                            model.insert(other);
                        }
                    }
                    prop_assert_eq!(set.len(), model.len());
                    prop_assert_eq!(set.first(), model.first().copied());
                    match &set {
                        SortedSet::Short(items) => {
                            prop_assert!(items.len() <= LONG);
                            let room = items.capacity() - items.len();
                            prop_assert!(room <= 2 * slack(items.len()), "{} spare", room);
                        }
                        SortedSet::ByRank(by_rank) => {
                            prop_assert!(by_rank.len() >= SHORT);
                            prop_assert_eq!(by_rank.check(), Ok(()));
                        }
                        SortedSet::Long(long) => {
                            prop_assert!(long.len() >= SHORT);
                            prop_assert_eq!(long.check(), Ok(()));
                        }
                    }
                }
                prop_assert!(set.iter().eq(model.iter().copied()));
            }
            prop_assert!(set.iter().eq(model.iter().copied()));
            let from = from % top;
            prop_assert!(set.range_from(from).eq(model.range(from..).copied()));
            let copy: SortedSet<u16> = model.iter().copied().collect();
            prop_assert_eq!(&copy, &set);
            prop_assert_eq!(Vec::from(set), model.into_iter().collect::<Vec<_>>());
        }
    }

    /// Mostly no stale hint; sometimes one, which may be another rest's
    /// slot.
    fn stale_hint() -> impl Strategy<Value = Option<u32>> {
        prop::option::weighted(0.1, prop_oneof![0_u32..7000, any::<u32>()])
    }

    /// The hint kept for `rest`, made `stale` first if that is given.
    fn hint_for(hints: &mut [Hint], rest: u64, stale: Option<u32>) -> &mut Hint {
        let hint = &mut hints[rest as usize];
        if let Some(stale) = stale {
            *hint = Hint(stale);
        }
        hint
    }

    /// A test value with rests up to 2^16 in ranks of them, as a line's
    /// entries are: enough rests for a set by rank to keep thousands of
    /// slots, and to meet rests between its slots.
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
    struct Wide(u32);

    impl Ranked for Wide {
        fn rank(self) -> u64 {
            u64::from(self.0 >> 16)
        }
        fn rest(self) -> u64 {
            u64::from(self.0 & 0xffff)
        }
        fn from_parts(rank: u64, rest: u64) -> Self {
            Wide((rank << 16 | rest) as u32)
        }
    }

    /// What a step of a test does with a value.
    #[derive(Clone, Copy, Debug)]
    enum Step {
        Insert,
        Remove,
        /// Replaces a value with another through `replace`, as an agent's
        /// entry moves when its load changes (in
        /// [`a_set_of_many_rests_agrees_with_a_btree_set`], the value of
        /// the rest the set holds, by the value of that rest and rank).
        Move,
    }

    proptest! {
        /// A set by rank of values with many rests agrees with a `BTreeSet`
        /// while rests take new slots at the end, fall between slots, are
        /// laid out again with them, and leave slots empty; `fill` values
        /// come first with their rests in order, as agents added one after
        /// another do, and moves go through `replace`, as a line's do.
        #[test]
        fn a_set_of_many_rests_agrees_with_a_btree_set(
            fill in 0_u32..6000,
            steps in prop::collection::vec(
                (prop_oneof![3 => Just(Step::Insert), 2 => Just(Step::Remove), 3 => Just(Step::Move)], 0_u32..6, 0_u32..6500, stale_hint()),
                0..1500,
            ),
            from in (0_u32..6, 0_u32..6500),
            thin in any::<bool>(),
        ) {
            let (mut set, mut model) = (SortedSet::default(), BTreeSet::new());
            // One hint per rest, as an agent keeps one per line.
            let mut hints = vec![Hint::default(); 6500];
            for rest in 0..fill {
                let value = Wide((rest % 5) << 16 | rest);
                let hint = &mut hints[rest as usize];
                prop_assert_eq!(set.insert(value, hint), model.insert(value));
            }
            for (step, rank, rest, stale) in steps {
                let value = Wide(rank << 16 | rest);
                let hint = hint_for(&mut hints, value.rest(), stale);
                match step {
                    Step::Insert => prop_assert_eq!(set.insert(value, hint), model.insert(value)),
                    Step::Remove => prop_assert_eq!(set.remove(&value, hint), model.remove(&value)),
                    Step::Move => {
                        let mut held = (0..6).map(|rank| Wide(rank << 16 | rest));
                        match held.rfind(|was| model.contains(was)) {
                            Some(was) => {
                                set.replace(&was, value, hint);
                                model.remove(&was);
                                model.insert(value);
                            }
                            None => prop_assert_eq!(set.insert(value, hint), model.insert(value)),
                        }
                    }
                }
                prop_assert_eq!(set.len(), model.len());
                prop_assert_eq!(set.first(), model.first().copied());
                if let SortedSet::ByRank(by_rank) = &set {
                    prop_assert_eq!(by_rank.check(), Ok(()));
                }
            }
            prop_assert!(set.iter().eq(model.iter().copied()));
            // Thinned to an eighth, the set lays its slots out again
            // without those left empty.
            if thin {
                let gone: Vec<Wide> = model.iter().copied().filter(|v| v.0 % 8 != 0).collect();
                for (i, value) in gone.iter().enumerate() {
                    prop_assert!(set.remove(value, &mut hints[value.rest() as usize]));
                    model.remove(value);
                    if i % 64 == 0 {
                        prop_assert_eq!(set.first(), model.first().copied());
                        if let SortedSet::ByRank(by_rank) = &set {
                            prop_assert_eq!(by_rank.check(), Ok(()));
                        }
                    }
                }
                prop_assert_eq!(set.len(), model.len());
                prop_assert!(set.iter().eq(model.iter().copied()));
            }
            let from = Wide(from.0 << 16 | from.1);
            prop_assert!(set.range_from(from).eq(model.range(from..).copied()));
        }
    }

    #[test]
    fn a_set_grows_into_bitsets_by_rank_and_shrinks_back_into_a_vector() {
        let mut set = SortedSet::default();
        for value in (0..=LONG).rev() {
            assert!(matches!(set, SortedSet::Short(_)));
            assert!(set.insert(value, &mut Hint::default()));
        }
        // LONG + 1 values in ranks of four.
        assert!(matches!(&set, SortedSet::ByRank(by_rank) if by_rank.rank_count() == LONG / 4 + 1));
        assert_eq!(
            set.range_from(LONG - 1).collect::<Vec<_>>(),
            [LONG - 1, LONG]
        );
        assert_eq!(set.range_from(LONG + 1).count(), 0);
        // LONG + 1 entries: the one that leaves SHORT - 1 turns it back.
        for value in 0..=LONG - SHORT + 1 {
            assert!(matches!(set, SortedSet::ByRank(_)));
            assert!(set.remove(&value, &mut Hint::default()));
        }
        assert!(matches!(set, SortedSet::Short(_)));
        assert_eq!(set.len(), SHORT - 1);
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            (LONG - SHORT + 2..=LONG).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_set_by_rank_becomes_runs_past_the_last_rank_it_keeps() {
        let mut set: SortedSet<usize> = (0..4 * MAX_RANKS).collect();
        assert!(matches!(&set, SortedSet::ByRank(by_rank) if by_rank.rank_count() == MAX_RANKS));
        // A value of a rank it has already stays by rank; a new rank does not.
        assert!(!set.insert(4 * MAX_RANKS - 1, &mut Hint::default()));
        assert!(matches!(set, SortedSet::ByRank(_)));
        assert!(set.insert(4 * MAX_RANKS, &mut Hint::default()));
        assert!(matches!(&set, SortedSet::Long(long) if long.len() == 4 * MAX_RANKS + 1));
        assert!(set.iter().eq(0..=4 * MAX_RANKS));
    }

    #[test]
    fn the_forms_of_the_same_entries_are_equal_and_serialize_alike() {
        let long = SortedSet::Long(Box::new(Runs::new(&(0..100_u32).collect::<Vec<_>>())));
        let by_rank = SortedSet::ByRank(Box::new(
            ByRank::new(&(0..100_u32).collect::<Vec<_>>(), &[]).unwrap(),
        ));
        let short = SortedSet::Short((0..100_u32).collect());
        assert_eq!(long, short);
        assert_eq!(by_rank, short);
        let json = serde_json::to_string(&short).unwrap();
        assert_eq!(serde_json::to_string(&long).unwrap(), json);
        assert_eq!(serde_json::to_string(&by_rank).unwrap(), json);
        let back: SortedSet<u32> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, long);
    }
}
