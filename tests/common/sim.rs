//! A host that drives a router with random events, for the soak test, the
//! replay and snapshot properties and the fuzz target.
//!
//! Every choice comes from a [`Source`]: a seeded generator (the soak
//! test), proptest's numbers (the properties) or the fuzzer's bytes. The
//! same source always gives the same events, so every run can be repeated.
//!
//! Most events aim at live state (an existing agent, a held conversation,
//! a standing offer) so that routing is busy; the rest are faults (agents
//! dropping offline or removed mid-conversation, capacities lowered and
//! skills removed under load, bursts of a hundred times the arrivals) and
//! bad input of every kind, flagged so a checker can prove it changed
//! nothing.
#![allow(dead_code)]

use std::collections::{BTreeMap, VecDeque};

use omnirouter::*;

/// Where the simulation's choices come from.
pub trait Source {
    /// The next choice; sources that run dry give zeros.
    fn next_u32(&mut self) -> u32;

    /// A number below `n` (0 if `n` is 0).
    fn below(&mut self, n: u32) -> u32 {
        if n == 0 { 0 } else { self.next_u32() % n }
    }

    /// True `percent` times in a hundred.
    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }
}

/// SplitMix64: a small, fast, seeded generator.
pub struct SplitMix(pub u64);

impl Source for SplitMix {
    fn next_u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) as u32
    }
}

/// Choices read from bytes, two at a time (the fuzzer's input).
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }
}

impl Source for Bytes<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut word = 0_u32;
        for _ in 0..2 {
            word = word << 8 | u32::from(self.data.get(self.pos).copied().unwrap_or(0));
            self.pos += 1;
        }
        word
    }
}

/// Choices from a list of numbers (proptest's input, which it can shrink).
pub struct Words {
    data: Vec<u32>,
    pos: usize,
}

impl Words {
    pub fn new(data: Vec<u32>) -> Self {
        Words { data, pos: 0 }
    }

    pub fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }
}

impl Source for Words {
    fn next_u32(&mut self) -> u32 {
        let word = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        word
    }
}

pub const CHANNELS: [&str; 4] = ["sms", "chat", "voice", "email"];
pub const SKILLS: [&str; 3] = ["billing", "french", "tech"];
pub const TEAMS: [&str; 2] = ["tier2", "vip"];
pub const CODES: [&str; 2] = ["sale", "callback"];

/// Plain agents have ids from 1, super admins from `ADMINS`, client users
/// from `CLIENTS`; conversations from 1, customers below `CUSTOMERS`.
pub const ADMINS: u64 = 1 << 32;
pub const CLIENTS: u64 = 1 << 33;
pub const CUSTOMERS: u32 = 400;
/// Ids no event ever creates, for "unknown" bad input.
pub const GHOST: u64 = 1 << 40;

const S: u64 = 1_000;

/// A configuration picked by the bits of `bits`; every feature of the
/// router is on in some of them.
///
/// bit 0: offers on voice (and on sms with bit 13); 1: wrap-up on voice and
/// e-mail; 2: a response deadline on chat; 3: overdue conversations are
/// requeued; 4-5: strategy (least loaded, longest idle, round robin, least
/// loaded on the channel); 6: offline agents keep their conversations;
/// 7: preferred agent; 8: priority aging; 9: agents missing two offers go
/// away; 10: disposition codes, required; 11: routing rules with
/// escalation; 12-13: retention (none, small with a horizon, large, large
/// with a horizon); 14: channel costs and total capacities.
pub fn config(bits: u32) -> Config {
    let on = |bit: u32| bits >> bit & 1 == 1;
    let mut sms = ChannelConfig::new("sms");
    let chat_cost = if on(14) { 2 } else { 1 };
    let mut chat = ChannelConfig::new("chat").cost(chat_cost);
    let mut voice = ChannelConfig::new("voice").cost(if on(14) { 5 } else { 1 });
    let mut email = ChannelConfig::new("email");
    if on(0) {
        voice = voice.offers(Millis(15 * S));
        if on(13) {
            sms = sms.offers(Millis(20 * S));
        }
    }
    if on(1) {
        voice = voice.wrap_up(Millis(10 * S));
        email = email.wrap_up(Millis(30 * S));
    }
    if on(2) {
        chat = chat.response_deadline(Millis(45 * S));
    }
    let mut config = Config {
        channels: vec![sms, chat, voice, email],
        ..Config::default()
    }
    .skills(SKILLS)
    .teams(TEAMS)
    .strategy(match bits >> 4 & 3 {
        1 => Strategy::LongestIdle,
        2 => Strategy::RoundRobin,
        3 => Strategy::LeastLoadedOnChannel,
        _ => Strategy::LeastLoaded,
    })
    .offline(if on(6) {
        OfflinePolicy::Keep
    } else {
        OfflinePolicy::Requeue
    });
    config.response_overdue = if on(3) {
        OverduePolicy::Requeue
    } else {
        OverduePolicy::Notify
    };
    config.transfer_wait = Millis(30 * S);
    config.preferred_agent_wait = on(7).then_some(Millis(20 * S));
    config.priority_aging = on(8).then_some(Millis(30 * S));
    config.max_missed_offers = on(9).then_some(2);
    if on(10) {
        config = config.dispositions(CODES, true);
    }
    if on(11) {
        config = config.rules(rules(0));
    }
    let (ended, per_customer, horizon) = match bits >> 12 & 3 {
        0 => (0, 0, None),
        1 => (50, 2, Some(Millis(600 * S))),
        2 => (2_000, 5, None),
        _ => (2_000, 5, Some(Millis(3_600 * S))),
    };
    config.ended_retention = ended;
    config.history_per_customer = per_customer;
    config.history_horizon = horizon;
    config
}

/// One of three valid rule sets.
pub fn rules(which: u32) -> RuleSet {
    match which % 3 {
        0 => RuleSet::default()
            .rule(
                Rule::when("lang", "fr").then(
                    Route::default()
                        .skill("french", 2)
                        .escalate(EscalationStep::after(Millis(60 * S))),
                ),
            )
            .rule(
                Rule::when("vip", "true").on_channel("voice").then(
                    Route::default()
                        .priority(5)
                        .team("vip")
                        .escalate(EscalationStep::after(Millis(30 * S)).team("tier2"))
                        .escalate(EscalationStep::after(Millis(90 * S))),
                ),
            )
            .rule(
                Rule::when("topic", "billing").then(
                    Route::default()
                        .skill("billing", 3)
                        .escalate(EscalationStep::after(Millis(45 * S)).skill("billing", 1)),
                ),
            )
            .otherwise(Route::default().priority(1)),
        1 => RuleSet::default().rule(
            Rule::when("topic", "billing")
                .and("lang", "fr")
                .then(Route::default().skill("billing", 1).skill("french", 1)),
        ),
        _ => RuleSet::default(),
    }
}

/// The host: what it knows of the router, to aim its events.
pub struct Sim {
    pub now: u64,
    next_agent: u64,
    next_admin: u64,
    next_client: u64,
    next_conversation: u64,
    /// Specs of live agents, as last accepted.
    specs: BTreeMap<u64, AgentSpec>,
    /// Recently ended conversations, for "resolved twice".
    ended: VecDeque<ConversationId>,
    /// Events left in the current burst of arrivals.
    burst: u32,
    /// Agents the centre aims to keep.
    staff: usize,
    /// Now and then extreme values: the end of time, the highest priority,
    /// escalation steps and capacities at their limits.
    pub extremes: bool,
}

/// One generated event.
pub struct Step {
    pub at: Timestamp,
    pub event: Event,
    /// Deliberately bad input: expect a refusal that changes nothing.
    pub bad: bool,
}

fn id_of(agent: &AgentId) -> Option<u64> {
    match agent.0 {
        HostId::Int(n) => Some(n),
        _ => None,
    }
}

impl Sim {
    /// A host that keeps about `staff` plain agents.
    pub fn new(staff: usize) -> Self {
        Sim {
            now: 0,
            next_agent: 1,
            next_admin: ADMINS,
            next_client: CLIENTS,
            next_conversation: 1,
            specs: BTreeMap::new(),
            ended: VecDeque::new(),
            burst: 0,
            staff,
            extremes: false,
        }
    }

    /// Whether a burst of arrivals is under way.
    pub fn in_burst(&self) -> bool {
        self.burst > 0
    }

    /// Learns from what the router answered.
    pub fn learn(&mut self, event: &Event, result: &Result<Decisions, Error>) {
        let Ok(decisions) = result else { return };
        match event {
            Event::AgentAdded { agent, spec, .. } | Event::AgentUpdated { agent, spec } => {
                if let Some(id) = id_of(agent) {
                    self.specs.insert(id, spec.clone());
                }
            }
            Event::AgentRemoved { agent } => {
                if let Some(id) = id_of(agent) {
                    self.specs.remove(&id);
                }
            }
            _ => {}
        }
        for decision in decisions {
            if let Decision::Resolved { conversation, .. }
            | Decision::Abandoned { conversation, .. } = decision
            {
                if self.ended.len() == 64 {
                    self.ended.pop_front();
                }
                self.ended.push_back(conversation.clone());
            }
        }
    }

    /// The next event for `router`.
    pub fn step(&mut self, src: &mut impl Source, router: &Router) -> Step {
        // Time passes: much faster in a burst.
        let dt = if self.burst > 0 {
            self.burst -= 1;
            u64::from(src.below(30))
        } else {
            u64::from(src.below(3_000))
        };
        self.now = self.now.saturating_add(dt);
        if self.extremes && src.below(500) == 0 {
            self.now = u64::MAX - u64::from(src.below(100_000));
        }
        let at = if src.chance(2) {
            // Now and then a stamp from the past: it counts as the latest time.
            Timestamp(self.now.saturating_sub(u64::from(src.below(5_000))))
        } else {
            Timestamp(self.now)
        };
        let step = |event, bad| Step { at, event, bad };
        // A good host ticks when a deadline is due (most of the time).
        if router
            .next_deadline()
            .is_some_and(|d| d.0 <= self.now && src.chance(90))
        {
            return step(Event::Tick, false);
        }
        if self.burst == 0 && src.below(20_000) == 0 {
            self.burst = 200 + src.below(400);
        }
        if self.burst > 0 && src.chance(97) {
            return step(self.arrival(src), false);
        }
        let agents = router.agents().count();
        let plain = self.specs.range(..ADMINS).count();
        let queued: usize = CHANNELS
            .iter()
            .map(|c| router.queue_len(c).unwrap_or(0))
            .sum();
        let weights = [
            (if plain < self.staff { 40 } else { 1 }), // 0 add an agent
            (if plain > self.staff + 10 { 20 } else { 2 }), // 1 remove one
            6,                                         // 2 presence
            4,                                         // 3 update: lower, remove skills, raise
            28,                                        // 4 arrival
            30,                                        // 5 an agent works its inbox
            2 + (queued as u32) / 3,                   // 6 abandon
            5,                                         // 7 customer writes
            3,                                         // 8 admin transfers, joins or leaves
            3,                                         // 9 tick
            1,                                         // 10 rules, statistics
            6,                                         // 11 bad input
        ];
        let total: u32 = weights.iter().sum();
        let mut pick = src.below(total);
        let mut action = 0;
        for (i, w) in weights.iter().enumerate() {
            if pick < *w {
                action = i;
                break;
            }
            pick -= w;
        }
        let event = match action {
            0 => self.add_agent(src),
            1 => match self.any_agent(src, router, agents) {
                Some(agent) => Event::AgentRemoved { agent },
                None => Event::Tick,
            },
            2 => match self.any_agent(src, router, agents) {
                Some(agent) => Event::PresenceChanged {
                    agent,
                    presence: presence(src),
                },
                None => Event::Tick,
            },
            3 => self.update(src, router, agents),
            4 => self.arrival(src),
            5 => self.work(src, router, agents),
            6 => match self.open(src, router) {
                Some(conversation) => Event::ConversationAbandoned { conversation },
                None => Event::Tick,
            },
            7 => match self.open(src, router) {
                Some(conversation) => Event::CustomerMessage { conversation },
                None => Event::Tick,
            },
            8 => self.admin(src, router),
            9 => Event::Tick,
            10 => {
                if src.chance(50) {
                    Event::RulesReplaced {
                        rules: rules(src.below(3)),
                    }
                } else {
                    Event::StatisticsReset
                }
            }
            _ => return step(self.bad(src, router, agents), true),
        };
        step(event, false)
    }

    fn add_agent(&mut self, src: &mut impl Source) -> Event {
        let (id, role) = match src.below(20) {
            0 if self.specs.range(ADMINS..CLIENTS).count() < 4 => {
                self.next_admin += 1;
                (self.next_admin, Role::SuperAdmin)
            }
            1 if self.specs.range(CLIENTS..).count() < 3 => {
                self.next_client += 1;
                (self.next_client, Role::ClientUser)
            }
            _ => {
                self.next_agent += 1;
                (self.next_agent, Role::Agent)
            }
        };
        Event::AgentAdded {
            agent: id.into(),
            spec: agent_spec(src, role),
            presence: if src.chance(85) {
                Presence::Available
            } else {
                presence(src)
            },
        }
    }

    /// A fresh conversation; labels feed the routing rules.
    fn arrival(&mut self, src: &mut impl Source) -> Event {
        self.next_conversation += 1;
        let channel = CHANNELS[src.below(4) as usize];
        let mut spec = ConversationSpec::new(channel, u64::from(src.below(CUSTOMERS)));
        if src.chance(20) {
            spec = spec.label("lang", "fr");
        }
        if src.chance(10) {
            spec = spec.label("vip", "true");
        }
        if src.chance(15) {
            spec = spec.label("topic", "billing");
        }
        if src.chance(20) {
            spec = spec.skill(SKILLS[src.below(3) as usize], 1 + src.below(3) as u8);
        }
        if src.chance(20) {
            spec = spec.priority(src.below(4));
        }
        if src.chance(6) {
            spec = spec.team(TEAMS[src.below(2) as usize]);
        }
        if src.chance(5) {
            spec = spec.escalate(EscalationStep::after(Millis(20 * S)));
        }
        if self.extremes && src.chance(3) {
            spec = spec
                .priority(u32::MAX - src.below(2))
                .escalate(EscalationStep::after(Millis(u64::MAX - 1)))
                .escalate(EscalationStep::after(Millis(u64::MAX)));
        }
        Event::ConversationArrived {
            conversation: self.next_conversation.into(),
            spec,
        }
    }

    fn any_agent(&self, src: &mut impl Source, router: &Router, n: usize) -> Option<AgentId> {
        router.agents().nth(src.below(n as u32) as usize).cloned()
    }

    fn open(&self, src: &mut impl Source, router: &Router) -> Option<ConversationId> {
        let n = router.open_conversations().count();
        router
            .open_conversations()
            .nth(src.below(n as u32) as usize)
            .cloned()
    }

    /// Some agent's inbox entry, trying a few agents.
    fn held(
        &self,
        src: &mut impl Source,
        router: &Router,
        n: usize,
    ) -> Option<(AgentId, ConversationId, bool)> {
        for _ in 0..4 {
            let agent = self.any_agent(src, router, n)?;
            let mut inbox = router.inbox(&agent).ok()?;
            let len = inbox.len() as u32;
            if let Some(entry) = inbox.nth(src.below(len) as usize) {
                return Some((agent.clone(), entry.conversation.clone(), entry.offered));
            }
        }
        None
    }

    fn dispositions(&self, src: &mut impl Source, router: &Router) -> Vec<String> {
        let config = router.config();
        if config.require_disposition || src.chance(30) {
            vec![CODES[src.below(2) as usize].to_owned()]
        } else {
            Vec::new()
        }
    }

    /// An agent accepts or declines an offer, or resolves, replies to or
    /// transfers what it holds.
    fn work(&mut self, src: &mut impl Source, router: &Router, n: usize) -> Event {
        let Some((agent, conversation, offered)) = self.held(src, router, n) else {
            return self.arrival(src);
        };
        if offered {
            return if src.chance(75) {
                Event::OfferAccepted {
                    conversation,
                    agent,
                }
            } else {
                Event::OfferDeclined {
                    conversation,
                    agent,
                }
            };
        }
        match src.below(10) {
            0..=4 => Event::ConversationResolved {
                conversation,
                by: agent,
                dispositions: self.dispositions(src, router),
            },
            5..=7 => Event::AgentReplied {
                conversation,
                agent,
            },
            _ => Event::TransferRequested {
                conversation,
                by: agent,
                to: self.target(src, router, n),
            },
        }
    }

    fn target(&self, src: &mut impl Source, router: &Router, n: usize) -> TransferTarget {
        match src.below(3) {
            0 => match self.any_agent(src, router, n) {
                Some(agent) => TransferTarget::Agent(agent),
                None => TransferTarget::Team(TEAMS[0].into()),
            },
            1 => TransferTarget::Team(TEAMS[src.below(2) as usize].into()),
            _ => TransferTarget::Skills(vec![SkillLevel::new(
                SKILLS[src.below(3) as usize],
                1 + src.below(3) as u8,
            )]),
        }
    }

    fn admin_id(&self, src: &mut impl Source) -> Option<AgentId> {
        let admins = self.specs.range(ADMINS..CLIENTS).count();
        self.specs
            .range(ADMINS..CLIENTS)
            .nth(src.below(admins as u32) as usize)
            .map(|(&id, _)| id.into())
    }

    /// A super admin transfers, resolves, joins or leaves any open conversation.
    fn admin(&mut self, src: &mut impl Source, router: &Router) -> Event {
        let (Some(admin), Some(conversation)) = (self.admin_id(src), self.open(src, router)) else {
            return Event::Tick;
        };
        let n = router.agents().count();
        match src.below(8) {
            0..=2 => {
                let to = if src.chance(30) {
                    // Client users are reachable only this way.
                    let clients = self.specs.range(CLIENTS..).count();
                    match self
                        .specs
                        .range(CLIENTS..)
                        .nth(src.below(clients as u32) as usize)
                    {
                        Some((&id, _)) => TransferTarget::Agent(id.into()),
                        None => self.target(src, router, n),
                    }
                } else {
                    self.target(src, router, n)
                };
                Event::TransferRequested {
                    conversation,
                    by: admin,
                    to,
                }
            }
            3 => Event::ConversationResolved {
                conversation,
                by: admin,
                dispositions: self.dispositions(src, router),
            },
            4..=5 => Event::AdminJoined {
                conversation,
                admin,
            },
            6 => Event::AdminLeft {
                conversation,
                admin,
            },
            _ => Event::AgentReplied {
                conversation,
                agent: admin,
            },
        }
    }

    /// Faults under load: capacities lowered, skills removed, or a new spec.
    fn update(&mut self, src: &mut impl Source, router: &Router, n: usize) -> Event {
        let Some(agent) = self.any_agent(src, router, n) else {
            return Event::Tick;
        };
        let Some(id) = id_of(&agent) else {
            return Event::Tick;
        };
        let mut spec = match self.specs.get(&id) {
            Some(spec) => spec.clone(),
            None => return Event::Tick,
        };
        match src.below(4) {
            0 => {
                for c in &mut spec.channels {
                    c.capacity = c.capacity.saturating_sub(1 + src.below(2));
                }
                spec.total_capacity = spec.total_capacity.map(|t| t / 2);
            }
            1 => {
                let keep = src.below(spec.skills.len() as u32 + 1) as usize;
                spec.skills.truncate(keep);
                if src.chance(50) {
                    spec.teams.clear();
                }
            }
            2 => {
                for c in &mut spec.channels {
                    c.capacity += src.below(2);
                }
                if self.extremes && src.chance(10) {
                    spec = spec.channel("email", MAX_CAPACITY);
                    spec.total_capacity = Some(MAX_CAPACITY);
                }
            }
            _ => spec = agent_spec(src, spec.role),
        }
        Event::AgentUpdated { agent, spec }
    }

    /// Bad input of every kind. Most of it is refused; what is accepted by
    /// chance must still keep the contract.
    fn bad(&mut self, src: &mut impl Source, router: &Router, n: usize) -> Event {
        let ghost_conversation = || ConversationId::from(GHOST + 7);
        let ghost_agent = || AgentId::from(GHOST + 3);
        let some_agent = self.any_agent(src, router, n).unwrap_or_else(ghost_agent);
        let open = self.open(src, router).unwrap_or_else(ghost_conversation);
        match src.below(22) {
            0 => Event::ConversationResolved {
                conversation: ghost_conversation(),
                by: some_agent,
                dispositions: vec![],
            },
            1 | 2 => {
                let ended = match self.ended.len() {
                    0 => ghost_conversation(),
                    len => self.ended[src.below(len as u32) as usize].clone(),
                };
                if src.chance(50) {
                    Event::ConversationResolved {
                        conversation: ended,
                        by: some_agent,
                        dispositions: vec![],
                    }
                } else {
                    Event::ConversationAbandoned {
                        conversation: ended,
                    }
                }
            }
            3 => Event::PresenceChanged {
                agent: ghost_agent(),
                presence: Presence::Available,
            },
            4 => Event::AgentRemoved {
                agent: ghost_agent(),
            },
            5 => {
                // A bad spec: an unknown name, a zero level, an overflowing
                // capacity or a repeated name.
                let mut spec = agent_spec(src, Role::Agent);
                match src.below(6) {
                    0 => spec = spec.channel("fax", 1),
                    1 => spec = spec.skill("juggling", 1),
                    2 => spec = spec.team("ghosts"),
                    3 => spec = spec.skill("billing", 0).skill("tech", 0),
                    4 => spec = spec.channel("sms", MAX_CAPACITY + 1 + src.below(9)),
                    _ => spec = spec.channel("chat", 1).channel("chat", 2),
                }
                if src.chance(50) {
                    Event::AgentUpdated {
                        agent: some_agent,
                        spec,
                    }
                } else {
                    Event::AgentAdded {
                        agent: (GHOST + 11).into(),
                        spec,
                        presence: Presence::Available,
                    }
                }
            }
            6 => Event::AgentAdded {
                agent: some_agent,
                spec: AgentSpec::agent(),
                presence: Presence::Available,
            },
            7 => {
                // A known id, an unknown channel, skill or team, a zero
                // level, or escalation steps out of order.
                let Event::ConversationArrived {
                    conversation,
                    mut spec,
                } = self.arrival(src)
                else {
                    unreachable!()
                };
                match src.below(5) {
                    0 => {
                        return Event::ConversationArrived {
                            conversation: open,
                            spec,
                        };
                    }
                    1 => spec.channel = "fax".into(),
                    2 => spec = spec.skill("juggling", 2),
                    3 => spec = spec.team("ghosts"),
                    _ => {
                        spec = spec
                            .escalate(EscalationStep::after(Millis(9 * S)))
                            .escalate(EscalationStep::after(Millis(9 * S)))
                    }
                }
                Event::ConversationArrived { conversation, spec }
            }
            8 => Event::ConversationArrived {
                conversation: (GHOST + 13).into(),
                spec: ConversationSpec::new("sms", 1_u64).skill("french", 0),
            },
            9 => Event::ConversationResolved {
                // Most likely not the holder.
                conversation: open,
                by: some_agent,
                dispositions: vec![],
            },
            10 => Event::TransferRequested {
                conversation: open,
                by: some_agent.clone(),
                to: TransferTarget::Agent(some_agent),
            },
            11 => match self.held(src, router, n) {
                // To whoever holds it already, or to someone without the channel.
                Some((agent, conversation, _)) => Event::TransferRequested {
                    conversation,
                    by: self.admin_id(src).unwrap_or(agent.clone()),
                    to: TransferTarget::Agent(if src.chance(50) { agent } else { some_agent }),
                },
                None => Event::Tick,
            },
            12 => Event::AdminJoined {
                // A plain agent, or an admin joining twice.
                conversation: open,
                admin: if src.chance(50) {
                    some_agent
                } else {
                    self.admin_id(src).unwrap_or(some_agent)
                },
            },
            13 => Event::AdminLeft {
                conversation: open,
                admin: self.admin_id(src).unwrap_or(some_agent),
            },
            14 => Event::OfferAccepted {
                conversation: open,
                agent: some_agent,
            },
            15 => Event::OfferDeclined {
                conversation: open,
                agent: some_agent,
            },
            16 => match self.held(src, router, n) {
                Some((agent, conversation, _)) => Event::ConversationResolved {
                    conversation,
                    by: agent,
                    dispositions: if src.chance(50) {
                        vec!["bogus".into()]
                    } else {
                        Vec::new()
                    },
                },
                None => Event::Tick,
            },
            17 => Event::RulesReplaced {
                rules: match src.below(3) {
                    0 => RuleSet::default()
                        .rule(Rule::when("a", "b").then(Route::default().skill("juggling", 1))),
                    1 => RuleSet::default().otherwise(Route::default().team("ghosts").priority(3)),
                    _ => RuleSet::default().rule(
                        Rule::when("a", "b").on_channel("fax").then(
                            Route::default()
                                .escalate(EscalationStep::after(Millis(5 * S)))
                                .escalate(EscalationStep::after(Millis(S))),
                        ),
                    ),
                },
            },
            18 => Event::AgentReplied {
                conversation: open,
                agent: some_agent,
            },
            19 => Event::TransferRequested {
                // A plain agent (most likely) transfers to a client user.
                conversation: open,
                by: some_agent,
                to: TransferTarget::Agent((CLIENTS + 1).into()),
            },
            20 => Event::TransferRequested {
                conversation: open,
                by: self.admin_id(src).unwrap_or(some_agent),
                to: if src.chance(50) {
                    TransferTarget::Team("ghosts".into())
                } else {
                    TransferTarget::Skills(vec![SkillLevel::new("juggling", 1)])
                },
            },
            _ => Event::CustomerMessage {
                conversation: ghost_conversation(),
            },
        }
    }
}

fn presence(src: &mut impl Source) -> Presence {
    match src.below(20) {
        0..=10 => Presence::Available,
        11..=13 => Presence::Away,
        14..=15 => Presence::Busy,
        _ => Presence::Offline,
    }
}

/// A valid spec for an agent of `role`.
pub fn agent_spec(src: &mut impl Source, role: Role) -> AgentSpec {
    let mut spec = AgentSpec::with_role(role);
    for channel in CHANNELS {
        if src.chance(70) {
            spec = spec.channel(channel, src.below(4));
        }
    }
    for skill in SKILLS {
        if src.chance(50) {
            spec = spec.skill(skill, 1 + src.below(5) as u8);
        }
    }
    for team in TEAMS {
        if src.chance(30) {
            spec = spec.team(team);
        }
    }
    if src.chance(20) {
        spec = spec.total_capacity(2 + src.below(8));
    }
    spec
}
