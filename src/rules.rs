//! Routing rules: how host labels on a conversation become its requirements.
//!
//! A host that does not want to compute skills and priorities itself tags a
//! conversation with labels (`language=fr`, `topic=billing`, `vip=true`) and
//! lets the rules of the configuration decide, as Twilio TaskRouter
//! workflows and Azure Job Router classification policies do.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::dense::{ChannelIx, TeamIx};
use crate::error::Error;
use crate::skill::{SkillLevel, SkillSet};
use crate::time::Millis;

/// Ordered routing rules: the first rule that matches a conversation gives
/// its requirements; if none matches, the default does (if set).
///
/// Rules fill in what a conversation's spec leaves out, field by field: the
/// spec's own skills (if any), team (if any), priority (if not 0) and
/// escalation steps (if any) win over the rule's. Rules are applied once, on
/// arrival; replacing them ([`Event::RulesReplaced`](crate::Event::RulesReplaced))
/// changes nothing for conversations already open.
///
/// ```
/// use omnirouter::{Config, ConversationSpec, Decision, Event, Router, Route, Rule, RuleSet, Timestamp};
///
/// let rules = RuleSet::default()
///     .rule(Rule::when("language", "fr").then(Route::default().skill("french", 2)))
///     .rule(Rule::when("vip", "true").then(Route::default().priority(10)))
///     .otherwise(Route::default().priority(1));
/// let config = Config::new(["chat"]).skills(["french"]).rules(rules);
/// let mut router = Router::new(config)?;
/// router.handle(Timestamp(0), Event::ConversationArrived {
///     conversation: 1_u64.into(),
///     spec: ConversationSpec::new("chat", "cust").label("language", "fr"),
/// })?;
/// // Nobody speaks French yet: it waits in the "french >= 2" line.
/// assert_eq!(router.queue_len("chat")?, 1);
/// # Ok::<(), omnirouter::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RuleSet {
    /// The rules, tried in order.
    pub rules: Vec<Rule>,
    /// What applies when no rule matches; `None` leaves the spec as it is.
    pub default: Option<Route>,
}

impl RuleSet {
    /// Appends a rule.
    pub fn rule(mut self, rule: Rule) -> Self {
        self.rules.push(rule);
        self
    }

    /// Sets the default route.
    pub fn otherwise(mut self, route: Route) -> Self {
        self.default = Some(route);
        self
    }
}

/// One rule: a condition and the route it gives.
///
/// A rule matches a conversation when its channel (if the rule names one)
/// is the conversation's and every label of the rule is on the
/// conversation with the same value. A rule with no channel and no labels
/// matches everything.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rule {
    /// Only conversations on this channel match, if set.
    pub channel: Option<String>,
    /// Labels the conversation must carry, each with this exact value.
    pub labels: BTreeMap<String, String>,
    /// What a matching conversation needs.
    pub route: Route,
}

impl Rule {
    /// A rule that matches conversations labelled `key=value`.
    pub fn when(key: impl Into<String>, value: impl Into<String>) -> Self {
        Rule::default().and(key, value)
    }

    /// Adds one more label the conversation must carry.
    pub fn and(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// Restricts the rule to a channel.
    pub fn on_channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }

    /// Sets what a matching conversation needs.
    pub fn then(mut self, route: Route) -> Self {
        self.route = route;
        self
    }
}

/// The requirements a rule gives a conversation.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Route {
    /// Required skills with minimum levels.
    pub skills: Vec<SkillLevel>,
    /// Only members of this team, if set.
    pub team: Option<String>,
    /// The priority, if set.
    pub priority: Option<u32>,
    /// Steps that widen the requirements as the conversation waits.
    pub escalation: Vec<EscalationStep>,
}

impl Route {
    /// Requires a skill at a minimum level.
    pub fn skill(mut self, skill: impl Into<String>, level: u8) -> Self {
        self.skills.push(SkillLevel::new(skill, level));
        self
    }

    /// Restricts to a team.
    pub fn team(mut self, team: impl Into<String>) -> Self {
        self.team = Some(team.into());
        self
    }

    /// Sets the priority.
    pub fn priority(mut self, priority: u32) -> Self {
        self.priority = Some(priority);
        self
    }

    /// Adds an escalation step.
    pub fn escalate(mut self, step: EscalationStep) -> Self {
        self.escalation.push(step);
        self
    }
}

/// One step of escalation (as in Genesys' bullseye routing): once a
/// conversation has existed for `after`, its requirements become this
/// step's skills and team, and it is assigned at once if someone eligible
/// is free. It keeps its place in line.
///
/// Steps must come in strictly increasing `after` order. Steps fire whether
/// the conversation waits or is held; a held one keeps its agent, and the
/// new requirements matter only if it is requeued. A transfer to a team or
/// skills cancels the steps not yet taken.
///
/// ```
/// use omnirouter::{EscalationStep, Millis};
/// // "billing >= 4" for the first minute, then "billing >= 2", then anyone.
/// let steps = [
///     EscalationStep::after(Millis::from_secs(60)).skill("billing", 2),
///     EscalationStep::after(Millis::from_secs(120)),
/// ];
/// assert!(steps[1].skills.is_empty() && steps[1].team.is_none());
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationStep {
    /// Time since arrival at which this step takes over.
    pub after: Millis,
    /// The required skills from then on.
    #[serde(default)]
    pub skills: Vec<SkillLevel>,
    /// The required team from then on, if any.
    #[serde(default)]
    pub team: Option<String>,
}

impl EscalationStep {
    /// A step, taken `after` arrival, that requires nothing but the channel.
    pub fn after(after: Millis) -> Self {
        EscalationStep {
            after,
            skills: Vec::new(),
            team: None,
        }
    }

    /// Requires a skill at a minimum level from this step on.
    pub fn skill(mut self, skill: impl Into<String>, level: u8) -> Self {
        self.skills.push(SkillLevel::new(skill, level));
        self
    }

    /// Requires a team from this step on.
    pub fn team(mut self, team: impl Into<String>) -> Self {
        self.team = Some(team.into());
        self
    }
}

/// An escalation step with its names interned.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Step {
    pub(crate) after: Millis,
    pub(crate) skills: SkillSet,
    pub(crate) team: Option<TeamIx>,
}

/// Checks and interns escalation steps.
pub(crate) fn parse_steps(catalog: &Catalog, steps: &[EscalationStep]) -> Result<Vec<Step>, Error> {
    let mut parsed: Vec<Step> = Vec::with_capacity(steps.len());
    for (i, step) in steps.iter().enumerate() {
        if parsed.last().is_some_and(|last| last.after >= step.after) {
            return Err(Error::EscalationNotIncreasing { step: i });
        }
        parsed.push(Step {
            after: step.after,
            skills: catalog.skills(&step.skills)?,
            team: step.team.as_deref().map(|t| catalog.team(t)).transpose()?,
        });
    }
    Ok(parsed)
}

/// A route with its names interned.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct ParsedRoute {
    pub(crate) skills: SkillSet,
    pub(crate) team: Option<TeamIx>,
    pub(crate) priority: Option<u32>,
    pub(crate) escalation: Vec<Step>,
}

/// A rule with its names interned.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
struct ParsedRule {
    channel: Option<ChannelIx>,
    labels: BTreeMap<String, String>,
    route: ParsedRoute,
}

/// A rule set, checked against the catalog.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Rules {
    rules: Vec<ParsedRule>,
    default: Option<ParsedRoute>,
}

fn parse_route(catalog: &Catalog, route: &Route) -> Result<ParsedRoute, Error> {
    Ok(ParsedRoute {
        skills: catalog.skills(&route.skills)?,
        team: route.team.as_deref().map(|t| catalog.team(t)).transpose()?,
        priority: route.priority,
        escalation: parse_steps(catalog, &route.escalation)?,
    })
}

impl Rules {
    /// Checks every name of `set`; an error names the rule (`None` for the
    /// default) and what is wrong with it.
    pub(crate) fn parse(catalog: &Catalog, set: &RuleSet) -> Result<Rules, Error> {
        let invalid = |rule, error| Error::InvalidRule {
            rule,
            error: Box::new(error),
        };
        let mut rules = Vec::with_capacity(set.rules.len());
        for (i, rule) in set.rules.iter().enumerate() {
            let channel = rule
                .channel
                .as_deref()
                .map(|c| catalog.channel(c))
                .transpose()
                .map_err(|e| invalid(Some(i), e))?;
            rules.push(ParsedRule {
                channel,
                labels: rule.labels.clone(),
                route: parse_route(catalog, &rule.route).map_err(|e| invalid(Some(i), e))?,
            });
        }
        let default = set
            .default
            .as_ref()
            .map(|route| parse_route(catalog, route))
            .transpose()
            .map_err(|e| invalid(None, e))?;
        Ok(Rules { rules, default })
    }

    /// The route for a conversation on `channel` with `labels`, if any.
    pub(crate) fn route_for(
        &self,
        channel: ChannelIx,
        labels: &BTreeMap<String, String>,
    ) -> Option<&ParsedRoute> {
        self.rules
            .iter()
            .find(|rule| {
                rule.channel.is_none_or(|c| c == channel)
                    && rule.labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            })
            .map(|rule| &rule.route)
            .or(self.default.as_ref())
    }
}
