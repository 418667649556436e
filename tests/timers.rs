//! Routing rules and time-aware routing, on a virtual clock: rules, offers,
//! priority aging, escalation, wrap-up, response tracking, live statistics.
//!
//! The clock only moves when a test says so; `Clock::run_until` sends a
//! `Tick` at every deadline the router reports on the way, as a host would.

use omnirouter::*;

/// A router on a virtual clock, in seconds.
struct Clock {
    router: Router,
    now: u64,
}

const S: u64 = 1_000;

impl Clock {
    fn new(config: Config) -> Self {
        Clock {
            router: Router::new(config).expect("valid config"),
            now: 0,
        }
    }

    /// Feeds `event` at the current time; panics on refusal.
    fn ok(&mut self, event: Event) -> Vec<Decision> {
        match self.router.handle(Timestamp(self.now), event.clone()) {
            Ok(d) => d.to_vec(),
            Err(e) => panic!("{event:?} was refused: {e}"),
        }
    }

    /// Feeds `event` and checks it is refused with `expected`, changing nothing.
    fn refused(&mut self, event: Event, expected: Error) {
        let before = self.router.clone();
        assert_eq!(
            self.router.handle(Timestamp(self.now), event),
            Err(expected)
        );
        assert_eq!(self.router, before, "a refused event changed the router");
    }

    /// Moves the clock to `secs`, ticking at every deadline on the way (and
    /// at `secs`); returns every decision the ticks made.
    fn run_until(&mut self, secs: u64) -> Vec<Decision> {
        let end = secs * S;
        let mut out = Vec::new();
        while let Some(at) = self.router.next_deadline().filter(|at| at.0 <= end) {
            self.now = at.0;
            out.extend(self.ok(Event::Tick));
        }
        self.now = end;
        out.extend(self.ok(Event::Tick));
        out
    }

    fn add(&mut self, agent: &str, spec: AgentSpec) -> Vec<Decision> {
        self.ok(Event::AgentAdded {
            agent: agent.into(),
            spec,
            presence: Presence::Available,
        })
    }

    fn arrive(&mut self, id: u64, spec: ConversationSpec) -> Vec<Decision> {
        self.ok(Event::ConversationArrived {
            conversation: id.into(),
            spec,
        })
    }

    fn resolve(&mut self, id: u64, by: &str) -> Vec<Decision> {
        self.ok(Event::ConversationResolved {
            conversation: id.into(),
            by: by.into(),
            dispositions: vec![],
        })
    }

    fn state(&self, id: u64) -> ConversationState {
        self.router.conversation(&id.into()).expect("known").state
    }
}

fn assigned(id: u64, agent: &str, waited_ms: u64) -> Decision {
    Decision::Assigned {
        conversation: id.into(),
        agent: agent.into(),
        waited: Millis(waited_ms),
    }
}

fn queued(id: u64, ahead: usize) -> Decision {
    Decision::Queued {
        conversation: id.into(),
        ahead,
    }
}

fn chat() -> ConversationSpec {
    ConversationSpec::new("chat", "cust")
}

// ---- routing rules ------------------------------------------------------

fn rule_config() -> Config {
    let rules = RuleSet::default()
        .rule(Rule::when("lang", "fr").then(Route::default().skill("french", 2)))
        .rule(
            Rule::when("vip", "true")
                .on_channel("voice")
                .then(Route::default().priority(9).team("gold")),
        )
        .rule(Rule::when("vip", "true").then(Route::default().priority(5)))
        .otherwise(Route::default().priority(1));
    Config::new(["chat", "voice"])
        .skills(["french", "billing"])
        .teams(["gold"])
        .rules(rules)
}

#[test]
fn the_first_matching_rule_gives_the_requirements_and_the_default_the_rest() {
    let mut c = Clock::new(rule_config());
    // No agents: everything waits, and the line order shows the priorities.
    c.arrive(1, chat()); // default: priority 1
    c.arrive(2, chat().label("vip", "true")); // third rule: priority 5
    c.arrive(3, chat().label("vip", "true").label("lang", "fr")); // first rule wins
    assert_eq!(c.router.position(&2_u64.into()), Some(0));
    assert_eq!(c.router.position(&1_u64.into()), Some(1));
    // 3 needs French (priority 0 from its rule, so last in line).
    assert_eq!(c.router.position(&3_u64.into()), Some(2));
    // A plain agent takes 2 then 1, never 3.
    let got = c.add("ann", AgentSpec::agent().channel("chat", 3));
    assert_eq!(got, [assigned(2, "ann", 0), assigned(1, "ann", 0)]);
    assert_eq!(c.router.queue_len("chat"), Ok(1));
    let got = c.add(
        "fifi",
        AgentSpec::agent().channel("chat", 1).skill("french", 3),
    );
    assert_eq!(got, [assigned(3, "fifi", 0)]);
}

#[test]
fn a_channel_rule_only_matches_its_channel_and_the_spec_wins_field_by_field() {
    let mut c = Clock::new(rule_config());
    c.add("gina", AgentSpec::agent().channel("voice", 1).team("gold"));
    c.add("bob", AgentSpec::agent().channel("voice", 1));
    // On voice the VIP rule sends it to the gold team.
    let got = c.arrive(1, ConversationSpec::new("voice", "c").label("vip", "true"));
    assert_eq!(got, [assigned(1, "gina", 0)]);
    // An explicit team in the spec beats nothing here (none given), but an
    // explicit priority and skills do: this one needs billing, not gold.
    let spec = ConversationSpec::new("voice", "c")
        .label("vip", "true")
        .skill("billing", 1)
        .priority(2);
    let got = c.arrive(2, spec);
    assert_eq!(got, [queued(2, 0)]);
    let view = c.router.conversation(&2_u64.into()).unwrap();
    assert_eq!(view.priority, 2);
}

#[test]
fn rules_with_unknown_names_are_refused_when_loaded_and_when_replaced() {
    let bad_skill =
        RuleSet::default().rule(Rule::when("a", "b").then(Route::default().skill("klingon", 1)));
    assert_eq!(
        Router::new(Config::new(["chat"]).rules(bad_skill.clone())),
        Err(Error::InvalidRule {
            rule: Some(0),
            error: Box::new(Error::UnknownSkill("klingon".into()))
        })
    );
    let bad_default = RuleSet::default().otherwise(Route::default().team("nobody"));
    let err = Router::new(Config::new(["chat"]).rules(bad_default)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the default route: no team is named \"nobody\""
    );
    let bad_channel = RuleSet::default()
        .rule(Rule::default())
        .rule(Rule::default().on_channel("fax"));
    assert_eq!(
        Router::new(Config::new(["chat"]).rules(bad_channel)).unwrap_err(),
        Error::InvalidRule {
            rule: Some(1),
            error: Box::new(Error::UnknownChannel("fax".into()))
        }
    );

    let mut c = Clock::new(Config::new(["chat"]));
    c.refused(
        Event::RulesReplaced { rules: bad_skill },
        Error::InvalidRule {
            rule: Some(0),
            error: Box::new(Error::UnknownSkill("klingon".into())),
        },
    );
}

#[test]
fn replaced_rules_apply_to_new_arrivals_only() {
    let mut c = Clock::new(Config::new(["chat"]).skills(["french"]));
    c.arrive(1, chat().label("lang", "fr"));
    c.ok(Event::RulesReplaced {
        rules: RuleSet::default()
            .rule(Rule::when("lang", "fr").then(Route::default().skill("french", 1))),
    });
    c.arrive(2, chat().label("lang", "fr"));
    assert_eq!(c.router.config().rules.rules.len(), 1);
    // 1 arrived before the rule: anyone may take it; 2 needs French.
    let got = c.add("ann", AgentSpec::agent().channel("chat", 2));
    assert_eq!(got, [assigned(1, "ann", 0)]);
    assert_eq!(c.router.position(&2_u64.into()), Some(0));
}

// ---- offers -------------------------------------------------------------

fn offer_config() -> Config {
    Config::new(["chat"])
        .channel(ChannelConfig::new("chat").offers(Millis(10 * S)))
        .strategy(Strategy::LeastLoaded)
}

fn offered(id: u64, agent: &str, until_secs: u64) -> Decision {
    Decision::Offered {
        conversation: id.into(),
        agent: agent.into(),
        until: Timestamp(until_secs * S),
    }
}

#[test]
fn an_offer_holds_a_slot_until_accepted() {
    let mut c = Clock::new(offer_config());
    c.add("ann", AgentSpec::agent().channel("chat", 1));
    assert_eq!(c.arrive(1, chat()), [offered(1, "ann", 10)]);
    // The reservation is load: a second conversation waits.
    assert_eq!(c.arrive(2, chat()), [queued(2, 0)]);
    assert_eq!(c.router.load(&"ann".into(), "chat"), Ok(1));
    let inbox: Vec<_> = c.router.inbox(&"ann".into()).unwrap().collect();
    assert!(inbox[0].offered);
    assert_eq!(c.router.channel_stats("chat").unwrap().offered, 1);
    c.now = 3 * S;
    let got = c.ok(Event::OfferAccepted {
        conversation: 1_u64.into(),
        agent: "ann".into(),
    });
    assert_eq!(got, [assigned(1, "ann", 3 * S)]);
    assert_eq!(
        c.state(1),
        ConversationState::Assigned {
            agent: "ann".into()
        }
    );
    // Accepting twice, or someone else's offer, is refused.
    c.refused(
        Event::OfferAccepted {
            conversation: 1_u64.into(),
            agent: "ann".into(),
        },
        Error::NoOffer {
            conversation: 1_u64.into(),
            agent: "ann".into(),
        },
    );
    // The timer was cancelled: nothing happens at 10 s.
    assert_eq!(c.run_until(20), []);
}

#[test]
fn a_declined_offer_goes_to_the_next_agent_and_a_missed_one_too() {
    let mut c = Clock::new(offer_config());
    c.add("ann", AgentSpec::agent().channel("chat", 1));
    c.add("bob", AgentSpec::agent().channel("chat", 1));
    c.arrive(1, chat());
    let got = c.ok(Event::OfferDeclined {
        conversation: 1_u64.into(),
        agent: "ann".into(),
    });
    assert_eq!(
        got,
        [
            Decision::OfferEnded {
                conversation: 1_u64.into(),
                agent: "ann".into(),
                declined: true
            },
            offered(1, "bob", 10),
        ]
    );
    // Bob lets it time out; Ann (free, eligible) gets it again.
    let got = c.run_until(10);
    assert_eq!(
        got,
        [
            Decision::OfferEnded {
                conversation: 1_u64.into(),
                agent: "bob".into(),
                declined: false
            },
            offered(1, "ann", 20),
        ]
    );
    let timeline: Vec<_> = c
        .router
        .conversation(&1_u64.into())
        .unwrap()
        .timeline
        .iter()
        .map(|e| e.happening.clone())
        .collect();
    assert!(timeline.contains(&Happening::OfferEnded {
        agent: "bob".into(),
        declined: false
    }));
}

#[test]
fn an_agent_who_declines_and_is_the_only_one_is_offered_it_again() {
    let mut c = Clock::new(offer_config());
    c.add("ann", AgentSpec::agent().channel("chat", 1));
    c.arrive(1, chat());
    let got = c.ok(Event::OfferDeclined {
        conversation: 1_u64.into(),
        agent: "ann".into(),
    });
    // No idle capacity while work waits: it comes back to Ann.
    assert_eq!(got[1], queued(1, 0));
    assert_eq!(got[2], offered(1, "ann", 10));
}

#[test]
fn too_many_missed_offers_set_the_agent_away() {
    let mut config = offer_config();
    config.max_missed_offers = Some(2);
    let mut c = Clock::new(config);
    c.add("ann", AgentSpec::agent().channel("chat", 1));
    c.arrive(1, chat());
    c.run_until(10); // first miss: offered again
    assert_eq!(c.router.presence(&"ann".into()), Ok(Presence::Available));
    let got = c.run_until(20); // second miss
    assert_eq!(
        got[..2],
        [
            Decision::PresenceChanged {
                agent: "ann".into(),
                presence: Presence::Away
            },
            Decision::OfferEnded {
                conversation: 1_u64.into(),
                agent: "ann".into(),
                declined: false
            },
        ]
    );
    assert_eq!(c.router.presence(&"ann".into()), Ok(Presence::Away));
    assert_eq!(c.state(1), ConversationState::Queued { ahead: 0 });
    // Back from away, the count starts afresh and the offer comes again.
    let got = c.ok(Event::PresenceChanged {
        agent: "ann".into(),
        presence: Presence::Available,
    });
    assert_eq!(got, [offered(1, "ann", 30)]);
}

// ---- priority aging ------------------------------------------------------

#[test]
fn aging_lets_a_long_wait_overtake_a_higher_priority() {
    let mut config = Config::new(["chat"]);
    config.priority_aging = Some(Millis(10 * S)); // 10 s of waiting = 1 point
    let mut c = Clock::new(config);
    c.arrive(1, chat().priority(0));
    c.now = 25 * S;
    c.arrive(2, chat().priority(2)); // counts as arriving at 5 s
    c.now = 35 * S;
    c.arrive(3, chat().priority(3)); // counts as arriving at 5 s, later
    let got = c.add("ann", AgentSpec::agent().channel("chat", 3));
    assert_eq!(
        got,
        [
            assigned(1, "ann", 35 * S),
            assigned(2, "ann", 10 * S),
            assigned(3, "ann", 0)
        ]
    );
}

// ---- escalation -----------------------------------------------------------

#[test]
fn escalation_widens_the_requirement_and_assigns_at_once() {
    let mut c = Clock::new(Config::new(["chat"]).skills(["billing"]));
    c.add(
        "junior",
        AgentSpec::agent().channel("chat", 1).skill("billing", 2),
    );
    let spec = chat()
        .skill("billing", 4)
        .escalate(EscalationStep::after(Millis(60 * S)).skill("billing", 2))
        .escalate(EscalationStep::after(Millis(120 * S)));
    assert_eq!(c.arrive(1, spec.clone()), [queued(1, 0)]);
    assert_eq!(c.router.next_deadline(), Some(Timestamp(60 * S)));
    assert_eq!(c.run_until(59), []);
    let got = c.run_until(60);
    assert_eq!(
        got,
        [
            Decision::Escalated {
                conversation: 1_u64.into(),
                step: 0
            },
            assigned(1, "junior", 60 * S),
        ]
    );
    // Step 1 still fires while it is held: only its requirement changes.
    let got = c.run_until(120);
    assert_eq!(
        got,
        [Decision::Escalated {
            conversation: 1_u64.into(),
            step: 1
        }]
    );
    assert_eq!(c.router.next_deadline(), None);
}

#[test]
fn escalation_keeps_the_place_in_line() {
    let mut c = Clock::new(Config::new(["chat"]).skills(["billing"]));
    c.arrive(1, chat());
    c.arrive(
        2,
        chat()
            .skill("billing", 3)
            .escalate(EscalationStep::after(Millis(5 * S))),
    );
    c.arrive(3, chat());
    assert_eq!(c.router.position(&2_u64.into()), Some(1));
    c.run_until(5);
    assert_eq!(c.router.position(&2_u64.into()), Some(1));
    let got = c.add("ann", AgentSpec::agent().channel("chat", 3));
    assert_eq!(
        got,
        [
            assigned(1, "ann", 5 * S),
            assigned(2, "ann", 5 * S),
            assigned(3, "ann", 5 * S)
        ]
    );
}

#[test]
fn escalation_steps_out_of_order_are_refused() {
    let mut c = Clock::new(Config::new(["chat"]));
    let spec = chat()
        .escalate(EscalationStep::after(Millis(60 * S)))
        .escalate(EscalationStep::after(Millis(60 * S)));
    c.refused(
        Event::ConversationArrived {
            conversation: 1_u64.into(),
            spec,
        },
        Error::EscalationNotIncreasing { step: 1 },
    );
}

// ---- wrap-up ----------------------------------------------------------------

#[test]
fn wrap_up_keeps_the_slot_busy_then_pulls() {
    let config = Config::new(["chat"]).channel(ChannelConfig::new("chat").wrap_up(Millis(30 * S)));
    let mut c = Clock::new(config);
    c.add("ann", AgentSpec::agent().channel("chat", 1));
    c.arrive(1, chat());
    c.arrive(2, chat());
    c.now = 100 * S;
    let got = c.resolve(1, "ann");
    assert_eq!(
        got[1],
        Decision::WrapUp {
            agent: "ann".into(),
            channel: "chat".into(),
            until: Timestamp(130 * S)
        }
    );
    assert_eq!(got.len(), 2, "nothing is pulled during wrap-up: {got:?}");
    assert_eq!(c.router.wrapping_up(&"ann".into(), "chat"), Ok(1));
    assert_eq!(c.router.load(&"ann".into(), "chat"), Ok(0));
    let got = c.run_until(130);
    assert_eq!(
        got,
        [
            Decision::WrapUpEnded {
                agent: "ann".into(),
                channel: "chat".into()
            },
            assigned(2, "ann", 130 * S),
        ]
    );
}

#[test]
fn removing_an_agent_cancels_its_wrap_up() {
    let config = Config::new(["chat"]).channel(ChannelConfig::new("chat").wrap_up(Millis(30 * S)));
    let mut c = Clock::new(config);
    c.add("ann", AgentSpec::agent().channel("chat", 1));
    c.arrive(1, chat());
    c.resolve(1, "ann");
    c.ok(Event::AgentRemoved {
        agent: "ann".into(),
    });
    assert_eq!(c.router.next_deadline(), None);
}

// ---- response tracking --------------------------------------------------------

#[test]
fn first_response_and_who_awaits_a_reply() {
    let mut c = Clock::new(Config::new(["chat"]));
    c.add("ann", AgentSpec::agent().channel("chat", 1));
    c.now = 5 * S;
    c.arrive(1, chat());
    let inbox: Vec<_> = c.router.inbox(&"ann".into()).unwrap().collect();
    assert_eq!(inbox[0].awaiting_reply_since, Some(Timestamp(5 * S)));
    c.now = 12 * S;
    c.ok(Event::AgentReplied {
        conversation: 1_u64.into(),
        agent: "ann".into(),
    });
    let view = c.router.conversation(&1_u64.into()).unwrap();
    assert_eq!(view.first_response, Some(Millis(7 * S)));
    assert_eq!(view.awaiting_reply_since, None);
    c.now = 20 * S;
    c.ok(Event::CustomerMessage {
        conversation: 1_u64.into(),
    });
    let view = c.router.conversation(&1_u64.into()).unwrap();
    assert_eq!(view.awaiting_reply_since, Some(Timestamp(20 * S)));
    assert_eq!(view.first_response, Some(Millis(7 * S)));
    // Only the holder (or a joined super admin) replies.
    c.add("bob", AgentSpec::agent().channel("chat", 1));
    c.refused(
        Event::AgentReplied {
            conversation: 1_u64.into(),
            agent: "bob".into(),
        },
        Error::NotHolder {
            conversation: 1_u64.into(),
            agent: "bob".into(),
        },
    );
}

fn deadline_config(policy: OverduePolicy) -> Config {
    let mut config =
        Config::new(["chat"]).channel(ChannelConfig::new("chat").response_deadline(Millis(60 * S)));
    config.response_overdue = policy;
    config
}

#[test]
fn a_missed_response_deadline_notifies_once_until_the_next_message() {
    let mut c = Clock::new(deadline_config(OverduePolicy::Notify));
    c.add("ann", AgentSpec::agent().channel("chat", 1));
    c.arrive(1, chat());
    let overdue = |since| Decision::ResponseOverdue {
        conversation: 1_u64.into(),
        agent: "ann".into(),
        since: Timestamp(since),
    };
    assert_eq!(c.run_until(60), [overdue(0)]);
    assert_eq!(c.run_until(600), []);
    c.ok(Event::AgentReplied {
        conversation: 1_u64.into(),
        agent: "ann".into(),
    });
    c.now = 700 * S;
    c.ok(Event::CustomerMessage {
        conversation: 1_u64.into(),
    });
    // A reply in time cancels it.
    c.now = 750 * S;
    c.ok(Event::AgentReplied {
        conversation: 1_u64.into(),
        agent: "ann".into(),
    });
    assert_eq!(c.run_until(800), []);
    c.ok(Event::CustomerMessage {
        conversation: 1_u64.into(),
    });
    assert_eq!(c.run_until(860), [overdue(800 * S)]);
}

#[test]
fn a_missed_response_deadline_can_requeue_to_another_agent() {
    let mut c = Clock::new(deadline_config(OverduePolicy::Requeue));
    c.add("ann", AgentSpec::agent().channel("chat", 1));
    c.arrive(1, chat());
    c.add("bob", AgentSpec::agent().channel("chat", 1));
    let got = c.run_until(60);
    assert_eq!(
        got,
        [
            Decision::ResponseOverdue {
                conversation: 1_u64.into(),
                agent: "ann".into(),
                since: Timestamp(0)
            },
            Decision::Requeued {
                conversation: 1_u64.into(),
                from: "ann".into()
            },
            assigned(1, "bob", 0),
        ]
    );
    // Bob's own deadline runs from when he got it.
    assert_eq!(c.router.next_deadline(), Some(Timestamp(120 * S)));
}

// ---- live statistics ------------------------------------------------------------

#[test]
fn channel_and_queue_statistics_count_as_events_happen() {
    let mut config = Config::new(["chat"]).skills(["billing"]);
    config.service_level_threshold = Millis(20 * S);
    let mut c = Clock::new(config);
    c.arrive(1, chat());
    c.now = 10 * S;
    c.arrive(2, chat().skill("billing", 1));
    c.now = 15 * S;
    c.arrive(3, chat());
    c.now = 40 * S;
    c.ok(Event::Tick); // statistics are as of the latest event
    let stats = c.router.channel_stats("chat").unwrap();
    assert_eq!(stats.queue.waiting, 3);
    assert_eq!(stats.queue.longest_wait, Millis(40 * S));
    assert_eq!(stats.queue.answered, 0);
    assert_eq!(stats.queue.service_level, None);

    c.ok(Event::ConversationAbandoned {
        conversation: 3_u64.into(),
    });
    c.add(
        "ann",
        AgentSpec::agent().channel("chat", 2).skill("billing", 1),
    );
    // 1 waited 40 s, 2 waited 30 s: neither within 20 s.
    let stats = c.router.channel_stats("chat").unwrap();
    assert_eq!(stats.queue.waiting, 0);
    assert_eq!(stats.queue.longest_wait, Millis(0));
    assert_eq!((stats.queue.answered, stats.queue.abandoned), (2, 1));
    assert_eq!(stats.queue.average_wait, Some(Millis(35 * S)));
    assert_eq!(stats.queue.service_level, Some(0.0));
    assert_eq!(stats.assigned, 2);

    // Per queue: the billing queue answered one, the plain one one.
    let mut queues: Vec<_> = c
        .router
        .queues()
        .map(|q| (q.skills.clone(), q.stats.answered, q.stats.abandoned))
        .collect();
    queues.sort();
    assert_eq!(queues, [(vec![], 1, 1), (vec![("billing", 1)], 1, 0)]);

    c.ok(Event::StatisticsReset);
    c.resolve(1, "ann");
    c.arrive(4, chat());
    let stats = c.router.channel_stats("chat").unwrap();
    assert_eq!((stats.queue.answered, stats.queue.abandoned), (1, 0));
    assert_eq!(stats.queue.service_level, Some(1.0));
    assert!(c.router.queues().all(|q| q.stats.abandoned == 0));
}

#[test]
fn agent_occupancy_is_busy_slot_time_over_staffed_slot_time() {
    let mut c = Clock::new(Config::new(["chat"]));
    c.add("ann", AgentSpec::agent().channel("chat", 2));
    c.arrive(1, chat()); // one of two slots busy from 0 s
    c.now = 10 * S;
    c.resolve(1, "ann"); // idle from 10 s
    c.now = 20 * S;
    c.ok(Event::Tick);
    let stats = c.router.agent_stats(&"ann".into()).unwrap();
    // busy 1 slot x 10 s of 2 slots x 20 s
    assert_eq!(stats.occupancy, Some(0.25));
    assert_eq!(stats.handled, 1);
    // Offline time counts neither way.
    c.ok(Event::PresenceChanged {
        agent: "ann".into(),
        presence: Presence::Offline,
    });
    c.now = 100 * S;
    c.ok(Event::Tick);
    assert_eq!(
        c.router.agent_stats(&"ann".into()).unwrap().occupancy,
        Some(0.25)
    );
    c.ok(Event::StatisticsReset);
    let stats = c.router.agent_stats(&"ann".into()).unwrap();
    assert_eq!((stats.occupancy, stats.handled), (None, 0));
}

// ---- configuration ---------------------------------------------------------------

#[test]
fn zero_timers_are_refused_in_the_configuration() {
    let offers = Config::new(["chat"]).channel(ChannelConfig::new("chat").offers(Millis(0)));
    assert_eq!(
        Router::new(offers).unwrap_err(),
        Error::ZeroInterval("offer_timeout")
    );
    let deadline =
        Config::new(["chat"]).channel(ChannelConfig::new("chat").response_deadline(Millis(0)));
    assert_eq!(
        Router::new(deadline).unwrap_err(),
        Error::ZeroInterval("response_deadline")
    );
    let mut missed = Config::new(["chat"]);
    missed.max_missed_offers = Some(0);
    assert_eq!(
        Router::new(missed).unwrap_err(),
        Error::ZeroInterval("max_missed_offers")
    );
}

#[test]
fn every_timer_kind_survives_a_snapshot() {
    let config = Config::new(["chat"]).skills(["billing"]).channel(
        ChannelConfig::new("chat")
            .offers(Millis(10 * S))
            .wrap_up(Millis(5 * S))
            .response_deadline(Millis(30 * S)),
    );
    let mut c = Clock::new(config);
    c.add("ann", AgentSpec::agent().channel("chat", 2));
    c.arrive(1, chat());
    c.ok(Event::OfferAccepted {
        conversation: 1_u64.into(),
        agent: "ann".into(),
    });
    c.arrive(
        2,
        chat()
            .skill("billing", 1)
            .escalate(EscalationStep::after(Millis(40 * S))),
    );
    c.resolve(1, "ann");
    let json = serde_json::to_string(&c.router).unwrap();
    let mut restored = Clock {
        router: serde_json::from_str(&json).unwrap(),
        now: c.now,
    };
    assert_eq!(restored.router, c.router);
    assert_eq!(restored.run_until(100), c.run_until(100));
    assert_eq!(restored.router, c.router);
}
