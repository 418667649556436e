//! Configuration: plain data a host loads from a file or builds in code.

use serde::{Deserialize, Serialize};

use crate::rules::RuleSet;
use crate::strategy::Strategy;
use crate::time::Millis;

/// Everything the router needs to know before the first event.
///
/// Channels, skills and teams are host-chosen names; events refer to them by
/// name, and a name that is not here is an [`Error`](crate::Error).
///
/// ```
/// use omnirouter::{Config, Router, Strategy};
/// let config = Config::new(["sms", "live_chat", "facebook"])
///     .skills(["billing", "french"])
///     .teams(["tier2"])
///     .strategy(Strategy::LongestIdle);
/// let router = Router::new(config).expect("a valid configuration");
/// assert_eq!(router.config().channels.len(), 3);
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The channels of the unified inbox, such as "sms" or "whatsapp".
    pub channels: Vec<ChannelConfig>,
    /// The skills conversations can require and agents can hold.
    pub skills: Vec<String>,
    /// The teams agents can belong to and conversations can target.
    pub teams: Vec<String>,
    /// How the router chooses among several free, eligible agents.
    pub strategy: Strategy,
    /// What happens to an agent's conversations when it goes offline.
    pub offline: OfflinePolicy,
    /// How many ended (resolved or abandoned) conversations are remembered,
    /// with their timelines, for customer history and to tell "resolved
    /// twice" from an unknown id. The oldest is forgotten first.
    pub ended_retention: usize,
    /// How many past conversations are remembered per customer (the oldest
    /// is forgotten first).
    pub history_per_customer: usize,
    /// If set, ended conversations that ended longer ago than this are
    /// forgotten (checked whenever a conversation ends, and on every tick).
    pub history_horizon: Option<Millis>,
    /// The disposition codes an agent may apply on resolve; empty means any.
    pub dispositions: Vec<String>,
    /// Whether resolving needs at least one disposition code.
    pub require_disposition: bool,
    /// How long a conversation transferred to a specific person who is busy
    /// or away waits for them, before it falls back to the line of its
    /// routing class at its original place.
    pub transfer_wait: Millis,
    /// If set, every this long of waiting counts as one more priority point,
    /// so low priorities never starve: the line is ordered by arrival time
    /// minus priority times this interval. Must not be zero.
    pub priority_aging: Option<Millis>,
    /// If set, a returning customer's conversation waits up to this long for
    /// the agent who last resolved one of theirs (when that agent is
    /// eligible but busy or away), before any eligible agent may take it.
    pub preferred_agent_wait: Option<Millis>,
    /// Routing rules that turn a conversation's labels into requirements.
    pub rules: RuleSet,
    /// If set, an agent who lets this many offers in a row time out is set
    /// [`Away`](crate::Presence::Away) (see [`ChannelConfig::offer_timeout`]).
    pub max_missed_offers: Option<u32>,
    /// What happens when a channel's
    /// [`response_deadline`](ChannelConfig::response_deadline) passes.
    pub response_overdue: OverduePolicy,
    /// A conversation answered within this long of arriving counts towards
    /// the service level of the live statistics.
    pub service_level_threshold: Millis,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            channels: Vec::new(),
            skills: Vec::new(),
            teams: Vec::new(),
            strategy: Strategy::default(),
            offline: OfflinePolicy::default(),
            ended_retention: 100_000,
            history_per_customer: 20,
            history_horizon: None,
            dispositions: Vec::new(),
            require_disposition: false,
            transfer_wait: Millis::from_secs(60),
            preferred_agent_wait: None,
            priority_aging: None,
            rules: RuleSet::default(),
            max_missed_offers: None,
            response_overdue: OverduePolicy::default(),
            service_level_threshold: Millis::from_secs(20),
        }
    }
}

impl Config {
    /// A configuration with these channels, each costing one unit, and
    /// defaults for everything else.
    pub fn new<S: Into<String>>(channels: impl IntoIterator<Item = S>) -> Self {
        Config {
            channels: channels.into_iter().map(ChannelConfig::new).collect(),
            ..Config::default()
        }
    }

    /// Replaces the skill names.
    pub fn skills<S: Into<String>>(mut self, skills: impl IntoIterator<Item = S>) -> Self {
        self.skills = skills.into_iter().map(Into::into).collect();
        self
    }

    /// Replaces the team names.
    pub fn teams<S: Into<String>>(mut self, teams: impl IntoIterator<Item = S>) -> Self {
        self.teams = teams.into_iter().map(Into::into).collect();
        self
    }

    /// Replaces the agent-selection strategy.
    pub fn strategy(mut self, strategy: Strategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Replaces the offline policy.
    pub fn offline(mut self, offline: OfflinePolicy) -> Self {
        self.offline = offline;
        self
    }

    /// Replaces the allowed disposition codes, and whether one is required.
    pub fn dispositions<S: Into<String>>(
        mut self,
        codes: impl IntoIterator<Item = S>,
        required: bool,
    ) -> Self {
        self.dispositions = codes.into_iter().map(Into::into).collect();
        self.require_disposition = required;
        self
    }

    /// Replaces the routing rules.
    pub fn rules(mut self, rules: RuleSet) -> Self {
        self.rules = rules;
        self
    }

    /// Replaces the channel of the same name, or adds it.
    ///
    /// ```
    /// use omnirouter::{ChannelConfig, Config, Millis};
    /// let config = Config::new(["sms", "voice"])
    ///     .channel(ChannelConfig::new("voice").offers(Millis::from_secs(15)).wrap_up(Millis::from_secs(30)));
    /// assert_eq!(config.channels[1].wrap_up, Millis(30_000));
    /// ```
    pub fn channel(mut self, channel: ChannelConfig) -> Self {
        match self.channels.iter_mut().find(|c| c.name == channel.name) {
            Some(slot) => *slot = channel,
            None => self.channels.push(channel),
        }
        self
    }

    /// Sets the cost of one conversation on `channel` against an agent's
    /// total capacity (see [`AgentSpec::total_capacity`](crate::AgentSpec)).
    /// Unknown channel names are left for [`Router::new`](crate::Router::new)
    /// to report, so this never fails.
    pub fn channel_cost(mut self, channel: &str, cost: u32) -> Self {
        if let Some(c) = self.channels.iter_mut().find(|c| c.name == channel) {
            c.cost = cost;
        }
        self
    }
}

/// One channel of the unified inbox.
///
/// ```
/// use omnirouter::ChannelConfig;
/// let voice = ChannelConfig::new("voice").cost(100);
/// assert_eq!(voice.name, "voice");
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelConfig {
    /// The host's name for the channel.
    pub name: String,
    /// Units of an agent's total capacity one conversation here uses, for
    /// agents that have a total (as Salesforce Omni-Channel and Azure Job
    /// Router do: total 100, voice 100, chat 20 = one call or five chats).
    #[serde(default = "one")]
    pub cost: u32,
    /// If set, the router *offers* each conversation on this channel to an
    /// agent, holding one slot, and the agent has this long to accept
    /// ([`Event::OfferAccepted`](crate::Event::OfferAccepted)) or decline;
    /// a declined or missed offer goes to the next eligible agent. Off by
    /// default: conversations are assigned outright.
    #[serde(default)]
    pub offer_timeout: Option<Millis>,
    /// How long an agent's slot stays busy after a conversation it held
    /// ends, for after-conversation work. 0 (the default) frees it at once.
    #[serde(default)]
    pub wrap_up: Millis,
    /// If set, an assigned conversation whose customer waits this long for
    /// a reply from its agent is overdue (see [`Config::response_overdue`]).
    #[serde(default)]
    pub response_deadline: Option<Millis>,
}

fn one() -> u32 {
    1
}

impl ChannelConfig {
    /// A channel with a cost of one unit.
    pub fn new(name: impl Into<String>) -> Self {
        ChannelConfig {
            name: name.into(),
            cost: 1,
            offer_timeout: None,
            wrap_up: Millis(0),
            response_deadline: None,
        }
    }

    /// Sets the cost against an agent's total capacity.
    pub fn cost(mut self, cost: u32) -> Self {
        self.cost = cost;
        self
    }

    /// Turns offers on, with this long to accept.
    pub fn offers(mut self, timeout: Millis) -> Self {
        self.offer_timeout = Some(timeout);
        self
    }

    /// Sets the wrap-up time after each conversation.
    pub fn wrap_up(mut self, wrap_up: Millis) -> Self {
        self.wrap_up = wrap_up;
        self
    }

    /// Sets a response deadline.
    pub fn response_deadline(mut self, deadline: Millis) -> Self {
        self.response_deadline = Some(deadline);
        self
    }
}

/// What happens when an agent misses a channel's response deadline.
///
/// ```
/// use omnirouter::OverduePolicy;
/// assert_eq!(OverduePolicy::default(), OverduePolicy::Notify);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub enum OverduePolicy {
    /// Only tell the host ([`Decision::ResponseOverdue`](crate::Decision::ResponseOverdue)).
    #[default]
    Notify,
    /// Tell the host and requeue the conversation at its original place,
    /// to another eligible agent if one is free.
    Requeue,
}

/// What happens to the conversations of an agent that goes offline.
///
/// Away and busy agents always keep theirs.
///
/// ```
/// use omnirouter::OfflinePolicy;
/// assert_eq!(OfflinePolicy::default(), OfflinePolicy::Requeue);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub enum OfflinePolicy {
    /// The agent keeps its conversations while offline.
    Keep,
    /// Its conversations go back to the queue at their original place in line.
    #[default]
    Requeue,
}

/// The largest capacity an agent may have on one channel, or in total.
pub const MAX_CAPACITY: u32 = 1_000_000;
/// The most channels, skills or teams a configuration may name, each.
pub const MAX_NAMES: usize = u16::MAX as usize;
