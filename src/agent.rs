//! Agents: who they are, what they can take, and what they hold.

use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::dense::{ChannelIx, ConvIx, LineIx, TeamIx};
use crate::id::AgentId;
use crate::line::Membership;
use crate::skill::{SkillLevel, SkillSet};
use crate::stats::Occupancy;
use crate::strategy::RankKey;
use crate::time::Timestamp;
use crate::timer::TimerKey;

/// What a person may do in the router.
///
/// ```
/// use omnirouter::Role;
/// assert!(Role::Agent.is_routed());
/// assert!(!Role::SuperAdmin.is_routed() && !Role::ClientUser.is_routed());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
pub enum Role {
    /// Routed automatically; cannot assign conversations to anyone.
    #[default]
    Agent,
    /// Never routed automatically; can join and transfer any conversation.
    SuperAdmin,
    /// A user on the client's side: never routed automatically.
    ClientUser,
}

impl Role {
    /// Whether the router assigns conversations to this role on its own.
    pub fn is_routed(self) -> bool {
        self == Role::Agent
    }
}

/// Whether an agent can take new conversations.
///
/// ```
/// use omnirouter::Presence;
/// assert!(Presence::Available.is_routable());
/// assert!(!Presence::Busy.is_routable());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
pub enum Presence {
    /// Takes new conversations up to its capacity.
    Available,
    /// Keeps its conversations, takes no new ones.
    Away,
    /// Keeps its conversations, takes no new ones.
    Busy,
    /// Takes no new ones; keeps or gives up its conversations as
    /// [`OfflinePolicy`](crate::OfflinePolicy) says.
    #[default]
    Offline,
}

impl Presence {
    /// Whether an agent with this presence can be given new conversations.
    pub fn is_routable(self) -> bool {
        self == Presence::Available
    }
}

/// A channel an agent may serve, and how many conversations on it at once.
///
/// ```
/// use omnirouter::ChannelCapacity;
/// let sms = ChannelCapacity::new("sms", 3);
/// assert_eq!(sms.capacity, 3);
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct ChannelCapacity {
    /// The channel's name, as in the configuration.
    pub channel: String,
    /// Most conversations at once on this channel; 0 means no permission.
    pub capacity: u32,
}

impl ChannelCapacity {
    /// A channel with a capacity.
    pub fn new(channel: impl Into<String>, capacity: u32) -> Self {
        ChannelCapacity {
            channel: channel.into(),
            capacity,
        }
    }
}

/// Everything the host says about an agent: role, channels, skills, teams.
///
/// A channel that is absent, or has capacity 0, is one the agent never gets.
///
/// ```
/// use omnirouter::{AgentSpec, Role};
/// let spec = AgentSpec::agent()
///     .channel("sms", 3)
///     .channel("live_chat", 2)
///     .skill("billing", 4)
///     .team("tier2");
/// assert_eq!(spec.role, Role::Agent);
/// assert_eq!(spec.channels.len(), 2);
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentSpec {
    /// The agent's role.
    pub role: Role,
    /// Per-channel capacities; each channel at most once.
    pub channels: Vec<ChannelCapacity>,
    /// Skills with proficiency levels; each skill at most once.
    pub skills: Vec<SkillLevel>,
    /// Teams the agent belongs to; each at most once.
    pub teams: Vec<String>,
    /// An optional limit on the sum of channel costs of all open
    /// conversations ([`ChannelConfig::cost`](crate::ChannelConfig::cost)).
    /// Both limits hold at once.
    pub total_capacity: Option<u32>,
}

impl AgentSpec {
    /// An empty spec with role [`Role::Agent`].
    pub fn agent() -> Self {
        AgentSpec::default()
    }

    /// An empty spec with the given role.
    pub fn with_role(role: Role) -> Self {
        AgentSpec {
            role,
            ..AgentSpec::default()
        }
    }

    /// Adds a channel with a capacity.
    pub fn channel(mut self, channel: impl Into<String>, capacity: u32) -> Self {
        self.channels.push(ChannelCapacity::new(channel, capacity));
        self
    }

    /// Adds a skill at a level.
    pub fn skill(mut self, skill: impl Into<String>, level: u8) -> Self {
        self.skills.push(SkillLevel::new(skill, level));
        self
    }

    /// Adds a team.
    pub fn team(mut self, team: impl Into<String>) -> Self {
        self.teams.push(team.into());
        self
    }

    /// Sets a total capacity.
    pub fn total_capacity(mut self, total: u32) -> Self {
        self.total_capacity = Some(total);
        self
    }
}

/// How many free-agent lines of a channel an agent's record holds
/// inline: in the scale example's centres, 93% of agents' channels have
/// at most six (three to eight in all).
const LINES_INLINE: usize = 6;

/// An agent's state on one channel.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct AgentChannel {
    pub(crate) channel: ChannelIx,
    /// Whether the agent is listed as free in every line of `lines`, under
    /// `listed_rank` (see [`listed`](Self::listed)). Apart from the rank,
    /// so that it fits in the padding after `channel`.
    is_listed: bool,
    pub(crate) capacity: u32,
    /// Conversations held or offered here.
    pub(crate) load: u32,
    /// Slots busy with wrap-up after a conversation ended.
    pub(crate) wrapping: u32,
    listed_rank: u64,
    /// The free-agent lines of this channel the agent belongs in; the
    /// classes it is eligible for here are those that draw from them.
    /// Inline up to six, as most agents' are, so that moving an agent's
    /// entries does not first wait for a separate allocation to load.
    pub(crate) lines: SmallVec<[Membership; LINES_INLINE]>,
}

impl AgentChannel {
    /// Nothing held on `channel`, no capacity, in no line.
    pub(crate) fn empty(channel: ChannelIx) -> Self {
        AgentChannel {
            channel,
            is_listed: false,
            capacity: 0,
            load: 0,
            wrapping: 0,
            listed_rank: 0,
            lines: SmallVec::new(),
        }
    }

    /// The key under which the agent, whose join number is `join`, is
    /// listed as free in every line of [`lines`](Self::lines), or `None`.
    /// Kept lazily (see `Router::sync`): while listed, it is at most the
    /// agent's current key, and the agent may since have become full or
    /// unavailable. A key's join number is always its agent's, so only
    /// its rank is kept.
    pub(crate) fn listed(&self, join: NonZeroU32) -> Option<RankKey> {
        self.is_listed.then_some(RankKey {
            rank: self.listed_rank,
            join,
        })
    }

    /// Lists the agent under `key` (of its own join number), or nowhere.
    pub(crate) fn set_listed(&mut self, key: Option<RankKey>) {
        self.is_listed = key.is_some();
        self.listed_rank = key.map_or(0, |key| key.rank);
    }

    /// Adds line `l` to [`lines`](Self::lines).
    pub(crate) fn add_line(&mut self, l: LineIx) {
        self.lines.push(Membership::from(l));
        // Lines are added rarely (with a new class): no room to spare.
        self.lines.shrink_to_fit();
    }

    /// Whether the entry says nothing an absent one would not.
    fn is_empty(&self) -> bool {
        self.capacity == 0
            && self.load == 0
            && self.wrapping == 0
            && !self.is_listed
            && self.lines.is_empty()
    }
}

// What a change of load reads of an agent fills its record's first 64
// bytes (see `Agent`).
const _: () = assert!(std::mem::offset_of!(Agent, id) == 64);

/// An agent as the router keeps it.
///
/// Laid out in order (`repr(C)`): what a change of load reads (channels,
/// units, loads, keys, role and presence) in the first 64 bytes, then the
/// id, the inbox and the occupancy, so that a release in a large centre
/// loads fewer of the record's cache lines (cachegrind at 100k agents,
/// last level 2 MiB: 3.50 to 3.11 last-level misses per event in
/// `release`).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[repr(C)]
pub(crate) struct Agent {
    /// The channels the agent has a capacity on or holds work on, by
    /// channel index: an absent channel is one with nothing (see
    /// [`Agent::on`]).
    pub(crate) channels: Vec<AgentChannel>,
    /// Sum of channel costs of the open conversations and wrap-ups.
    pub(crate) used_units: u64,
    pub(crate) last_assigned: Timestamp,
    pub(crate) total_capacity: Option<u32>,
    /// Conversations held or offered, on every channel.
    pub(crate) total_load: u32,
    /// The order of joining: the last tie-break of every strategy.
    pub(crate) join_seq: NonZeroU32,
    /// Offers timed out in a row.
    pub(crate) missed_offers: u32,
    /// How many conversations wait for this person only (in the router's
    /// set of them): while none does, nothing looks there. Sticks at
    /// `u16::MAX` once there (then it is always looked at), so that it
    /// fits in the record's padding.
    pub(crate) awaited: u16,
    pub(crate) role: Role,
    pub(crate) presence: Presence,
    pub(crate) id: AgentId,
    /// Open conversations in the order they were assigned.
    pub(crate) inbox: SmallVec<[ConvIx; 4]>,
    pub(crate) occupancy: Occupancy,
    /// Conversations this super admin has joined.
    pub(crate) joined: SmallVec<[ConvIx; 2]>,
    pub(crate) skills: SkillSet,
    pub(crate) teams: SmallVec<[TeamIx; 2]>,
    /// Pending wrap-up timers.
    pub(crate) wrap_ups: SmallVec<[TimerKey; 2]>,
}

impl Agent {
    /// Whether the router may give this agent new conversations at all.
    pub(crate) fn is_routable(&self) -> bool {
        self.role.is_routed() && self.presence.is_routable()
    }

    /// The agent's state on `channel`, if it has a capacity or work there.
    pub(crate) fn on(&self, channel: ChannelIx) -> Option<&AgentChannel> {
        self.channels.iter().find(|c| c.channel == channel)
    }

    /// The agent's state on `channel`, added empty if absent.
    pub(crate) fn on_mut(&mut self, channel: ChannelIx) -> &mut AgentChannel {
        let at = self.place(channel);
        &mut self.channels[at]
    }

    /// Where `channel` is in [`channels`](Self::channels), added empty if absent.
    pub(crate) fn place(&mut self, channel: ChannelIx) -> usize {
        match self.channels.binary_search_by_key(&channel, |c| c.channel) {
            Ok(at) => at,
            Err(at) => {
                // One more, not double: most agents never gain a channel.
                self.channels.reserve_exact(1);
                self.channels.insert(at, AgentChannel::empty(channel));
                at
            }
        }
    }

    /// Forgets `channel` if the agent has nothing left there (as once the
    /// work it kept on a channel taken from it is done), so that the
    /// record shrinks back.
    pub(crate) fn forget_if_empty(&mut self, channel: ChannelIx) {
        if let Ok(at) = self.channels.binary_search_by_key(&channel, |c| c.channel)
            && self.channels[at].is_empty()
        {
            self.channels.remove(at);
            self.channels.shrink_to_fit();
        }
    }

    /// The agent's capacity on `channel`; 0 if it has none.
    pub(crate) fn capacity_on(&self, channel: ChannelIx) -> u32 {
        self.on(channel).map_or(0, |c| c.capacity)
    }

    /// Sets the capacity of every channel from `capacities` (indexed by
    /// channel), and forgets channels left with nothing.
    pub(crate) fn set_capacities(&mut self, capacities: &[u32]) {
        let wanted = capacities.iter().filter(|&&capacity| capacity > 0).count();
        self.channels
            .reserve_exact(wanted.saturating_sub(self.channels.len()));
        for (c, &capacity) in capacities.iter().enumerate() {
            let channel = ChannelIx(c as u16);
            if capacity > 0 {
                self.on_mut(channel).capacity = capacity;
            } else if let Ok(at) = self.channels.binary_search_by_key(&channel, |c| c.channel) {
                self.channels[at].capacity = 0;
            }
        }
        self.channels.retain(|c| !c.is_empty());
        // An update that gives fewer channels than before gives back the room.
        self.channels.shrink_to_fit();
    }

    /// Slots in use (held, offered, wrapping up) and slots staffed.
    pub(crate) fn slots(&self) -> (u32, u64) {
        let wrapping: u32 = self.channels.iter().map(|c| c.wrapping).sum();
        let staffed = self.channels.iter().map(|c| u64::from(c.capacity)).sum();
        (self.total_load + wrapping, staffed)
    }
}
