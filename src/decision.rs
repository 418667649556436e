//! Decisions: what the host must carry out after an event.

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::agent::Presence;
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
    /// `conversation` was taken from `from` (removed, gone offline, or
    /// overdue under [`OverduePolicy::Requeue`](crate::OverduePolicy::Requeue))
    /// and goes back to its original place in line. An `Assigned` or `Queued`
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
    /// The customer left `conversation`; if it was assigned or offered,
    /// `agent`'s slot is free (or in wrap-up, see [`Decision::WrapUp`]).
    Abandoned {
        /// The conversation.
        conversation: ConversationId,
        /// The agent who held it, or to whom it was offered, if any.
        agent: Option<AgentId>,
    },
    /// Offer `conversation` to `agent`, who holds a slot for it until it
    /// accepts ([`Event::OfferAccepted`](crate::Event::OfferAccepted)),
    /// declines, or `until` passes.
    Offered {
        /// The conversation.
        conversation: ConversationId,
        /// The agent.
        agent: AgentId,
        /// When the offer times out.
        until: Timestamp,
    },
    /// The offer of `conversation` to `agent` was declined or timed out;
    /// the agent's slot is free. An `Offered`, `Assigned` or `Queued`
    /// decision for it follows.
    OfferEnded {
        /// The conversation.
        conversation: ConversationId,
        /// The agent.
        agent: AgentId,
        /// Whether the agent declined (`true`) or let it time out.
        declined: bool,
    },
    /// The router set `agent`'s presence (it missed too many offers in a
    /// row: see [`Config::max_missed_offers`](crate::Config::max_missed_offers)).
    PresenceChanged {
        /// The agent.
        agent: AgentId,
        /// Its new presence.
        presence: Presence,
    },
    /// `conversation` took escalation step `step` (counting from 0): its
    /// requirements are now that step's. An `Assigned` or `Offered`
    /// decision follows if someone newly eligible was free.
    Escalated {
        /// The conversation.
        conversation: ConversationId,
        /// Which step, counting from 0.
        step: usize,
    },
    /// `agent` wraps up after a conversation on `channel`: the slot stays
    /// busy until `until`.
    WrapUp {
        /// The agent.
        agent: AgentId,
        /// The channel's name.
        channel: String,
        /// When the wrap-up ends.
        until: Timestamp,
    },
    /// `agent`'s wrap-up on `channel` is over; the slot is free.
    WrapUpEnded {
        /// The agent.
        agent: AgentId,
        /// The channel's name.
        channel: String,
    },
    /// The customer of `conversation` has waited since `since` for a reply
    /// from `agent`, longer than the channel's response deadline. Under
    /// [`OverduePolicy::Requeue`](crate::OverduePolicy::Requeue) a
    /// `Requeued` decision for it follows.
    ResponseOverdue {
        /// The conversation.
        conversation: ConversationId,
        /// The agent holding it.
        agent: AgentId,
        /// Since when the customer has waited for a reply.
        since: Timestamp,
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
