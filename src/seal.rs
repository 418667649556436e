//! A snapshot's seal: a fixed hash of everything the router saves, so
//! that a snapshot changed after it was saved is refused on restore.
//!
//! A restored router is not checked the way events are: its lines, sets
//! and indexes are trusted to agree with one another, and a snapshot
//! edited by hand could make them disagree and a later event panic. So the
//! router saves, next to its state, a hash of that state, and a restore
//! hashes what it read and compares. The hash is of serde's data model,
//! not of a format's bytes, so a snapshot moved from one format to another
//! (JSON to a `serde_json::Value`, say) keeps its seal.
//!
//! The seal catches accidents, not forgery: its function is fixed and
//! public, so someone who rewrites a snapshot on purpose can seal it anew.

use std::fmt;
use std::hash::Hasher;

use serde::ser::{self, Serialize};

use crate::hash::FxHasher;

/// The seal of `value`: a hash of every value serde sees as it serialises
/// `value`, each with a tag of its kind, and every compound's end, so that
/// different values of one type give different streams (`([1], [])` and
/// `([], [1])`, say).
///
/// `None` if a part of `value` refuses to serialise, which no part of the
/// router's state does.
pub(crate) fn seal<T: Serialize + ?Sized>(value: &T) -> Option<u64> {
    let mut sealer = Sealer(FxHasher::default());
    value.serialize(&mut sealer).ok()?;
    Some(finish(sealer.0.finish()))
}

/// SplitMix64's finaliser, so that every bit of the seal depends on every
/// bit of the stream's last step.
fn finish(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// What a value's kind is, written before it.
#[derive(Clone, Copy)]
#[repr(u8)]
enum Tag {
    Bool = 1,
    Signed,
    Unsigned,
    Float,
    Char,
    Str,
    Bytes,
    None,
    Some,
    Unit,
    Variant,
    Compound,
    End,
}

/// A serialiser that hashes what it is given.
struct Sealer(FxHasher);

/// The only error: a type that refuses to serialise.
#[derive(Debug)]
struct Unsealable;

impl fmt::Display for Unsealable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value that does not serialise cannot be sealed")
    }
}

impl std::error::Error for Unsealable {}

impl ser::Error for Unsealable {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Unsealable
    }
}

impl Sealer {
    fn tag(&mut self, tag: Tag) {
        self.0.write_u8(tag as u8);
    }

    fn bytes(&mut self, bytes: &[u8]) {
        self.0.write_u64(bytes.len() as u64);
        self.0.write(bytes);
    }

    fn variant(&mut self, index: u32) {
        self.tag(Tag::Variant);
        self.0.write_u32(index);
    }
}

macro_rules! integers {
    ($($method:ident($ty:ty) => $tag:ident as $wide:ty;)*) => {$(
        fn $method(self, v: $ty) -> Result<(), Unsealable> {
            self.tag(Tag::$tag);
            self.0.write_u128(v as $wide as u128);
            Ok(())
        }
    )*};
}

impl ser::Serializer for &mut Sealer {
    type Ok = ();
    type Error = Unsealable;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    integers! {
        serialize_i8(i8) => Signed as i128;
        serialize_i16(i16) => Signed as i128;
        serialize_i32(i32) => Signed as i128;
        serialize_i64(i64) => Signed as i128;
        serialize_i128(i128) => Signed as i128;
        serialize_u8(u8) => Unsigned as u128;
        serialize_u16(u16) => Unsigned as u128;
        serialize_u32(u32) => Unsigned as u128;
        serialize_u64(u64) => Unsigned as u128;
        serialize_u128(u128) => Unsigned as u128;
    }

    fn serialize_bool(self, v: bool) -> Result<(), Unsealable> {
        self.tag(Tag::Bool);
        self.0.write_u8(u8::from(v));
        Ok(())
    }

    fn serialize_f32(self, v: f32) -> Result<(), Unsealable> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<(), Unsealable> {
        self.tag(Tag::Float);
        self.0.write_u64(v.to_bits());
        Ok(())
    }

    fn serialize_char(self, v: char) -> Result<(), Unsealable> {
        self.tag(Tag::Char);
        self.0.write_u32(u32::from(v));
        Ok(())
    }

    fn serialize_str(self, v: &str) -> Result<(), Unsealable> {
        self.tag(Tag::Str);
        self.bytes(v.as_bytes());
        Ok(())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<(), Unsealable> {
        self.tag(Tag::Bytes);
        self.bytes(v);
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Unsealable> {
        self.tag(Tag::None);
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Unsealable> {
        self.tag(Tag::Some);
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Unsealable> {
        self.tag(Tag::Unit);
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Unsealable> {
        self.serialize_unit()
    }

    fn serialize_unit_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
    ) -> Result<(), Unsealable> {
        self.variant(index);
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unsealable> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        value: &T,
    ) -> Result<(), Unsealable> {
        self.variant(index);
        value.serialize(self)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Unsealable> {
        self.tag(Tag::Compound);
        Ok(self)
    }

    fn serialize_tuple(self, _: usize) -> Result<Self, Unsealable> {
        self.serialize_seq(None)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self, Unsealable> {
        self.serialize_seq(None)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        index: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self, Unsealable> {
        self.variant(index);
        self.serialize_seq(None)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self, Unsealable> {
        self.serialize_seq(None)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Unsealable> {
        self.serialize_seq(None)
    }

    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, Unsealable> {
        self.serialize_tuple_variant(name, index, variant, len)
    }
}

/// Every compound is its parts, in order, then an end: no compound's
/// stream is a prefix of another's.
macro_rules! compound {
    ($($trait:ident { $($method:ident($($name:ident: $ty:ty),*) => $value:ident;)* })*) => {$(
        impl ser::$trait for &mut Sealer {
            type Ok = ();
            type Error = Unsealable;
            $(
                fn $method<T: Serialize + ?Sized>(
                    &mut self,
                    $($name: $ty,)*
                    $value: &T,
                ) -> Result<(), Unsealable> {
                    $(let _ = $name;)*
                    $value.serialize(&mut **self)
                }
            )*
            fn end(self) -> Result<(), Unsealable> {
                self.tag(Tag::End);
                Ok(())
            }
        }
    )*};
}

compound! {
    SerializeSeq { serialize_element() => value; }
    SerializeTuple { serialize_element() => value; }
    SerializeTupleStruct { serialize_field() => value; }
    SerializeTupleVariant { serialize_field() => value; }
    SerializeMap { serialize_key() => key; serialize_value() => value; }
    SerializeStruct { serialize_field(_key: &'static str) => value; }
    SerializeStructVariant { serialize_field(_key: &'static str) => value; }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values that differ only in where a part ends, in a variant, in
    /// `None` against a default, or in one number give different seals.
    #[test]
    fn tells_apart_values_that_look_alike() {
        assert_ne!(
            seal(&(vec![1_u8], Vec::<u8>::new())),
            seal(&(Vec::<u8>::new(), vec![1_u8]))
        );
        assert_ne!(seal(&["ab", "c"]), seal(&["a", "bc"]));
        assert_ne!(seal(&Some(0_u32)), seal(&None::<u32>));
        assert_ne!(seal(&Ok::<u8, u8>(1)), seal(&Err::<u8, u8>(1)));
        assert_ne!(seal(&0_u64), seal(&0_i64));
        assert_ne!(seal(&[1_u64, 2, 3]), seal(&[1_u64, 2, 4]));
        assert_eq!(seal(&[1_u64, 2, 3]), seal(&vec![1_u64, 2, 3]));
    }

    /// One changed word changes the seal, wherever it is (each step of the
    /// hash is a bijection of its state, for a given word).
    #[test]
    fn any_one_changed_number_changes_the_seal() {
        let values: Vec<u64> = (0..200).map(|i| i * 7).collect();
        let sealed = seal(&values);
        for i in 0..values.len() {
            let mut changed = values.clone();
            changed[i] += 1;
            assert_ne!(seal(&changed), sealed, "at {i}");
        }
    }

    /// A value that refuses to serialise has no seal.
    #[test]
    fn a_value_that_refuses_has_none() {
        struct Refuses;
        impl Serialize for Refuses {
            fn serialize<S: ser::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(ser::Error::custom("no"))
            }
        }
        assert_eq!(seal(&(1_u8, Refuses)), None);
    }

    /// The seal is a fixed function: the same value seals the same in
    /// every run and build, so a snapshot restores in another process.
    #[test]
    fn is_fixed() {
        assert_eq!(
            seal(&(1_u32, "omnirouter", Some(true))),
            Some(0x543f_e694_145b_194c)
        );
    }
}
