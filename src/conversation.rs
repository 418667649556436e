//! Conversations: what arrives, what waits, and who holds it.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::dense::{AgentIx, ChannelIx, ClassIx, ConvIx, Slab};
use crate::history::{Ending, Happening, Outcome, TimelineEntry};
use crate::id::{AgentId, ConversationId, CustomerId};
use crate::rules::{EscalationStep, Step};
use crate::skill::SkillLevel;
use crate::time::{Millis, Timestamp};
use crate::timer::TimerKey;
use crate::wait_line::{Links, NIL, Nodes, NodesMut, WaitLine};

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
    /// Everything that happened to it: borrowed, or made on asking for a
    /// conversation that has only arrived and waits (it keeps none).
    pub timeline: Cow<'a, [TimelineEntry]>,
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
///
/// A conversation that arrived and went into line, and nothing more, is
/// all most of a long line holds: it keeps only what routing reads, and
/// its [`Story`] (timeline, holders, timers) is made the first time
/// anything else happens to it, or at arrival if it has escalation steps.
/// Until then the story is what those two happenings imply, and the
/// accessors below answer from that.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Conversation {
    pub(crate) id: ConversationId,
    pub(crate) customer: CustomerId,
    pub(crate) key: QueueKey,
    pub(crate) arrived_at: Timestamp,
    pub(crate) holder: Holder,
    pub(crate) channel: ChannelIx,
    pub(crate) class: ClassIx,
    pub(crate) priority: u32,
    /// Whether it went into line when it arrived (its timeline's second
    /// entry, while it has no story).
    queued_on_arrival: bool,
    story: Option<Box<Story>>,
    /// Its places in its class's line and its channel's, while it waits.
    pub(crate) threads: Threads,
}

/// A waiting conversation's places in the two lines it waits in (see
/// [`crate::wait_line`]); stale while it does not wait.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Threads {
    in_class: Links,
    in_channel: Links,
    /// The earliest time in line in its subtree of its class's line.
    oldest_in_class: Timestamp,
}

/// The open conversations, by slot.
pub(crate) type Records = Slab<ConvIx, Conversation>;

/// The lines of routing classes, threaded through the records `S` reaches.
pub(crate) struct ByClass<S>(pub(crate) S);

/// The lines of channels, threaded through the records `S` reaches.
pub(crate) struct ByChannel<S>(pub(crate) S);

impl<S: Deref<Target = Records>> Nodes for ByClass<S> {
    type Key = QueueKey;
    fn key(&self, n: u32) -> QueueKey {
        self.0[ConvIx(n)].key
    }
    fn links(&self, n: u32) -> Links {
        self.0[ConvIx(n)].threads.in_class
    }
}

impl<S: DerefMut<Target = Records>> NodesMut for ByClass<S> {
    fn links_mut(&mut self, n: u32) -> &mut Links {
        &mut self.0[ConvIx(n)].threads.in_class
    }
    fn sum_up_more(&mut self, n: u32, children: [u32; 2]) {
        let oldest = (children.into_iter())
            .filter(|&c| c != NIL)
            .map(|c| self.0[ConvIx(c)].threads.oldest_in_class)
            .fold(self.0[ConvIx(n)].queued_at(), Timestamp::min);
        self.0[ConvIx(n)].threads.oldest_in_class = oldest;
    }
}

impl<S: Deref<Target = Records>> ByClass<S> {
    /// Since when the conversation waiting longest in `line` has waited.
    pub(crate) fn oldest(&self, line: &WaitLine<QueueKey>) -> Option<Timestamp> {
        line.root()
            .map(|n| self.0[ConvIx(n)].threads.oldest_in_class)
    }
}

impl<S: Deref<Target = Records>> Nodes for ByChannel<S> {
    type Key = QueueKey;
    fn key(&self, n: u32) -> QueueKey {
        self.0[ConvIx(n)].key
    }
    fn links(&self, n: u32) -> Links {
        self.0[ConvIx(n)].threads.in_channel
    }
}

impl<S: DerefMut<Target = Records>> NodesMut for ByChannel<S> {
    fn links_mut(&mut self, n: u32) -> &mut Links {
        &mut self.0[ConvIx(n)].threads.in_channel
    }
}

/// The stories of ended conversations, kept to be used again, so that
/// the conversations held next make theirs, and their timelines' vectors,
/// without an allocation: in steady state a conversation ends for each
/// one held. At most [`SpareStories::MOST`] are kept. No comparison sees
/// them and no snapshot saves them.
#[derive(Clone, Debug, Default)]
#[expect(
    clippy::vec_box,
    reason = "the boxes are the memory kept: a conversation's story is boxed"
)]
pub(crate) struct SpareStories(Vec<Box<Story>>);

impl SpareStories {
    /// The most stories kept.
    const MOST: usize = 32;

    /// The most entries a timeline's vector kept has room for: a longer
    /// one is freed, and the story kept with a new one.
    const MOST_ENTRIES: usize = 16;

    /// Keeps `story`'s memory, its timeline's vector with it, if there is
    /// room.
    pub(crate) fn keep(&mut self, mut story: Box<Story>, mut timeline: Vec<TimelineEntry>) {
        if self.0.len() < Self::MOST {
            if timeline.capacity() > Self::MOST_ENTRIES {
                timeline = Vec::with_capacity(4);
            }
            timeline.clear();
            story.timeline = timeline;
            self.0.push(story);
        }
    }
}

/// Spare memory changes nothing a router does.
impl PartialEq for SpareStories {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for SpareStories {}

/// Everything about an open conversation beyond arriving and waiting.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Story {
    /// When it last entered the queue: arrival, or being requeued.
    pub(crate) queued_at: Timestamp,
    /// Everyone who held it, in order: two inline, as most conversations
    /// have at most, so that holding one allocates nothing and the
    /// history keeps them as they are.
    pub(crate) agents: SmallVec<[AgentId; 2]>,
    /// Super admins who joined and have not left.
    pub(crate) participants: SmallVec<[AgentIx; 1]>,
    pub(crate) timeline: Vec<TimelineEntry>,
    /// Escalation steps, and how many have been taken.
    pub(crate) escalation: Box<[Step]>,
    pub(crate) steps_taken: usize,
    pub(crate) timers: ConversationTimers,
    pub(crate) first_response: Option<Millis>,
    pub(crate) awaiting_reply_since: Option<Timestamp>,
}

impl Conversation {
    /// A conversation arriving now, at `arrived_at`, with no holder yet
    /// (the caller queues or assigns it at once).
    pub(crate) fn new(
        id: ConversationId,
        customer: CustomerId,
        (channel, class): (ChannelIx, ClassIx),
        (priority, key): (u32, QueueKey),
        arrived_at: Timestamp,
        escalation: Vec<Step>,
    ) -> Self {
        let mut conversation = Conversation {
            id,
            customer,
            key,
            arrived_at,
            holder: Holder::Queue,
            channel,
            class,
            priority,
            queued_on_arrival: false,
            story: None,
            threads: Threads::default(),
        };
        if !escalation.is_empty() {
            conversation.story_mut().escalation = escalation.into_boxed_slice();
        }
        conversation
    }

    /// Its story, made now from what it implies if it has none yet.
    pub(crate) fn story_mut(&mut self) -> &mut Story {
        self.story_in(None)
    }

    /// Its story, made now if it has none yet, in the memory of a spare
    /// one if there is one.
    pub(crate) fn story_from(&mut self, spare: &mut SpareStories) -> &mut Story {
        let memory = if self.story.is_none() {
            spare.0.pop()
        } else {
            None
        };
        self.story_in(memory)
    }

    /// Its story, made now from what it implies if it has none yet, in
    /// `memory` if given: the box and its timeline's vector.
    fn story_in(&mut self, memory: Option<Box<Story>>) -> &mut Story {
        let (arrived_at, queued) = (self.arrived_at, self.queued_on_arrival);
        self.queued_on_arrival = false;
        self.story.get_or_insert_with(|| {
            let begun = |mut timeline: Vec<TimelineEntry>| {
                timeline.clear();
                timeline.extend(implied_timeline(arrived_at, queued));
                Story {
                    queued_at: arrived_at,
                    agents: SmallVec::new(),
                    participants: SmallVec::new(),
                    timeline,
                    escalation: Box::default(),
                    steps_taken: 0,
                    timers: ConversationTimers::default(),
                    first_response: None,
                    awaiting_reply_since: Some(arrived_at),
                }
            };
            match memory {
                Some(mut story) => {
                    *story = begun(std::mem::take(&mut story.timeline));
                    story
                }
                None => Box::new(begun(Vec::with_capacity(4))),
            }
        })
    }

    /// Its id and what the history keeps of it, as it ends, and its story,
    /// whose memory a [`SpareStories`] may keep.
    pub(crate) fn into_ending(mut self, outcome: Outcome) -> (ConversationId, Ending, Box<Story>) {
        self.story_mut();
        let mut story = self.story.expect("story_mut made it");
        let ending = Ending {
            channel: self.channel,
            customer: self.customer,
            priority: self.priority,
            arrived_at: self.arrived_at,
            agents: std::mem::take(&mut story.agents),
            outcome,
            timeline: std::mem::take(&mut story.timeline),
            first_response: story.first_response,
        };
        (self.id, ending, story)
    }

    /// Adds a line to its timeline; a story it makes for it takes a spare one's
    /// memory.
    pub(crate) fn note(&mut self, entry: TimelineEntry, spare: &mut SpareStories) {
        let implied = self.story.is_none()
            && !self.queued_on_arrival
            && entry.at == self.arrived_at
            && entry.actor.is_none()
            && entry.happening == Happening::Queued;
        if implied {
            self.queued_on_arrival = true;
        } else {
            self.story_from(spare).timeline.push(entry);
        }
    }

    /// Everything that happened to it.
    pub(crate) fn timeline(&self) -> Cow<'_, [TimelineEntry]> {
        match &self.story {
            Some(story) => Cow::Borrowed(&story.timeline),
            None => Cow::Owned(implied_timeline(self.arrived_at, self.queued_on_arrival).collect()),
        }
    }

    /// When it last entered the queue: arrival, or being requeued.
    pub(crate) fn queued_at(&self) -> Timestamp {
        self.story.as_ref().map_or(self.arrived_at, |s| s.queued_at)
    }

    /// Everyone who held it, in order.
    pub(crate) fn agents(&self) -> &[AgentId] {
        self.story.as_ref().map_or(&[], |s| &s.agents)
    }

    /// Super admins who joined and have not left.
    pub(crate) fn participants(&self) -> &[AgentIx] {
        self.story.as_ref().map_or(&[], |s| &s.participants)
    }

    /// Its pending timers.
    pub(crate) fn timers(&self) -> ConversationTimers {
        self.story.as_ref().map(|s| s.timers).unwrap_or_default()
    }

    /// Its pending timers, to take one (a conversation with no story has
    /// none; setting one goes through [`story_mut`](Self::story_mut)).
    pub(crate) fn timers_mut(&mut self) -> Option<&mut ConversationTimers> {
        self.story.as_deref_mut().map(|s| &mut s.timers)
    }

    /// The escalation step it takes next, if any, and its number.
    pub(crate) fn next_step(&self) -> Option<(usize, &Step)> {
        let story = self.story.as_ref()?;
        let n = story.steps_taken;
        story.escalation.get(n).map(|step| (n, step))
    }

    /// How long after arriving its agent first replied, if one has.
    pub(crate) fn first_response(&self) -> Option<Millis> {
        self.story.as_ref().and_then(|s| s.first_response)
    }

    /// Since when the customer has been waiting for a reply, if they are.
    pub(crate) fn awaiting_reply_since(&self) -> Option<Timestamp> {
        self.story
            .as_ref()
            .map_or(Some(self.arrived_at), |s| s.awaiting_reply_since)
    }
}

/// The timeline of a conversation with no story: it arrived, and perhaps
/// went into line, both at `at`.
fn implied_timeline(at: Timestamp, queued: bool) -> impl Iterator<Item = TimelineEntry> {
    let entry = move |happening| TimelineEntry {
        at,
        actor: None,
        happening,
    };
    std::iter::once(entry(Happening::Arrived)).chain(queued.then(|| entry(Happening::Queued)))
}
