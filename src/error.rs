//! Errors: what was wrong with an event or a configuration.
//!
//! Every error leaves the router exactly as it was before the call.

use thiserror::Error;

use crate::agent::Role;
use crate::id::{AgentId, ConversationId};

/// Why the router refused a configuration, an event or a query.
///
/// ```
/// use omnirouter::{Config, Error, Event, Router, Timestamp};
/// let mut router = Router::new(Config::new(["sms"])).unwrap();
/// let err = router
///     .handle(Timestamp(0), Event::AgentRemoved { agent: "nobody".into() })
///     .unwrap_err();
/// assert_eq!(err, Error::UnknownAgent("nobody".into()));
/// assert_eq!(err.to_string(), "no agent has the id nobody");
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration or spec names a channel, skill or team twice.
    #[error("{kind} {name:?} is named more than once")]
    DuplicateName {
        /// "channel", "skill" or "team".
        kind: &'static str,
        /// The repeated name.
        name: String,
    },
    /// A configuration names a channel, skill or team with an empty string.
    #[error("a {kind} name is empty")]
    EmptyName {
        /// "channel", "skill" or "team".
        kind: &'static str,
    },
    /// A configuration names more channels, skills or teams than fit.
    #[error("the configuration names {count} {kind}s; at most {max} are allowed")]
    TooManyNames {
        /// "channel", "skill" or "team".
        kind: &'static str,
        /// How many were named.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A channel's cost is zero or over [`MAX_CAPACITY`](crate::MAX_CAPACITY).
    #[error("channel {channel:?} has cost {cost}; it must be 1 to {max}")]
    InvalidCost {
        /// The channel.
        channel: String,
        /// The cost given.
        cost: u32,
        /// The largest allowed.
        max: u32,
    },
    /// A configured interval that must be positive is zero.
    #[error("configuration field {0} must not be zero")]
    ZeroInterval(&'static str),
    /// An event names a channel the configuration does not have.
    #[error("no channel is named {0:?}")]
    UnknownChannel(String),
    /// An event names a skill the configuration does not have.
    #[error("no skill is named {0:?}")]
    UnknownSkill(String),
    /// An event names a team the configuration does not have.
    #[error("no team is named {0:?}")]
    UnknownTeam(String),
    /// A skill level of 0 was given; levels run from 1 to 255.
    #[error("skill {0:?} has level 0; levels run from 1 to 255")]
    ZeroSkillLevel(String),
    /// A capacity over [`MAX_CAPACITY`](crate::MAX_CAPACITY) was given.
    #[error("capacity {capacity} is over the limit of {max}")]
    CapacityTooLarge {
        /// The capacity given.
        capacity: u32,
        /// The limit.
        max: u32,
    },
    /// An agent id is already in use.
    #[error("an agent with the id {0} already exists")]
    DuplicateAgent(AgentId),
    /// No agent has this id.
    #[error("no agent has the id {0}")]
    UnknownAgent(AgentId),
    /// A conversation id is already in use, by an open conversation or one
    /// that ended and is still remembered.
    #[error("a conversation with the id {0} already exists")]
    DuplicateConversation(ConversationId),
    /// No conversation has this id (or it ended so long ago it is forgotten).
    #[error("no conversation has the id {0}")]
    UnknownConversation(ConversationId),
    /// The conversation was already resolved or abandoned.
    #[error("conversation {0} has already ended")]
    ConversationEnded(ConversationId),
    /// The agent does not hold the conversation it tried to act on.
    #[error("agent {agent} does not hold conversation {conversation}")]
    NotHolder {
        /// The conversation.
        conversation: ConversationId,
        /// The agent who tried.
        agent: AgentId,
    },
    /// The actor's role does not allow what it tried.
    #[error("{actor} (role {role:?}) may not {action}")]
    NotPermitted {
        /// Who tried.
        actor: AgentId,
        /// Their role.
        role: Role,
        /// What they tried.
        action: &'static str,
    },
    /// A transfer names the person asking for it as its target.
    #[error("{0} cannot transfer a conversation to themselves")]
    TransferToSelf(AgentId),
    /// A transfer names as target the person the conversation is already
    /// with or waiting for.
    #[error("conversation {conversation} is already with {agent}")]
    AlreadyWith {
        /// The conversation.
        conversation: ConversationId,
        /// The person.
        agent: AgentId,
    },
    /// A transfer's target has no permission for the conversation's channel.
    #[error("{agent} has no capacity on channel {channel:?}")]
    CannotServeChannel {
        /// The target.
        agent: AgentId,
        /// The channel.
        channel: String,
    },
    /// A super admin tried to join a conversation they already joined.
    #[error("{admin} has already joined conversation {conversation}")]
    AlreadyJoined {
        /// The conversation.
        conversation: ConversationId,
        /// The super admin.
        admin: AgentId,
    },
    /// A super admin tried to leave a conversation they have not joined.
    #[error("{admin} has not joined conversation {conversation}")]
    NotJoined {
        /// The conversation.
        conversation: ConversationId,
        /// The super admin.
        admin: AgentId,
    },
    /// A disposition code is not in the configuration's list.
    #[error("no disposition code is named {0:?}")]
    UnknownDisposition(String),
    /// The configuration requires a disposition code on resolve, and none was given.
    #[error("resolving conversation {0} needs a disposition code")]
    DispositionRequired(ConversationId),
    /// An offer event names a conversation that is not offered to that agent.
    #[error("conversation {conversation} is not offered to {agent}")]
    NoOffer {
        /// The conversation.
        conversation: ConversationId,
        /// The agent.
        agent: AgentId,
    },
    /// A routing rule (or the default route, `rule: None`) names something
    /// the configuration does not have, or is otherwise invalid.
    #[error("{}: {error}", match rule { Some(i) => format!("routing rule {i}"), None => "the default route".to_owned() })]
    InvalidRule {
        /// The rule's position in the list; `None` for the default.
        rule: Option<usize>,
        /// What is wrong with it.
        error: Box<Error>,
    },
    /// Escalation steps must come in strictly increasing `after` order.
    #[error("escalation step {step} does not come later than the step before it")]
    EscalationNotIncreasing {
        /// The step that is out of order, counting from 0.
        step: usize,
    },
    /// The router cannot index more agents, conversations, routing classes
    /// or free-agent lines.
    #[error("the router is full: no room for another {0}")]
    Full(&'static str),
}
