//! Transfers, joins and the preferred agent, with hand-checked decisions.

mod common;

use common::*;
use omnirouter::*;

fn transferred(id: u64, from: Option<&str>, by: &str) -> Decision {
    Decision::Transferred {
        conversation: id.into(),
        from: from.map(Into::into),
        by: by.into(),
    }
}

fn queued(id: u64, ahead: usize) -> Decision {
    Decision::Queued {
        conversation: id.into(),
        ahead,
    }
}

/// ann and bob each serve one sms conversation; 1 is with ann, 2 with bob, 3 waits.
fn two_busy_agents() -> Scenario {
    let mut s = Scenario::standard();
    s.add("ann", AgentSpec::agent().channel("sms", 1));
    s.add("bob", AgentSpec::agent().channel("sms", 1).team("tier2"));
    s.add("boss", AgentSpec::with_role(Role::SuperAdmin));
    s.arrive(1, sms());
    s.arrive(2, sms());
    s.arrive(3, sms());
    s
}

#[test]
fn transfer_to_a_free_agent_takes_effect_at_once_and_frees_the_slot() {
    let mut s = Scenario::standard();
    s.add("ann", AgentSpec::agent().channel("sms", 1));
    s.add("bob", AgentSpec::agent().channel("sms", 2));
    s.arrive(1, sms()); // ann (least loaded, added first)
    s.arrive(2, sms()); // bob
    s.arrive(3, sms()); // bob
    s.arrive(4, sms()); // waits
    assert_eq!(s.holder(1).as_deref(), Some("ann"));
    s.resolve(2, "bob"); // bob pulls 4
    let d = s.transfer(1, "ann", to_agent("bob"));
    // bob is full (3 and 4): 1 waits for bob only; ann's slot is free but nothing waits.
    assert!(
        matches!(d.as_slice(), [t, Decision::Awaiting { agent, ahead: 0, .. }]
        if *t == transferred(1, Some("ann"), "ann") && *agent == "bob".into())
    );
    assert_eq!(s.router.load(&"ann".into(), "sms"), Ok(0));
    // When bob frees a slot, the awaiting transfer goes before anything in line.
    s.arrive(5, sms()); // ann is free: takes it
    s.arrive(6, sms()); // waits
    let d = s.resolve(3, "bob");
    assert_eq!(d[1], assigned(1, "bob", 3));
    assert_eq!(
        s.router.conversation(&6_u64.into()).unwrap().state,
        ConversationState::Queued { ahead: 0 }
    );
}

#[test]
fn an_unanswered_transfer_falls_back_to_its_original_place_in_line() {
    let mut s = two_busy_agents();
    // boss sends waiting 3 to bob, who is full: it waits for bob only.
    let d = s.transfer(3, "boss", to_agent("bob"));
    let until = Timestamp(s.t) + Config::default().transfer_wait;
    assert_eq!(
        d[1],
        Decision::Awaiting {
            conversation: 3_u64.into(),
            agent: "bob".into(),
            ahead: 0,
            until
        }
    );
    assert_eq!(s.router.next_deadline(), Some(until));
    s.arrive(4, sms());
    // A tick before the deadline does nothing.
    assert!(
        s.router
            .handle(Timestamp(until.0 - 1), Event::Tick)
            .unwrap()
            .is_empty()
    );
    let d = s.router.handle(until, Event::Tick).unwrap().to_vec();
    // 3 arrived before 4, so it goes back ahead of it.
    assert_eq!(
        d,
        [
            Decision::AwaitEnded {
                conversation: 3_u64.into(),
                agent: "bob".into()
            },
            queued(3, 0)
        ]
    );
    assert_eq!(s.router.position(&4_u64.into()), Some(1));
    assert_eq!(s.router.next_deadline(), None);
}

#[test]
fn transfer_to_a_team_goes_to_a_free_member_other_than_the_sender() {
    let mut s = Scenario::standard();
    s.add("ann", AgentSpec::agent().channel("sms", 2).team("tier2"));
    s.add("bob", AgentSpec::agent().channel("sms", 2).team("tier2"));
    s.arrive(1, sms()); // ann
    let d = s.transfer(1, "ann", TransferTarget::Team("tier2".into()));
    // ann is now the least loaded, but the sender is skipped while others are free.
    assert_eq!(
        d,
        [transferred(1, Some("ann"), "ann"), assigned(1, "bob", 0)]
    );
}

#[test]
fn transfer_to_a_team_with_nobody_free_keeps_the_original_place() {
    let mut s = two_busy_agents();
    s.add("cy", AgentSpec::agent().channel("sms", 1).team("tier2"));
    // cy took 3 on arrival; nothing waits now. 4 and 5 wait in the plain sms line.
    assert_eq!(s.holder(3).as_deref(), Some("cy"));
    s.arrive(4, sms());
    s.arrive(5, sms().team("tier2"));
    // ann sends 1 (arrived first) to tier2: bob and cy are full; 1 waits
    // ahead of 5 in tier2's line, and ann takes 4 from the plain line.
    let d = s.transfer(1, "ann", TransferTarget::Team("tier2".into()));
    assert_eq!(
        d,
        [
            transferred(1, Some("ann"), "ann"),
            queued(1, 0),
            assigned(4, "ann", 2)
        ]
    );
    assert_eq!(s.router.position(&5_u64.into()), Some(1));
    // The next tier2 slot goes to 1, the earlier arrival.
    let d = s.resolve(2, "bob");
    assert_eq!(d[1], assigned(1, "bob", 1));
}

#[test]
fn transfer_to_skills_changes_the_requirement() {
    let mut s = Scenario::standard();
    s.add("ann", AgentSpec::agent().channel("sms", 1));
    s.add(
        "fr",
        AgentSpec::agent().channel("sms", 1).skill("french", 3),
    );
    s.arrive(1, sms()); // ann
    let d = s.transfer(
        1,
        "ann",
        TransferTarget::Skills(vec![SkillLevel::new("french", 2)]),
    );
    assert_eq!(
        d,
        [transferred(1, Some("ann"), "ann"), assigned(1, "fr", 0)]
    );
}

#[test]
fn a_sender_who_alone_is_eligible_gets_it_back_rather_than_idle() {
    let mut s = Scenario::standard();
    s.add("ann", AgentSpec::agent().channel("sms", 1).team("tier2"));
    s.arrive(1, sms());
    let d = s.transfer(1, "ann", TransferTarget::Team("tier2".into()));
    // No idle capacity while work waits: ann is the only tier2 agent.
    assert_eq!(
        d,
        [
            transferred(1, Some("ann"), "ann"),
            queued(1, 0),
            assigned(1, "ann", 0)
        ]
    );
}

#[test]
fn removing_the_target_ends_the_wait_at_once() {
    let mut s = two_busy_agents();
    s.transfer(3, "boss", to_agent("bob"));
    let d = s.ok(Event::AgentRemoved {
        agent: "bob".into(),
    });
    assert_eq!(
        d,
        [
            Decision::Requeued {
                conversation: 2_u64.into(),
                from: "bob".into()
            },
            queued(2, 0),
            Decision::AwaitEnded {
                conversation: 3_u64.into(),
                agent: "bob".into()
            },
            queued(3, 1),
        ]
    );
    assert_eq!(s.router.next_deadline(), None);
}

#[test]
fn an_awaiting_conversation_can_be_abandoned_or_resolved() {
    let mut s = two_busy_agents();
    s.transfer(3, "boss", to_agent("bob"));
    let d = s.ok(Event::ConversationAbandoned {
        conversation: 3_u64.into(),
    });
    assert_eq!(
        d,
        [Decision::Abandoned {
            conversation: 3_u64.into(),
            agent: None
        }]
    );
    assert_eq!(s.router.next_deadline(), None);
}

#[test]
fn super_admins_join_without_using_capacity_and_leave_on_removal() {
    let mut s = two_busy_agents();
    let d = s.ok(Event::AdminJoined {
        conversation: 1_u64.into(),
        admin: "boss".into(),
    });
    assert_eq!(
        d,
        [Decision::Joined {
            conversation: 1_u64.into(),
            admin: "boss".into()
        }]
    );
    let view = s.router.conversation(&1_u64.into()).unwrap();
    assert_eq!(view.participants, [AgentId::from("boss")]);
    assert_eq!(
        view.state,
        ConversationState::Assigned {
            agent: "ann".into()
        }
    );
    assert_eq!(s.router.inbox(&"boss".into()).unwrap().len(), 0);
    let d = s.ok(Event::AgentRemoved {
        agent: "boss".into(),
    });
    assert_eq!(
        d,
        [Decision::Left {
            conversation: 1_u64.into(),
            admin: "boss".into()
        }]
    );
    assert!(
        s.router
            .conversation(&1_u64.into())
            .unwrap()
            .participants
            .is_empty()
    );
}

#[test]
fn a_returning_customer_waits_briefly_for_their_previous_agent() {
    let mut config = Config::new(["sms"]);
    config.preferred_agent_wait = Some(Millis(500));
    let mut s = Scenario::new(config);
    s.add("ann", AgentSpec::agent().channel("sms", 1));
    s.add("bob", AgentSpec::agent().channel("sms", 1));
    s.arrive(1, ConversationSpec::new("sms", "alice")); // ann
    s.resolve(1, "ann");
    s.arrive(2, ConversationSpec::new("sms", "zed")); // ann (least loaded, first)
    // alice returns: ann is busy, bob is free, but alice waits for ann.
    let d = s.arrive(3, ConversationSpec::new("sms", "alice"));
    assert!(matches!(&d[..], [Decision::Awaiting { agent, .. }] if *agent == "ann".into()));
    let d = s.resolve(2, "ann");
    assert_eq!(d[1], assigned(3, "ann", 1));
    // Next time ann is busy past the wait: anyone eligible may take it.
    s.resolve(3, "ann");
    s.arrive(4, ConversationSpec::new("sms", "new1")); // ann
    s.arrive(5, ConversationSpec::new("sms", "new2")); // bob
    s.arrive(6, ConversationSpec::new("sms", "alice")); // awaits ann
    s.resolve(5, "bob"); // bob is free, yet 6 still waits for ann only
    assert!(matches!(
        s.router.conversation(&6_u64.into()).unwrap().state,
        ConversationState::Awaiting { .. }
    ));
    let deadline = s.router.next_deadline().unwrap();
    let d = s.router.handle(deadline, Event::Tick).unwrap().to_vec();
    assert_eq!(d[1], assigned(6, "bob", 500));
}

#[test]
fn a_returning_customer_goes_straight_to_a_free_previous_agent() {
    let mut config = Config::new(["sms"]);
    config.preferred_agent_wait = Some(Millis(500));
    let mut s = Scenario::new(config);
    s.add("ann", AgentSpec::agent().channel("sms", 1));
    s.add("bob", AgentSpec::agent().channel("sms", 1));
    s.arrive(1, ConversationSpec::new("sms", "alice")); // ann
    s.transfer(1, "ann", to_agent("bob"));
    s.resolve(1, "bob");
    // By strategy ann would be first; alice's last agent was bob.
    assert_eq!(
        s.arrive(2, ConversationSpec::new("sms", "alice")),
        [assigned(2, "bob", 0)]
    );
}
