//! The simulation: a seeded, event-driven clock around a `Router`.
//!
//! The simulation only decides *when* things happen: customers arriving,
//! agents finishing a conversation, customers giving up, shifts and breaks,
//! agents asking for a transfer, supervisors joining and leaving.
//! The router decides who gets what; the simulation follows its decisions
//! and counts.
//!
//! Every customer's channel, needs, priority, patience and handle time are
//! drawn from its channel's own random stream when it arrives, so the same
//! seed brings the same customers whatever the staffing: two runs that
//! differ only in agents compare like with like.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::fmt;

use omnirouter::{
    AgentId, AgentSpec, ChannelStats, Config, ConversationId, ConversationSpec, Decision, Event,
    Millis, Presence, Role, Router, Timestamp, TransferTarget,
};

use crate::scenario::{HandleTime, Scenario};
pub use crate::split_mix::Rng;

const MINUTE_MS: u64 = 60_000;
const HOUR_MS: u64 = 3_600_000;
/// Most points per channel in the time series.
const MAX_BUCKETS: u64 = 360;

/// The simulation's draws, beside `next` (see `examples/support`).
impl Rng {
    /// Stream `stream` of seed `seed`: different streams are independent.
    pub fn new(seed: u64, stream: u64) -> Rng {
        let mut rng = Rng(seed ^ stream.wrapping_mul(0xd1b5_4a32_d192_ed03));
        rng.next();
        rng
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Exponentially distributed with this mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -(1.0 - self.unit()).ln() * mean
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u = 1.0 - self.unit();
        let v = self.unit();
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }

    /// A handle time in milliseconds.
    fn handle_ms(&mut self, handle: HandleTime) -> u64 {
        let secs = match handle {
            HandleTime::Exponential { mean_secs } => self.exponential(mean_secs),
            HandleTime::LogNormal { mean_secs, cv } => {
                let sigma2 = (1.0 + cv * cv).ln();
                let mu = mean_secs.ln() - sigma2 / 2.0;
                (mu + sigma2.sqrt() * self.normal()).exp()
            }
        };
        (secs * 1000.0).round() as u64
    }
}

/// KPIs of one channel (or all), counted over conversations that arrived
/// after the warm-up, and slot-time between the warm-up and closing.
#[derive(Clone, Copy, PartialEq, Debug, Default)]
pub struct Kpi {
    /// Customers who arrived.
    pub offered: u64,
    /// Customers given to an agent.
    pub answered: u64,
    /// Customers given to an agent the moment they arrived.
    pub answered_at_once: u64,
    /// Customers answered within the service level threshold.
    pub answered_in_time: u64,
    /// Total wait of the answered, in milliseconds.
    pub wait_sum_ms: u64,
    /// Longest wait of the answered, in milliseconds.
    pub max_wait_ms: u64,
    /// Customers who gave up while waiting.
    pub abandoned: u64,
    /// Busy slot-time, in milliseconds.
    pub busy_slot_ms: f64,
    /// Staffed slot-time (slots of available agents, and slots still busy
    /// of agents who are not), in milliseconds.
    pub staffed_slot_ms: f64,
}

/// The KPIs a planner reads.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Summary {
    /// Customers who arrived after the warm-up.
    pub offered: u64,
    /// Of them, answered by an agent.
    pub answered: u64,
    /// Of them, gave up while waiting.
    pub abandoned: u64,
    /// Share of the offered who were not answered at once (waited at all).
    pub p_wait: f64,
    /// Mean wait of the answered, in seconds.
    pub asa_secs: f64,
    /// Share of the answered who waited at most the threshold.
    pub service_level: f64,
    /// Busy slot-time over staffed slot-time.
    pub occupancy: f64,
    /// Longest wait of the answered, in seconds.
    pub max_wait_secs: f64,
}

impl Kpi {
    /// Adds another channel's counts.
    pub fn add(&mut self, other: &Kpi) {
        self.offered += other.offered;
        self.answered += other.answered;
        self.answered_at_once += other.answered_at_once;
        self.answered_in_time += other.answered_in_time;
        self.wait_sum_ms += other.wait_sum_ms;
        self.max_wait_ms = self.max_wait_ms.max(other.max_wait_ms);
        self.abandoned += other.abandoned;
        self.busy_slot_ms += other.busy_slot_ms;
        self.staffed_slot_ms += other.staffed_slot_ms;
    }

    /// The ratios, each 0 when there is nothing to divide by.
    pub fn summary(&self) -> Summary {
        let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
        let answered = self.answered as f64;
        Summary {
            offered: self.offered,
            answered: self.answered,
            abandoned: self.abandoned,
            p_wait: ratio(
                (self.offered - self.answered_at_once) as f64,
                self.offered as f64,
            ),
            asa_secs: ratio(self.wait_sum_ms as f64 / 1000.0, answered),
            service_level: ratio(self.answered_in_time as f64, answered),
            occupancy: ratio(self.busy_slot_ms, self.staffed_slot_ms),
            max_wait_secs: self.max_wait_ms as f64 / 1000.0,
        }
    }
}

/// One channel over time, averaged over buckets of equal length from
/// opening to closing.
#[derive(Clone, PartialEq, Debug, Default)]
pub struct Series {
    /// Customers waiting.
    pub queue: Vec<f64>,
    /// Agents holding at least one conversation on the channel.
    pub busy_agents: Vec<f64>,
    /// Available agents who serve the channel.
    pub staffed_agents: Vec<f64>,
}

/// What a run gives.
#[derive(Clone, PartialEq, Debug)]
pub struct Outcome {
    /// KPIs per channel, in scenario order.
    pub kpis: Vec<Kpi>,
    /// Time series per channel.
    pub series: Vec<Series>,
    /// The length of one bucket of the series, in milliseconds.
    pub bucket_ms: u64,
    /// Customers still waiting when the simulation ended (no agent left).
    pub unanswered: u64,
    /// Events the router handled.
    pub router_events: u64,
    /// Transfers agents asked for.
    pub transfers: u64,
    /// Times a supervisor joined a conversation.
    pub joins: u64,
    /// The router's own live statistics per channel at the end, counted
    /// from the end of the warm-up: a cross-check of the KPIs.
    pub router_stats: Vec<ChannelStats>,
}

impl Outcome {
    /// KPIs over all channels.
    pub fn overall(&self) -> Kpi {
        let mut all = Kpi::default();
        for kpi in &self.kpis {
            all.add(kpi);
        }
        all
    }
}

/// The router refused an event: the simulation and the router disagree,
/// which is a bug in one of them.
#[derive(Debug)]
pub struct SimError(pub String);

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "simulation error: {}", self.0)
    }
}

impl std::error::Error for SimError {}

/// Runs a scenario to the end: arrivals stop at closing, and the run ends
/// when the last conversation does.
pub fn run(scenario: &Scenario) -> Result<Outcome, SimError> {
    let mut sim = Sim::new(scenario)?;
    sim.run()?;
    sim.finish()
}

/// Things that happen at a time.
#[derive(Clone, Debug)]
enum Happening {
    /// A possible arrival on a channel (thinned to the hour's rate).
    Arrival(usize),
    /// The agent holding the conversation finishes it, if it still holds
    /// it under this generation.
    Finish(ConversationId, u32),
    GiveUp(ConversationId),
    /// The agent holding the conversation under this generation hands it
    /// to the transfer team.
    Transfer(ConversationId, u32),
    /// A supervisor joins the conversation.
    Join(ConversationId),
    /// Supervisor `1` leaves the conversation, if still there.
    Leave(ConversationId, usize),
    ShiftStarts(usize),
    ShiftEnds(usize),
    BreakStarts(usize),
    BreakEnds(usize),
    /// The router's statistics start afresh.
    WarmUpEnds,
    Tick,
}

/// A happening in the event heap: earliest first, then first scheduled.
struct Timed {
    at: u64,
    seq: u64,
    what: Happening,
}

impl PartialEq for Timed {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Timed {}

impl PartialOrd for Timed {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Timed {
    /// Reversed, so that `BinaryHeap` pops the earliest.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

/// The simulation's own view of a conversation.
struct Conv {
    channel: usize,
    arrived: u64,
    /// Arrived after the warm-up: counts in the KPIs.
    counted: bool,
    handle_ms: u64,
    holder: Option<usize>,
    /// Bumped on every change of holder, so stale finishes are ignored.
    generation: u32,
    waiting: bool,
    answered: bool,
    /// Transferred once already.
    transferred: bool,
    /// The supervisor who joined, while there.
    joined: Option<usize>,
}

struct Agent {
    id: AgentId,
    capacity: Vec<u32>,
    load: Vec<u32>,
    available: bool,
    /// In the team conversations are transferred to.
    in_transfer_team: bool,
}

/// What is going on on one channel now.
#[derive(Clone, Copy, Default)]
struct Live {
    waiting: u32,
    busy_slots: u32,
    /// Busy slots of agents who are not available (finishing after a shift).
    busy_slots_unavailable: u32,
    /// Slots of available agents.
    open_slots: u32,
    busy_agents: u32,
    staffed_agents: u32,
}

struct Sim<'s> {
    scenario: &'s Scenario,
    router: Router,
    heap: BinaryHeap<Timed>,
    seq: u64,
    now: u64,
    warm_up_ms: u64,
    close_ms: u64,
    sl_ms: u64,
    /// One random stream per channel for its customers.
    customers: Vec<Rng>,
    /// Peak arrival rate per channel, for thinning.
    peak_per_hour: Vec<f64>,
    convs: HashMap<ConversationId, Conv>,
    next_conv: u64,
    agents: Vec<Agent>,
    agent_ix: HashMap<AgentId, usize>,
    live: Vec<Live>,
    kpis: Vec<Kpi>,
    series: Vec<Series>,
    bucket_ms: u64,
    router_events: u64,
    tick_at: Option<u64>,
    /// The random stream of agents' and supervisors' choices.
    choices: Rng,
    supervisors: Vec<AgentId>,
    transfers: u64,
    joins: u64,
}

impl<'s> Sim<'s> {
    fn new(scenario: &'s Scenario) -> Result<Sim<'s>, SimError> {
        let names: Vec<&str> = scenario.channels.iter().map(|c| c.name.as_str()).collect();
        let mut config = Config::new(names)
            .skills(scenario.skill_names())
            .teams(scenario.team_names())
            .strategy(scenario.strategy);
        let sl_ms = (scenario.service_level_secs * 1000.0) as u64;
        config.service_level_threshold = Millis(sl_ms);
        let router = Router::new(config).map_err(|e| SimError(format!("configuration: {e}")))?;
        let n = scenario.channels.len();
        let close_ms = u64::from(scenario.hours) * HOUR_MS;
        let bucket_ms = close_ms.div_ceil(MAX_BUCKETS).div_ceil(MINUTE_MS) * MINUTE_MS;
        let buckets = close_ms.div_ceil(bucket_ms) as usize;
        let series = Series {
            queue: vec![0.0; buckets],
            busy_agents: vec![0.0; buckets],
            staffed_agents: vec![0.0; buckets],
        };
        let mut sim = Sim {
            scenario,
            router,
            heap: BinaryHeap::new(),
            seq: 0,
            now: 0,
            warm_up_ms: (scenario.warm_up_minutes * MINUTE_MS as f64) as u64,
            close_ms,
            sl_ms,
            customers: (0..n)
                .map(|ch| Rng::new(scenario.seed, 1 + ch as u64))
                .collect(),
            peak_per_hour: scenario
                .channels
                .iter()
                .map(|c| c.arrivals_per_hour.iter().copied().fold(0.0, f64::max))
                .collect(),
            convs: HashMap::new(),
            next_conv: 0,
            agents: Vec::new(),
            agent_ix: HashMap::new(),
            live: vec![Live::default(); n],
            kpis: vec![Kpi::default(); n],
            series: vec![series; n],
            bucket_ms,
            router_events: 0,
            tick_at: None,
            choices: Rng::new(scenario.seed, 1_000),
            supervisors: Vec::new(),
            transfers: 0,
            joins: 0,
        };
        sim.staff()?;
        // After shifts starting at the same time, before any arrival.
        sim.at(sim.warm_up_ms, Happening::WarmUpEnds);
        for ch in 0..n {
            sim.next_arrival(ch);
        }
        Ok(sim)
    }

    /// Adds every agent at time 0 and schedules shifts and breaks.
    fn staff(&mut self) -> Result<(), SimError> {
        let scenario = self.scenario;
        let mut breaks = Rng::new(scenario.seed, 0);
        for group in &scenario.agent_groups {
            let start = (group.shift_start_hour * HOUR_MS as f64) as u64;
            let end = (group.shift_end_hour * HOUR_MS as f64) as u64;
            let mut spec = AgentSpec::agent();
            let mut capacity = vec![0; scenario.channels.len()];
            for &(ch, cap) in &group.capacities {
                spec = spec.channel(scenario.channels[ch].name.as_str(), cap);
                capacity[ch] = cap;
            }
            for (skill, level) in &group.skills {
                spec = spec.skill(skill.as_str(), *level);
            }
            for team in &group.teams {
                spec = spec.team(team.as_str());
            }
            let in_transfer_team = scenario
                .transfers
                .as_ref()
                .is_some_and(|t| group.teams.contains(&t.team));
            for i in 0..group.count {
                let ix = self.agents.len();
                let id = AgentId::from(format!("{}-{:03}", group.name, i + 1));
                self.agents.push(Agent {
                    id: id.clone(),
                    load: vec![0; capacity.len()],
                    capacity: capacity.clone(),
                    available: false,
                    in_transfer_team,
                });
                self.agent_ix.insert(id.clone(), ix);
                self.tell(Event::AgentAdded {
                    agent: id,
                    spec: spec.clone(),
                    presence: Presence::Offline,
                })?;
                self.at(start, Happening::ShiftStarts(ix));
                // A shift that ends at closing works on until the line is empty.
                if end < self.close_ms {
                    self.at(end, Happening::ShiftEnds(ix));
                }
                if let Some(minutes) = group.break_minutes {
                    let length = (minutes * MINUTE_MS as f64) as u64;
                    let shift = end - start;
                    let slack = (shift / 2).saturating_sub(length) as f64;
                    let begins = start + shift / 4 + (breaks.unit() * slack) as u64;
                    self.at(begins, Happening::BreakStarts(ix));
                    self.at(begins + length, Happening::BreakEnds(ix));
                }
            }
        }
        for i in 0..scenario.supervisors.map_or(0, |s| s.count) {
            let id = AgentId::from(format!("supervisor-{:03}", i + 1));
            self.supervisors.push(id.clone());
            self.tell(Event::AgentAdded {
                agent: id,
                spec: AgentSpec::with_role(Role::SuperAdmin),
                presence: Presence::Available,
            })?;
        }
        Ok(())
    }

    fn at(&mut self, at: u64, what: Happening) {
        self.seq += 1;
        self.heap.push(Timed {
            at,
            seq: self.seq,
            what,
        });
    }

    /// Schedules the next possible arrival on a channel: a Poisson process
    /// at the peak rate, thinned to each hour's rate when it comes.
    fn next_arrival(&mut self, ch: usize) {
        let peak = self.peak_per_hour[ch];
        if peak > 0.0 {
            let gap = self.customers[ch].exponential(HOUR_MS as f64 / peak) as u64;
            self.at(self.now + gap.max(1), Happening::Arrival(ch));
        }
    }

    fn run(&mut self) -> Result<(), SimError> {
        while let Some(Timed { at, what, .. }) = self.heap.pop() {
            self.advance(at);
            self.happen(what)?;
        }
        Ok(())
    }

    /// Feeds one event to the router and follows its decisions.
    fn tell(&mut self, event: Event) -> Result<(), SimError> {
        self.router_events += 1;
        let decisions = self
            .router
            .handle(Timestamp(self.now), event.clone())
            .map_err(|e| SimError(format!("the router refused {event:?}: {e}")))?;
        for decision in decisions {
            self.follow(decision)?;
        }
        if let Some(deadline) = self.router.next_deadline()
            && self.tick_at != Some(deadline.0)
        {
            self.tick_at = Some(deadline.0);
            self.at(deadline.0, Happening::Tick);
        }
        Ok(())
    }

    fn happen(&mut self, what: Happening) -> Result<(), SimError> {
        match what {
            Happening::Arrival(ch) => {
                if self.now < self.close_ms {
                    let hour = (self.now / HOUR_MS) as usize;
                    let rates = &self.scenario.channels[ch].arrivals_per_hour;
                    let rate = rates[hour % rates.len()];
                    if self.customers[ch].unit() * self.peak_per_hour[ch] < rate {
                        self.arrive(ch)?;
                    }
                    self.next_arrival(ch);
                }
            }
            Happening::Finish(id, generation) => {
                let holder = match self.convs.get(&id) {
                    Some(c) if c.generation == generation => c.holder,
                    _ => None,
                };
                if let Some(agent) = holder {
                    self.tell(Event::ConversationResolved {
                        conversation: id,
                        by: self.agents[agent].id.clone(),
                        dispositions: vec![],
                    })?;
                }
            }
            Happening::GiveUp(id) => {
                let waiting = self
                    .convs
                    .get(&id)
                    .is_some_and(|c| c.waiting && !c.answered);
                if waiting {
                    self.tell(Event::ConversationAbandoned { conversation: id })?;
                }
            }
            Happening::ShiftStarts(agent) | Happening::BreakEnds(agent) => {
                self.presence(agent, Presence::Available)?;
            }
            Happening::ShiftEnds(agent) | Happening::BreakStarts(agent) => {
                // Away, not offline: the agent finishes what it holds.
                self.presence(agent, Presence::Away)?;
            }
            Happening::Transfer(id, generation) => {
                let holder = match self.convs.get_mut(&id) {
                    Some(c) if c.generation == generation => {
                        c.transferred = true;
                        c.holder
                    }
                    _ => None,
                };
                let team = self.scenario.transfers.as_ref().map(|t| t.team.clone());
                if let (Some(agent), Some(team)) = (holder, team) {
                    self.transfers += 1;
                    self.tell(Event::TransferRequested {
                        conversation: id,
                        by: self.agents[agent].id.clone(),
                        to: TransferTarget::Team(team),
                    })?;
                }
            }
            Happening::Join(id) => {
                let supervisor = self.joins as usize % self.supervisors.len().max(1);
                let stay = self.scenario.supervisors.map_or(0.0, |s| s.stay_secs);
                if let Some(c) = self.convs.get_mut(&id)
                    && c.joined.is_none()
                {
                    c.joined = Some(supervisor);
                    self.joins += 1;
                    let leave_at = self.now + (stay * 1000.0) as u64;
                    self.at(leave_at, Happening::Leave(id.clone(), supervisor));
                    self.tell(Event::AdminJoined {
                        conversation: id,
                        admin: self.supervisors[supervisor].clone(),
                    })?;
                }
            }
            Happening::Leave(id, supervisor) => {
                if let Some(c) = self.convs.get_mut(&id)
                    && c.joined == Some(supervisor)
                {
                    c.joined = None;
                    self.tell(Event::AdminLeft {
                        conversation: id,
                        admin: self.supervisors[supervisor].clone(),
                    })?;
                }
            }
            Happening::WarmUpEnds => self.tell(Event::StatisticsReset)?,
            Happening::Tick => {
                self.tick_at = None;
                self.tell(Event::Tick)?;
            }
        }
        Ok(())
    }

    fn arrive(&mut self, ch: usize) -> Result<(), SimError> {
        let scenario = self.scenario;
        let channel = &scenario.channels[ch];
        let rng = &mut self.customers[ch];
        self.next_conv += 1;
        let id = ConversationId::from(self.next_conv);
        let mut spec = ConversationSpec::new(channel.name.as_str(), self.next_conv);
        let mut roll = rng.unit();
        for need in &scenario.skill_mix {
            if roll < need.share {
                spec = spec.skill(need.skill.as_str(), need.level);
                break;
            }
            roll -= need.share;
        }
        let mut roll = rng.unit();
        for mix in &scenario.priority_mix {
            if roll < mix.share {
                spec = spec.priority(mix.priority);
                break;
            }
            roll -= mix.share;
        }
        let handle_ms = rng.handle_ms(channel.handle_time);
        let patience_ms = channel
            .patience_secs
            .map(|mean| (rng.exponential(mean) * 1000.0) as u64);
        let counted = self.now >= self.warm_up_ms;
        self.kpis[ch].offered += u64::from(counted);
        self.convs.insert(
            id.clone(),
            Conv {
                channel: ch,
                arrived: self.now,
                counted,
                handle_ms,
                holder: None,
                generation: 0,
                waiting: false,
                answered: false,
                transferred: false,
                joined: None,
            },
        );
        if let Some(patience) = patience_ms {
            self.at(self.now + patience, Happening::GiveUp(id.clone()));
        }
        self.tell(Event::ConversationArrived {
            conversation: id,
            spec,
        })
    }

    fn follow(&mut self, decision: Decision) -> Result<(), SimError> {
        match decision {
            Decision::Assigned {
                conversation,
                agent,
                ..
            } => {
                let agent = self.agent(&agent)?;
                let now = self.now;
                let c = conv_mut(&mut self.convs, &conversation)?;
                c.generation += 1;
                c.holder = Some(agent);
                let (ch, generation, handle_ms) = (c.channel, c.generation, c.handle_ms);
                // Not waiting at its first answer: answered in the event it arrived.
                let was_waiting = std::mem::take(&mut c.waiting);
                let first_answer = !std::mem::replace(&mut c.answered, true);
                let wait = now - c.arrived;
                if first_answer && c.counted {
                    let kpi = &mut self.kpis[ch];
                    kpi.answered += 1;
                    kpi.answered_at_once += u64::from(!was_waiting);
                    kpi.answered_in_time += u64::from(wait <= self.sl_ms);
                    kpi.wait_sum_ms += wait;
                    kpi.max_wait_ms = kpi.max_wait_ms.max(wait);
                }
                if was_waiting {
                    self.live[ch].waiting -= 1;
                }
                self.take_slot(agent, ch);
                if first_answer {
                    self.choose(&conversation, ch, generation, handle_ms);
                }
                self.at(now + handle_ms, Happening::Finish(conversation, generation));
            }
            Decision::Queued { conversation, .. } => {
                let c = conv_mut(&mut self.convs, &conversation)?;
                if !std::mem::replace(&mut c.waiting, true) {
                    self.live[c.channel].waiting += 1;
                }
            }
            Decision::Requeued { conversation, .. }
            | Decision::Transferred { conversation, .. } => {
                self.release(&conversation)?;
            }
            Decision::Resolved { conversation, .. } | Decision::Abandoned { conversation, .. } => {
                self.release(&conversation)?;
                if let Some(c) = self.convs.remove(&conversation)
                    && c.waiting
                {
                    self.live[c.channel].waiting -= 1;
                    let kpi = &mut self.kpis[c.channel];
                    kpi.abandoned += u64::from(c.counted);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// What the agent and the supervisors choose to do with a conversation
    /// just answered: transfer it halfway through, join it.
    fn choose(
        &mut self,
        conversation: &ConversationId,
        ch: usize,
        generation: u32,
        handle_ms: u64,
    ) {
        if let Some(transfers) = &self.scenario.transfers {
            // Only while someone of the team is on and serves the channel.
            let team_on = self
                .agents
                .iter()
                .any(|a| a.in_transfer_team && a.available && a.capacity[ch] > 0);
            if self.choices.unit() < transfers.share && team_on {
                let at = self.now + handle_ms / 2;
                self.at(at, Happening::Transfer(conversation.clone(), generation));
            }
        }
        if let Some(supervisors) = self.scenario.supervisors
            && self.choices.unit() < supervisors.join_share
        {
            self.at(self.now, Happening::Join(conversation.clone()));
        }
    }

    fn agent(&self, id: &AgentId) -> Result<usize, SimError> {
        self.agent_ix
            .get(id)
            .copied()
            .ok_or_else(|| SimError(format!("the router named an unknown agent {id}")))
    }

    /// The conversation no longer holds a slot.
    fn release(&mut self, conversation: &ConversationId) -> Result<(), SimError> {
        let c = conv_mut(&mut self.convs, conversation)?;
        c.generation += 1;
        if let Some(agent) = c.holder.take() {
            let ch = c.channel;
            self.free_slot(agent, ch);
        }
        Ok(())
    }

    fn take_slot(&mut self, agent: usize, ch: usize) {
        let a = &mut self.agents[agent];
        a.load[ch] += 1;
        let live = &mut self.live[ch];
        live.busy_slots += 1;
        live.busy_slots_unavailable += u32::from(!a.available);
        live.busy_agents += u32::from(a.load[ch] == 1);
    }

    fn free_slot(&mut self, agent: usize, ch: usize) {
        let a = &mut self.agents[agent];
        a.load[ch] -= 1;
        let live = &mut self.live[ch];
        live.busy_slots -= 1;
        live.busy_slots_unavailable -= u32::from(!a.available);
        live.busy_agents -= u32::from(a.load[ch] == 0);
    }

    fn presence(&mut self, agent: usize, presence: Presence) -> Result<(), SimError> {
        let available = presence == Presence::Available;
        let a = &mut self.agents[agent];
        if a.available != available {
            a.available = available;
            for (ch, live) in self.live.iter_mut().enumerate() {
                let (cap, load) = (a.capacity[ch], a.load[ch]);
                if cap == 0 {
                    continue;
                }
                if available {
                    live.open_slots += cap;
                    live.staffed_agents += 1;
                    live.busy_slots_unavailable -= load;
                } else {
                    live.open_slots -= cap;
                    live.staffed_agents -= 1;
                    live.busy_slots_unavailable += load;
                }
            }
        }
        let agent = self.agents[agent].id.clone();
        self.tell(Event::PresenceChanged { agent, presence })
    }

    /// Moves the clock to `to`, counting slot-time between the warm-up and
    /// closing, and the time series up to closing.
    fn advance(&mut self, to: u64) {
        let from = self.now;
        self.now = to;
        let (start, end) = (from.max(self.warm_up_ms), to.min(self.close_ms));
        if start < end {
            let span = (end - start) as f64;
            for (kpi, live) in self.kpis.iter_mut().zip(&self.live) {
                kpi.busy_slot_ms += f64::from(live.busy_slots) * span;
                kpi.staffed_slot_ms +=
                    f64::from(live.open_slots + live.busy_slots_unavailable) * span;
            }
        }
        let mut t = from;
        while t < to.min(self.close_ms) {
            let bucket = t / self.bucket_ms;
            let bucket_start = bucket * self.bucket_ms;
            let bucket_close = (bucket_start + self.bucket_ms).min(self.close_ms);
            let bucket_end = bucket_close.min(to);
            let weight = (bucket_end - t) as f64 / (bucket_close - bucket_start) as f64;
            for (series, live) in self.series.iter_mut().zip(&self.live) {
                let b = bucket as usize;
                series.queue[b] += f64::from(live.waiting) * weight;
                series.busy_agents[b] += f64::from(live.busy_agents) * weight;
                series.staffed_agents[b] += f64::from(live.staffed_agents) * weight;
            }
            t = bucket_end;
        }
    }

    fn finish(self) -> Result<Outcome, SimError> {
        let router_stats = self
            .scenario
            .channels
            .iter()
            .map(|c| self.router.channel_stats(&c.name))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| SimError(format!("statistics: {e}")))?;
        Ok(Outcome {
            unanswered: self.live.iter().map(|l| u64::from(l.waiting)).sum(),
            kpis: self.kpis,
            series: self.series,
            bucket_ms: self.bucket_ms,
            router_events: self.router_events,
            transfers: self.transfers,
            joins: self.joins,
            router_stats,
        })
    }
}

fn conv_mut<'c>(
    convs: &'c mut HashMap<ConversationId, Conv>,
    id: &ConversationId,
) -> Result<&'c mut Conv, SimError> {
    convs
        .get_mut(id)
        .ok_or_else(|| SimError(format!("the router named an unknown conversation {id}")))
}
