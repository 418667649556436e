//! Ways to look: every method here takes `&self` and costs O(1), O(log n)
//! or O(what it returns), but for `channel_stats`: O(queues on the
//! channel).

use std::borrow::Cow;

use super::Router;
use crate::agent::Presence;
use crate::config::Config;
use crate::conversation::{ByChannel, ByClass, ConversationState, ConversationView, Holder};
use crate::error::Error;
use crate::history::{Outcome, PastConversation};
use crate::id::CustomerId;
use crate::id::{AgentId, ConversationId};
use crate::stats::{AgentStats, ChannelStats, QueueStats};
use crate::time::Timestamp;

/// One conversation in an agent's unified inbox.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct InboxEntry<'a> {
    /// The conversation.
    pub conversation: &'a ConversationId,
    /// Its channel's name.
    pub channel: &'a str,
    /// Whether it is only offered so far (not yet accepted).
    pub offered: bool,
    /// Since when the customer has waited for a reply, if they do.
    pub awaiting_reply_since: Option<Timestamp>,
}

/// One routing queue (a channel, a skill requirement and a team) with its
/// live statistics, as [`Router::queues`] lists them.
#[derive(Clone, PartialEq, Debug)]
pub struct QueueInfo<'a> {
    /// The channel's name.
    pub channel: &'a str,
    /// Required skills with minimum levels.
    pub skills: Vec<(&'a str, u8)>,
    /// The required team, if any.
    pub team: Option<&'a str>,
    /// What waits there now and what happened there since the last reset.
    pub stats: QueueStats,
}

impl Router {
    /// The latest time the router has seen.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The configuration the router was made with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Every agent's id, in no meaningful order.
    ///
    /// ```
    /// # use omnirouter::*;
    /// let mut router = Router::new(Config::new(["sms"])).unwrap();
    /// router.handle(Timestamp(0), Event::AgentAdded {
    ///     agent: 7_u64.into(), spec: AgentSpec::agent(), presence: Presence::Away,
    /// }).unwrap();
    /// assert_eq!(router.agents().collect::<Vec<_>>(), [&AgentId::from(7_u64)]);
    /// ```
    pub fn agents(&self) -> impl Iterator<Item = &AgentId> {
        self.agent_ids.keys()
    }

    /// Every open (waiting or assigned) conversation's id, in no meaningful order.
    pub fn open_conversations(&self) -> impl Iterator<Item = &ConversationId> {
        self.conversation_ids.keys()
    }

    /// How many conversations wait on `channel`.
    ///
    /// ```
    /// # use omnirouter::*;
    /// let router = Router::new(Config::new(["sms"])).unwrap();
    /// assert_eq!(router.queue_len("sms"), Ok(0));
    /// assert_eq!(router.queue_len("fax"), Err(Error::UnknownChannel("fax".into())));
    /// ```
    pub fn queue_len(&self, channel: &str) -> Result<usize, Error> {
        let c = self.catalog.channel(channel)?;
        Ok(self.channels[c.get()]
            .waiting
            .len(&ByChannel(&self.conversations)))
    }

    /// How many waiting conversations on its channel are ahead of
    /// `conversation`, or `None` if it is not waiting.
    pub fn position(&self, conversation: &ConversationId) -> Option<usize> {
        let c = &self.conversations[*self.conversation_ids.get(conversation)?];
        let line = &self.channels[c.channel.get()].waiting;
        (c.holder == Holder::Queue).then(|| line.rank(&ByChannel(&self.conversations), c.key))
    }

    /// How many conversations `agent` holds or is offered on `channel`
    /// (wrap-ups aside: see [`wrapping_up`](Router::wrapping_up)).
    pub fn load(&self, agent: &AgentId, channel: &str) -> Result<u32, Error> {
        let c = self.catalog.channel(channel)?;
        let a = self.agent_ix(agent)?;
        Ok(self.agents[a].on(c).map_or(0, |on| on.load))
    }

    /// `agent`'s presence.
    pub fn presence(&self, agent: &AgentId) -> Result<Presence, Error> {
        Ok(self.agents[self.agent_ix(agent)?].presence)
    }

    /// `agent`'s unified inbox: its open conversations on every channel, in
    /// the order they were assigned.
    ///
    /// ```
    /// # use omnirouter::*;
    /// let mut router = Router::new(Config::new(["sms", "facebook"])).unwrap();
    /// router.handle(Timestamp(0), Event::AgentAdded {
    ///     agent: "ann".into(),
    ///     spec: AgentSpec::agent().channel("sms", 3).channel("facebook", 4),
    ///     presence: Presence::Available,
    /// }).unwrap();
    /// for (id, channel) in [(1_u64, "facebook"), (2, "sms")] {
    ///     router.handle(Timestamp(1), Event::ConversationArrived {
    ///         conversation: id.into(), spec: ConversationSpec::new(channel, "c"),
    ///     }).unwrap();
    /// }
    /// let inbox: Vec<_> = router.inbox(&"ann".into()).unwrap().map(|e| e.channel).collect();
    /// assert_eq!(inbox, ["facebook", "sms"]);
    /// ```
    pub fn inbox(
        &self,
        agent: &AgentId,
    ) -> Result<impl ExactSizeIterator<Item = InboxEntry<'_>>, Error> {
        let a = self.agent_ix(agent)?;
        Ok(self.agents[a].inbox.iter().map(|&ci| {
            let c = &self.conversations[ci];
            InboxEntry {
                conversation: &c.id,
                channel: self.catalog.channel_name(c.channel),
                offered: matches!(c.holder, Holder::Offered(..)),
                awaiting_reply_since: c.awaiting_reply_since(),
            }
        }))
    }

    /// How many of `agent`'s slots on `channel` are busy with wrap-up.
    pub fn wrapping_up(&self, agent: &AgentId, channel: &str) -> Result<u32, Error> {
        let c = self.catalog.channel(channel)?;
        let a = self.agent_ix(agent)?;
        Ok(self.agents[a].on(c).map_or(0, |on| on.wrapping))
    }

    /// When the next deadline falls (a wait for one person ends, an offer
    /// times out, an escalation step, a wrap-up ends, a response is due),
    /// if any. Send an [`Event::Tick`](crate::Event::Tick) at that time.
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.timers.next_deadline()
    }

    /// Live statistics of `channel`: by counters kept as events happen,
    /// and the longest wait of each of the channel's routing queues
    /// (O(queues on the channel)). Like every query, it answers as of the
    /// latest event's time (send a [`Tick`](crate::Event::Tick) to bring it
    /// to now).
    ///
    /// ```
    /// # use omnirouter::*;
    /// let mut router = Router::new(Config::new(["sms"])).unwrap();
    /// router.handle(Timestamp(0), Event::ConversationArrived {
    ///     conversation: 1_u64.into(), spec: ConversationSpec::new("sms", "c"),
    /// }).unwrap();
    /// router.handle(Timestamp(30_000), Event::AgentAdded {
    ///     agent: "ann".into(), spec: AgentSpec::agent().channel("sms", 1), presence: Presence::Available,
    /// }).unwrap();
    /// let stats = router.channel_stats("sms").unwrap();
    /// assert_eq!((stats.queue.answered, stats.assigned), (1, 1));
    /// assert_eq!(stats.queue.average_wait, Some(Millis(30_000)));
    /// assert_eq!(stats.queue.service_level, Some(0.0)); // not within 20 s
    /// ```
    pub fn channel_stats(&self, channel: &str) -> Result<ChannelStats, Error> {
        let c = self.catalog.channel(channel)?;
        let line = &self.channels[c.get()];
        Ok(ChannelStats {
            queue: line.tally.report(
                self.stats_epoch,
                line.waiting.len(&ByChannel(&self.conversations)),
                (line.classes.iter())
                    .filter_map(|&k| ByClass(&self.conversations).oldest(&self.classes[k].line))
                    .min(),
                self.now,
            ),
            assigned: line.assigned,
            offered: line.offered,
        })
    }

    /// Every routing queue the router has made (one per channel, skill
    /// requirement and team that conversations arrived with), with its live
    /// statistics; O(1) per queue.
    pub fn queues(&self) -> impl Iterator<Item = QueueInfo<'_>> {
        self.class_ids.values().map(|&k| {
            let class = &self.classes[k];
            QueueInfo {
                channel: self.catalog.channel_name(class.key.channel),
                skills: class
                    .key
                    .skills
                    .iter()
                    .map(|(s, level)| (self.catalog.skill_name(s), level))
                    .collect(),
                team: class.key.team.map(|t| self.catalog.team_name(t)),
                stats: class.tally.report(
                    self.stats_epoch,
                    class.line.len(&ByClass(&self.conversations)),
                    ByClass(&self.conversations).oldest(&class.line),
                    self.now,
                ),
            }
        })
    }

    /// `agent`'s live statistics: occupancy and conversations handled since
    /// the last reset; O(channels).
    pub fn agent_stats(&self, agent: &AgentId) -> Result<AgentStats, Error> {
        let agent = &self.agents[self.agent_ix(agent)?];
        let mut occupancy = agent.occupancy;
        let (busy, staffed) = agent.slots();
        occupancy.advance(
            self.stats_epoch,
            self.stats_reset_at,
            self.now,
            agent.presence != Presence::Offline,
            busy,
            staffed,
        );
        Ok(occupancy.report())
    }

    /// `customer`'s remembered past (ended) conversations, oldest first.
    ///
    /// ```
    /// # use omnirouter::*;
    /// let mut router = Router::new(Config::new(["sms"])).unwrap();
    /// router.handle(Timestamp(0), Event::AgentAdded {
    ///     agent: "ann".into(), spec: AgentSpec::agent().channel("sms", 1), presence: Presence::Available,
    /// }).unwrap();
    /// router.handle(Timestamp(1), Event::ConversationArrived {
    ///     conversation: 1_u64.into(), spec: ConversationSpec::new("sms", "cust"),
    /// }).unwrap();
    /// router.handle(Timestamp(9), Event::ConversationResolved {
    ///     conversation: 1_u64.into(), by: "ann".into(), dispositions: vec!["sale".into()],
    /// }).unwrap();
    /// let past: Vec<_> = router.customer_history(&"cust".into()).collect();
    /// assert_eq!(past[0].agents, [AgentId::from("ann")]);
    /// assert_eq!(past[0].dispositions, ["sale"]);
    /// assert_eq!((past[0].arrived_at, past[0].ended_at), (Timestamp(1), Timestamp(9)));
    /// ```
    pub fn customer_history(
        &self,
        customer: &CustomerId,
    ) -> impl Iterator<Item = PastConversation<'_>> {
        self.history
            .customer(customer)
            .map(|(id, e)| PastConversation {
                id,
                channel: self.catalog.channel_name(e.channel),
                agents: &e.agents,
                dispositions: self.history.dispositions(e),
                arrived_at: e.arrived_at,
                ended_at: e.ended_at,
                outcome: e.outcome,
                timeline: self.history.timeline(e),
                first_response: e.first_response,
            })
    }

    /// A conversation's details and where it stands, open or remembered as
    /// ended; `None` if unknown or forgotten.
    ///
    /// ```
    /// # use omnirouter::*;
    /// let mut router = Router::new(Config::new(["sms"])).unwrap();
    /// router.handle(Timestamp(3), Event::ConversationArrived {
    ///     conversation: 1_u64.into(), spec: ConversationSpec::new("sms", "cust"),
    /// }).unwrap();
    /// let view = router.conversation(&1_u64.into()).unwrap();
    /// assert_eq!(view.state, ConversationState::Queued { ahead: 0 });
    /// let what: Vec<_> = view.timeline.iter().map(|e| &e.happening).collect();
    /// assert_eq!(what, [&Happening::Arrived, &Happening::Queued]);
    /// ```
    pub fn conversation(&self, id: &ConversationId) -> Option<ConversationView<'_>> {
        if let Some(&ci) = self.conversation_ids.get(id) {
            let c = &self.conversations[ci];
            let state = match c.holder {
                Holder::Queue => ConversationState::Queued {
                    ahead: (self.channels[c.channel.get()].waiting)
                        .rank(&ByChannel(&self.conversations), c.key),
                },
                Holder::Awaiting(p, until) => ConversationState::Awaiting {
                    agent: self.agents[p].id.clone(),
                    ahead: self.awaiting_ahead(p, c.key, ci),
                    until,
                },
                Holder::Offered(a, until) => ConversationState::Offered {
                    agent: self.agents[a].id.clone(),
                    until,
                },
                Holder::Agent(a) => ConversationState::Assigned {
                    agent: self.agents[a].id.clone(),
                },
            };
            return Some(ConversationView {
                id: &c.id,
                channel: self.catalog.channel_name(c.channel),
                customer: &c.customer,
                priority: c.priority,
                arrived_at: c.arrived_at,
                state,
                participants: c
                    .participants()
                    .iter()
                    .map(|&a| self.agents[a].id.clone())
                    .collect(),
                agents: c.agents(),
                timeline: c.timeline(),
                first_response: c.first_response(),
                awaiting_reply_since: c.awaiting_reply_since(),
            });
        }
        let (id, e) = self.history.get(id)?;
        Some(ConversationView {
            id,
            channel: self.catalog.channel_name(e.channel),
            customer: &e.customer,
            priority: e.priority,
            arrived_at: e.arrived_at,
            state: match e.outcome {
                Outcome::Resolved => ConversationState::Resolved {
                    dispositions: self.history.dispositions(e).to_vec(),
                },
                Outcome::Abandoned => ConversationState::Abandoned,
            },
            participants: Vec::new(),
            agents: &e.agents,
            timeline: Cow::Borrowed(self.history.timeline(e)),
            first_response: e.first_response,
            awaiting_reply_since: None,
        })
    }
}
