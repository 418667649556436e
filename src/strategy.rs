//! Agent selection: which of several free, eligible agents gets a conversation.

use serde::{Deserialize, Serialize};

/// How the router picks among the free agents eligible for a conversation.
///
/// Every strategy ends its ordering with the order in which agents were
/// added, so ties are always broken the same way.
///
/// ```
/// use omnirouter::Strategy;
/// assert_eq!(Strategy::default(), Strategy::LeastLoaded);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub enum Strategy {
    /// Fewest open conversations on the conversation's channel, then fewest
    /// open conversations overall, then earliest added.
    #[default]
    LeastLoaded,
    /// The agent whose last assignment (on any channel) is oldest; an agent
    /// never assigned counts from when it was added. Then earliest added.
    LongestIdle,
    /// Agents take turns in the order they were added: on each channel, the
    /// next eligible agent after the one that got the channel's last
    /// conversation, wrapping around.
    RoundRobin,
}

/// An agent's place in a free-agent line (see `crate::line`): smaller first.
///
/// Two words, so that a line's entries (key and agent) take 24 bytes: for
/// least loaded the first packs the channel load (high half) over the total
/// load (low half), both `u32`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub(crate) struct RankKey(pub(crate) u64, pub(crate) u64);

/// What a strategy needs to know of an agent to rank it on one channel.
pub(crate) struct RankInput {
    pub(crate) channel_load: u32,
    pub(crate) total_load: u32,
    pub(crate) last_assigned_ms: u64,
    pub(crate) join_seq: u64,
}

impl Strategy {
    /// The agent's key on one channel; the smallest key is picked first
    /// (for round robin, the smallest after the channel's cursor).
    pub(crate) fn rank(self, agent: &RankInput) -> RankKey {
        match self {
            Strategy::LeastLoaded => RankKey(
                u64::from(agent.channel_load) << 32 | u64::from(agent.total_load),
                agent.join_seq,
            ),
            Strategy::LongestIdle => RankKey(agent.last_assigned_ms, agent.join_seq),
            Strategy::RoundRobin => RankKey(agent.join_seq, 0),
        }
    }
}
