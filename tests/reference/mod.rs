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
    Event, MAX_CAPACITY, Millis, OfflinePolicy, Presence, Role, SkillLevel, Strategy, Timestamp,
    TransferTarget,
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
}

/// Where an open conversation is.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    Line,
    /// `set` orders timers due at the same time: the order they were set.
    Awaiting {
        person: AgentId,
        until: u64,
        set: u64,
    },
    Held(AgentId),
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
}

/// A remembered ended conversation.
#[derive(Clone, Debug, PartialEq)]
struct Ended {
    id: ConversationId,
    customer: CustomerId,
    ended_at: u64,
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
        }
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

    // ---- lookups ------------------------------------------------------

    pub fn agent(&self, id: &AgentId) -> Option<&Agent> {
        self.agents.iter().find(|a| a.id == *id)
    }

    fn agent_mut(&mut self, id: &AgentId) -> &mut Agent {
        self.agents.iter_mut().find(|a| a.id == *id).unwrap()
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
        agent
            .inbox
            .iter()
            .map(|id| self.cost(self.conversation(id).unwrap().channel))
            .sum()
    }

    pub fn has_room(&self, agent: &Agent, channel: usize) -> bool {
        self.load(agent, channel) < agent.capacity[channel]
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

    fn assign(&mut self, id: &ConversationId, agent: &AgentId, out: &mut Out) {
        let now = self.now;
        let c = self.conv_mut(id);
        c.place = Place::Held(agent.clone());
        c.holders.push(agent.clone());
        let (channel, waited) = (c.channel, now - c.queued_at);
        let a = self.agent_mut(agent);
        a.inbox.push(id.clone());
        a.last_assigned = now;
        if a.role == Role::Agent {
            let seq = a.join_seq;
            self.cursor[channel] = Some(seq);
        }
        out.push(Decision::Assigned {
            conversation: id.clone(),
            agent: agent.clone(),
            waited: Millis(waited),
        });
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
            self.assign(&id, agent, out);
        }
    }

    /// Takes `id` out of its place; returns who held it.
    fn detach(&mut self, id: &ConversationId) -> Option<AgentId> {
        let c = self.conv_mut(id);
        let place = std::mem::replace(&mut c.place, Place::Line);
        match place {
            Place::Held(holder) => {
                self.agent_mut(&holder).inbox.retain(|x| x != id);
                Some(holder)
            }
            _ => None,
        }
    }

    fn await_person(&mut self, id: &ConversationId, person: &AgentId, until: u64, out: &mut Out) {
        let now = self.now;
        let set = self.timers_set;
        self.timers_set += 1;
        let c = self.conv_mut(id);
        c.place = Place::Awaiting {
            person: person.clone(),
            until,
            set,
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

    fn requeue_all(&mut self, agent: &AgentId, out: &mut Out) {
        let mut held = self.agent(agent).unwrap().inbox.clone();
        held.sort_by_key(|id| self.line_key(self.conversation(id).unwrap()));
        for id in held {
            self.detach(&id);
            self.conv_mut(&id).queued_at = self.now;
            out.push(Decision::Requeued {
                conversation: id.clone(),
                from: agent.clone(),
            });
            self.route(&id, None, out);
        }
    }

    fn end(&mut self, id: &ConversationId, resolved: bool) {
        let pos = self.open.iter().position(|c| c.id == *id).unwrap();
        let c = self.open.remove(pos);
        for admin in &c.participants {
            self.agent_mut(admin).joined.retain(|x| x != id);
        }
        if self.config.ended_retention == 0 || self.config.history_per_customer == 0 {
            return;
        }
        let last = self.last_agent.entry(c.customer.clone()).or_default();
        if let (true, Some(holder)) = (resolved, c.holders.last()) {
            *last = Some(holder.clone());
        }
        self.ended.push(Ended {
            id: id.clone(),
            customer: c.customer.clone(),
            ended_at: self.now,
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
                self.agents.retain(|a| a.id != *agent);
            }
            Event::PresenceChanged { agent, presence } => {
                self.known_agent(agent)?;
                self.agent_mut(agent).presence = *presence;
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
                let holder = self.detach(conversation);
                out.push(Decision::Resolved {
                    conversation: conversation.clone(),
                    by: by.clone(),
                    holder: holder.clone(),
                });
                self.end(conversation, true);
                if let Some(h) = holder {
                    self.pull(&h, out);
                }
            }
            Event::ConversationAbandoned { conversation } => {
                self.open_conversation(conversation)?;
                let holder = self.detach(conversation);
                out.push(Decision::Abandoned {
                    conversation: conversation.clone(),
                    agent: holder.clone(),
                });
                self.end(conversation, false);
                if let Some(h) = holder {
                    self.pull(&h, out);
                }
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
            Event::CustomerMessage { conversation } => self.open_conversation(conversation)?,
            Event::Tick => {
                let mut due: Vec<(u64, u64, ConversationId)> = self
                    .open
                    .iter()
                    .filter_map(|c| match c.place {
                        Place::Awaiting { until, set, .. } if until <= self.now => {
                            Some((until, set, c.id.clone()))
                        }
                        _ => None,
                    })
                    .collect();
                due.sort();
                for (_, _, id) in due {
                    self.end_await(&id, out);
                }
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
        let skills = self.check_skills(&spec.skills)?;
        if let Some(team) = spec
            .team
            .as_ref()
            .filter(|t| !self.config.teams.contains(t))
        {
            return Err(Error::UnknownTeam(team.clone()));
        }
        let c = Conversation {
            id: id.clone(),
            customer: spec.customer.clone(),
            channel,
            skills,
            team: spec.team.clone(),
            priority: spec.priority,
            seq: self.next_seq,
            arrived: self.now,
            queued_at: self.now,
            place: Place::Line,
            holders: Vec::new(),
            participants: Vec::new(),
        };
        self.next_seq += 1;
        self.open.push(c.clone());
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
                    Place::Awaiting { person: p, .. } => p == person,
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
                let conv = self.conv_mut(id);
                conv.skills = skills;
                conv.team = team;
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
