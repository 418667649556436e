//! Free-agent lines: agents with room for one more conversation on a
//! channel, best first by strategy key. A routing class draws its free
//! agents from one or more lines.
//!
//! Lines are shared where classes allow it, so that an agent sits in as
//! few of them as can be: every class without requirements on a channel
//! draws from the channel's line, every class that needs one team only
//! from that team's line, and every class that needs one skill only (at
//! some level or above) from the lines of that skill at each level held,
//! one per exact level. Any other class has a line of its own. An agent
//! with a skill at level 4 is then in one line for it, where "level 1 or
//! above", "2 or above" and "3 or above" would each have listed it.

use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::dense::{AgentIx, ChannelIx, ClassIx, LineIx, SkillIx, TeamIx};
use crate::sorted_set::{Hint, Ranked, SortedSet};
use crate::strategy::RankKey;

/// Which agents a line holds (those of them with room, and routable).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub(crate) enum LineKey {
    /// Every routed agent with a capacity on the channel.
    Channel(ChannelIx),
    /// The team's members among them.
    Team(ChannelIx, TeamIx),
    /// Those with the skill at exactly this level.
    Skill(ChannelIx, SkillIx, u8),
    /// Those eligible for one routing class.
    Class(ClassIx),
}

/// Where a routing class finds its free agents.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) enum Draw {
    /// A line of its own.
    Own(LineIx),
    /// A line shared with other classes (of a channel, or of a team).
    Shared(LineIx),
    /// The lines of `skill` on the class's channel at `from` and above.
    Levels { skill: SkillIx, from: u8 },
}

/// An agent's entry in a free-agent line: its key's rank, its join
/// number and the agent, packed high to low in one `u128`, so that
/// entries compare in one step and take 16 bytes. Saved as its three
/// parts, which formats without 128-bit numbers can hold.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize)]
#[serde(from = "Parts", into = "Parts")]
pub(crate) struct Entry(u128);

/// An [`Entry`] as it is saved.
#[derive(Clone, Copy, Serialize, Deserialize)]
struct Parts {
    rank: u64,
    join: NonZeroU32,
    agent: AgentIx,
}

impl From<Parts> for Entry {
    fn from(parts: Parts) -> Self {
        Entry::new(
            RankKey {
                rank: parts.rank,
                join: parts.join,
            },
            parts.agent,
        )
    }
}

impl From<Entry> for Parts {
    fn from(entry: Entry) -> Self {
        let key = entry.key();
        Parts {
            rank: key.rank,
            join: key.join,
            agent: entry.agent(),
        }
    }
}

impl Entry {
    /// `agent`'s entry under `key`.
    pub(crate) fn new(key: RankKey, agent: AgentIx) -> Self {
        Entry(u128::from(key.rank) << 64 | u128::from(key.join.get()) << 32 | u128::from(agent.0))
    }

    /// The agent the entry is for.
    pub(crate) fn agent(self) -> AgentIx {
        AgentIx(self.0 as u32)
    }

    /// The key the entry is under.
    pub(crate) fn key(self) -> RankKey {
        RankKey {
            rank: (self.0 >> 64) as u64,
            // Never zero: it was packed from a `NonZeroU32`.
            join: NonZeroU32::new((self.0 >> 32) as u32).unwrap_or(NonZeroU32::MIN),
        }
    }
}

/// A line keeps its entries by rank (see [`SortedSet`]): the strategy
/// key's rank, then the join number and the agent.
impl Ranked for Entry {
    fn rank(self) -> u64 {
        (self.0 >> 64) as u64
    }

    fn rest(self) -> u64 {
        self.0 as u64
    }

    fn from_parts(rank: u64, rest: u64) -> Self {
        Entry(u128::from(rank) << 64 | u128::from(rest))
    }
}

/// An agent's place in one free-agent line: the line, and where its
/// entry's slot was last found there (see [`Hint`]). Saved and compared
/// as the line alone: the hint is a guess, checked before it is used.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(from = "LineIx", into = "LineIx")]
pub(crate) struct Membership {
    pub(crate) line: LineIx,
    pub(crate) hint: Hint,
}

impl From<LineIx> for Membership {
    fn from(line: LineIx) -> Self {
        Membership {
            line,
            hint: Hint::default(),
        }
    }
}

impl From<Membership> for LineIx {
    fn from(membership: Membership) -> Self {
        membership.line
    }
}

impl PartialEq for Membership {
    fn eq(&self, other: &Self) -> bool {
        self.line == other.line
    }
}

impl Eq for Membership {}

/// One free-agent line.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Line {
    /// Agents with room, best first, each under a key at most its current
    /// one (see `Router::sync`).
    pub(crate) free: SortedSet<Entry>,
    /// The classes that draw from this line: every agent in it is
    /// eligible for each of them, so a freed agent finds the classes it
    /// serves through its lines.
    pub(crate) classes: Vec<ClassIx>,
}

/// The lines of one skill on one channel, one per level held, and the
/// one-skill classes that draw from them, each by level.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Levels {
    /// The line of each level held, by level.
    pub(crate) lines: SmallVec<[(u8, LineIx); 6]>,
    /// Each class that needs the skill alone, with the lowest level it takes.
    pub(crate) classes: SmallVec<[(u8, ClassIx); 4]>,
}

/// How many lines making one class may add at most: one of its own, or
/// one per level of a skill.
pub(crate) const MAX_NEW_LINES_PER_CLASS: usize = 1 + u8::MAX as usize;
