//! Host ids: the host's own names for agents, conversations and customers.
//!
//! A host keeps whatever ids it already has (database integers, UUIDs,
//! strings) and hands them to the router as they are; the router maps them to
//! dense internal indices once, at the boundary, and names them back in every
//! [`Decision`](crate::Decision). Each kind of id is its own newtype, so an
//! agent id can never be passed where a conversation id is expected.

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// One host-supplied id value: an integer, a UUID's 16 bytes, or a string.
///
/// Strings are reference-counted, so handing an id back in a decision never
/// allocates. In serde formats it is untagged (a number, an array of 16
/// bytes, or a string), so it needs a self-describing format such as JSON.
///
/// ```
/// use omnirouter::HostId;
/// assert_eq!(HostId::from(7_u64).to_string(), "7");
/// assert_eq!(HostId::from("alice").to_string(), "alice");
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum HostId {
    /// An integer id, such as a database primary key.
    Int(u64),
    /// A UUID or any other 128-bit id, as its 16 bytes.
    Uuid([u8; 16]),
    /// A textual id.
    Text(Arc<str>),
}

impl fmt::Display for HostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostId::Int(n) => write!(f, "{n}"),
            HostId::Uuid(bytes) => {
                for (i, b) in bytes.iter().enumerate() {
                    if matches!(i, 4 | 6 | 8 | 10) {
                        f.write_str("-")?;
                    }
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
            HostId::Text(s) => f.write_str(s),
        }
    }
}

impl fmt::Debug for HostId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostId::Text(s) => write!(f, "{s:?}"),
            other => fmt::Display::fmt(other, f),
        }
    }
}

impl From<u64> for HostId {
    fn from(n: u64) -> Self {
        HostId::Int(n)
    }
}

impl From<u128> for HostId {
    fn from(n: u128) -> Self {
        HostId::Uuid(n.to_be_bytes())
    }
}

impl From<[u8; 16]> for HostId {
    fn from(bytes: [u8; 16]) -> Self {
        HostId::Uuid(bytes)
    }
}

impl From<&str> for HostId {
    fn from(s: &str) -> Self {
        HostId::Text(Arc::from(s))
    }
}

impl From<String> for HostId {
    fn from(s: String) -> Self {
        HostId::Text(Arc::from(s))
    }
}

impl From<Arc<str>> for HostId {
    fn from(s: Arc<str>) -> Self {
        HostId::Text(s)
    }
}

/// Declares a newtype over [`HostId`] with the conversions a host needs.
macro_rules! host_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub HostId);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "({:?})"), self.0)
            }
        }

        impl<T: Into<HostId>> From<T> for $name {
            fn from(id: T) -> Self {
                $name(id.into())
            }
        }
    };
}

host_id! {
    /// The host's id for an agent (any role: agent, super admin, client user).
    ///
    /// ```
    /// use omnirouter::AgentId;
    /// let alice = AgentId::from("alice");
    /// assert_eq!(alice.to_string(), "alice");
    /// assert_eq!(AgentId::from(42_u64), AgentId::from(42_u64));
    /// ```
    AgentId
}

host_id! {
    /// The host's id for a conversation.
    ///
    /// ```
    /// use omnirouter::ConversationId;
    /// let id = ConversationId::from(0x1234_u128);
    /// assert!(id.to_string().ends_with("1234"));
    /// ```
    ConversationId
}

host_id! {
    /// The host's id for a customer, the person on the other side.
    ///
    /// ```
    /// use omnirouter::CustomerId;
    /// assert_eq!(CustomerId::from("+27 82 555 0100").to_string(), "+27 82 555 0100");
    /// ```
    CustomerId
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_displays_in_canonical_groups() {
        let id = HostId::from(0x0011_2233_4455_6677_8899_aabb_ccdd_eeff_u128);
        assert_eq!(id.to_string(), "00112233-4455-6677-8899-aabbccddeeff");
    }

    #[test]
    fn ids_round_trip_through_json_untagged() {
        for id in [
            HostId::from(5_u64),
            HostId::from("bob"),
            HostId::from(9_u128),
        ] {
            let json = serde_json::to_string(&AgentId(id.clone())).unwrap();
            let back: AgentId = serde_json::from_str(&json).unwrap();
            assert_eq!(back.0, id);
        }
        assert_eq!(serde_json::to_string(&AgentId::from(5_u64)).unwrap(), "5");
        assert_eq!(serde_json::to_string(&AgentId::from("x")).unwrap(), "\"x\"");
    }
}
