//! Scenario tests of routing behaviour, each with hand-checked decisions.

use crate::*;

fn router(config: Config) -> Router {
    Router::new(config).unwrap()
}

fn add(r: &mut Router, t: u64, agent: &str, spec: AgentSpec) -> Vec<Decision> {
    r.handle(
        Timestamp(t),
        Event::AgentAdded {
            agent: agent.into(),
            spec,
            presence: Presence::Available,
        },
    )
    .unwrap()
    .to_vec()
}

fn arrive(r: &mut Router, t: u64, id: u64, spec: ConversationSpec) -> Vec<Decision> {
    r.handle(
        Timestamp(t),
        Event::ConversationArrived {
            conversation: id.into(),
            spec,
        },
    )
    .unwrap()
    .to_vec()
}

fn resolve(r: &mut Router, t: u64, id: u64, by: &str) -> Vec<Decision> {
    r.handle(
        Timestamp(t),
        Event::ConversationResolved {
            conversation: id.into(),
            by: by.into(),
            dispositions: vec![],
        },
    )
    .unwrap()
    .to_vec()
}

fn assigned(id: u64, agent: &str, waited: u64) -> Decision {
    Decision::Assigned {
        conversation: id.into(),
        agent: agent.into(),
        waited: Millis(waited),
    }
}

fn queued(id: u64, ahead: usize) -> Decision {
    Decision::Queued {
        conversation: id.into(),
        ahead,
    }
}

fn sms() -> ConversationSpec {
    ConversationSpec::new("sms", "c")
}

#[test]
fn waits_when_full_and_is_pulled_when_a_slot_frees() {
    let mut r = router(Config::new(["sms"]));
    add(&mut r, 0, "ann", AgentSpec::agent().channel("sms", 1));
    assert_eq!(arrive(&mut r, 1, 1, sms()), [assigned(1, "ann", 0)]);
    assert_eq!(arrive(&mut r, 2, 2, sms()), [queued(2, 0)]);
    assert_eq!(arrive(&mut r, 3, 3, sms()), [queued(3, 1)]);
    assert_eq!(r.queue_len("sms"), Ok(2));
    let d = resolve(&mut r, 10, 1, "ann");
    assert_eq!(
        d,
        [
            Decision::Resolved {
                conversation: 1_u64.into(),
                by: "ann".into(),
                holder: Some("ann".into()),
            },
            assigned(2, "ann", 8)
        ]
    );
    assert_eq!(r.position(&3_u64.into()), Some(0));
}

#[test]
fn priority_goes_before_arrival() {
    let mut r = router(Config::new(["sms"]));
    add(&mut r, 0, "ann", AgentSpec::agent().channel("sms", 1));
    arrive(&mut r, 1, 1, sms());
    arrive(&mut r, 2, 2, sms());
    assert_eq!(arrive(&mut r, 3, 3, sms().priority(5)), [queued(3, 0)]);
    assert_eq!(resolve(&mut r, 4, 1, "ann")[1], assigned(3, "ann", 1));
}

#[test]
fn skills_and_teams_decide_eligibility() {
    let mut r = router(Config::new(["sms"]).skills(["billing"]).teams(["vip"]));
    add(
        &mut r,
        0,
        "junior",
        AgentSpec::agent().channel("sms", 5).skill("billing", 1),
    );
    add(
        &mut r,
        0,
        "senior",
        AgentSpec::agent()
            .channel("sms", 5)
            .skill("billing", 4)
            .team("vip"),
    );
    assert_eq!(
        arrive(&mut r, 1, 1, sms().skill("billing", 3)),
        [assigned(1, "senior", 0)]
    );
    assert_eq!(
        arrive(&mut r, 1, 2, sms().team("vip")),
        [assigned(2, "senior", 0)]
    );
    // Least loaded: junior holds nothing.
    assert_eq!(arrive(&mut r, 1, 3, sms()), [assigned(3, "junior", 0)]);
}

#[test]
fn least_loaded_breaks_ties_by_total_load_then_join_order() {
    let mut r = router(Config::new(["sms", "chat"]));
    add(
        &mut r,
        0,
        "a",
        AgentSpec::agent().channel("sms", 2).channel("chat", 2),
    );
    add(
        &mut r,
        0,
        "b",
        AgentSpec::agent().channel("sms", 2).channel("chat", 2),
    );
    assert_eq!(
        arrive(&mut r, 1, 1, ConversationSpec::new("chat", "c")),
        [assigned(1, "a", 0)]
    );
    // Both have 0 on sms; b has fewer overall.
    assert_eq!(arrive(&mut r, 2, 2, sms()), [assigned(2, "b", 0)]);
    // Now a: sms 0, total 1; b: sms 1, total 1.
    assert_eq!(arrive(&mut r, 3, 3, sms()), [assigned(3, "a", 0)]);
}

#[test]
fn least_loaded_on_channel_breaks_ties_by_join_order_alone() {
    let mut r = router(Config::new(["sms", "chat"]).strategy(Strategy::LeastLoadedOnChannel));
    for name in ["a", "b"] {
        let spec = AgentSpec::agent().channel("sms", 2).channel("chat", 2);
        add(&mut r, 0, name, spec);
    }
    assert_eq!(
        arrive(&mut r, 1, 1, ConversationSpec::new("chat", "c")),
        [assigned(1, "a", 0)]
    );
    // Both have 0 on sms; a's conversation on chat does not count.
    assert_eq!(arrive(&mut r, 2, 2, sms()), [assigned(2, "a", 0)]);
    // Now a: sms 1; b: sms 0.
    assert_eq!(arrive(&mut r, 3, 3, sms()), [assigned(3, "b", 0)]);
    // A release on chat moves nobody on sms: a 1, b 1, a first.
    resolve(&mut r, 4, 1, "a");
    assert_eq!(arrive(&mut r, 5, 4, sms()), [assigned(4, "a", 0)]);
}

#[test]
fn longest_idle_and_round_robin_rotate() {
    for strategy in [Strategy::LongestIdle, Strategy::RoundRobin] {
        let mut r = router(Config::new(["sms"]).strategy(strategy));
        for name in ["a", "b", "c"] {
            add(&mut r, 0, name, AgentSpec::agent().channel("sms", 9));
        }
        let got: Vec<_> = (0..6)
            .map(|i| match &arrive(&mut r, 1 + i, i, sms())[0] {
                Decision::Assigned { agent, .. } => agent.to_string(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(got, ["a", "b", "c", "a", "b", "c"], "{strategy:?}");
    }
}

#[test]
fn total_capacity_with_channel_costs() {
    let config = Config::new(["chat", "voice"])
        .channel_cost("chat", 20)
        .channel_cost("voice", 100);
    let mut r = router(config);
    add(
        &mut r,
        0,
        "ann",
        AgentSpec::agent()
            .channel("chat", 5)
            .channel("voice", 1)
            .total_capacity(100),
    );
    assert_eq!(
        arrive(&mut r, 1, 1, ConversationSpec::new("chat", "c")),
        [assigned(1, "ann", 0)]
    );
    // One chat uses 20 of 100: a call (100) no longer fits.
    assert_eq!(
        arrive(&mut r, 2, 2, ConversationSpec::new("voice", "c")),
        [queued(2, 0)]
    );
    // Four more chats fit exactly.
    for id in 3..7 {
        assert_eq!(
            arrive(&mut r, 3, id, ConversationSpec::new("chat", "c")),
            [assigned(id, "ann", 0)]
        );
    }
    assert_eq!(
        arrive(&mut r, 4, 7, ConversationSpec::new("chat", "c")),
        [queued(7, 0)]
    );
    // Freeing one chat lets the next chat in, not the call (it still does not fit).
    let d = resolve(&mut r, 5, 1, "ann");
    assert_eq!(d[1], assigned(7, "ann", 1));
}

#[test]
fn raising_capacity_pulls_and_lowering_takes_nothing_away() {
    let mut r = router(Config::new(["sms"]));
    add(&mut r, 0, "ann", AgentSpec::agent().channel("sms", 1));
    arrive(&mut r, 1, 1, sms());
    arrive(&mut r, 1, 2, sms());
    arrive(&mut r, 1, 3, sms());
    let d = r
        .handle(
            Timestamp(5),
            Event::AgentUpdated {
                agent: "ann".into(),
                spec: AgentSpec::agent().channel("sms", 3),
            },
        )
        .unwrap();
    assert_eq!(d.to_vec(), [assigned(2, "ann", 4), assigned(3, "ann", 4)]);
    let d = r
        .handle(
            Timestamp(6),
            Event::AgentUpdated {
                agent: "ann".into(),
                spec: AgentSpec::agent().channel("sms", 1),
            },
        )
        .unwrap();
    assert!(d.is_empty());
    assert_eq!(r.load(&"ann".into(), "sms"), Ok(3));
    // Over capacity: nothing new until the load is under the new capacity.
    arrive(&mut r, 7, 4, sms());
    assert_eq!(resolve(&mut r, 8, 1, "ann").len(), 1);
    assert_eq!(resolve(&mut r, 8, 2, "ann").len(), 1);
    assert_eq!(resolve(&mut r, 8, 3, "ann")[1], assigned(4, "ann", 1));
}

#[test]
fn lowering_capacity_to_the_load_sends_the_next_arrival_elsewhere() {
    let mut r = router(Config::new(["sms"]));
    add(&mut r, 0, "ann", AgentSpec::agent().channel("sms", 3));
    add(&mut r, 0, "bob", AgentSpec::agent().channel("sms", 3));
    assert_eq!(arrive(&mut r, 1, 1, sms()), [assigned(1, "ann", 0)]);
    assert_eq!(arrive(&mut r, 1, 2, sms()), [assigned(2, "bob", 0)]);
    // Ann still serves the same classes; only her capacity changes, to
    // what she holds: she is full and the next two go to bob.
    let d = r
        .handle(
            Timestamp(2),
            Event::AgentUpdated {
                agent: "ann".into(),
                spec: AgentSpec::agent().channel("sms", 1),
            },
        )
        .unwrap();
    assert!(d.is_empty());
    assert_eq!(arrive(&mut r, 3, 3, sms()), [assigned(3, "bob", 0)]);
    assert_eq!(arrive(&mut r, 3, 4, sms()), [assigned(4, "bob", 0)]);
    assert_eq!(arrive(&mut r, 3, 5, sms()), [queued(5, 0)]);
    // Room again: she takes the one waiting at once.
    let d = r
        .handle(
            Timestamp(4),
            Event::AgentUpdated {
                agent: "ann".into(),
                spec: AgentSpec::agent().channel("sms", 2),
            },
        )
        .unwrap();
    assert_eq!(d.to_vec(), [assigned(5, "ann", 1)]);
}

#[test]
fn away_keeps_offline_requeues_at_the_original_place() {
    let mut r = router(Config::new(["sms"]));
    add(&mut r, 0, "ann", AgentSpec::agent().channel("sms", 1));
    add(&mut r, 0, "bob", AgentSpec::agent().channel("sms", 1));
    arrive(&mut r, 1, 1, sms()); // ann
    arrive(&mut r, 2, 2, sms()); // bob
    arrive(&mut r, 3, 3, sms()); // waits
    let away = |p| Event::PresenceChanged {
        agent: "ann".into(),
        presence: p,
    };
    assert!(
        r.handle(Timestamp(4), away(Presence::Away))
            .unwrap()
            .is_empty()
    );
    assert_eq!(r.load(&"ann".into(), "sms"), Ok(1));
    let d = r.handle(Timestamp(5), away(Presence::Offline)).unwrap();
    // 1 arrived before 3, so it goes back ahead of it.
    assert_eq!(
        d.to_vec(),
        [
            Decision::Requeued {
                conversation: 1_u64.into(),
                from: "ann".into()
            },
            queued(1, 0)
        ]
    );
    assert_eq!(r.position(&3_u64.into()), Some(1));
    assert_eq!(resolve(&mut r, 9, 2, "bob")[1], assigned(1, "bob", 4));
    // Coming back pulls the next in line.
    assert_eq!(
        r.handle(Timestamp(10), away(Presence::Available))
            .unwrap()
            .to_vec(),
        [assigned(3, "ann", 7)]
    );
}

#[test]
fn offline_keep_policy_keeps_conversations() {
    let mut r = router(Config::new(["sms"]).offline(OfflinePolicy::Keep));
    add(&mut r, 0, "ann", AgentSpec::agent().channel("sms", 1));
    arrive(&mut r, 1, 1, sms());
    let d = r
        .handle(
            Timestamp(2),
            Event::PresenceChanged {
                agent: "ann".into(),
                presence: Presence::Offline,
            },
        )
        .unwrap();
    assert!(d.is_empty());
    assert_eq!(r.inbox(&"ann".into()).unwrap().len(), 1);
}

#[test]
fn removing_an_agent_hands_its_work_to_a_free_one() {
    let mut r = router(Config::new(["sms"]));
    add(&mut r, 0, "ann", AgentSpec::agent().channel("sms", 2));
    arrive(&mut r, 1, 1, sms());
    arrive(&mut r, 2, 2, sms());
    add(&mut r, 3, "bob", AgentSpec::agent().channel("sms", 1));
    let d = r
        .handle(
            Timestamp(4),
            Event::AgentRemoved {
                agent: "ann".into(),
            },
        )
        .unwrap();
    let requeued = |id: u64| Decision::Requeued {
        conversation: id.into(),
        from: "ann".into(),
    };
    assert_eq!(
        d.to_vec(),
        [
            requeued(1),
            assigned(1, "bob", 0),
            requeued(2),
            queued(2, 0)
        ]
    );
    assert!(r.presence(&"ann".into()).is_err());
}

#[test]
fn non_agent_roles_are_never_routed() {
    let mut r = router(Config::new(["sms"]));
    add(
        &mut r,
        0,
        "boss",
        AgentSpec::with_role(Role::SuperAdmin).channel("sms", 5),
    );
    add(
        &mut r,
        0,
        "client",
        AgentSpec::with_role(Role::ClientUser).channel("sms", 5),
    );
    assert_eq!(arrive(&mut r, 1, 1, sms()), [queued(1, 0)]);
    let d = r
        .handle(
            Timestamp(2),
            Event::AgentUpdated {
                agent: "boss".into(),
                spec: AgentSpec::agent().channel("sms", 5),
            },
        )
        .unwrap();
    assert_eq!(d.to_vec(), [assigned(1, "boss", 1)]);
}

#[test]
fn abandoning_frees_the_slot_or_the_place_in_line() {
    let mut r = router(Config::new(["sms"]));
    add(&mut r, 0, "ann", AgentSpec::agent().channel("sms", 1));
    arrive(&mut r, 1, 1, sms());
    arrive(&mut r, 1, 2, sms());
    arrive(&mut r, 1, 3, sms());
    let abandon = |id: u64| Event::ConversationAbandoned {
        conversation: id.into(),
    };
    assert_eq!(
        r.handle(Timestamp(2), abandon(2)).unwrap().to_vec(),
        [Decision::Abandoned {
            conversation: 2_u64.into(),
            agent: None
        }]
    );
    assert_eq!(
        r.handle(Timestamp(3), abandon(1)).unwrap().to_vec(),
        [
            Decision::Abandoned {
                conversation: 1_u64.into(),
                agent: Some("ann".into())
            },
            assigned(3, "ann", 2)
        ]
    );
    assert_eq!(
        r.conversation(&2_u64.into()).unwrap().state,
        ConversationState::Abandoned
    );
}

#[test]
fn ended_conversations_are_forgotten_oldest_first() {
    let mut config = Config::new(["sms"]);
    config.ended_retention = 2;
    let mut r = router(config);
    add(&mut r, 0, "ann", AgentSpec::agent().channel("sms", 9));
    for id in 0..3 {
        arrive(&mut r, 1, id, sms());
        resolve(&mut r, 2, id, "ann");
    }
    assert!(r.conversation(&0_u64.into()).is_none());
    assert!(matches!(
        r.conversation(&2_u64.into()).unwrap().state,
        ConversationState::Resolved { .. }
    ));
    // A forgotten id may be used again.
    assert_eq!(arrive(&mut r, 3, 0, sms()), [assigned(0, "ann", 0)]);
}

#[test]
fn a_new_class_finds_agents_added_before_it() {
    let mut r = router(Config::new(["sms", "chat"]).skills(["a", "b"]));
    add(
        &mut r,
        0,
        "x",
        AgentSpec::agent().channel("sms", 1).skill("a", 2),
    );
    add(
        &mut r,
        0,
        "y",
        AgentSpec::agent()
            .channel("chat", 1)
            .skill("a", 2)
            .skill("b", 2),
    );
    assert_eq!(
        arrive(
            &mut r,
            1,
            1,
            ConversationSpec::new("chat", "c").skill("b", 2)
        ),
        [assigned(1, "y", 0)]
    );
    assert_eq!(arrive(&mut r, 1, 2, sms().skill("b", 1)), [queued(2, 0)]);
    assert_eq!(
        arrive(&mut r, 1, 3, sms().skill("a", 2)),
        [assigned(3, "x", 0)]
    );
}

#[test]
fn a_json_snapshot_restores_an_equal_router() {
    let mut r = router(Config::new(["sms"]).skills(["billing"]));
    add(
        &mut r,
        0,
        "ann",
        AgentSpec::agent().channel("sms", 1).skill("billing", 2),
    );
    arrive(&mut r, 1, 1, sms().skill("billing", 1));
    arrive(&mut r, 2, 2, sms());
    resolve(&mut r, 3, 1, "ann");
    let json = serde_json::to_string(&r).unwrap();
    let mut back: Router = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r);
    assert_eq!(arrive(&mut back, 4, 3, sms()), arrive(&mut r, 4, 3, sms()));
}

#[test]
fn priority_aging_lets_long_waits_overtake_higher_priorities() {
    let mut config = Config::new(["sms"]);
    config.priority_aging = Some(Millis(1_000));
    let mut r = router(config);
    add(&mut r, 0, "ann", AgentSpec::agent().channel("sms", 1));
    arrive(&mut r, 0, 1, sms()); // ann
    arrive(&mut r, 0, 2, sms()); // priority 0, waiting since 0
    // Priority 2 arriving 1.5 s later counts as arriving 0.5 s earlier: first.
    assert_eq!(arrive(&mut r, 1_500, 3, sms().priority(2)), [queued(3, 0)]);
    // Priority 2 arriving 2.5 s later counts as arriving at 0.5 s: after 2.
    assert_eq!(arrive(&mut r, 2_500, 4, sms().priority(2)), [queued(4, 2)]);
    let d = resolve(&mut r, 3_000, 1, "ann");
    assert_eq!(d[1], assigned(3, "ann", 1_500));
}

#[test]
fn a_zero_aging_interval_is_refused() {
    let mut config = Config::new(["sms"]);
    config.priority_aging = Some(Millis(0));
    assert_eq!(
        Router::new(config),
        Err(Error::ZeroInterval("priority_aging"))
    );
}

#[test]
fn a_one_skill_class_draws_from_every_level_at_or_above_its_own() {
    let mut r = router(Config::new(["sms"]).skills(["billing"]));
    for (name, level) in [("one", 1), ("three", 3), ("five", 5)] {
        add(
            &mut r,
            0,
            name,
            AgentSpec::agent().channel("sms", 2).skill("billing", level),
        );
    }
    let billing = |level| ConversationSpec::new("sms", "c").skill("billing", level);
    // "one" was added first but is below level 3.
    assert_eq!(arrive(&mut r, 1, 1, billing(3)), [assigned(1, "three", 0)]);
    // Least loaded across the lines of levels 3 and 5.
    assert_eq!(arrive(&mut r, 1, 2, billing(3)), [assigned(2, "five", 0)]);
    assert_eq!(arrive(&mut r, 1, 3, billing(1)), [assigned(3, "one", 0)]);
    // All at one: the earliest added of those at level 2 or above.
    assert_eq!(arrive(&mut r, 1, 4, billing(2)), [assigned(4, "three", 0)]);
    assert_eq!(arrive(&mut r, 1, 5, billing(5)), [assigned(5, "five", 0)]);
    assert_eq!(arrive(&mut r, 1, 6, billing(4)), [queued(6, 0)]);
}

#[test]
fn round_robin_takes_turns_across_the_lines_of_several_levels() {
    let config = Config::new(["sms"])
        .skills(["billing"])
        .strategy(Strategy::RoundRobin);
    let mut r = router(config);
    for (name, level) in [("x", 5), ("y", 3), ("z", 4)] {
        add(
            &mut r,
            0,
            name,
            AgentSpec::agent().channel("sms", 5).skill("billing", level),
        );
    }
    let billing = ConversationSpec::new("sms", "c").skill("billing", 3);
    let turns: Vec<Decision> = (1..=5)
        .flat_map(|id| arrive(&mut r, 1, id, billing.clone()))
        .collect();
    // In the order added, wrapping around, whatever line each is in.
    assert_eq!(
        turns,
        [
            assigned(1, "x", 0),
            assigned(2, "y", 0),
            assigned(3, "z", 0),
            assigned(4, "x", 0),
            assigned(5, "y", 0),
        ]
    );
}

/// Join numbers are renumbered when the next would not fit in a `u32`; a
/// router made to renumber, repeatedly, decides exactly as one that never
/// does, under every strategy.
#[test]
fn renumbering_joins_changes_no_decision() {
    for strategy in STRATEGIES {
        let config = sms_and_chat(strategy);
        let (mut plain, mut renumbered) = (router(config.clone()), router(config));
        let mut draw = draws(0x2545_f491_4f6c_dd1d);
        let (mut renumbers, mut assigned) = (0, 0);
        for step in 0..3_000_u64 {
            if step % 97 == 0 {
                renumbered.next_join_seq = std::num::NonZeroU32::new(u32::MAX - draw(3) as u32)
                    .unwrap_or(std::num::NonZeroU32::MAX);
            }
            let before = renumbered.next_join_seq;
            let agent = AgentId::from(draw(12));
            let conversation = ConversationId::from(draw(40));
            // Added, removed, presence, resolved, arriving (twice).
            let kind = [0, 1, 2, 4, 7, 8][draw(6) as usize];
            let spec = AgentSpec::agent()
                .channel("sms", draw(3) as u32)
                .channel("chat", 1 + draw(2) as u32)
                .skill("billing", 1 + draw(3) as u8);
            let event = random_event(&plain, kind, agent, conversation, spec, draw(6));
            let at = Timestamp(step * 1_000);
            let expected = plain.handle(at, event.clone()).map(|d| d.to_vec());
            let got = renumbered.handle(at, event).map(|d| d.to_vec());
            assert_eq!(got, expected, "{strategy:?}, step {step}");
            assigned += (expected.iter().flatten())
                .filter(|d| matches!(d, Decision::Assigned { .. }))
                .count();
            renumbers += usize::from(renumbered.next_join_seq < before);
            assert!(
                lines_agree_with_listings(&renumbered),
                "{strategy:?}, step {step}"
            );
        }
        assert!(
            renumbers >= 20,
            "{strategy:?}: only {renumbers} renumberings"
        );
        assert!(assigned >= 300, "{strategy:?}: only {assigned} assignments");
    }
}

/// In a centre large enough that its lines grow long (bitsets by rank, or
/// sorted runs under longest idle), random events keep every line sorted
/// and holding exactly its agents' listings, under every strategy: deep in
/// a long line too, where the contract's properties, which look at the
/// decisions, rarely reach.
#[test]
fn long_lines_hold_their_agents_listings_in_order() {
    use crate::sorted_set::SortedSet;

    for strategy in STRATEGIES {
        let mut r = router(sms_and_chat(strategy));
        let mut draw = draws(0x9e37_79b9_7f4a_7c15);
        let spec = |sms: u64, chat: u64, level: u64| {
            AgentSpec::agent()
                .channel("sms", sms as u32)
                .channel("chat", 1 + chat as u32)
                .skill("billing", 1 + level as u8)
        };
        for n in 0..400 {
            add(
                &mut r,
                n,
                &format!("a{n}"),
                spec(1 + draw(3), draw(2), draw(3)),
            );
        }
        let mut long = 0;
        for step in 0..4_000_u64 {
            let agent = AgentId::from(format!("a{}", draw(420)));
            let conversation = ConversationId::from(draw(600));
            let (kind, pick) = (draw(10), draw(6));
            let spec = spec(draw(4), draw(2), draw(3));
            let event = random_event(&r, kind, agent, conversation, spec, pick);
            let _ = r.handle(Timestamp(1_000 + step * 7), event);
            assert!(lines_agree_with_listings(&r), "{strategy:?}, step {step}");
            for &l in r.line_ids.values() {
                let free = &r.lines[l].free;
                let entries: Vec<_> = free.iter().collect();
                assert!(
                    entries.windows(2).all(|pair| pair[0] < pair[1]),
                    "{strategy:?}, step {step}: a line out of order"
                );
                long += usize::from(match strategy {
                    Strategy::LongestIdle => matches!(free, SortedSet::Long(_)),
                    _ => matches!(free, SortedSet::ByRank(_)),
                });
            }
        }
        // Every step looked at long lines of the form the strategy keeps.
        assert!(long >= 4_000, "{strategy:?}: {long} long lines seen");
    }
}

/// Every strategy, for the tests that run under each.
const STRATEGIES: [Strategy; 4] = [
    Strategy::LeastLoaded,
    Strategy::LeastLoadedOnChannel,
    Strategy::LongestIdle,
    Strategy::RoundRobin,
];

/// Channels sms and chat, skills billing and sales, under `strategy`.
fn sms_and_chat(strategy: Strategy) -> Config {
    let mut config = Config::new(["sms", "chat"]);
    config.skills = vec!["billing".into(), "sales".into()];
    config.strategy = strategy;
    config
}

/// Draws below a bound, by xorshift from `seed`: the same draws on every
/// run, for the tests that drive a router with many events.
fn draws(mut seed: u64) -> impl FnMut(u64) -> u64 {
    move |below| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % below
    }
}

/// An event of `kind` for `agent` and `conversation`: 0 adds the agent
/// (with `spec`), 1 removes it, 2 changes its presence, 3 updates it to
/// `spec`, 4 to 6 resolve the conversation (by its holder in `r`), and
/// the rest bring it in on sms, chat, or sms asking for billing at 2.
/// `pick` chooses the presence and the channel.
fn random_event(
    r: &Router,
    kind: u64,
    agent: AgentId,
    conversation: ConversationId,
    spec: AgentSpec,
    pick: u64,
) -> Event {
    match kind {
        0 => Event::AgentAdded {
            agent,
            spec,
            presence: Presence::Available,
        },
        1 => Event::AgentRemoved { agent },
        2 => Event::PresenceChanged {
            agent,
            presence: [Presence::Available, Presence::Busy][(pick % 2) as usize],
        },
        3 => Event::AgentUpdated { agent, spec },
        4..=6 => Event::ConversationResolved {
            by: (r.conversation(&conversation))
                .and_then(|c| c.agents.first().cloned())
                .unwrap_or(agent),
            conversation,
            dispositions: vec![],
        },
        _ => Event::ConversationArrived {
            conversation,
            spec: match pick % 3 {
                0 => ConversationSpec::new("sms", "c").skill("billing", 2),
                1 => ConversationSpec::new("chat", "c"),
                _ => ConversationSpec::new("sms", "c"),
            },
        },
    }
}

/// Whether the free-agent lines hold exactly each agent's listings: in
/// every line of a channel it is listed on, one entry, under the channel's
/// listed key, with the agent's own join number.
fn lines_agree_with_listings(r: &Router) -> bool {
    use std::collections::BTreeSet;

    use crate::line::Entry;

    let mut listed = BTreeSet::new();
    for &a in r.agent_ids.values() {
        let agent = &r.agents[a];
        for on in &agent.channels {
            let Some(key) = on.listed(agent.join_seq) else {
                continue;
            };
            for m in &on.lines {
                listed.insert((m.line, Entry::new(key, a)));
            }
        }
    }
    let held: BTreeSet<_> = (r.line_ids.values())
        .flat_map(|&l| r.lines[l].free.iter().map(move |e| (l, e)))
        .collect();
    held == listed
}

/// A transfer to a full person waits for them, and they take it when a
/// slot frees: with the count of conversations waiting for them kept
/// exactly, and with it stuck at its ceiling (where it only stops
/// saving a look).
#[test]
fn a_person_takes_what_waits_for_them_whatever_their_count_says() {
    for stuck in [false, true] {
        let mut r = router(Config::new(["sms"]));
        add(&mut r, 0, "ann", AgentSpec::agent().channel("sms", 1));
        add(&mut r, 0, "bob", AgentSpec::agent().channel("sms", 1));
        assert_eq!(arrive(&mut r, 1, 1, sms()), [assigned(1, "ann", 0)]);
        assert_eq!(arrive(&mut r, 2, 2, sms()), [assigned(2, "bob", 0)]);
        let bob = r.agent_ids[&AgentId::from("bob")];
        let d = r
            .handle(
                Timestamp(3),
                Event::TransferRequested {
                    conversation: 1_u64.into(),
                    by: "ann".into(),
                    to: TransferTarget::Agent("bob".into()),
                },
            )
            .unwrap();
        assert!(
            matches!(d[..], [.., Decision::Awaiting { ref agent, .. }] if *agent == "bob".into()),
            "{d:?}"
        );
        assert_eq!(r.agents[bob].awaited, 1);
        if stuck {
            r.agents[bob].awaited = u16::MAX;
        }
        let d = resolve(&mut r, 4, 2, "bob");
        assert!(d.contains(&assigned(1, "bob", 1)), "{d:?}");
        assert_eq!(r.agents[bob].awaited, if stuck { u16::MAX } else { 0 });
    }
}

/// An agent whose capacity on a channel is taken away keeps what it holds
/// there, and no trace of the channel once that is done: at once, or after
/// the channel's wrap-up.
#[test]
fn a_channel_taken_away_is_forgotten_once_its_work_is_done() {
    for wrap_up in [0, 10] {
        let config = Config::new(["sms", "chat"])
            .channel(ChannelConfig::new("sms").wrap_up(Millis(wrap_up)));
        let mut r = router(config);
        let spec = AgentSpec::agent().channel("sms", 1).channel("chat", 1);
        add(&mut r, 0, "ann", spec);
        assert_eq!(arrive(&mut r, 1, 1, sms()), [assigned(1, "ann", 0)]);
        let spec = AgentSpec::agent().channel("chat", 1);
        let agent = "ann".into();
        r.handle(Timestamp(2), Event::AgentUpdated { agent, spec })
            .unwrap();
        let ann = r.agent_ids[&AgentId::from("ann")];
        let channels = |r: &Router| {
            (r.agents[ann].channels.iter())
                .map(|c| {
                    let name = r.catalog.channel_name(c.channel).to_owned();
                    (name, c.capacity, c.load + c.wrapping)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(channels(&r), [("sms".into(), 0, 1), ("chat".into(), 1, 0)]);
        resolve(&mut r, 3, 1, "ann");
        if wrap_up > 0 {
            assert_eq!(channels(&r), [("sms".into(), 0, 1), ("chat".into(), 1, 0)]);
            r.handle(Timestamp(3 + wrap_up), Event::Tick).unwrap();
        }
        assert_eq!(channels(&r), [("chat".into(), 1, 0)]);
        assert_eq!(r.agents[ann].channels.capacity(), 1);
        assert_eq!(r.load(&"ann".into(), "sms"), Ok(0));
    }
}

/// An update that gives an agent fewer channels than it had gives back the
/// room of those it lost.
#[test]
fn an_update_to_fewer_channels_gives_back_their_room() {
    let config = Config::new(["sms", "chat", "email"]);
    let mut r = router(config);
    let spec = AgentSpec::agent().channel("sms", 1).channel("chat", 1);
    add(&mut r, 0, "ann", spec);
    let spec = AgentSpec::agent().channel("email", 2);
    let agent = "ann".into();
    r.handle(Timestamp(1), Event::AgentUpdated { agent, spec })
        .unwrap();
    let ann = r.agent_ids[&AgentId::from("ann")];
    assert_eq!(r.agents[ann].channels.len(), 1);
    assert_eq!(r.agents[ann].channels.capacity(), 1);
    assert_eq!(
        r.agents[ann].capacity_on(r.catalog.channel("email").unwrap()),
        2
    );
}

/// `event`, handled by `full`, is refused as [`Error::Full`] of `what`,
/// and leaves it as it was.
fn refused_as_full(full: &mut Router, event: Event, what: &'static str) {
    let before = full.clone();
    assert_eq!(full.handle(Timestamp(9), event), Err(Error::Full(what)));
    assert!(*full == before, "a refused event changed the router");
}

#[test]
fn a_full_router_refuses_what_would_need_another_index_and_changes_nothing() {
    let config = Config::new(["sms"]).skills(["billing"]).teams(["vip"]);
    let mut r = router(config);
    add(&mut r, 0, "ann", AgentSpec::agent().channel("sms", 1));
    arrive(&mut r, 1, 1, sms());
    let new_agent = |skill: bool| Event::AgentAdded {
        agent: "bob".into(),
        spec: match skill {
            true => AgentSpec::agent().channel("sms", 1).skill("billing", 2),
            false => AgentSpec::agent().channel("sms", 1),
        },
        presence: Presence::Available,
    };
    let new_class = Event::ConversationArrived {
        conversation: 2_u64.into(),
        spec: sms().skill("billing", 1),
    };
    let skilled_ann = Event::AgentUpdated {
        agent: "ann".into(),
        spec: AgentSpec::agent().channel("sms", 1).skill("billing", 2),
    };
    let transfer = Event::TransferRequested {
        conversation: 1_u64.into(),
        by: "ann".into(),
        to: TransferTarget::Team("vip".into()),
    };

    let mut full = r.clone();
    full.agents.leave_room_for(0);
    refused_as_full(&mut full, new_agent(false), "agent");

    let mut full = r.clone();
    full.conversations.leave_room_for(0);
    refused_as_full(&mut full, new_class.clone(), "conversation");

    let mut full = r.clone();
    full.classes.leave_room_for(0);
    refused_as_full(&mut full, new_class.clone(), "routing class");
    refused_as_full(&mut full, transfer.clone(), "routing class");

    // A new class may need a line per skill level; an agent, a line per
    // skill per channel.
    let mut full = r.clone();
    full.lines
        .leave_room_for(crate::line::MAX_NEW_LINES_PER_CLASS - 1);
    refused_as_full(&mut full, new_class.clone(), "free-agent line");
    refused_as_full(&mut full, transfer.clone(), "free-agent line");
    full.lines.leave_room_for(0);
    refused_as_full(&mut full, new_agent(true), "free-agent line");
    refused_as_full(&mut full, skilled_ann.clone(), "free-agent line");

    // With room, the same events go through.
    for event in [new_agent(true), skilled_ann, new_class, transfer] {
        assert!(r.clone().handle(Timestamp(9), event).is_ok());
    }
}
