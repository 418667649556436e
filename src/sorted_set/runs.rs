//! A long set whose values fall in too many ranks for bitsets, such as
//! longest idle's times: sorted runs of up to [`RUN`] values, each found
//! by its fence in a B-tree of runs.
//!
//! Under longest idle a line's values mostly leave at the front (the
//! agent idle longest is taken, or found out of date and moved) and come
//! back at or near the back (its new time is the latest). In the scale
//! example at 100k agents, 91% of removes took the first value and 82% of
//! inserts went within eight values of the last. A `BTreeSet` of eleven
//! values per node walks and rebalances its nodes for each; here the first
//! run gives up its front, and the last run takes a value at its back,
//! where a full run starts a new one.
//!
//! A run found by its fence is a deque, so that its front goes without
//! moving the rest. A full run taking a value past its last starts a new
//! run of it; taking one within, it splits where the value goes, or in
//! half if that is in its lower half. A run other than the first that a
//! remove leaves below a quarter full takes in the next run if both fit
//! in one; the first, which values mostly leave, empties on its own.
//!
//! Against one `BTreeSet`, at 100k agents under longest idle, the scale
//! example counted 7,116 instructions and 49.5 last-level misses per
//! event where it had counted 9,482 and 67.4 (commit bfbb357).

use std::collections::{BTreeMap, VecDeque, btree_map, vec_deque};
use std::ops::Bound;

/// Values in a run at most. Under longest idle at 100k agents, runs of
/// 32 and 128 counted 7,385 and 6,967 instructions and 50.7 and 49.9
/// last-level misses per event, against 7,116 and 49.5 with 64: within
/// 4%, and 64 keeps what a split or a merge copies short.
pub(crate) const RUN: usize = 64;

/// How many values at a run's back a value is first looked for among.
const NEAR: usize = 8;

/// A run with fewer values than this takes in the next run if it can.
const SPARSE: usize = RUN / 4;

/// A set of values in sorted runs (see the module documentation).
#[derive(Clone, Debug, Default)]
pub(crate) struct Runs<T> {
    /// Each run by its fence: a run holds the values at or above its
    /// fence and below the next run's. Every value is at or above the
    /// first fence, and no run is empty.
    runs: BTreeMap<T, VecDeque<T>>,
    /// How many values the runs hold.
    len: usize,
}

impl<T: Ord + Copy> Runs<T> {
    /// A set of `values`, sorted and without duplicates, in runs three
    /// quarters full, so that a few values between them split none.
    pub(crate) fn new(values: &[T]) -> Self {
        let runs = (values.chunks(RUN * 3 / 4))
            .map(|chunk| (chunk[0], new_run(chunk.iter().copied())))
            .collect();
        Runs {
            runs,
            len: values.len(),
        }
    }

    /// How many values the set holds.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The first value.
    #[inline]
    pub(crate) fn first(&self) -> Option<T> {
        let (_, run) = self.runs.first_key_value()?;
        run.front().copied()
    }

    /// Adds `value`; returns whether it was absent.
    #[inline]
    pub(crate) fn insert(&mut self, value: T) -> bool {
        // Most values go into the last run: found without comparing
        // fences on the way.
        let (added, split) = match self.runs.last_entry() {
            Some(mut last) if *last.key() <= value => put(last.get_mut(), value),
            _ => {
                let Some(first) = self.runs.first_entry() else {
                    self.runs.insert(value, new_run([value]));
                    self.len = 1;
                    return true;
                };
                // A value below every fence goes to the first run, which
                // is then fenced by it.
                if value < *first.key() {
                    let run = first.remove();
                    self.runs.insert(value, run);
                }
                match self.runs.range_mut(..=value).next_back() {
                    Some((_, run)) => put(run, value),
                    None => (false, None),
                }
            }
        };
        if let Some(upper) = split
            && let Some(&fence) = upper.front()
        {
            self.runs.insert(fence, upper);
        }
        self.len += usize::from(added);
        added
    }

    /// Removes `value`; returns whether it was present.
    #[inline]
    pub(crate) fn remove(&mut self, value: &T) -> bool {
        // Most values leave from the front of the first run: found without
        // comparing fences on the way.
        let (fence, left, first) = match self.runs.first_entry() {
            Some(mut run) if run.get().front() == Some(value) => {
                run.get_mut().pop_front();
                (*run.key(), run.get().len(), true)
            }
            _ => {
                let Some((&fence, run)) = self.runs.range_mut(..=*value).next_back() else {
                    return false;
                };
                let Ok(at) = run.binary_search(value) else {
                    return false;
                };
                run.remove(at);
                (fence, run.len(), false)
            }
        };
        self.len -= 1;
        if left == 0 {
            self.runs.remove(&fence);
        } else if !first {
            // The first run, which values mostly leave, empties on its
            // own; another takes in the next if it is sparse, and gives
            // back room it no longer needs.
            self.tidy(fence, left);
        }
        true
    }

    /// After a remove from the run fenced by `fence`, which holds `len`
    /// values: takes in the next run if it is sparse and both fit in one,
    /// and gives back room beyond twice what it holds.
    #[inline]
    fn tidy(&mut self, fence: T, len: usize) {
        if len < SPARSE {
            self.take_in_next(fence);
        }
        if let Some(run) = self.runs.get_mut(&fence)
            && run.capacity() > 2 * run.len().max(SPARSE)
        {
            run.shrink_to(run.len() + run.len() / 2);
        }
    }

    /// Moves the values of the run after the one fenced by `fence` into
    /// it, if they fit.
    #[cold]
    #[inline(never)]
    fn take_in_next(&mut self, fence: T) {
        let mut after = self.runs.range((Bound::Excluded(fence), Bound::Unbounded));
        let Some((&next, next_run)) = after.next() else {
            return;
        };
        let fits = |run: &VecDeque<T>| run.len() + next_run.len() <= RUN;
        if !self.runs.get(&fence).is_some_and(fits) {
            return;
        }
        if let (Some(next_run), Some(run)) = (self.runs.remove(&next), self.runs.get_mut(&fence)) {
            run.extend(next_run);
        }
    }

    /// The values in order.
    #[inline]
    pub(crate) fn iter(&self) -> Iter<'_, T> {
        Iter {
            run: vec_deque::Iter::default(),
            runs: self.runs.range(..),
        }
    }

    /// The values at or after `from`, in order.
    #[inline]
    pub(crate) fn range_from(&self, from: T) -> Iter<'_, T> {
        match self.runs.range(..=from).next_back() {
            Some((&fence, run)) => Iter {
                run: run.range(run.partition_point(|v| *v < from)..),
                runs: self.runs.range((Bound::Excluded(fence), Bound::Unbounded)),
            },
            None => self.iter(),
        }
    }

    /// Whether the runs are as [`runs`](Self::runs) says, and
    /// [`len`](Self::len) counts their values: for tests.
    #[cfg(test)]
    pub(crate) fn check(&self) -> Result<(), String> {
        let mut count = 0;
        let mut last: Option<T> = None;
        for (i, (fence, run)) in self.runs.iter().enumerate() {
            if run.is_empty() || run.len() > RUN {
                return Err(format!("run {i} holds {} values", run.len()));
            }
            if run.front() < Some(fence) {
                return Err(format!("run {i} holds a value below its fence"));
            }
            if last.is_some_and(|last| last >= *fence) {
                return Err(format!("run {i}'s fence is not above the run before"));
            }
            if !run.iter().zip(run.iter().skip(1)).all(|(a, b)| a < b) {
                return Err(format!("run {i} is not sorted"));
            }
            last = run.back().copied();
            count += run.len();
        }
        if count == self.len {
            Ok(())
        } else {
            Err(format!("{count} values, counted {}", self.len))
        }
    }
}

/// Adds `value` to `run`, where it belongs: returns whether it was
/// absent, and the run split off the upper part of `run` if it was full,
/// which is to follow it.
///
/// A value mostly goes at or near the back: it is looked for among the
/// last few values first. A full run splits where the value goes, so that
/// only the values after it move; in the lower half, it splits in half.
#[inline]
fn put<T: Ord + Copy>(run: &mut VecDeque<T>, value: T) -> (bool, Option<VecDeque<T>>) {
    let len = run.len();
    let near = len.saturating_sub(NEAR);
    let at = match run.range(near..).rposition(|&v| v <= value) {
        Some(i) if run.get(near + i) == Some(&value) => return (false, None),
        Some(i) => near + i + 1,
        None if near == 0 => 0,
        None => match run.binary_search(&value) {
            Ok(_) => return (false, None),
            Err(at) => at,
        },
    };
    if len < RUN {
        run.insert(at, value);
        return (true, None);
    }
    if at == len {
        // Mostly a new last run, which values are added to one by one:
        // made with room for all it will take.
        let mut next = VecDeque::with_capacity(RUN);
        next.push_back(value);
        return (true, Some(next));
    }
    let upper = new_run(run.drain(at.max(RUN / 2)..));
    run.insert(at, value);
    (true, Some(upper))
}

/// A run of `values`, with room for them alone: a run grows as a
/// `VecDeque` does, by doubling.
fn new_run<T>(values: impl IntoIterator<Item = T>) -> VecDeque<T> {
    values.into_iter().collect()
}

/// The values of [`Runs`] in order, from some value on.
#[derive(Clone, Debug)]
pub(crate) struct Iter<'a, T> {
    /// What is left of the run at hand.
    run: vec_deque::Iter<'a, T>,
    /// The runs after it.
    runs: btree_map::Range<'a, T, VecDeque<T>>,
}

impl<T: Copy> Iterator for Iter<'_, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        loop {
            if let Some(&value) = self.run.next() {
                return Some(value);
            }
            self.run = self.runs.next()?.1.iter();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    /// Where a step of a test takes its value from, as a line under
    /// longest idle does: mostly the front for removes, and the back for
    /// inserts.
    #[derive(Clone, Copy, Debug)]
    enum Step {
        RemoveFirst,
        InsertLast,
        Insert(u32),
        Remove(u32),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            4 => Just(Step::RemoveFirst),
            4 => Just(Step::InsertLast),
            2 => (0_u32..5000).prop_map(Step::Insert),
            2 => (0_u32..5000).prop_map(Step::Remove),
        ]
    }

    proptest! {
        /// The runs agree with a `BTreeSet`, and keep their shape, under
        /// any steps; most take the front and give at the back, as a
        /// line's under longest idle do.
        #[test]
        fn agree_with_a_btree_set(
            fill in prop::collection::btree_set(0_u32..5000, 0..600),
            steps in prop::collection::vec(step(), 0..2000),
            from in 0_u32..6000,
        ) {
            let values: Vec<u32> = fill.iter().copied().collect();
            let (mut runs, mut model) = (Runs::new(&values), fill);
            prop_assert_eq!(runs.check(), Ok(()));
            let mut next = 5000;
            for step in steps {
                match step {
                    Step::RemoveFirst => {
                        let first = model.pop_first();
                        prop_assert_eq!(first.is_some_and(|v| runs.remove(&v)), first.is_some());
                    }
                    Step::InsertLast => {
                        next += 1;
                        prop_assert!(runs.insert(next));
                        model.insert(next);
                    }
                    Step::Insert(v) => prop_assert_eq!(runs.insert(v), model.insert(v)),
                    Step::Remove(v) => prop_assert_eq!(runs.remove(&v), model.remove(&v)),
                }
                prop_assert_eq!(runs.check(), Ok(()));
                prop_assert_eq!(runs.len(), model.len());
                prop_assert_eq!(runs.first(), model.first().copied());
            }
            prop_assert!(runs.iter().eq(model.iter().copied()));
            prop_assert!(runs.range_from(from).eq(model.range(from..).copied()));
        }
    }

    #[test]
    fn a_full_run_splits_and_a_sparse_one_but_the_first_takes_in_the_next() {
        let evens: Vec<u32> = (0..RUN as u32).map(|v| 2 * v).collect();
        let (mut runs, mut model) = (Runs::new(&evens), BTreeSet::from_iter(evens));
        // Three quarters full and the rest.
        assert_eq!(runs.runs.len(), 2);
        // Filled, the first run splits in half.
        for v in (1..RUN as u32 * 3 / 2).step_by(2) {
            assert!(runs.insert(v));
            model.insert(v);
        }
        assert_eq!(runs.runs.len(), 3);
        assert_eq!(runs.check(), Ok(()));
        // Thinned below a quarter, the second run takes in the third.
        let second: Vec<u32> = runs.runs.values().nth(1).unwrap().iter().copied().collect();
        for v in &second[..second.len() - (SPARSE - 1)] {
            assert!(runs.remove(v));
            model.remove(v);
            assert_eq!(runs.check(), Ok(()));
        }
        assert_eq!(runs.runs.len(), 2);
        // Emptied from the front, the first run goes without taking any
        // values in.
        while runs.runs.len() == 2 {
            let first = model.pop_first();
            assert!(runs.remove(&first.unwrap()));
            assert_eq!(runs.check(), Ok(()));
        }
        assert_eq!(runs.len(), SPARSE - 1 + RUN / 4);
        assert!(runs.iter().eq(model.iter().copied()));
    }
}
