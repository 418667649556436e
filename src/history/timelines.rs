//! The timelines of remembered conversations, one after another in the
//! order the conversations ended, in chunks of [`CHUNK`] entries.
//!
//! An open conversation's timeline is a vector of its own. When the
//! conversation ends, its entries move to the back of the last chunk and
//! the vector, emptied while it is still in cache, is kept for the next
//! conversation's timeline (see `SpareStories`). When the history
//! forgets its oldest record, the chunks before that record's are
//! dropped whole, and the last dropped is kept to be filled again. When
//! it closes the gaps that records forgotten early leave, the timelines
//! left are copied into new chunks, so that theirs go too.
//!
//! Kept as one vector per record, a timeline was freed only when its
//! record was forgotten, 100k conversations later, long out of cache, and
//! the allocator then handed that cold memory to the next timeline to
//! grow. With chunks, least loaded at 100k agents in the scale example,
//! the history full, counted 29.6 last-level misses per event where it
//! counted 33.7 (cachegrind, last level 2 MiB, between 210k and 232k
//! events).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::history::TimelineEntry;

/// Entries in a chunk, unless one timeline is longer: a chunk of 36 KiB,
/// which the allocator takes from its heap, not from a mapping of its own.
const CHUNK: usize = 512;

/// Where one remembered timeline is kept.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Span {
    /// The number of its chunk.
    chunk: u64,
    /// Its first entry's place in the chunk.
    start: u32,
    /// How many entries it has.
    len: u32,
}

/// The timelines of remembered conversations, in chunks (see the module
/// documentation).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Timelines {
    /// The chunks, oldest first: `chunks[i]` is number `first + i`.
    chunks: VecDeque<Vec<TimelineEntry>>,
    /// The number of `chunks[0]`.
    first: u64,
    /// The last chunk dropped, emptied, for the next chunk to reuse: always
    /// empty, so it changes no comparison, and not saved.
    #[serde(skip)]
    spare: Vec<TimelineEntry>,
}

impl Timelines {
    /// Keeps `timeline` at the back, and tells where.
    pub(crate) fn keep<I>(&mut self, timeline: I) -> Span
    where
        I: IntoIterator<Item = TimelineEntry, IntoIter: ExactSizeIterator>,
    {
        let timeline = timeline.into_iter();
        let len = timeline.len();
        // A rule of lengths, not of capacities: a restored router, whose
        // vectors have other capacities, fills its chunks the same way.
        let fits = (self.chunks.back()).is_some_and(|last| last.len() + len <= CHUNK);
        if !fits {
            let mut chunk = std::mem::take(&mut self.spare);
            chunk.reserve(CHUNK.max(len));
            self.chunks.push_back(chunk);
        }
        let number = self.first + self.chunks.len() as u64 - 1;
        let mut start = 0;
        if let Some(last) = self.chunks.back_mut() {
            start = last.len();
            last.extend(timeline);
        }
        Span {
            chunk: number,
            start: start as u32,
            len: len as u32,
        }
    }

    /// The timeline kept at `span`; empty if its chunk was dropped.
    pub(crate) fn get(&self, span: Span) -> &[TimelineEntry] {
        let start = span.start as usize;
        usize::try_from(span.chunk.wrapping_sub(self.first))
            .ok()
            .and_then(|at| self.chunks.get(at))
            .and_then(|chunk| chunk.get(start..start + span.len as usize))
            .unwrap_or(&[])
    }

    /// Drops every chunk before the one of `span`: the history calls this
    /// as it forgets the oldest record it keeps, whose timeline is at
    /// `span`, so that no record kept has its timeline there.
    pub(crate) fn forget_before(&mut self, span: Span) {
        while self.first < span.chunk {
            let Some(mut dropped) = self.chunks.pop_front() else {
                break;
            };
            self.first += 1;
            dropped.clear();
            if dropped.capacity() > self.spare.capacity() {
                self.spare = dropped;
            }
        }
    }

    /// Keeps only the timelines at `spans`, in their order, in new chunks,
    /// and moves each span to where its timeline now is: the history calls
    /// this as it closes the gaps of records forgotten early, so that
    /// their timelines go too.
    pub(crate) fn keep_only<'a>(&mut self, spans: impl Iterator<Item = &'a mut Span>) {
        let mut kept = Timelines {
            chunks: VecDeque::new(),
            // Numbers go on from the old chunks', so that no old span
            // names a new chunk.
            first: self.first + self.chunks.len() as u64,
            spare: std::mem::take(&mut self.spare),
        };
        for span in spans {
            *span = kept.keep(self.get(*span).iter().cloned());
        }
        *self = kept;
    }

    /// How many chunks are kept.
    #[cfg(test)]
    fn chunks(&self) -> usize {
        self.chunks.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::Happening;
    use crate::time::Timestamp;

    /// A timeline of `len` entries whose times are `from` on.
    fn timeline(from: u64, len: u64) -> Vec<TimelineEntry> {
        (from..from + len)
            .map(|at| TimelineEntry {
                at: Timestamp(at),
                actor: None,
                happening: Happening::Abandoned,
            })
            .collect()
    }

    /// Timelines of every length from 0 to past a chunk, forgotten from
    /// the front as they go: each one kept is found as it was, and the
    /// chunks kept are only those that hold them and the last.
    #[test]
    fn keeps_each_timeline_until_the_chunks_before_it_go() {
        let mut timelines = Timelines::default();
        let mut kept: VecDeque<(Span, u64, u64)> = VecDeque::new();
        let mut from = 0;
        for n in 0..3_000_u64 {
            let len = match n % 7 {
                0 => 0,
                1 if n % 700 == 1 => CHUNK as u64 + 3,
                _ => n % 9,
            };
            let span = timelines.keep(timeline(from, len));
            kept.push_back((span, from, len));
            from += len;
            if kept.len() > 200 {
                let (oldest, ..) = kept.pop_front().expect("more than 200");
                timelines.forget_before(oldest);
            }
            for &(span, from, len) in &kept {
                let found: Vec<u64> = timelines.get(span).iter().map(|e| e.at.0).collect();
                assert_eq!(found, (from..from + len).collect::<Vec<_>>());
            }
            let (oldest, ..) = kept[0];
            let newest = span.chunk;
            assert!(timelines.chunks() as u64 <= newest - oldest.chunk.min(newest) + 2);
        }
    }

    /// A span whose chunk was dropped reads as empty, not as another
    /// timeline or a panic.
    #[test]
    fn a_dropped_span_is_empty() {
        let mut timelines = Timelines::default();
        let first = timelines.keep(timeline(0, CHUNK as u64));
        let second = timelines.keep(timeline(1_000, 2));
        timelines.forget_before(second);
        assert!(timelines.get(first).is_empty());
        assert_eq!(timelines.get(second).len(), 2);
        assert!(timelines.spare.capacity() >= CHUNK);
    }
}
