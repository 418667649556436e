//! The [`Router`]: one state machine, one way in.

mod engine;
mod handlers;
mod offers;
mod queries;
mod snapshot;
mod timers;
mod transfers;

use std::collections::BTreeSet;
use std::num::NonZeroU32;

use serde::{Deserialize, Serialize};

use crate::agent::Agent;
use crate::agent_set::AgentSet;
use crate::catalog::Catalog;
use crate::class::{Class, ClassKey};
use crate::config::Config;
use crate::conversation::{Conversation, QueueKey, SpareStories};
use crate::decision::Decisions;
use crate::dense::{AgentIx, ChannelIx, ClassIx, ConvIx, LineIx, SkillIx, Slab};
use crate::error::Error;
use crate::event::Event;
use crate::hash::{FxHashMap, FxIndexMap};
use crate::history::History;
use crate::id::{AgentId, ConversationId};
use crate::line::{Levels, Line, LineKey};
use crate::rules::Rules;
use crate::stats::Tally;
use crate::strategy::RankKey;
use crate::time::Timestamp;
use crate::timer::Timers;
use crate::wait_line::WaitLine;

pub use queries::{InboxEntry, QueueInfo};

/// Decides which agent handles which conversation.
///
/// The router does no I/O and reads no clock. The host feeds it
/// [`Event`]s with the current time through [`handle`](Router::handle) and
/// carries out the [`Decisions`] it returns.
///
/// # Methods
///
/// - **Change**: [`handle`](Router::handle) is the only method that changes
///   state. An event that returns `Err` changes nothing.
/// - **Look**: [`conversation`](Router::conversation),
///   [`customer_history`](Router::customer_history),
///   [`next_deadline`](Router::next_deadline),
///   [`inbox`](Router::inbox), [`load`](Router::load),
///   [`queue_len`](Router::queue_len), [`position`](Router::position),
///   [`presence`](Router::presence), [`agents`](Router::agents),
///   [`now`](Router::now), [`config`](Router::config).
/// - **Save**: the router is `Serialize + Deserialize`; a restored router
///   makes the same decisions as the original. A snapshot is the state and
///   its seal, a fixed hash of the state: one changed after it was saved
///   fails to restore, with an error that says so. The seal catches
///   accidents, not forgery: a restored state is not checked as events
///   are, so restore only what a router saved.
///
/// ```
/// use omnirouter::{Config, Router};
///
/// let router = Router::new(Config::new(["sms"])).unwrap();
/// let json = serde_json::to_string(&router).unwrap();
/// assert_eq!(serde_json::from_str::<Router>(&json).unwrap(), router);
///
/// let edited = json.replace(r#""now":0"#, r#""now":1"#);
/// let error = serde_json::from_str::<Router>(&edited).unwrap_err();
/// assert!(error.to_string().starts_with("the snapshot was changed after it was saved"));
/// ```
///
/// # How it routes
///
/// - A conversation that arrives goes at once to the best free eligible
///   agent by the configured [`Strategy`](crate::Strategy), or else waits.
///   Eligible: role [`Agent`](crate::Role::Agent), presence
///   [`Available`](crate::Presence::Available), capacity above its load on
///   the channel (and the channel's cost within its total capacity, if it
///   has one), every required skill at the required level, and membership
///   of the conversation's team, if it names one.
/// - The line is ordered by priority (higher first), then arrival (earlier
///   first). A requeued conversation keeps its original place.
/// - Whenever an agent may have gained room (it was added or updated, became
///   available, or a conversation it held was resolved or abandoned), it
///   takes the first conversation in line among those it is eligible for,
///   one per free slot, across all its channels, in the same `handle` call.
/// - Conversations taken from an agent (removed, or offline under
///   [`OfflinePolicy::Requeue`](crate::OfflinePolicy::Requeue)) are put back
///   in line order, each one going straight to a free eligible agent if there
///   is one.
///
/// # Time
///
/// Time never goes backwards inside the router: an event stamped earlier
/// than the latest one seen is taken as happening at that latest time.
///
/// ```
/// use omnirouter::{AgentSpec, Config, ConversationSpec, Decision, Event, Presence, Router, Timestamp};
///
/// let mut router = Router::new(Config::new(["sms"])).unwrap();
/// router.handle(Timestamp(0), Event::AgentAdded {
///     agent: "ann".into(),
///     spec: AgentSpec::agent().channel("sms", 1),
///     presence: Presence::Available,
/// }).unwrap();
/// let decisions = router.handle(Timestamp(10), Event::ConversationArrived {
///     conversation: 1_u64.into(),
///     spec: ConversationSpec::new("sms", "cust-1"),
/// }).unwrap();
/// assert!(matches!(&decisions[0], Decision::Assigned { agent, .. } if *agent == "ann".into()));
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
// The derived functions save and restore the state; the router's own
// `Serialize` and `Deserialize` (in `snapshot`) add the seal.
#[serde(remote = "Self")]
pub struct Router {
    config: Config,
    catalog: Catalog,
    now: Timestamp,

    agents: Slab<AgentIx, Agent>,
    #[serde(with = "crate::hash::sorted_pairs")]
    agent_ids: FxHashMap<AgentId, AgentIx>,
    /// The order of joining, the last tie-break of every strategy.
    next_join_seq: NonZeroU32,

    conversations: Slab<ConvIx, Conversation>,
    #[serde(with = "crate::hash::sorted_pairs")]
    conversation_ids: FxHashMap<ConversationId, ConvIx>,
    /// The order of arrival, the last tie-break of the line.
    next_arrival_seq: u64,

    classes: Slab<ClassIx, Class>,
    #[serde(with = "crate::hash::as_pairs")]
    class_ids: FxIndexMap<ClassKey, ClassIx>,

    /// Free-agent lines, which classes draw from.
    lines: Slab<LineIx, Line>,
    #[serde(with = "crate::hash::as_pairs")]
    line_ids: FxIndexMap<LineKey, LineIx>,
    /// The per-level lines of each skill that a one-skill class on the
    /// channel draws from, by level (see [`crate::line`]).
    #[serde(with = "crate::hash::as_pairs")]
    skill_levels: FxIndexMap<(ChannelIx, SkillIx), Levels>,

    /// Indexed by channel.
    channels: Vec<ChannelLine>,
    /// Routed agents by skill and by team: where a new class finds its members.
    skill_members: Vec<AgentSet>,
    team_members: Vec<AgentSet>,

    /// Conversations waiting for one person only, by person, then first
    /// in line first.
    awaiting: BTreeSet<(AgentIx, QueueKey, ConvIx)>,

    /// The configuration's routing rules, checked.
    rules: Rules,
    /// Ended conversations and customers' past conversations.
    history: History,
    /// Deadlines: awaits, offers, escalation steps, wrap-ups, responses.
    timers: Timers,
    /// Live statistics count from the last reset, number `stats_epoch`.
    stats_epoch: u64,
    stats_reset_at: Timestamp,
    /// Memory for the stories of conversations to come, not saved.
    #[serde(skip)]
    spare_stories: SpareStories,
}

/// The router's state for one channel.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
struct ChannelLine {
    /// The routing classes on this channel.
    classes: Vec<ClassIx>,
    /// Those of them with a free-agent line of their own, and that line:
    /// an agent added or updated looks among them for the lines it
    /// belongs in.
    own_lines: Vec<(ClassIx, LineIx)>,
    /// Every waiting conversation on this channel, for positions in line.
    waiting: WaitLine<QueueKey>,
    /// Routed agents with a capacity on this channel.
    members: AgentSet,
    /// Round robin: the key of the agent that got the last conversation.
    cursor: Option<RankKey>,
    /// Conversations held and offered now.
    assigned: usize,
    offered: usize,
    tally: Tally,
}

impl Router {
    /// A router with no agents and no conversations.
    ///
    /// Fails if the configuration repeats or leaves empty a name, or gives a
    /// channel a cost of 0.
    ///
    /// ```
    /// use omnirouter::{Config, Error, Router};
    /// assert!(Router::new(Config::new(["sms", "voice"])).is_ok());
    /// assert!(matches!(
    ///     Router::new(Config::new(["sms", "sms"])),
    ///     Err(Error::DuplicateName { kind: "channel", .. })
    /// ));
    /// ```
    pub fn new(config: Config) -> Result<Router, Error> {
        let catalog = Catalog::new(&config)?;
        let rules = Rules::parse(&catalog, &config.rules)?;
        Ok(Router {
            rules,
            channels: vec![ChannelLine::default(); catalog.channel_count()],
            skill_members: vec![AgentSet::default(); catalog.skill_count()],
            team_members: vec![AgentSet::default(); catalog.team_count()],
            catalog,
            config,
            now: Timestamp(0),
            agents: Slab::default(),
            agent_ids: FxHashMap::default(),
            next_join_seq: NonZeroU32::MIN,
            conversations: Slab::default(),
            conversation_ids: FxHashMap::default(),
            next_arrival_seq: 0,
            classes: Slab::default(),
            class_ids: FxIndexMap::default(),
            lines: Slab::default(),
            line_ids: FxIndexMap::default(),
            skill_levels: FxIndexMap::default(),
            awaiting: BTreeSet::new(),
            history: History::default(),
            timers: Timers::default(),
            stats_epoch: 0,
            stats_reset_at: Timestamp(0),
            spare_stories: SpareStories::default(),
        })
    }

    /// Applies one event at time `now` and returns what the host must do.
    ///
    /// On `Err` nothing has changed: the event is checked whole before any
    /// state is touched. See [`Event`] for what each event does.
    pub fn handle(&mut self, now: Timestamp, event: Event) -> Result<Decisions, Error> {
        let previous = self.now;
        self.now = now.max(previous);
        let mut out = Decisions::default();
        let result = match event {
            Event::AgentAdded {
                agent,
                spec,
                presence,
            } => self.add_agent(agent, &spec, presence, &mut out),
            Event::AgentUpdated { agent, spec } => self.update_agent(&agent, &spec, &mut out),
            Event::AgentRemoved { agent } => self.remove_agent(&agent, &mut out),
            Event::PresenceChanged { agent, presence } => {
                self.change_presence(&agent, presence, &mut out)
            }
            Event::ConversationArrived { conversation, spec } => {
                self.arrive(conversation, &spec, &mut out)
            }
            Event::ConversationResolved {
                conversation,
                by,
                dispositions,
            } => self.resolve(&conversation, &by, dispositions, &mut out),
            Event::ConversationAbandoned { conversation } => self.abandon(&conversation, &mut out),
            Event::TransferRequested {
                conversation,
                by,
                to,
            } => self.transfer(&conversation, &by, to, &mut out),
            Event::AdminJoined {
                conversation,
                admin,
            } => self.join(&conversation, &admin, &mut out),
            Event::AdminLeft {
                conversation,
                admin,
            } => self.leave(&conversation, &admin, &mut out),
            Event::CustomerMessage { conversation } => self.customer_message(&conversation),
            Event::AgentReplied {
                conversation,
                agent,
            } => self.agent_replied(&conversation, &agent),
            Event::OfferAccepted {
                conversation,
                agent,
            } => self.accept_offer(&conversation, &agent, &mut out),
            Event::OfferDeclined {
                conversation,
                agent,
            } => self.decline_offer(&conversation, &agent, &mut out),
            Event::RulesReplaced { rules } => self.replace_rules(rules),
            Event::StatisticsReset => {
                self.stats_epoch += 1;
                self.stats_reset_at = self.now;
                Ok(())
            }
            Event::Tick => {
                self.fire_timers(&mut out);
                self.history
                    .forget_older_than_horizon(self.now, &self.config);
                Ok(())
            }
        };
        match result {
            Ok(()) => Ok(out),
            Err(error) => {
                // Handlers check everything before they change anything;
                // only the clock moved.
                self.now = previous;
                Err(error)
            }
        }
    }
}

#[cfg(test)]
mod tests;
