//! Conversation timelines and customer history, within bounded retention.

mod common;

use common::*;
use omnirouter::*;

fn entry(at: u64, actor: Option<&str>, happening: Happening) -> TimelineEntry {
    TimelineEntry {
        at: Timestamp(at),
        actor: actor.map(Into::into),
        happening,
    }
}

#[test]
fn a_timeline_records_every_step_with_time_and_actor() {
    let mut s = Scenario::standard();
    s.add("ann", AgentSpec::agent().channel("sms", 1)); // t1
    s.add("bob", AgentSpec::agent().channel("sms", 1)); // t2
    s.add("boss", AgentSpec::with_role(Role::SuperAdmin)); // t3
    s.arrive(9, sms()); // t4: ann
    s.arrive(1, sms()); // t5: bob
    s.ok(Event::AdminJoined {
        conversation: 1_u64.into(),
        admin: "boss".into(),
    }); // t6
    s.transfer(1, "bob", to_agent("ann")); // t7: ann is full: awaits ann
    s.ok(Event::AdminLeft {
        conversation: 1_u64.into(),
        admin: "boss".into(),
    }); // t8
    s.resolve(9, "ann"); // t9: ann takes 1
    s.presence("ann", Presence::Offline); // t10: requeued, bob takes it
    s.ok(resolve(1, "bob", &["sale"])); // t11
    let view = s.router.conversation(&1_u64.into()).unwrap();
    let ann = || AgentId::from("ann");
    let bob = || AgentId::from("bob");
    assert_eq!(
        *view.timeline,
        [
            entry(5, None, Happening::Arrived),
            entry(5, None, Happening::Assigned { agent: bob() }),
            entry(
                6,
                Some("boss"),
                Happening::Joined {
                    admin: "boss".into()
                }
            ),
            entry(
                7,
                Some("bob"),
                Happening::TransferRequested {
                    target: to_agent("ann")
                }
            ),
            entry(7, None, Happening::Awaiting { agent: ann() }),
            entry(
                8,
                Some("boss"),
                Happening::Left {
                    admin: "boss".into()
                }
            ),
            entry(9, None, Happening::Assigned { agent: ann() }),
            entry(10, None, Happening::Requeued { from: ann() }),
            entry(10, None, Happening::Assigned { agent: bob() }),
            entry(
                11,
                Some("bob"),
                Happening::Resolved {
                    dispositions: vec!["sale".into()]
                }
            ),
        ]
    );
    assert_eq!(view.agents, [bob(), ann(), bob()]);
}

/// A conversation that only arrived and waits keeps no timeline of its
/// own; what it shows must be what happened all the same, before and after
/// it is served, and when it ends without being served.
#[test]
fn a_waiting_conversation_shows_its_arrival_and_place_in_line() {
    let mut s = Scenario::standard();
    s.add("ann", AgentSpec::agent().channel("sms", 1)); // t1
    s.arrive(1, sms()); // t2: ann
    s.arrive(2, sms()); // t3: waits
    s.arrive(3, sms()); // t4: waits
    let timeline =
        |s: &Scenario, id: u64| s.router.conversation(&id.into()).unwrap().timeline.to_vec();
    let ann = || AgentId::from("ann");
    let arrived_and_queued = |t| {
        [
            entry(t, None, Happening::Arrived),
            entry(t, None, Happening::Queued),
        ]
    };
    assert_eq!(timeline(&s, 2), arrived_and_queued(3));
    s.resolve(1, "ann"); // t5: ann takes 2
    let mut served = arrived_and_queued(3).to_vec();
    served.push(entry(5, None, Happening::Assigned { agent: ann() }));
    assert_eq!(timeline(&s, 2), served);
    assert_eq!(
        s.router.conversation(&2_u64.into()).unwrap().agents,
        [ann()]
    );
    s.ok(Event::ConversationAbandoned {
        conversation: 3_u64.into(),
    }); // t6
    let mut abandoned = arrived_and_queued(4).to_vec();
    abandoned.push(entry(6, None, Happening::Abandoned));
    assert_eq!(timeline(&s, 3), abandoned);
    assert_eq!(
        timeline(&s, 1),
        [
            entry(2, None, Happening::Arrived),
            entry(2, None, Happening::Assigned { agent: ann() }),
            entry(
                5,
                Some("ann"),
                Happening::Resolved {
                    dispositions: vec![]
                }
            ),
        ]
    );
}

#[test]
fn a_customer_history_lists_past_conversations_oldest_first() {
    let mut s = Scenario::standard();
    s.add(
        "ann",
        AgentSpec::agent().channel("sms", 1).channel("chat", 1),
    );
    s.arrive(1, ConversationSpec::new("sms", "alice")); // t2
    s.ok(resolve(1, "ann", &["billing"])); // t3
    s.arrive(2, ConversationSpec::new("chat", "alice")); // t4
    s.ok(Event::ConversationAbandoned {
        conversation: 2_u64.into(),
    }); // t5
    s.arrive(3, ConversationSpec::new("chat", "alice")); // t6: still open
    let past: Vec<_> = s.router.customer_history(&"alice".into()).collect();
    assert_eq!(past.len(), 2);
    assert_eq!(past[0].id, &ConversationId::from(1_u64));
    assert_eq!(past[0].channel, "sms");
    assert_eq!(past[0].agents, [AgentId::from("ann")]);
    assert_eq!(past[0].dispositions, ["billing"]);
    assert_eq!(
        (past[0].arrived_at, past[0].ended_at),
        (Timestamp(2), Timestamp(3))
    );
    assert_eq!(past[0].outcome, Outcome::Resolved);
    assert_eq!(past[1].channel, "chat");
    assert_eq!(past[1].outcome, Outcome::Abandoned);
    assert_eq!(s.router.customer_history(&"nobody".into()).count(), 0);
}

/// Resolves `n` conversations for `customer`, ids from `first`.
fn serve(s: &mut Scenario, customer: &str, first: u64, n: u64) {
    for id in first..first + n {
        s.arrive(id, ConversationSpec::new("sms", customer));
        s.resolve(id, "ann");
    }
}

fn ids(s: &Scenario, customer: &str) -> Vec<String> {
    s.router
        .customer_history(&customer.into())
        .map(|p| p.id.to_string())
        .collect()
}

#[test]
fn retention_keeps_the_last_n_per_customer() {
    let mut config = Config::new(["sms"]);
    config.history_per_customer = 2;
    let mut s = Scenario::new(config);
    s.add("ann", AgentSpec::agent().channel("sms", 1));
    serve(&mut s, "alice", 0, 4);
    serve(&mut s, "bert", 10, 1);
    assert_eq!(ids(&s, "alice"), ["2", "3"]);
    assert_eq!(ids(&s, "bert"), ["10"]);
    // A forgotten conversation is unknown, not ended.
    assert!(s.router.conversation(&0_u64.into()).is_none());
}

#[test]
fn retention_caps_the_total_oldest_first() {
    let mut config = Config::new(["sms"]);
    config.ended_retention = 3;
    let mut s = Scenario::new(config);
    s.add("ann", AgentSpec::agent().channel("sms", 1));
    serve(&mut s, "alice", 0, 2);
    serve(&mut s, "bert", 10, 2);
    assert_eq!(ids(&s, "alice"), ["1"]);
    assert_eq!(ids(&s, "bert"), ["10", "11"]);
    serve(&mut s, "bert", 12, 1);
    assert!(ids(&s, "alice").is_empty());
}

#[test]
fn retention_forgets_what_ended_before_the_horizon() {
    let mut config = Config::new(["sms"]);
    config.history_horizon = Some(Millis(100));
    let mut s = Scenario::new(config);
    s.add("ann", AgentSpec::agent().channel("sms", 1));
    serve(&mut s, "alice", 0, 2); // ended at t3 and t5
    s.router.handle(Timestamp(104), Event::Tick).unwrap();
    assert_eq!(ids(&s, "alice"), ["1"]);
    s.router.handle(Timestamp(106), Event::Tick).unwrap();
    assert!(ids(&s, "alice").is_empty());
}

#[test]
fn memory_stays_bounded_under_many_customers() {
    let mut config = Config::new(["sms"]);
    config.ended_retention = 50;
    let mut s = Scenario::new(config);
    s.add("ann", AgentSpec::agent().channel("sms", 1));
    for i in 0..1_000_u64 {
        serve(&mut s, &format!("c{i}"), i, 1);
    }
    let json = serde_json::to_string(&s.router).unwrap();
    let remembered = (0..1_000)
        .filter(|&i: &u64| s.router.conversation(&i.into()).is_some())
        .count();
    assert_eq!(remembered, 50);
    // Snapshot size reflects 50 remembered conversations, not 1,000.
    assert!(json.len() < 100_000, "snapshot is {} bytes", json.len());
}

#[test]
fn the_horizon_skips_entries_already_forgotten_per_customer() {
    let mut config = Config::new(["sms"]);
    config.history_horizon = Some(Millis(100));
    config.history_per_customer = 1;
    let mut s = Scenario::new(config);
    s.add("ann", AgentSpec::agent().channel("sms", 1));
    serve(&mut s, "alice", 0, 2); // 0 ended at t3, forgotten at t5 when 1 ended
    s.router.handle(Timestamp(50), Event::Tick).unwrap();
    // Only the stale entry of 0 was older than the horizon: 1 stays.
    assert_eq!(ids(&s, "alice"), ["1"]);
}

#[test]
fn memory_stays_bounded_when_a_customer_pushes_out_its_own_past() {
    let mut config = Config::new(["sms"]);
    config.history_per_customer = 1;
    let mut s = Scenario::new(config);
    s.add("ann", AgentSpec::agent().channel("sms", 1));
    let before = serde_json::to_string(&s.router).unwrap().len();
    serve(&mut s, "alice", 0, 5_000);
    assert_eq!(ids(&s, "alice"), ["4999"]);
    assert!(s.router.conversation(&4_998_u64.into()).is_none());
    // One remembered conversation, and at most a few dozen gaps where the
    // others were, whose timelines stay until the gaps are closed (about
    // 200 bytes each): not 5,000 of anything (they grew it by 919 kB).
    let grown = serde_json::to_string(&s.router).unwrap().len() - before;
    assert!(grown < 20_000, "the snapshot grew by {grown} bytes");
}
