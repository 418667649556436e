//! How the router's cost per event grows with the size of the centre.
//!
//! ```sh
//! cargo run --release --example scale            # 1k to 1M agents, a few minutes
//! cargo run --release --example scale -- --quick # the same sizes, fewer events, < 60 s
//! ```
//!
//! It builds centres of 1k, 10k, 100k and 1M agents (five channels, fifty
//! skills, twenty teams, per-channel capacities 1-5), holding half as many
//! conversations as agents, grows the line to 0, 10k and 1M waiting
//! conversations, and at each point runs the same mixed steady-state
//! workload: arrivals, resolves, abandons, presence changes, transfers (to
//! teams, skills and people), customer messages, replies, super admins
//! joining and leaving, agents updated, removed and re-added, and ticks.
//!
//! It prints ns per event, events per second, and live bytes per agent and
//! per waiting conversation (a counting global allocator); bytes per agent
//! both as built and after the workload, with and without host ids (see
//! `agent_memory`). It times a
//! `HashMap<u64, u64>` insert plus remove at the same size as a yardstick.
//! It runs the same events on the naive reference router of the tests where
//! that finishes in reasonable time: 1k agents with 1k waiting and 10k with
//! 10k (a quick run: 10k with 10k only, and no line of 1M, to stay within
//! a minute).
//! The last line holds the ratios the README's "Performance" section quotes.
//! Its two ratios of times are measured again in turns, in slices of events
//! that alternate between the two sides (see `interleaved`): flatness
//! against a centre of 1k agents kept beside the largest, cost_vs_hashmap
//! against the `HashMap` at 100k agents. The last line gives the medians,
//! and the line above it also gives the ratio of the table's rows.
//!
//! `--strategy least-loaded|least-loaded-on-channel|longest-idle|round-robin`
//! runs it under another strategy than the default; `--no-history`
//! remembers no ended conversation, and `--no-skills` routes by none, to
//! tell what each costs; `--agents`,
//! `--waiting`, `--events`, `--no-naive`, `--no-memory`, `--no-yardstick`
//! and `--kinds` (each event kind timed, and its allocations counted)
//! narrow a run for profiling (see `main`).
//!
//! At 100k agents it also times, in turns, a floor: the least any router
//! must do for this workload (see `Floor`), against the `HashMap` and
//! against the router; at the largest centre, the floor's own flatness,
//! beside the `HashMap`'s. `--floor` runs the floor alone. And, in turns
//! with the `HashMap`, one read that misses every cache (see `Misses`):
//! what the goal of 10 turns is in such reads.
//!
//! It also tells how much of its memory was in transparent huge pages at
//! the largest centre: with glibc, `GLIBC_TUNABLES=glibc.malloc.hugetlb=1`
//! asks for them where the system leaves them to the program.

#[path = "../tests/reference/mod.rs"]
mod reference;
#[path = "support/split_mix.rs"]
mod split_mix;

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::{HashMap, VecDeque};
use std::hint::black_box;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use split_mix::Rng;

use omnirouter::{
    AgentId, AgentSpec, Config, ConversationId, ConversationSpec, Decision, Event, HostId, Millis,
    Presence, Role, Router, SkillLevel, Strategy, Timestamp, TransferTarget,
};

// ---- live bytes --------------------------------------------------------

/// The system allocator, counting the bytes live at any time, and the
/// calls that allocate.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on unchanged to `System`; only a counter is
// added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(
            new_size as isize - layout.size() as isize,
            Ordering::Relaxed,
        );
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.load(Ordering::Relaxed)
}

/// Calls to allocate or reallocate so far.
fn allocations() -> usize {
    ALLOCATIONS.load(Ordering::Relaxed)
}

// ---- the centre --------------------------------------------------------

const CHANNELS: [&str; 5] = ["sms", "live_chat", "facebook", "whatsapp", "instagram"];
/// Share of arrivals per channel, in percent.
const CHANNEL_MIX: [u64; 5] = [20, 30, 15, 25, 10];
const SKILLS: u64 = 50;
/// Skills 0..8 are languages, the rest products and topics.
const LANGUAGES: u64 = 8;
const TEAMS: u64 = 20;
/// Team 0 is the back office: the line that waits is theirs.
const BACK_OFFICE: u64 = 0;
const ADMINS: u64 = 4;

/// The draws of this workload, beside `next` and `below`: every run builds
/// and drives the same centre.
impl Rng {
    /// Skewed towards 0: the smaller of two uniform draws.
    fn skewed(&mut self, n: u64) -> u64 {
        self.below(n).min(self.below(n))
    }

    fn channel(&mut self) -> usize {
        let mut roll = self.below(100);
        for (c, share) in CHANNEL_MIX.iter().enumerate() {
            if roll < *share {
                return c;
            }
            roll -= share;
        }
        0
    }
}

fn skill(i: u64) -> String {
    if i < LANGUAGES {
        format!("lang{i}")
    } else {
        format!("topic{:02}", i - LANGUAGES)
    }
}

fn team(i: u64) -> String {
    if i == BACK_OFFICE {
        "back_office".to_owned()
    } else {
        format!("team{i:02}")
    }
}

/// The centre's configuration: the default strategy unless `--strategy`
/// names another (`least-loaded`, `least-loaded-on-channel`,
/// `longest-idle`, `round-robin`).
fn config() -> Config {
    let strategy = match text_option("--strategy").as_deref() {
        None | Some("least-loaded") => Strategy::LeastLoaded,
        Some("least-loaded-on-channel") => Strategy::LeastLoadedOnChannel,
        Some("longest-idle") => Strategy::LongestIdle,
        Some("round-robin") => Strategy::RoundRobin,
        Some(other) => {
            panic!(
                "--strategy takes least-loaded, least-loaded-on-channel, longest-idle or round-robin, not {other:?}"
            )
        }
    };
    let mut config = Config::new(CHANNELS)
        .skills((0..SKILLS).map(skill))
        .teams((0..TEAMS).map(team))
        .strategy(strategy);
    if flag("--no-history") {
        config.ended_retention = 0;
    }
    config
}

/// Whether `--no-skills` was given: agents then hold no skills, and
/// conversations and transfers need none (a transfer to skills goes to a
/// team instead), so that a run tells what routing by skill costs.
fn without_skills() -> bool {
    static WITHOUT: OnceLock<bool> = OnceLock::new();
    *WITHOUT.get_or_init(|| flag("--no-skills"))
}

/// One agent's channels (capacity per channel, 0 = none), as the driver
/// keeps them to pick valid transfer targets.
type Caps = [u8; 5];

/// Agent `a`: two to four channels at 1-5 each, one language (mostly the
/// first), one to four products at levels 1-5 (popular ones more often), one
/// team; one in two hundred also works in the back office.
fn agent_spec(rng: &mut Rng, a: u64) -> (AgentSpec, Caps) {
    let mut spec = AgentSpec::agent();
    let mut caps = [0; 5];
    let first = rng.below(5) as usize;
    for k in 0..2 + rng.below(3) as usize {
        let c = (first + k) % 5;
        caps[c] = 1 + rng.below(5) as u8;
        spec = spec.channel(CHANNELS[c], u32::from(caps[c]));
    }
    let language = if rng.below(10) < 6 {
        0
    } else {
        rng.below(LANGUAGES)
    };
    if !without_skills() {
        spec = spec.skill(skill(language), 5);
    }
    let mut topics: Vec<u64> = (0..1 + rng.below(4))
        .map(|_| LANGUAGES + rng.skewed(SKILLS - LANGUAGES))
        .collect();
    topics.sort_unstable();
    topics.dedup();
    for t in topics {
        let level = 1 + rng.below(5) as u8;
        if !without_skills() {
            spec = spec.skill(skill(t), level);
        }
    }
    spec = spec.team(team(1 + rng.below(TEAMS - 1)));
    if a.is_multiple_of(200) {
        spec = spec.team(team(BACK_OFFICE));
    }
    (spec, caps)
}

/// A customer's conversation: half need nothing, a third one topic at
/// level 1-3, the rest a language other than the first.
fn conversation_spec(rng: &mut Rng, customers: u64) -> (ConversationSpec, usize) {
    let c = rng.channel();
    let mut spec = ConversationSpec::new(CHANNELS[c], rng.below(customers));
    match rng.below(100) {
        _ if without_skills() => {}
        0..50 => {}
        50..85 => {
            let t = LANGUAGES + rng.skewed(SKILLS - LANGUAGES);
            spec = spec.skill(skill(t), 1 + rng.below(3) as u8);
        }
        _ => spec = spec.skill(skill(1 + rng.below(LANGUAGES - 1)), 1),
    }
    (spec, c)
}

// ---- the routers under test --------------------------------------------

/// What the workload drives: the router, or the naive reference.
trait Target {
    fn feed(&mut self, now: u64, event: Event, seen: &mut impl FnMut(&Decision));

    /// Called once the centre is built, before the timed events.
    fn start_timing(&mut self) {}
}

impl Target for Router {
    fn feed(&mut self, now: u64, event: Event, seen: &mut impl FnMut(&Decision)) {
        let decisions = self.handle(Timestamp(now), event).expect("a valid event");
        for d in &decisions {
            seen(d);
        }
    }
}

/// The naive reference, built in place (its `handle` copies the whole
/// centre on every event, which would make building 10k agents take
/// minutes) and timed through `handle`, as the tests drive it.
struct Naive {
    reference: reference::Reference,
    timing: bool,
}

impl Target for Naive {
    fn feed(&mut self, now: u64, event: Event, seen: &mut impl FnMut(&Decision)) {
        let now = Timestamp(now);
        let decisions = if self.timing {
            self.reference.handle(now, &event)
        } else {
            self.reference.handle_in_place(now, &event)
        };
        for d in &decisions.expect("a valid event") {
            seen(d);
        }
    }

    fn start_timing(&mut self) {
        self.timing = true;
    }
}

// ---- the workload ------------------------------------------------------

const ENDED: u32 = u32::MAX;
const WAITING: u32 = u32::MAX - 1;

fn number(id: &HostId) -> u64 {
    match id {
        HostId::Int(n) => *n,
        other => panic!("the workload only uses integer ids, not {other:?}"),
    }
}

/// The host's side of the workload: what it knows from the decisions so
/// far, enough to send only valid events.
struct Driver {
    rng: Rng,
    now: u64,
    agents: u64,
    customers: u64,
    caps: Vec<Caps>,
    presence: Vec<Presence>,
    /// Agents away or offline, in the order they left.
    away: VecDeque<u64>,
    next_conversation: u64,
    /// Per conversation id: `ENDED`, `WAITING`, or the agent holding it.
    state: Vec<u32>,
    channel: Vec<u8>,
    /// Conversations given to an agent, oldest first (some since moved on).
    held: VecDeque<u64>,
    /// Conversations put in line (some since moved on).
    waiting: Vec<u64>,
    held_count: usize,
    waiting_count: usize,
    /// The steady state: conversations held, and waiting in the back
    /// office's line.
    target_held: usize,
    target_waiting: usize,
    /// Conversations a super admin has joined.
    joined: VecDeque<(u64, u64)>,
    /// Agents removed, to be added back.
    removed: Vec<u64>,
    events: u64,
    /// Whether to send `AgentReplied`, which the reference does not know.
    replies: bool,
    /// If set, time each event and count its allocations, per event kind.
    kinds: Option<Vec<Kind>>,
}

/// A short name for the kind of `event`.
fn kind(event: &Event) -> &'static str {
    match event {
        Event::AgentAdded { .. } => "AgentAdded",
        Event::AgentUpdated { .. } => "AgentUpdated",
        Event::AgentRemoved { .. } => "AgentRemoved",
        Event::PresenceChanged { .. } => "PresenceChanged",
        Event::ConversationArrived { .. } => "ConversationArrived",
        Event::ConversationResolved { .. } => "ConversationResolved",
        Event::ConversationAbandoned { .. } => "ConversationAbandoned",
        Event::TransferRequested { .. } => "TransferRequested",
        Event::AdminJoined { .. } => "AdminJoined",
        Event::AdminLeft { .. } => "AdminLeft",
        Event::CustomerMessage { .. } => "CustomerMessage",
        Event::AgentReplied { .. } => "AgentReplied",
        Event::Tick => "Tick",
        _ => "other",
    }
}

impl Driver {
    fn new(agents: u64, reserve: usize) -> Self {
        Driver {
            rng: Rng(1),
            now: 0,
            agents,
            customers: agents * 20,
            caps: Vec::with_capacity(agents as usize),
            presence: Vec::with_capacity(agents as usize),
            away: VecDeque::with_capacity(agents as usize / 50 + 16),
            next_conversation: 0,
            state: Vec::with_capacity(reserve),
            channel: Vec::with_capacity(reserve),
            held: VecDeque::with_capacity(reserve),
            waiting: Vec::with_capacity(reserve),
            held_count: 0,
            waiting_count: 0,
            target_held: 0,
            target_waiting: 0,
            joined: VecDeque::with_capacity(64),
            removed: Vec::with_capacity(64),
            events: 0,
            replies: true,
            kinds: None,
        }
    }

    /// Makes every routing class the workload uses, so that the agents'
    /// memory is measured with their places in every class: one
    /// conversation per class arrives and is abandoned.
    fn create_classes(&mut self, target: &mut impl Target) {
        let mut specs = Vec::new();
        for (c, name) in CHANNELS.iter().enumerate() {
            let plain = || ConversationSpec::new(*name, 0_u64);
            specs.push((c, plain()));
            for t in LANGUAGES..SKILLS {
                for level in 1..=3 {
                    specs.push((c, plain().skill(skill(t), level)));
                }
            }
            for l in 1..LANGUAGES {
                specs.push((c, plain().skill(skill(l), 1)));
            }
            for t in 0..TEAMS {
                specs.push((c, plain().team(team(t))));
            }
        }
        for (c, spec) in specs {
            let id = self.next_conversation;
            self.next_conversation += 1;
            self.state.push(ENDED);
            self.channel.push(c as u8);
            self.send(
                target,
                Event::ConversationArrived {
                    conversation: id.into(),
                    spec,
                },
            );
            self.send(
                target,
                Event::ConversationAbandoned {
                    conversation: id.into(),
                },
            );
        }
    }

    /// Adds every agent and the super admins.
    fn build(&mut self, target: &mut impl Target) {
        let mut rng = Rng(7);
        for a in 0..self.agents {
            let (spec, caps) = agent_spec(&mut rng, a);
            self.caps.push(caps);
            self.presence.push(Presence::Available);
            self.send(
                target,
                Event::AgentAdded {
                    agent: a.into(),
                    spec,
                    presence: Presence::Available,
                },
            );
        }
        for admin in 0..ADMINS {
            self.send(
                target,
                Event::AgentAdded {
                    agent: (self.agents + admin).into(),
                    spec: AgentSpec::with_role(Role::SuperAdmin),
                    presence: Presence::Available,
                },
            );
        }
    }

    fn send(&mut self, target: &mut impl Target, event: Event) {
        self.events += 1;
        let (state, held, waiting) = (&mut self.state, &mut self.held, &mut self.waiting);
        let (held_count, waiting_count) = (&mut self.held_count, &mut self.waiting_count);
        let mut set = |conversation: &ConversationId, to: u32| {
            let c = number(&conversation.0) as usize;
            let was = std::mem::replace(&mut state[c], to);
            match was {
                ENDED => {}
                WAITING => *waiting_count -= 1,
                _ => *held_count -= 1,
            }
            match to {
                ENDED => {}
                WAITING => {
                    *waiting_count += 1;
                    waiting.push(c as u64);
                }
                agent => {
                    *held_count += 1;
                    held.push_back(c as u64);
                    let _ = agent;
                }
            }
        };
        let timed = self.kinds.as_mut().map(|kinds| {
            let name = kind(&event);
            let i = match kinds.iter().position(|k| k.name == name) {
                Some(i) => i,
                None => {
                    kinds.push(Kind {
                        name,
                        ..Kind::default()
                    });
                    kinds.len() - 1
                }
            };
            (i, allocations(), Instant::now())
        });
        target.feed(self.now, event, &mut |d| match d {
            Decision::Assigned {
                conversation,
                agent,
                ..
            } => set(conversation, number(&agent.0) as u32),
            Decision::Queued { conversation, .. }
            | Decision::Requeued { conversation, .. }
            | Decision::Transferred { conversation, .. }
            | Decision::Awaiting { conversation, .. }
            | Decision::AwaitEnded { conversation, .. } => set(conversation, WAITING),
            Decision::Resolved { conversation, .. } | Decision::Abandoned { conversation, .. } => {
                set(conversation, ENDED)
            }
            _ => {}
        });
        if let (Some((i, allocated, start)), Some(kinds)) = (timed, self.kinds.as_mut()) {
            let kind = &mut kinds[i];
            kind.ns += start.elapsed().as_nanos();
            kind.count += 1;
            kind.allocations += allocations() - allocated;
        }
    }

    /// A new conversation: for the back office's line while it is short of
    /// its target, otherwise a customer's.
    fn arrive(&mut self, target: &mut impl Target) {
        let id = self.next_conversation;
        self.next_conversation += 1;
        let (spec, c) = if self.waiting_count < self.target_waiting {
            let c = self.rng.channel();
            let spec = ConversationSpec::new(CHANNELS[c], self.rng.below(self.customers))
                .team(team(BACK_OFFICE));
            (spec, c)
        } else {
            conversation_spec(&mut self.rng, self.customers)
        };
        self.state.push(ENDED);
        self.channel.push(c as u8);
        self.send(
            target,
            Event::ConversationArrived {
                conversation: id.into(),
                spec,
            },
        );
    }

    /// The oldest conversation still held, with its holder.
    fn oldest_held(&mut self) -> Option<(u64, u64)> {
        while let Some(c) = self.held.pop_front() {
            match self.state[c as usize] {
                ENDED | WAITING => continue,
                agent => return Some((c, u64::from(agent))),
            }
        }
        None
    }

    /// A random conversation still waiting.
    fn some_waiting(&mut self) -> Option<u64> {
        while !self.waiting.is_empty() {
            let i = self.rng.below(self.waiting.len() as u64) as usize;
            let c = self.waiting.swap_remove(i);
            if self.state[c as usize] == WAITING {
                return Some(c);
            }
        }
        None
    }

    /// Fills the centre to its steady state: `held` conversations held and
    /// `waiting` waiting.
    fn fill(&mut self, target: &mut impl Target, held: usize, waiting: usize) {
        self.target_held = held;
        self.target_waiting = waiting;
        while self.waiting_count < waiting || self.held_count < held {
            self.now += 1;
            self.arrive(target);
        }
    }

    /// One event of the steady-state mix.
    fn step(&mut self, target: &mut impl Target) {
        self.now += 3;
        let roll = self.rng.below(1000);
        match roll {
            // Arrivals and resolves keep the number held steady.
            0..600 => {
                if self.held_count < self.target_held || self.held_count == 0 {
                    self.arrive(target)
                } else {
                    self.resolve(target)
                }
            }
            600..660 => self.abandon(target),
            660..720 => self.presence(target),
            720..770 => self.transfer(target),
            770..860 => self.message(target),
            860..950 => self.reply(target),
            950..970 => self.admin(target),
            970..990 => {
                self.now += 1_000;
                self.send(target, Event::Tick);
            }
            _ => self.reshuffle(target),
        }
    }

    fn resolve(&mut self, target: &mut impl Target) {
        match self.oldest_held() {
            Some((c, agent)) => self.send(
                target,
                Event::ConversationResolved {
                    conversation: c.into(),
                    by: agent.into(),
                    dispositions: Vec::new(),
                },
            ),
            None => self.arrive(target),
        }
    }

    /// A waiting customer gives up (and another takes their place), or,
    /// if none waits, a customer leaves a held conversation.
    fn abandon(&mut self, target: &mut impl Target) {
        let c = match self.some_waiting() {
            Some(c) => c,
            None => match self.oldest_held() {
                Some((c, _)) => c,
                None => return self.arrive(target),
            },
        };
        self.send(
            target,
            Event::ConversationAbandoned {
                conversation: c.into(),
            },
        );
    }

    /// An agent goes away, busy or offline, and the one away longest
    /// comes back.
    fn presence(&mut self, target: &mut impl Target) {
        let limit = (self.agents as usize / 50).max(4);
        if (self.away.len() >= limit || self.rng.below(2) == 0)
            && let Some(a) = self.away.pop_front()
        {
            self.presence[a as usize] = Presence::Available;
            return self.send(
                target,
                Event::PresenceChanged {
                    agent: a.into(),
                    presence: Presence::Available,
                },
            );
        }
        let a = self.rng.below(self.agents);
        if self.presence[a as usize] != Presence::Available {
            return;
        }
        let presence = match self.rng.below(4) {
            0 => Presence::Offline,
            1 => Presence::Busy,
            _ => Presence::Away,
        };
        self.presence[a as usize] = presence;
        self.away.push_back(a);
        self.send(
            target,
            Event::PresenceChanged {
                agent: a.into(),
                presence,
            },
        );
    }

    /// A held conversation goes to a team, to skills, or to a person.
    fn transfer(&mut self, target: &mut impl Target) {
        let Some((c, holder)) = self.oldest_held() else {
            return;
        };
        let to = match self.rng.below(3) {
            0 => TransferTarget::Team(team(1 + self.rng.below(TEAMS - 1))),
            1 if without_skills() => TransferTarget::Team(team(1 + self.rng.below(TEAMS - 1))),
            1 => TransferTarget::Skills(vec![SkillLevel::new(
                skill(LANGUAGES + self.rng.skewed(SKILLS - LANGUAGES)),
                1,
            )]),
            _ => {
                let channel = self.channel[c as usize] as usize;
                let mut person = None;
                for _ in 0..8 {
                    let p = self.rng.below(self.agents);
                    if p != holder && self.caps[p as usize][channel] > 0 && !self.is_removed(p) {
                        person = Some(p);
                        break;
                    }
                }
                match person {
                    Some(p) => TransferTarget::Agent(p.into()),
                    None => TransferTarget::Team(team(1 + self.rng.below(TEAMS - 1))),
                }
            }
        };
        self.send(
            target,
            Event::TransferRequested {
                conversation: c.into(),
                by: holder.into(),
                to,
            },
        );
    }

    fn is_removed(&self, a: u64) -> bool {
        self.removed.contains(&a)
    }

    /// The customer of a held conversation writes.
    fn message(&mut self, target: &mut impl Target) {
        if let Some((c, agent)) = self.oldest_held() {
            self.held.push_back(c);
            let _ = agent;
            self.send(
                target,
                Event::CustomerMessage {
                    conversation: c.into(),
                },
            );
        }
    }

    /// The holder of a conversation replies.
    fn reply(&mut self, target: &mut impl Target) {
        if !self.replies {
            return self.message(target);
        }
        if let Some((c, agent)) = self.oldest_held() {
            self.held.push_back(c);
            self.send(
                target,
                Event::AgentReplied {
                    conversation: c.into(),
                    agent: agent.into(),
                },
            );
        }
    }

    /// A super admin joins a held conversation, or leaves one joined earlier.
    fn admin(&mut self, target: &mut impl Target) {
        if (self.joined.len() >= 8 || self.rng.below(2) == 0)
            && let Some((c, admin)) = self.joined.pop_front()
        {
            if self.state[c as usize] != ENDED {
                self.send(
                    target,
                    Event::AdminLeft {
                        conversation: c.into(),
                        admin: admin.into(),
                    },
                );
            }
            return;
        }
        if let Some((c, _)) = self.oldest_held() {
            self.held.push_back(c);
            let admin = self.agents + self.rng.below(ADMINS);
            if self.joined.iter().any(|&j| j == (c, admin)) {
                return;
            }
            self.joined.push_back((c, admin));
            self.send(
                target,
                Event::AdminJoined {
                    conversation: c.into(),
                    admin: admin.into(),
                },
            );
        }
    }

    /// An agent's spec changes, or an agent leaves, or one who left comes
    /// back.
    fn reshuffle(&mut self, target: &mut impl Target) {
        let a = self.rng.below(self.agents);
        if !self.removed.is_empty() && self.rng.below(2) == 0 {
            let back = self.removed.swap_remove(0);
            let (spec, caps) = agent_spec(&mut Rng(back), back);
            self.caps[back as usize] = caps;
            self.presence[back as usize] = Presence::Available;
            return self.send(
                target,
                Event::AgentAdded {
                    agent: back.into(),
                    spec,
                    presence: Presence::Available,
                },
            );
        }
        if self.is_removed(a) || self.presence[a as usize] != Presence::Available {
            return;
        }
        if self.rng.below(2) == 0 {
            let (spec, caps) = agent_spec(&mut Rng(a ^ self.now), a);
            self.caps[a as usize] = caps;
            self.send(
                target,
                Event::AgentUpdated {
                    agent: a.into(),
                    spec,
                },
            );
        } else {
            self.removed.push(a);
            self.presence[a as usize] = Presence::Offline;
            self.send(target, Event::AgentRemoved { agent: a.into() });
        }
    }

    /// Runs `events` steps; returns the time taken and events sent.
    fn run(&mut self, target: &mut impl Target, events: u64) -> (Duration, u64) {
        let before = self.events;
        let start = Instant::now();
        while self.events - before < events {
            self.step(target);
        }
        (start.elapsed(), self.events - before)
    }
}

// ---- the floor ---------------------------------------------------------

/// The least a router must do for this workload, timed as a second
/// yardstick between the router and the `HashMap`: it finds the records
/// of the ids an event names in hash maps, counts each agent's load per
/// channel, and gives a conversation to the first available agent with
/// room on its channel, or queues it. It routes by no skill, team,
/// strategy or priority, keeps no history or timers, checks no event and
/// returns its decisions without collecting them: what the router costs
/// beyond it is the price of routing by skill and keeping the contract.
struct Floor {
    channels: HashMap<String, usize>,
    agents: HashMap<AgentId, FloorAgent>,
    conversations: HashMap<ConversationId, FloorConversation>,
    /// Per channel, agents that may have room, each at most once.
    free: Vec<Vec<AgentId>>,
    /// Per channel, conversations that may be waiting, oldest first.
    waiting: Vec<VecDeque<ConversationId>>,
}

#[derive(Default)]
struct FloorAgent {
    available: bool,
    capacity: [u32; CHANNELS.len()],
    load: [u32; CHANNELS.len()],
    /// Whether the agent is in the channel's `free` list.
    listed: [bool; CHANNELS.len()],
}

struct FloorConversation {
    channel: usize,
    holder: Option<AgentId>,
}

impl Floor {
    fn new() -> Self {
        Floor {
            channels: CHANNELS
                .iter()
                .enumerate()
                .map(|(c, name)| (name.to_string(), c))
                .collect(),
            agents: HashMap::new(),
            conversations: HashMap::new(),
            free: vec![Vec::new(); CHANNELS.len()],
            waiting: vec![VecDeque::new(); CHANNELS.len()],
        }
    }

    /// Takes in an agent's capacities (and presence, if given), then
    /// offers it on every channel.
    fn set_spec(
        &mut self,
        agent: AgentId,
        spec: &AgentSpec,
        available: Option<bool>,
        seen: &mut impl FnMut(&Decision),
    ) {
        let record = self.agents.entry(agent.clone()).or_default();
        record.capacity = [0; CHANNELS.len()];
        for limit in &spec.channels {
            if let Some(&c) = self.channels.get(&limit.channel) {
                record.capacity[c] = limit.capacity;
            }
        }
        if let Some(available) = available {
            record.available = available;
        }
        for channel in 0..CHANNELS.len() {
            self.offer(&agent, channel, seen);
        }
    }

    /// Lists `agent` as free on `channel` if it has room there, and gives
    /// it the conversations waiting there.
    fn offer(&mut self, agent: &AgentId, channel: usize, seen: &mut impl FnMut(&Decision)) {
        let Some(record) = self.agents.get_mut(agent) else {
            return;
        };
        if record.available && record.load[channel] < record.capacity[channel] {
            if !record.listed[channel] {
                record.listed[channel] = true;
                self.free[channel].push(agent.clone());
            }
            self.drain(channel, seen);
        }
    }

    /// The next free agent on `channel`, taken off its list.
    fn take_free(&mut self, channel: usize) -> Option<AgentId> {
        while let Some(agent) = self.free[channel].pop() {
            if let Some(record) = self.agents.get_mut(&agent) {
                record.listed[channel] = false;
                if record.available && record.load[channel] < record.capacity[channel] {
                    return Some(agent);
                }
            }
        }
        None
    }

    /// Gives `conversation` to `agent`, listing the agent again if it has
    /// room left.
    fn assign(
        &mut self,
        conversation: ConversationId,
        agent: AgentId,
        channel: usize,
        seen: &mut impl FnMut(&Decision),
    ) {
        if let Some(record) = self.agents.get_mut(&agent) {
            record.load[channel] += 1;
            if record.load[channel] < record.capacity[channel] {
                record.listed[channel] = true;
                self.free[channel].push(agent.clone());
            }
        }
        if let Some(record) = self.conversations.get_mut(&conversation) {
            record.holder = Some(agent.clone());
        }
        seen(&Decision::Assigned {
            conversation,
            agent,
            waited: Millis(0),
        });
    }

    /// Assigns `conversation` to the next free agent on `channel`, or
    /// queues it.
    fn route(
        &mut self,
        conversation: ConversationId,
        channel: usize,
        seen: &mut impl FnMut(&Decision),
    ) {
        match self.take_free(channel) {
            Some(agent) => self.assign(conversation, agent, channel, seen),
            None => {
                self.waiting[channel].push_back(conversation.clone());
                seen(&Decision::Queued {
                    conversation,
                    ahead: self.waiting[channel].len() - 1,
                });
            }
        }
    }

    /// Assigns the conversations waiting on `channel` while agents are free.
    fn drain(&mut self, channel: usize, seen: &mut impl FnMut(&Decision)) {
        while let Some(next) = self.waiting[channel].pop_front() {
            let waits = self
                .conversations
                .get(&next)
                .is_some_and(|record| record.holder.is_none());
            if !waits {
                continue;
            }
            match self.take_free(channel) {
                Some(agent) => self.assign(next, agent, channel, seen),
                None => {
                    self.waiting[channel].push_front(next);
                    return;
                }
            }
        }
    }

    /// Frees one conversation's room of `agent` on `channel`.
    fn release(&mut self, agent: &AgentId, channel: usize, seen: &mut impl FnMut(&Decision)) {
        if let Some(record) = self.agents.get_mut(agent) {
            record.load[channel] = record.load[channel].saturating_sub(1);
        }
        self.offer(agent, channel, seen);
    }
}

impl Target for Floor {
    fn feed(&mut self, _now: u64, event: Event, seen: &mut impl FnMut(&Decision)) {
        match event {
            Event::AgentAdded {
                agent,
                spec,
                presence,
            } => self.set_spec(agent, &spec, Some(presence == Presence::Available), seen),
            Event::AgentUpdated { agent, spec } => self.set_spec(agent, &spec, None, seen),
            Event::AgentRemoved { agent } => {
                if let Some(record) = self.agents.get_mut(&agent) {
                    record.available = false;
                }
            }
            Event::PresenceChanged { agent, presence } => {
                if let Some(record) = self.agents.get_mut(&agent) {
                    record.available = presence == Presence::Available;
                }
                for channel in 0..CHANNELS.len() {
                    self.offer(&agent, channel, seen);
                }
            }
            Event::ConversationArrived { conversation, spec } => {
                if let Some(&channel) = self.channels.get(&spec.channel) {
                    let record = FloorConversation {
                        channel,
                        holder: None,
                    };
                    self.conversations.insert(conversation.clone(), record);
                    self.route(conversation, channel, seen);
                }
            }
            Event::ConversationResolved {
                conversation, by, ..
            } => {
                if let Some(record) = self.conversations.remove(&conversation) {
                    seen(&Decision::Resolved {
                        conversation,
                        by,
                        holder: record.holder.clone(),
                    });
                    if let Some(holder) = record.holder {
                        self.release(&holder, record.channel, seen);
                    }
                }
            }
            Event::ConversationAbandoned { conversation } => {
                if let Some(record) = self.conversations.remove(&conversation) {
                    seen(&Decision::Abandoned {
                        conversation,
                        agent: record.holder.clone(),
                    });
                    if let Some(holder) = record.holder {
                        self.release(&holder, record.channel, seen);
                    }
                }
            }
            // Any transfer goes back to the channel's first free agent.
            Event::TransferRequested { conversation, .. } => {
                if let Some(record) = self.conversations.get_mut(&conversation) {
                    let (channel, holder) = (record.channel, record.holder.take());
                    if let Some(holder) = holder {
                        self.release(&holder, channel, seen);
                    }
                    self.route(conversation, channel, seen);
                }
            }
            Event::CustomerMessage { conversation }
            | Event::AgentReplied { conversation, .. }
            | Event::AdminJoined { conversation, .. }
            | Event::AdminLeft { conversation, .. } => {
                black_box(self.conversations.get(&conversation));
            }
            _ => {}
        }
    }
}

/// A `HashMap<u64, u64>` with a given number of entries, timed on one
/// insert plus one remove of a key it does not hold.
struct Yardstick {
    map: HashMap<u64, u64>,
    keys: Vec<u64>,
    done: u64,
}

impl Yardstick {
    fn new(size: u64) -> Self {
        let mut rng = Rng(99);
        let mut map: HashMap<u64, u64> = HashMap::with_capacity(size as usize + 1);
        for _ in 0..size {
            map.insert(rng.next(), 1);
        }
        let keys = (0..1 << 16).map(|_| rng.next()).collect();
        Yardstick { map, keys, done: 0 }
    }

    /// ns per insert plus remove, over `ops` of them.
    fn ns(&mut self, ops: u64) -> f64 {
        let start = Instant::now();
        for _ in 0..ops {
            let i = self.done;
            self.done += 1;
            let k = self.keys[(i as usize) & (self.keys.len() - 1)] ^ i;
            self.map.insert(k, i);
            black_box(self.map.remove(&k));
        }
        start.elapsed().as_nanos() as f64 / ops as f64
    }
}

/// Reads that miss every cache: each of a random cache line of a buffer
/// four times the L3 of the machine the README measures on, at an address
/// made from the value the read before it found, so that no read starts
/// before the last one ends. What the first touch of a record costs when
/// the centre is far larger than the caches and nothing overlaps it.
struct Misses {
    lines: Vec<[u64; 8]>,
    at: u64,
}

impl Misses {
    /// 128 MiB.
    const BYTES: usize = 128 << 20;

    /// Reads per slice of a comparison in turns.
    const READS: u64 = 100_000;

    fn new() -> Self {
        let mut rng = Rng(7);
        let lines = (0..Self::BYTES / 64).map(|_| [rng.next(); 8]).collect();
        Misses { lines, at: 0 }
    }

    /// ns per read, over `reads` of them.
    fn ns(&mut self, reads: u64) -> f64 {
        let start = Instant::now();
        let len = self.lines.len() as u64;
        for _ in 0..reads {
            let found = self.lines[(self.at % len) as usize][0];
            self.at = Rng(self.at ^ found).next();
        }
        black_box(self.at);
        start.elapsed().as_nanos() as f64 / reads as f64
    }
}

/// `HashMap<u64, u64>` with `size` entries: ns per insert plus remove.
fn hashmap_ns(size: u64, ops: u64) -> f64 {
    Yardstick::new(size).ns(ops)
}

/// The ratio of two costs measured in turns, `pairs` times (`a` then `b`,
/// then `b` then `a`, and so on), so that both see the machine as it is at
/// that moment: a shared machine's load changes over seconds, and a ratio
/// of two timings taken minutes apart says as much about the load as about
/// the code. Returns the median of the pairs' ratios, and the lowest and
/// highest.
fn interleaved(
    pairs: usize,
    mut a: impl FnMut() -> f64,
    mut b: impl FnMut() -> f64,
) -> Interleaved {
    let mut ratios: Vec<f64> = (0..pairs)
        .map(|i| {
            let (x, y) = if i % 2 == 0 {
                let x = a();
                (x, b())
            } else {
                let y = b();
                (a(), y)
            };
            x / y
        })
        .collect();
    ratios.sort_by(f64::total_cmp);
    Interleaved {
        median: ratios[ratios.len() / 2],
        lowest: ratios[0],
        highest: ratios[ratios.len() - 1],
        pairs,
    }
}

/// What [`interleaved`] measured.
struct Interleaved {
    median: f64,
    lowest: f64,
    highest: f64,
    pairs: usize,
}

/// ns per event of what [`Driver::run`] returns.
fn ns_per_event((took, sent): (Duration, u64)) -> f64 {
    took.as_nanos() as f64 / sent as f64
}

/// A centre of `agents` agents holding half as many conversations, none
/// waiting, warmed up: as `main` builds each size, without the counting.
fn centre<T: Target>(agents: u64, events: u64, mut target: T) -> (Driver, T) {
    let held = agents as usize / 2;
    let mut driver = Driver::new(agents, held * 2 + 3 * events as usize);
    driver.build(&mut target);
    driver.create_classes(&mut target);
    driver.fill(&mut target, held, 0);
    driver.run(&mut target, 20_000);
    (driver, target)
}

/// A router for a centre.
fn new_router() -> Router {
    Router::new(config()).expect("a valid configuration")
}

// ---- the table ---------------------------------------------------------

struct Row {
    agents: u64,
    waiting: usize,
    ns: f64,
    hashmap_ns: f64,
    bytes_per_agent: f64,
    bytes_per_waiting: Option<f64>,
}

/// The naive reference and the router on the same events.
struct Comparison {
    agents: u64,
    waiting: usize,
    events: u64,
    reference_ns: f64,
    router_ns: f64,
}

fn si(n: u64) -> String {
    match n {
        0 => "0".into(),
        n if n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// The value of `--name N`, if given.
fn option(name: &str) -> Option<u64> {
    text_option(name).map(|n| n.parse().expect("a number"))
}

fn text_option(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

fn main() {
    let quick = flag("--quick");
    let started = Instant::now();
    // For profiling: `--agents N`, `--waiting N` and `--events N` narrow
    // the run, `--no-naive` leaves the reference out, `--no-memory` leaves
    // out bytes per agent after the workload, `--kinds` also times
    // each event kind and counts its allocations (on stderr), `--strategy NAME` picks another
    // strategy than the default (see `config`).
    // A quick run leaves out the centre of 1M agents: making its routing
    // classes alone takes about 40 s on two cores.
    let all_sizes: &[u64] = if quick {
        &[1_000, 10_000, 100_000]
    } else {
        &[1_000, 10_000, 100_000, 1_000_000]
    };
    let one_size = option("--agents").map(|n| [n]);
    let sizes: &[u64] = one_size.as_ref().map_or(all_sizes, |one| one);
    let one_line = option("--waiting").map(|n| [n as usize]);
    // A quick run leaves out the line of 1M, which takes long to build.
    let all_lines: &[usize] = if quick {
        &[0, 10_000]
    } else {
        &[0, 10_000, 1_000_000]
    };
    let lines: &[usize] = one_line.as_ref().map_or(all_lines, |one| one);
    let events = option("--events").unwrap_or(if quick { 50_000 } else { 1_000_000 });
    let by_kind = flag("--kinds");
    // The `HashMap` yardstick hashes with random keys, so its work (and a
    // cachegrind count of a whole run) differs from one process to the
    // next: counts of the router alone want it left out.
    let with_yardstick = !flag("--no-yardstick");
    // `--no-turns` leaves out the ratios measured in turns, whose work
    // grows with `--events`: a count of two runs that differ in events
    // alone is then the workload's.
    let in_turns = !flag("--no-turns");
    // `--floor` runs the floor alone on each size (see `Floor`), for
    // profiling it.
    if flag("--floor") {
        for &agents in sizes {
            let (mut driver, mut floor) = centre(agents, events, Floor::new());
            let ns = ns_per_event(driver.run(&mut floor, events));
            println!("the floor, {} agents: {ns:.0} ns/event", si(agents));
        }
        return;
    }

    // A quick run compares with the reference at 10k agents only.
    let naive_sizes: &[(u64, usize)] = if flag("--no-naive") {
        &[]
    } else if quick {
        &[(10_000, 10_000)]
    } else {
        &[(1_000, 1_000), (10_000, 10_000)]
    };
    let naive_events = if quick { 100 } else { 1_000 };

    println!(
        "{:>7} {:>8} {:>10} {:>10} {:>10} {:>9} {:>11} {:>10}",
        "agents",
        "waiting",
        "ns/event",
        "events/s",
        "hashmap ns",
        "x hashmap",
        "bytes/agent",
        "bytes/wait"
    );
    let mut rows = Vec::new();
    let mut memories = Vec::new();
    // The ratios of the last line are measured again in turns (see
    // `interleaved`), on slices of this many events.
    let largest = sizes.iter().copied().max().unwrap_or(0);
    let (pairs, slice) = (15, (events / 50).max(5_000));
    let yardstick_ops = 500_000;
    let mut flatness_in_turns = None;
    let mut largest_pages = None;
    let mut cost_in_turns = None;
    let mut floor_in_turns = None;
    let mut miss_in_turns = None;
    let mut hashmap_flatness = None;
    let mut floor_flatness = None;
    for &agents in sizes {
        let held = agents as usize / 2;
        let reserve = held * 2 + 1_100_000 + 3 * events as usize;
        let mut driver = Driver::new(agents, reserve);
        let classes_alone = {
            let mut empty = new_router();
            let mut driver = Driver::new(0, 1_000);
            let before = live();
            driver.create_classes(&mut empty);
            live() - before
        };
        let mut router = new_router();
        let before = live();
        driver.build(&mut router);
        progress(started, &format!("{} agents", si(agents)));
        driver.create_classes(&mut router);
        let bytes_per_agent = (live() - before - classes_alone) as f64 / agents as f64;
        progress(started, &format!("{} agents and their classes", si(agents)));
        driver.fill(&mut router, held, 0);
        driver.run(&mut router, 20_000);
        // What the centre has sent so far, as `centre` builds one.
        let sent_when_held = driver.events;
        progress(started, &format!("{} conversations held", si(held as u64)));
        let hashmap = if with_yardstick {
            hashmap_ns(agents, 2_000_000)
        } else {
            f64::NAN
        };
        for &waiting in lines {
            // Bytes per waiting conversation: the growth of the heap while
            // the line grows to `waiting` (arrivals only), over the
            // conversations added. Not from the line's start: the
            // workload run in between fills the history of ended
            // conversations, which is not the line's.
            let before = (live(), driver.waiting_count);
            driver.fill(&mut router, held, waiting);
            let added = driver.waiting_count.saturating_sub(before.1);
            let bytes_per_waiting =
                (added > 0).then(|| live().saturating_sub(before.0) as f64 / added as f64);
            progress(started, &format!("{} waiting", si(waiting as u64)));
            driver.run(&mut router, events / 10);
            let ns = ns_per_event(driver.run(&mut router, events));
            if by_kind {
                print_kinds(&mut driver, &mut router, events / 2);
            }
            let row = Row {
                agents,
                waiting,
                ns,
                hashmap_ns: hashmap,
                bytes_per_agent,
                bytes_per_waiting,
            };
            print_row(&row);
            rows.push(row);
            if in_turns && waiting == 0 && agents == largest && agents > 1_000 {
                largest_pages = Pages::now();
                progress(started, "flatness, in turns with a centre of 1k agents");
                // The small centre first runs as many events as the large
                // one has since `centre` would have left it, so that both
                // are timed with a history as full: in a full run, both
                // forget an ended conversation on about every other event.
                let ran = driver.events - sent_when_held;
                let (mut small_driver, mut small) =
                    centre(1_000, pairs as u64 * slice + ran, new_router());
                small_driver.run(&mut small, ran);
                flatness_in_turns = Some(interleaved(
                    pairs,
                    || ns_per_event(driver.run(&mut router, slice)),
                    || ns_per_event(small_driver.run(&mut small, slice)),
                ));
                // The same ratio for the yardstick: what one random insert
                // and remove costs at this size against at 1k, on this
                // machine, as a floor for any structure of this size.
                drop((small_driver, small));
                if with_yardstick {
                    let (mut large_map, mut small_map) =
                        (Yardstick::new(agents), Yardstick::new(1_000));
                    hashmap_flatness = Some(interleaved(
                        pairs,
                        || large_map.ns(yardstick_ops),
                        || small_map.ns(yardstick_ops),
                    ));
                }
                // And for the floor: what the least any router must do for
                // this workload costs at this size against at 1k.
                progress(started, "the floor's own flatness, in turns");
                let floor_events = pairs as u64 * slice;
                let (mut large_driver, mut large_floor) =
                    centre(agents, floor_events, Floor::new());
                let (mut small_driver, mut small_floor) = centre(1_000, floor_events, Floor::new());
                floor_flatness = Some(interleaved(
                    pairs,
                    || ns_per_event(large_driver.run(&mut large_floor, slice)),
                    || ns_per_event(small_driver.run(&mut small_floor, slice)),
                ));
            }
            if in_turns && waiting == 0 && agents == 100_000 && with_yardstick {
                progress(started, "cost_vs_hashmap, in turns with the HashMap");
                let mut yardstick = Yardstick::new(agents);
                cost_in_turns = Some(interleaved(
                    pairs,
                    || ns_per_event(driver.run(&mut router, slice)),
                    || yardstick.ns(yardstick_ops),
                ));
                progress(
                    started,
                    "the floor, in turns with the HashMap and the router",
                );
                let (mut floor_driver, mut floor) =
                    centre(agents, 2 * pairs as u64 * slice, Floor::new());
                floor_in_turns = Some((
                    interleaved(
                        pairs,
                        || ns_per_event(floor_driver.run(&mut floor, slice)),
                        || yardstick.ns(yardstick_ops),
                    ),
                    interleaved(
                        pairs,
                        || ns_per_event(driver.run(&mut router, slice)),
                        || ns_per_event(floor_driver.run(&mut floor, slice)),
                    ),
                ));
                progress(
                    started,
                    "a read that misses every cache, in turns with the HashMap",
                );
                let mut misses = Misses::new();
                miss_in_turns = Some(interleaved(
                    pairs,
                    || misses.ns(Misses::READS),
                    || yardstick.ns(yardstick_ops),
                ));
            }
        }
        if flag("--no-memory") {
            continue;
        }
        let memory = agent_memory(&mut driver, &mut router, bytes_per_agent);
        progress(
            started,
            &format!("{} agents: bytes after the workload", si(agents)),
        );
        println!(
            "{:>7} agents: bytes/agent {:.0} built, {:.0} after the workload; host ids aside {:.0} and {:.0}",
            si(agents),
            memory.built,
            memory.worked,
            memory.built - memory.host_ids,
            memory.worked - memory.host_ids,
        );
        memories.push(memory);
    }
    let naive: Vec<Comparison> = naive_sizes
        .iter()
        .map(|&(agents, waiting)| {
            progress(
                started,
                &format!("the naive reference, {} agents", si(agents)),
            );
            naive(agents, waiting, naive_events)
        })
        .collect();
    for n in &naive {
        println!(
            "naive reference, {} agents, {} waiting, the same {} events: {:.0} ns/event, the router {:.0} ns/event: {:.0}x",
            si(n.agents),
            si(n.waiting as u64),
            n.events,
            n.reference_ns,
            n.router_ns,
            n.reference_ns / n.router_ns
        );
    }
    println!(
        "{} run, {:.1} s; ns/event includes making each event and reading its decisions",
        if quick { "quick" } else { "full" },
        started.elapsed().as_secs_f64()
    );
    let at = |agents: u64, waiting: usize| {
        rows.iter()
            .find(|r| r.agents == agents && r.waiting == waiting)
            .map_or(f64::NAN, |r| r.ns)
    };
    let flatness_rows = at(largest, 0) / at(1_000, 0);
    if largest != 1_000_000 {
        println!(
            "flatness is ns/event at {} agents over 1k: this run has no 1M centre",
            si(largest)
        );
    }
    if let Some(turns) = &flatness_in_turns {
        println!(
            "flatness in turns: {} over 1k agents, median of {} pairs of {} events each: {:.2} ({:.2} to {:.2}); from the table's rows: {:.2}",
            si(largest),
            turns.pairs,
            slice,
            turns.median,
            turns.lowest,
            turns.highest,
            flatness_rows
        );
    }
    if let Some(pages) = &largest_pages {
        println!(
            "memory pages at the largest centre: {} of {} MiB resident in transparent huge pages ({})",
            pages.huge_kib / 1024,
            pages.resident_kib / 1024,
            match std::env::var("GLIBC_TUNABLES") {
                Ok(tunables) => format!("GLIBC_TUNABLES={tunables}"),
                Err(_) => "GLIBC_TUNABLES unset".to_owned(),
            }
        );
    }
    if let Some(turns) = &hashmap_flatness {
        println!(
            "the HashMap's own flatness in turns: {} entries over 1k, median of {} pairs of {} insert+remove: {:.2} ({:.2} to {:.2})",
            si(largest),
            turns.pairs,
            yardstick_ops,
            turns.median,
            turns.lowest,
            turns.highest
        );
    }
    if let Some(turns) = &floor_flatness {
        println!(
            "the floor's own flatness in turns: {} agents over 1k, median of {} pairs of {} events: {:.2} ({:.2} to {:.2})",
            si(largest),
            turns.pairs,
            slice,
            turns.median,
            turns.lowest,
            turns.highest
        );
    }
    let flatness = flatness_in_turns.map_or(flatness_rows, |t| t.median);
    let speedup = naive
        .iter()
        .find(|n| n.agents == 10_000)
        .map_or(f64::NAN, |n| n.reference_ns / n.router_ns);
    let cost_rows = rows
        .iter()
        .find(|r| r.agents == 100_000 && r.waiting == 0)
        .map_or(f64::NAN, |r| r.ns / r.hashmap_ns);
    if let Some(turns) = &cost_in_turns {
        println!(
            "cost_vs_hashmap in turns: 100k agents, median of {} pairs of {} events and {} HashMap insert+remove: {:.1} ({:.1} to {:.1}); from the table's rows: {:.1}",
            turns.pairs, slice, yardstick_ops, turns.median, turns.lowest, turns.highest, cost_rows
        );
    }
    if let Some((floor, router)) = &floor_in_turns {
        println!(
            "the floor in turns, 100k agents (ids, loads, the first agent with room; no skills, strategy, history or timers): {:.1} HashMap insert+remove ({:.1} to {:.1}); the router: {:.1} floors ({:.1} to {:.1})",
            floor.median, floor.lowest, floor.highest, router.median, router.lowest, router.highest
        );
    }
    if let Some(miss) = &miss_in_turns {
        let floor = floor_in_turns
            .as_ref()
            .map_or(f64::NAN, |(floor, _)| floor.median);
        let router = cost_in_turns.as_ref().map_or(f64::NAN, |t| t.median);
        println!(
            "a read that misses every cache, in turns (a random cache line of {} MiB, each read waiting on the last), median of {} pairs of {} reads and {} HashMap insert+remove: {:.2} ({:.2} to {:.2}); so the floor takes {:.1} such reads, the router {:.1}, and the goal of 10 turns is {:.1}",
            Misses::BYTES >> 20,
            miss.pairs,
            Misses::READS,
            yardstick_ops,
            miss.median,
            miss.lowest,
            miss.highest,
            floor / miss.median,
            router / miss.median,
            10.0 / miss.median,
        );
    }
    let cost = cost_in_turns.map_or(cost_rows, |t| t.median);
    let most = |of: fn(&AgentMemory) -> f64| memories.iter().map(of).fold(f64::NAN, f64::max);
    if !memories.is_empty() {
        println!(
            "bytes/agent at most, host ids aside: {:.0} built, {:.0} after the workload (goal: 1024)",
            most(|m| m.built - m.host_ids),
            most(|m| m.worked - m.host_ids),
        );
    }
    println!("flatness={flatness:.2} speedup_vs_naive_10k={speedup:.0} cost_vs_hashmap={cost:.1}");
}

/// Bytes per agent, as built and after the workload, and what of them is
/// host ids.
struct AgentMemory {
    built: f64,
    worked: f64,
    host_ids: f64,
}

/// Measures what an agent costs after the workload has moved it around
/// its free-agent lines for a while (B-tree nodes split and merge, vectors
/// grow), against what it cost as built (`built`, from the rows).
///
/// Ends every open conversation, then removes every agent: the bytes freed,
/// compared with the bytes freed by removing the agents of a centre just
/// built the same way, are the change since building. Slab slots and the
/// id map are not freed by removal, and are the same in both. Host ids:
/// the id in each agent's record and one entry of an id map per agent,
/// measured on a `HashMap` of the same size (the router's has a fixed
/// hasher, which changes no entry's size).
fn agent_memory(driver: &mut Driver, router: &mut Router, built: f64) -> AgentMemory {
    let agents = driver.agents;
    let freed = |router: &mut Router, now: u64| {
        let before = live();
        for a in 0..agents + ADMINS {
            // Agents the workload removed are absent: nothing to free.
            let _ = router.handle(Timestamp(now), Event::AgentRemoved { agent: a.into() });
        }
        before - live()
    };
    for c in 0..driver.next_conversation {
        if driver.state[c as usize] != ENDED {
            driver.send(
                router,
                Event::ConversationAbandoned {
                    conversation: c.into(),
                },
            );
        }
    }
    let worked = freed(router, driver.now);
    let mut fresh = new_router();
    let mut fresh_driver = Driver::new(agents, 1_000);
    fresh_driver.build(&mut fresh);
    fresh_driver.create_classes(&mut fresh);
    let built_freed = freed(&mut fresh, fresh_driver.now);
    drop(fresh);
    let before = live();
    // Grown one insert at a time, as the router's is.
    let mut ids = HashMap::new();
    for a in 0..agents + ADMINS {
        ids.insert(HostId::from(a), a as u32);
    }
    let id_map = live() - before;
    drop(ids);
    AgentMemory {
        built,
        worked: built + (worked - built_freed) as f64 / agents as f64,
        host_ids: id_map as f64 / agents as f64 + std::mem::size_of::<HostId>() as f64,
    }
}

/// How much of the process's memory is resident, and how much of that in
/// transparent huge pages (2 MiB, where a page is otherwise 4 KiB): at a
/// million agents each page the workload touches at random is likely a
/// miss of the address cache too, and a huge page covers 512 small ones.
/// Read from Linux's `/proc/self/smaps_rollup`; `None` elsewhere.
struct Pages {
    resident_kib: u64,
    huge_kib: u64,
}

impl Pages {
    fn now() -> Option<Pages> {
        let text = std::fs::read_to_string("/proc/self/smaps_rollup").ok()?;
        let field = |name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        };
        Some(Pages {
            resident_kib: field("Rss:")?,
            huge_kib: field("AnonHugePages:")?,
        })
    }
}

/// Where the run is, on stderr.
fn progress(started: Instant, what: &str) {
    eprintln!("[{:6.1} s] {what}", started.elapsed().as_secs_f64());
}

fn print_row(r: &Row) {
    println!(
        "{:>7} {:>8} {:>10.0} {:>10.0} {:>10.1} {:>9.0} {:>11.0} {:>10}",
        si(r.agents),
        si(r.waiting as u64),
        r.ns,
        1e9 / r.ns,
        r.hashmap_ns,
        r.ns / r.hashmap_ns,
        r.bytes_per_agent,
        r.bytes_per_waiting
            .map_or("-".to_owned(), |b| format!("{b:.0}")),
    );
}

/// What one kind of event took, over a run.
#[derive(Default)]
struct Kind {
    name: &'static str,
    count: u64,
    ns: u128,
    /// Calls to allocate or reallocate while the router handled the
    /// events and the driver read their decisions (its own vectors grow
    /// by doubling: a few calls in a run).
    allocations: usize,
}

/// Runs `events` more steps timing each event kind and counting its
/// allocations, and prints them.
fn print_kinds(driver: &mut Driver, router: &mut Router, events: u64) {
    driver.kinds = Some(Vec::new());
    driver.run(router, events);
    let mut kinds = driver.kinds.take().unwrap_or_default();
    kinds.sort_by_key(|k| std::cmp::Reverse(k.ns));
    let total: u128 = kinds.iter().map(|k| k.ns).sum();
    let (events, allocated) = kinds.iter().fold((0, 0), |(events, allocated), k| {
        (events + k.count, allocated + k.allocations)
    });
    for k in kinds {
        eprintln!(
            "    {:<22} {:>8} events {:>9.0} ns each, {:>5.1}% of the time, {:>6.2} allocations each",
            k.name,
            k.count,
            k.ns as f64 / k.count as f64,
            100.0 * k.ns as f64 / total as f64,
            k.allocations as f64 / k.count as f64,
        );
    }
    eprintln!(
        "    all {events} events: {:.2} allocations each",
        allocated as f64 / events as f64
    );
}

/// The same centre and events on the naive reference router and on the
/// router.
///
/// The reference clones itself on every event and scans everything, so
/// its centre is built in place (see [`Naive`]), the line first, while no
/// agent is there, then the agents, and the workload runs with few
/// conversations held (it resolves whenever one is). Replies are left
/// out: the reference does not know them.
fn naive(agents: u64, waiting: usize, events: u64) -> Comparison {
    fn one(target: &mut impl Target, agents: u64, waiting: usize, events: u64) -> f64 {
        let mut driver = Driver::new(agents, 3 * waiting + 3 * events as usize);
        driver.replies = false;
        driver.fill(target, 0, waiting);
        driver.build(target);
        driver.fill(target, 0, waiting);
        target.start_timing();
        let (took, sent) = driver.run(target, events);
        took.as_nanos() as f64 / sent as f64
    }
    let mut router = new_router();
    let router_ns = one(&mut router, agents, waiting, events);
    let mut reference = Naive {
        reference: reference::Reference::new(config()),
        timing: false,
    };
    let reference_ns = one(&mut reference, agents, waiting, events);
    Comparison {
        agents,
        waiting,
        events,
        reference_ns,
        router_ns,
    }
}
