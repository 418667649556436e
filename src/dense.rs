//! Dense internal indices and the slab that stores by them.
//!
//! Host ids are mapped to these once, at the boundary. They are private to
//! the crate: a host can neither build nor see one.

use serde::{Deserialize, Serialize};

/// Declares a private index newtype.
macro_rules! index {
    ($($(#[$doc:meta])* $name:ident($int:ty);)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
        pub(crate) struct $name(pub(crate) $int);
    )*};
}

/// Positions in the configuration's name lists, usable as `Vec` indices.
macro_rules! name_index {
    ($($name:ident),*) => {$(
        impl $name {
            pub(crate) fn get(self) -> usize {
                usize::from(self.0)
            }
        }
    )*};
}
name_index!(ChannelIx, SkillIx, TeamIx);

index! {
    /// A channel's position in the configuration.
    ChannelIx(u16);
    /// A skill's position in the configuration.
    SkillIx(u16);
    /// A team's position in the configuration.
    TeamIx(u16);
    /// An agent's slot in the agent slab.
    AgentIx(u32);
    /// A conversation's slot in the conversation slab.
    ConvIx(u32);
    /// A routing class's slot.
    ClassIx(u32);
    /// A free-agent line's slot.
    LineIx(u32);
}

/// Conversions between an index newtype and a slab position.
pub(crate) trait Index: Copy {
    fn from_slot(slot: usize) -> Self;
    fn slot(self) -> usize;
}

macro_rules! slab_index {
    ($($name:ident),*) => {$(
        impl Index for $name {
            fn from_slot(slot: usize) -> Self {
                // A slab never grows past u32::MAX entries: `Slab::insert`
                // checks `has_room` first.
                $name(slot as u32)
            }
            fn slot(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}
slab_index!(AgentIx, ConvIx, ClassIx, LineIx);

/// Slots per chunk of a [`Slab`] (after the first, which grows up to it).
const CHUNK_BITS: u32 = 10;
const CHUNK: usize = 1 << CHUNK_BITS;

/// A vector of optional entries with a free list, addressed by index `I`.
///
/// Freed slots are reused last-freed-first, so the same operations always
/// give the same indices.
///
/// Entries are kept in chunks of 1,024 slots, so that growing never moves
/// what is stored (one insert never copies a million agents) and at most
/// one chunk is spare. The first chunk grows like a `Vec` up to full size,
/// so that a small router stays small.
#[derive(Clone, PartialEq, Eq, Debug)]
pub(crate) struct Slab<I, T> {
    chunks: Vec<Vec<Option<T>>>,
    /// Slots in use or freed: the next new slot.
    len: usize,
    free: Vec<u32>,
    _index: std::marker::PhantomData<I>,
}

impl<I, T> Default for Slab<I, T> {
    fn default() -> Self {
        Slab {
            chunks: Vec::new(),
            len: 0,
            free: Vec::new(),
            _index: std::marker::PhantomData,
        }
    }
}

impl<I, T> Slab<I, T> {
    fn entry(&self, slot: usize) -> Option<&Option<T>> {
        self.chunks.get(slot >> CHUNK_BITS)?.get(slot & (CHUNK - 1))
    }

    fn entry_mut(&mut self, slot: usize) -> Option<&mut Option<T>> {
        self.chunks
            .get_mut(slot >> CHUNK_BITS)?
            .get_mut(slot & (CHUNK - 1))
    }

    /// Appends an entry in a new slot.
    fn push(&mut self, entry: Option<T>) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < CHUNK => chunk.push(entry),
            _ => {
                let mut chunk = Vec::with_capacity(if self.chunks.is_empty() { 4 } else { CHUNK });
                chunk.push(entry);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }
}

impl<I: Index, T> Slab<I, T> {
    /// Whether one more entry fits under the index width.
    pub(crate) fn has_room(&self) -> bool {
        self.has_room_for(1)
    }

    /// Whether `n` more entries fit under the index width.
    pub(crate) fn has_room_for(&self, n: usize) -> bool {
        self.len - self.free.len() + n <= u32::MAX as usize
    }

    pub(crate) fn insert(&mut self, value: T) -> I {
        match self.free.pop() {
            Some(slot) => {
                *self.entry_mut(slot as usize).expect("a freed slot exists") = Some(value);
                I::from_slot(slot as usize)
            }
            None => {
                self.push(Some(value));
                I::from_slot(self.len - 1)
            }
        }
    }

    pub(crate) fn remove(&mut self, ix: I) -> Option<T> {
        let value = self.entry_mut(ix.slot())?.take()?;
        self.free.push(ix.slot() as u32);
        Some(value)
    }
}

#[cfg(test)]
impl<I, T> Slab<I, T> {
    /// Leaves room for only `n` more entries under the index width, as if
    /// the rest had been taken: for tests of what a full router refuses.
    /// The slots taken hold nothing, so nothing else may be done with it.
    pub(crate) fn leave_room_for(&mut self, n: usize) {
        self.len = u32::MAX as usize - n + self.free.len();
    }
}

impl<I: Index, T> std::ops::Index<I> for Slab<I, T> {
    type Output = T;
    fn index(&self, ix: I) -> &T {
        // Internal indices only ever name live entries: they are created by
        // `insert` and dropped from every structure before `remove`.
        self.entry(ix.slot())
            .and_then(Option::as_ref)
            .expect("internal index names a live slab entry")
    }
}

impl<I: Index, T> std::ops::IndexMut<I> for Slab<I, T> {
    fn index_mut(&mut self, ix: I) -> &mut T {
        // See `Index::index`.
        self.entry_mut(ix.slot())
            .and_then(Option::as_mut)
            .expect("internal index names a live slab entry")
    }
}

/// A slab as saved: its slots in order, and its free list.
#[derive(Serialize, Deserialize)]
struct SavedSlab<E> {
    entries: E,
    free: Vec<u32>,
}

impl<I, T: Serialize> Serialize for Slab<I, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Entries<'a, T>(&'a [Vec<Option<T>>]);
        impl<T: Serialize> Serialize for Entries<'_, T> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_seq(self.0.iter().flatten())
            }
        }
        SavedSlab {
            entries: Entries(&self.chunks),
            free: self.free.clone(),
        }
        .serialize(serializer)
    }
}

impl<'de, I, T: Deserialize<'de>> Deserialize<'de> for Slab<I, T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let saved = SavedSlab::<Vec<Option<T>>>::deserialize(deserializer)?;
        let mut slab = Slab {
            free: saved.free,
            ..Slab::default()
        };
        for entry in saved.entries {
            slab.push(entry);
        }
        Ok(slab)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slab_reuses_the_last_freed_slot() {
        let mut slab: Slab<AgentIx, &str> = Slab::default();
        let a = slab.insert("a");
        let b = slab.insert("b");
        let c = slab.insert("c");
        assert_eq!(slab.remove(a), Some("a"));
        assert_eq!(slab.remove(c), Some("c"));
        assert_eq!(slab.remove(c), None);
        assert_eq!(slab.insert("d"), c);
        assert_eq!(slab.insert("e"), a);
        assert_eq!(slab[b], "b");
        assert_eq!((slab[a], slab[c]), ("e", "d"));
    }

    #[test]
    fn slab_spans_chunks() {
        let mut slab: Slab<ConvIx, usize> = Slab::default();
        let n = 3 * CHUNK + 5;
        let ixs: Vec<ConvIx> = (0..n).map(|i| slab.insert(i)).collect();
        assert_eq!(ixs.last(), Some(&ConvIx(n as u32 - 1)));
        assert_eq!(slab.chunks.len(), 4);
        assert!(slab.chunks[1].capacity() == CHUNK && slab.chunks[1].len() == CHUNK);
        assert_eq!(slab.remove(ixs[CHUNK]), Some(CHUNK));
        assert_eq!(slab.remove(ixs[CHUNK]), None);
        assert_eq!(slab.remove(ConvIx(n as u32)), None);
        assert_eq!(slab.insert(7), ixs[CHUNK]);
        assert!((0..n).all(|i| slab[ixs[i]] == if i == CHUNK { 7 } else { i }));
        let saved = serde_json::to_string(&slab).unwrap();
        let restored: Slab<ConvIx, usize> = serde_json::from_str(&saved).unwrap();
        assert_eq!(restored, slab);
    }
}
