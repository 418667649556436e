//! Events: every change of state a host can ask for.

use serde::{Deserialize, Serialize};

use crate::agent::{AgentSpec, Presence};
use crate::conversation::ConversationSpec;
use crate::id::{AgentId, ConversationId};

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
    /// The agent holding a conversation resolves it.
    ConversationResolved {
        /// The conversation.
        conversation: ConversationId,
        /// Who resolves it: the agent holding it.
        by: AgentId,
        /// Disposition codes, such as "sale" or "callback".
        dispositions: Vec<String>,
    },
    /// The customer left, while waiting or while assigned.
    ConversationAbandoned {
        /// The conversation.
        conversation: ConversationId,
    },
    /// Time passes; nothing else happens.
    Tick,
}
