//! The routing mechanics every event is made of: list an agent as free,
//! assign, release, queue, pull. Nothing here checks host input; handlers
//! have done that before calling in.

use std::num::NonZeroU32;

use smallvec::SmallVec;

use super::Router;
use crate::agent::{Agent, AgentChannel, Presence};
use crate::class::{Class, ClassKey};
use crate::conversation::{ByChannel, ByClass, Holder, QueueKey};
use crate::decision::{Decision, Decisions};
use crate::dense::{AgentIx, ChannelIx, ClassIx, ConvIx, LineIx, SkillIx, TeamIx};
use crate::history::{Happening, TimelineEntry};
use crate::id::AgentId;
use crate::line::{Draw, Entry, Levels, Line, LineKey, Membership};
use crate::sorted_set::Iter;
use crate::strategy::{RankInput, RankKey, Strategy};
use crate::time::Timestamp;
use crate::timer::{Timer, TimerKey};

impl Router {
    /// Whether `agent` has room for one more conversation on `channel`.
    pub(super) fn has_room(&self, agent: &Agent, channel: ChannelIx) -> bool {
        agent
            .on(channel)
            .is_some_and(|on| self.has_room_on(agent, on))
    }

    /// Whether `agent` has room for one more conversation on the channel
    /// of `on`, its state there.
    fn has_room_on(&self, agent: &Agent, on: &AgentChannel) -> bool {
        on.load + on.wrapping < on.capacity
            && agent.total_capacity.is_none_or(|total| {
                agent.used_units + u64::from(self.catalog.cost(on.channel)) <= u64::from(total)
            })
    }

    /// The key `agent` should be listed under on `channel`, or `None` if it
    /// must not get conversations there now.
    pub(super) fn wanted_listing(&self, agent: &Agent, channel: ChannelIx) -> Option<RankKey> {
        self.wanted_listing_on(agent, agent.on(channel)?)
    }

    /// [`wanted_listing`](Self::wanted_listing) on the channel of `on`,
    /// the agent's state there.
    fn wanted_listing_on(&self, agent: &Agent, on: &AgentChannel) -> Option<RankKey> {
        (agent.is_routable() && self.has_room_on(agent, on)).then(|| {
            self.config.strategy.rank(&RankInput {
                channel_load: on.load,
                total_load: agent.total_load,
                last_assigned_ms: agent.last_assigned.0,
                join_seq: agent.join_seq,
            })
        })
    }

    /// Brings `a`'s entries in its free-agent lines up to date, lazily: an
    /// entry whose key is at or below the agent's wanted key stays, as a
    /// lower bound that [`best_agent`](Self::best_agent) checks and fixes
    /// when it comes first in a line. Only a new listing, or a key that
    /// dropped below the listed one, is written at once.
    ///
    /// An assignment only raises an agent's keys, so it costs nothing
    /// here; nor does a release that returns an agent to the key it is
    /// listed at.
    pub(super) fn sync(&mut self, a: AgentIx) {
        for at in 0..self.agents[a].channels.len() {
            let agent = &self.agents[a];
            let line = &agent.channels[at];
            let want = self.wanted_listing_on(agent, line);
            let listed = line.listed(agent.join_seq);
            if want.is_some() && listed.is_none_or(|have| want < Some(have)) {
                self.relist(a, at, want);
            }
        }
    }

    /// Lists `a` under `want` (or nowhere) in every line of its channel
    /// at `at` in [`Agent::channels`].
    fn relist(&mut self, a: AgentIx, at: usize, want: Option<RankKey>) {
        let agent = &mut self.agents[a];
        let line = &mut agent.channels[at];
        let was = line.listed(agent.join_seq);
        line.set_listed(want);
        for Membership { line: l, hint } in line.lines.iter_mut() {
            let free = &mut self.lines[*l].free;
            match (was, want) {
                (Some(was), Some(want)) => {
                    free.replace(&Entry::new(was, a), Entry::new(want, a), hint)
                }
                (Some(was), None) => _ = free.remove(&Entry::new(was, a), hint),
                (None, Some(want)) => _ = free.insert(Entry::new(want, a), hint),
                (None, None) => {}
            }
        }
    }

    /// The lines class `k` draws its free agents from.
    fn drawn_lines(&self, k: ClassIx) -> SmallVec<[LineIx; 6]> {
        let class = &self.classes[k];
        match class.draw {
            Draw::Own(l) | Draw::Shared(l) => SmallVec::from_elem(l, 1),
            Draw::Levels { skill, from } => self
                .skill_levels
                .get(&(class.key.channel, skill))
                .into_iter()
                .flat_map(|levels| &levels.lines)
                .filter(|&&(level, _)| level >= from)
                .map(|&(_, l)| l)
                .collect(),
        }
    }

    /// The best free agent of class `k` other than `skip`: the first by
    /// strategy key across the lines it draws from (for round robin, the
    /// first after the channel's cursor, wrapping around).
    ///
    /// Entries are lower bounds of their agents' keys (see
    /// [`sync`](Self::sync)): the first entry whose agent is wanted at
    /// exactly that key is the best, since every agent passed over was
    /// fixed first and every later entry is at most its agent's key. An
    /// entry met out of date is fixed, and the search starts again. An
    /// agent is in at most one of a class's lines.
    pub(super) fn best_agent(&mut self, k: ClassIx, skip: Option<AgentIx>) -> Option<AgentIx> {
        let channel = self.classes[k].key.channel;
        let cursor = match self.config.strategy {
            Strategy::RoundRobin => self.channels[channel.get()].cursor,
            _ => None,
        };
        let after = cursor.map(|c| Entry::new(c, AgentIx(u32::MAX)));
        let lines = self.drawn_lines(k);
        loop {
            // The first entry of each line in (wrapped, key, agent) order:
            // entries after the cursor before those that wrap around.
            let mut first: Option<(bool, Entry)> = None;
            for &l in &lines {
                let free = &self.lines[l].free;
                let not_skipped =
                    |mut entries: Iter<'_, Entry>| entries.find(|e| Some(e.agent()) != skip);
                // The first entry alone is found without a range search.
                let first_not_skipped = || match free.first() {
                    Some(e) if Some(e.agent()) == skip => not_skipped(free.iter()),
                    head => head,
                };
                let head = match after {
                    Some(from) => (not_skipped(free.range_from(from)).map(|e| (false, e)))
                        .or_else(|| first_not_skipped().map(|e| (true, e))),
                    None => first_not_skipped().map(|e| (true, e)),
                };
                if let Some(head) = head
                    && first.is_none_or(|f| head < f)
                {
                    first = Some(head);
                }
            }
            let (_, entry) = first?;
            let (key, a) = (entry.key(), entry.agent());
            let want = self.wanted_listing(&self.agents[a], channel);
            if want == Some(key) {
                return Some(a);
            }
            // Out of date: the agent's key rose since it was listed, or it
            // has no room. Rewrite its channel's lines; every line holds it
            // under the listed key.
            let at = self.agents[a].place(channel);
            self.relist(a, at, want);
        }
    }

    /// Numbers the agents' joins afresh from 1, in the same order, for when
    /// the next number would not fit in a `u32`: keys in lines and
    /// listings, and round-robin cursors, follow. Once per four billion
    /// agents added.
    pub(super) fn renumber_joins(&mut self) {
        let mut old: Vec<NonZeroU32> = (self.agent_ids.values())
            .map(|&a| self.agents[a].join_seq)
            .collect();
        old.sort_unstable();
        // The count of agents joined at or before `join`: an agent's new
        // number (at least 1, itself), and a cursor that agents after it
        // (only) are after; none if no agent is at or before it.
        let count = |join: NonZeroU32| {
            NonZeroU32::new(u32::try_from(old.partition_point(|&j| j <= join)).unwrap_or(u32::MAX))
        };
        let renumber = |key: RankKey| count(key.join).map(|join| RankKey { join, ..key });
        for &a in self.agent_ids.values() {
            let agent = &mut self.agents[a];
            agent.join_seq = count(agent.join_seq).unwrap_or(NonZeroU32::MIN);
        }
        for &l in self.line_ids.values() {
            let line = &mut self.lines[l];
            line.free = (line.free.iter())
                .filter_map(|e| Some(Entry::new(renumber(e.key())?, e.agent())))
                .collect();
        }
        for channel in &mut self.channels {
            channel.cursor = channel.cursor.and_then(renumber);
        }
        self.next_join_seq =
            NonZeroU32::MIN.saturating_add(old.len().try_into().unwrap_or(u32::MAX));
    }

    /// Takes `a` out of every free-agent line, as before a change of spec.
    pub(super) fn unlist(&mut self, a: AgentIx) {
        let agent = &mut self.agents[a];
        for line in agent.channels.iter_mut() {
            if let Some(listed) = line.listed(agent.join_seq) {
                line.set_listed(None);
                for Membership { line: l, hint } in line.lines.iter_mut() {
                    self.lines[*l].free.remove(&Entry::new(listed, a), hint);
                }
            }
        }
    }

    /// Fills `a`'s line lists from the existing lines of its channels
    /// (making the line of a skill at `a`'s level if the skill's levels
    /// are in use there). Costs one look at each class of its own of each
    /// channel the agent has.
    pub(super) fn join_lines(&mut self, a: AgentIx) {
        let agent = &self.agents[a];
        if !agent.role.is_routed() {
            return;
        }
        let mut lines: Vec<(ChannelIx, LineIx)> = Vec::new();
        let mut new_levels: SmallVec<[(ChannelIx, SkillIx, u8); 4]> = SmallVec::new();
        for on in &agent.channels {
            let c = on.channel;
            if on.capacity == 0 {
                continue;
            }
            for &(k, l) in &self.channels[c.get()].own_lines {
                if is_eligible(agent, &self.classes[k].key) {
                    lines.push((c, l));
                }
            }
            let shared = std::iter::once(LineKey::Channel(c))
                .chain(agent.teams.iter().map(|&t| LineKey::Team(c, t)));
            lines.extend(shared.filter_map(|key| self.line_ids.get(&key).map(|&l| (c, l))));
            for (skill, level) in agent.skills.iter() {
                if self.skill_levels.contains_key(&(c, skill)) {
                    match self.line_ids.get(&LineKey::Skill(c, skill, level)) {
                        Some(&l) => lines.push((c, l)),
                        None => new_levels.push((c, skill, level)),
                    }
                }
            }
        }
        for (c, skill, level) in new_levels {
            lines.push((c, self.level_line(c, skill, level)));
        }
        let agent = &mut self.agents[a];
        for on in agent.channels.iter_mut() {
            on.lines = (lines.iter())
                .filter(|&&(c, _)| c == on.channel)
                .map(|&(_, l)| Membership::from(l))
                .collect();
            on.lines.shrink_to_fit();
        }
    }

    /// The class for `key`, made if new, with the lines it draws from (see
    /// [`crate::line`]). A class with a line of its own finds its members
    /// among the routed agents of the narrowest of its channel, skills and
    /// team.
    pub(super) fn class_for(&mut self, key: ClassKey) -> ClassIx {
        if let Some(&k) = self.class_ids.get(&key) {
            return k;
        }
        let channel = key.channel;
        let draw = match (key.skills.0.as_slice(), key.team) {
            ([], None) => Draw::Shared(self.shared_line(LineKey::Channel(channel), None)),
            ([], Some(team)) => {
                Draw::Shared(self.shared_line(LineKey::Team(channel, team), Some(team)))
            }
            (&[(skill, from)], None) => {
                self.use_levels(channel, skill);
                Draw::Levels { skill, from }
            }
            _ => {
                let l = self.lines.insert(Line::default());
                let members = self.members_of(&key);
                self.fill_line(l, channel, members);
                Draw::Own(l)
            }
        };
        let k = self.classes.insert(Class::new(key.clone(), draw));
        match draw {
            Draw::Own(l) => {
                self.line_ids.insert(LineKey::Class(k), l);
                self.lines[l].classes.push(k);
                self.channels[channel.get()].own_lines.push((k, l));
            }
            Draw::Shared(l) => self.lines[l].classes.push(k),
            Draw::Levels { skill, from } => {
                let levels = self.skill_levels.entry((channel, skill)).or_default();
                levels.classes.push((from, k));
                for &(level, l) in &levels.lines {
                    if level >= from {
                        self.lines[l].classes.push(k);
                    }
                }
            }
        }
        self.class_ids.insert(key, k);
        self.channels[channel.get()].classes.push(k);
        k
    }

    /// The routed agents with a capacity on `key`'s channel who meet it,
    /// found among the narrowest of its channel's, skills' and team's lists.
    fn members_of(&self, key: &ClassKey) -> Vec<AgentIx> {
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
        candidates
            .iter()
            .filter(|&a| {
                let agent = &self.agents[a];
                agent.capacity_on(channel) > 0 && is_eligible(agent, key)
            })
            .collect()
    }

    /// The shared line `key` (of the channel's agents, or of `team`'s), made
    /// and filled if new.
    fn shared_line(&mut self, key: LineKey, team: Option<TeamIx>) -> LineIx {
        if let Some(&l) = self.line_ids.get(&key) {
            return l;
        }
        let (LineKey::Channel(channel) | LineKey::Team(channel, _)) = key else {
            unreachable!("shared_line makes channel and team lines only")
        };
        let members: Vec<AgentIx> = match team {
            None => self.channels[channel.get()].members.iter().collect(),
            Some(team) => self.team_members[team.get()]
                .iter()
                .filter(|&a| self.agents[a].capacity_on(channel) > 0)
                .collect(),
        };
        let l = self.lines.insert(Line::default());
        self.line_ids.insert(key, l);
        self.fill_line(l, channel, members);
        l
    }

    /// Puts `skill`'s agents with a capacity on `channel` in the line of
    /// their level there, once: from then on one-skill classes of the
    /// channel draw from those lines, and agents who join enter them.
    fn use_levels(&mut self, channel: ChannelIx, skill: SkillIx) {
        if self.skill_levels.contains_key(&(channel, skill)) {
            return;
        }
        self.skill_levels
            .insert((channel, skill), Levels::default());
        let mut members: Vec<(u8, AgentIx)> = (self.skill_members[skill.get()].iter())
            .filter(|&a| self.agents[a].capacity_on(channel) > 0)
            .map(|a| {
                let held = self.agents[a].skills.iter().find(|&(s, _)| s == skill);
                (held.map_or(0, |(_, level)| level), a)
            })
            .collect();
        members.sort_unstable();
        for at_level in members.chunk_by(|x, y| x.0 == y.0) {
            let l = self.level_line(channel, skill, at_level[0].0);
            self.fill_line(l, channel, at_level.iter().map(|&(_, a)| a).collect());
        }
    }

    /// The line of `skill` at exactly `level` on `channel`, made if new.
    fn level_line(&mut self, channel: ChannelIx, skill: SkillIx, level: u8) -> LineIx {
        let key = LineKey::Skill(channel, skill, level);
        if let Some(&l) = self.line_ids.get(&key) {
            return l;
        }
        let levels = self.skill_levels.entry((channel, skill)).or_default();
        let classes = levels
            .classes
            .iter()
            .filter(|&&(from, _)| from <= level)
            .map(|&(_, k)| k)
            .collect();
        let l = self.lines.insert(Line {
            classes,
            ..Line::default()
        });
        let at = levels.lines.partition_point(|&(held, _)| held < level);
        levels.lines.insert(at, (level, l));
        self.line_ids.insert(key, l);
        l
    }

    /// Puts `members`, who have a capacity on `channel`, in line `l` of
    /// `channel`, new and empty, listed as each is there. The line is built
    /// in one go, from its entries sorted.
    fn fill_line(&mut self, l: LineIx, channel: ChannelIx, members: Vec<AgentIx>) {
        let mut entries = Vec::with_capacity(members.len());
        for a in members {
            let agent = &mut self.agents[a];
            let join = agent.join_seq;
            let on = agent.on_mut(channel);
            on.add_line(l);
            if let Some(key) = on.listed(join) {
                entries.push(Entry::new(key, a));
            }
        }
        debug_assert!(self.lines[l].free.is_empty(), "fill_line fills new lines");
        self.lines[l].free = entries.into_iter().collect();
    }

    /// Counts `a`'s slot-time up to now, before anything changes its slots
    /// or presence.
    pub(super) fn account(&mut self, a: AgentIx) {
        let agent = &mut self.agents[a];
        let (busy, staffed) = agent.slots();
        let counting = agent.presence != Presence::Offline;
        agent.occupancy.advance(
            self.stats_epoch,
            self.stats_reset_at,
            self.now,
            counting,
            busy,
            staffed,
        );
    }

    /// Gives waiting-or-new conversation `ci` to `a`: a slot of `a`'s is
    /// taken, and the conversation is offered (on channels with offers) or
    /// held outright.
    pub(super) fn assign(&mut self, ci: ConvIx, a: AgentIx, out: &mut Decisions) {
        self.account(a);
        let now = self.now;
        let channel = self.conversations[ci].channel;
        let cost = u64::from(self.catalog.cost(channel));
        if self.config.strategy == Strategy::RoundRobin
            && let Some(key) = self.wanted_listing(&self.agents[a], channel)
        {
            self.channels[channel.get()].cursor = Some(key);
        }
        let agent = &mut self.agents[a];
        agent.on_mut(channel).load += 1;
        agent.total_load += 1;
        agent.used_units += cost;
        agent.inbox.push(ci);
        agent.last_assigned = now;
        self.sync(a);
        match self.config.channels[channel.get()].offer_timeout {
            Some(timeout) => {
                let until = now + timeout;
                let timer = self.timers.set(until, Timer::OfferExpires(ci));
                let agent_id = self.agents[a].id.clone();
                let conversation = &mut self.conversations[ci];
                conversation.holder = Holder::Offered(a, until);
                conversation.story_mut().timers.hold = Some(timer);
                self.channels[channel.get()].offered += 1;
                self.note(
                    ci,
                    None,
                    Happening::Offered {
                        agent: agent_id.clone(),
                    },
                );
                out.push(Decision::Offered {
                    conversation: self.conversations[ci].id.clone(),
                    agent: agent_id,
                    until,
                });
            }
            None => self.hold(ci, a, out),
        }
    }

    /// `a`, whose slot `ci` already uses, now holds it: assigned outright,
    /// or an offer accepted.
    pub(super) fn hold(&mut self, ci: ConvIx, a: AgentIx, out: &mut Decisions) {
        self.account(a);
        let (now, epoch) = (self.now, self.stats_epoch);
        let agent_id = self.agents[a].id.clone();
        self.agents[a].occupancy.handled += 1;
        let conversation = &mut self.conversations[ci];
        conversation.holder = Holder::Agent(a);
        let (channel, class) = (conversation.channel, conversation.class);
        let since_arrival = now - conversation.arrived_at;
        let story = conversation.story_from(&mut self.spare_stories);
        let first_answer = story.agents.is_empty();
        story.agents.push(agent_id.clone());
        let waited = now - story.queued_at;
        let awaiting_reply = story.awaiting_reply_since.is_some();
        self.note(
            ci,
            None,
            Happening::Assigned {
                agent: agent_id.clone(),
            },
        );
        self.channels[channel.get()].assigned += 1;
        if first_answer {
            let threshold = self.config.service_level_threshold;
            self.channels[channel.get()]
                .tally
                .answer(epoch, since_arrival, threshold);
            self.classes[class]
                .tally
                .answer(epoch, since_arrival, threshold);
        }
        if awaiting_reply {
            self.arm_response_deadline(ci);
        }
        out.push(Decision::Assigned {
            conversation: self.conversations[ci].id.clone(),
            agent: agent_id,
            waited,
        });
    }

    /// Frees the slot `ci` holds or is offered on, and returns that agent.
    /// The conversation's holder is left for the caller to set.
    pub(super) fn release(&mut self, ci: ConvIx) -> AgentIx {
        let conversation = &mut self.conversations[ci];
        let a = match conversation.holder {
            Holder::Agent(a) => {
                self.channels[conversation.channel.get()].assigned -= 1;
                if let Some(timer) = conversation.timers_mut().and_then(|t| t.response.take()) {
                    self.timers.cancel(timer);
                }
                a
            }
            Holder::Offered(a, _) => {
                self.channels[conversation.channel.get()].offered -= 1;
                if let Some(timer) = conversation.timers_mut().and_then(|t| t.hold.take()) {
                    self.timers.cancel(timer);
                }
                a
            }
            Holder::Queue | Holder::Awaiting(..) => {
                unreachable!("release is only called for conversations in a slot")
            }
        };
        self.account(a);
        let channel = self.conversations[ci].channel;
        let cost = u64::from(self.catalog.cost(channel));
        let agent = &mut self.agents[a];
        agent.on_mut(channel).load -= 1;
        agent.total_load -= 1;
        agent.used_units -= cost;
        if let Some(pos) = agent.inbox.iter().position(|&x| x == ci) {
            agent.inbox.remove(pos);
        }
        self.sync(a);
        self.agents[a].forget_if_empty(channel);
        a
    }

    /// Keeps one of `a`'s slots on `channel` busy for the channel's wrap-up
    /// time, if it has one.
    pub(super) fn start_wrap_up(&mut self, a: AgentIx, channel: ChannelIx, out: &mut Decisions) {
        let wrap_up = self.config.channels[channel.get()].wrap_up;
        if wrap_up.0 == 0 {
            return;
        }
        self.account(a);
        let until = self.now + wrap_up;
        let timer = self.timers.set(until, Timer::WrapUpEnds(a, channel));
        let cost = u64::from(self.catalog.cost(channel));
        let agent = &mut self.agents[a];
        agent.on_mut(channel).wrapping += 1;
        agent.used_units += cost;
        agent.wrap_ups.push(timer);
        self.sync(a);
        out.push(Decision::WrapUp {
            agent: self.agents[a].id.clone(),
            channel: self.catalog.channel_name(channel).to_owned(),
            until,
        });
    }

    /// Ends the wrap-up `timer` of `a` on `channel` and lets `a` pull.
    pub(super) fn end_wrap_up(
        &mut self,
        timer: TimerKey,
        a: AgentIx,
        channel: ChannelIx,
        out: &mut Decisions,
    ) {
        self.account(a);
        let cost = u64::from(self.catalog.cost(channel));
        let agent = &mut self.agents[a];
        agent.on_mut(channel).wrapping -= 1;
        agent.used_units -= cost;
        agent.wrap_ups.retain(|t| *t != timer);
        self.sync(a);
        self.agents[a].forget_if_empty(channel);
        out.push(Decision::WrapUpEnded {
            agent: self.agents[a].id.clone(),
            channel: self.catalog.channel_name(channel).to_owned(),
        });
        self.pull(a, out);
    }

    /// Puts `ci` in line and reports its position.
    fn enqueue(&mut self, ci: ConvIx, out: &mut Decisions) {
        self.note(ci, None, Happening::Queued);
        self.conversations[ci].holder = Holder::Queue;
        self.join_class_line(ci);
        let channel = self.conversations[ci].channel;
        let line = &mut self.channels[channel.get()].waiting;
        line.insert(&mut ByChannel(&mut self.conversations), ci.0);
        let conversation = &self.conversations[ci];
        out.push(Decision::Queued {
            conversation: conversation.id.clone(),
            ahead: line.rank(&ByChannel(&self.conversations), conversation.key),
        });
    }

    /// Puts waiting `ci` in its class's line (the channel's is the caller's).
    fn join_class_line(&mut self, ci: ConvIx) {
        let line = &mut self.classes[self.conversations[ci].class].line;
        line.insert(&mut ByClass(&mut self.conversations), ci.0);
    }

    /// Takes waiting `ci` out of its class's line only.
    fn leave_class_line(&mut self, ci: ConvIx) {
        let line = &mut self.classes[self.conversations[ci].class].line;
        line.remove(&mut ByClass(&mut self.conversations), ci.0);
    }

    /// Takes waiting `ci` out of line.
    pub(super) fn dequeue(&mut self, ci: ConvIx) {
        self.leave_class_line(ci);
        self.leave_channel_line(ci);
    }

    /// Moves `ci` to routing class `k`. A waiting conversation keeps its
    /// place in the channel's line and goes at once to a free agent of the
    /// new class if there is one.
    pub(super) fn reclass(&mut self, ci: ConvIx, k: ClassIx, out: &mut Decisions) {
        if self.conversations[ci].holder != Holder::Queue {
            self.conversations[ci].class = k;
            return;
        }
        self.leave_class_line(ci);
        self.conversations[ci].class = k;
        match self.best_agent(k, None) {
            Some(a) => {
                self.leave_channel_line(ci);
                self.assign(ci, a, out);
            }
            None => self.join_class_line(ci),
        }
    }

    /// Takes waiting `ci` out of its channel's line only.
    fn leave_channel_line(&mut self, ci: ConvIx) {
        let line = &mut self.channels[self.conversations[ci].channel.get()].waiting;
        line.remove(&mut ByChannel(&mut self.conversations), ci.0);
    }

    /// Gives `ci` (detached) to the best free eligible agent other than
    /// `skip`, or puts it in line.
    pub(super) fn route(&mut self, ci: ConvIx, skip: Option<AgentIx>, out: &mut Decisions) {
        match self.best_agent(self.conversations[ci].class, skip) {
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
            let awaiting = self
                .awaiting_for(a)
                .find(|&ci| self.has_room(agent, self.conversations[ci].channel));
            if let Some(ci) = awaiting {
                return Some(ci);
            }
        }
        // A channel with nothing waiting has no class with a head: skip it
        // without looking at its classes.
        self.catalog
            .channel_ixs()
            .filter(|&c| !self.channels[c.get()].waiting.is_empty())
            .filter(|&c| self.wanted_listing(agent, c).is_some())
            .flat_map(|c| agent.on(c).into_iter().flat_map(|on| &on.lines))
            .flat_map(|m| self.lines[m.line].classes.iter())
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
        let timer = self.timers.set(until, Timer::AwaitEnds(ci));
        self.note(
            ci,
            None,
            Happening::Awaiting {
                agent: agent_id.clone(),
            },
        );
        let conversation = &mut self.conversations[ci];
        conversation.holder = Holder::Awaiting(p, until);
        let story = conversation.story_mut();
        story.timers.hold = Some(timer);
        story.queued_at = now;
        let key = conversation.key;
        self.awaiting.insert((p, key, ci));
        let awaited = &mut self.agents[p].awaited;
        *awaited = awaited.saturating_add(1);
        out.push(Decision::Awaiting {
            conversation: self.conversations[ci].id.clone(),
            agent: agent_id,
            ahead: self.awaiting_ahead(p, key, ci),
            until,
        });
    }

    /// The conversations waiting for person `p` only, first in line first.
    pub(super) fn awaiting_for(&self, p: AgentIx) -> impl Iterator<Item = ConvIx> + '_ {
        let from = (self.agents[p].awaited > 0).then_some((p, QueueKey::MIN, ConvIx(0)));
        (from.into_iter())
            .flat_map(|from| self.awaiting.range(from..))
            .take_while(move |&&(q, _, _)| q == p)
            .map(|&(_, _, ci)| ci)
    }

    /// How many conversations wait for `p` ahead of `ci`, which has `key`.
    pub(super) fn awaiting_ahead(&self, p: AgentIx, key: QueueKey, ci: ConvIx) -> usize {
        (self.awaiting)
            .range((p, QueueKey::MIN, ConvIx(0))..(p, key, ci))
            .count()
    }

    /// Takes `ci` out of wherever it is (line, awaiting, or a slot) and
    /// returns the person whose slot it used, if any.
    pub(super) fn detach(&mut self, ci: ConvIx) -> Option<AgentIx> {
        match self.conversations[ci].holder {
            Holder::Queue => {
                self.dequeue(ci);
                None
            }
            Holder::Awaiting(p, _) => {
                let conversation = &mut self.conversations[ci];
                if let Some(timer) = conversation.timers_mut().and_then(|t| t.hold.take()) {
                    self.timers.cancel(timer);
                }
                let key = conversation.key;
                self.awaiting.remove(&(p, key, ci));
                let awaited = &mut self.agents[p].awaited;
                if *awaited != u16::MAX {
                    *awaited -= 1;
                }
                None
            }
            Holder::Agent(_) | Holder::Offered(..) => Some(self.release(ci)),
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

    /// Adds a line to `ci`'s timeline at the current time.
    pub(super) fn note(&mut self, ci: ConvIx, actor: Option<AgentId>, happening: Happening) {
        let at = self.now;
        let entry = TimelineEntry {
            at,
            actor,
            happening,
        };
        self.conversations[ci].note(entry, &mut self.spare_stories);
    }

    /// Takes `ci` from the agent whose slot it uses and sends it back to
    /// its place in line, to another free agent than `skip` if there is one.
    pub(super) fn requeue(&mut self, ci: ConvIx, skip: Option<AgentIx>, out: &mut Decisions) {
        let from = self.release(ci);
        let from = self.agents[from].id.clone();
        self.note(ci, None, Happening::Requeued { from: from.clone() });
        let conversation = &mut self.conversations[ci];
        conversation.story_mut().queued_at = self.now;
        out.push(Decision::Requeued {
            conversation: conversation.id.clone(),
            from,
        });
        self.route(ci, skip, out);
    }

    /// Takes every conversation from `a` (which must be unlisted) and puts
    /// each back in line, in line order, or straight to a free agent.
    pub(super) fn requeue_all(&mut self, a: AgentIx, out: &mut Decisions) {
        let mut held: SmallVec<[ConvIx; 16]> = self.agents[a].inbox.iter().copied().collect();
        held.sort_unstable_by_key(|&ci| self.conversations[ci].key);
        for ci in held {
            self.requeue(ci, None, out);
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
