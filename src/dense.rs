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

/// A vector of optional entries with a free list, addressed by index `I`.
///
/// Freed slots are reused last-freed-first, so the same operations always
/// give the same indices.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Slab<I, T> {
    entries: Vec<Option<T>>,
    free: Vec<u32>,
    #[serde(skip)]
    _index: std::marker::PhantomData<I>,
}

impl<I, T> Default for Slab<I, T> {
    fn default() -> Self {
        Slab {
            entries: Vec::new(),
            free: Vec::new(),
            _index: std::marker::PhantomData,
        }
    }
}

impl<I: Index, T> Slab<I, T> {
    /// Whether one more entry fits under the index width.
    pub(crate) fn has_room(&self) -> bool {
        self.has_room_for(1)
    }

    /// Whether `n` more entries fit under the index width.
    pub(crate) fn has_room_for(&self, n: usize) -> bool {
        self.entries.len() - self.free.len() + n <= u32::MAX as usize
    }

    pub(crate) fn insert(&mut self, value: T) -> I {
        match self.free.pop() {
            Some(slot) => {
                self.entries[slot as usize] = Some(value);
                I::from_slot(slot as usize)
            }
            None => {
                self.entries.push(Some(value));
                I::from_slot(self.entries.len() - 1)
            }
        }
    }

    pub(crate) fn remove(&mut self, ix: I) -> Option<T> {
        let value = self.entries.get_mut(ix.slot())?.take()?;
        self.free.push(ix.slot() as u32);
        Some(value)
    }
}

impl<I: Index, T> std::ops::Index<I> for Slab<I, T> {
    type Output = T;
    fn index(&self, ix: I) -> &T {
        // Internal indices only ever name live entries: they are created by
        // `insert` and dropped from every structure before `remove`.
        self.entries[ix.slot()]
            .as_ref()
            .expect("internal index names a live slab entry")
    }
}

impl<I: Index, T> std::ops::IndexMut<I> for Slab<I, T> {
    fn index_mut(&mut self, ix: I) -> &mut T {
        // See `Index::index`.
        self.entries[ix.slot()]
            .as_mut()
            .expect("internal index names a live slab entry")
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
}
