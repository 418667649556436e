//! Time as the host tells it: the router never reads a clock.

use std::fmt;
use std::ops::{Add, Sub};

use serde::{Deserialize, Serialize};

/// A point in time, in milliseconds since an epoch the host chooses.
///
/// Every event is stamped with one. Time never goes backwards inside the
/// router: an event stamped earlier than the latest one seen is taken as
/// happening at that latest time.
///
/// ```
/// use omnirouter::{Millis, Timestamp};
/// let t = Timestamp(1_000) + Millis(500);
/// assert_eq!(t, Timestamp(1_500));
/// assert_eq!(t - Timestamp(1_000), Millis(500));
/// ```
#[derive(
    Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub u64);

/// A span of time in milliseconds, such as how long a conversation waited.
///
/// ```
/// use omnirouter::Millis;
/// assert_eq!(Millis::from_secs(2), Millis(2_000));
/// ```
#[derive(
    Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Millis(pub u64);

impl Millis {
    /// A span of whole seconds.
    pub const fn from_secs(secs: u64) -> Self {
        Millis(secs.saturating_mul(1_000))
    }
}

impl Add<Millis> for Timestamp {
    type Output = Timestamp;
    /// Saturates at the end of time rather than overflowing.
    fn add(self, rhs: Millis) -> Timestamp {
        Timestamp(self.0.saturating_add(rhs.0))
    }
}

impl Sub for Timestamp {
    type Output = Millis;
    /// The span from `rhs` to `self`, zero if `rhs` is later.
    fn sub(self, rhs: Timestamp) -> Millis {
        Millis(self.0.saturating_sub(rhs.0))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t={}ms", self.0)
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ms", self.0)
    }
}
