//! Snapshot and restore with timers in flight: a JSON snapshot taken while
//! offers stand, conversations await a person and agents wrap up restores
//! a router that makes the same decisions as the original from then on,
//! through every deadline.
//!
//! `tests/contract.rs` snapshots at a random point of its own event mix
//! (no offers, wrap-up, deadlines or rules); this adds the time-aware
//! features, snapshots at the first moment all three kinds of timer are in
//! flight (and at a random moment), and compares state by `==` after
//! every event and by the serialised JSON at the end.
//!
//! `PROPTEST_CASES` raises the number of cases (default 256).

#[path = "common/sim.rs"]
mod sim;

use omnirouter::{ConversationState, Router};
use proptest::prelude::*;
use sim::{Sim, Words};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// Offers standing, conversations awaiting a person, slots wrapping up.
fn in_flight(router: &Router) -> (usize, usize, u32) {
    let channels = &router.config().channels;
    let offers = channels
        .iter()
        .map(|c| router.channel_stats(&c.name).unwrap().offered)
        .sum();
    let awaits = router
        .open_conversations()
        .filter(|id| {
            matches!(
                router.conversation(id).unwrap().state,
                ConversationState::Awaiting { .. }
            )
        })
        .count();
    let wrapping = router
        .agents()
        .flat_map(|a| {
            channels
                .iter()
                .map(move |c| router.wrapping_up(a, &c.name).unwrap())
        })
        .sum();
    (offers, awaits, wrapping)
}

fn restore(router: &Router) -> Router {
    let json = serde_json::to_string(router).unwrap();
    let restored: Router = serde_json::from_str(&json).unwrap();
    // The same bytes again: nothing in the snapshot depends on hash order.
    assert_eq!(serde_json::to_string(&restored).unwrap(), json);
    // And through a `serde_json::Value`, as a host storing documents would.
    let value = serde_json::to_value(router).unwrap();
    assert_eq!(serde_json::from_value::<Router>(value).unwrap(), restored);
    restored
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn a_snapshot_with_timers_in_flight_makes_the_same_decisions(
        bits in 0..1_u32 << 16,
        staff in 1..12_usize,
        words in proptest::collection::vec(any::<u32>(), 0..8_000),
        cut in 0..400_usize,
    ) {
        // Offers, wrap-up and a preferred agent (so awaits) always on.
        let config = sim::config(bits | 1 | 1 << 1 | 1 << 7);
        let mut live = Router::new(config).unwrap();
        let mut host = Sim::new(staff);
        let mut src = Words::new(words);
        let mut restored: Vec<Router> = Vec::new();
        let mut all_in_flight = false;
        let mut i = 0;
        while !src.is_empty() {
            if i == cut {
                restored.push(restore(&live));
            }
            if !all_in_flight {
                let (offers, awaits, wrapping) = in_flight(&live);
                if offers > 0 && awaits > 0 && wrapping > 0 {
                    all_in_flight = true;
                    restored.push(restore(&live));
                }
            }
            let step = host.step(&mut src, &live);
            let expected = live.handle(step.at, step.event.clone());
            for copy in &mut restored {
                let got = copy.handle(step.at, step.event.clone());
                prop_assert_eq!(&got, &expected, "after the snapshot, {:?}", step.event);
                prop_assert!(*copy == live);
                prop_assert_eq!(copy.next_deadline(), live.next_deadline());
            }
            host.learn(&step.event, &expected);
            i += 1;
        }
        for copy in &restored {
            prop_assert_eq!(
                serde_json::to_string(copy).unwrap(),
                serde_json::to_string(&live).unwrap()
            );
        }
    }
}

/// The property above is only worth its name if snapshots with all three
/// kinds of timer in flight happen: a long seeded run must reach one.
#[test]
fn the_host_puts_offers_awaits_and_wrap_ups_in_flight_at_once() {
    let config = sim::config(1 | 1 << 1 | 1 << 7);
    let mut router = Router::new(config).unwrap();
    let mut host = Sim::new(6);
    let mut src = sim::SplitMix(7);
    let reached = (0..20_000).any(|_| {
        let step = host.step(&mut src, &router);
        let result = router.handle(step.at, step.event.clone());
        host.learn(&step.event, &result);
        let (offers, awaits, wrapping) = in_flight(&router);
        offers > 0 && awaits > 0 && wrapping > 0
    });
    assert!(reached);
}
