//! Events: every change of state a host can ask for.

use serde::{Deserialize, Serialize};

use crate::agent::{AgentSpec, Presence};
use crate::conversation::ConversationSpec;
use crate::id::{AgentId, ConversationId};
use crate::rules::RuleSet;
use crate::transfer::TransferTarget;

/// One thing that happened, fed to [`Router::handle`](crate::Router::handle).
///
/// Events are plain data: a host can log them and replay them to rebuild
/// the same router.
///
/// ```
/// use omnirouter::{AgentSpec, Event, Presence};
/// let event = Event::AgentAdded {
///     agent: "alice".into(),
///     spec: AgentSpec::agent().channel("sms", 3),
///     presence: Presence::Available,
/// };
/// let json = serde_json::to_string(&event).unwrap();
/// assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Event {
    /// A new agent (of any role) joins.
    AgentAdded {
        /// The new agent's id; it must not be in use.
        agent: AgentId,
        /// Role, channels, skills, teams.
        spec: AgentSpec,
        /// Presence to start with.
        presence: Presence,
    },
    /// An agent's role, channels, skills or teams change. Conversations it
    /// holds stay with it, even over a lowered capacity; a raised capacity or
    /// a new skill pulls waiting work at once.
    AgentUpdated {
        /// The agent.
        agent: AgentId,
        /// Its new spec, replacing the old one whole.
        spec: AgentSpec,
    },
    /// An agent leaves; its conversations go back to the queue at their
    /// original place in line (and straight to another agent if one is free).
    AgentRemoved {
        /// The agent.
        agent: AgentId,
    },
    /// An agent becomes available, away, busy or offline.
    PresenceChanged {
        /// The agent.
        agent: AgentId,
        /// Its new presence.
        presence: Presence,
    },
    /// A customer starts a conversation.
    ConversationArrived {
        /// The conversation's id; it must not be in use.
        conversation: ConversationId,
        /// Channel, customer, requirements and priority.
        spec: ConversationSpec,
    },
    /// A conversation is resolved, by the person holding it or by a super
    /// admin (who may resolve any open conversation, even a waiting one).
    ConversationResolved {
        /// The conversation.
        conversation: ConversationId,
        /// Who resolves it.
        by: AgentId,
        /// Disposition codes, such as "sale" or "callback"; checked against
        /// [`Config::dispositions`](crate::Config::dispositions).
        dispositions: Vec<String>,
    },
    /// Someone asks for a conversation to go elsewhere. The person holding
    /// it may send it to another agent, a team or skills; a super admin may
    /// send any open conversation to anyone, client users included. Nobody
    /// can send a conversation to themselves, and customers cannot ask for
    /// transfers: a customer's request in a message is only a message (see
    /// [`Event::CustomerMessage`]).
    TransferRequested {
        /// The conversation.
        conversation: ConversationId,
        /// Who asks.
        by: AgentId,
        /// Where to.
        to: TransferTarget,
    },
    /// A super admin joins a conversation as a participant: it uses none of
    /// their capacity and changes nothing about who holds it.
    AdminJoined {
        /// The conversation.
        conversation: ConversationId,
        /// The super admin.
        admin: AgentId,
    },
    /// A super admin leaves a conversation they joined.
    AdminLeft {
        /// The conversation.
        conversation: ConversationId,
        /// The super admin.
        admin: AgentId,
    },
    /// The customer wrote. It changes no routing: even a message asking for
    /// another agent is only a message; transfers are made by the team. If
    /// the customer was not already waiting for a reply, they are from now
    /// (and a channel's response deadline starts, if it has one).
    CustomerMessage {
        /// The conversation.
        conversation: ConversationId,
    },
    /// The agent holding a conversation, or a super admin who joined it,
    /// replied to the customer: the customer no longer waits for a reply,
    /// and the first reply sets the conversation's time to first response.
    AgentReplied {
        /// The conversation.
        conversation: ConversationId,
        /// Who replied.
        agent: AgentId,
    },
    /// The agent accepts a conversation offered to it (on a channel with
    /// [`offer_timeout`](crate::ChannelConfig::offer_timeout)).
    OfferAccepted {
        /// The conversation.
        conversation: ConversationId,
        /// The agent it is offered to.
        agent: AgentId,
    },
    /// The agent declines a conversation offered to it: its slot frees and
    /// the conversation goes to another eligible agent if one is free, or
    /// back to its place in line.
    OfferDeclined {
        /// The conversation.
        conversation: ConversationId,
        /// The agent it is offered to.
        agent: AgentId,
    },
    /// The routing rules are replaced. Conversations already open keep the
    /// requirements they were given; the new rules apply from the next
    /// arrival. Rules with unknown names are refused whole.
    RulesReplaced {
        /// The new rules.
        rules: RuleSet,
    },
    /// The live statistics start counting afresh from now
    /// (see [`Router::channel_stats`](crate::Router::channel_stats)).
    StatisticsReset,
    /// The customer left, while waiting or while assigned.
    ConversationAbandoned {
        /// The conversation.
        conversation: ConversationId,
    },
    /// Time passes: every deadline at or before `now` fires, earliest first
    /// and, at the same time, in the order they were set (see
    /// [`Router::next_deadline`](crate::Router::next_deadline)): the end of
    /// a wait for one person, offers timing out, escalation steps, wrap-ups
    /// ending, response deadlines. Deadlines fire only on ticks, so a host
    /// should tick at the next deadline. A deadline that would fall past
    /// the end of time (`u64::MAX` milliseconds) never comes.
    Tick,
}
