//! A small, fixed (unseeded) hasher for the id maps.
//!
//! The router never lets a hash map's iteration order decide anything, and
//! with a fixed hasher even a snapshot's bytes are the same on every run.

use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash (as in rustc): a multiply and rotate per word.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word));
        }
    }

    #[inline]
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u16(&mut self, n: u16) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// Builds [`FxHasher`]s.
pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;

/// An insertion-ordered map with the fixed hasher.
pub(crate) type FxIndexMap<K, V> = indexmap::IndexMap<K, V, FxBuild>;

/// A hash map with the fixed hasher, for the maps an event looks up: the
/// agents', conversations' and history's by host id. It keeps each key
/// and value in its table, where an [`FxIndexMap`] keeps them apart from
/// the table, a second cache miss for each lookup in a large map, and a
/// third for each removal (the entry moved into the hole is found
/// again). Its order is its table's: only queries that promise no order
/// read it, and it is saved sorted by key (see [`sorted_pairs`]).
pub(crate) type FxHashMap<K, V> = std::collections::HashMap<K, V, FxBuild>;

/// An insertion-ordered set with the fixed hasher.
pub(crate) type FxIndexSet<K> = indexmap::IndexSet<K, FxBuild>;

/// A map read back from a list of `(key, value)` pairs.
fn from_pairs<'de, M, K, V, D>(deserializer: D) -> Result<M, D::Error>
where
    M: FromIterator<(K, V)>,
    K: serde::Deserialize<'de>,
    V: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    let pairs = <Vec<(K, V)> as serde::Deserialize>::deserialize(deserializer)?;
    Ok(pairs.into_iter().collect())
}

/// Serde for maps whose keys are not strings (ids, class keys): a list of
/// `(key, value)` pairs, so that every format, JSON included, can hold them.
pub(crate) mod as_pairs {
    use std::hash::Hash;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::FxIndexMap;

    pub(crate) fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        map: &FxIndexMap<K, V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.iter())
    }

    pub(crate) fn deserialize<'de, K, V, D>(deserializer: D) -> Result<FxIndexMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Hash + Eq,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        super::from_pairs(deserializer)
    }
}

/// Serde for [`FxHashMap`]s, as a list of `(key, value)` pairs sorted by
/// key, so that a router and its restored copy save the same bytes
/// whatever their tables' order.
pub(crate) mod sorted_pairs {
    use std::hash::Hash;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::FxHashMap;

    pub(crate) fn serialize<K, V, S>(
        map: &FxHashMap<K, V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error>
    where
        K: Serialize + Ord,
        V: Serialize,
        S: Serializer,
    {
        let mut pairs: Vec<(&K, &V)> = map.iter().collect();
        pairs.sort_unstable_by(|a, b| a.0.cmp(b.0));
        serializer.collect_seq(pairs)
    }

    pub(crate) fn deserialize<'de, K, V, D>(deserializer: D) -> Result<FxHashMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Hash + Eq,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        super::from_pairs(deserializer)
    }
}

/// Serde for ordered maps whose keys are not strings, as a list of pairs.
pub(crate) mod btree_as_pairs {
    use std::collections::BTreeMap;

    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(crate) fn serialize<K: Serialize, V: Serialize, S: Serializer>(
        map: &BTreeMap<K, V>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(map.iter())
    }

    pub(crate) fn deserialize<'de, K, V, D>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
    where
        K: Deserialize<'de> + Ord,
        V: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        super::from_pairs(deserializer)
    }
}
