//! One method per event: check everything the host sent, then change state.
//!
//! Each handler returns early with an `Error` before its first mutation, so
//! a refused event changes nothing.

use std::num::NonZeroU32;

use smallvec::SmallVec;

use super::Router;
use crate::agent::{Agent, AgentSpec, Presence, Role};
use crate::class::ClassKey;
use crate::config::{MAX_CAPACITY, OfflinePolicy};
use crate::conversation::{Conversation, ConversationSpec, Holder, QueueKey};
use crate::decision::{Decision, Decisions};
use crate::dense::{AgentIx, ChannelIx, ConvIx, TeamIx};
use crate::error::Error;
use crate::history::{Happening, Outcome};
use crate::id::{AgentId, ConversationId};
use crate::line::MAX_NEW_LINES_PER_CLASS;
use crate::rules::parse_steps;
use crate::skill::SkillSet;
use crate::stats::Occupancy;

/// An agent spec with every name checked and interned.
struct ParsedSpec {
    role: Role,
    capacities: Vec<u32>,
    skills: SkillSet,
    teams: SmallVec<[TeamIx; 2]>,
    total_capacity: Option<u32>,
}

impl Router {
    /// Whether the lines an agent of `spec` may make (one per skill level
    /// per channel, see `join_lines`) fit under the index width.
    fn check_room_for_levels(&self, spec: &ParsedSpec) -> Result<(), Error> {
        let most = spec.skills.0.len() * spec.capacities.len();
        if self.lines.has_room_for(most) {
            Ok(())
        } else {
            Err(Error::Full("free-agent line"))
        }
    }

    fn parse_spec(&self, spec: &AgentSpec) -> Result<ParsedSpec, Error> {
        if let Some(total) = spec.total_capacity.filter(|&t| t > MAX_CAPACITY) {
            return Err(Error::CapacityTooLarge {
                capacity: total,
                max: MAX_CAPACITY,
            });
        }
        Ok(ParsedSpec {
            role: spec.role,
            capacities: self.catalog.capacities(&spec.channels)?,
            skills: self.catalog.skills(&spec.skills)?,
            teams: self.catalog.teams(&spec.teams)?,
            total_capacity: spec.total_capacity,
        })
    }

    pub(super) fn agent_ix(&self, agent: &AgentId) -> Result<AgentIx, Error> {
        self.agent_ids
            .get(agent)
            .copied()
            .ok_or_else(|| Error::UnknownAgent(agent.clone()))
    }

    /// The open conversation `id`, or why there is none.
    pub(super) fn open_conversation(&self, id: &ConversationId) -> Result<ConvIx, Error> {
        match self.conversation_ids.get(id) {
            Some(&ci) => Ok(ci),
            None if self.history.contains(id) => Err(Error::ConversationEnded(id.clone())),
            None => Err(Error::UnknownConversation(id.clone())),
        }
    }

    pub(super) fn add_agent(
        &mut self,
        id: AgentId,
        spec: &AgentSpec,
        presence: Presence,
        out: &mut Decisions,
    ) -> Result<(), Error> {
        if self.agent_ids.contains_key(&id) {
            return Err(Error::DuplicateAgent(id));
        }
        let spec = self.parse_spec(spec)?;
        if !self.agents.has_room() {
            return Err(Error::Full("agent"));
        }
        self.check_room_for_levels(&spec)?;
        if self.next_join_seq == NonZeroU32::MAX {
            self.renumber_joins();
        }
        let mut agent = Agent {
            id: id.clone(),
            role: spec.role,
            presence,
            skills: spec.skills,
            teams: spec.teams,
            total_capacity: spec.total_capacity,
            used_units: 0,
            total_load: 0,
            join_seq: self.next_join_seq,
            last_assigned: self.now,
            channels: Vec::new(),
            inbox: SmallVec::new(),
            joined: SmallVec::new(),
            missed_offers: 0,
            awaited: 0,
            wrap_ups: SmallVec::new(),
            occupancy: Occupancy {
                epoch: self.stats_epoch,
                until: self.now,
                ..Occupancy::default()
            },
        };
        agent.set_capacities(&spec.capacities);
        self.next_join_seq = self.next_join_seq.saturating_add(1);
        let a = self.agents.insert(agent);
        self.agent_ids.insert(id, a);
        self.settle(a, out);
        Ok(())
    }

    pub(super) fn update_agent(
        &mut self,
        id: &AgentId,
        spec: &AgentSpec,
        out: &mut Decisions,
    ) -> Result<(), Error> {
        let a = self.agent_ix(id)?;
        let spec = self.parse_spec(spec)?;
        self.check_room_for_levels(&spec)?;
        self.account(a);
        let agent = &self.agents[a];
        let same_classes = agent.role == spec.role
            && agent.skills == spec.skills
            && agent.teams == spec.teams
            && (self.catalog.channel_ixs())
                .zip(&spec.capacities)
                .all(|(c, &capacity)| (agent.capacity_on(c) > 0) == (capacity > 0));
        if same_classes {
            // Only capacities changed: the agent serves the same classes,
            // so its places in their lines stay, brought up to date as
            // after any change of load.
            let agent = &mut self.agents[a];
            agent.total_capacity = spec.total_capacity;
            agent.set_capacities(&spec.capacities);
            self.sync(a);
            self.pull(a, out);
            return Ok(());
        }
        self.unsettle(a);
        let agent = &mut self.agents[a];
        agent.role = spec.role;
        agent.skills = spec.skills;
        agent.teams = spec.teams;
        agent.total_capacity = spec.total_capacity;
        agent.set_capacities(&spec.capacities);
        self.settle(a, out);
        Ok(())
    }

    pub(super) fn remove_agent(&mut self, id: &AgentId, out: &mut Decisions) -> Result<(), Error> {
        let a = self.agent_ix(id)?;
        self.unsettle(a);
        // Unlisted and in no class: nothing can route back to it.
        self.requeue_all(a, out);
        let awaiting: SmallVec<[ConvIx; 8]> = self.awaiting_for(a).collect();
        for ci in awaiting {
            self.end_await(ci, out);
        }
        for ci in std::mem::take(&mut self.agents[a].joined) {
            self.drop_participant(ci, a, None, out);
        }
        for timer in std::mem::take(&mut self.agents[a].wrap_ups) {
            self.timers.cancel(timer);
        }
        self.agents.remove(a);
        self.agent_ids.remove(id);
        Ok(())
    }

    pub(super) fn change_presence(
        &mut self,
        id: &AgentId,
        presence: Presence,
        out: &mut Decisions,
    ) -> Result<(), Error> {
        let a = self.agent_ix(id)?;
        self.account(a);
        let agent = &mut self.agents[a];
        agent.presence = presence;
        agent.missed_offers = 0;
        self.sync(a);
        if presence == Presence::Offline && self.config.offline == OfflinePolicy::Requeue {
            self.requeue_all(a, out);
        }
        self.pull(a, out);
        Ok(())
    }

    pub(super) fn arrive(
        &mut self,
        id: ConversationId,
        spec: &ConversationSpec,
        out: &mut Decisions,
    ) -> Result<(), Error> {
        if self.conversation_ids.contains_key(&id) || self.history.contains(&id) {
            return Err(Error::DuplicateConversation(id));
        }
        let channel = self.catalog.channel(&spec.channel)?;
        let rule = self.rules.route_for(channel, &spec.labels);
        let skills = match rule {
            Some(rule) if spec.skills.is_empty() => rule.skills.clone(),
            _ => self.catalog.skills(&spec.skills)?,
        };
        let team = match (&spec.team, rule) {
            (Some(team), _) => Some(self.catalog.team(team)?),
            (None, Some(rule)) => rule.team,
            (None, None) => None,
        };
        let priority = match rule {
            Some(rule) if spec.priority == 0 => rule.priority.unwrap_or(0),
            _ => spec.priority,
        };
        let escalation = match rule {
            Some(rule) if spec.escalation.is_empty() => rule.escalation.clone(),
            _ => parse_steps(&self.catalog, &spec.escalation)?,
        };
        if !self.conversations.has_room() {
            return Err(Error::Full("conversation"));
        }
        let key = ClassKey {
            channel,
            skills,
            team,
        };
        let step_keys: SmallVec<[ClassKey; 4]> = escalation
            .iter()
            .map(|step| ClassKey {
                channel,
                skills: step.skills.clone(),
                team: step.team,
            })
            .collect();
        let new_classes = std::iter::once(&key)
            .chain(&step_keys)
            .filter(|k| !self.class_ids.contains_key(*k))
            .count();
        if !self.classes.has_room_for(new_classes) {
            return Err(Error::Full("routing class"));
        }
        if !self
            .lines
            .has_room_for(new_classes * MAX_NEW_LINES_PER_CLASS)
        {
            return Err(Error::Full("free-agent line"));
        }
        let class = self.class_for(key);
        for step in step_keys {
            self.class_for(step);
        }
        let seq = self.next_arrival_seq;
        self.next_arrival_seq += 1;
        let key = QueueKey::new(priority, self.now, seq, self.config.priority_aging);
        let ci = self.conversations.insert(Conversation::new(
            id.clone(),
            spec.customer.clone(),
            (channel, class),
            (priority, key),
            self.now,
            escalation,
        ));
        self.arm_escalation(ci);
        self.conversation_ids.insert(id, ci);
        match self.preferred_agent(ci) {
            Some(p) if self.wanted_listing(&self.agents[p], channel).is_some() => {
                self.assign(ci, p, out)
            }
            Some(p) => {
                let wait = self.config.preferred_agent_wait.unwrap_or_default();
                self.await_person(ci, p, self.now + wait, out)
            }
            None => self.route(ci, None, out),
        }
        Ok(())
    }

    pub(super) fn resolve(
        &mut self,
        id: &ConversationId,
        by: &AgentId,
        dispositions: Vec<String>,
        out: &mut Decisions,
    ) -> Result<(), Error> {
        let ci = self.open_conversation(id)?;
        let a = self.agent_ix(by)?;
        let is_holder = self.conversations[ci].holder == Holder::Agent(a);
        if !is_holder && self.agents[a].role != Role::SuperAdmin {
            return Err(Error::NotHolder {
                conversation: id.clone(),
                agent: by.clone(),
            });
        }
        let allowed = &self.config.dispositions;
        if let Some(code) = dispositions
            .iter()
            .find(|&code| !allowed.is_empty() && !allowed.contains(code))
        {
            return Err(Error::UnknownDisposition(code.clone()));
        }
        if self.config.require_disposition && dispositions.is_empty() {
            return Err(Error::DispositionRequired(id.clone()));
        }
        let held_by = self.conversations[ci].holder;
        let holder = self.detach(ci);
        self.note(ci, Some(by.clone()), Happening::Resolved { dispositions });
        out.push(Decision::Resolved {
            conversation: id.clone(),
            by: by.clone(),
            holder: holder.map(|h| self.agents[h].id.clone()),
        });
        let channel = self.end(ci, Outcome::Resolved);
        self.after_end(held_by, channel, out);
        Ok(())
    }

    pub(super) fn abandon(
        &mut self,
        id: &ConversationId,
        out: &mut Decisions,
    ) -> Result<(), Error> {
        let ci = self.open_conversation(id)?;
        let conversation = &self.conversations[ci];
        let held_by = conversation.holder;
        if conversation.agents().is_empty() {
            let epoch = self.stats_epoch;
            self.channels[conversation.channel.get()]
                .tally
                .abandon(epoch);
            self.classes[conversation.class].tally.abandon(epoch);
        }
        let holder = self.detach(ci);
        self.note(ci, None, Happening::Abandoned);
        out.push(Decision::Abandoned {
            conversation: id.clone(),
            agent: holder.map(|h| self.agents[h].id.clone()),
        });
        let channel = self.end(ci, Outcome::Abandoned);
        self.after_end(held_by, channel, out);
        Ok(())
    }

    /// After a conversation that was `held_by` ended: its agent wraps up
    /// (if it held it and the channel says so) and takes what waits.
    fn after_end(&mut self, held_by: Holder, channel: ChannelIx, out: &mut Decisions) {
        if let Holder::Agent(a) = held_by {
            self.start_wrap_up(a, channel, out);
        }
        if let Some(a) = held_by.slot() {
            self.pull(a, out);
        }
    }

    /// Forgets detached conversation `ci` as open and hands it to history;
    /// returns its channel.
    fn end(&mut self, ci: ConvIx, outcome: Outcome) -> ChannelIx {
        if let Some(timer) = self.conversations[ci].timers().escalation {
            self.timers.cancel(timer);
        }
        let participants: SmallVec<[AgentIx; 4]> = self.conversations[ci]
            .participants()
            .iter()
            .copied()
            .collect();
        for admin in participants {
            self.agents[admin].joined.retain(|&mut x| x != ci);
        }
        // `ci` comes from `open_conversation`, so it is live.
        let mut conversation = self
            .conversations
            .remove(ci)
            .expect("an open conversation is in the slab");
        self.conversation_ids.remove(&conversation.id);
        let channel = conversation.channel;
        // A conversation that only waited has no story yet: the history
        // wants one, made in spare memory.
        conversation.story_from(&mut self.spare_stories);
        let (id, ending, story) = conversation.into_ending(outcome);
        let timeline = self.history.record(id, ending, self.now, &self.config);
        self.spare_stories.keep(story, timeline);
        channel
    }

    /// Enters `a` in the candidate lists and classes its spec qualifies it
    /// for, lists it where it has room, and lets it pull waiting work.
    fn settle(&mut self, a: AgentIx, out: &mut Decisions) {
        let agent = &self.agents[a];
        if agent.role.is_routed() {
            for line in &agent.channels {
                if line.capacity > 0 {
                    self.channels[line.channel.get()].members.insert(a);
                }
            }
            for (skill, _) in agent.skills.iter() {
                self.skill_members[skill.get()].insert(a);
            }
            for team in &agent.teams {
                self.team_members[team.get()].insert(a);
            }
        }
        self.join_lines(a);
        self.sync(a);
        self.pull(a, out);
    }

    /// Undoes `settle`'s lists and listings, keeping what `a` holds.
    fn unsettle(&mut self, a: AgentIx) {
        self.unlist(a);
        let agent = &mut self.agents[a];
        for line in agent.channels.iter_mut() {
            line.lines = SmallVec::new();
        }
        for line in &mut self.channels {
            line.members.remove(a);
        }
        for (skill, _) in agent.skills.iter() {
            self.skill_members[skill.get()].remove(a);
        }
        for team in &agent.teams {
            self.team_members[team.get()].remove(a);
        }
    }
}
