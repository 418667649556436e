//! Agent selection: which of several free, eligible agents gets a conversation.

use std::num::NonZeroU32;

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
    /// Fewest open conversations on the conversation's channel, then
    /// earliest added: what an agent holds on other channels does not
    /// count.
    ///
    /// Cheaper than [`LeastLoaded`](Strategy::LeastLoaded) in a large
    /// centre: an assignment or a release on one channel changes the
    /// agent's place among the free agents of that channel only, where
    /// the total load changes it on every channel the agent has.
    ///
    /// ```
    /// use omnirouter::*;
    /// let config = Config::new(["sms", "chat"]).strategy(Strategy::LeastLoadedOnChannel);
    /// let mut router = Router::new(config).unwrap();
    /// for name in ["ann", "bob"] {
    ///     let spec = AgentSpec::agent().channel("sms", 2).channel("chat", 2);
    ///     let agent = name.into();
    ///     router.handle(Timestamp(0), Event::AgentAdded { agent, spec, presence: Presence::Available }).unwrap();
    /// }
    /// let arrive = |router: &mut Router, id: u64, channel| {
    ///     let spec = ConversationSpec::new(channel, "cust");
    ///     match &router.handle(Timestamp(id), Event::ConversationArrived { conversation: id.into(), spec }).unwrap()[0] {
    ///         Decision::Assigned { agent, .. } => agent.to_string(),
    ///         other => panic!("{other:?}"),
    ///     }
    /// };
    /// assert_eq!(arrive(&mut router, 1, "chat"), "ann");
    /// // Neither holds anything on sms: ann, added first, though she holds a chat.
    /// assert_eq!(arrive(&mut router, 2, "sms"), "ann");
    /// ```
    LeastLoadedOnChannel,
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
/// A word and the agent's join number, so that a line's entries (key and
/// agent) take 16 bytes: for least loaded the word packs the channel load
/// (high half) over the total load (low half), both `u32`; on the channel
/// alone, the load there in the high half.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub(crate) struct RankKey {
    pub(crate) rank: u64,
    /// The order of joining (see `Agent::join_seq`), the last tie-break.
    pub(crate) join: NonZeroU32,
}

/// What a strategy needs to know of an agent to rank it on one channel.
pub(crate) struct RankInput {
    pub(crate) channel_load: u32,
    pub(crate) total_load: u32,
    pub(crate) last_assigned_ms: u64,
    pub(crate) join_seq: NonZeroU32,
}

impl Strategy {
    /// The agent's key on one channel; the smallest key is picked first
    /// (for round robin, the smallest after the channel's cursor).
    pub(crate) fn rank(self, agent: &RankInput) -> RankKey {
        let rank = match self {
            Strategy::LeastLoaded => {
                u64::from(agent.channel_load) << 32 | u64::from(agent.total_load)
            }
            Strategy::LeastLoadedOnChannel => u64::from(agent.channel_load) << 32,
            Strategy::LongestIdle => agent.last_assigned_ms,
            Strategy::RoundRobin => 0,
        };
        RankKey {
            rank,
            join: agent.join_seq,
        }
    }
}
