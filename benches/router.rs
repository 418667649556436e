//! Per-event cost of the router at 1k and 100k agents.
//!
//! Each benchmark keeps the router in a steady state (every iteration
//! undoes what it did), so what is measured is the cost of the event pair
//! at that size, not of growth. Compare sizes within one run: the ratio is
//! the point, this machine's absolute times are not.

use std::collections::VecDeque;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use omnirouter::{
    AgentId, AgentSpec, Config, ConversationId, ConversationSpec, Decision, Event, Presence,
    Router, Timestamp,
};

const CHANNELS: [&str; 5] = ["sms", "live_chat", "facebook", "whatsapp", "instagram"];
const SKILLS: usize = 20;

/// SplitMix64, so every run builds the same centre.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn skill(i: u64) -> String {
    format!("skill{i:02}")
}

/// A centre of `agents` agents on five channels (capacities 1-5, two or
/// three channels each) with two to four of twenty skills at levels 1-5.
fn centre(agents: u64) -> Router {
    let config = Config::new(CHANNELS).skills((0..SKILLS as u64).map(skill));
    let mut router = Router::new(config).expect("a valid configuration");
    let mut rng = Rng(7);
    for a in 0..agents {
        let mut spec = AgentSpec::agent();
        let first = rng.below(5) as usize;
        for k in 0..2 + rng.below(2) as usize {
            spec = spec.channel(CHANNELS[(first + k) % 5], 1 + rng.below(5) as u32);
        }
        let base = rng.below(SKILLS as u64);
        for k in 0..2 + rng.below(3) {
            spec = spec.skill(skill((base + k) % SKILLS as u64), 1 + rng.below(5) as u8);
        }
        router
            .handle(
                Timestamp(0),
                Event::AgentAdded {
                    agent: a.into(),
                    spec,
                    presence: Presence::Available,
                },
            )
            .expect("valid agent");
    }
    router
}

/// A conversation on a random channel, sometimes needing a skill.
fn conversation(rng: &mut Rng) -> ConversationSpec {
    let mut spec = ConversationSpec::new(CHANNELS[rng.below(5) as usize], rng.below(1_000));
    if rng.below(3) == 0 {
        spec = spec.skill(skill(rng.below(SKILLS as u64)), 1 + rng.below(3) as u8);
    }
    spec
}

/// Feeds plain conversations until `waiting` of them queue: every agent is
/// then full on every channel. Returns who holds what.
fn fill(
    router: &mut Router,
    waiting: usize,
    next_id: &mut u64,
) -> VecDeque<(ConversationId, AgentId)> {
    let mut held = VecDeque::new();
    let mut queued = 0;
    let mut rng = Rng(11);
    while queued < waiting {
        *next_id += 1;
        let spec = ConversationSpec::new(CHANNELS[rng.below(5) as usize], 0_u64);
        for d in router
            .handle(
                Timestamp(1),
                Event::ConversationArrived {
                    conversation: (*next_id).into(),
                    spec,
                },
            )
            .expect("valid arrival")
        {
            match d {
                Decision::Assigned {
                    conversation,
                    agent,
                    ..
                } => held.push_back((conversation, agent)),
                Decision::Queued { .. } => queued += 1,
                _ => {}
            }
        }
    }
    held
}

fn events(c: &mut Criterion) {
    let mut group = c.benchmark_group("events");
    for agents in [1_000_u64, 100_000] {
        let mut router = centre(agents);
        let mut rng = Rng(3);
        let mut id = 0_u64;
        group.bench_function(BenchmarkId::new("arrive_assign+resolve", agents), |b| {
            b.iter(|| {
                id += 1;
                let d = router
                    .handle(
                        Timestamp(1),
                        Event::ConversationArrived {
                            conversation: id.into(),
                            spec: conversation(&mut rng),
                        },
                    )
                    .expect("valid arrival");
                if let Some(Decision::Assigned { agent, .. }) = d.first() {
                    let by = agent.clone();
                    black_box(
                        router
                            .handle(
                                Timestamp(1),
                                Event::ConversationResolved {
                                    conversation: id.into(),
                                    by,
                                    dispositions: Vec::new(),
                                },
                            )
                            .expect("valid resolve"),
                    );
                } else {
                    black_box(
                        router
                            .handle(
                                Timestamp(1),
                                Event::ConversationAbandoned {
                                    conversation: id.into(),
                                },
                            )
                            .expect("valid abandon"),
                    );
                }
            })
        });

        let mut held = fill(&mut router, 1_000, &mut id);
        group.bench_function(BenchmarkId::new("arrive_queue+abandon", agents), |b| {
            b.iter(|| {
                id += 1;
                black_box(
                    router
                        .handle(
                            Timestamp(2),
                            Event::ConversationArrived {
                                conversation: id.into(),
                                spec: conversation(&mut rng),
                            },
                        )
                        .expect("valid arrival"),
                );
                black_box(
                    router
                        .handle(
                            Timestamp(2),
                            Event::ConversationAbandoned {
                                conversation: id.into(),
                            },
                        )
                        .expect("valid abandon"),
                );
            })
        });

        group.bench_function(BenchmarkId::new("resolve_pull+arrive_queue", agents), |b| {
            b.iter(|| {
                let (conversation, by) = held.pop_front().expect("a held conversation");
                let d = router
                    .handle(
                        Timestamp(3),
                        Event::ConversationResolved {
                            conversation,
                            by,
                            dispositions: Vec::new(),
                        },
                    )
                    .expect("valid resolve");
                for decision in d {
                    if let Decision::Assigned {
                        conversation,
                        agent,
                        ..
                    } = decision
                    {
                        held.push_back((conversation, agent));
                    }
                }
                // Keep the line as long as it was.
                id += 1;
                let spec = ConversationSpec::new(CHANNELS[rng.below(5) as usize], 0_u64);
                for decision in router
                    .handle(
                        Timestamp(3),
                        Event::ConversationArrived {
                            conversation: id.into(),
                            spec,
                        },
                    )
                    .expect("valid arrival")
                {
                    if let Decision::Assigned {
                        conversation,
                        agent,
                        ..
                    } = decision
                    {
                        held.push_back((conversation, agent));
                    }
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, events);
criterion_main!(benches);
