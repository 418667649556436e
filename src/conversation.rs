//! Conversations: what arrives, what waits, and who holds it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::dense::{AgentIx, ChannelIx, ClassIx};
use crate::history::TimelineEntry;
use crate::id::{AgentId, ConversationId, CustomerId};
use crate::rules::{EscalationStep, Step};
use crate::skill::SkillLevel;
use crate::time::{Millis, Timestamp};
use crate::timer::TimerKey;

/// What the host knows of a conversation when it arrives.
///
/// ```
/// use omnirouter::ConversationSpec;
/// let spec = ConversationSpec::new("whatsapp", "cust-17")
///     .skill("billing", 2)
///     .priority(5)
///     .team("tier2");
/// assert_eq!(spec.priority, 5);
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConversationSpec {
    /// The channel's name, as in the configuration.
    pub channel: String,
    /// The customer on the other side.
    pub customer: CustomerId,
    /// Skills an agent needs, each with a minimum level; each at most once.
    #[serde(default)]
    pub skills: Vec<SkillLevel>,
    /// Higher is more urgent; among equal priorities the longest wait goes first.
    #[serde(default)]
    pub priority: u32,
    /// If set, only members of this team are eligible.
    #[serde(default)]
    pub team: Option<String>,
    /// Host labels, such as `language=fr`, for the configuration's
    /// [routing rules](crate::RuleSet).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Steps that widen the requirements as the conversation waits.
    #[serde(default)]
    pub escalation: Vec<EscalationStep>,
}

impl ConversationSpec {
    /// A conversation on `channel` from `customer`, priority 0, no requirements.
    pub fn new(channel: impl Into<String>, customer: impl Into<CustomerId>) -> Self {
        ConversationSpec {
            channel: channel.into(),
            customer: customer.into(),
            skills: Vec::new(),
            priority: 0,
            team: None,
            labels: BTreeMap::new(),
            escalation: Vec::new(),
        }
    }

    /// Requires a skill at a minimum level.
    pub fn skill(mut self, skill: impl Into<String>, level: u8) -> Self {
        self.skills.push(SkillLevel::new(skill, level));
        self
    }

    /// Sets the priority.
    pub fn priority(mut self, priority: u32) -> Self {
        self.priority = priority;
        self
    }

    /// Restricts the conversation to a team.
    pub fn team(mut self, team: impl Into<String>) -> Self {
        self.team = Some(team.into());
        self
    }

    /// Adds a label for the routing rules.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// Adds an escalation step.
    pub fn escalate(mut self, step: EscalationStep) -> Self {
        self.escalation.push(step);
        self
    }
}

/// Where a conversation stands, as [`Router::conversation`](crate::Router::conversation) tells it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum ConversationState {
    /// Waiting for an agent; `ahead` conversations on the same channel go first.
    Queued {
        /// How many waiting conversations on the channel are ahead of it.
        ahead: usize,
    },
    /// Waiting for one person only: a transfer's target, or the agent who
    /// last served the customer, until `until`.
    Awaiting {
        /// The person it waits for.
        agent: AgentId,
        /// How many conversations wait for that person ahead of it.
        ahead: usize,
        /// When it stops waiting for them and joins the line.
        until: Timestamp,
    },
    /// Offered to an agent, who holds a slot for it until it accepts,
    /// declines, or `until` passes.
    Offered {
        /// The agent it is offered to.
        agent: AgentId,
        /// When the offer times out.
        until: Timestamp,
    },
    /// Held by an agent.
    Assigned {
        /// The agent holding it.
        agent: AgentId,
    },
    /// Resolved by its holder or a super admin.
    Resolved {
        /// The disposition codes applied.
        dispositions: Vec<String>,
    },
    /// The customer left.
    Abandoned,
}

/// A conversation's details, as [`Router::conversation`](crate::Router::conversation) tells them.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ConversationView<'a> {
    /// The host's id.
    pub id: &'a ConversationId,
    /// The channel's name.
    pub channel: &'a str,
    /// The customer.
    pub customer: &'a CustomerId,
    /// The priority it arrived with.
    pub priority: u32,
    /// When it arrived.
    pub arrived_at: Timestamp,
    /// Where it stands now.
    pub state: ConversationState,
    /// Super admins who joined it and have not left.
    pub participants: Vec<AgentId>,
    /// Everyone who held it, in order.
    pub agents: &'a [AgentId],
    /// Everything that happened to it.
    pub timeline: &'a [TimelineEntry],
    /// How long after arriving its agent first replied, if one has.
    pub first_response: Option<Millis>,
    /// Since when the customer has been waiting for a reply, if they are:
    /// from arrival until the first reply, then from the first customer
    /// message after each reply.
    pub awaiting_reply_since: Option<Timestamp>,
}

/// A conversation's place in line: the smallest key goes first.
///
/// Without priority aging, `rank` is `u32::MAX - priority` in the high bits:
/// higher priority first, then earlier arrival (`seq`, unique per
/// conversation, which makes the order total). With aging every `interval`
/// of waiting counts as one more priority point, so the order is by
/// `arrived - priority * interval`: `rank` is that, shifted to stay
/// positive. Both orders are fixed at arrival, so a queue never re-sorts.
///
/// The 128-bit rank is kept as two words (high first, so the derived order
/// is the number's), which keeps the key at 24 bytes with 8-byte alignment
/// where a `u128` would make it 32.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub(crate) struct QueueKey {
    rank_high: u64,
    rank_low: u64,
    seq: u64,
}

impl QueueKey {
    /// A key below every conversation's.
    pub(crate) const MIN: QueueKey = QueueKey {
        rank_high: 0,
        rank_low: 0,
        seq: 0,
    };

    pub(crate) fn new(priority: u32, arrived: Timestamp, seq: u64, aging: Option<Millis>) -> Self {
        let urgency = u128::from(u32::MAX - priority);
        let rank = match aging {
            None => urgency << 64,
            Some(interval) => u128::from(arrived.0) + urgency * u128::from(interval.0),
        };
        QueueKey {
            rank_high: (rank >> 64) as u64,
            rank_low: rank as u64,
            seq,
        }
    }
}

/// Where an open conversation is.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) enum Holder {
    /// In the line of its class.
    Queue,
    /// Waiting for one person only, until a deadline.
    Awaiting(AgentIx, Timestamp),
    /// Offered to a person, holding one of their slots, until a deadline.
    Offered(AgentIx, Timestamp),
    /// Held by a person.
    Agent(AgentIx),
}

impl Holder {
    /// The person whose slot the conversation uses, if any.
    pub(crate) fn slot(self) -> Option<AgentIx> {
        match self {
            Holder::Offered(a, _) | Holder::Agent(a) => Some(a),
            Holder::Queue | Holder::Awaiting(..) => None,
        }
    }
}

/// A conversation's pending timers, so they can be cancelled.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct ConversationTimers {
    /// The end of an await or an offer (matching `holder`).
    pub(crate) hold: Option<TimerKey>,
    /// The next escalation step.
    pub(crate) escalation: Option<TimerKey>,
    /// The response deadline.
    pub(crate) response: Option<TimerKey>,
}

/// An open conversation as the router keeps it.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Conversation {
    pub(crate) id: ConversationId,
    pub(crate) customer: CustomerId,
    pub(crate) channel: ChannelIx,
    pub(crate) class: ClassIx,
    pub(crate) priority: u32,
    pub(crate) key: QueueKey,
    pub(crate) arrived_at: Timestamp,
    /// When it last entered the queue: arrival, or being requeued.
    pub(crate) queued_at: Timestamp,
    pub(crate) holder: Holder,
    /// Everyone who held it, in order.
    /// A `Vec` rather than inline: a waiting conversation has none yet.
    pub(crate) agents: Vec<AgentId>,
    /// Super admins who joined and have not left.
    pub(crate) participants: SmallVec<[AgentIx; 1]>,
    pub(crate) timeline: Vec<TimelineEntry>,
    /// Escalation steps, and how many have been taken.
    pub(crate) escalation: Box<[Step]>,
    pub(crate) steps_taken: usize,
    pub(crate) timers: ConversationTimers,
    pub(crate) first_response: Option<Millis>,
    pub(crate) awaiting_reply_since: Option<Timestamp>,
    /// When its current holder got it (meaningful while held).
    pub(crate) assigned_at: Timestamp,
}
