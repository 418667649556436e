//! Decisions: what the host must carry out after an event.

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::id::{AgentId, ConversationId};
use crate::time::{Millis, Timestamp};

/// One thing the host must do to keep its inbox in step with the router.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Decision {
    /// Give `conversation` to `agent` (notify the agent, show it in its inbox).
    Assigned {
        /// The conversation.
        conversation: ConversationId,
        /// The agent who now holds it.
        agent: AgentId,
        /// How long it waited since it last entered the queue.
        waited: Millis,
    },
    /// No eligible agent has room: `conversation` waits, with `ahead`
    /// conversations on its channel in front of it.
    Queued {
        /// The conversation.
        conversation: ConversationId,
        /// How many waiting conversations on the channel are ahead of it.
        ahead: usize,
    },
    /// `conversation` was taken from `from` (removed, or gone offline) and
    /// goes back to its original place in line. An `Assigned` or `Queued`
    /// decision for it follows.
    Requeued {
        /// The conversation.
        conversation: ConversationId,
        /// The agent who held it.
        from: AgentId,
    },
    /// `conversation` is resolved; its holder's slot, if it had one, is free.
    Resolved {
        /// The conversation.
        conversation: ConversationId,
        /// Who resolved it.
        by: AgentId,
        /// Who held it, if anyone.
        holder: Option<AgentId>,
    },
    /// `conversation` leaves where it was (its holder's slot is free) by a
    /// transfer. An `Assigned`, `Awaiting` or `Queued` decision for it follows.
    Transferred {
        /// The conversation.
        conversation: ConversationId,
        /// Who held it, if anyone.
        from: Option<AgentId>,
        /// Who asked for the transfer.
        by: AgentId,
    },
    /// `conversation` waits for `agent` only (a transfer's target who is
    /// busy or away, or the customer's previous agent) until `until`.
    Awaiting {
        /// The conversation.
        conversation: ConversationId,
        /// The person it waits for.
        agent: AgentId,
        /// How many conversations wait for that person ahead of it.
        ahead: usize,
        /// When it stops waiting for them.
        until: Timestamp,
    },
    /// `conversation` no longer waits for `agent` (time ran out, or they
    /// were removed). An `Assigned` or `Queued` decision for it follows.
    AwaitEnded {
        /// The conversation.
        conversation: ConversationId,
        /// The person it waited for.
        agent: AgentId,
    },
    /// A super admin joined `conversation`.
    Joined {
        /// The conversation.
        conversation: ConversationId,
        /// The super admin.
        admin: AgentId,
    },
    /// A super admin left `conversation` (or was removed).
    Left {
        /// The conversation.
        conversation: ConversationId,
        /// The super admin.
        admin: AgentId,
    },
    /// The customer left `conversation`; if it was assigned, `agent`'s slot is free.
    Abandoned {
        /// The conversation.
        conversation: ConversationId,
        /// The agent who held it, if any.
        agent: Option<AgentId>,
    },
}

/// The decisions of one event, in the order the host should apply them.
///
/// Most events make one to three, which fit without allocating.
///
/// ```
/// use omnirouter::Decisions;
/// let none = Decisions::default();
/// assert!(none.is_empty());
/// assert_eq!(none.iter().count(), 0);
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Decisions(SmallVec<[Decision; 3]>);

impl Decisions {
    pub(crate) fn push(&mut self, decision: Decision) {
        self.0.push(decision);
    }

    /// The decisions as a slice.
    pub fn as_slice(&self) -> &[Decision] {
        &self.0
    }
}

impl std::ops::Deref for Decisions {
    type Target = [Decision];
    fn deref(&self) -> &[Decision] {
        &self.0
    }
}

impl IntoIterator for Decisions {
    type Item = Decision;
    type IntoIter = smallvec::IntoIter<[Decision; 3]>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Decisions {
    type Item = &'a Decision;
    type IntoIter = std::slice::Iter<'a, Decision>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}
