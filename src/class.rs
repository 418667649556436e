//! Routing classes: conversations with the same channel, skill requirement
//! and team wait in one line and are served by the same agents.
//!
//! Each class keeps its waiting conversations in queue order (a
//! [`WaitLine`] threaded through their records) and draws its
//! free eligible agents from one or a few free-agent lines (see
//! [`crate::line`]), so an arrival looks at the heads of those lines and a
//! freed agent looks at the heads of its own classes only.

use serde::{Deserialize, Serialize};

use crate::conversation::QueueKey;
use crate::dense::{ChannelIx, ConvIx, TeamIx};
use crate::line::Draw;
use crate::skill::SkillSet;
use crate::stats::Tally;
use crate::wait_line::WaitLine;

/// What makes two conversations interchangeable for routing.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
pub(crate) struct ClassKey {
    pub(crate) channel: ChannelIx,
    pub(crate) skills: SkillSet,
    pub(crate) team: Option<TeamIx>,
}

/// One routing class.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Class {
    pub(crate) key: ClassKey,
    /// Waiting conversations, first in line first.
    pub(crate) line: WaitLine<QueueKey>,
    /// Where its free eligible agents are listed.
    pub(crate) draw: Draw,
    pub(crate) tally: Tally,
}

impl Class {
    pub(crate) fn new(key: ClassKey, draw: Draw) -> Self {
        Class {
            key,
            draw,
            line: WaitLine::default(),
            tally: Tally::default(),
        }
    }

    /// The first conversation in line.
    pub(crate) fn head(&self) -> Option<(QueueKey, ConvIx)> {
        self.line.first().map(|(key, n)| (key, ConvIx(n)))
    }
}
