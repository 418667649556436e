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

use std::collections::BTreeSet;
use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::dense::{AgentIx, ChannelIx, ClassIx, LineIx, SkillIx, TeamIx};
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

/// An agent's entry in a free-agent line: its key, then the agent, in
/// 16 bytes (a `(RankKey, AgentIx)` pair would take 24).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize, Deserialize)]
pub(crate) struct Entry {
    rank: u64,
    join: NonZeroU32,
    pub(crate) agent: AgentIx,
}

impl Entry {
    /// `agent`'s entry under `key`.
    pub(crate) fn new(key: RankKey, agent: AgentIx) -> Self {
        Entry {
            rank: key.rank,
            join: key.join,
            agent,
        }
    }

    /// The key the entry is under.
    pub(crate) fn key(self) -> RankKey {
        RankKey {
            rank: self.rank,
            join: self.join,
        }
    }
}

/// One free-agent line.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Line {
    /// Agents with room, best first, each under a key at most its current
    /// one (see `Router::sync`).
    pub(crate) free: BTreeSet<Entry>,
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
