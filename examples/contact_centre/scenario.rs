//! Scenario files: what a planner describes, read from JSON and checked.
//!
//! A scenario is a JSON object. serde_json parses the text; the fields are
//! then read one by one so that every error names its path, such as
//! `agent_groups[1].capacities.sms: must be a whole number 1..=1000, got 0`.
//!
//! Every field, with its default in brackets where it may be left out (the
//! comments are for this page only: JSON has none):
//!
//! ```json
//! {
//!   "hours": 12,                  // required: arrivals come for this many hours, 1..=10000;
//!                                 // shifts happen once, so a long run is one long day
//!   "opens": "08:00",             // clock time of hour 0, for the table and picture ("00:00")
//!   "warm_up_minutes": 60,        // arrivals before this are not counted in the KPIs (60)
//!   "service_level_secs": 20,     // answered within this long counts as in service level (20)
//!   "seed": 2026,                 // the random seed (1); --seed overrides it
//!   "strategy": "least_loaded",   // or "least_loaded_on_channel", "longest_idle",
//!                                 // "round_robin" ("least_loaded")
//!   "channels": [                 // required, at least one
//!     {
//!       "name": "sms",                    // required, unique
//!       "arrivals_per_hour": 400,         // required: a Poisson rate, or a list of
//!                                         // rates, one per hour, repeating
//!       "handle_time": {                  // required
//!         "distribution": "log_normal",   // required: "exponential" or "log_normal"
//!         "mean_secs": 540,               // required, > 0
//!         "cv": 0.8                       // log_normal only: sd / mean (1.0)
//!       },
//!       "patience_secs": 360              // mean (exponential) time a waiting customer
//!                                         // stays before abandoning; absent: never
//!     }
//!   ],
//!   "agent_groups": [             // required, at least one
//!     {
//!       "name": "messaging",      // required, unique; agents are messaging-001, ...
//!       "count": 16,              // required, 1..=10000
//!       "capacities": { "sms": 3 },  // required: conversations at once per channel, 1..=1000
//!       "skills": { "billing": 3 },  // skill levels 1..=255 ({})
//!       "teams": ["specialists"], // teams the agents belong to ([])
//!       "shift_start_hour": 0,    // hours after opening (0)
//!       "shift_end_hour": 8,      // hours after opening (hours); a shift that ends at
//!                                 // closing works on until the line is empty
//!       "break_minutes": 20       // one break per agent, placed at random in the
//!                                 // middle half of the shift (none)
//!     }
//!   ],
//!   "skill_mix": [                // shares of arrivals that need a skill ([])
//!     { "skill": "billing", "level": 2, "share": 0.06 }
//!   ],
//!   "priority_mix": [             // shares of arrivals with a priority; the rest get 0 ([])
//!     { "priority": 5, "share": 0.02 }
//!   ],
//!   "transfers": {                // halfway through, agents transfer this share of the
//!     "team": "specialists",      // conversations they answer, on channels the team
//!     "share": 0.03               // serves, to that team (none)
//!   },
//!   "supervisors": {              // super admins who join this share of answered
//!     "count": 2,                 // conversations for stay_secs, or until they end (none)
//!     "join_share": 0.01,
//!     "stay_secs": 120
//!   }
//! }
//! ```
//!
//! Shares in each mix add up to at most 1; the skill mix applies to every
//! channel alike. Every channel must be served by some group, and every
//! skill need of the mix on every channel by some group (at some hour).

use std::fmt;

use omnirouter::Strategy;
use serde_json::{Map, Value};

/// The largest capacity per agent and channel a scenario may give.
pub const MAX_CAPACITY: u64 = 1_000;

/// A checked scenario, ready to simulate.
#[derive(Clone, PartialEq, Debug)]
pub struct Scenario {
    /// Hours during which customers arrive.
    pub hours: u32,
    /// Minutes after midnight of hour 0, for display.
    pub opens_minute: u32,
    /// Arrivals before this many minutes are not counted.
    pub warm_up_minutes: f64,
    /// The service level threshold, in seconds.
    pub service_level_secs: f64,
    /// The random seed.
    pub seed: u64,
    /// How the router picks among free agents.
    pub strategy: Strategy,
    /// The channels, in file order.
    pub channels: Vec<Channel>,
    /// The agent groups, in file order.
    pub agent_groups: Vec<AgentGroup>,
    /// Shares of arrivals that need a skill at a level.
    pub skill_mix: Vec<SkillShare>,
    /// Shares of arrivals with a priority.
    pub priority_mix: Vec<PriorityShare>,
    /// Conversations agents hand on to a team.
    pub transfers: Option<Transfers>,
    /// Super admins who join conversations.
    pub supervisors: Option<Supervisors>,
}

/// A share of answered conversations that agents transfer to a team.
#[derive(Clone, PartialEq, Debug)]
pub struct Transfers {
    /// The team, as in some group's `teams`.
    pub team: String,
    /// The share of answered conversations on the team's channels, 0..=1.
    pub share: f64,
}

/// Super admins who join answered conversations for a while.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Supervisors {
    /// How many.
    pub count: u32,
    /// The share of answered conversations one of them joins, 0..=1.
    pub join_share: f64,
    /// How long they stay, unless the conversation ends first.
    pub stay_secs: f64,
}

/// One channel: its traffic and how long conversations take.
#[derive(Clone, PartialEq, Debug)]
pub struct Channel {
    /// The channel's name.
    pub name: String,
    /// Arrivals per hour, hour by hour, repeating (one entry: a flat rate).
    pub arrivals_per_hour: Vec<f64>,
    /// How long an agent spends on a conversation.
    pub handle_time: HandleTime,
    /// Mean patience of a waiting customer, if customers abandon.
    pub patience_secs: Option<f64>,
}

/// A handle-time distribution, given by its mean.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum HandleTime {
    /// Exponential with this mean.
    Exponential {
        /// Mean, in seconds.
        mean_secs: f64,
    },
    /// Log-normal with this mean and coefficient of variation.
    LogNormal {
        /// Mean, in seconds.
        mean_secs: f64,
        /// Standard deviation over mean.
        cv: f64,
    },
}

/// A group of identical agents.
#[derive(Clone, PartialEq, Debug)]
pub struct AgentGroup {
    /// The group's name, the stem of its agents' ids.
    pub name: String,
    /// How many agents.
    pub count: u32,
    /// Capacity per channel, as indices into [`Scenario::channels`].
    pub capacities: Vec<(usize, u32)>,
    /// Skills and levels.
    pub skills: Vec<(String, u8)>,
    /// When the shift starts, in hours after opening.
    pub shift_start_hour: f64,
    /// When the shift ends, in hours after opening.
    pub shift_end_hour: f64,
    /// One break per agent, this many minutes long.
    pub break_minutes: Option<f64>,
    /// Teams the agents belong to.
    pub teams: Vec<String>,
}

/// A share of arrivals that needs a skill.
#[derive(Clone, PartialEq, Debug)]
pub struct SkillShare {
    /// The skill.
    pub skill: String,
    /// The lowest level that will do.
    pub level: u8,
    /// The share of arrivals, 0..=1.
    pub share: f64,
}

/// A share of arrivals with a priority.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct PriorityShare {
    /// The priority (higher is served first).
    pub priority: u32,
    /// The share of arrivals, 0..=1.
    pub share: f64,
}

/// What is wrong with a scenario, and where.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ScenarioError {
    /// The field's path, such as `agent_groups[1].capacities.sms`; empty for
    /// the whole file.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.field, self.message)
        }
    }
}

impl std::error::Error for ScenarioError {}

/// The simplest case, as the command-line flags give it: one channel, one
/// group of identical agents, exponential handle times, no abandonment.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct SimpleCase {
    /// Agents.
    pub agents: u32,
    /// Conversations each agent takes at once.
    pub capacity: u32,
    /// Poisson arrivals per hour.
    pub arrivals_per_hour: f64,
    /// Mean handle time, in seconds.
    pub mean_handle_secs: f64,
    /// Hours simulated.
    pub hours: u32,
    /// The random seed.
    pub seed: u64,
    /// The service level threshold, in seconds.
    pub service_level_secs: f64,
    /// Minutes not counted at the start.
    pub warm_up_minutes: f64,
}

impl Default for SimpleCase {
    fn default() -> Self {
        SimpleCase {
            agents: 10,
            capacity: 1,
            arrivals_per_hour: 100.0,
            mean_handle_secs: 300.0,
            hours: 8,
            seed: 1,
            service_level_secs: 20.0,
            warm_up_minutes: 60.0,
        }
    }
}

impl SimpleCase {
    /// The scenario the flags describe, checked like a file.
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        let json = serde_json::json!({
            "hours": self.hours,
            "warm_up_minutes": self.warm_up_minutes,
            "service_level_secs": self.service_level_secs,
            "seed": self.seed,
            "channels": [{
                "name": "main",
                "arrivals_per_hour": self.arrivals_per_hour,
                "handle_time": { "distribution": "exponential", "mean_secs": self.mean_handle_secs },
            }],
            "agent_groups": [{
                "name": "agent",
                "count": self.agents,
                "capacities": { "main": self.capacity },
            }],
        });
        Scenario::from_value(&json)
    }
}

/// Parses a scenario file's text, to check with [`Scenario::from_value`]
/// (after any overrides from the command line).
pub fn parse_json(text: &str) -> Result<Value, ScenarioError> {
    serde_json::from_str(text).map_err(|e| ScenarioError {
        field: String::new(),
        message: format!("not valid JSON: {e}"),
    })
}

impl Scenario {
    /// Checks a parsed scenario.
    pub fn from_value(value: &Value) -> Result<Scenario, ScenarioError> {
        let root = Node::root(value);
        root.object(&[
            "hours",
            "opens",
            "warm_up_minutes",
            "service_level_secs",
            "seed",
            "strategy",
            "channels",
            "agent_groups",
            "skill_mix",
            "priority_mix",
            "transfers",
            "supervisors",
        ])?;
        let hours = root.required("hours")?.integer(1, 10_000)? as u32;
        let opens_minute = match root.field("opens") {
            Some(node) => clock_minute(&node)?,
            None => 0,
        };
        let warm_up_minutes = root.optional_number("warm_up_minutes", 60.0)?;
        let day_minutes = f64::from(hours) * 60.0;
        if !(0.0..day_minutes).contains(&warm_up_minutes) {
            return Err(root.child("warm_up_minutes").error(format!(
                "must be at least 0 and less than the {day_minutes} minutes of arrivals, got {warm_up_minutes}"
            )));
        }
        let service_level_secs = match root.field("service_level_secs") {
            Some(node) => node.number_in(0.0, 1e7)?,
            None => 20.0,
        };
        let seed = match root.field("seed") {
            Some(node) => node.integer(0, u64::MAX)?,
            None => 1,
        };
        let strategy = match root.field("strategy") {
            Some(node) => match node.string()? {
                "least_loaded" => Strategy::LeastLoaded,
                "least_loaded_on_channel" => Strategy::LeastLoadedOnChannel,
                "longest_idle" => Strategy::LongestIdle,
                "round_robin" => Strategy::RoundRobin,
                other => {
                    return Err(node.error(format!(
                        "unknown strategy \"{other}\"; expected least_loaded, least_loaded_on_channel, longest_idle or round_robin"
                    )));
                }
            },
            None => Strategy::LeastLoaded,
        };

        let channel_nodes = root.required("channels")?.items()?;
        if channel_nodes.is_empty() {
            return Err(root.child("channels").error("needs at least one channel"));
        }
        let mut channels: Vec<Channel> = Vec::new();
        for node in &channel_nodes {
            let channel = read_channel(node)?;
            if channels.iter().any(|c| c.name == channel.name) {
                return Err(node
                    .child("name")
                    .error(format!("\"{}\" is named twice", channel.name)));
            }
            channels.push(channel);
        }

        let group_nodes = root.required("agent_groups")?.items()?;
        if group_nodes.is_empty() {
            return Err(root.child("agent_groups").error("needs at least one group"));
        }
        let mut agent_groups: Vec<AgentGroup> = Vec::new();
        for node in &group_nodes {
            let group = read_group(node, &channels, hours)?;
            if agent_groups.iter().any(|g| g.name == group.name) {
                return Err(node
                    .child("name")
                    .error(format!("\"{}\" is named twice", group.name)));
            }
            agent_groups.push(group);
        }
        for (ix, channel) in channels.iter().enumerate() {
            if !agent_groups
                .iter()
                .any(|g| g.capacities.iter().any(|&(c, _)| c == ix))
            {
                return Err(channel_nodes[ix].child("name").error(format!(
                    "no agent group serves \"{}\"; give some group a capacity on it",
                    channel.name
                )));
            }
        }

        let mut skill_mix = Vec::new();
        if let Some(mix) = root.field("skill_mix") {
            for node in mix.items()? {
                node.object(&["skill", "level", "share"])?;
                let skill_node = node.required("skill")?;
                let skill = skill_node.string()?.to_owned();
                if !agent_groups
                    .iter()
                    .any(|g| g.skills.iter().any(|(s, _)| *s == skill))
                {
                    return Err(skill_node.error(format!("no agent group has skill \"{skill}\"")));
                }
                let level = node.required("level")?.integer(1, 255)? as u8;
                if let Some(channel) = unserved(&channels, &agent_groups, &skill, level) {
                    return Err(node.error(format!(
                        "no agent group serves {channel} with {skill} at level {level} or more; \
                         those customers could never be answered"
                    )));
                }
                let share = node.required("share")?.number_in(0.0, 1.0)?;
                skill_mix.push(SkillShare {
                    skill,
                    level,
                    share,
                });
            }
            check_shares(&mix, skill_mix.iter().map(|s| s.share))?;
        }
        let mut priority_mix = Vec::new();
        if let Some(mix) = root.field("priority_mix") {
            for node in mix.items()? {
                node.object(&["priority", "share"])?;
                let priority = node.required("priority")?.integer(0, 1_000_000)? as u32;
                let share = node.required("share")?.number_in(0.0, 1.0)?;
                priority_mix.push(PriorityShare { priority, share });
            }
            check_shares(&mix, priority_mix.iter().map(|p| p.share))?;
        }
        let transfers = match root.field("transfers") {
            Some(node) => {
                node.object(&["team", "share"])?;
                let team_node = node.required("team")?;
                let team = read_name(&team_node)?;
                if !agent_groups.iter().any(|g| g.teams.contains(&team)) {
                    return Err(team_node.error(format!("no agent group is in team \"{team}\"")));
                }
                let share = node.required("share")?.number_in(0.0, 1.0)?;
                Some(Transfers { team, share })
            }
            None => None,
        };
        let supervisors = match root.field("supervisors") {
            Some(node) => {
                node.object(&["count", "join_share", "stay_secs"])?;
                Some(Supervisors {
                    count: node.required("count")?.integer(1, 1_000)? as u32,
                    join_share: node.required("join_share")?.number_in(0.0, 1.0)?,
                    stay_secs: node.required("stay_secs")?.positive(1e7)?,
                })
            }
            None => None,
        };

        Ok(Scenario {
            hours,
            opens_minute,
            warm_up_minutes,
            service_level_secs,
            seed,
            strategy,
            channels,
            agent_groups,
            skill_mix,
            priority_mix,
            transfers,
            supervisors,
        })
    }

    /// The team names agents belong to, in order of first mention.
    pub fn team_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for team in self.agent_groups.iter().flat_map(|g| &g.teams) {
            if !names.contains(team) {
                names.push(team.clone());
            }
        }
        names
    }

    /// How many agents in all.
    pub fn agent_count(&self) -> u32 {
        self.agent_groups.iter().map(|g| g.count).sum()
    }

    /// The skill names agents hold, in order of first mention.
    pub fn skill_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for (skill, _) in self.agent_groups.iter().flat_map(|g| &g.skills) {
            if !names.contains(skill) {
                names.push(skill.clone());
            }
        }
        names
    }

    /// A clock time `minutes` after opening, as "HH:MM" (wrapping at midnight).
    pub fn clock(&self, minutes: f64) -> String {
        let total = (f64::from(self.opens_minute) + minutes).round() as u64;
        format!("{:02}:{:02}", (total / 60) % 24, total % 60)
    }
}

fn read_channel(node: &Node) -> Result<Channel, ScenarioError> {
    node.object(&["name", "arrivals_per_hour", "handle_time", "patience_secs"])?;
    let name = read_name(&node.required("name")?)?;
    let rate_node = node.required("arrivals_per_hour")?;
    let arrivals_per_hour = match rate_node.value {
        Value::Array(_) => {
            let items = rate_node.items()?;
            if items.is_empty() {
                return Err(rate_node.error("needs at least one hourly rate"));
            }
            items
                .iter()
                .map(|n| n.number_in(0.0, 1e7))
                .collect::<Result<Vec<_>, _>>()?
        }
        _ => vec![rate_node.number_in(0.0, 1e7)?],
    };
    let handle = node.required("handle_time")?;
    handle.object(&["distribution", "mean_secs", "cv"])?;
    let mean_secs = handle.required("mean_secs")?.positive(1e7)?;
    let distribution = handle.required("distribution")?;
    let handle_time = match distribution.string()? {
        "exponential" => {
            if handle.field("cv").is_some() {
                return Err(handle
                    .child("cv")
                    .error("only a log_normal distribution takes a cv"));
            }
            HandleTime::Exponential { mean_secs }
        }
        "log_normal" => HandleTime::LogNormal {
            mean_secs,
            cv: match handle.field("cv") {
                Some(cv) => cv.positive(100.0)?,
                None => 1.0,
            },
        },
        other => {
            return Err(distribution.error(format!(
                "unknown distribution \"{other}\"; expected exponential or log_normal"
            )));
        }
    };
    let patience_secs = match node.field("patience_secs") {
        Some(p) => Some(p.positive(1e7)?),
        None => None,
    };
    Ok(Channel {
        name,
        arrivals_per_hour,
        handle_time,
        patience_secs,
    })
}

fn read_group(node: &Node, channels: &[Channel], hours: u32) -> Result<AgentGroup, ScenarioError> {
    node.object(&[
        "name",
        "count",
        "capacities",
        "skills",
        "shift_start_hour",
        "shift_end_hour",
        "break_minutes",
        "teams",
    ])?;
    let name = read_name(&node.required("name")?)?;
    let count = node.required("count")?.integer(1, 10_000)? as u32;
    let capacity_node = node.required("capacities")?;
    let mut capacities = Vec::new();
    for (channel, cap) in capacity_node.entries()? {
        let Some(ix) = channels.iter().position(|c| c.name == channel) else {
            let known: Vec<&str> = channels.iter().map(|c| c.name.as_str()).collect();
            return Err(cap.error(format!(
                "no such channel; the channels are {}",
                known.join(", ")
            )));
        };
        capacities.push((ix, cap.integer(1, MAX_CAPACITY)? as u32));
    }
    if capacities.is_empty() {
        return Err(capacity_node.error("needs at least one channel"));
    }
    let mut skills = Vec::new();
    if let Some(skill_node) = node.field("skills") {
        for (skill, level) in skill_node.entries()? {
            if skill.is_empty() {
                return Err(level.error("a skill needs a name"));
            }
            skills.push((skill, level.integer(1, 255)? as u8));
        }
    }
    let mut teams: Vec<String> = Vec::new();
    if let Some(team_node) = node.field("teams") {
        for item in team_node.items()? {
            let team = read_name(&item)?;
            if teams.contains(&team) {
                return Err(item.error(format!("\"{team}\" is named twice")));
            }
            teams.push(team);
        }
    }
    let day = f64::from(hours);
    let shift_start_hour = node.optional_number("shift_start_hour", 0.0)?;
    if !(0.0..day).contains(&shift_start_hour) {
        return Err(node.child("shift_start_hour").error(format!(
            "must be at least 0 and less than hours ({hours}), got {shift_start_hour}"
        )));
    }
    let shift_end_hour = node.optional_number("shift_end_hour", day)?;
    if shift_end_hour <= shift_start_hour || shift_end_hour > day {
        return Err(node.child("shift_end_hour").error(format!(
            "must be after shift_start_hour ({shift_start_hour}) and at most hours ({hours}), got {shift_end_hour}"
        )));
    }
    let break_minutes = match node.field("break_minutes") {
        Some(b) => {
            let minutes = b.positive(1e7)?;
            let half_shift = (shift_end_hour - shift_start_hour) * 30.0;
            if minutes > half_shift {
                return Err(b.error(format!(
                    "must be at most half the shift ({half_shift} minutes), got {minutes}"
                )));
            }
            Some(minutes)
        }
        None => None,
    };
    Ok(AgentGroup {
        name,
        count,
        capacities,
        skills,
        shift_start_hour,
        shift_end_hour,
        break_minutes,
        teams,
    })
}

/// The first channel on which no group holds `skill` at `level` or more.
fn unserved<'c>(
    channels: &'c [Channel],
    groups: &[AgentGroup],
    skill: &str,
    level: u8,
) -> Option<&'c str> {
    let serves = |group: &AgentGroup, ch: usize| {
        group.capacities.iter().any(|&(c, _)| c == ch)
            && group.skills.iter().any(|(s, l)| s == skill && *l >= level)
    };
    (0..channels.len())
        .find(|&ch| !groups.iter().any(|g| serves(g, ch)))
        .map(|ch| channels[ch].name.as_str())
}

fn read_name(node: &Node) -> Result<String, ScenarioError> {
    let name = node.string()?;
    if name.is_empty() {
        return Err(node.error("must not be empty"));
    }
    Ok(name.to_owned())
}

/// Reads "HH:MM".
fn clock_minute(node: &Node) -> Result<u32, ScenarioError> {
    let text = node.string()?;
    let parsed = text.split_once(':').and_then(|(h, m)| {
        let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
        (h < 24 && m < 60 && text.len() == 5).then_some(h * 60 + m)
    });
    parsed.ok_or_else(|| node.error(format!("must be a time like \"08:00\", got \"{text}\"")))
}

fn check_shares(mix: &Node, shares: impl Iterator<Item = f64>) -> Result<(), ScenarioError> {
    let total: f64 = shares.sum();
    if total > 1.0 + 1e-9 {
        return Err(mix.error(format!("shares add up to {total}, more than 1")));
    }
    Ok(())
}

/// A value in the file, with its path for error messages.
struct Node<'a> {
    value: &'a Value,
    path: String,
}

impl<'a> Node<'a> {
    fn root(value: &'a Value) -> Node<'a> {
        Node {
            value,
            path: String::new(),
        }
    }

    fn error(&self, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            field: self.path.clone(),
            message: message.into(),
        }
    }

    fn child_path(&self, name: &str) -> String {
        if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        }
    }

    /// A field that may be absent, only for its path.
    fn child(&self, name: &str) -> Node<'a> {
        Node {
            value: &Value::Null,
            path: self.child_path(name),
        }
    }

    /// Checks that this is an object with only the `known` fields.
    fn object(&self, known: &[&str]) -> Result<&'a Map<String, Value>, ScenarioError> {
        let Value::Object(map) = self.value else {
            return Err(self.error(format!("expected an object, got {}", describe(self.value))));
        };
        if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(ScenarioError {
                field: self.child_path(unknown),
                message: format!("unknown field; expected one of: {}", known.join(", ")),
            });
        }
        Ok(map)
    }

    fn field(&self, name: &str) -> Option<Node<'a>> {
        let value = self.value.as_object()?.get(name)?;
        Some(Node {
            value,
            path: self.child_path(name),
        })
    }

    fn required(&self, name: &str) -> Result<Node<'a>, ScenarioError> {
        self.field(name)
            .ok_or_else(|| self.child(name).error("missing"))
    }

    fn items(&self) -> Result<Vec<Node<'a>>, ScenarioError> {
        let Value::Array(items) = self.value else {
            return Err(self.error(format!("expected a list, got {}", describe(self.value))));
        };
        Ok(items
            .iter()
            .enumerate()
            .map(|(i, value)| Node {
                value,
                path: format!("{}[{i}]", self.path),
            })
            .collect())
    }

    /// The entries of an object whose keys are names, in file order.
    fn entries(&self) -> Result<Vec<(String, Node<'a>)>, ScenarioError> {
        let Value::Object(map) = self.value else {
            return Err(self.error(format!("expected an object, got {}", describe(self.value))));
        };
        Ok(map
            .iter()
            .map(|(key, value)| {
                let node = Node {
                    value,
                    path: self.child_path(key),
                };
                (key.clone(), node)
            })
            .collect())
    }

    fn string(&self) -> Result<&'a str, ScenarioError> {
        self.value
            .as_str()
            .ok_or_else(|| self.error(format!("expected a string, got {}", describe(self.value))))
    }

    fn number(&self) -> Result<f64, ScenarioError> {
        self.value
            .as_f64()
            .ok_or_else(|| self.error(format!("expected a number, got {}", describe(self.value))))
    }

    fn number_in(&self, low: f64, high: f64) -> Result<f64, ScenarioError> {
        let n = self.number()?;
        if !(low..=high).contains(&n) {
            return Err(self.error(format!("must be {low}..={high}, got {n}")));
        }
        Ok(n)
    }

    /// A number greater than 0 and at most `high`.
    fn positive(&self, high: f64) -> Result<f64, ScenarioError> {
        let n = self.number()?;
        if n <= 0.0 || n > high {
            return Err(self.error(format!("must be more than 0 and at most {high}, got {n}")));
        }
        Ok(n)
    }

    fn integer(&self, low: u64, high: u64) -> Result<u64, ScenarioError> {
        let n = match self.value {
            Value::Number(n) => n.as_u64(),
            _ => None,
        };
        match n {
            Some(n) if (low..=high).contains(&n) => Ok(n),
            _ if self.value.is_number() => Err(self.error(format!(
                "must be a whole number {low}..={high}, got {}",
                self.value
            ))),
            _ => Err(self.error(format!(
                "expected a whole number, got {}",
                describe(self.value)
            ))),
        }
    }

    fn optional_number(&self, name: &str, default: f64) -> Result<f64, ScenarioError> {
        match self.field(name) {
            Some(node) => node.number(),
            None => Ok(default),
        }
    }
}

/// A short description of a JSON value for an error message.
fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) if s.chars().count() <= 30 => format!("\"{s}\""),
        Value::String(_) => "a string".to_owned(),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "an object".to_owned(),
    }
}
