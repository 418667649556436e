//! A long set whose values fall in few ranks: per rank, a bitset over
//! slots, where slot `i` stands for the `i`-th rest in order.
//!
//! A free-agent line under least loaded ranks its agents by load, and an
//! agent whose load changes moves from one rank to another: here that is
//! one bit cleared and one set, where a B-tree per rank walked its nodes
//! twice and rebalanced them. The rest of an agent's entry (its join
//! number and index) keeps its slot while it moves, so finding the slot
//! is one look at the slot where it was last found (the [`Hint`] the
//! agent keeps for the line), and only if that is stale one search, of
//! the first rests of blocks of 64 slots and then of one block: at a
//! million agents a binary search of all the slots missed the caches at
//! almost every step. With the hint, least loaded at 100k agents in the
//! scale example counted 6,177 instructions and 174 first-level misses
//! per event, against 7,587 and 226 with the search alone.
//!
//! A rank's bitset keeps only the words from its first slot to its last,
//! so that a rank that one agent takes for a moment (its load just after
//! a release, say) costs a word or two, kept inline, and no allocation.
//!
//! Moving an agent between ranks reads the set's header, its ranks, the
//! two ranks' bitsets and the slot, and a relist does that in every line
//! of the agent's channel: in a large centre each is a first-level miss.
//! So what the move reads of the header (ranks, bitsets, length and
//! slots) fills one cache line, the rest of the header the next, and
//! each rank's bitset header is a cache line of its own. At 100k agents
//! in the scale example that cut the first-level misses per event from
//! 154.6 to 130.0 (cachegrind, last level 2 MiB).
//!
//! Rests get slots in order: a rest above every slot takes a new one at
//! the end, as a new agent does. A rest that falls between slots (an
//! agent updated into a line it was not in) waits among the *others*, a
//! B-tree of whole values, until they are an eighth as many as the slots
//! and the slots are laid out again with them. Slots stay while their
//! values are out of the set (an agent full for a while comes back to
//! its own), until the slots are twice as many as the values (and 64).

use std::collections::{BTreeSet, btree_set};

use smallvec::SmallVec;

use super::{Hint, MAX_RANKS, Ranked};

/// Bits in a word.
const WORD: usize = 64;

/// Slots in a block: the first rest of each is kept apart (see
/// [`ByRank::find_slot`]).
const BLOCK: usize = 64;

/// Room kept past the ranks' keys and bitsets, for ranks to come, so that
/// a rank one agent takes for a moment (its load just after a release,
/// until it takes the next conversation in line) comes and goes without an
/// allocation. Making the bitsets anew each time, aligned to cache lines,
/// took a quarter of the samples of a resolve that pulls from a line and
/// an arrival that waits, at a million agents.
const ROOM: usize = 2;

/// The most room kept past the ranks: past it, the room goes back to
/// [`ROOM`].
const MAX_ROOM: usize = 8;

/// The key kept in the room past the ranks, where no search looks.
const NO_RANK: u64 = u64::MAX;

/// The most words whose room an emptied bitset keeps.
const KEPT_WORDS: usize = 8;

/// A set of slots, in two levels: which slots are set, and which words
/// have a slot set, so that the next slot set is found in a few words.
///
/// The words kept span from the first word a slot was set in to the
/// last, so that a rank few values take, such as the load of the one
/// agent a release has just freed, takes a few words where it would take
/// one bit per slot of the whole set; up to two words and their summary
/// are kept inline, so that such a rank, which comes and goes as that
/// agent's load does, allocates nothing.
///
/// Aligned to a cache line, which it fills, so that reading one rank's
/// bitset reads one line.
#[derive(Clone, Debug, Default)]
#[repr(align(64))]
struct Bits {
    /// How many slots are set.
    count: usize,
    /// The index of the first word kept: `words[i]` holds slots
    /// `64 * (base + i)` on.
    base: usize,
    /// Bit `s % 64` of word `s / 64 - base`: whether slot `s` is set.
    words: SmallVec<[u64; 2]>,
    /// Bit `i % 64` of word `i / 64`: whether `words[i]` is not zero.
    summary: SmallVec<[u64; 1]>,
}

impl Bits {
    /// An empty set that keeps the words from `first` to `last`.
    fn spanning(first: usize, last: usize) -> Self {
        let len = last + 1 - first;
        Bits {
            count: 0,
            base: first,
            words: SmallVec::from_elem(0, len),
            summary: SmallVec::from_elem(0, len.div_ceil(WORD)),
        }
    }

    /// Sets `slot`; returns whether it was clear.
    #[inline]
    fn set(&mut self, slot: usize) -> bool {
        let w = slot / WORD;
        if w < self.base || w - self.base >= self.words.len() {
            self.cover(w);
        }
        let i = w - self.base;
        let bit = 1 << (slot % WORD);
        let word = &mut self.words[i];
        if *word & bit != 0 {
            return false;
        }
        // A word that was not zero is in the summary already.
        if *word == 0 {
            self.summary[i / WORD] |= 1 << (i % WORD);
        }
        *word |= bit;
        self.count += 1;
        true
    }

    /// Keeps word `w` too, and the words between it and those kept.
    #[cold]
    #[inline(never)]
    fn cover(&mut self, w: usize) {
        if self.words.is_empty() {
            // In the room the words had, if any (see `clear_all`).
            self.base = w;
            self.words.push(0);
            self.summary.push(0);
        } else if w < self.base {
            // Every word moves: the summary is made again.
            let more = self.base - w;
            self.words.insert_many(0, std::iter::repeat_n(0, more));
            self.base = w;
            self.summary = SmallVec::from_elem(0, self.words.len().div_ceil(WORD));
            for (i, &word) in self.words.iter().enumerate() {
                if word != 0 {
                    self.summary[i / WORD] |= 1 << (i % WORD);
                }
            }
        } else {
            let len = w + 1 - self.base;
            self.words.resize(len, 0);
            self.summary.resize(len.div_ceil(WORD), 0);
        }
    }

    /// Empties the set: the words go, but the room of a few stays, for a
    /// rank to come to take without an allocation.
    fn clear_all(&mut self) {
        if self.words.capacity() > KEPT_WORDS {
            *self = Bits::default();
        } else {
            self.count = 0;
            self.base = 0;
            self.words.clear();
            self.summary.clear();
        }
    }

    /// Clears `slot`; returns whether it was set.
    #[inline]
    fn clear(&mut self, slot: usize) -> bool {
        let Some(i) = (slot / WORD).checked_sub(self.base) else {
            return false;
        };
        let bit = 1 << (slot % WORD);
        match self.words.get_mut(i) {
            Some(word) if *word & bit != 0 => {
                *word &= !bit;
                if *word == 0 {
                    self.summary[i / WORD] &= !(1 << (i % WORD));
                }
                self.count -= 1;
                true
            }
            _ => false,
        }
    }

    /// The first slot set at or after `from`.
    #[inline]
    fn next_from(&self, from: usize) -> Option<usize> {
        // The word kept that `from` is in, and the bits of it at or after
        // `from`; the first word kept, all of it, if `from` is before it.
        let (i, mask) = match (from / WORD).checked_sub(self.base) {
            Some(i) => (i, u64::MAX << (from % WORD)),
            None => (0, u64::MAX),
        };
        if let Some(&word) = self.words.get(i) {
            let here = word & mask;
            if here != 0 {
                return Some((self.base + i) * WORD + here.trailing_zeros() as usize);
            }
        }
        // The first word after `i` that is not zero, by the summary.
        let after = i + 1;
        let mut mask = u64::MAX << (after % WORD);
        for s in after / WORD..self.summary.len() {
            let words = self.summary[s] & mask;
            if words != 0 {
                let i = s * WORD + words.trailing_zeros() as usize;
                return Some((self.base + i) * WORD + self.words[i].trailing_zeros() as usize);
            }
            mask = u64::MAX;
        }
        None
    }
}

// What a move between ranks reads of the header fits in its first cache
// line, and a rank's bitset header fills one.
const _: () = assert!(std::mem::offset_of!(ByRank<u64>, firsts) <= 64);
const _: () = assert!(std::mem::size_of::<Bits>() == 64);

/// The first index at or after `from` of sorted `slots` whose rest is not
/// below `rest`: looked for in steps that double away from `from`, then
/// by a binary search between the last two. A rank's values are in order,
/// so each one's slot is found near the last one's, in the cache lines
/// that search read, where a binary search of all the slots after it
/// misses the caches at its first steps.
fn first_not_below(slots: &[u64], from: usize, rest: u64) -> usize {
    // Every slot before `lo` is below `rest`.
    let (mut lo, mut step) = (from, 1);
    loop {
        let probe = lo + step - 1;
        match slots.get(probe) {
            Some(&slot) if slot < rest => (lo, step) = (probe + 1, 2 * step),
            Some(_) => return lo + slots[lo..probe].partition_point(|&s| s < rest),
            None => return lo + slots[lo..].partition_point(|&s| s < rest),
        }
    }
}

/// A set of `T` by rank (see the module documentation).
///
/// Laid out in order, from a cache line's start: the fields a move between
/// ranks reads come first and fill the line (see the module documentation).
#[derive(Clone, Debug)]
#[repr(C, align(64))]
pub(crate) struct ByRank<T> {
    /// Every rank the set holds a value of, in order, the first
    /// [`ranks`](Self::ranks) of them, then room for ranks to come (see
    /// [`ROOM`]). A boxed slice, as is `bits`, which leaves their
    /// capacities out of the first cache line.
    keys: Box<[u64]>,
    /// The slots of each rank in `keys` whose values are in the set, then
    /// empty bitsets, as long as `keys`.
    bits: Box<[Bits]>,
    /// How many values the set holds: at most one per agent, and agents
    /// are numbered in `u32`.
    len: u32,
    /// How many ranks the set holds: at most [`MAX_RANKS`].
    ranks: u32,
    /// The rests that have a slot, in order: slot `i` is `slots[i]`.
    slots: Vec<u64>,
    /// The first rest of each block of [`BLOCK`] slots: block `b`'s is
    /// `slots[BLOCK * b]`.
    firsts: Vec<u64>,
    /// Values whose rest has no slot: each below the last slot's.
    others: BTreeSet<T>,
    /// The first of the others, kept at hand: [`first`](Self::first),
    /// which every search of a line calls, would otherwise walk down the
    /// B-tree's left edge each time.
    first_other: Option<T>,
}

impl<T: Ranked> ByRank<T> {
    /// The set of `values` (sorted, without duplicates), with a slot for
    /// each of their rests and each of `keep`; `None` if the values take
    /// more than [`MAX_RANKS`] ranks.
    pub(crate) fn new(values: &[T], keep: &[u64]) -> Option<Self> {
        let by_rank = values.chunk_by(|a, b| a.rank() == b.rank());
        if by_rank.clone().count() > MAX_RANKS {
            return None;
        }
        let mut slots: Vec<u64> = values.iter().map(|v| v.rest()).collect();
        slots.extend_from_slice(keep);
        // Sorted runs, one per rank and `keep`: a stable sort merges them.
        slots.sort();
        slots.dedup();
        let (mut keys, mut bits) = (Vec::new(), Vec::new());
        let mut taken = Vec::new();
        for values in by_rank {
            // A rank's rests are in order, so each slot is after the last.
            let mut slot = 0;
            taken.clear();
            for value in values {
                slot = first_not_below(&slots, slot, value.rest());
                taken.push(slot);
            }
            let (first, last) = (taken[0] / WORD, slot / WORD);
            let mut set = Bits::spanning(first, last);
            for &slot in &taken {
                set.set(slot);
            }
            keys.push(values[0].rank());
            bits.push(set);
        }
        Some(ByRank {
            firsts: slots.iter().step_by(BLOCK).copied().collect(),
            slots,
            ranks: keys.len() as u32,
            keys: keys.into_boxed_slice(),
            bits: bits.into_boxed_slice(),
            others: BTreeSet::new(),
            first_other: None,
            len: values.len() as u32,
        })
    }

    /// The slot of `rest`, or where it would go: a search of the blocks'
    /// first rests, then of one block. The first rests are a sixty-fourth
    /// of the slots, so they stay in cache where a search of all the
    /// slots of a long line would miss it at almost every step.
    #[inline]
    fn find_slot(&self, rest: u64) -> Result<usize, usize> {
        let block = self.firsts.partition_point(|&first| first <= rest);
        let Some(start) = block.checked_sub(1).map(|b| b * BLOCK) else {
            return Err(0);
        };
        let end = (start + BLOCK).min(self.slots.len());
        match self.slots[start..end].binary_search(&rest) {
            Ok(at) => Ok(start + at),
            Err(at) => Err(start + at),
        }
    }

    /// The slot of `rest`, or where it would go, as
    /// [`find_slot`](Self::find_slot) finds it, unless it is at `hint`;
    /// `hint` is set to the slot found.
    #[inline]
    fn find_slot_near(&self, rest: u64, hint: &mut Hint) -> Result<usize, usize> {
        let at = hint.0 as usize;
        if self.slots.get(at) == Some(&rest) {
            return Ok(at);
        }
        let found = self.find_slot(rest);
        if let Ok(slot) = found {
            *hint = Hint::at(slot);
        }
        found
    }

    /// How many values the set holds.
    pub(crate) fn len(&self) -> usize {
        self.len as usize
    }

    /// The ranks held, in order.
    #[inline]
    fn ranks(&self) -> &[u64] {
        &self.keys[..self.ranks as usize]
    }

    /// Where `rank` is among the ranks kept, or would go: found by reading
    /// the ranks in turn, as the best keys, at the front, are the busiest.
    #[inline]
    fn find(&self, rank: u64) -> Result<usize, usize> {
        let ranks = self.ranks();
        match ranks.iter().position(|&r| r >= rank) {
            Some(at) if ranks[at] == rank => Ok(at),
            Some(at) => Err(at),
            None => Err(ranks.len()),
        }
    }

    /// Adds `value`; returns whether it was absent, or `None` (having
    /// changed nothing) if it would take more than [`MAX_RANKS`] ranks.
    #[inline]
    pub(crate) fn insert(&mut self, value: T, hint: &mut Hint) -> Option<bool> {
        let at = match self.find(value.rank()) {
            Ok(at) => at,
            Err(at) => self.add_rank(at, value.rank())?,
        };
        let rest = value.rest();
        let slot = match self.find_slot_near(rest, hint) {
            Ok(slot) => slot,
            Err(slot) if slot == self.slots.len() => {
                if slot % BLOCK == 0 {
                    self.firsts.push(rest);
                }
                self.slots.push(rest);
                *hint = Hint::at(slot);
                slot
            }
            Err(_) => return Some(self.insert_other(value)),
        };
        let added = self.bits[at].set(slot);
        self.len += u32::from(added);
        Some(added)
    }

    /// Adds `rank` to the ranks kept, at `at`, where it goes; returns
    /// `at`, or `None` if [`MAX_RANKS`] are kept.
    #[cold]
    #[inline(never)]
    fn add_rank(&mut self, at: usize, rank: u64) -> Option<usize> {
        let ranks = self.ranks as usize;
        if ranks == MAX_RANKS {
            return None;
        }
        if self.keys.len() == ranks {
            self.resize_room(ranks + 1 + ROOM);
        }
        // The first key and bitset of the room move to `at`.
        self.keys[at..=ranks].rotate_right(1);
        self.keys[at] = rank;
        self.bits[at..=ranks].rotate_right(1);
        self.ranks += 1;
        Some(at)
    }

    /// Makes the keys and bitsets `len` long: the ranks', then room.
    #[cold]
    #[inline(never)]
    fn resize_room(&mut self, len: usize) {
        let ranks = self.ranks as usize;
        let mut keys = Vec::with_capacity(len);
        keys.extend_from_slice(self.ranks());
        keys.resize(len, NO_RANK);
        self.keys = keys.into_boxed_slice();
        let mut bits = Vec::with_capacity(len);
        bits.extend(
            std::mem::take(&mut self.bits)
                .into_vec()
                .into_iter()
                .take(ranks),
        );
        bits.resize_with(len, Bits::default);
        self.bits = bits.into_boxed_slice();
    }

    /// Drops the rank at `at` in [`keys`](Self::keys) if it holds no
    /// value, with its bitset: a rank empties as its last agent moves on.
    #[inline]
    fn drop_if_empty(&mut self, at: usize) {
        if self.bits[at].count == 0 {
            self.drop_unless_other(at);
        }
    }

    /// Drops the rank at `at`, whose bitset is empty, unless the others
    /// hold a value of it.
    #[cold]
    #[inline(never)]
    fn drop_unless_other(&mut self, at: usize) {
        if !self.holds_other_of(self.keys[at]) {
            // The key and the emptied bitset go to the room.
            let ranks = self.ranks as usize;
            self.bits[at].clear_all();
            self.keys[at..ranks].rotate_left(1);
            self.keys[ranks - 1] = NO_RANK;
            self.bits[at..ranks].rotate_left(1);
            self.ranks -= 1;
            if self.keys.len() > ranks - 1 + MAX_ROOM {
                self.resize_room(ranks - 1 + ROOM);
            }
        }
    }

    /// Whether the others hold a value of `rank`.
    fn holds_other_of(&self, rank: u64) -> bool {
        let first = T::from_parts(rank, 0);
        (self.others.range(first..).next()).is_some_and(|other| other.rank() == rank)
    }

    /// Adds `value`, whose rest has no slot and is below the last slot's,
    /// to the others; returns whether it was absent. Lays out the slots
    /// again with the others' rests once the others are an eighth as many
    /// as the slots.
    #[cold]
    #[inline(never)]
    fn insert_other(&mut self, value: T) -> bool {
        if !self.others.insert(value) {
            return false;
        }
        self.first_other = Some(self.first_other.map_or(value, |first| first.min(value)));
        self.len += 1;
        if self.others.len() > self.slots.len() / 8 + 16 {
            self.lay_out(true);
        }
        true
    }

    /// Removes `value`; returns whether it was present. Drops its rank if
    /// it was the last of it, and lays out the slots again without those
    /// no value takes once they are more than twice the values (and 64).
    #[inline]
    pub(crate) fn remove(&mut self, value: &T, hint: &mut Hint) -> bool {
        let Ok(at) = self.find(value.rank()) else {
            return false;
        };
        let removed = match self.find_slot_near(value.rest(), hint) {
            Ok(slot) => self.bits[at].clear(slot),
            Err(_) => self.remove_other(value),
        };
        if removed {
            self.len -= 1;
            self.drop_if_empty(at);
            if self.slots.len() > 2 * self.len() + 64 {
                self.lay_out(false);
            }
        }
        removed
    }

    /// Removes `value` from the others; returns whether it was there.
    fn remove_other(&mut self, value: &T) -> bool {
        let removed = self.others.remove(value);
        if removed && self.first_other == Some(*value) {
            self.first_other = self.others.first().copied();
        }
        removed
    }

    /// Moves the value of `old`'s rest from `old`'s rank to `new`'s,
    /// finding its slot once, if the slot, `old` and `new`'s rank are all
    /// there; returns whether it did (else it changed nothing).
    #[inline]
    pub(crate) fn move_rank(&mut self, old: &T, new: T, hint: &mut Hint) -> bool {
        let (Ok(from), Ok(to)) = (self.find(old.rank()), self.find(new.rank())) else {
            return false;
        };
        let Ok(slot) = self.find_slot_near(old.rest(), hint) else {
            return false;
        };
        if !self.bits[from].clear(slot) {
            return false;
        }
        let added = self.bits[to].set(slot);
        self.len = self.len + u32::from(added) - 1;
        if from != to {
            self.drop_if_empty(from);
        }
        true
    }

    /// Lays out the slots again for the values held, and the others with
    /// them: keeping the slots no value takes, or without them. Every rank
    /// held is kept already, so the values fit.
    #[cold]
    #[inline(never)]
    fn lay_out(&mut self, keep_empty_slots: bool) {
        let values: Vec<T> = self.iter().collect();
        let keep: &[u64] = if keep_empty_slots { &self.slots } else { &[] };
        if let Some(laid_out) = ByRank::new(&values, keep) {
            *self = laid_out;
        }
    }

    /// The first value.
    #[inline]
    pub(crate) fn first(&self) -> Option<T> {
        let bit = self.next_bit(0, 0).map(|(value, ..)| value);
        match (bit, self.first_other) {
            (Some(bit), Some(other)) => Some(bit.min(other)),
            (bit, other) => bit.or(other),
        }
    }

    /// The first value in the bitsets at or after slot `slot` of the rank
    /// at `at` in [`keys`](Self::keys), with where it is.
    #[inline]
    fn next_bit(&self, mut at: usize, mut slot: usize) -> Option<(T, usize, usize)> {
        while at < self.ranks as usize {
            let bits = &self.bits[at];
            if bits.count > 0
                && let Some(found) = bits.next_from(slot)
            {
                return Some((T::from_parts(self.keys[at], self.slots[found]), at, found));
            }
            at += 1;
            slot = 0;
        }
        None
    }

    /// The values in order.
    pub(crate) fn iter(&self) -> Iter<'_, T> {
        let mut others = self.others.range(..);
        Iter {
            set: self,
            bit: self.next_bit(0, 0),
            other: others.next().copied(),
            others,
        }
    }

    /// The values at or after `from`, in order.
    pub(crate) fn range_from(&self, from: T) -> Iter<'_, T> {
        let at = self.ranks().partition_point(|&r| r < from.rank());
        let slot = match self.ranks().get(at) {
            Some(&r) if r == from.rank() => match self.find_slot(from.rest()) {
                Ok(slot) | Err(slot) => slot,
            },
            _ => 0,
        };
        let mut others = self.others.range(from..);
        Iter {
            set: self,
            bit: self.next_bit(at, slot),
            other: others.next().copied(),
            others,
        }
    }
}

/// The values of a [`ByRank`] in order: the bitsets' and the others',
/// merged.
pub(crate) struct Iter<'a, T> {
    set: &'a ByRank<T>,
    /// The next value of the bitsets, with its rank's place and its slot.
    bit: Option<(T, usize, usize)>,
    /// The next of the others.
    other: Option<T>,
    others: btree_set::Range<'a, T>,
}

impl<T: Ranked> Iterator for Iter<'_, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        let from_bits = match (self.bit, self.other) {
            (Some((bit, ..)), Some(other)) => bit < other,
            (bit, other) => bit.is_some() || other.is_none(),
        };
        if from_bits {
            let (bit, at, slot) = self.bit?;
            self.bit = self.set.next_bit(at, slot + 1);
            Some(bit)
        } else {
            let other = self.other;
            self.other = self.others.next().copied();
            other
        }
    }
}

#[cfg(test)]
impl<T: Ranked + std::fmt::Debug> ByRank<T> {
    /// How many ranks the set keeps.
    pub(crate) fn rank_count(&self) -> usize {
        self.ranks().len()
    }

    /// Checks what the set keeps beside its values: slots in order, no
    /// more ranks than it may keep, bits only for slots, counts and the
    /// length that add up, and others below the last slot, without one.
    pub(crate) fn check(&self) -> Result<(), String> {
        let fail = |what: &str| Err(format!("{what}: {self:?}"));
        if !self.slots.is_sorted_by(|a, b| a < b) {
            return fail("slots out of order");
        }
        if !self
            .firsts
            .iter()
            .copied()
            .eq(self.slots.iter().step_by(BLOCK).copied())
        {
            return fail("the blocks' first rests");
        }
        let ranks = self.ranks as usize;
        if ranks > MAX_RANKS || ranks > self.keys.len() || !self.ranks().is_sorted_by(|a, b| a < b)
        {
            return fail("ranks");
        }
        if self.keys.len() != self.bits.len() {
            return fail("keys and bits apart");
        }
        if self.keys[ranks..].iter().any(|&key| key != NO_RANK) {
            return fail("a key in the room");
        }
        let room = &self.bits[ranks..];
        if room.len() > MAX_ROOM || room.iter().any(|b| b.count != 0 || !b.words.is_empty()) {
            return fail("the room for ranks");
        }
        for (&rank, bits) in self.ranks().iter().zip(&self.bits) {
            if bits.count == 0 && !self.holds_other_of(rank) {
                return fail("a rank without values");
            }
            let set: Vec<usize> =
                std::iter::successors(bits.next_from(0), |&s| bits.next_from(s + 1)).collect();
            if set.len() != bits.count || set.last().is_some_and(|&s| s >= self.slots.len()) {
                return fail("bits");
            }
            let summed = |i: usize| bits.summary[i / WORD] >> (i % WORD) & 1 == 1;
            if bits.summary.len() != bits.words.len().div_ceil(WORD)
                || (bits.words.iter().enumerate()).any(|(i, &word)| (word != 0) != summed(i))
            {
                return fail("summary");
            }
        }
        let last = self.slots.last().copied();
        for other in &self.others {
            if last.is_none_or(|last| other.rest() >= last) || self.find_slot(other.rest()).is_ok()
            {
                return fail("an other with a slot");
            }
            if self.find(other.rank()).is_err() {
                return fail("an other's rank not kept");
            }
        }
        let counted: usize = self.bits.iter().map(|b| b.count).sum();
        if counted + self.others.len() != self.len() {
            return fail("length");
        }
        if self.first_other != self.others.first().copied() {
            return fail("the first of the others kept at hand");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::first_not_below;

    proptest! {
        /// From any index, the search finds what a partition point of the
        /// slots from there finds.
        #[test]
        fn the_search_from_an_index_finds_the_partition_point(
            slots in prop::collection::btree_set(0_u64..500, 0..200),
            from in 0_usize..200,
            rest in 0_u64..500,
        ) {
            let slots: Vec<u64> = slots.into_iter().collect();
            let from = from.min(slots.len());
            let expected = from + slots[from..].partition_point(|&s| s < rest);
            prop_assert_eq!(first_not_below(&slots, from, rest), expected);
        }
    }
}
