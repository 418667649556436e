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

/// Every number, string and truth value in a snapshot's state, by where
/// it is.
fn leaves(value: &serde_json::Value, at: &mut Vec<String>, out: &mut Vec<String>) {
    use serde_json::Value;
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                at.push(i.to_string());
                leaves(item, at, out);
                at.pop();
            }
        }
        Value::Object(fields) => {
            for (name, field) in fields {
                at.push(name.replace('~', "~0").replace('/', "~1"));
                leaves(field, at, out);
                at.pop();
            }
        }
        Value::Null => {}
        _ => out.push(format!("/{}", at.join("/"))),
    }
}

/// The same leaf, changed: a number one up (one down at the top of its
/// range), a string one letter longer, a truth value turned over.
fn changed(leaf: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match leaf {
        Value::Number(n) => match n.as_u64() {
            Some(u64::MAX) => Value::from(u64::MAX - 1),
            Some(n) => Value::from(n + 1),
            None => Value::from(n.as_i64().unwrap_or(0).wrapping_add(1)),
        },
        Value::String(s) => Value::from(format!("{s}x")),
        Value::Bool(b) => Value::from(!b),
        other => other.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// A snapshot with any one value of its state changed is refused on
    /// restore: by the seal where the changed state still reads as a
    /// router (the test below checks the message), else as no router.
    #[test]
    fn a_snapshot_changed_after_it_was_saved_is_refused(
        bits in 0..1_u32 << 16,
        staff in 1..12_usize,
        words in proptest::collection::vec(any::<u32>(), 0..3_000),
        pick in any::<prop::sample::Index>(),
    ) {
        let mut router = Router::new(sim::config(bits)).unwrap();
        let mut host = Sim::new(staff);
        let mut src = Words::new(words);
        while !src.is_empty() {
            let step = host.step(&mut src, &router);
            let result = router.handle(step.at, step.event.clone());
            host.learn(&step.event, &result);
        }
        let saved = serde_json::to_value(&router).unwrap();
        let mut found = Vec::new();
        leaves(&saved["state"], &mut vec!["state".to_string()], &mut found);
        let path = pick.get(&found);
        let mut edited = saved.clone();
        let leaf = edited.pointer_mut(path).unwrap();
        *leaf = changed(leaf);
        let restored = serde_json::from_value::<Router>(edited);
        prop_assert!(restored.is_err(), "restored with {} changed", path);
    }
}

/// A changed count of conversations held, which still reads as a router,
/// is refused by the seal, with a message that says so; so is a changed
/// seal. The snapshot as saved restores.
#[test]
fn the_seal_refuses_a_changed_state_and_a_changed_seal() {
    let mut router = Router::new(sim::config(0)).unwrap();
    let mut host = Sim::new(4);
    let mut src = sim::SplitMix(3);
    for _ in 0..500 {
        let step = host.step(&mut src, &router);
        let result = router.handle(step.at, step.event.clone());
        host.learn(&step.event, &result);
    }
    let saved = serde_json::to_value(&router).unwrap();
    assert_eq!(
        serde_json::from_value::<Router>(saved.clone()).unwrap(),
        router
    );

    let mut edited = saved.clone();
    let assigned = edited.pointer_mut("/state/channels/0/assigned").unwrap();
    *assigned = serde_json::Value::from(assigned.as_u64().unwrap() + 1);
    let error = serde_json::from_value::<Router>(edited).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("the snapshot was changed after it was saved"),
        "{error}"
    );

    let mut edited = saved;
    let seal = edited.pointer_mut("/seal").unwrap();
    *seal = serde_json::Value::from(seal.as_u64().unwrap() ^ 1);
    let error = serde_json::from_value::<Router>(edited).unwrap_err();
    assert!(
        error.to_string().contains("changed after it was saved"),
        "{error}"
    );
}
