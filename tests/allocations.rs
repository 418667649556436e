//! The hot path allocates nothing: in steady state, a conversation that
//! arrives and is assigned, and one that is resolved and leaves its agent
//! free for the next in line, cost no call to the allocator inside
//! `Router::handle` (the design brief's "no allocation per event on the
//! hot path").
//!
//! A counting global allocator counts the calls made on this test's
//! thread while it is inside `handle`; building the events, which holds
//! the host's strings, is the host's and is not counted.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::VecDeque;

use omnirouter::*;

/// The system allocator, counting the calls that allocate on a thread
/// while it counts.
struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static CALLS: Cell<u64> = const { Cell::new(0) };
}

fn count_call() {
    // `try_with`: a thread being torn down has no locals left.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = CALLS.try_with(|calls| calls.set(calls.get() + 1));
        }
    });
}

// SAFETY: every call is passed on unchanged to `System`; only a
// thread-local counter is added, which allocates nothing.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_call();
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_call();
        // SAFETY: the caller's contract is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Handles `event`, and counts the calls to allocate while it does.
fn handle_counting(router: &mut Router, now: u64, event: Event) -> (Decisions, u64) {
    let before = CALLS.with(Cell::get);
    COUNTING.with(|on| on.set(true));
    let decisions = router.handle(Timestamp(now), event);
    COUNTING.with(|on| on.set(false));
    let calls = CALLS.with(Cell::get) - before;
    (decisions.expect("a valid event"), calls)
}

/// The teams of the centre: agent `a` is in team `a % 2`.
const TEAMS: [&str; 2] = ["north", "south"];

/// Ended conversations the centre remembers: few, so that the warm-up
/// fills the history.
const RETENTION: usize = 1_000;

/// A centre of `agents` agents, each with room for two chats and in one
/// of two teams, that remembers [`RETENTION`] ended conversations, under
/// `strategy`.
fn centre(strategy: Strategy, agents: u64) -> Router {
    let mut config = Config::new(["chat"]).teams(TEAMS).strategy(strategy);
    config.ended_retention = RETENTION;
    let mut router = Router::new(config).expect("a valid configuration");
    for a in 0..agents {
        router
            .handle(
                Timestamp(0),
                Event::AgentAdded {
                    agent: a.into(),
                    spec: AgentSpec::agent()
                        .channel("chat", 2)
                        .team(TEAMS[a as usize % 2]),
                    presence: Presence::Available,
                },
            )
            .expect("a new agent");
    }
    router
}

/// A host feeding a centre a steady state, and counting the calls to
/// allocate in `handle`.
struct Host {
    router: Router,
    now: u64,
    /// The last conversation id used.
    last: u64,
    /// The conversations held, oldest first, with their agents.
    held: VecDeque<(ConversationId, AgentId)>,
    /// The conversations waiting, first in line first.
    waiting: VecDeque<ConversationId>,
    /// Calls to allocate on arrival, resolve and abandon.
    calls: Calls,
}

/// Calls to allocate in `handle`, by event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Calls {
    arrived: u64,
    resolved: u64,
    abandoned: u64,
    transferred: u64,
}

impl Host {
    /// Handles `event`, keeping what it assigned and queued; returns the
    /// calls to allocate in `handle`.
    fn send(&mut self, event: Event) -> u64 {
        self.now += 1;
        let (decisions, calls) = handle_counting(&mut self.router, self.now, event);
        for decision in &decisions {
            match decision {
                Decision::Assigned {
                    conversation,
                    agent,
                    ..
                } => {
                    self.waiting.retain(|c| c != conversation);
                    self.held.push_back((conversation.clone(), agent.clone()));
                }
                Decision::Queued { conversation, .. } => {
                    self.waiting.push_back(conversation.clone());
                }
                _ => {}
            }
        }
        calls
    }

    /// A new conversation, from one of a hundred customers, so that each
    /// one's history fills.
    fn arrive(&mut self) {
        self.last += 1;
        self.calls.arrived += self.send(Event::ConversationArrived {
            conversation: self.last.into(),
            spec: ConversationSpec::new("chat", self.last % 100),
        });
    }

    /// Resolves the oldest conversation held.
    fn resolve(&mut self) {
        let (conversation, by) = self.held.pop_front().expect("conversations held");
        self.calls.resolved += self.send(Event::ConversationResolved {
            conversation,
            by,
            dispositions: Vec::new(),
        });
    }

    /// Its holder sends the newest conversation held to a team, by the
    /// last conversation number's parity, where an agent is free to take
    /// it.
    fn transfer_newest(&mut self) {
        let (conversation, by) = self.held.pop_back().expect("conversations held");
        let team = TEAMS[self.last as usize % 2].to_owned();
        self.calls.transferred += self.send(Event::TransferRequested {
            conversation,
            by,
            to: TransferTarget::Team(team),
        });
    }

    /// The customer of the first conversation in line leaves.
    fn abandon(&mut self) {
        let conversation = self.waiting.pop_front().expect("conversations waiting");
        self.calls.abandoned += self.send(Event::ConversationAbandoned { conversation });
    }
}

/// Calls to allocate over 1,000 cycles of `cycle` in a centre of `agents`
/// under `strategy` that holds `held` conversations with `waiting` in
/// line, once a warm-up of 5,000 cycles has brought maps, lines and the
/// history ([`RETENTION`] ended conversations) to their size.
fn counted(
    (strategy, agents): (Strategy, u64),
    (held, waiting): (u64, u64),
    cycle: fn(&mut Host),
) -> Calls {
    let mut host = Host {
        router: centre(strategy, agents),
        now: 0,
        last: 0,
        held: VecDeque::new(),
        waiting: VecDeque::new(),
        calls: Calls::default(),
    };
    for _ in 0..held + waiting {
        host.arrive();
    }
    assert_eq!(host.held.len() as u64, held.min(2 * agents));
    assert_eq!(host.waiting.len() as u64, waiting);
    for _ in 0..5_000 {
        cycle(&mut host);
    }
    host.calls = Calls::default();
    for _ in 0..1_000 {
        cycle(&mut host);
    }
    host.calls
}

/// A conversation resolved, and another arriving.
fn resolve_and_arrive(host: &mut Host) {
    host.resolve();
    host.arrive();
}

/// A conversation resolved, another arriving, and the newest held
/// transferred to a team.
fn resolve_arrive_and_transfer(host: &mut Host) {
    host.resolve();
    host.arrive();
    host.transfer_newest();
}

/// A conversation arriving to wait, and the first in line abandoned.
fn arrive_and_abandon(host: &mut Host) {
    host.arrive();
    host.abandon();
}

#[test]
fn assigning_resolving_transferring_and_abandoning_allocate_nothing_in_steady_state() {
    let none = Calls::default();
    // Short free-agent lines (sorted vectors) and long ones (bitsets by
    // rank, or sorted runs under longest idle).
    for agents in [50, 200] {
        for strategy in [
            Strategy::LeastLoaded,
            Strategy::LongestIdle,
            Strategy::RoundRobin,
        ] {
            if agents > 128 && strategy == Strategy::LongestIdle {
                // Its long lines are runs found in a B-tree, whose nodes
                // and runs come and go: see the README's "Allocations".
                continue;
            }
            let centre = (strategy, agents);
            let full = 2 * agents;
            // Agents with room: each arrival is assigned at once.
            for held in [full / 2, full * 3 / 4] {
                let with_room = counted(centre, (held, 0), resolve_and_arrive);
                assert_eq!(with_room, none, "{centre:?}, {held} held, agents with room");
            }
            // A transfer to a team with agents free.
            let transfers = counted(centre, (full / 2, 0), resolve_arrive_and_transfer);
            assert_eq!(transfers, none, "{centre:?}, transfers to a team");
            // Every agent full and a line waiting: each resolve takes the
            // next in line, and each arrival waits.
            let line = counted(centre, (full, 20), resolve_and_arrive);
            assert_eq!(line, none, "{centre:?}, a line waiting");
            // Every agent full: arrivals wait, and the first in line
            // leaves.
            let leaving = counted(centre, (full, 20), arrive_and_abandon);
            assert_eq!(leaving, none, "{centre:?}, customers leaving the line");
        }
    }
}
