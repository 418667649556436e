//! The routing mechanics every event is made of: list an agent as free,
//! assign, release, queue, pull. Nothing here checks host input; handlers
//! have done that before calling in.

use smallvec::SmallVec;

use super::Router;
use crate::agent::Agent;
use crate::class::{Class, ClassKey};
use crate::conversation::Holder;
use crate::decision::{Decision, Decisions};
use crate::dense::{AgentIx, ChannelIx, ClassIx, ConvIx};
use crate::history::{Happening, TimelineEntry};
use crate::id::AgentId;
use crate::strategy::{RankInput, RankKey, Strategy};
use crate::time::Timestamp;

impl Router {
    /// Whether `agent` has room for one more conversation on `channel`.
    pub(super) fn has_room(&self, agent: &Agent, channel: ChannelIx) -> bool {
        let line = &agent.channels[channel.get()];
        line.load < line.capacity
            && agent.total_capacity.is_none_or(|total| {
                agent.used_units + u64::from(self.catalog.cost(channel)) <= u64::from(total)
            })
    }

    /// The key `agent` should be listed under on `channel`, or `None` if it
    /// must not get conversations there now.
    fn wanted_listing(&self, agent: &Agent, channel: ChannelIx) -> Option<RankKey> {
        (agent.is_routable() && self.has_room(agent, channel)).then(|| {
            self.config.strategy.rank(&RankInput {
                channel_load: agent.channels[channel.get()].load,
                total_load: agent.total_load,
                last_assigned_ms: agent.last_assigned.0,
                join_seq: agent.join_seq,
            })
        })
    }

    /// Brings `a`'s entries in its classes' free-agent lines up to date.
    pub(super) fn sync(&mut self, a: AgentIx) {
        for c in self.catalog.channel_ixs() {
            let want = self.wanted_listing(&self.agents[a], c);
            let line = &mut self.agents[a].channels[c.get()];
            if want == line.listed {
                continue;
            }
            let was = std::mem::replace(&mut line.listed, want);
            for &k in &line.classes {
                let free = &mut self.classes[k].free_agents;
                if let Some(key) = was {
                    free.remove(&(key, a));
                }
                if let Some(key) = want {
                    free.insert((key, a));
                }
            }
        }
    }

    /// Takes `a` out of every free-agent line, as before a change of spec.
    pub(super) fn unlist(&mut self, a: AgentIx) {
        for line in self.agents[a].channels.iter_mut() {
            if let Some(key) = line.listed.take() {
                for &k in &line.classes {
                    self.classes[k].free_agents.remove(&(key, a));
                }
            }
        }
    }

    /// Fills `a`'s class lists from the existing classes of its channels.
    /// Costs one look at each class of each channel the agent has.
    pub(super) fn join_classes(&mut self, a: AgentIx) {
        let agent = &self.agents[a];
        if !agent.role.is_routed() {
            return;
        }
        let mut found: Vec<(ChannelIx, ClassIx)> = Vec::new();
        for c in self.catalog.channel_ixs() {
            if agent.channels[c.get()].capacity == 0 {
                continue;
            }
            for &k in &self.channels[c.get()].classes {
                if is_eligible(agent, &self.classes[k].key) {
                    found.push((c, k));
                }
            }
        }
        let agent = &mut self.agents[a];
        for line in agent.channels.iter_mut() {
            line.classes.clear();
        }
        for (c, k) in found {
            agent.channels[c.get()].classes.push(k);
        }
    }

    /// The class for `key`, made if new. A new class finds its members
    /// among the routed agents of the narrowest of its channel, skills and team.
    pub(super) fn class_for(&mut self, key: ClassKey) -> ClassIx {
        if let Some(&k) = self.class_ids.get(&key) {
            return k;
        }
        let channel = key.channel;
        let mut candidates = &self.channels[channel.get()].members;
        for (skill, _) in key.skills.iter() {
            let list = &self.skill_members[skill.get()];
            if list.len() < candidates.len() {
                candidates = list;
            }
        }
        if let Some(team) = key.team {
            let list = &self.team_members[team.get()];
            if list.len() < candidates.len() {
                candidates = list;
            }
        }
        let members: Vec<AgentIx> = candidates
            .iter()
            .copied()
            .filter(|&a| {
                let agent = &self.agents[a];
                agent.channels[channel.get()].capacity > 0 && is_eligible(agent, &key)
            })
            .collect();
        let k = self.classes.insert(Class::new(key.clone()));
        self.class_ids.insert(key, k);
        self.channels[channel.get()].classes.push(k);
        for a in members {
            let line = &mut self.agents[a].channels[channel.get()];
            line.classes.push(k);
            if let Some(rank) = line.listed {
                self.classes[k].free_agents.insert((rank, a));
            }
        }
        k
    }

    /// Gives waiting-or-new conversation `ci` to `a`.
    pub(super) fn assign(&mut self, ci: ConvIx, a: AgentIx, out: &mut Decisions) {
        let now = self.now;
        let agent_id = self.agents[a].id.clone();
        let conversation = &mut self.conversations[ci];
        conversation.holder = Holder::Agent(a);
        conversation.agents.push(agent_id.clone());
        conversation.timeline.push(TimelineEntry {
            at: now,
            actor: None,
            happening: Happening::Assigned {
                agent: agent_id.clone(),
            },
        });
        let channel = conversation.channel;
        let waited = now - conversation.queued_at;
        let cost = u64::from(self.catalog.cost(channel));
        let agent = &mut self.agents[a];
        agent.channels[channel.get()].load += 1;
        agent.total_load += 1;
        agent.used_units += cost;
        agent.inbox.push(ci);
        agent.last_assigned = now;
        if let Some(key) = agent.channels[channel.get()].listed
            && self.config.strategy == Strategy::RoundRobin
        {
            self.channels[channel.get()].cursor = Some(key);
        }
        self.sync(a);
        out.push(Decision::Assigned {
            conversation: self.conversations[ci].id.clone(),
            agent: agent_id,
            waited,
        });
    }

    /// Frees the slot `ci` holds on its agent, and returns that agent.
    /// The conversation's holder is left for the caller to set.
    pub(super) fn release(&mut self, ci: ConvIx) -> AgentIx {
        let conversation = &self.conversations[ci];
        let Holder::Agent(a) = conversation.holder else {
            unreachable!("release is only called for assigned conversations")
        };
        let channel = conversation.channel;
        let cost = u64::from(self.catalog.cost(channel));
        let agent = &mut self.agents[a];
        agent.channels[channel.get()].load -= 1;
        agent.total_load -= 1;
        agent.used_units -= cost;
        if let Some(pos) = agent.inbox.iter().position(|&x| x == ci) {
            agent.inbox.remove(pos);
        }
        self.sync(a);
        a
    }

    /// Puts `ci` in line and reports its position.
    fn enqueue(&mut self, ci: ConvIx, out: &mut Decisions) {
        let now = self.now;
        let conversation = &mut self.conversations[ci];
        conversation.holder = Holder::Queue;
        conversation.timeline.push(TimelineEntry {
            at: now,
            actor: None,
            happening: Happening::Queued,
        });
        let (key, class, channel) = (conversation.key, conversation.class, conversation.channel);
        self.classes[class].queue.insert((key, ci));
        let waiting = &mut self.channels[channel.get()].waiting;
        waiting.insert(key);
        out.push(Decision::Queued {
            conversation: self.conversations[ci].id.clone(),
            ahead: waiting.rank(&key),
        });
    }

    /// Takes waiting `ci` out of line.
    pub(super) fn dequeue(&mut self, ci: ConvIx) {
        let conversation = &self.conversations[ci];
        let (key, class, channel) = (conversation.key, conversation.class, conversation.channel);
        self.classes[class].queue.remove(&(key, ci));
        self.channels[channel.get()].waiting.remove(&key);
    }

    /// Gives `ci` (detached) to the best free eligible agent other than
    /// `skip`, or puts it in line.
    pub(super) fn route(&mut self, ci: ConvIx, skip: Option<AgentIx>, out: &mut Decisions) {
        let conversation = &self.conversations[ci];
        let cursor = self.channels[conversation.channel.get()].cursor;
        match self.classes[conversation.class].best_agent(cursor, skip) {
            Some(a) => self.assign(ci, a, out),
            None => self.enqueue(ci, out),
        }
    }

    /// Lets `a` take, once per free slot, first what waits for it alone,
    /// then the first conversation in line it is eligible for.
    pub(super) fn pull(&mut self, a: AgentIx, out: &mut Decisions) {
        while let Some(ci) = self.first_in_line_for(a) {
            self.detach(ci);
            self.assign(ci, a, out);
        }
    }

    /// What `a` should take next, if anything.
    fn first_in_line_for(&self, a: AgentIx) -> Option<ConvIx> {
        let agent = &self.agents[a];
        if agent.presence.is_routable() {
            let awaiting = agent
                .awaiting
                .iter()
                .find(|&&(_, ci)| self.has_room(agent, self.conversations[ci].channel));
            if let Some(&(_, ci)) = awaiting {
                return Some(ci);
            }
        }
        agent
            .channels
            .iter()
            .filter(|line| line.listed.is_some())
            .flat_map(|line| line.classes.iter())
            .filter_map(|&k| self.classes[k].head())
            .min()
            .map(|(_, ci)| ci)
    }

    /// Makes `ci` wait for person `p` only, until `until`.
    pub(super) fn await_person(
        &mut self,
        ci: ConvIx,
        p: AgentIx,
        until: Timestamp,
        out: &mut Decisions,
    ) {
        let now = self.now;
        let agent_id = self.agents[p].id.clone();
        let conversation = &mut self.conversations[ci];
        conversation.holder = Holder::Awaiting(p, until);
        conversation.timeline.push(TimelineEntry {
            at: now,
            actor: None,
            happening: Happening::Awaiting {
                agent: agent_id.clone(),
            },
        });
        conversation.queued_at = now;
        let key = conversation.key;
        self.timers.insert((until, key.seq, ci));
        let awaiting = &mut self.agents[p].awaiting;
        awaiting.insert((key, ci));
        out.push(Decision::Awaiting {
            conversation: self.conversations[ci].id.clone(),
            agent: agent_id,
            ahead: awaiting.range(..(key, ci)).count(),
            until,
        });
    }

    /// Takes `ci` out of wherever it is (line, awaiting, or a holder's slot)
    /// and returns the person who held it, if any.
    pub(super) fn detach(&mut self, ci: ConvIx) -> Option<AgentIx> {
        match self.conversations[ci].holder {
            Holder::Queue => {
                self.dequeue(ci);
                None
            }
            Holder::Awaiting(p, until) => {
                let key = self.conversations[ci].key;
                self.timers.remove(&(until, key.seq, ci));
                self.agents[p].awaiting.remove(&(key, ci));
                None
            }
            Holder::Agent(_) => Some(self.release(ci)),
        }
    }

    /// Ends `ci`'s wait for a person and routes it as if it were requeued.
    pub(super) fn end_await(&mut self, ci: ConvIx, out: &mut Decisions) {
        let Holder::Awaiting(p, _) = self.conversations[ci].holder else {
            unreachable!("end_await is only called for awaiting conversations")
        };
        self.detach(ci);
        let agent: AgentId = self.agents[p].id.clone();
        self.note(
            ci,
            None,
            Happening::AwaitEnded {
                agent: agent.clone(),
            },
        );
        out.push(Decision::AwaitEnded {
            conversation: self.conversations[ci].id.clone(),
            agent,
        });
        self.route(ci, None, out);
    }

    /// Fires every deadline at or before now.
    pub(super) fn fire_timers(&mut self, out: &mut Decisions) {
        while let Some(&(at, _, ci)) = self.timers.first() {
            if at > self.now {
                break;
            }
            self.end_await(ci, out);
        }
    }

    /// Adds a line to `ci`'s timeline at the current time.
    pub(super) fn note(&mut self, ci: ConvIx, actor: Option<AgentId>, happening: Happening) {
        let at = self.now;
        self.conversations[ci].timeline.push(TimelineEntry {
            at,
            actor,
            happening,
        });
    }

    /// Takes every conversation from `a` (which must be unlisted) and puts
    /// each back in line, in line order, or straight to a free agent.
    pub(super) fn requeue_all(&mut self, a: AgentIx, out: &mut Decisions) {
        let mut held: SmallVec<[ConvIx; 16]> = self.agents[a].inbox.iter().copied().collect();
        held.sort_unstable_by_key(|&ci| self.conversations[ci].key);
        let from = self.agents[a].id.clone();
        for ci in held {
            self.release(ci);
            self.note(ci, None, Happening::Requeued { from: from.clone() });
            let conversation = &mut self.conversations[ci];
            conversation.queued_at = self.now;
            out.push(Decision::Requeued {
                conversation: conversation.id.clone(),
                from: from.clone(),
            });
            self.route(ci, None, out);
        }
    }
}

/// Whether `agent`'s skills and teams meet `class` (channel permission aside).
pub(super) fn is_eligible(agent: &Agent, class: &ClassKey) -> bool {
    agent.role.is_routed()
        && agent.skills.satisfies(&class.skills)
        && class
            .team
            .is_none_or(|t| agent.teams.binary_search(&t).is_ok())
}
