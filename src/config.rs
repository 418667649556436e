//! Configuration: plain data a host loads from a file or builds in code.

use serde::{Deserialize, Serialize};

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
/// let voice = ChannelConfig { cost: 100, ..ChannelConfig::new("voice") };
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
        }
    }
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
