//! Replay: a host that logged its configuration and its `(now, event)`
//! pairs as JSON lines rebuilds the same router by replaying them.
//!
//! The events come from the simulated host of `common/sim.rs` (offers,
//! wrap-up, response deadlines, rules and escalation, transfers, admins,
//! faults and bad input), driven by numbers proptest picks and shrinks.
//! Refused events are logged too: replaying them must refuse them again.
//!
//! `PROPTEST_CASES` raises the number of cases (default 256).

#[path = "common/kinds.rs"]
mod kinds;
#[path = "common/sim.rs"]
mod sim;

use std::collections::BTreeSet;
use std::fmt::Write as _;

use omnirouter::{Config, Decision, Decisions, Error, Event, Router, Timestamp};
use proptest::prelude::*;
use sim::{Sim, SplitMix, Words};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// What a host logs: the configuration on the first line, then one
/// `[now, event]` pair per line.
struct Log {
    text: String,
}

impl Log {
    fn new(config: &Config) -> Self {
        let mut text = serde_json::to_string(config).expect("a config serialises");
        text.push('\n');
        Log { text }
    }

    fn push(&mut self, at: Timestamp, event: &Event) {
        let line = serde_json::to_string(&(at, event)).expect("an event serialises");
        writeln!(self.text, "{line}").expect("writing to a string");
    }
}

/// Runs a live router on the simulated host and logs every event.
fn live(bits: u32, staff: usize, words: Vec<u32>) -> (Router, Log, Vec<Result<Decisions, Error>>) {
    let config = sim::config(bits);
    let mut router = Router::new(config.clone()).expect("a valid configuration");
    let mut log = Log::new(&config);
    let mut host = Sim::new(staff);
    host.extremes = bits & 1 << 15 != 0;
    let mut src = Words::new(words);
    let mut results = Vec::new();
    while !src.is_empty() {
        let step = host.step(&mut src, &router);
        log.push(step.at, &step.event);
        let result = router.handle(step.at, step.event.clone());
        host.learn(&step.event, &result);
        results.push(result);
    }
    (router, log, results)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// The log alone rebuilds the router: the same decisions and errors in
    /// order, and the same state (by `==` and by its serialised form).
    #[test]
    fn replaying_the_logged_events_rebuilds_the_same_router(
        bits in 0..1_u32 << 16,
        staff in 1..12_usize,
        words in proptest::collection::vec(any::<u32>(), 0..8_000),
    ) {
        let (live, log, results) = live(bits, staff, words);

        let mut lines = log.text.lines();
        let config: Config = serde_json::from_str(lines.next().unwrap()).unwrap();
        let mut replayed = Router::new(config).unwrap();
        let mut count = 0;
        for (line, expected) in lines.zip(&results) {
            let (at, event): (Timestamp, Event) = serde_json::from_str(line).unwrap();
            let got = replayed.handle(at, event);
            prop_assert_eq!(&got, expected, "event {} differs: {}", count, line);
            count += 1;
        }
        prop_assert_eq!(count, results.len());
        prop_assert!(replayed == live);
        // The same serialised state, byte for byte. (Not through
        // `serde_json::Value`: it cannot hold the router's `u128` fields.)
        prop_assert_eq!(
            serde_json::to_string(&replayed).unwrap(),
            serde_json::to_string(&live).unwrap()
        );
        prop_assert_eq!(replayed.next_deadline(), live.next_deadline());
    }
}

/// The first word of a decision's or an error's debug form: its kind.
fn kind(debug: String) -> String {
    debug.split([' ', '{', '(']).next().unwrap_or("").to_owned()
}

/// The simulated host (and so the soak test, these properties and the fuzz
/// target) is only as good as what it reaches: every kind of event must be
/// accepted, and every kind of decision and most kinds of error come up.
#[test]
fn the_simulated_host_reaches_every_event_decision_and_error() {
    let mut events = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for (i, bits) in [0xffff_u32, 0x2a8f, 0x39a6, 0x7e43, 0]
        .into_iter()
        .enumerate()
    {
        let config = sim::config(bits);
        let mut router = Router::new(config).unwrap();
        let mut host = Sim::new(12);
        let mut src = SplitMix(i as u64);
        for _ in 0..20_000 {
            let step = host.step(&mut src, &router);
            let name = kind(format!("{:?}", step.event));
            let result = router.handle(step.at, step.event.clone());
            match &result {
                Ok(decisions) => {
                    events.insert(name);
                    seen.extend(decisions.iter().map(|d: &Decision| kind(format!("{d:?}"))));
                }
                Err(e) => {
                    seen.insert(kind(format!("{e:?}")));
                }
            }
            host.learn(&step.event, &result);
        }
    }
    for event in [
        "AgentAdded",
        "AgentUpdated",
        "AgentRemoved",
        "PresenceChanged",
        "ConversationArrived",
        "ConversationResolved",
        "TransferRequested",
        "AdminJoined",
        "AdminLeft",
        "CustomerMessage",
        "AgentReplied",
        "OfferAccepted",
        "OfferDeclined",
        "RulesReplaced",
        "StatisticsReset",
        "ConversationAbandoned",
        "Tick",
    ] {
        assert!(events.contains(event), "{event} never accepted: {events:?}");
    }
    for kind in kinds::REACHABLE {
        assert!(seen.contains(kind), "never saw {kind}: {seen:?}");
    }
}
