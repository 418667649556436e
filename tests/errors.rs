//! Every bad input of the contract gets a typed error and changes nothing.
//!
//! Each test builds a router with some state, clones it, feeds one bad event,
//! checks the exact error, and checks the router still equals the clone.

use omnirouter::{
    AgentSpec, ChannelConfig, Config, ConversationSpec, Error, EscalationStep, Event, MAX_CAPACITY,
    Millis, Presence, Role, Route, Router, Rule, RuleSet, Timestamp,
};

fn config() -> Config {
    Config::new(["sms", "chat"])
        .skills(["billing", "french"])
        .teams(["tier2"])
}

/// A router with one busy agent, one waiting conversation and one resolved one.
fn busy_router() -> Router {
    let mut router = Router::new(config()).unwrap();
    let events = [
        Event::AgentAdded {
            agent: "ann".into(),
            spec: AgentSpec::agent().channel("sms", 1).skill("billing", 3),
            presence: Presence::Available,
        },
        Event::AgentAdded {
            agent: "boss".into(),
            spec: AgentSpec::with_role(Role::SuperAdmin),
            presence: Presence::Available,
        },
        Event::AgentAdded {
            agent: "bob".into(),
            spec: AgentSpec::agent().channel("chat", 1),
            presence: Presence::Available,
        },
        Event::ConversationArrived {
            conversation: 1_u64.into(),
            spec: ConversationSpec::new("sms", "c1"),
        },
        Event::ConversationResolved {
            conversation: 1_u64.into(),
            by: "ann".into(),
            dispositions: vec!["done".into()],
        },
        Event::ConversationArrived {
            conversation: 2_u64.into(),
            spec: ConversationSpec::new("sms", "c2"),
        },
        Event::ConversationArrived {
            conversation: 3_u64.into(),
            spec: ConversationSpec::new("sms", "c3"),
        },
    ];
    for (t, event) in events.into_iter().enumerate() {
        router.handle(Timestamp(100 * t as u64), event).unwrap();
    }
    router
}

/// Feeds `event` at a later time and asserts it fails with `expected` and
/// leaves the router exactly as it was (the clock included).
fn refused(event: Event, expected: Error) {
    let mut router = busy_router();
    let before = router.clone();
    let got = router.handle(Timestamp(1_000_000), event);
    assert_eq!(got, Err(expected.clone()));
    assert_eq!(router, before, "a refused event changed the router");
    assert!(!expected.to_string().is_empty());
}

fn add(agent: &str, spec: AgentSpec) -> Event {
    Event::AgentAdded {
        agent: agent.into(),
        spec,
        presence: Presence::Available,
    }
}

fn arrive(id: u64, spec: ConversationSpec) -> Event {
    Event::ConversationArrived {
        conversation: id.into(),
        spec,
    }
}

#[test]
fn duplicate_agent() {
    refused(
        add("ann", AgentSpec::agent()),
        Error::DuplicateAgent("ann".into()),
    );
}

#[test]
fn unknown_agent_in_every_agent_event() {
    let ghost = || "ghost".into();
    refused(
        Event::AgentUpdated {
            agent: ghost(),
            spec: AgentSpec::agent(),
        },
        Error::UnknownAgent(ghost()),
    );
    refused(
        Event::AgentRemoved { agent: ghost() },
        Error::UnknownAgent(ghost()),
    );
    refused(
        Event::PresenceChanged {
            agent: ghost(),
            presence: Presence::Away,
        },
        Error::UnknownAgent(ghost()),
    );
    refused(
        Event::ConversationResolved {
            conversation: 2_u64.into(),
            by: ghost(),
            dispositions: vec![],
        },
        Error::UnknownAgent(ghost()),
    );
}

#[test]
fn unknown_channel_skill_and_team() {
    refused(
        add("bo", AgentSpec::agent().channel("fax", 1)),
        Error::UnknownChannel("fax".into()),
    );
    refused(
        add("bo", AgentSpec::agent().skill("juggling", 1)),
        Error::UnknownSkill("juggling".into()),
    );
    refused(
        add("bo", AgentSpec::agent().team("tier9")),
        Error::UnknownTeam("tier9".into()),
    );
    refused(
        arrive(9, ConversationSpec::new("fax", "c")),
        Error::UnknownChannel("fax".into()),
    );
    refused(
        arrive(9, ConversationSpec::new("sms", "c").skill("juggling", 1)),
        Error::UnknownSkill("juggling".into()),
    );
    refused(
        arrive(9, ConversationSpec::new("sms", "c").team("tier9")),
        Error::UnknownTeam("tier9".into()),
    );
}

#[test]
fn zero_skill_levels() {
    refused(
        add("bo", AgentSpec::agent().skill("billing", 0)),
        Error::ZeroSkillLevel("billing".into()),
    );
    refused(
        arrive(9, ConversationSpec::new("sms", "c").skill("french", 0)),
        Error::ZeroSkillLevel("french".into()),
    );
}

#[test]
fn names_given_twice_in_a_spec() {
    let dup = |kind, name: &str| Error::DuplicateName {
        kind,
        name: name.into(),
    };
    refused(
        add("bo", AgentSpec::agent().channel("sms", 1).channel("sms", 2)),
        dup("channel", "sms"),
    );
    refused(
        add(
            "bo",
            AgentSpec::agent().skill("french", 1).skill("french", 2),
        ),
        dup("skill", "french"),
    );
    refused(
        add("bo", AgentSpec::agent().team("tier2").team("tier2")),
        dup("team", "tier2"),
    );
    refused(
        arrive(
            9,
            ConversationSpec::new("sms", "c")
                .skill("billing", 1)
                .skill("billing", 1),
        ),
        dup("skill", "billing"),
    );
}

#[test]
fn overflowing_capacities() {
    let too_big = MAX_CAPACITY + 1;
    let expected = Error::CapacityTooLarge {
        capacity: too_big,
        max: MAX_CAPACITY,
    };
    refused(
        add("bo", AgentSpec::agent().channel("sms", too_big)),
        expected.clone(),
    );
    refused(
        add("bo", AgentSpec::agent().total_capacity(too_big)),
        expected.clone(),
    );
    refused(
        Event::AgentUpdated {
            agent: "ann".into(),
            spec: AgentSpec::agent().channel("chat", u32::MAX),
        },
        Error::CapacityTooLarge {
            capacity: u32::MAX,
            max: MAX_CAPACITY,
        },
    );
}

#[test]
fn duplicate_conversation_open_or_ended() {
    refused(
        arrive(2, ConversationSpec::new("sms", "c")),
        Error::DuplicateConversation(2_u64.into()),
    );
    refused(
        arrive(1, ConversationSpec::new("sms", "c")),
        Error::DuplicateConversation(1_u64.into()),
    );
}

#[test]
fn resolving_or_abandoning_twice_or_unknown() {
    refused(
        Event::ConversationResolved {
            conversation: 1_u64.into(),
            by: "ann".into(),
            dispositions: vec![],
        },
        Error::ConversationEnded(1_u64.into()),
    );
    refused(
        Event::ConversationAbandoned {
            conversation: 1_u64.into(),
        },
        Error::ConversationEnded(1_u64.into()),
    );
    refused(
        Event::ConversationResolved {
            conversation: 77_u64.into(),
            by: "ann".into(),
            dispositions: vec![],
        },
        Error::UnknownConversation(77_u64.into()),
    );
    refused(
        Event::ConversationAbandoned {
            conversation: 77_u64.into(),
        },
        Error::UnknownConversation(77_u64.into()),
    );
}

#[test]
fn only_the_holder_resolves() {
    // 2 is held by ann; 3 waits. Bob holds neither.
    refused(
        Event::ConversationResolved {
            conversation: 2_u64.into(),
            by: "bob".into(),
            dispositions: vec![],
        },
        Error::NotHolder {
            conversation: 2_u64.into(),
            agent: "bob".into(),
        },
    );
    refused(
        Event::ConversationResolved {
            conversation: 3_u64.into(),
            by: "ann".into(),
            dispositions: vec![],
        },
        Error::NotHolder {
            conversation: 3_u64.into(),
            agent: "ann".into(),
        },
    );
}

#[test]
fn bad_configurations() {
    let named = |kind, name: &str| Error::DuplicateName {
        kind,
        name: name.into(),
    };
    assert_eq!(
        Router::new(Config::new(["sms", "sms"])).unwrap_err(),
        named("channel", "sms")
    );
    assert_eq!(
        Router::new(Config::new(["sms"]).skills(["a", "a"])).unwrap_err(),
        named("skill", "a")
    );
    assert_eq!(
        Router::new(Config::new(["sms"]).teams(["t", "t"])).unwrap_err(),
        named("team", "t")
    );
    assert_eq!(
        Router::new(Config::new([""])).unwrap_err(),
        Error::EmptyName { kind: "channel" }
    );
    let zero_cost = Config {
        channels: vec![ChannelConfig::new("voice").cost(0)],
        ..Config::default()
    };
    assert_eq!(
        Router::new(zero_cost).unwrap_err(),
        Error::InvalidCost {
            channel: "voice".into(),
            cost: 0,
            max: MAX_CAPACITY
        }
    );
    let many = Config::new((0..=omnirouter::MAX_NAMES).map(|i| i.to_string()));
    assert!(matches!(
        Router::new(many),
        Err(Error::TooManyNames {
            kind: "channel",
            ..
        })
    ));
}

#[test]
fn time_that_goes_backwards_is_clamped() {
    let mut router = busy_router();
    let latest = router.now();
    router.handle(Timestamp(0), Event::Tick).unwrap();
    assert_eq!(router.now(), latest);
    let decisions = router
        .handle(
            Timestamp(1),
            Event::ConversationResolved {
                conversation: 2_u64.into(),
                by: "ann".into(),
                dispositions: vec![],
            },
        )
        .unwrap();
    // Conversation 3 waited from its arrival at the latest time: zero, not negative.
    assert!(decisions.iter().any(|d| matches!(
        d,
        omnirouter::Decision::Assigned { waited, .. } if waited.0 == 0
    )));
}

#[test]
fn queries_refuse_unknown_names() {
    let router = busy_router();
    assert_eq!(
        router.load(&"ann".into(), "fax"),
        Err(Error::UnknownChannel("fax".into()))
    );
    assert_eq!(
        router.load(&"zed".into(), "sms"),
        Err(Error::UnknownAgent("zed".into()))
    );
    assert!(router.inbox(&"zed".into()).is_err());
    assert!(router.presence(&"zed".into()).is_err());
    assert_eq!(router.position(&99_u64.into()), None);
    assert!(router.conversation(&99_u64.into()).is_none());
}

#[test]
fn every_configuration_error() {
    let refused = |config: Config, expected: Error| {
        assert_eq!(Router::new(config).unwrap_err(), expected);
        assert!(!expected.to_string().is_empty());
    };
    refused(
        Config::new(["sms"]).skills(["billing", ""]),
        Error::EmptyName { kind: "skill" },
    );
    refused(
        Config::new(["sms"]).teams([""]),
        Error::EmptyName { kind: "team" },
    );
    let many = omnirouter::MAX_NAMES + 1;
    refused(
        Config::new(["sms"]).skills((0..many).map(|i| i.to_string())),
        Error::TooManyNames {
            kind: "skill",
            count: many,
            max: omnirouter::MAX_NAMES,
        },
    );
    refused(
        Config::new(["sms", "voice"]).channel_cost("voice", MAX_CAPACITY + 1),
        Error::InvalidCost {
            channel: "voice".into(),
            cost: MAX_CAPACITY + 1,
            max: MAX_CAPACITY,
        },
    );
    let zero = Millis(0);
    let mut aging = config();
    aging.priority_aging = Some(zero);
    refused(aging, Error::ZeroInterval("priority_aging"));
    refused(
        config().channel(ChannelConfig::new("sms").offers(zero)),
        Error::ZeroInterval("offer_timeout"),
    );
    refused(
        config().channel(ChannelConfig::new("chat").response_deadline(zero)),
        Error::ZeroInterval("response_deadline"),
    );
    let mut missed = config();
    missed.max_missed_offers = Some(0);
    refused(missed, Error::ZeroInterval("max_missed_offers"));
    // A rule's own error comes wrapped with the rule's place.
    let steps = Route::default()
        .escalate(EscalationStep::after(Millis(9)))
        .escalate(EscalationStep::after(Millis(3)));
    refused(
        config().rules(RuleSet::default().rule(Rule::when("a", "b").then(steps.clone()))),
        Error::InvalidRule {
            rule: Some(0),
            error: Box::new(Error::EscalationNotIncreasing { step: 1 }),
        },
    );
    refused(
        config().rules(RuleSet::default().otherwise(Route::default().skill("billing", 0))),
        Error::InvalidRule {
            rule: None,
            error: Box::new(Error::ZeroSkillLevel("billing".into())),
        },
    );
}

#[test]
fn offer_events_without_an_offer() {
    // 2 is held by ann outright (no offers on this configuration); 3 waits.
    for (conversation, agent) in [(2_u64, "ann"), (3, "ann"), (2, "bob")] {
        let no_offer = || Error::NoOffer {
            conversation: conversation.into(),
            agent: agent.into(),
        };
        refused(
            Event::OfferAccepted {
                conversation: conversation.into(),
                agent: agent.into(),
            },
            no_offer(),
        );
        refused(
            Event::OfferDeclined {
                conversation: conversation.into(),
                agent: agent.into(),
            },
            no_offer(),
        );
    }
    refused(
        Event::OfferAccepted {
            conversation: 1_u64.into(),
            agent: "ann".into(),
        },
        Error::ConversationEnded(1_u64.into()),
    );
}

#[test]
fn rules_replaced_with_unknown_names_or_steps_out_of_order() {
    refused(
        Event::RulesReplaced {
            rules: RuleSet::default()
                .rule(Rule::default())
                .rule(Rule::when("a", "b").on_channel("fax")),
        },
        Error::InvalidRule {
            rule: Some(1),
            error: Box::new(Error::UnknownChannel("fax".into())),
        },
    );
    refused(
        Event::RulesReplaced {
            rules: RuleSet::default().otherwise(
                Route::default()
                    .escalate(EscalationStep::after(Millis(5)))
                    .escalate(EscalationStep::after(Millis(5))),
            ),
        },
        Error::InvalidRule {
            rule: None,
            error: Box::new(Error::EscalationNotIncreasing { step: 1 }),
        },
    );
}

#[test]
fn escalation_steps_out_of_order_in_an_arrival() {
    refused(
        arrive(
            9,
            ConversationSpec::new("sms", "c")
                .escalate(EscalationStep::after(Millis(60_000)).skill("billing", 1))
                .escalate(EscalationStep::after(Millis(120_000)))
                .escalate(EscalationStep::after(Millis(90_000))),
        ),
        Error::EscalationNotIncreasing { step: 2 },
    );
    refused(
        arrive(
            9,
            ConversationSpec::new("sms", "c").escalate(EscalationStep::after(Millis(1)).team("x")),
        ),
        Error::UnknownTeam("x".into()),
    );
}

/// The README's "Bad input" table names every variant of `Error`, so a new
/// variant cannot be added without saying what causes it and which test
/// proves it changes nothing.
#[test]
fn every_error_variant_is_in_the_readme_table() {
    let source = include_str!("../src/error.rs");
    let body = source
        .split("pub enum Error {")
        .nth(1)
        .expect("src/error.rs declares `pub enum Error`");
    let variants: Vec<&str> = body
        .lines()
        .take_while(|line| *line != "}")
        .filter(|line| line.starts_with("    ") && !line.starts_with("     "))
        .map(str::trim)
        .filter(|line| line.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(|line| line.split([' ', '(', '{', ',']).next().unwrap())
        .collect();
    assert!(variants.len() >= 28, "found only {variants:?}");
    let readme = include_str!("../README.md");
    let table = readme
        .split("## Bad input")
        .nth(1)
        .expect("the README has a \"Bad input\" section");
    for variant in variants {
        assert!(
            table.contains(&format!("| `{variant}` |")),
            "the README's bad-input table lacks `{variant}`"
        );
    }
    // Every test the table names exists.
    let tests = [
        include_str!("errors.rs"),
        include_str!("permissions.rs"),
        include_str!("timers.rs"),
        include_str!("../src/router/tests.rs"),
    ]
    .concat();
    let rows = table.lines().take_while(|l| !l.starts_with("## "));
    for row in rows.filter(|l| l.starts_with("| `")) {
        let named = row.rsplit('|').nth(1).unwrap();
        for name in named.split('`').skip(1).step_by(2) {
            assert!(
                tests.contains(&format!("fn {name}(")),
                "the table names a test `{name}` that does not exist"
            );
        }
    }
}
