//! Per-event cost of the router at 1k and 1M agents, one benchmark per
//! event kind.
//!
//! Each benchmark keeps the router in a steady state (every iteration
//! undoes what it did, so most are pairs of events), so what is measured is
//! the cost of the events at that size, not of growth. Compare sizes within
//! one run: the ratio is the point, this machine's absolute times are not.
//!
//! The 1M-agent centre is built only when a benchmark that needs it runs,
//! and under `cargo bench -- --test` (CI: each benchmark once) it has 10k
//! agents instead, so CI stays quick; the benchmark ids name the size used.

#[path = "../examples/support/split_mix.rs"]
mod split_mix;

use std::collections::VecDeque;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use omnirouter::{
    AgentId, AgentSpec, ChannelConfig, Config, ConversationId, ConversationSpec, Decision,
    Decisions, Event, Millis, Presence, Role, Route, Router, Rule, RuleSet, Timestamp,
    TransferTarget,
};
use split_mix::Rng;

const CHANNELS: [&str; 5] = ["sms", "live_chat", "facebook", "whatsapp", "instagram"];
const SKILLS: u64 = 50;
const TEAMS: u64 = 20;
/// Team 0 is the back office: full, with a line waiting.
const BACK_OFFICE: u64 = 0;
const LINE: usize = 1_000;
/// A sixth channel whose conversations are offered, not assigned: its
/// agents are apart from the others (see [`voice_agent`]).
const VOICE: &str = "voice";

fn skill(i: u64) -> String {
    format!("skill{i:02}")
}

fn team(i: u64) -> String {
    format!("team{i:02}")
}

/// Agent `a`: two to four channels at 1-5, two to four skills at 1-5 (the
/// lower-numbered more often), one team; one in two hundred also in the
/// back office.
fn agent_spec(rng: &mut Rng, a: u64) -> AgentSpec {
    let mut spec = AgentSpec::agent();
    let first = rng.below(5) as usize;
    for k in 0..2 + rng.below(3) as usize {
        spec = spec.channel(CHANNELS[(first + k) % 5], 1 + rng.below(5) as u32);
    }
    let mut skills: Vec<u64> = (0..2 + rng.below(3))
        .map(|_| rng.below(SKILLS).min(rng.below(SKILLS)))
        .collect();
    skills.sort_unstable();
    skills.dedup();
    for s in skills {
        spec = spec.skill(skill(s), 1 + rng.below(5) as u8);
    }
    spec = spec.team(team(1 + rng.below(TEAMS - 1)));
    if a.is_multiple_of(200) {
        spec = spec.team(team(BACK_OFFICE));
    }
    spec
}

/// The `v`-th voice agent: one voice call at a time, no skills, ids
/// above every other agent's.
fn voice_agent(v: u64) -> (AgentId, AgentSpec) {
    let spec = AgentSpec::agent()
        .channel(VOICE, 1)
        .team(team(1 + v % (TEAMS - 1)));
    ((1_u64 << 40 | v).into(), spec)
}

/// Routing rules, one per skill: a conversation labelled with a topic
/// needs that skill. `flip` changes every level, so that two sets sent in
/// turn each replace the other.
fn rules(flip: bool) -> RuleSet {
    let level = if flip { 2 } else { 1 };
    (0..SKILLS).fold(RuleSet::default(), |rules, s| {
        rules.rule(Rule::when("topic", skill(s)).then(Route::default().skill(skill(s), level)))
    })
}

/// Agent `a` as the centre was built with it, so a benchmark can send
/// it again with one thing changed.
fn built_spec(a: u64) -> AgentSpec {
    agent_spec(&mut Rng(a ^ 0x5eed), a)
}

/// A customer's conversation: half need nothing, half one skill at 1-3.
fn conversation(rng: &mut Rng) -> ConversationSpec {
    let mut spec = ConversationSpec::new(CHANNELS[rng.below(5) as usize], rng.below(100_000));
    if rng.below(2) == 0 {
        let s = rng.below(SKILLS).min(rng.below(SKILLS));
        spec = spec.skill(skill(s), 1 + rng.below(3) as u8);
    }
    spec
}

fn back_office(rng: &mut Rng) -> ConversationSpec {
    ConversationSpec::new(CHANNELS[rng.below(5) as usize], rng.below(100_000))
        .team(team(BACK_OFFICE))
}

/// A centre in a steady state: a quarter as many conversations held as
/// agents, the back office full, and a line of `LINE` waiting for it.
struct Centre {
    router: Router,
    agents: u64,
    rng: Rng,
    now: u64,
    next_id: u64,
    /// Held back-office conversations, oldest first, with their holders.
    back_office: VecDeque<(ConversationId, AgentId)>,
    admin: AgentId,
}

/// What the decisions assigned.
fn assigned(decisions: &Decisions) -> impl Iterator<Item = (ConversationId, AgentId)> + '_ {
    decisions.iter().filter_map(|d| match d {
        Decision::Assigned {
            conversation,
            agent,
            ..
        } => Some((conversation.clone(), agent.clone())),
        _ => None,
    })
}

impl Centre {
    fn new(agents: u64) -> Self {
        let config = Config::new(CHANNELS)
            .channel(ChannelConfig::new(VOICE).offers(Millis::from_secs(15)))
            .skills((0..SKILLS).map(skill))
            .teams((0..TEAMS).map(team));
        let mut centre = Centre {
            router: Router::new(config).expect("a valid configuration"),
            agents,
            rng: Rng(3),
            now: 0,
            next_id: 0,
            back_office: VecDeque::new(),
            admin: AgentId::from("admin"),
        };
        for a in 0..agents {
            let spec = built_spec(a);
            centre.send(Event::AgentAdded {
                agent: a.into(),
                spec,
                presence: Presence::Available,
            });
        }
        // A voice agent per hundred others (at least ten).
        for v in 0..(agents / 100).max(10) {
            let (agent, spec) = voice_agent(v);
            centre.send(Event::AgentAdded {
                agent,
                spec,
                presence: Presence::Available,
            });
        }
        centre.send(Event::AgentAdded {
            agent: centre.admin.clone(),
            spec: AgentSpec::with_role(Role::SuperAdmin),
            presence: Presence::Available,
        });
        // Every routing class the benchmarks use exists before they run:
        // the first conversation of a class finds its members once, by a
        // scan that is not the steady state being measured.
        for channel in CHANNELS {
            let plain = || ConversationSpec::new(channel, 0_u64);
            let mut specs = vec![plain()];
            specs.extend((0..TEAMS).map(|t| plain().team(team(t))));
            for s in 0..SKILLS {
                specs.extend((1..=3).map(|level| plain().skill(skill(s), level)));
            }
            for spec in specs {
                centre.arrive(spec);
                let conversation = centre.next_id.into();
                centre.send(Event::ConversationAbandoned { conversation });
            }
        }
        // The voice class too; and a declined call is offered to the next
        // voice agent, as `offer_declined+abandon` means to measure.
        let (call, agent) = centre.offered();
        let decisions = centre.send(Event::OfferDeclined {
            conversation: call.clone(),
            agent: agent.clone(),
        });
        let offered_on = decisions
            .iter()
            .any(|d| matches!(d, Decision::Offered { agent: next, .. } if *next != agent));
        assert!(offered_on, "a declined call goes to another voice agent");
        centre.send(Event::ConversationAbandoned { conversation: call });
        for _ in 0..agents / 4 {
            let spec = conversation(&mut centre.rng);
            centre.arrive(spec);
        }
        let mut waiting = 0;
        while waiting < LINE {
            let spec = back_office(&mut centre.rng);
            let decisions = centre.arrive(spec);
            centre.back_office.extend(assigned(&decisions));
            waiting += decisions
                .iter()
                .filter(|d| matches!(d, Decision::Queued { .. }))
                .count();
        }
        centre
    }

    fn send(&mut self, event: Event) -> Decisions {
        self.router
            .handle(Timestamp(self.now), event)
            .expect("a valid event")
    }

    fn arrive(&mut self, spec: ConversationSpec) -> Decisions {
        self.next_id += 1;
        self.send(Event::ConversationArrived {
            conversation: self.next_id.into(),
            spec,
        })
    }

    /// A customer's conversation that an agent holds now.
    fn held(&mut self) -> (ConversationId, AgentId) {
        loop {
            let spec = conversation(&mut self.rng);
            let decisions = self.arrive(spec);
            if let Some(pair) = assigned(&decisions).next() {
                return pair;
            }
            let id = self.next_id.into();
            self.send(Event::ConversationAbandoned { conversation: id });
        }
    }

    /// A voice call that arrives and is offered to an agent, with that
    /// agent.
    fn offered(&mut self) -> (ConversationId, AgentId) {
        let customer = self.rng.below(100_000);
        let decisions = self.arrive(ConversationSpec::new(VOICE, customer));
        let offer = decisions.iter().find_map(|d| match d {
            Decision::Offered {
                conversation,
                agent,
                ..
            } => Some((conversation.clone(), agent.clone())),
            _ => None,
        });
        offer.expect("a free voice agent: every benchmark hangs up its calls")
    }

    fn resolve(&mut self, conversation: ConversationId, by: AgentId) -> Decisions {
        self.send(Event::ConversationResolved {
            conversation,
            by,
            dispositions: Vec::new(),
        })
    }
}

/// Runs every benchmark on `centre`, naming them with its size.
fn events(c: &mut Criterion, centres: &mut [(u64, Option<Centre>)]) {
    let mut group = c.benchmark_group("events");
    for (agents, slot) in centres.iter_mut() {
        let agents = *agents;
        // Built on first use: a filtered run builds only what it measures.
        macro_rules! centre {
            () => {
                slot.get_or_insert_with(|| Centre::new(agents))
            };
        }
        let id = |name: &str| BenchmarkId::new(name, agents);

        group.bench_function(id("arrive_assign+resolve"), |b| {
            let centre = centre!();
            b.iter(|| {
                let (conversation, by) = centre.held();
                black_box(centre.resolve(conversation, by));
            })
        });
        group.bench_function(id("arrive_queue+abandon"), |b| {
            let centre = centre!();
            b.iter(|| {
                let spec = back_office(&mut centre.rng);
                black_box(centre.arrive(spec));
                let conversation = centre.next_id.into();
                black_box(centre.send(Event::ConversationAbandoned { conversation }));
            })
        });
        group.bench_function(id("resolve_pull+arrive_queue"), |b| {
            let centre = centre!();
            b.iter(|| {
                let (conversation, by) = centre
                    .back_office
                    .pop_front()
                    .expect("the back office holds conversations");
                let decisions = centre.resolve(conversation, by);
                centre.back_office.extend(assigned(&decisions));
                let spec = back_office(&mut centre.rng);
                let decisions = centre.arrive(spec);
                centre.back_office.extend(assigned(&decisions));
            })
        });
        group.bench_function(id("presence_away+available"), |b| {
            let centre = centre!();
            b.iter(|| {
                let agent: AgentId = centre.rng.below(centre.agents).into();
                for presence in [Presence::Away, Presence::Available] {
                    black_box(centre.send(Event::PresenceChanged {
                        agent: agent.clone(),
                        presence,
                    }));
                }
            })
        });
        group.bench_function(id("transfer_to_team+resolve"), |b| {
            let centre = centre!();
            let (mut conversation, mut holder) = centre.held();
            b.iter(|| {
                let to = TransferTarget::Team(team(1 + centre.rng.below(TEAMS - 1)));
                let decisions = centre.send(Event::TransferRequested {
                    conversation: conversation.clone(),
                    by: holder.clone(),
                    to,
                });
                match assigned(&decisions).next() {
                    Some((_, agent)) => holder = agent,
                    None => {
                        // It waits for the team: a super admin resolves it.
                        let admin = centre.admin.clone();
                        black_box(centre.resolve(conversation.clone(), admin));
                        (conversation, holder) = centre.held();
                    }
                }
            })
        });
        group.bench_function(id("admin_join+leave"), |b| {
            let centre = centre!();
            let (conversation, _) = centre.held();
            b.iter(|| {
                let admin = centre.admin.clone();
                black_box(centre.send(Event::AdminJoined {
                    conversation: conversation.clone(),
                    admin: admin.clone(),
                }));
                black_box(centre.send(Event::AdminLeft {
                    conversation: conversation.clone(),
                    admin,
                }));
            })
        });
        group.bench_function(id("customer_message+agent_replied"), |b| {
            let centre = centre!();
            let (conversation, agent) = centre.held();
            b.iter(|| {
                black_box(centre.send(Event::CustomerMessage {
                    conversation: conversation.clone(),
                }));
                black_box(centre.send(Event::AgentReplied {
                    conversation: conversation.clone(),
                    agent: agent.clone(),
                }));
            })
        });
        group.bench_function(id("tick"), |b| {
            let centre = centre!();
            b.iter(|| {
                centre.now += 1;
                black_box(centre.send(Event::Tick));
            })
        });
        group.bench_function(id("offer_accepted+resolve"), |b| {
            let centre = centre!();
            b.iter(|| {
                let (conversation, agent) = centre.offered();
                black_box(centre.send(Event::OfferAccepted {
                    conversation: conversation.clone(),
                    agent: agent.clone(),
                }));
                black_box(centre.resolve(conversation, agent));
            })
        });
        group.bench_function(id("offer_declined+abandon"), |b| {
            let centre = centre!();
            b.iter(|| {
                let (conversation, agent) = centre.offered();
                // Offered to the next voice agent.
                black_box(centre.send(Event::OfferDeclined {
                    conversation: conversation.clone(),
                    agent,
                }));
                black_box(centre.send(Event::ConversationAbandoned { conversation }));
            })
        });
        group.bench_function(id("rules_replaced"), |b| {
            let centre = centre!();
            let sets = [rules(false), rules(true)];
            let mut turn = 0;
            b.iter(|| {
                turn ^= 1;
                let rules = sets[turn].clone();
                black_box(centre.send(Event::RulesReplaced { rules }));
            })
        });
        group.bench_function(id("statistics_reset"), |b| {
            let centre = centre!();
            b.iter(|| black_box(centre.send(Event::StatisticsReset)))
        });
        group.bench_function(id("agent_updated"), |b| {
            let centre = centre!();
            b.iter(|| {
                let a = centre.rng.below(centre.agents);
                // A spec drawn afresh each time: new skills and teams, so
                // the agent leaves its classes and joins others.
                let spec = agent_spec(&mut Rng(centre.rng.next()), a);
                black_box(centre.send(Event::AgentUpdated {
                    agent: a.into(),
                    spec,
                }));
            })
        });
        group.bench_function(id("agent_capacity_changed"), |b| {
            let centre = centre!();
            b.iter(|| {
                let a = centre.rng.below(centre.agents);
                let mut spec = built_spec(a);
                // Same role, skills, teams and channels: only the first
                // channel's capacity moves, to 1-5.
                spec.channels[0].capacity = 1 + centre.rng.below(5) as u32;
                black_box(centre.send(Event::AgentUpdated {
                    agent: a.into(),
                    spec,
                }));
            })
        });
        group.bench_function(id("agent_added+removed"), |b| {
            let centre = centre!();
            b.iter(|| {
                let a = centre.agents + 1 + centre.rng.below(1 << 20);
                let spec = agent_spec(&mut Rng(a), a);
                black_box(centre.send(Event::AgentAdded {
                    agent: a.into(),
                    spec,
                    presence: Presence::Available,
                }));
                black_box(centre.send(Event::AgentRemoved { agent: a.into() }));
            })
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    // CI runs `cargo bench -- --test`: each benchmark once, on a 10k centre
    // instead of a 1M one, which takes seconds rather than a minute to build.
    // `BENCH_AGENTS=N` sets the larger centre's size, for profiling.
    let test_mode = std::env::args().any(|a| a == "--test");
    let large = std::env::var("BENCH_AGENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if test_mode { 10_000 } else { 1_000_000 });
    events(c, &mut [(1_000, None), (large, None)]);
}

criterion_group!(router, benches);
criterion_main!(router);
