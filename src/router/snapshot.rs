//! Saving and restoring a [`Router`]: a snapshot is its state and the
//! state's seal (see `crate::seal`), checked on restore.

use serde::ser::{self, SerializeStruct};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};

use super::Router;
use crate::seal::seal;

/// Why a router has no snapshot, should a part of its state refuse to
/// serialise (none does).
const UNSEALABLE: &str = "a part of the router's state does not serialise, so it has no seal";

/// The router's state, as its derived functions save it.
struct State<'a>(&'a Router);

impl Serialize for State<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Router::serialize(self.0, serializer)
    }
}

/// A snapshot is the state and its seal (see `crate::seal`).
impl Serialize for Router {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let state = State(self);
        let seal = seal(&state).ok_or_else(|| ser::Error::custom(UNSEALABLE))?;
        let mut snapshot = serializer.serialize_struct("Snapshot", 2)?;
        snapshot.serialize_field("state", &state)?;
        snapshot.serialize_field("seal", &seal)?;
        snapshot.end()
    }
}

/// Restores a snapshot whose state still has its seal; refuses one
/// changed since it was saved.
impl<'de> Deserialize<'de> for Router {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename = "Snapshot", deny_unknown_fields)]
        struct Snapshot {
            #[serde(deserialize_with = "Router::deserialize")]
            state: Router,
            seal: u64,
        }
        let snapshot = Snapshot::deserialize(deserializer)?;
        let found = seal(&State(&snapshot.state)).ok_or_else(|| de::Error::custom(UNSEALABLE))?;
        if found != snapshot.seal {
            return Err(de::Error::custom(format_args!(
                "the snapshot was changed after it was saved: its state seals to {found:#018x}, \
                 not to its seal {:#018x}",
                snapshot.seal
            )));
        }
        Ok(snapshot.state)
    }
}
