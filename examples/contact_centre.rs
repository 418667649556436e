//! A day in a contact centre, with every assignment decided by the `Router`.
//!
//! A seeded discrete-event simulation of 08:00 to 20:00 on five channels
//! (SMS, Live Chat, Facebook, WhatsApp, Instagram). Sixty agents in four
//! groups with different channel mixes, capacities and skills take breaks,
//! two go offline for an hour mid-shift, some conversations are transferred
//! to a specialist team, and a supervisor joins a few. Customers arrive at
//! rates that peak around midday, some need skills or have priority, and
//! some give up while waiting.
//!
//! The simulation only decides *when* things happen (arrivals, handle times,
//! patience, breaks); the router decides who gets what, and the simulation
//! follows its decisions. Then it prints per-channel KPIs.
//!
//! ```sh
//! cargo run --release --example contact_centre [-- --seed 7]
//! ```

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use omnirouter::{
    AgentId, AgentSpec, Config, ConversationId, ConversationSpec, Decision, Event, Presence, Role,
    Router, Timestamp, TransferTarget,
};

const CHANNELS: [&str; 5] = ["sms", "live_chat", "facebook", "whatsapp", "instagram"];
/// Arrivals per hour at the busiest hour, per channel.
const PEAK_PER_HOUR: [f64; 5] = [400.0, 640.0, 560.0, 640.0, 500.0];
/// Mean handle time per channel, in minutes.
const MEAN_HANDLE_MIN: [f64; 5] = [9.0, 7.0, 12.0, 10.0, 12.0];
/// Mean customer patience while waiting, in minutes.
const MEAN_PATIENCE_MIN: f64 = 6.0;
const MINUTE: u64 = 60_000;
const HOURS: u64 = 12;
const DAY_MS: u64 = HOURS * 60 * MINUTE;

/// SplitMix64: a small, seeded, reproducible generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Exponentially distributed milliseconds with the given mean in minutes.
    fn exp_ms(&mut self, mean_min: f64) -> u64 {
        (-(1.0 - self.unit()).ln() * mean_min * MINUTE as f64) as u64
    }
}

/// Things that happen at a time; the router is told about each.
#[derive(Clone, Debug)]
enum Happening {
    Arrival(usize),
    Finish(ConversationId, u32),
    TransferToSpecialists(ConversationId, u32),
    SupervisorJoins(ConversationId),
    GiveUp(ConversationId),
    BreakStarts(AgentId),
    BreakEnds(AgentId),
    Offline(AgentId),
    Online(AgentId),
    Tick,
}

/// The simulation's own view of a conversation.
struct Conv {
    channel: usize,
    arrived: u64,
    /// Bumped on every change of holder, so stale finishes are ignored.
    generation: u32,
    holder: Option<AgentId>,
    answered: bool,
    open: bool,
    needs_specialist: bool,
}

#[derive(Default, Clone)]
struct Kpi {
    arrived: u64,
    answered: u64,
    no_wait: u64,
    total_wait_ms: u64,
    max_wait_ms: u64,
    abandoned: u64,
    /// Integrals over time of busy slots and of slots of available agents.
    busy_slot_ms: f64,
    open_slot_ms: f64,
}

struct Sim {
    router: Router,
    rng: Rng,
    queue: BinaryHeap<Reverse<(u64, u64)>>,
    pending: HashMap<u64, Happening>,
    seq: u64,
    now: u64,
    convs: HashMap<ConversationId, Conv>,
    next_conv: u64,
    /// Per agent: capacity per channel, and whether available.
    capacity: HashMap<AgentId, [u32; 5]>,
    available: HashMap<AgentId, bool>,
    busy: [u64; 5],
    kpi: [Kpi; 5],
    events: u64,
    transfers: u64,
    joins: u64,
    requeued: u64,
}

impl Sim {
    fn at(&mut self, time: u64, what: Happening) {
        self.seq += 1;
        self.queue.push(Reverse((time, self.seq)));
        self.pending.insert(self.seq, what);
    }

    /// Feeds one event to the router and follows its decisions.
    fn tell(&mut self, event: Event) {
        self.events += 1;
        // The simulation sends only events that are valid for its own view
        // of the centre, which follows every decision; a refusal would mean
        // the two disagree, which is a bug worth stopping for.
        let decisions = self
            .router
            .handle(Timestamp(self.now), event.clone())
            .unwrap_or_else(|e| panic!("the router refused {event:?}: {e}"));
        for decision in decisions {
            self.follow(decision);
        }
        if let Some(deadline) = self.router.next_deadline() {
            self.at(deadline.0, Happening::Tick);
        }
    }

    fn follow(&mut self, decision: Decision) {
        match decision {
            Decision::Assigned {
                conversation,
                agent,
                waited,
            } => {
                let now = self.now;
                let c = self
                    .convs
                    .get_mut(&conversation)
                    .expect("known conversation");
                c.generation += 1;
                c.holder = Some(agent);
                let (ch, generation) = (c.channel, c.generation);
                self.busy[ch] += 1;
                if !c.answered {
                    c.answered = true;
                    let kpi = &mut self.kpi[ch];
                    let wait = now - c.arrived;
                    kpi.answered += 1;
                    kpi.no_wait += u64::from(waited.0 == 0 && wait == 0);
                    kpi.total_wait_ms += wait;
                    kpi.max_wait_ms = kpi.max_wait_ms.max(wait);
                    if c.needs_specialist && self.rng.chance(0.5) {
                        let after = self.rng.exp_ms(2.0);
                        let transfer =
                            Happening::TransferToSpecialists(conversation.clone(), generation);
                        self.at(now + after, transfer);
                    }
                    if self.rng.chance(0.02) {
                        self.at(
                            now + 30_000,
                            Happening::SupervisorJoins(conversation.clone()),
                        );
                    }
                }
                let handle = self.rng.exp_ms(MEAN_HANDLE_MIN[ch]);
                self.at(now + handle, Happening::Finish(conversation, generation));
            }
            Decision::Queued { .. } | Decision::Awaiting { .. } | Decision::AwaitEnded { .. } => {}
            Decision::Requeued { conversation, .. } => {
                self.requeued += 1;
                self.release(&conversation);
            }
            Decision::Transferred { conversation, .. } => {
                self.transfers += 1;
                self.release(&conversation);
            }
            Decision::Resolved { conversation, .. } | Decision::Abandoned { conversation, .. } => {
                self.release(&conversation);
                if let Some(c) = self.convs.remove(&conversation) {
                    debug_assert!(c.open);
                }
            }
            Decision::Joined { .. } => self.joins += 1,
            _ => {}
        }
    }

    /// The conversation no longer holds a slot.
    fn release(&mut self, conversation: &ConversationId) {
        if let Some(c) = self.convs.get_mut(conversation) {
            c.generation += 1;
            if c.holder.take().is_some() {
                self.busy[c.channel] -= 1;
            }
        }
    }

    /// Advances the clock, accumulating busy and open slot-time.
    fn advance(&mut self, to: u64) {
        let dt = (to - self.now) as f64;
        for ch in 0..5 {
            let open: u32 = self
                .capacity
                .iter()
                .filter(|(a, _)| self.available[*a])
                .map(|(_, caps)| caps[ch])
                .sum();
            self.kpi[ch].busy_slot_ms += self.busy[ch] as f64 * dt;
            self.kpi[ch].open_slot_ms += f64::from(open) * dt;
        }
        self.now = to;
    }

    fn run(&mut self) {
        while let Some(Reverse((time, seq))) = self.queue.pop() {
            let what = self.pending.remove(&seq).expect("scheduled");
            if time > DAY_MS + 4 * 60 * MINUTE {
                break;
            }
            self.advance(time);
            self.happen(what);
        }
    }

    fn happen(&mut self, what: Happening) {
        match what {
            Happening::Arrival(ch) => {
                if self.now < DAY_MS {
                    self.arrive(ch);
                    let hour = self.now as f64 / (60 * MINUTE) as f64;
                    // Quiet mornings and evenings, a peak at 13:00.
                    let shape = 0.35 + 0.65 * (-(hour - 5.0).powi(2) / 12.0).exp();
                    let mean_gap_min = 60.0 / (PEAK_PER_HOUR[ch] * shape);
                    let gap = self.rng.exp_ms(mean_gap_min);
                    self.at(self.now + gap.max(1), Happening::Arrival(ch));
                }
            }
            Happening::Finish(id, generation) => {
                let Some(c) = self.convs.get(&id) else { return };
                if c.generation != generation {
                    return;
                }
                let by = c.holder.clone().expect("a current finish has a holder");
                let code = if self.rng.chance(0.8) {
                    "resolved"
                } else {
                    "follow_up"
                };
                self.tell(Event::ConversationResolved {
                    conversation: id,
                    by,
                    dispositions: vec![code.into()],
                });
            }
            Happening::TransferToSpecialists(id, generation) => {
                let Some(c) = self.convs.get(&id) else { return };
                if c.generation != generation {
                    return;
                }
                let by = c.holder.clone().expect("a current transfer has a holder");
                self.tell(Event::TransferRequested {
                    conversation: id,
                    by,
                    to: TransferTarget::Team("specialists".into()),
                });
            }
            Happening::SupervisorJoins(id) => {
                if self.convs.contains_key(&id) {
                    self.tell(Event::AdminJoined {
                        conversation: id,
                        admin: "supervisor".into(),
                    });
                }
            }
            Happening::GiveUp(id) => {
                // Only a customer who was never answered gives up.
                let waiting = self.convs.get(&id).is_some_and(|c| !c.answered);
                if waiting {
                    let ch = self.convs[&id].channel;
                    self.kpi[ch].abandoned += 1;
                    self.tell(Event::ConversationAbandoned { conversation: id });
                }
            }
            Happening::BreakStarts(agent) => self.presence(agent, Presence::Away),
            Happening::BreakEnds(agent) | Happening::Online(agent) => {
                self.presence(agent, Presence::Available)
            }
            Happening::Offline(agent) => self.presence(agent, Presence::Offline),
            Happening::Tick => self.tell(Event::Tick),
        }
    }

    fn presence(&mut self, agent: AgentId, presence: Presence) {
        self.available
            .insert(agent.clone(), presence == Presence::Available);
        self.tell(Event::PresenceChanged { agent, presence });
    }

    fn arrive(&mut self, ch: usize) {
        self.next_conv += 1;
        let id = ConversationId::from(self.next_conv);
        let customer = self.rng.below(5_000);
        let mut spec = ConversationSpec::new(CHANNELS[ch], customer);
        let roll = self.rng.unit();
        let needs_specialist = roll < 0.10;
        if roll < 0.06 {
            spec = spec.skill("billing", 2);
        } else if roll < 0.10 {
            spec = spec.skill("tech", 2);
        } else if roll < 0.13 {
            spec = spec.skill("french", 1);
        }
        spec.priority = match self.rng.below(100) {
            0..=1 => 5,
            2..=9 => 1,
            _ => 0,
        };
        self.convs.insert(
            id.clone(),
            Conv {
                channel: ch,
                arrived: self.now,
                generation: 0,
                holder: None,
                answered: false,
                open: true,
                needs_specialist,
            },
        );
        self.kpi[ch].arrived += 1;
        let patience = self.rng.exp_ms(MEAN_PATIENCE_MIN);
        self.at(self.now + patience, Happening::GiveUp(id.clone()));
        self.tell(Event::ConversationArrived {
            conversation: id,
            spec,
        });
    }
}

/// Four groups of agents: (count, capacities per channel, skills, team).
fn staff(rng: &mut Rng) -> Vec<(AgentId, AgentSpec)> {
    let groups: [(usize, [u32; 5], &str); 4] = [
        (18, [0, 2, 0, 3, 3], "chat"),
        (16, [3, 0, 4, 3, 0], "messaging"),
        (16, [0, 2, 4, 0, 4], "social"),
        (10, [2, 2, 0, 2, 0], "specialists"),
    ];
    let mut agents = Vec::new();
    for (count, caps, group) in groups {
        for i in 0..count {
            let mut spec = AgentSpec::agent();
            for (ch, &cap) in caps.iter().enumerate() {
                if cap > 0 {
                    spec = spec.channel(CHANNELS[ch], cap);
                }
            }
            let level = |rng: &mut Rng, lo: u64| (lo + rng.below(6 - lo)) as u8;
            if group == "specialists" {
                spec = spec
                    .skill("billing", level(rng, 3))
                    .skill("tech", level(rng, 3))
                    .team("specialists");
            } else {
                if rng.chance(0.4) {
                    spec = spec.skill("billing", level(rng, 1));
                }
                if rng.chance(0.3) {
                    spec = spec.skill("tech", level(rng, 1));
                }
            }
            if rng.chance(0.15) {
                spec = spec.skill("french", level(rng, 1));
            }
            agents.push((AgentId::from(format!("{group}-{i:02}")), spec));
        }
    }
    agents
}

fn main() {
    let seed = std::env::args()
        .skip_while(|a| a != "--seed")
        .nth(1)
        .map(|s| s.parse().expect("--seed takes a number"))
        .unwrap_or(2026);
    let config = Config::new(CHANNELS)
        .skills(["billing", "tech", "french"])
        .teams(["specialists"])
        .dispositions(["resolved", "follow_up"], true);
    let mut sim = Sim {
        router: Router::new(config).expect("a valid configuration"),
        rng: Rng(seed),
        queue: BinaryHeap::new(),
        pending: HashMap::new(),
        seq: 0,
        now: 0,
        convs: HashMap::new(),
        next_conv: 0,
        capacity: HashMap::new(),
        available: HashMap::new(),
        busy: [0; 5],
        kpi: Default::default(),
        events: 0,
        transfers: 0,
        joins: 0,
        requeued: 0,
    };
    sim.tell(Event::AgentAdded {
        agent: "supervisor".into(),
        spec: AgentSpec::with_role(Role::SuperAdmin),
        presence: Presence::Available,
    });
    let agents = staff(&mut sim.rng);
    for (n, (agent, spec)) in agents.iter().enumerate() {
        let mut caps = [0; 5];
        for c in &spec.channels {
            caps[CHANNELS
                .iter()
                .position(|&x| x == c.channel)
                .expect("a known channel")] = c.capacity;
        }
        sim.capacity.insert(agent.clone(), caps);
        sim.available.insert(agent.clone(), true);
        sim.tell(Event::AgentAdded {
            agent: agent.clone(),
            spec: spec.clone(),
            presence: Presence::Available,
        });
        // A 20-minute break somewhere in the day.
        let start = 60 * MINUTE + sim.rng.below(DAY_MS - 3 * 60 * MINUTE);
        sim.at(start, Happening::BreakStarts(agent.clone()));
        sim.at(start + 20 * MINUTE, Happening::BreakEnds(agent.clone()));
        // Two agents drop offline for an hour: their conversations requeue.
        if n % 30 == 7 {
            let at = 4 * 60 * MINUTE + sim.rng.below(60 * MINUTE);
            sim.at(at, Happening::Offline(agent.clone()));
            sim.at(at + 60 * MINUTE, Happening::Online(agent.clone()));
        }
    }
    for ch in 0..5 {
        let first = sim.rng.below(MINUTE);
        sim.at(first, Happening::Arrival(ch));
    }
    sim.run();

    println!(
        "A simulated day, 08:00-20:00, {} agents, seed {seed}\n",
        agents.len()
    );
    println!(
        "{:<10} {:>8} {:>9} {:>8} {:>10} {:>10} {:>10} {:>10}",
        "channel",
        "arrived",
        "answered",
        "no wait",
        "avg wait",
        "max wait",
        "abandoned",
        "occupancy"
    );
    let mut all = Kpi::default();
    for (ch, kpi) in sim.kpi.iter().enumerate() {
        print_row(CHANNELS[ch], kpi);
        all.arrived += kpi.arrived;
        all.answered += kpi.answered;
        all.no_wait += kpi.no_wait;
        all.total_wait_ms += kpi.total_wait_ms;
        all.max_wait_ms = all.max_wait_ms.max(kpi.max_wait_ms);
        all.abandoned += kpi.abandoned;
        all.busy_slot_ms += kpi.busy_slot_ms;
        all.open_slot_ms += kpi.open_slot_ms;
    }
    print_row("all", &all);
    println!(
        "\nno wait: share of answered conversations assigned the moment they arrived.\n\
         occupancy: busy slot-time / slot-time of available agents on the channel.\n\
         router events: {}, transfers to specialists: {}, supervisor joins: {}, requeued by offline agents: {}",
        sim.events, sim.transfers, sim.joins, sim.requeued
    );
}

fn print_row(name: &str, k: &Kpi) {
    let pct = |a: f64, b: f64| if b > 0.0 { 100.0 * a / b } else { 0.0 };
    let avg = if k.answered > 0 {
        k.total_wait_ms as f64 / k.answered as f64 / 1000.0
    } else {
        0.0
    };
    println!(
        "{:<10} {:>8} {:>9} {:>7.1}% {:>9.1}s {:>9.1}s {:>10} {:>9.1}%",
        name,
        k.arrived,
        k.answered,
        pct(k.no_wait as f64, k.answered as f64),
        avg,
        k.max_wait_ms as f64 / 1000.0,
        k.abandoned,
        pct(k.busy_slot_ms, k.open_slot_ms),
    );
}
