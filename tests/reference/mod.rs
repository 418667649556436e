//! A naive reference router: the contract written as plainly as possible.
//!
//! It keeps agents and conversations in vectors and answers every question
//! by scanning them all. It shares no code with the crate beyond the public
//! types, so where it and the real `Router` agree, two independent readings
//! of the contract agree. It is slow on purpose; the scale example measures
//! how much slower.
#![allow(dead_code)]

use std::collections::BTreeMap;

use omnirouter::{
    AgentId, AgentSpec, Config, ConversationId, ConversationSpec, CustomerId, Decision, Error,
    EscalationStep, Event, MAX_CAPACITY, Millis, OfflinePolicy, OverduePolicy, Presence, Role,
    Route, RuleSet, SkillLevel, Strategy, Timestamp, TransferTarget,
};

/// An agent as the reference keeps it.
#[derive(Clone, Debug, PartialEq)]
pub struct Agent {
    pub id: AgentId,
    pub role: Role,
    pub presence: Presence,
    /// Indexed like `Config::channels`.
    pub capacity: Vec<u32>,
    pub skills: BTreeMap<String, u8>,
    pub teams: Vec<String>,
    pub total_capacity: Option<u32>,
    pub join_seq: u64,
    pub last_assigned: u64,
    /// Held conversations in the order they were assigned.
    pub inbox: Vec<ConversationId>,
    /// Conversations joined, in the order joined.
    pub joined: Vec<ConversationId>,
    /// Slots wrapping up, per channel.
    pub wrapping: Vec<u32>,
    /// Offers timed out in a row.
    pub missed_offers: u32,
}

/// Where an open conversation is.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    Line,
    Awaiting {
        person: AgentId,
        until: u64,
    },
    /// In `agent`'s slot, offered until `until`.
    Offered {
        agent: AgentId,
        until: u64,
    },
    Held(AgentId),
}

/// Requirements: skills with minimum levels, and a team.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Needs {
    pub skills: BTreeMap<String, u8>,
    pub team: Option<String>,
}

/// An escalation step: after `after` since arrival, these requirements.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub after: u64,
    pub needs: Needs,
}

/// A checked routing rule's outcome.
#[derive(Clone, Debug, PartialEq)]
struct Routing {
    needs: Needs,
    priority: Option<u32>,
    escalation: Vec<Step>,
}

/// A checked routing rule.
#[derive(Clone, Debug, PartialEq)]
struct Rule {
    channel: Option<usize>,
    labels: BTreeMap<String, String>,
    routing: Routing,
}

/// What a timer does when it fires.
#[derive(Clone, Debug, PartialEq)]
pub enum Timer {
    AwaitEnds(ConversationId),
    OfferExpires(ConversationId),
    Escalate(ConversationId),
    WrapUpEnds(AgentId, usize),
    ResponseDue(ConversationId),
}

/// A pending timer; `set` orders timers due at the same time.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub at: u64,
    set: u64,
    timer: Timer,
}

/// Live statistics counters of a channel since the last reset.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Tally {
    pub answered: u64,
    pub abandoned: u64,
    pub wait_sum: u128,
    pub within: u64,
}

/// An open conversation.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversation {
    pub id: ConversationId,
    pub customer: CustomerId,
    pub channel: usize,
    pub skills: BTreeMap<String, u8>,
    pub team: Option<String>,
    pub priority: u32,
    pub seq: u64,
    pub arrived: u64,
    pub queued_at: u64,
    pub place: Place,
    /// Everyone who held it, in order.
    pub holders: Vec<AgentId>,
    pub participants: Vec<AgentId>,
    pub escalation: Vec<Step>,
    pub steps_taken: usize,
    pub awaiting_reply_since: Option<u64>,
}

/// A remembered ended conversation.
#[derive(Clone, Debug, PartialEq)]
pub struct Ended {
    pub id: ConversationId,
    pub customer: CustomerId,
    pub arrived: u64,
    pub ended_at: u64,
    /// Everyone who held it, in order.
    pub holders: Vec<AgentId>,
    /// The disposition codes it was resolved with; `None` if abandoned.
    pub resolved: Option<Vec<String>>,
}

/// The reference router.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    pub config: Config,
    pub now: u64,
    /// In the order they were added.
    pub agents: Vec<Agent>,
    next_join: u64,
    /// In the order they arrived.
    pub open: Vec<Conversation>,
    next_seq: u64,
    /// Remembered ended conversations, in the order they ended.
    ended: Vec<Ended>,
    /// Each customer's previous agent, while they have a remembered conversation.
    last_agent: BTreeMap<CustomerId, Option<AgentId>>,
    /// Round robin: per channel, the join order of the last agent assigned.
    cursor: Vec<Option<u64>>,
    /// How many timers have been set.
    timers_set: u64,
    pub timers: Vec<Pending>,
    /// Per channel.
    pub tallies: Vec<Tally>,
    rules: Vec<Rule>,
    default_rule: Option<Routing>,
}

type Out = Vec<Decision>;

impl Reference {
    pub fn new(config: Config) -> Self {
        let channels = config.channels.len();
        Reference {
            config,
            now: 0,
            agents: Vec::new(),
            next_join: 0,
            open: Vec::new(),
            next_seq: 0,
            ended: Vec::new(),
            last_agent: BTreeMap::new(),
            cursor: vec![None; channels],
            timers_set: 0,
            timers: Vec::new(),
            tallies: vec![Tally::default(); channels],
            rules: Vec::new(),
            default_rule: None,
        }
        .with_rules()
    }

    fn with_rules(mut self) -> Self {
        let rules = self.config.rules.clone();
        self.replace_rules(&rules)
            .expect("the configuration's rules are valid");
        self
    }

    /// Applies `event` at `now`: on error nothing changes, the clock included.
    pub fn handle(&mut self, now: Timestamp, event: &Event) -> Result<Vec<Decision>, Error> {
        let mut next = self.clone();
        next.now = next.now.max(now.0);
        let mut out = Vec::new();
        next.apply(event, &mut out)?;
        *self = next;
        Ok(out)
    }

    /// `handle` without the copy that makes it atomic: an event that
    /// fails may leave a change behind. For building a large centre from
    /// events known to be valid (the scale example), where a copy per
    /// event would make the build quadratic.
    pub fn handle_in_place(
        &mut self,
        now: Timestamp,
        event: &Event,
    ) -> Result<Vec<Decision>, Error> {
        self.now = self.now.max(now.0);
        let mut out = Vec::new();
        self.apply(event, &mut out)?;
        Ok(out)
    }

    // ---- lookups ------------------------------------------------------

    pub fn agent(&self, id: &AgentId) -> Option<&Agent> {
        self.agents.iter().find(|a| a.id == *id)
    }

    fn agent_mut(&mut self, id: &AgentId) -> &mut Agent {
        self.agents.iter_mut().find(|a| a.id == *id).unwrap()
    }

    /// The ended conversations remembered, in the order they ended.
    pub fn ended(&self) -> &[Ended] {
        &self.ended
    }

    pub fn conversation(&self, id: &ConversationId) -> Option<&Conversation> {
        self.open.iter().find(|c| c.id == *id)
    }

    fn conv_mut(&mut self, id: &ConversationId) -> &mut Conversation {
        self.open.iter_mut().find(|c| c.id == *id).unwrap()
    }

    fn channel_ix(&self, name: &str) -> Result<usize, Error> {
        self.config
            .channels
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| Error::UnknownChannel(name.to_owned()))
    }

    fn cost(&self, channel: usize) -> u64 {
        u64::from(self.config.channels[channel].cost)
    }

    pub fn load(&self, agent: &Agent, channel: usize) -> u32 {
        agent
            .inbox
            .iter()
            .filter(|id| self.conversation(id).unwrap().channel == channel)
            .count() as u32
    }

    fn used_units(&self, agent: &Agent) -> u64 {
        let held: u64 = agent
            .inbox
            .iter()
            .map(|id| self.cost(self.conversation(id).unwrap().channel))
            .sum();
        let wrapping: u64 = (0..agent.wrapping.len())
            .map(|ch| u64::from(agent.wrapping[ch]) * self.cost(ch))
            .sum();
        held + wrapping
    }

    /// Slots in use on `channel`: held, offered and wrapping up.
    pub fn busy(&self, agent: &Agent, channel: usize) -> u32 {
        self.load(agent, channel) + agent.wrapping[channel]
    }

    pub fn has_room(&self, agent: &Agent, channel: usize) -> bool {
        self.busy(agent, channel) < agent.capacity[channel]
            && agent
                .total_capacity
                .is_none_or(|total| self.used_units(agent) + self.cost(channel) <= u64::from(total))
    }

    /// Everything but presence and room: role, permission, skills, team.
    pub fn qualifies(&self, agent: &Agent, c: &Conversation) -> bool {
        agent.role == Role::Agent
            && agent.capacity[c.channel] > 0
            && c.skills
                .iter()
                .all(|(s, min)| agent.skills.get(s).is_some_and(|l| l >= min))
            && c.team.as_ref().is_none_or(|t| agent.teams.contains(t))
    }

    /// Whether `agent` may be given `c` by routing right now.
    pub fn eligible(&self, agent: &Agent, c: &Conversation) -> bool {
        self.qualifies(agent, c)
            && agent.presence == Presence::Available
            && self.has_room(agent, c.channel)
    }

    /// The line order: smaller first.
    pub fn line_key(&self, c: &Conversation) -> (u128, u64) {
        let urgency = u128::from(u32::MAX - c.priority);
        let rank = match self.config.priority_aging {
            None => urgency << 64,
            Some(Millis(interval)) => u128::from(c.arrived) + urgency * u128::from(interval),
        };
        (rank, c.seq)
    }

    /// How many waiting conversations on `c`'s channel are ahead of it.
    pub fn ahead_in_line(&self, c: &Conversation) -> usize {
        let key = self.line_key(c);
        self.open
            .iter()
            .filter(|o| o.place == Place::Line && o.channel == c.channel)
            .filter(|o| self.line_key(o) < key)
            .count()
    }

    fn ahead_awaiting(&self, c: &Conversation, person: &AgentId) -> usize {
        let key = self.line_key(c);
        self.open
            .iter()
            .filter(|o| matches!(&o.place, Place::Awaiting { person: p, .. } if p == person))
            .filter(|o| self.line_key(o) < key)
            .count()
    }

    fn remembered(&self, id: &ConversationId) -> bool {
        self.ended.iter().any(|e| e.id == *id)
    }

    fn open_conversation(&self, id: &ConversationId) -> Result<(), Error> {
        if self.conversation(id).is_some() {
            Ok(())
        } else if self.remembered(id) {
            Err(Error::ConversationEnded(id.clone()))
        } else {
            Err(Error::UnknownConversation(id.clone()))
        }
    }

    fn known_agent(&self, id: &AgentId) -> Result<&Agent, Error> {
        self.agent(id)
            .ok_or_else(|| Error::UnknownAgent(id.clone()))
    }

    // ---- input checks -------------------------------------------------

    fn check_skills(&self, list: &[SkillLevel]) -> Result<BTreeMap<String, u8>, Error> {
        for s in list {
            if !self.config.skills.contains(&s.skill) {
                return Err(Error::UnknownSkill(s.skill.clone()));
            }
            if s.level == 0 {
                return Err(Error::ZeroSkillLevel(s.skill.clone()));
            }
        }
        for name in &self.config.skills {
            if list.iter().filter(|s| s.skill == *name).count() > 1 {
                return Err(Error::DuplicateName {
                    kind: "skill",
                    name: name.clone(),
                });
            }
        }
        Ok(list.iter().map(|s| (s.skill.clone(), s.level)).collect())
    }

    fn check_spec(&self, spec: &AgentSpec) -> Result<Agent, Error> {
        if let Some(total) = spec.total_capacity.filter(|&t| t > MAX_CAPACITY) {
            return Err(Error::CapacityTooLarge {
                capacity: total,
                max: MAX_CAPACITY,
            });
        }
        let mut capacity = vec![None; self.config.channels.len()];
        for entry in &spec.channels {
            let c = self.channel_ix(&entry.channel)?;
            if entry.capacity > MAX_CAPACITY {
                return Err(Error::CapacityTooLarge {
                    capacity: entry.capacity,
                    max: MAX_CAPACITY,
                });
            }
            if capacity[c].replace(entry.capacity).is_some() {
                return Err(Error::DuplicateName {
                    kind: "channel",
                    name: entry.channel.clone(),
                });
            }
        }
        let skills = self.check_skills(&spec.skills)?;
        for team in &spec.teams {
            if !self.config.teams.contains(team) {
                return Err(Error::UnknownTeam(team.clone()));
            }
        }
        for name in &self.config.teams {
            if spec.teams.iter().filter(|t| *t == name).count() > 1 {
                return Err(Error::DuplicateName {
                    kind: "team",
                    name: name.clone(),
                });
            }
        }
        Ok(Agent {
            id: AgentId::from(0_u64),
            role: spec.role,
            presence: Presence::Offline,
            capacity: capacity
                .into_iter()
                .map(Option::unwrap_or_default)
                .collect(),
            skills,
            teams: spec.teams.clone(),
            total_capacity: spec.total_capacity,
            join_seq: 0,
            last_assigned: 0,
            inbox: Vec::new(),
            joined: Vec::new(),
            wrapping: vec![0; self.config.channels.len()],
            missed_offers: 0,
        })
    }

    // ---- routing ------------------------------------------------------

    fn strategy_key(&self, a: &Agent, channel: usize) -> (u64, u64, u64) {
        match self.config.strategy {
            Strategy::LeastLoaded => (
                u64::from(self.load(a, channel)),
                a.inbox.len() as u64,
                a.join_seq,
            ),
            Strategy::LeastLoadedOnChannel => (u64::from(self.load(a, channel)), a.join_seq, 0),
            Strategy::LongestIdle => (a.last_assigned, a.join_seq, 0),
            Strategy::RoundRobin => (a.join_seq, 0, 0),
        }
    }

    /// The agent routing picks for `c`, never `skip`.
    fn best_agent(&self, c: &Conversation, skip: Option<&AgentId>) -> Option<AgentId> {
        let mut candidates: Vec<&Agent> = self
            .agents
            .iter()
            .filter(|a| self.eligible(a, c) && Some(&a.id) != skip)
            .collect();
        candidates.sort_by_key(|a| self.strategy_key(a, c.channel));
        let pick = match (self.config.strategy, self.cursor[c.channel]) {
            (Strategy::RoundRobin, Some(cursor)) => candidates
                .iter()
                .find(|a| a.join_seq > cursor)
                .or(candidates.first()),
            _ => candidates.first(),
        };
        pick.map(|a| a.id.clone())
    }

    /// Gives `id` a slot of `agent`'s: offered on channels with offers,
    /// held outright otherwise.
    fn assign(&mut self, id: &ConversationId, agent: &AgentId, out: &mut Out) {
        let now = self.now;
        let channel = self.conversation(id).unwrap().channel;
        let a = self.agent_mut(agent);
        a.inbox.push(id.clone());
        a.last_assigned = now;
        if a.role == Role::Agent {
            let seq = a.join_seq;
            self.cursor[channel] = Some(seq);
        }
        match self.config.channels[channel].offer_timeout {
            Some(Millis(timeout)) => {
                let until = now + timeout;
                self.set_timer(until, Timer::OfferExpires(id.clone()));
                self.conv_mut(id).place = Place::Offered {
                    agent: agent.clone(),
                    until,
                };
                out.push(Decision::Offered {
                    conversation: id.clone(),
                    agent: agent.clone(),
                    until: Timestamp(until),
                });
            }
            None => self.hold(id, agent, out),
        }
    }

    /// `agent`, whose slot `id` already uses, now holds it.
    fn hold(&mut self, id: &ConversationId, agent: &AgentId, out: &mut Out) {
        let now = self.now;
        let threshold = self.config.service_level_threshold.0;
        let c = self.conv_mut(id);
        c.place = Place::Held(agent.clone());
        let first = c.holders.is_empty();
        c.holders.push(agent.clone());
        let (channel, waited, since_arrival) = (c.channel, now - c.queued_at, now - c.arrived);
        let awaiting_reply = c.awaiting_reply_since.is_some();
        if first {
            let tally = &mut self.tallies[channel];
            tally.answered += 1;
            tally.wait_sum += u128::from(since_arrival);
            tally.within += u64::from(since_arrival <= threshold);
        }
        if awaiting_reply {
            self.arm_response(id);
        }
        out.push(Decision::Assigned {
            conversation: id.clone(),
            agent: agent.clone(),
            waited: Millis(waited),
        });
    }

    fn arm_response(&mut self, id: &ConversationId) {
        let channel = self.conversation(id).unwrap().channel;
        if let Some(Millis(deadline)) = self.config.channels[channel].response_deadline {
            self.set_timer(self.now + deadline, Timer::ResponseDue(id.clone()));
        }
    }

    fn set_timer(&mut self, at: u64, timer: Timer) {
        self.timers.push(Pending {
            at,
            set: self.timers_set,
            timer,
        });
        self.timers_set += 1;
    }

    fn cancel_timer(&mut self, timer: &Timer) {
        self.timers.retain(|t| t.timer != *timer);
    }

    fn route(&mut self, id: &ConversationId, skip: Option<&AgentId>, out: &mut Out) {
        let c = self.conversation(id).unwrap().clone();
        match self.best_agent(&c, skip) {
            Some(agent) => self.assign(id, &agent, out),
            None => {
                self.conv_mut(id).place = Place::Line;
                let c = self.conversation(id).unwrap();
                out.push(Decision::Queued {
                    conversation: id.clone(),
                    ahead: self.ahead_in_line(c),
                });
            }
        }
    }

    /// What `agent` takes next: first what awaits it, then the line.
    fn next_for(&self, agent: &Agent) -> Option<ConversationId> {
        let by_key = |list: Vec<&Conversation>| {
            list.into_iter()
                .min_by_key(|c| self.line_key(c))
                .map(|c| c.id.clone())
        };
        if agent.presence == Presence::Available {
            let awaiting: Vec<&Conversation> = self
                .open
                .iter()
                .filter(
                    |c| matches!(&c.place, Place::Awaiting { person, .. } if *person == agent.id),
                )
                .filter(|c| self.has_room(agent, c.channel))
                .collect();
            if let Some(id) = by_key(awaiting) {
                return Some(id);
            }
        }
        by_key(
            self.open
                .iter()
                .filter(|c| c.place == Place::Line && self.eligible(agent, c))
                .collect(),
        )
    }

    fn pull(&mut self, agent: &AgentId, out: &mut Out) {
        while let Some(id) = self.next_for(self.agent(agent).unwrap()) {
            self.detach(&id);
            self.assign(&id, agent, out);
        }
    }

    /// Takes `id` out of its place; returns whose slot it used.
    fn detach(&mut self, id: &ConversationId) -> Option<AgentId> {
        let c = self.conv_mut(id);
        let place = std::mem::replace(&mut c.place, Place::Line);
        let (slot, timer) = match place {
            Place::Held(holder) => (Some(holder), Timer::ResponseDue(id.clone())),
            Place::Offered { agent, .. } => (Some(agent), Timer::OfferExpires(id.clone())),
            Place::Awaiting { .. } => (None, Timer::AwaitEnds(id.clone())),
            Place::Line => return None,
        };
        self.cancel_timer(&timer);
        if let Some(a) = &slot {
            self.agent_mut(a).inbox.retain(|x| x != id);
        }
        slot
    }

    fn await_person(&mut self, id: &ConversationId, person: &AgentId, until: u64, out: &mut Out) {
        let now = self.now;
        self.set_timer(until, Timer::AwaitEnds(id.clone()));
        let c = self.conv_mut(id);
        c.place = Place::Awaiting {
            person: person.clone(),
            until,
        };
        c.queued_at = now;
        let c = self.conversation(id).unwrap();
        out.push(Decision::Awaiting {
            conversation: id.clone(),
            agent: person.clone(),
            ahead: self.ahead_awaiting(c, person),
            until: Timestamp(until),
        });
    }

    fn end_await(&mut self, id: &ConversationId, out: &mut Out) {
        let Place::Awaiting { person, .. } = self.conversation(id).unwrap().place.clone() else {
            unreachable!()
        };
        self.detach(id);
        out.push(Decision::AwaitEnded {
            conversation: id.clone(),
            agent: person,
        });
        self.route(id, None, out);
    }

    /// Takes `id` from the slot it uses, back to its place in line or to
    /// a free agent other than `skip`.
    fn requeue(&mut self, id: &ConversationId, skip: Option<&AgentId>, out: &mut Out) {
        let from = self.detach(id).unwrap();
        self.conv_mut(id).queued_at = self.now;
        out.push(Decision::Requeued {
            conversation: id.clone(),
            from,
        });
        self.route(id, skip, out);
    }

    fn requeue_all(&mut self, agent: &AgentId, out: &mut Out) {
        let mut held = self.agent(agent).unwrap().inbox.clone();
        held.sort_by_key(|id| self.line_key(self.conversation(id).unwrap()));
        for id in held {
            self.requeue(&id, None, out);
        }
    }

    /// An offer of `id` to `agent` ends: the slot frees, `id` goes to
    /// another free agent or back in line, and `agent` pulls.
    fn end_offer(&mut self, id: &ConversationId, agent: &AgentId, declined: bool, out: &mut Out) {
        self.detach(id);
        out.push(Decision::OfferEnded {
            conversation: id.clone(),
            agent: agent.clone(),
            declined,
        });
        self.route(id, Some(agent), out);
        self.pull(agent, out);
    }

    /// After a conversation in `place` ended: its holder wraps up, and
    /// whoever's slot it used pulls.
    fn after_end(&mut self, place: &Place, channel: usize, out: &mut Out) {
        if let Place::Held(a) = place {
            let Millis(wrap_up) = self.config.channels[channel].wrap_up;
            if wrap_up > 0 {
                let until = self.now + wrap_up;
                self.set_timer(until, Timer::WrapUpEnds(a.clone(), channel));
                self.agent_mut(a).wrapping[channel] += 1;
                out.push(Decision::WrapUp {
                    agent: a.clone(),
                    channel: self.config.channels[channel].name.clone(),
                    until: Timestamp(until),
                });
            }
        }
        if let Place::Held(a) | Place::Offered { agent: a, .. } = place {
            self.pull(a, out);
        }
    }

    /// Fires every timer due by now, earliest first, then in the order set.
    fn fire_timers(&mut self, out: &mut Out) {
        while let Some(due) = self
            .timers
            .iter()
            .filter(|t| t.at <= self.now)
            .min_by_key(|t| (t.at, t.set))
            .cloned()
        {
            self.timers.retain(|t| t.set != due.set);
            match due.timer {
                Timer::AwaitEnds(id) => self.end_await(&id, out),
                Timer::OfferExpires(id) => {
                    let Place::Offered { agent, .. } =
                        self.conversation(&id).unwrap().place.clone()
                    else {
                        unreachable!()
                    };
                    let max = self.config.max_missed_offers;
                    let a = self.agent_mut(&agent);
                    a.missed_offers += 1;
                    if max.is_some_and(|m| a.missed_offers >= m) {
                        a.missed_offers = 0;
                        a.presence = Presence::Away;
                        out.push(Decision::PresenceChanged {
                            agent: agent.clone(),
                            presence: Presence::Away,
                        });
                    }
                    self.end_offer(&id, &agent, false, out);
                }
                Timer::Escalate(id) => self.escalate(&id, out),
                Timer::WrapUpEnds(agent, channel) => {
                    self.agent_mut(&agent).wrapping[channel] -= 1;
                    out.push(Decision::WrapUpEnded {
                        agent: agent.clone(),
                        channel: self.config.channels[channel].name.clone(),
                    });
                    self.pull(&agent, out);
                }
                Timer::ResponseDue(id) => {
                    let c = self.conversation(&id).unwrap();
                    let Place::Held(agent) = c.place.clone() else {
                        unreachable!()
                    };
                    out.push(Decision::ResponseOverdue {
                        conversation: id.clone(),
                        agent: agent.clone(),
                        since: Timestamp(c.awaiting_reply_since.unwrap()),
                    });
                    if self.config.response_overdue == OverduePolicy::Requeue {
                        self.requeue(&id, Some(&agent), out);
                        self.pull(&agent, out);
                    }
                }
            }
        }
    }

    /// Arms `id`'s next escalation step, if it has one left.
    fn arm_escalation(&mut self, id: &ConversationId) {
        let c = self.conversation(id).unwrap();
        if let Some(step) = c.escalation.get(c.steps_taken) {
            let at = c.arrived + step.after;
            self.set_timer(at, Timer::Escalate(id.clone()));
        }
    }

    /// `id` takes its next step: new requirements; if it waits in line,
    /// a free agent who now qualifies takes it.
    fn escalate(&mut self, id: &ConversationId, out: &mut Out) {
        let c = self.conv_mut(id);
        let step = c.steps_taken;
        c.steps_taken += 1;
        let needs = c.escalation[step].needs.clone();
        c.skills = needs.skills;
        c.team = needs.team;
        self.arm_escalation(id);
        out.push(Decision::Escalated {
            conversation: id.clone(),
            step,
        });
        let c = self.conversation(id).unwrap().clone();
        if c.place == Place::Line
            && let Some(agent) = self.best_agent(&c, None)
        {
            self.assign(id, &agent, out);
        }
    }

    /// Ends open conversation `id`, resolved with these codes or, if
    /// `None`, abandoned.
    fn end(&mut self, id: &ConversationId, resolved: Option<&[String]>) {
        self.cancel_timer(&Timer::Escalate(id.clone()));
        let pos = self.open.iter().position(|c| c.id == *id).unwrap();
        let c = self.open.remove(pos);
        for admin in &c.participants {
            self.agent_mut(admin).joined.retain(|x| x != id);
        }
        if self.config.ended_retention == 0 || self.config.history_per_customer == 0 {
            return;
        }
        let last = self.last_agent.entry(c.customer.clone()).or_default();
        if let (Some(_), Some(holder)) = (resolved, c.holders.last()) {
            *last = Some(holder.clone());
        }
        self.ended.push(Ended {
            id: id.clone(),
            customer: c.customer.clone(),
            arrived: c.arrived,
            ended_at: self.now,
            holders: c.holders.clone(),
            resolved: resolved.map(<[String]>::to_vec),
        });
        let mine: Vec<usize> = (0..self.ended.len())
            .filter(|&i| self.ended[i].customer == c.customer)
            .collect();
        if mine.len() > self.config.history_per_customer {
            self.forget(mine[0]);
        }
        while self.ended.len() > self.config.ended_retention {
            self.forget(0);
        }
        self.forget_before_horizon();
    }

    fn forget(&mut self, i: usize) {
        let e = self.ended.remove(i);
        if !self.ended.iter().any(|x| x.customer == e.customer) {
            self.last_agent.remove(&e.customer);
        }
    }

    fn forget_before_horizon(&mut self) {
        if let Some(Millis(horizon)) = self.config.history_horizon {
            let cutoff = self.now.saturating_sub(horizon);
            while self.ended.first().is_some_and(|e| e.ended_at < cutoff) {
                self.forget(0);
            }
        }
    }

    // ---- events -------------------------------------------------------

    fn apply(&mut self, event: &Event, out: &mut Out) -> Result<(), Error> {
        match event {
            Event::AgentAdded {
                agent,
                spec,
                presence,
            } => {
                if self.agent(agent).is_some() {
                    return Err(Error::DuplicateAgent(agent.clone()));
                }
                let mut a = self.check_spec(spec)?;
                a.id = agent.clone();
                a.presence = *presence;
                a.join_seq = self.next_join;
                a.last_assigned = self.now;
                self.next_join += 1;
                self.agents.push(a);
                self.pull(agent, out);
            }
            Event::AgentUpdated { agent, spec } => {
                self.known_agent(agent)?;
                let new = self.check_spec(spec)?;
                let a = self.agent_mut(agent);
                a.role = new.role;
                a.capacity = new.capacity;
                a.skills = new.skills;
                a.teams = new.teams;
                a.total_capacity = new.total_capacity;
                self.pull(agent, out);
            }
            Event::AgentRemoved { agent } => {
                self.known_agent(agent)?;
                // Out of routing first: nothing may come back to it.
                let pos = self.agents.iter().position(|a| a.id == *agent).unwrap();
                let removed = self.agents[pos].clone();
                self.agents[pos].role = Role::ClientUser;
                self.requeue_all(agent, out);
                let mut awaiting: Vec<Conversation> = self
                    .open
                    .iter()
                    .filter(
                        |c| matches!(&c.place, Place::Awaiting { person, .. } if person == agent),
                    )
                    .cloned()
                    .collect();
                awaiting.sort_by_key(|c| self.line_key(c));
                for c in awaiting {
                    self.end_await(&c.id, out);
                }
                for id in removed.joined {
                    self.conv_mut(&id).participants.retain(|x| x != agent);
                    out.push(Decision::Left {
                        conversation: id,
                        admin: agent.clone(),
                    });
                }
                self.timers
                    .retain(|t| !matches!(&t.timer, Timer::WrapUpEnds(a, _) if a == agent));
                self.agents.retain(|a| a.id != *agent);
            }
            Event::PresenceChanged { agent, presence } => {
                self.known_agent(agent)?;
                let a = self.agent_mut(agent);
                a.presence = *presence;
                a.missed_offers = 0;
                if *presence == Presence::Offline && self.config.offline == OfflinePolicy::Requeue {
                    self.requeue_all(agent, out);
                }
                self.pull(agent, out);
            }
            Event::ConversationArrived { conversation, spec } => {
                self.arrive(conversation, spec, out)?
            }
            Event::ConversationResolved {
                conversation,
                by,
                dispositions,
            } => {
                self.open_conversation(conversation)?;
                let actor = self.known_agent(by)?;
                let c = self.conversation(conversation).unwrap();
                if actor.role != Role::SuperAdmin && c.place != Place::Held(by.clone()) {
                    return Err(Error::NotHolder {
                        conversation: conversation.clone(),
                        agent: by.clone(),
                    });
                }
                let allowed = &self.config.dispositions;
                if let Some(code) = dispositions
                    .iter()
                    .find(|d| !allowed.is_empty() && !allowed.contains(d))
                {
                    return Err(Error::UnknownDisposition(code.clone()));
                }
                if self.config.require_disposition && dispositions.is_empty() {
                    return Err(Error::DispositionRequired(conversation.clone()));
                }
                let (place, channel) = (c.place.clone(), c.channel);
                let holder = self.detach(conversation);
                out.push(Decision::Resolved {
                    conversation: conversation.clone(),
                    by: by.clone(),
                    holder,
                });
                self.end(conversation, Some(dispositions));
                self.after_end(&place, channel, out);
            }
            Event::ConversationAbandoned { conversation } => {
                self.open_conversation(conversation)?;
                let c = self.conversation(conversation).unwrap();
                let (place, channel) = (c.place.clone(), c.channel);
                if c.holders.is_empty() {
                    self.tallies[channel].abandoned += 1;
                }
                let holder = self.detach(conversation);
                out.push(Decision::Abandoned {
                    conversation: conversation.clone(),
                    agent: holder,
                });
                self.end(conversation, None);
                self.after_end(&place, channel, out);
            }
            Event::TransferRequested {
                conversation,
                by,
                to,
            } => self.transfer(conversation, by, to, out)?,
            Event::AdminJoined {
                conversation,
                admin,
            } => {
                self.check_admin(conversation, admin, "join conversations")?;
                if self
                    .conversation(conversation)
                    .unwrap()
                    .participants
                    .contains(admin)
                {
                    return Err(Error::AlreadyJoined {
                        conversation: conversation.clone(),
                        admin: admin.clone(),
                    });
                }
                self.conv_mut(conversation).participants.push(admin.clone());
                self.agent_mut(admin).joined.push(conversation.clone());
                out.push(Decision::Joined {
                    conversation: conversation.clone(),
                    admin: admin.clone(),
                });
            }
            Event::AdminLeft {
                conversation,
                admin,
            } => {
                self.check_admin(conversation, admin, "leave conversations")?;
                if !self
                    .conversation(conversation)
                    .unwrap()
                    .participants
                    .contains(admin)
                {
                    return Err(Error::NotJoined {
                        conversation: conversation.clone(),
                        admin: admin.clone(),
                    });
                }
                self.conv_mut(conversation)
                    .participants
                    .retain(|x| x != admin);
                self.agent_mut(admin).joined.retain(|x| x != conversation);
                out.push(Decision::Left {
                    conversation: conversation.clone(),
                    admin: admin.clone(),
                });
            }
            Event::CustomerMessage { conversation } => {
                self.open_conversation(conversation)?;
                let now = self.now;
                let c = self.conv_mut(conversation);
                if c.awaiting_reply_since.is_none() {
                    c.awaiting_reply_since = Some(now);
                    if matches!(c.place, Place::Held(_)) {
                        self.arm_response(conversation);
                    }
                }
            }
            Event::AgentReplied {
                conversation,
                agent,
            } => {
                self.open_conversation(conversation)?;
                self.known_agent(agent)?;
                let c = self.conversation(conversation).unwrap();
                if c.place != Place::Held(agent.clone()) && !c.participants.contains(agent) {
                    return Err(Error::NotHolder {
                        conversation: conversation.clone(),
                        agent: agent.clone(),
                    });
                }
                self.conv_mut(conversation).awaiting_reply_since = None;
                self.cancel_timer(&Timer::ResponseDue(conversation.clone()));
            }
            Event::OfferAccepted {
                conversation,
                agent,
            } => {
                self.check_offer(conversation, agent)?;
                self.cancel_timer(&Timer::OfferExpires(conversation.clone()));
                self.agent_mut(agent).missed_offers = 0;
                self.hold(conversation, agent, out);
            }
            Event::OfferDeclined {
                conversation,
                agent,
            } => {
                self.check_offer(conversation, agent)?;
                self.end_offer(conversation, agent, true, out);
            }
            Event::RulesReplaced { rules } => self.replace_rules(rules)?,
            Event::StatisticsReset => {
                for tally in &mut self.tallies {
                    *tally = Tally::default();
                }
            }
            Event::Tick => {
                self.fire_timers(out);
                self.forget_before_horizon();
            }
            other => panic!("the reference does not know {other:?}"),
        }
        Ok(())
    }

    fn arrive(
        &mut self,
        id: &ConversationId,
        spec: &ConversationSpec,
        out: &mut Out,
    ) -> Result<(), Error> {
        if self.conversation(id).is_some() || self.remembered(id) {
            return Err(Error::DuplicateConversation(id.clone()));
        }
        let channel = self.channel_ix(&spec.channel)?;
        // The first rule that matches, or the default: its parts fill in
        // what the spec leaves empty.
        let rule = self
            .rules
            .iter()
            .find(|r| {
                r.channel.is_none_or(|c| c == channel)
                    && r.labels.iter().all(|(k, v)| spec.labels.get(k) == Some(v))
            })
            .map(|r| &r.routing)
            .or(self.default_rule.as_ref())
            .cloned();
        let skills = match &rule {
            Some(rule) if spec.skills.is_empty() => rule.needs.skills.clone(),
            _ => self.check_skills(&spec.skills)?,
        };
        let team = match (&spec.team, &rule) {
            (Some(team), _) => Some(self.check_team(team)?),
            (None, Some(rule)) => rule.needs.team.clone(),
            (None, None) => None,
        };
        let priority = match &rule {
            Some(rule) if spec.priority == 0 => rule.priority.unwrap_or(0),
            _ => spec.priority,
        };
        let escalation = match &rule {
            Some(rule) if spec.escalation.is_empty() => rule.escalation.clone(),
            _ => self.check_steps(&spec.escalation)?,
        };
        let c = Conversation {
            id: id.clone(),
            customer: spec.customer.clone(),
            channel,
            skills,
            team,
            priority,
            seq: self.next_seq,
            arrived: self.now,
            queued_at: self.now,
            place: Place::Line,
            holders: Vec::new(),
            participants: Vec::new(),
            escalation,
            steps_taken: 0,
            awaiting_reply_since: Some(self.now),
        };
        self.next_seq += 1;
        self.open.push(c.clone());
        self.arm_escalation(id);
        let preferred = self.config.preferred_agent_wait.and_then(|wait| {
            let previous = self.last_agent.get(&c.customer)?.as_ref()?;
            let agent = self.agent(previous)?;
            self.qualifies(agent, &c).then(|| (agent.clone(), wait))
        });
        match preferred {
            Some((agent, _)) if self.eligible(&agent, &c) => self.assign(id, &agent.id, out),
            Some((agent, Millis(wait))) => self.await_person(id, &agent.id, self.now + wait, out),
            None => self.route(id, None, out),
        }
        Ok(())
    }

    fn check_team(&self, team: &str) -> Result<String, Error> {
        if self.config.teams.iter().any(|t| t == team) {
            Ok(team.to_owned())
        } else {
            Err(Error::UnknownTeam(team.to_owned()))
        }
    }

    fn check_steps(&self, steps: &[EscalationStep]) -> Result<Vec<Step>, Error> {
        let mut checked: Vec<Step> = Vec::new();
        for (i, step) in steps.iter().enumerate() {
            if checked
                .last()
                .is_some_and(|last| last.after >= step.after.0)
            {
                return Err(Error::EscalationNotIncreasing { step: i });
            }
            checked.push(Step {
                after: step.after.0,
                needs: Needs {
                    skills: self.check_skills(&step.skills)?,
                    team: step
                        .team
                        .as_deref()
                        .map(|t| self.check_team(t))
                        .transpose()?,
                },
            });
        }
        Ok(checked)
    }

    fn check_route(&self, route: &Route) -> Result<Routing, Error> {
        Ok(Routing {
            needs: Needs {
                skills: self.check_skills(&route.skills)?,
                team: route
                    .team
                    .as_deref()
                    .map(|t| self.check_team(t))
                    .transpose()?,
            },
            priority: route.priority,
            escalation: self.check_steps(&route.escalation)?,
        })
    }

    /// Checks every rule (a bad one refuses them all) and puts them in force.
    fn replace_rules(&mut self, set: &RuleSet) -> Result<(), Error> {
        let invalid = |rule, error| Error::InvalidRule {
            rule,
            error: Box::new(error),
        };
        let mut rules = Vec::new();
        for (i, rule) in set.rules.iter().enumerate() {
            let channel = match &rule.channel {
                Some(name) => Some(self.channel_ix(name).map_err(|e| invalid(Some(i), e))?),
                None => None,
            };
            rules.push(Rule {
                channel,
                labels: rule.labels.clone(),
                routing: self
                    .check_route(&rule.route)
                    .map_err(|e| invalid(Some(i), e))?,
            });
        }
        let default = match &set.default {
            Some(route) => Some(self.check_route(route).map_err(|e| invalid(None, e))?),
            None => None,
        };
        self.rules = rules;
        self.default_rule = default;
        self.config.rules = set.clone();
        Ok(())
    }

    fn check_offer(&self, id: &ConversationId, agent: &AgentId) -> Result<(), Error> {
        self.open_conversation(id)?;
        self.known_agent(agent)?;
        match &self.conversation(id).unwrap().place {
            Place::Offered { agent: a, .. } if a == agent => Ok(()),
            _ => Err(Error::NoOffer {
                conversation: id.clone(),
                agent: agent.clone(),
            }),
        }
    }

    fn check_admin(
        &self,
        conversation: &ConversationId,
        admin: &AgentId,
        action: &'static str,
    ) -> Result<(), Error> {
        self.open_conversation(conversation)?;
        let a = self.known_agent(admin)?;
        if a.role != Role::SuperAdmin {
            return Err(Error::NotPermitted {
                actor: admin.clone(),
                role: a.role,
                action,
            });
        }
        Ok(())
    }

    fn transfer(
        &mut self,
        id: &ConversationId,
        by: &AgentId,
        to: &TransferTarget,
        out: &mut Out,
    ) -> Result<(), Error> {
        self.open_conversation(id)?;
        let actor = self.known_agent(by)?.clone();
        let admin = actor.role == Role::SuperAdmin;
        let c = self.conversation(id).unwrap().clone();
        if !admin && c.place != Place::Held(by.clone()) {
            return Err(Error::NotHolder {
                conversation: id.clone(),
                agent: by.clone(),
            });
        }
        let mut new_requirement = None;
        match to {
            TransferTarget::Agent(person) => {
                let target = self.known_agent(person)?;
                if person == by {
                    return Err(Error::TransferToSelf(by.clone()));
                }
                let already = match &c.place {
                    Place::Held(h) => h == person,
                    Place::Offered { agent: p, .. } | Place::Awaiting { person: p, .. } => {
                        p == person
                    }
                    Place::Line => false,
                };
                if already {
                    return Err(Error::AlreadyWith {
                        conversation: id.clone(),
                        agent: person.clone(),
                    });
                }
                if !admin && target.role != Role::Agent {
                    return Err(Error::NotPermitted {
                        actor: by.clone(),
                        role: actor.role,
                        action: "transfer to a super admin or client user",
                    });
                }
                if target.capacity[c.channel] == 0 {
                    return Err(Error::CannotServeChannel {
                        agent: person.clone(),
                        channel: self.config.channels[c.channel].name.clone(),
                    });
                }
            }
            TransferTarget::Team(team) => {
                if !self.config.teams.contains(team) {
                    return Err(Error::UnknownTeam(team.clone()));
                }
                new_requirement = Some((BTreeMap::new(), Some(team.clone())));
            }
            TransferTarget::Skills(skills) => {
                new_requirement = Some((self.check_skills(skills)?, None));
            }
        }
        let from = self.detach(id);
        out.push(Decision::Transferred {
            conversation: id.clone(),
            from: from.clone(),
            by: by.clone(),
        });
        self.conv_mut(id).queued_at = self.now;
        match (to, new_requirement) {
            (TransferTarget::Agent(person), _) => {
                let target = self.agent(person).unwrap();
                if target.presence == Presence::Available && self.has_room(target, c.channel) {
                    self.assign(id, person, out);
                } else {
                    let until = self.now + self.config.transfer_wait.0;
                    self.await_person(id, person, until, out);
                }
            }
            (_, Some((skills, team))) => {
                self.cancel_timer(&Timer::Escalate(id.clone()));
                let conv = self.conv_mut(id);
                conv.skills = skills;
                conv.team = team;
                conv.steps_taken = conv.escalation.len();
                self.route(id, from.as_ref(), out);
            }
            _ => unreachable!(),
        }
        if let Some(h) = from {
            self.pull(&h, out);
        }
        Ok(())
    }
}
