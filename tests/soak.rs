//! A deterministic soak: a seeded simulated contact centre (35 to 45
//! agents, a few super admins and client users, four channels) runs random
//! events through the router, faults and bad input included, and the whole
//! contract (`common/invariants.rs`) is checked after every event.
//!
//! Four configurations share the events: between them every option is on
//! somewhere (offers, wrap-up, response deadlines, rules with escalation,
//! preferred agents, priority aging, each strategy and offline policy,
//! costs and total capacities, three kinds of history retention).
//!
//! `cargo test --release --test soak -- --nocapture` prints what ran:
//! events, refusals, invariant violations (the test fails unless 0), the
//! most conversations open at once, seconds, and the live heap after
//! warm-up and at the end. The default is 1,000,000 events;
//! `SOAK_EVENTS=10000000` asks for more, and from 4,000,000 on the test
//! also asserts the heap stays flat (the end within 25% + 4 MiB of the
//! warm value), which holds because retention bounds the history.
//! `SOAK_SEED` changes the seed.

#[path = "common/invariants.rs"]
mod invariants;
#[path = "common/sim.rs"]
mod sim;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use omnirouter::Router;

use invariants::Checker;
use sim::{Sim, SplitMix, config};

/// Counts live heap bytes, to show memory stays flat.
///
/// This is test-only code: the `unsafe` here is the `GlobalAlloc`
/// contract of this one test binary, forwarded to the system allocator.
/// The crate itself stays `#![forbid(unsafe_code)]`.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments
// unchanged and only adds bookkeeping on an atomic counter.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; `ptr` came from `alloc` with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `realloc`'s contract.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live_kib() -> usize {
    LIVE.load(Ordering::Relaxed) / 1024
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// A configuration from the feature bits of `sim::config`.
fn bits(list: &[u32]) -> u32 {
    list.iter().map(|b| 1 << b).sum()
}

struct Report {
    events: u64,
    refused: u64,
    violations: u64,
    max_open: usize,
    secs: f64,
    warm_kib: usize,
    end_kib: usize,
    messages: Vec<String>,
}

fn run(name: &str, feature_bits: u32, seed: u64, events: u64) -> Report {
    let config = config(feature_bits);
    let mut router = Router::new(config.clone()).expect("a valid configuration");
    let mut checker = Checker::new(&config);
    // The per-conversation sweep (states, positions, deadlines of every open
    // conversation) runs every 32 events; the rest of the contract after
    // every one.
    checker.sweep_every = 32;
    let mut sim = Sim::new(35);
    let mut rng = SplitMix(seed);
    let start = Instant::now();
    let warm_at = events / 5;
    let mut warm_kib = 0;
    let mut bursts = 0;
    for i in 0..events {
        if i == warm_at {
            warm_kib = live_kib();
        }
        if i > 0 && i % 250_000 == 0 && events >= 1_000_000 {
            let held: usize = router
                .agents()
                .map(|a| router.inbox(a).unwrap().len())
                .sum();
            println!(
                "soak config={name} at={i} agents={} open={} held={held} mem={}KiB secs={:.1}",
                router.agents().count(),
                router.open_conversations().count(),
                live_kib(),
                start.elapsed().as_secs_f64(),
            );
        }
        let was_burst = sim.in_burst();
        let step = sim.step(&mut rng, &router);
        bursts += u64::from(!was_burst && sim.in_burst());
        // Bad input, and every thousandth event, must prove a refusal
        // changed nothing.
        let before = (step.bad || i.is_multiple_of(1_000)).then(|| router.clone());
        let result = router.handle(step.at, step.event.clone());
        checker.check(step.at, &step.event, &result, before.as_ref(), &router);
        sim.learn(&step.event, &result);
    }
    let secs = start.elapsed().as_secs_f64();
    let end_kib = live_kib();
    println!(
        "soak config={name} events={events} refused={} decisions={} violations={} bursts={bursts} \
         max_open={} agents={} open={} secs={secs:.1} mem_warm={warm_kib}KiB mem_end={end_kib}KiB",
        checker.refused,
        checker.decisions,
        checker.violations,
        checker.max_open,
        router.agents().count(),
        router.open_conversations().count(),
    );
    Report {
        events,
        refused: checker.refused,
        violations: checker.violations,
        max_open: checker.max_open,
        secs,
        warm_kib,
        end_kib,
        messages: checker.messages,
    }
}

#[test]
fn a_million_events_keep_the_contract() {
    let total = env("SOAK_EVENTS", 1_000_000);
    let seed = env("SOAK_SEED", 0x5eed);
    let configs = [
        // offers, wrap-up, deadlines (requeue), preferred agent, rules,
        // small retention with a horizon, costs and totals
        ("a", bits(&[0, 1, 2, 3, 7, 11, 12, 14])),
        // offers on two channels, wrap-up, deadlines (notify), longest idle,
        // offline keeps, aging, missed offers, dispositions, rules, large retention
        ("b", bits(&[0, 13, 1, 2, 4, 6, 8, 9, 10, 11, 13])),
        // round robin, deadlines (requeue), preferred agent, aging, rules,
        // large retention with a horizon, costs and totals
        ("c", bits(&[2, 3, 5, 7, 8, 11, 12, 13, 14])),
        // plain routing, least loaded on the channel, no history kept
        ("d", bits(&[4, 5])),
    ];
    let per_config = total.div_ceil(configs.len() as u64);
    let start = Instant::now();
    let mut events = 0;
    let mut refused = 0;
    let mut violations = 0;
    let mut max_open = 0;
    let mut messages = Vec::new();
    let mut flat = true;
    for (i, (name, feature_bits)) in configs.iter().enumerate() {
        let report = run(name, *feature_bits, seed + i as u64, per_config);
        events += report.events;
        refused += report.refused;
        violations += report.violations;
        max_open = max_open.max(report.max_open);
        messages.extend(report.messages);
        if report.end_kib > report.warm_kib + report.warm_kib / 4 + 4 * 1024 {
            flat = false;
        }
        let _ = report.secs;
    }
    println!(
        "soak events={events} refused={refused} violations={violations} max_open={max_open} \
         secs={:.1}",
        start.elapsed().as_secs_f64()
    );
    assert!(
        violations == 0,
        "{violations} contract violations; the first:\n{}",
        messages.join("\n")
    );
    if total >= 4_000_000 {
        assert!(flat, "memory grew after warm-up (see the lines above)");
    }
}
