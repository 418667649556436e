//! The contract of DESIGN.md, checked after every event through the public
//! query API only, with no reference router: usable on any event stream
//! (the soak test, the fuzz target, the replay properties).
//!
//! The checker keeps a small model built from accepted events and the
//! decisions the router returns: each agent's spec (from `AgentAdded` and
//! `AgentUpdated`) and where each open conversation is (in line, awaiting a
//! person, offered to or held by an agent), moved only by decisions. It
//! then holds the router's answers to that model after every event:
//!
//! - **Decisions make sense**: every conversation that arrived is placed
//!   (queued, offered, assigned or awaiting) in the same event; every move
//!   starts where the model says the conversation is (a conversation is
//!   never assigned while held, nor requeued from someone who does not
//!   hold it); every resolve or abandon ends an open conversation, once.
//! - **Nothing lost**: the router's open conversations are the model's;
//!   every inbox entry is one the model has with that agent, so no
//!   conversation is held by two agents, and the inboxes add up to every
//!   held and offered conversation; queue lengths, `position`s (0..n on each
//!   channel), the routing queues' waiting counts and the live statistics
//!   agree with the model's counts.
//! - **Capacity**: on each channel, held + offered + wrapping up never
//!   exceeds the agent's capacity, nor the channel costs its total
//!   capacity, unless it was already over before the event (a lowered
//!   capacity takes nothing away) and did not grow; and no agent is given a
//!   conversation (assigned or offered) on a channel where that puts it
//!   over.
//! - **Eligibility**: conversations are assigned or offered only to
//!   available agents with the channel (an offer may be accepted later
//!   whatever the presence), and only to role `Agent` unless a
//!   transfer or a wait for that person chose them.
//! - **No idle capacity while work waits**: no routing queue with a
//!   waiting conversation has an available `Agent` with room on its
//!   channel, the skills and the team; nobody with room is awaited.
//! - **Atomic**: given the router from before a refused event, it is
//!   unchanged; the clock never goes backwards.
//! - **Timers**: every standing offer and wait ends at or after
//!   `next_deadline` (unless its end falls past the end of time, when it
//!   never comes); no offer, wait or wrap-up stands without a deadline; and
//!   after a tick no deadline is overdue.
//!
//! Each conversation an event touched is compared with the router's view of
//! it (state, position, deadline) after that event; every open
//! conversation, and every agent's load on every channel, every
//! `sweep_every` events (by default every event, as in the fuzz target;
//! the soak test sweeps every 32). Skill eligibility of single assignments
//! is left to `tests/contract.rs`, which checks it against the reference
//! router.
#![allow(dead_code)]

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use omnirouter::*;

/// A fast, fixed hasher for the checker's maps.
#[derive(Default)]
pub struct Fx(u64);

impl Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

pub type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

/// Deadlines that saturate here never come (see `Event::Tick`).
const END_OF_TIME: Timestamp = Timestamp(u64::MAX);
/// Longer than any timer of `sim::config`: from here on deadlines may
/// saturate.
const NEAR_THE_END: u64 = 3_600_000;

/// Where the model has an open conversation.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Place {
    /// Between a decision that takes it from somewhere and the one that
    /// puts it somewhere, within one event.
    Transit,
    Line,
    Await(AgentId),
    Offer(AgentId),
    Held(AgentId),
}

struct Open {
    channel: usize,
    place: Place,
}

/// What the model knows of an agent.
struct Shadow {
    role: Role,
    caps: Vec<u32>,
    /// Level per configured skill (0: none).
    levels: Vec<u8>,
    /// Membership per configured team.
    teams: Vec<bool>,
    total: Option<u32>,
    /// Held + offered + wrapping up per channel, after the last event.
    usage: Vec<u32>,
}

/// The contract checker. Feed it every event with its result.
pub struct Checker {
    channels: Vec<String>,
    costs: Vec<u64>,
    /// Channels with a wrap-up time.
    wraps: Vec<bool>,
    skills: Vec<String>,
    teams: Vec<String>,
    agents: Map<AgentId, Shadow>,
    open: Map<ConversationId, Open>,
    /// (conversation, person) pairs a transfer or a wait chose explicitly.
    explicit: Map<ConversationId, Vec<AgentId>>,
    latest: u64,
    /// Events seen, refused, and contract violations found.
    pub events: u64,
    pub refused: u64,
    pub decisions: u64,
    pub violations: u64,
    /// The first violations, with the event that showed them.
    pub messages: Vec<String>,
    /// Compare every open conversation's state, position and deadline with
    /// the model every this many events (1: every event); the rest of the
    /// contract is checked after every event.
    pub sweep_every: u64,
    /// The most conversations open at once.
    pub max_open: usize,
    // Scratch space, reused between events.
    touched: Vec<ConversationId>,
    took: Vec<(AgentId, usize)>,
    given: Vec<AgentId>,
    free: Vec<(usize, AgentId)>,
}

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

impl Checker {
    pub fn new(config: &Config) -> Self {
        Checker {
            channels: config.channels.iter().map(|c| c.name.clone()).collect(),
            costs: config.channels.iter().map(|c| u64::from(c.cost)).collect(),
            wraps: config.channels.iter().map(|c| c.wrap_up.0 > 0).collect(),
            skills: config.skills.clone(),
            teams: config.teams.clone(),
            agents: Map::default(),
            open: Map::default(),
            explicit: Map::default(),
            latest: 0,
            events: 0,
            refused: 0,
            decisions: 0,
            violations: 0,
            messages: Vec::new(),
            sweep_every: 1,
            max_open: 0,
            touched: Vec::new(),
            took: Vec::new(),
            given: Vec::new(),
            free: Vec::new(),
        }
    }

    fn channel(&self, name: &str) -> usize {
        self.channels
            .iter()
            .position(|c| c == name)
            .unwrap_or(usize::MAX)
    }

    /// Checks `router` after `event`, stamped `at`, returned `result`.
    /// `before` is the router as it was before the event, if the caller
    /// kept a copy: a refusal must leave it unchanged. Returns whether the
    /// contract held; violations are counted and the first few kept.
    pub fn check(
        &mut self,
        at: Timestamp,
        event: &Event,
        result: &Result<Decisions, Error>,
        before: Option<&Router>,
        router: &Router,
    ) -> bool {
        self.events += 1;
        match self.check_event(at, event, result, before, router) {
            Ok(()) => true,
            Err(message) => {
                self.violations += 1;
                if self.messages.len() < 20 {
                    self.messages.push(format!(
                        "event {} at {at:?}: {event:?} -> {result:?}: {message}",
                        self.events
                    ));
                }
                false
            }
        }
    }

    fn check_event(
        &mut self,
        at: Timestamp,
        event: &Event,
        result: &Result<Decisions, Error>,
        before: Option<&Router>,
        router: &Router,
    ) -> Result<(), String> {
        let decisions = match result {
            Err(error) => {
                self.refused += 1;
                ensure!(!error.to_string().is_empty(), "an error without a message");
                ensure!(
                    router.now().0 == self.latest,
                    "a refused event moved the clock to {:?}",
                    router.now()
                );
                if let Some(before) = before {
                    ensure!(router == before, "a refused event changed the router");
                    return Ok(());
                }
                return self.check_state(router, false);
            }
            Ok(decisions) => decisions,
        };
        self.latest = self.latest.max(at.0);
        ensure!(
            router.now().0 == self.latest,
            "the clock is {:?}, not the latest stamp {}",
            router.now(),
            self.latest
        );
        self.decisions += decisions.len() as u64;
        self.touched.clear();
        self.took.clear();
        self.given.clear();
        self.apply_event(event)?;
        self.walk(event, decisions)?;
        for id in &self.touched {
            if let Some(open) = self.open.get(id) {
                ensure!(open.place != Place::Transit, "{id} was left nowhere");
            }
        }
        self.max_open = self.max_open.max(self.open.len());
        self.check_touched(router)?;
        Self::check_dispositions(event, router)?;
        self.check_state(router, matches!(event, Event::Tick))
    }

    /// A resolved conversation, if remembered, is remembered with the
    /// disposition codes it was resolved with, as its own view and its
    /// customer's history tell them.
    fn check_dispositions(event: &Event, router: &Router) -> Result<(), String> {
        let Event::ConversationResolved {
            conversation,
            dispositions,
            ..
        } = event
        else {
            return Ok(());
        };
        let Some(view) = router.conversation(conversation) else {
            return Ok(());
        };
        ensure!(
            view.state
                == ConversationState::Resolved {
                    dispositions: dispositions.clone()
                },
            "{conversation} resolved with {dispositions:?} is {:?}",
            view.state
        );
        let past = router
            .customer_history(view.customer)
            .find(|past| past.id == conversation)
            .ok_or_else(|| format!("{conversation} is not in its customer's history"))?;
        ensure!(
            past.dispositions == dispositions.as_slice(),
            "{conversation} resolved with {dispositions:?} has {:?} in its customer's history",
            past.dispositions
        );
        Ok(())
    }

    /// Updates the agents and arrivals of an accepted event.
    fn apply_event(&mut self, event: &Event) -> Result<(), String> {
        match event {
            Event::AgentAdded { agent, spec, .. } => {
                ensure!(
                    !self.agents.contains_key(agent),
                    "duplicate agent {agent} accepted"
                );
                let shadow = self.shadow(spec, vec![0; self.channels.len()]);
                self.agents.insert(agent.clone(), shadow);
            }
            Event::AgentUpdated { agent, spec } => {
                let Some(old) = self.agents.remove(agent) else {
                    return Err(format!("unknown agent {agent} updated"));
                };
                let shadow = self.shadow(spec, old.usage);
                self.agents.insert(agent.clone(), shadow);
            }
            Event::AgentRemoved { agent } => {
                ensure!(
                    self.agents.remove(agent).is_some(),
                    "unknown agent {agent} removed"
                );
            }
            Event::ConversationArrived { conversation, spec } => {
                let channel = self.channel(&spec.channel);
                ensure!(channel != usize::MAX, "unknown channel accepted");
                let was = self.open.insert(
                    conversation.clone(),
                    Open {
                        channel,
                        place: Place::Transit,
                    },
                );
                ensure!(
                    was.is_none(),
                    "duplicate conversation {conversation} accepted"
                );
                self.touched.push(conversation.clone());
            }
            _ => {}
        }
        Ok(())
    }

    fn shadow(&self, spec: &AgentSpec, usage: Vec<u32>) -> Shadow {
        let mut caps = vec![0; self.channels.len()];
        for c in &spec.channels {
            caps[self.channel(&c.channel)] = c.capacity;
        }
        Shadow {
            role: spec.role,
            caps,
            levels: self
                .skills
                .iter()
                .map(|name| {
                    let held = spec.skills.iter().find(|s| s.skill == *name);
                    held.map_or(0, |s| s.level)
                })
                .collect(),
            teams: self.teams.iter().map(|t| spec.teams.contains(t)).collect(),
            total: spec.total_capacity,
            usage,
        }
    }

    /// Moves the model's conversations by the decisions, checking that
    /// each move starts where the conversation is.
    fn walk(&mut self, event: &Event, decisions: &Decisions) -> Result<(), String> {
        let mut transferred: Vec<&ConversationId> = Vec::new();
        for (i, decision) in decisions.iter().enumerate() {
            match decision {
                Decision::Assigned {
                    conversation,
                    agent,
                    ..
                }
                | Decision::Offered {
                    conversation,
                    agent,
                    ..
                } => {
                    let offered = matches!(decision, Decision::Offered { .. });
                    let accepting = !offered
                        && matches!(event, Event::OfferAccepted { conversation: c, agent: a }
                            if c == conversation && a == agent);
                    let open = self.place(conversation)?;
                    let ok = match &open.place {
                        Place::Transit | Place::Line => !accepting,
                        Place::Await(p) => p == agent && !accepting,
                        Place::Offer(p) => p == agent && accepting,
                        Place::Held(_) => false,
                    };
                    ensure!(ok, "{decision:?} while {:?}", open.place);
                    let channel = open.channel;
                    let shadow = self
                        .agents
                        .get(agent)
                        .ok_or_else(|| format!("{decision:?}: a ghost"))?;
                    // An offer stands even if the agent lost the channel
                    // since: lowering a capacity takes nothing away.
                    ensure!(
                        shadow.caps[channel] > 0 || accepting,
                        "{decision:?}: no permission for the channel"
                    );
                    let explicit = transferred.contains(&conversation)
                        || self
                            .explicit
                            .get(conversation)
                            .is_some_and(|people| people.contains(agent));
                    ensure!(
                        shadow.role == Role::Agent || explicit || accepting,
                        "{decision:?}: role {:?} is not routed",
                        shadow.role
                    );
                    let later_away = decisions[i..].iter().any(
                        |d| matches!(d, Decision::PresenceChanged { agent: a, .. } if a == agent),
                    );
                    if !later_away && !accepting {
                        self.given.push(agent.clone());
                    }
                    if !accepting {
                        self.took.push((agent.clone(), channel));
                    }
                    let open = self.open.get_mut(conversation).expect("checked above");
                    open.place = if offered {
                        Place::Offer(agent.clone())
                    } else {
                        Place::Held(agent.clone())
                    };
                }
                Decision::Queued { conversation, .. } => {
                    self.move_from(conversation, |p| *p == Place::Transit, Place::Line)?
                }
                Decision::Awaiting {
                    conversation,
                    agent,
                    ..
                } => {
                    ensure!(self.agents.contains_key(agent), "awaits a ghost {agent}");
                    self.move_from(
                        conversation,
                        |p| *p == Place::Transit,
                        Place::Await(agent.clone()),
                    )?;
                    let people = self.explicit.entry(conversation.clone()).or_default();
                    if !people.contains(agent) {
                        people.push(agent.clone());
                    }
                }
                Decision::Requeued { conversation, from } => self.move_from(
                    conversation,
                    |p| matches!(p, Place::Held(h) | Place::Offer(h) if h == from),
                    Place::Transit,
                )?,
                Decision::Transferred {
                    conversation, from, ..
                } => {
                    self.move_from(
                        conversation,
                        |p| match (p, from) {
                            (Place::Held(h) | Place::Offer(h), Some(f)) => h == f,
                            (Place::Line | Place::Await(_), None) => true,
                            _ => false,
                        },
                        Place::Transit,
                    )?;
                    transferred.push(conversation);
                }
                Decision::OfferEnded {
                    conversation,
                    agent,
                    ..
                } => self.move_from(
                    conversation,
                    |p| matches!(p, Place::Offer(h) if h == agent),
                    Place::Transit,
                )?,
                Decision::AwaitEnded {
                    conversation,
                    agent,
                } => self.move_from(
                    conversation,
                    |p| matches!(p, Place::Await(h) if h == agent),
                    Place::Transit,
                )?,
                Decision::Resolved {
                    conversation,
                    holder: agent,
                    ..
                }
                | Decision::Abandoned {
                    conversation,
                    agent,
                } => {
                    let open = self
                        .open
                        .remove(conversation)
                        .ok_or_else(|| format!("{decision:?}: not open (ended twice?)"))?;
                    let ok = match (&open.place, agent) {
                        (Place::Held(h) | Place::Offer(h), Some(a)) => h == a,
                        (Place::Line | Place::Await(_), None) => true,
                        _ => false,
                    };
                    ensure!(ok, "{decision:?} while {:?}", open.place);
                    self.explicit.remove(conversation);
                }
                Decision::ResponseOverdue {
                    conversation,
                    agent,
                    ..
                } => {
                    let open = self.place(conversation)?;
                    ensure!(
                        open.place == Place::Held(agent.clone()),
                        "{decision:?} while {:?}",
                        open.place
                    );
                }
                Decision::Escalated { conversation, .. }
                | Decision::Joined { conversation, .. }
                | Decision::Left { conversation, .. } => {
                    self.place(conversation)?;
                }
                Decision::PresenceChanged { agent, .. }
                | Decision::WrapUp { agent, .. }
                | Decision::WrapUpEnded { agent, .. } => {
                    ensure!(self.agents.contains_key(agent), "{decision:?}: a ghost");
                }
                other => return Err(format!("a decision the checker does not know: {other:?}")),
            }
            if let Some(id) = conversation_of(decision) {
                self.touched.push(id.clone());
            }
        }
        Ok(())
    }

    fn place(&self, conversation: &ConversationId) -> Result<&Open, String> {
        self.open
            .get(conversation)
            .ok_or_else(|| format!("{conversation} is not open"))
    }

    fn move_from(
        &mut self,
        conversation: &ConversationId,
        from: impl Fn(&Place) -> bool,
        to: Place,
    ) -> Result<(), String> {
        let open = self
            .open
            .get_mut(conversation)
            .ok_or_else(|| format!("{conversation} is not open"))?;
        ensure!(
            from(&open.place),
            "{conversation} moves to {to:?} from {:?}",
            open.place
        );
        open.place = to;
        Ok(())
    }

    /// The router's view of the conversations this event touched.
    fn check_touched(&self, router: &Router) -> Result<(), String> {
        for id in &self.touched {
            match self.open.get(id) {
                Some(open) => self.check_view(router, id, open, None)?,
                None => {
                    let ended = router.conversation(id).is_none_or(|view| {
                        matches!(
                            view.state,
                            ConversationState::Resolved { .. } | ConversationState::Abandoned
                        )
                    });
                    ensure!(ended, "{id} ended but the router still has it open");
                }
            }
        }
        Ok(())
    }

    fn check_view(
        &self,
        router: &Router,
        id: &ConversationId,
        open: &Open,
        aheads: Option<&mut Vec<Vec<usize>>>,
    ) -> Result<(), String> {
        let view = router
            .conversation(id)
            .ok_or_else(|| format!("open {id} unknown to the router"))?;
        ensure!(
            view.channel == self.channels[open.channel],
            "{id} changed channel"
        );
        for admin in &view.participants {
            ensure!(
                self.agents
                    .get(admin)
                    .is_some_and(|a| a.role == Role::SuperAdmin),
                "{id} has participant {admin} who is no super admin"
            );
        }
        let deadline = router.next_deadline();
        let ok = match (&open.place, &view.state) {
            (Place::Line, ConversationState::Queued { ahead }) => {
                ensure!(
                    router.position(id) == Some(*ahead),
                    "{id}: position {:?}, state says {ahead}",
                    router.position(id)
                );
                if let Some(aheads) = aheads {
                    aheads[open.channel].push(*ahead);
                }
                true
            }
            (Place::Await(p), ConversationState::Awaiting { agent, until, .. })
            | (Place::Offer(p), ConversationState::Offered { agent, until }) => {
                ensure!(
                    deadline.is_some_and(|d| d <= *until) || *until == END_OF_TIME,
                    "{id} stands until {until:?} but the next deadline is {deadline:?}"
                );
                p == agent
            }
            (Place::Held(p), ConversationState::Assigned { agent }) => p == agent,
            _ => false,
        };
        ensure!(
            ok,
            "{id}: the decisions put it {:?}, the router says {:?}",
            open.place,
            view.state
        );
        if !matches!(open.place, Place::Line) {
            ensure!(router.position(id).is_none(), "{id} has a position in line");
        }
        Ok(())
    }

    /// Everything that must hold of the router's state as a whole.
    fn check_state(&mut self, router: &Router, ticked: bool) -> Result<(), String> {
        let n = self.channels.len();
        let sweep = self.sweep_every > 0 && self.events.is_multiple_of(self.sweep_every);
        ensure!(
            router.agents().count() == self.agents.len(),
            "{} agents, the model has {}",
            router.agents().count(),
            self.agents.len()
        );
        ensure!(
            router.open_conversations().count() == self.open.len(),
            "{} open conversations, the model has {}",
            router.open_conversations().count(),
            self.open.len()
        );
        // The model's counts per channel.
        let mut line = vec![0_usize; n];
        let mut held = vec![0_usize; n];
        let mut offered = vec![0_usize; n];
        let mut awaiting: Vec<(&AgentId, usize)> = Vec::new();
        // Channels on which someone awaits each person, as bits.
        let mut awaited_on: Map<&AgentId, u64> = Map::default();
        for open in self.open.values() {
            match &open.place {
                Place::Line => line[open.channel] += 1,
                Place::Held(_) => held[open.channel] += 1,
                Place::Offer(_) => offered[open.channel] += 1,
                Place::Await(p) => {
                    awaiting.push((p, open.channel));
                    *awaited_on.entry(p).or_default() |= 1 << open.channel;
                }
                Place::Transit => return Err("a conversation left in transit".into()),
            }
        }

        // Inboxes, loads, capacities.
        self.free.clear();
        let mut in_inboxes = 0;
        let mut wrapping_any = false;
        let mut counts = vec![0_u32; n];
        for (id, agent) in self.agents.iter_mut() {
            counts.iter_mut().for_each(|c| *c = 0);
            let inbox = router
                .inbox(id)
                .map_err(|e| format!("inbox of {id}: {e}"))?;
            for entry in inbox {
                in_inboxes += 1;
                let open = self
                    .open
                    .get(entry.conversation)
                    .ok_or_else(|| format!("{id}'s inbox has {}, not open", entry.conversation))?;
                let ok = match &open.place {
                    Place::Held(h) => h == id && !entry.offered,
                    Place::Offer(h) => h == id && entry.offered,
                    _ => false,
                };
                ensure!(
                    ok,
                    "{id}'s inbox has {} (offered: {}), the model says {:?}",
                    entry.conversation,
                    entry.offered,
                    open.place
                );
                counts[open.channel] += 1;
            }
            let presence = router.presence(id).map_err(|e| e.to_string())?;
            let mut units = 0_u64;
            let mut units_before = 0_u64;
            for (c, name) in self.channels.iter().enumerate() {
                if !sweep && agent.caps[c] == 0 && counts[c] == 0 && agent.usage[c] == 0 {
                    // Nothing there before, no room and nothing in the
                    // inbox: the sweep makes sure the router agrees.
                    continue;
                }
                let load = router.load(id, name).map_err(|e| e.to_string())?;
                ensure!(
                    load == counts[c],
                    "{id} has load {load} on {name} but {} in its inbox",
                    counts[c]
                );
                let wrapping = if sweep || self.wraps[c] {
                    router.wrapping_up(id, name).map_err(|e| e.to_string())?
                } else {
                    0
                };
                wrapping_any |= wrapping > 0;
                let usage = load + wrapping;
                let cap = agent.caps[c];
                let took = self.took.iter().any(|(a, ch)| a == id && *ch == c);
                ensure!(
                    usage <= cap || (!took && usage <= agent.usage[c]),
                    "{id} uses {usage} slots on {name} over its capacity {cap} (was {}, took one: {took})",
                    agent.usage[c]
                );
                units += u64::from(usage) * self.costs[c];
                units_before += u64::from(agent.usage[c]) * self.costs[c];
                agent.usage[c] = usage;
            }
            if let Some(total) = agent.total {
                let took = self.took.iter().any(|(a, _)| a == id);
                ensure!(
                    units <= u64::from(total) || (!took && units <= units_before),
                    "{id} uses {units} units over its total capacity {total} (was {units_before}, took one: {took})"
                );
            }
            // Assigned or offered to while not available.
            ensure!(
                presence == Presence::Available || !self.given.contains(id),
                "{id} was given a conversation while {presence:?}"
            );
            if presence == Presence::Available {
                for c in 0..n {
                    let room = agent.usage[c] < agent.caps[c]
                        && agent
                            .total
                            .is_none_or(|t| units + self.costs[c] <= u64::from(t));
                    if room {
                        if agent.role == Role::Agent {
                            self.free.push((c, id.clone()));
                        }
                        let awaited = awaited_on.get(id).is_some_and(|bits| bits >> c & 1 == 1);
                        ensure!(!awaited, "a conversation awaits {id}, who has room");
                    }
                }
            }
        }
        ensure!(
            in_inboxes == held.iter().sum::<usize>() + offered.iter().sum::<usize>(),
            "{in_inboxes} conversations in inboxes; the model has {held:?} held and {offered:?} offered"
        );
        for (p, _) in &awaiting {
            ensure!(
                self.agents.contains_key(*p),
                "a conversation awaits ghost {p}"
            );
        }

        // Lines and statistics.
        for (c, name) in self.channels.iter().enumerate() {
            let len = router.queue_len(name).map_err(|e| e.to_string())?;
            ensure!(
                len == line[c],
                "{len} wait on {name}, the model has {}",
                line[c]
            );
            let stats = router.channel_stats(name).map_err(|e| e.to_string())?;
            ensure!(
                (stats.queue.waiting, stats.assigned, stats.offered) == (len, held[c], offered[c]),
                "statistics of {name} {stats:?}; the model has {} waiting, {} held, {} offered",
                len,
                held[c],
                offered[c]
            );
        }

        // No idle capacity while work waits, queue by queue.
        let mut waiting = vec![0_usize; n];
        for queue in router.queues() {
            let c = self.channel(queue.channel);
            ensure!(c < n, "a queue on unknown channel {}", queue.channel);
            waiting[c] += queue.stats.waiting;
            if queue.stats.waiting == 0 {
                continue;
            }
            let index = |names: &[String], name: &str| names.iter().position(|n| n == name);
            let needs: Vec<(usize, u8)> = queue
                .skills
                .iter()
                .map(|&(skill, level)| (index(&self.skills, skill).expect("a known skill"), level))
                .collect();
            let team = queue
                .team
                .map(|t| index(&self.teams, t).expect("a known team"));
            for (ch, id) in &self.free {
                if *ch != c {
                    continue;
                }
                let agent = &self.agents[id];
                let skilled = needs.iter().all(|&(s, level)| agent.levels[s] >= level);
                let member = team.is_none_or(|t| agent.teams[t]);
                ensure!(
                    !(skilled && member),
                    "{} wait in {queue:?} while {id} is free and eligible",
                    queue.stats.waiting
                );
            }
        }
        ensure!(
            waiting == line,
            "the routing queues hold {waiting:?}, the lines {line:?}"
        );

        // Deadlines.
        let deadline = router.next_deadline();
        let timed = wrapping_any || !awaiting.is_empty() || offered.iter().any(|&o| o > 0);
        ensure!(
            !timed || deadline.is_some() || router.now().0 > END_OF_TIME.0 - NEAR_THE_END,
            "offers, waits or wrap-ups stand without a deadline"
        );
        if ticked {
            ensure!(
                deadline.is_none_or(|d| d > router.now()),
                "after a tick at {:?} a deadline at {deadline:?} is still due",
                router.now()
            );
        }

        if sweep {
            self.sweep(router)?;
        }
        Ok(())
    }

    /// Every open conversation against the model, and positions 0..n.
    fn sweep(&self, router: &Router) -> Result<(), String> {
        for id in router.open_conversations() {
            ensure!(
                self.open.contains_key(id),
                "{id} is open, the model has it ended"
            );
        }
        let mut aheads = vec![Vec::new(); self.channels.len()];
        for (id, open) in &self.open {
            self.check_view(router, id, open, Some(&mut aheads))?;
        }
        for (c, mut list) in aheads.into_iter().enumerate() {
            list.sort_unstable();
            ensure!(
                list.iter().enumerate().all(|(i, &a)| i == a),
                "positions on {} are {list:?}",
                self.channels[c]
            );
        }
        Ok(())
    }
}

fn conversation_of(decision: &Decision) -> Option<&ConversationId> {
    match decision {
        Decision::Assigned { conversation, .. }
        | Decision::Queued { conversation, .. }
        | Decision::Requeued { conversation, .. }
        | Decision::Resolved { conversation, .. }
        | Decision::Transferred { conversation, .. }
        | Decision::Awaiting { conversation, .. }
        | Decision::AwaitEnded { conversation, .. }
        | Decision::Joined { conversation, .. }
        | Decision::Left { conversation, .. }
        | Decision::Abandoned { conversation, .. }
        | Decision::Offered { conversation, .. }
        | Decision::OfferEnded { conversation, .. }
        | Decision::Escalated { conversation, .. }
        | Decision::ResponseOverdue { conversation, .. } => Some(conversation),
        _ => None,
    }
}
