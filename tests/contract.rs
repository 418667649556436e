//! The contract of DESIGN.md, checked after every event of random event
//! sequences (bad ones included) against the naive reference router:
//! roles and transfers, and the time-aware parts too (rules, offers and
//! their answers, escalation, wrap-up, response deadlines, statistics,
//! every timer fired by ticks).
//!
//! `PROPTEST_CASES` raises the number of cases (default 1,000 of 200 events).

#[path = "common/kinds.rs"]
mod kinds;
mod reference;

use std::collections::{BTreeMap, BTreeSet};

use omnirouter::{
    AgentId, AgentSpec, ChannelCapacity, Config, ConversationId, ConversationSpec,
    ConversationState, CustomerId, Decision, Decisions, Error, EscalationStep, Event, Happening,
    MAX_CAPACITY, Millis, OfflinePolicy, Outcome, OverduePolicy, Presence, Role, Route, Router,
    Rule, RuleSet, SkillLevel, Timestamp, TransferTarget,
};
use proptest::prelude::*;
use reference::{Place, Reference};

const CHANNELS: [&str; 4] = ["sms", "chat", "voice", "fax"];
const SKILLS: [&str; 4] = ["billing", "french", "tech", "juggling"];
const TEAMS: [&str; 3] = ["tier2", "vip", "ghost"];
/// Label keys and values of conversations and rules.
const LABELS: [(&str, [&str; 2]); 2] = [("lang", ["fr", "en"]), ("vip", ["yes", "no"])];
const STEPS: usize = 200;

/// The time-aware parts of a configuration: per channel an offer timeout,
/// a wrap-up time and a response deadline; then missed offers before
/// away, the overdue policy, the service-level threshold and the rules.
type TimeAware = (
    Vec<(Option<u64>, u64, Option<u64>)>,
    Option<u32>,
    bool,
    u64,
    RawRules,
);

fn time_aware() -> impl Strategy<Value = TimeAware> {
    (
        proptest::collection::vec(
            (
                prop::option::weighted(0.3, 1..3_000_u64),
                prop_oneof![2 => Just(0_u64), 1 => 1..3_000_u64],
                prop::option::weighted(0.3, 1..4_000_u64),
            ),
            3,
        ),
        prop::option::of(1..=3_u32),
        any::<bool>(),
        0..3_000_u64,
        raw_rules(false),
    )
}

/// Routing rules as indices into the name lists; with `bad`, names may
/// be unknown and escalation steps out of order.
#[derive(Clone, Debug)]
struct RawRules {
    bad: bool,
    rules: Vec<RawRule>,
    default: Option<RawRoute>,
}

/// A rule: an optional channel, label pairs, and its route.
type RawRule = (Option<u8>, Vec<(u8, u8)>, RawRoute);

#[derive(Clone, Debug)]
struct RawRoute {
    skills: Vec<(u8, u8)>,
    team: Option<u8>,
    priority: Option<u32>,
    steps: Vec<RawStep>,
}

/// An escalation step `gap` ms after the previous one.
#[derive(Clone, Debug)]
struct RawStep {
    gap: u64,
    skills: Vec<(u8, u8)>,
    team: Option<u8>,
}

fn raw_steps(bad: bool) -> impl Strategy<Value = Vec<RawStep>> {
    let gap = if bad {
        prop_oneof![1 => Just(0_u64), 3 => 1..4_000_u64].boxed()
    } else {
        (1..4_000_u64).boxed()
    };
    proptest::collection::vec(
        (
            gap,
            proptest::collection::vec((0..4_u8, 0..4_u8), 0..2),
            prop::option::weighted(0.2, 0..3_u8),
        )
            .prop_map(|(gap, skills, team)| RawStep { gap, skills, team }),
        0..3,
    )
}

fn raw_route(bad: bool) -> impl Strategy<Value = RawRoute> {
    (
        needs(),
        prop::option::weighted(0.2, 0..3_u8),
        prop::option::of(0..4_u32),
        prop_oneof![2 => Just(Vec::new()), 1 => raw_steps(bad)],
    )
        .prop_map(|(skills, team, priority, steps)| RawRoute {
            skills,
            team,
            priority,
            steps,
        })
}

fn raw_rules(bad: bool) -> impl Strategy<Value = RawRules> {
    (
        proptest::collection::vec(
            (
                prop::option::weighted(0.3, 0..4_u8),
                proptest::collection::vec((0..2_u8, 0..2_u8), 0..3),
                raw_route(bad),
            ),
            0..3,
        ),
        prop::option::weighted(0.3, raw_route(bad)),
    )
        .prop_map(move |(rules, default)| RawRules {
            bad,
            rules,
            default,
        })
}

/// Labels: a value for some of the keys.
fn labels(pairs: &[(u8, u8)]) -> impl Iterator<Item = (String, String)> + '_ {
    pairs.iter().map(|&(k, v)| {
        let (key, values) = LABELS[usize::from(k) % 2];
        (key.to_owned(), values[usize::from(v) % 2].to_owned())
    })
}

/// How many of each name list a configuration has: channels, skills, teams.
type Known = (usize, usize, usize);

fn skills(known: usize, list: &[(u8, u8)], bad: bool) -> Vec<SkillLevel> {
    let mut skills: Vec<SkillLevel> = Vec::new();
    for &(s, l) in list {
        let level = if bad { l } else { l.max(1) };
        let skill = SkillLevel::new(name(&SKILLS, known, s, bad), level);
        if bad || skills.iter().all(|x| x.skill != skill.skill) {
            skills.push(skill);
        }
    }
    skills
}

fn team(known: usize, t: Option<u8>, bad: bool) -> Option<String> {
    t.filter(|_| bad || known > 0)
        .map(|t| name(&TEAMS, known.max(1), t, bad))
}

fn steps(known: Known, raw: &[RawStep], bad: bool) -> Vec<EscalationStep> {
    let mut after = 0;
    raw.iter()
        .map(|step| {
            after += step.gap;
            EscalationStep {
                after: Millis(after),
                skills: skills(known.1, &step.skills, bad),
                team: team(known.2, step.team, bad),
            }
        })
        .collect()
}

fn route(known: Known, raw: &RawRoute, bad: bool) -> Route {
    Route {
        skills: skills(known.1, &raw.skills, bad),
        team: team(known.2, raw.team, bad),
        priority: raw.priority,
        escalation: steps(known, &raw.steps, bad),
    }
}

fn rule_set(known: Known, raw: &RawRules) -> RuleSet {
    let bad = raw.bad;
    RuleSet {
        rules: raw
            .rules
            .iter()
            .map(|(channel, pairs, r)| Rule {
                channel: channel.map(|c| name(&CHANNELS, known.0, c, bad)),
                labels: labels(pairs).collect(),
                route: route(known, r, bad),
            })
            .collect(),
        default: raw.default.as_ref().map(|r| route(known, r, bad)),
    }
}

fn known(config: &Config) -> Known {
    (
        config.channels.len(),
        config.skills.len(),
        config.teams.len(),
    )
}

/// A random configuration; the last name of each list is never configured.
fn config() -> impl Strategy<Value = Config> {
    (
        2..=3_usize,
        proptest::collection::vec(1..=3_u32, 3),
        2..=3_usize,
        0..=2_usize,
        prop_oneof![
            Just(omnirouter::Strategy::LeastLoaded),
            Just(omnirouter::Strategy::LeastLoadedOnChannel),
            Just(omnirouter::Strategy::LongestIdle),
            Just(omnirouter::Strategy::RoundRobin)
        ],
        any::<bool>(),
        (0..4_usize, 0..4_usize, prop::option::of(1..3_000_u64)),
        (
            0..3_000_u64,
            prop::option::of(0..3_000_u64),
            prop::option::of(1..500_u64),
        ),
        (any::<bool>(), any::<bool>()),
        time_aware(),
    )
        .prop_map(
            |(channels, costs, skills, teams, strategy, keep, retention, waits, codes, time)| {
                let mut config = Config::new(CHANNELS[..channels].iter().copied())
                    .skills(SKILLS[..skills].iter().copied())
                    .teams(TEAMS[..teams].iter().copied())
                    .strategy(strategy)
                    .offline(if keep {
                        OfflinePolicy::Keep
                    } else {
                        OfflinePolicy::Requeue
                    });
                for (c, cost) in config.channels.iter_mut().zip(costs) {
                    c.cost = cost;
                }
                let (ended, per_customer, horizon) = retention;
                config.ended_retention = [0, 3, 10, 1_000][ended];
                config.history_per_customer = [0, 1, 2, 20][per_customer];
                config.history_horizon = horizon.map(Millis);
                config.transfer_wait = Millis(waits.0);
                config.preferred_agent_wait = waits.1.map(Millis);
                config.priority_aging = waits.2.map(Millis);
                if codes.0 {
                    config = config.dispositions(["sale", "callback"], codes.1);
                }
                let (per_channel, missed, requeue, threshold, rules) = time;
                for (c, (offer, wrap_up, deadline)) in config.channels.iter_mut().zip(per_channel) {
                    c.offer_timeout = offer.map(Millis);
                    c.wrap_up = Millis(wrap_up);
                    c.response_deadline = deadline.map(Millis);
                }
                config.max_missed_offers = missed;
                config.response_overdue = if requeue {
                    OverduePolicy::Requeue
                } else {
                    OverduePolicy::Notify
                };
                config.service_level_threshold = Millis(threshold);
                config.rules = rule_set(known(&config), &rules);
                config
            },
        )
}

/// One step of a scenario, turned into an event against the current state.
///
/// Most steps aim at live state (an existing agent, an open conversation,
/// configured names) so that most events are accepted and routing is busy;
/// the `Any*` steps use raw ids and names, so every kind of bad input occurs.
#[derive(Clone, Debug)]
enum Op {
    /// Add the first unused agent id.
    Add(Spec, u8),
    /// Add agent `1000 + n`, available: a large centre's staff.
    Hire(u16, Spec),
    AnyAdd(u8, Spec, u8),
    Update(usize, Spec),
    Remove(usize),
    Presence(usize, u8),
    /// A conversation with a fresh id on a configured channel.
    Arrive(Arrival),
    AnyArrive(u8, Arrival),
    /// Resolve a held conversation (picked by index) by its holder.
    ResolveHeld(usize, Vec<u8>),
    AnyResolve(u8, u8, Vec<u8>),
    Abandon(usize),
    AnyAbandon(u8),
    /// Transfer a held conversation (picked by index) by its holder.
    TransferHeld(usize, Target),
    /// A super admin (picked by index) transfers any open conversation.
    AdminTransfer(usize, usize, Target),
    AnyTransfer(u8, u8, Target),
    /// A super admin (picked by index) joins or leaves an open conversation.
    Join(usize, usize),
    Leave(usize, usize),
    AnyJoin(u8, u8),
    Message(u8),
    MessageOpen(usize),
    /// The holder of a held conversation (picked by index) replies, or
    /// with `true` a super admin who joined it, if there is one.
    Reply(usize, bool),
    AnyReply(u8, u8),
    /// The agent of an offered conversation (picked by index) accepts.
    Accept(usize),
    Decline(usize),
    AnyOffer(u8, u8, bool),
    Rules(RawRules),
    ResetStats,
    Tick,
}

/// A conversation's spec as indices; requirements left empty may come
/// from the rules.
#[derive(Clone, Debug)]
struct Arrival {
    customer: u8,
    channel: u8,
    needs: Vec<(u8, u8)>,
    priority: u8,
    team: Option<u8>,
    labels: Vec<(u8, u8)>,
    steps: Vec<RawStep>,
}

fn arrival(bad: bool) -> impl Strategy<Value = Arrival> {
    (
        0..6_u8,
        0..4_u8,
        needs(),
        0..3_u8,
        prop::option::weighted(if bad { 0.2 } else { 0.15 }, 0..3_u8),
        proptest::collection::vec((0..2_u8, 0..2_u8), 0..3),
        prop_oneof![4 => Just(Vec::new()), 1 => raw_steps(bad)],
    )
        .prop_map(
            |(customer, channel, needs, priority, team, labels, steps)| Arrival {
                customer,
                channel,
                needs,
                priority,
                team,
                labels,
                steps,
            },
        )
}

/// An agent spec; with `bad` its names may be unknown and values too large.
#[derive(Clone, Debug)]
struct Spec {
    bad: bool,
    role: u8,
    channels: Vec<(u8, u32)>,
    skills: Vec<(u8, u8)>,
    teams: Vec<u8>,
    total: Option<u32>,
}

#[derive(Clone, Debug)]
enum Target {
    Agent(usize),
    AnyAgent(u8),
    Team(u8),
    Skills(Vec<(u8, u8)>),
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::bool::weighted(0.1),
        0..10_u8,
        proptest::collection::vec(
            (
                0..4_u8,
                prop_oneof![1 => Just(0_u32), 6 => 1..4_u32, 1 => Just(MAX_CAPACITY + 1)],
            ),
            0..4,
        ),
        proptest::collection::vec((0..4_u8, 0..5_u8), 0..3),
        proptest::collection::vec(0..3_u8, 0..2),
        prop::option::weighted(0.2, prop_oneof![3 => 1..8_u32, 1 => Just(MAX_CAPACITY + 1)]),
    )
        .prop_map(|(bad, role, channels, skills, teams, total)| Spec {
            bad,
            role,
            channels,
            skills,
            teams,
            total,
        })
}

/// A routed agent on every channel, with skills and maybe a team.
fn staff_spec() -> impl Strategy<Value = Spec> {
    (
        proptest::collection::vec(1..4_u32, 4),
        proptest::collection::vec((0..4_u8, 0..5_u8), 0..3),
        proptest::collection::vec(0..3_u8, 0..2),
    )
        .prop_map(|(capacities, skills, teams)| Spec {
            bad: false,
            role: 2,
            channels: (0..).zip(capacities).collect(),
            skills,
            teams,
            total: None,
        })
}

fn target() -> impl Strategy<Value = Target> {
    prop_oneof![
        3 => any::<usize>().prop_map(Target::Agent),
        1 => (0..8_u8).prop_map(Target::AnyAgent),
        1 => (0..3_u8).prop_map(Target::Team),
        1 => proptest::collection::vec((0..4_u8, 0..4_u8), 0..2).prop_map(Target::Skills),
    ]
}

fn codes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(prop_oneof![4 => 0..2_u8, 1 => Just(2_u8)], 0..2)
}

fn needs() -> impl Strategy<Value = Vec<(u8, u8)>> {
    proptest::collection::vec((0..4_u8, 1..4_u8), 0..2)
}

fn op() -> impl Strategy<Value = (u64, Op)> {
    let ix = any::<usize>;
    let op = prop_oneof![
        3 => (spec(), 0..5_u8).prop_map(|(s, p)| Op::Add(s, p)),
        1 => (0..8_u8, spec(), 0..5_u8).prop_map(|(a, s, p)| Op::AnyAdd(a, s, p)),
        2 => (ix(), spec()).prop_map(|(a, s)| Op::Update(a, s)),
        1 => ix().prop_map(Op::Remove),
        4 => (ix(), 0..6_u8).prop_map(|(a, p)| Op::Presence(a, p)),
        14 => arrival(false).prop_map(Op::Arrive),
        1 => (0..60_u8, arrival(true)).prop_map(|(c, a)| Op::AnyArrive(c, a)),
        10 => (ix(), codes()).prop_map(|(i, c)| Op::ResolveHeld(i, c)),
        1 => (0..60_u8, 0..8_u8, codes()).prop_map(|(c, a, d)| Op::AnyResolve(c, a, d)),
        2 => ix().prop_map(Op::Abandon),
        1 => (0..60_u8).prop_map(Op::AnyAbandon),
        3 => (ix(), target()).prop_map(|(i, t)| Op::TransferHeld(i, t)),
        2 => (ix(), ix(), target()).prop_map(|(a, c, t)| Op::AdminTransfer(a, c, t)),
        1 => (0..60_u8, 0..8_u8, target()).prop_map(|(c, a, t)| Op::AnyTransfer(c, a, t)),
        1 => (ix(), ix()).prop_map(|(a, c)| Op::Join(a, c)),
        1 => (ix(), ix()).prop_map(|(a, c)| Op::Leave(a, c)),
        1 => (0..60_u8, 0..8_u8).prop_map(|(c, a)| Op::AnyJoin(c, a)),
        1 => (0..60_u8).prop_map(Op::Message),
        2 => ix().prop_map(Op::MessageOpen),
        3 => (ix(), prop::bool::weighted(0.2)).prop_map(|(i, admin)| Op::Reply(i, admin)),
        1 => (0..60_u8, 0..8_u8).prop_map(|(c, a)| Op::AnyReply(c, a)),
        4 => ix().prop_map(Op::Accept),
        2 => ix().prop_map(Op::Decline),
        1 => (0..60_u8, 0..8_u8, any::<bool>()).prop_map(|(c, a, y)| Op::AnyOffer(c, a, y)),
        1 => prop::bool::weighted(0.3).prop_flat_map(raw_rules).prop_map(Op::Rules),
        1 => Just(Op::ResetStats),
        5 => Just(Op::Tick),
    ];
    (
        prop_oneof![3 => 0..3_u64, 2 => 0..2_000_u64, 1 => 0..6_000_u64],
        op,
    )
}

/// A name from `list`: among the first `known` (the configured ones)
/// unless `bad`, when the unconfigured last one may come up too.
fn name(list: &[&str], known: usize, i: u8, bad: bool) -> String {
    let n = if bad { list.len() } else { known };
    list[usize::from(i) % n].to_owned()
}

/// Turns steps into events, tracking fresh ids.
struct Driver {
    next_conversation: u64,
}

impl Driver {
    fn skills(r: &Reference, list: &[(u8, u8)], bad: bool) -> Vec<SkillLevel> {
        skills(r.config.skills.len(), list, bad)
    }

    fn agent_spec(r: &Reference, spec: &Spec) -> AgentSpec {
        let bad = spec.bad;
        AgentSpec {
            role: match spec.role {
                0 => Role::SuperAdmin,
                1 => Role::ClientUser,
                _ => Role::Agent,
            },
            channels: spec
                .channels
                .iter()
                .map(|&(c, cap)| {
                    let cap = if bad { cap } else { cap.min(3) };
                    ChannelCapacity::new(name(&CHANNELS, r.config.channels.len(), c, bad), cap)
                })
                .fold(Vec::new(), |mut list: Vec<ChannelCapacity>, entry| {
                    if bad || list.iter().all(|x| x.channel != entry.channel) {
                        list.push(entry);
                    }
                    list
                }),
            skills: Self::skills(r, &spec.skills, bad),
            teams: spec
                .teams
                .iter()
                .filter(|_| bad || !r.config.teams.is_empty())
                .map(|&t| name(&TEAMS, r.config.teams.len().max(1), t, bad))
                .take(if bad { 2 } else { 1 })
                .collect(),
            total_capacity: spec.total.map(|t| if bad { t } else { t.min(8) }),
        }
    }

    fn target(r: &Reference, t: &Target) -> TransferTarget {
        match t {
            Target::Agent(i) => TransferTarget::Agent(pick_agent(r, *i, |_| true)),
            Target::AnyAgent(a) => TransferTarget::Agent(u64::from(*a).into()),
            Target::Team(t) => TransferTarget::Team(name(
                &TEAMS,
                r.config.teams.len().max(1),
                *t,
                r.config.teams.is_empty(),
            )),
            Target::Skills(s) => TransferTarget::Skills(Self::skills(r, s, false)),
        }
    }

    fn event(&mut self, op: &Op, r: &Reference) -> Event {
        let a = |i: u8| AgentId::from(u64::from(i));
        let c = |i: u8| ConversationId::from(u64::from(i));
        let conversation_spec = |arrival: &Arrival, bad: bool| {
            let mut spec = ConversationSpec::new(
                name(&CHANNELS, r.config.channels.len(), arrival.channel, bad),
                u64::from(arrival.customer),
            );
            spec.skills = Self::skills(r, &arrival.needs, bad);
            spec.priority = u32::from(arrival.priority);
            spec.team = team(r.config.teams.len(), arrival.team, bad);
            spec.labels = labels(&arrival.labels).collect();
            spec.escalation = steps(known(&r.config), &arrival.steps, bad);
            spec
        };
        match op {
            Op::Add(spec, p) => {
                let free = (0..8_u64)
                    .find(|i| r.agent(&AgentId::from(*i)).is_none())
                    .unwrap_or(0);
                Event::AgentAdded {
                    agent: free.into(),
                    spec: Self::agent_spec(r, spec),
                    presence: presence(*p),
                }
            }
            Op::Hire(n, spec) => Event::AgentAdded {
                agent: (1_000 + u64::from(*n)).into(),
                spec: Self::agent_spec(r, spec),
                presence: Presence::Available,
            },
            Op::AnyAdd(agent, spec, p) => Event::AgentAdded {
                agent: a(*agent),
                spec: Self::agent_spec(r, spec),
                presence: presence(*p),
            },
            Op::Update(i, spec) => Event::AgentUpdated {
                agent: pick_agent(r, *i, |_| true),
                spec: Self::agent_spec(r, spec),
            },
            Op::Remove(i) => Event::AgentRemoved {
                agent: pick_agent(r, *i, |_| true),
            },
            Op::Presence(i, p) => Event::PresenceChanged {
                agent: pick_agent(r, *i, |_| true),
                presence: presence(*p),
            },
            Op::Arrive(arrival) => {
                self.next_conversation += 1;
                Event::ConversationArrived {
                    conversation: (self.next_conversation % 64).into(),
                    spec: conversation_spec(arrival, false),
                }
            }
            Op::AnyArrive(conv, arrival) => Event::ConversationArrived {
                conversation: c(*conv),
                spec: conversation_spec(arrival, true),
            },
            Op::ResolveHeld(i, codes) => match pick_held(r, *i) {
                Some((conversation, by)) => Event::ConversationResolved {
                    conversation,
                    by,
                    dispositions: dispositions(codes),
                },
                None => Event::Tick,
            },
            Op::AnyResolve(conv, by, codes) => Event::ConversationResolved {
                conversation: c(*conv),
                by: a(*by),
                dispositions: dispositions(codes),
            },
            Op::Abandon(i) => Event::ConversationAbandoned {
                conversation: pick_open(r, *i),
            },
            Op::AnyAbandon(conv) => Event::ConversationAbandoned {
                conversation: c(*conv),
            },
            Op::TransferHeld(i, t) => match pick_held(r, *i) {
                Some((conversation, by)) => Event::TransferRequested {
                    conversation,
                    by,
                    to: Self::target(r, t),
                },
                None => Event::Tick,
            },
            Op::AdminTransfer(admin, i, t) => Event::TransferRequested {
                conversation: pick_open(r, *i),
                by: pick_agent(r, *admin, |a| a.role == Role::SuperAdmin),
                to: Self::target(r, t),
            },
            Op::AnyTransfer(conv, by, t) => Event::TransferRequested {
                conversation: c(*conv),
                by: a(*by),
                to: Self::target(r, t),
            },
            Op::Join(admin, i) => Event::AdminJoined {
                conversation: pick_open(r, *i),
                admin: pick_agent(r, *admin, |a| a.role == Role::SuperAdmin),
            },
            Op::Leave(admin, i) => Event::AdminLeft {
                conversation: pick_open(r, *i),
                admin: pick_agent(r, *admin, |a| a.role == Role::SuperAdmin),
            },
            Op::AnyJoin(conv, admin) => Event::AdminJoined {
                conversation: c(*conv),
                admin: a(*admin),
            },
            Op::Message(conv) => Event::CustomerMessage {
                conversation: c(*conv),
            },
            Op::MessageOpen(i) => Event::CustomerMessage {
                conversation: pick_open(r, *i),
            },
            Op::Reply(i, admin) => match pick_held(r, *i) {
                Some((conversation, holder)) => {
                    let c = r.conversation(&conversation).unwrap();
                    let agent = match c.participants.first() {
                        Some(joined) if *admin => joined.clone(),
                        _ => holder,
                    };
                    Event::AgentReplied {
                        conversation,
                        agent,
                    }
                }
                None => Event::Tick,
            },
            Op::AnyReply(conv, agent) => Event::AgentReplied {
                conversation: c(*conv),
                agent: a(*agent),
            },
            Op::Accept(i) | Op::Decline(i) => match pick_offered(r, *i) {
                Some((conversation, agent)) if matches!(op, Op::Accept(_)) => {
                    Event::OfferAccepted {
                        conversation,
                        agent,
                    }
                }
                Some((conversation, agent)) => Event::OfferDeclined {
                    conversation,
                    agent,
                },
                None => Event::Tick,
            },
            Op::AnyOffer(conv, agent, true) => Event::OfferAccepted {
                conversation: c(*conv),
                agent: a(*agent),
            },
            Op::AnyOffer(conv, agent, false) => Event::OfferDeclined {
                conversation: c(*conv),
                agent: a(*agent),
            },
            Op::Rules(raw) => Event::RulesReplaced {
                rules: rule_set(known(&r.config), raw),
            },
            Op::ResetStats => Event::StatisticsReset,
            Op::Tick => Event::Tick,
        }
    }
}

/// An existing agent that passes `filter` (or any, or a ghost), by index.
fn pick_agent(r: &Reference, i: usize, filter: impl Fn(&reference::Agent) -> bool) -> AgentId {
    let fits: Vec<_> = r.agents.iter().filter(|a| filter(a)).collect();
    let pool: Vec<_> = if fits.is_empty() {
        r.agents.iter().collect()
    } else {
        fits
    };
    pool.get(i % pool.len().max(1))
        .map(|a| a.id.clone())
        .unwrap_or_else(|| AgentId::from(99_u64))
}

fn pick_open(r: &Reference, i: usize) -> ConversationId {
    r.open
        .get(i % r.open.len().max(1))
        .map(|c| c.id.clone())
        .unwrap_or_else(|| ConversationId::from(99_u64))
}

fn pick_held(r: &Reference, i: usize) -> Option<(ConversationId, AgentId)> {
    let held: Vec<_> = r
        .open
        .iter()
        .filter_map(|c| match &c.place {
            Place::Held(h) => Some((c.id.clone(), h.clone())),
            _ => None,
        })
        .collect();
    (!held.is_empty()).then(|| held[i % held.len()].clone())
}

fn pick_offered(r: &Reference, i: usize) -> Option<(ConversationId, AgentId)> {
    let offered: Vec<_> = r
        .open
        .iter()
        .filter_map(|c| match &c.place {
            Place::Offered { agent, .. } => Some((c.id.clone(), agent.clone())),
            _ => None,
        })
        .collect();
    (!offered.is_empty()).then(|| offered[i % offered.len()].clone())
}

fn presence(p: u8) -> Presence {
    [
        Presence::Available,
        Presence::Available,
        Presence::Away,
        Presence::Busy,
        Presence::Offline,
    ][usize::from(p) % 5]
}

fn dispositions(codes: &[u8]) -> Vec<String> {
    codes
        .iter()
        .map(|&c| ["sale", "callback", "bogus"][usize::from(c) % 3].to_owned())
        .collect()
}

/// What the checker remembers between events.
#[derive(Default)]
struct Watch {
    /// (agent, channel) whose load may exceed capacity because an update
    /// lowered it: lowering takes nothing away.
    over_capacity: BTreeSet<(AgentId, usize)>,
    over_total: BTreeSet<AgentId>,
    /// (conversation, person) explicitly targeted by a transfer.
    explicit: BTreeSet<(ConversationId, AgentId)>,
}

/// `c` as it was when `earlier` had been decided: an escalation step
/// later in `all` may have changed its requirements since.
fn requirements_at(
    c: &reference::Conversation,
    before: &Reference,
    earlier: &[Decision],
    all: &[Decision],
) -> reference::Conversation {
    let step_of = |d: &Decision| match d {
        Decision::Escalated { conversation, step } if *conversation == c.id => Some(*step),
        _ => None,
    };
    let mut at = c.clone();
    if let Some(step) = earlier.iter().rev().find_map(step_of) {
        at.skills = c.escalation[step].needs.skills.clone();
        at.team = c.escalation[step].needs.team.clone();
    } else if all[earlier.len()..].iter().any(|d| step_of(d).is_some())
        && let Some(b) = before.conversation(&c.id)
    {
        at.skills = b.skills.clone();
        at.team = b.team.clone();
    }
    at
}

/// Checks every invariant of the contract on the real router after an event.
fn check(
    router: &Router,
    reference: &Reference,
    before: &Reference,
    event: &Event,
    decisions: &[Decision],
    watch: &mut Watch,
) -> Result<(), TestCaseError> {
    // Grandfathered overloads come only from updates; they end once the
    // load (held, offered and wrapping up) is back under the capacity.
    for agent in &reference.agents {
        for (ch, &cap) in agent.capacity.iter().enumerate() {
            let load = reference.busy(agent, ch);
            let key = (agent.id.clone(), ch);
            let was = before.agent(&agent.id).map(|b| before.busy(b, ch));
            if load > cap && was.is_some_and(|w| w >= load) {
                watch.over_capacity.insert(key.clone());
            }
            if load <= cap {
                watch.over_capacity.remove(&key);
            }
        }
    }

    // Assigned decisions: to someone with room, eligible or explicitly chosen.
    let mut last_transfer_target = None;
    for (i, decision) in decisions.iter().enumerate() {
        match decision {
            Decision::Transferred { conversation, .. } => {
                last_transfer_target = Some(conversation.clone())
            }
            Decision::Awaiting {
                conversation,
                agent,
                ..
            } => {
                watch.explicit.insert((conversation.clone(), agent.clone()));
            }
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
                let c = reference.conversation(conversation);
                let a = reference.agent(agent);
                prop_assert!(
                    c.is_some() && a.is_some(),
                    "assigned to a ghost: {decision:?}"
                );
                let (c, a) = (
                    &requirements_at(c.unwrap(), before, &decisions[..i], decisions),
                    a.unwrap(),
                );
                // An accepted offer was checked when it was made.
                let accepted = before.conversation(conversation).is_some_and(
                    |b| matches!(&b.place, Place::Offered { agent: o, .. } if o == agent),
                );
                if accepted {
                    continue;
                }
                let explicit = watch
                    .explicit
                    .contains(&(conversation.clone(), agent.clone()))
                    || last_transfer_target.as_ref() == Some(conversation);
                prop_assert!(
                    reference.qualifies(a, c) || explicit,
                    "{agent} is not eligible for {conversation} after {event:?}: {decisions:?}; {c:?}; {a:?}"
                );
                prop_assert!(a.capacity[c.channel] > 0, "{agent} lacks the channel");
            }
            _ => {}
        }
    }

    let open: BTreeSet<_> = router.open_conversations().cloned().collect();
    let expected: BTreeSet<_> = reference.open.iter().map(|c| c.id.clone()).collect();
    prop_assert_eq!(&open, &expected, "open conversations differ");

    // Capacity, inboxes, presence.
    let mut agents: Vec<_> = router.agents().cloned().collect();
    agents.sort();
    let mut expected: Vec<_> = reference.agents.iter().map(|a| a.id.clone()).collect();
    expected.sort();
    prop_assert_eq!(agents, expected, "agents differ");
    let mut holders = std::collections::BTreeMap::new();
    for agent in &reference.agents {
        let entries: Vec<_> = router.inbox(&agent.id).unwrap().collect();
        let inbox: Vec<_> = entries.iter().map(|e| e.conversation.clone()).collect();
        prop_assert_eq!(&inbox, &agent.inbox, "inbox of {} differs", agent.id);
        for entry in &entries {
            let c = reference.conversation(entry.conversation).unwrap();
            prop_assert_eq!(entry.offered, matches!(c.place, Place::Offered { .. }));
            prop_assert_eq!(
                entry.awaiting_reply_since,
                c.awaiting_reply_since.map(Timestamp)
            );
        }
        prop_assert_eq!(router.presence(&agent.id).unwrap(), agent.presence);
        for id in &inbox {
            prop_assert!(
                holders.insert(id.clone(), agent.id.clone()).is_none(),
                "{id} held twice"
            );
        }
        let mut units = 0;
        for (ch, config) in reference.config.channels.iter().enumerate() {
            prop_assert_eq!(
                router.load(&agent.id, &config.name).unwrap(),
                reference.load(agent, ch)
            );
            prop_assert_eq!(
                router.wrapping_up(&agent.id, &config.name).unwrap(),
                agent.wrapping[ch]
            );
            let load = reference.busy(agent, ch);
            prop_assert!(
                load <= agent.capacity[ch] || watch.over_capacity.contains(&(agent.id.clone(), ch)),
                "{} holds {load} on {} over capacity {}",
                agent.id,
                config.name,
                agent.capacity[ch]
            );
            units += u64::from(load) * u64::from(config.cost);
        }
        if let Some(total) = agent.total_capacity {
            if units > u64::from(total) {
                let allowed = watch.over_total.contains(&agent.id)
                    || before
                        .agent(&agent.id)
                        .is_some_and(|b| b.inbox.len() >= agent.inbox.len());
                prop_assert!(allowed, "{} is over its total capacity", agent.id);
                watch.over_total.insert(agent.id.clone());
            } else {
                watch.over_total.remove(&agent.id);
            }
        }
    }

    // Nothing lost; positions; no idle capacity while work waits.
    let mut waiting = 0;
    for c in &reference.open {
        let view = router
            .conversation(&c.id)
            .expect("open conversation is known");
        // Its story: holders, admins, reply clock, and a timeline that
        // starts at arrival, runs forward in time and names every holder.
        prop_assert_eq!(view.agents, &c.holders[..], "holders of {}", c.id);
        let mut participants = view.participants.clone();
        let mut expected = c.participants.clone();
        participants.sort();
        expected.sort();
        prop_assert_eq!(participants, expected, "admins in {}", c.id);
        prop_assert_eq!(
            view.awaiting_reply_since,
            c.awaiting_reply_since.map(Timestamp)
        );
        let first = view.timeline.first().map(|e| (e.at, &e.happening));
        prop_assert_eq!(first, Some((Timestamp(c.arrived), &Happening::Arrived)));
        prop_assert!(view.timeline.windows(2).all(|w| w[0].at <= w[1].at));
        let assigned: Vec<_> = (view.timeline.iter())
            .filter_map(|e| match &e.happening {
                Happening::Assigned { agent } => Some(agent),
                _ => None,
            })
            .collect();
        prop_assert_eq!(assigned, c.holders.iter().collect::<Vec<_>>());
        match (&c.place, view.state) {
            (Place::Line, ConversationState::Queued { ahead }) => {
                waiting += 1;
                prop_assert!(!holders.contains_key(&c.id));
                prop_assert_eq!(ahead, reference.ahead_in_line(c), "position of {}", c.id);
                prop_assert_eq!(router.position(&c.id), Some(ahead));
                for agent in &reference.agents {
                    prop_assert!(
                        !reference.eligible(agent, c),
                        "{} waits while {} is free and eligible",
                        c.id,
                        agent.id
                    );
                }
            }
            (
                Place::Awaiting { person, until, .. },
                ConversationState::Awaiting {
                    agent, until: u, ..
                },
            ) => {
                prop_assert_eq!(person, &agent);
                prop_assert_eq!(Timestamp(*until), u);
                prop_assert!(!holders.contains_key(&c.id));
                let p = reference.agent(person).unwrap();
                prop_assert!(
                    !(p.presence == Presence::Available && reference.has_room(p, c.channel)),
                    "{} awaits {} who has room",
                    c.id,
                    person
                );
            }
            (Place::Held(h), ConversationState::Assigned { agent })
            | (Place::Offered { agent: h, .. }, ConversationState::Offered { agent, .. }) => {
                prop_assert_eq!(h, &agent);
                prop_assert_eq!(holders.get(&c.id), Some(h));
            }
            (place, state) => {
                prop_assert!(false, "{} is {place:?} but the router says {state:?}", c.id)
            }
        }
    }
    let queued: usize = reference
        .config
        .channels
        .iter()
        .map(|c| router.queue_len(&c.name).unwrap())
        .sum();
    prop_assert_eq!(queued, waiting, "queue lengths do not add up");
    prop_assert_eq!(
        holders.len(),
        reference
            .open
            .iter()
            .filter(|c| matches!(c.place, Place::Held(_) | Place::Offered { .. }))
            .count()
    );

    // History: each customer's remembered conversations, oldest first, as
    // they ended (holders, codes, times), and each one's own view.
    let mut remembered: BTreeMap<&CustomerId, Vec<&reference::Ended>> = BTreeMap::new();
    for c in &reference.open {
        remembered.entry(&c.customer).or_default();
    }
    for e in reference.ended() {
        remembered.entry(&e.customer).or_default().push(e);
    }
    for (customer, ended) in remembered {
        let past: Vec<_> = router
            .customer_history(customer)
            .map(|p| {
                let codes = (p.outcome == Outcome::Resolved).then(|| p.dispositions.to_vec());
                (p.id, p.agents, codes, p.arrived_at, p.ended_at)
            })
            .collect();
        let expected: Vec<_> = (ended.iter())
            .map(|e| {
                let (arrived, ended) = (Timestamp(e.arrived), Timestamp(e.ended_at));
                (&e.id, &e.holders[..], e.resolved.clone(), arrived, ended)
            })
            .collect();
        prop_assert_eq!(past, expected, "history of {}", customer);
        for e in ended {
            let state = router.conversation(&e.id).map(|view| view.state);
            let expected = match &e.resolved {
                Some(codes) => ConversationState::Resolved {
                    dispositions: codes.clone(),
                },
                None => ConversationState::Abandoned,
            };
            prop_assert_eq!(state, Some(expected), "{} as remembered", e.id);
        }
    }

    // Timers: the next deadline is the reference's; a tick leaves none due.
    let next = reference.timers.iter().map(|t| t.at).min();
    prop_assert_eq!(router.next_deadline(), next.map(Timestamp));
    if *event == Event::Tick {
        prop_assert!(
            next.is_none_or(|at| at > reference.now),
            "a tick left {next:?} due"
        );
    }

    // Live statistics, counted as events happen, against a scan.
    for (ch, config) in reference.config.channels.iter().enumerate() {
        let stats = router.channel_stats(&config.name).unwrap();
        let on = |c: &&reference::Conversation| c.channel == ch;
        let line: Vec<_> = reference
            .open
            .iter()
            .filter(on)
            .filter(|c| c.place == Place::Line)
            .collect();
        let tally = &reference.tallies[ch];
        prop_assert_eq!(stats.queue.waiting, line.len());
        prop_assert_eq!(
            stats.queue.longest_wait,
            Millis(
                line.iter()
                    .map(|c| reference.now - c.queued_at)
                    .max()
                    .unwrap_or(0)
            )
        );
        prop_assert_eq!(stats.queue.answered, tally.answered);
        prop_assert_eq!(stats.queue.abandoned, tally.abandoned);
        let answered = (tally.answered > 0).then_some(tally.answered);
        prop_assert_eq!(
            stats.queue.average_wait,
            answered.map(|n| Millis((tally.wait_sum / u128::from(n)) as u64))
        );
        prop_assert_eq!(
            stats.queue.service_level,
            answered.map(|n| tally.within as f64 / n as f64)
        );
        let count = |f: fn(&Place) -> bool| {
            reference
                .open
                .iter()
                .filter(on)
                .filter(|c| f(&c.place))
                .count()
        };
        prop_assert_eq!(stats.assigned, count(|p| matches!(p, Place::Held(_))));
        prop_assert_eq!(stats.offered, count(|p| matches!(p, Place::Offered { .. })));
        let queues: Vec<_> = router
            .queues()
            .filter(|q| q.channel == config.name)
            .collect();
        let sum =
            |f: fn(&omnirouter::QueueStats) -> u64| queues.iter().map(|q| f(&q.stats)).sum::<u64>();
        prop_assert_eq!(
            sum(|q| q.waiting as u64),
            line.len() as u64,
            "queues' waiting"
        );
        prop_assert_eq!(sum(|q| q.answered), tally.answered, "queues' answered");
        prop_assert_eq!(sum(|q| q.abandoned), tally.abandoned, "queues' abandoned");
    }
    Ok(())
}

/// Runs `ops` through both routers, checking everything after every event.
fn run(config: Config, ops: &[(u64, Op)]) -> Result<Vec<Result<Decisions, Error>>, TestCaseError> {
    run_to_end(config, ops).map(|(log, _)| log)
}

/// [`run`], also returning the router as the events left it.
fn run_to_end(
    config: Config,
    ops: &[(u64, Op)],
) -> Result<(Vec<Result<Decisions, Error>>, Router), TestCaseError> {
    let mut router = Router::new(config.clone()).unwrap();
    let mut reference = Reference::new(config);
    let mut watch = Watch::default();
    let mut driver = Driver {
        next_conversation: 0,
    };
    let mut now = 0;
    let mut log = Vec::new();
    for (delta, op) in ops {
        now += delta;
        // Now and then a stamp from the past: it counts as the latest time.
        let stamp = if delta % 7 == 3 {
            now.saturating_sub(5_000)
        } else {
            now
        };
        let event = driver.event(op, &reference);
        let router_before = router.clone();
        let reference_before = reference.clone();
        let got = router.handle(Timestamp(stamp), event.clone());
        let want = reference.handle(Timestamp(stamp), &event);
        match (&got, &want) {
            (Ok(g), Ok(w)) => {
                prop_assert_eq!(g.as_slice(), w.as_slice(), "decisions for {:?}", event)
            }
            (Err(g), Err(w)) => {
                prop_assert_eq!(g, w, "errors for {:?}", event);
                prop_assert!(
                    router == router_before,
                    "refused {:?} changed the router",
                    event
                );
                prop_assert!(reference == reference_before);
                prop_assert!(!g.to_string().is_empty());
            }
            _ => prop_assert!(false, "{:?}: router {:?}, reference {:?}", event, got, want),
        }
        prop_assert_eq!(router.now().0, reference.now);
        let decisions = got.as_ref().map(|d| d.to_vec()).unwrap_or_default();
        check(
            &router,
            &reference,
            &reference_before,
            &event,
            &decisions,
            &mut watch,
        )?;
        log.push(got);
    }
    Ok((log, router))
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn the_router_keeps_the_contract(config in config(), ops in proptest::collection::vec(op(), STEPS)) {
        run(config, &ops)?;
    }
}

/// Runs `test` on `cases` cases drawn from `strategy`, on a runner of
/// its own: `proptest!` applies `PROPTEST_CASES` after a test's own
/// configuration, so it would set the count outright, where these
/// properties run a share of the main property's count.
fn check_cases<S: Strategy>(
    cases: u32,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    use proptest::test_runner::{Config as RunnerConfig, TestRunner};
    let mut runner = TestRunner::new(RunnerConfig {
        cases,
        ..RunnerConfig::default()
    });
    if let Err(failure) = runner.run(&strategy, test) {
        panic!("{failure}");
    }
}

/// Same events, same decisions; and a JSON snapshot taken anywhere
/// restores a router that goes on making the same decisions. One case
/// for every ten of the main property's (101 by default).
#[test]
fn the_router_is_deterministic_across_snapshots() {
    let case = (config(), proptest::collection::vec(op(), STEPS), 0..STEPS);
    check_cases(cases() / 10 + 1, case, |(config, ops, cut)| {
        let first = run(config.clone(), &ops)?;
        let second = run(config.clone(), &ops)?;
        prop_assert_eq!(&first, &second);

        let mut live = Router::new(config.clone()).unwrap();
        let mut reference = Reference::new(config);
        let mut restored = None::<Router>;
        let mut driver = Driver {
            next_conversation: 0,
        };
        let mut now = 0;
        for (i, (delta, op)) in ops.iter().enumerate() {
            now += delta;
            if i == cut {
                let json = serde_json::to_string(&live).unwrap();
                restored = Some(serde_json::from_str(&json).unwrap());
                prop_assert!(restored.as_ref() == Some(&live));
            }
            let event = driver.event(op, &reference);
            let _ = reference.handle(Timestamp(now), &event);
            let a = live.handle(Timestamp(now), event.clone());
            if let Some(r) = restored.as_mut() {
                prop_assert_eq!(r.handle(Timestamp(now), event), a);
                prop_assert!(*r == live);
            }
        }
        Ok(())
    });
}

/// A centre large enough that its free-agent lines outgrow sorted
/// vectors, and become bitsets by rank (or sorted runs, under longest
/// idle's many ranks): 700 agents join, available, on every channel, then
/// the usual random events. A case takes about a second, so it runs one
/// case for every fifty of the main property's (21 by default).
///
/// The events rarely reach deep into a line of hundreds, so the router
/// left at the end is also written out and read back: every line is
/// written in its order and read back sorted, so a line out of order, or
/// holding an entry twice, reads back different.
#[test]
fn long_free_agent_lines_keep_the_contract() {
    let case = (
        config(),
        proptest::collection::vec((0..3_u64, staff_spec()), 700),
        proptest::collection::vec(op(), STEPS),
    );
    check_cases(cases() / 50 + 1, case, |(config, staff, ops)| {
        let hires = (0..)
            .zip(staff)
            .map(|(n, (delta, spec))| (delta, Op::Hire(n, spec)));
        let (_, router) = run_to_end(config, &hires.chain(ops).collect::<Vec<_>>())?;
        let json = serde_json::to_string(&router).unwrap();
        let back: Router = serde_json::from_str(&json).unwrap();
        prop_assert!(back == router, "the router read back differs");
        Ok(())
    });
}

/// The generator is only as good as what it reaches: most events must be
/// accepted, and every kind of decision and error must come up.
#[test]
fn the_generator_reaches_every_decision_and_error() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let mut seen = std::collections::BTreeMap::<String, usize>::new();
    let mut accepted = 0;
    let mut total = 0;
    for _ in 0..300 {
        let config = config().new_tree(&mut runner).unwrap().current();
        let ops = proptest::collection::vec(op(), STEPS)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        for result in run(config, &ops).unwrap() {
            total += 1;
            let kinds: Vec<String> = match result {
                Ok(decisions) => {
                    accepted += 1;
                    decisions.iter().map(|d| format!("{d:?}")).collect()
                }
                Err(e) => vec![format!("{e:?}")],
            };
            for kind in kinds {
                let kind = kind.split([' ', '{', '(']).next().unwrap().to_owned();
                *seen.entry(kind).or_default() += 1;
            }
        }
    }
    assert!(
        accepted * 2 > total,
        "only {accepted} of {total} events accepted"
    );
    for kind in kinds::REACHABLE {
        assert!(
            seen.get(kind).copied().unwrap_or(0) > 0,
            "never saw {kind}: {seen:?}"
        );
    }
}
