//! Who may do what: every refused action is a typed error that changes nothing.

mod common;

use common::*;
use omnirouter::*;

/// ann (agent, sms 1) holds 1; 2 waits; bob (agent) is free on chat only;
/// boss is a super admin; client is a client user with sms capacity.
fn office() -> Scenario {
    let mut s = Scenario::standard();
    s.add("ann", AgentSpec::agent().channel("sms", 1).team("tier2"));
    s.add("bob", AgentSpec::agent().channel("chat", 2));
    s.add("boss", AgentSpec::with_role(Role::SuperAdmin));
    s.add(
        "client",
        AgentSpec::with_role(Role::ClientUser).channel("sms", 2),
    );
    s.arrive(1, sms());
    s.arrive(2, sms());
    assert_eq!(s.holder(1).as_deref(), Some("ann"));
    s
}

#[test]
fn agents_transfer_only_what_they_hold() {
    let mut s = office();
    for (id, who) in [(1, "bob"), (2, "ann"), (2, "bob"), (1, "client")] {
        s.refused(
            transfer(id, who, TransferTarget::Team("tier2".into())),
            Error::NotHolder {
                conversation: id.into(),
                agent: who.into(),
            },
        );
    }
}

#[test]
fn agents_cannot_transfer_to_admins_or_client_users() {
    let mut s = office();
    for target in ["boss", "client"] {
        s.refused(
            transfer(1, "ann", to_agent(target)),
            Error::NotPermitted {
                actor: "ann".into(),
                role: Role::Agent,
                action: "transfer to a super admin or client user",
            },
        );
    }
}

#[test]
fn nobody_transfers_to_themselves_or_to_the_holder() {
    let mut s = office();
    s.refused(
        transfer(1, "ann", to_agent("ann")),
        Error::TransferToSelf("ann".into()),
    );
    s.refused(
        transfer(1, "boss", to_agent("boss")),
        Error::TransferToSelf("boss".into()),
    );
    s.refused(
        transfer(1, "boss", to_agent("ann")),
        Error::AlreadyWith {
            conversation: 1_u64.into(),
            agent: "ann".into(),
        },
    );
}

#[test]
fn the_target_must_serve_the_channel() {
    let mut s = office();
    s.refused(
        transfer(1, "ann", to_agent("bob")),
        Error::CannotServeChannel {
            agent: "bob".into(),
            channel: "sms".into(),
        },
    );
}

#[test]
fn transfer_targets_must_exist() {
    let mut s = office();
    s.refused(
        transfer(1, "ann", to_agent("ghost")),
        Error::UnknownAgent("ghost".into()),
    );
    s.refused(
        transfer(1, "ann", TransferTarget::Team("tier9".into())),
        Error::UnknownTeam("tier9".into()),
    );
    s.refused(
        transfer(
            1,
            "ann",
            TransferTarget::Skills(vec![SkillLevel::new("juggling", 2)]),
        ),
        Error::UnknownSkill("juggling".into()),
    );
    s.refused(
        transfer(
            1,
            "ann",
            TransferTarget::Skills(vec![SkillLevel::new("billing", 0)]),
        ),
        Error::ZeroSkillLevel("billing".into()),
    );
    s.refused(
        transfer(9, "ann", to_agent("bob")),
        Error::UnknownConversation(9_u64.into()),
    );
    s.refused(
        transfer(1, "ghost", to_agent("bob")),
        Error::UnknownAgent("ghost".into()),
    );
}

#[test]
fn only_super_admins_join_and_leave() {
    let mut s = office();
    for who in ["ann", "bob", "client"] {
        let role = if who == "client" {
            Role::ClientUser
        } else {
            Role::Agent
        };
        s.refused(
            Event::AdminJoined {
                conversation: 1_u64.into(),
                admin: who.into(),
            },
            Error::NotPermitted {
                actor: who.into(),
                role,
                action: "join conversations",
            },
        );
        s.refused(
            Event::AdminLeft {
                conversation: 1_u64.into(),
                admin: who.into(),
            },
            Error::NotPermitted {
                actor: who.into(),
                role,
                action: "leave conversations",
            },
        );
    }
    let join = || Event::AdminJoined {
        conversation: 1_u64.into(),
        admin: "boss".into(),
    };
    let leave = || Event::AdminLeft {
        conversation: 1_u64.into(),
        admin: "boss".into(),
    };
    s.refused(
        leave(),
        Error::NotJoined {
            conversation: 1_u64.into(),
            admin: "boss".into(),
        },
    );
    s.ok(join());
    s.refused(
        join(),
        Error::AlreadyJoined {
            conversation: 1_u64.into(),
            admin: "boss".into(),
        },
    );
    s.ok(leave());
}

#[test]
fn super_admins_resolve_anything_agents_only_their_own() {
    let mut s = office();
    s.refused(
        resolve(1, "bob", &[]),
        Error::NotHolder {
            conversation: 1_u64.into(),
            agent: "bob".into(),
        },
    );
    // The waiting conversation 2, resolved by the super admin, never reaches ann.
    let d = s.ok(resolve(2, "boss", &[]));
    assert_eq!(
        d,
        [Decision::Resolved {
            conversation: 2_u64.into(),
            by: "boss".into(),
            holder: None
        }]
    );
    let d = s.ok(resolve(1, "boss", &[]));
    assert_eq!(
        d,
        [Decision::Resolved {
            conversation: 1_u64.into(),
            by: "boss".into(),
            holder: Some("ann".into())
        }]
    );
}

#[test]
fn dispositions_are_checked_against_the_configured_codes() {
    let mut s = Scenario::new(Config::new(["sms"]).dispositions(["sale", "callback"], true));
    s.add("ann", AgentSpec::agent().channel("sms", 1));
    s.arrive(1, sms());
    s.refused(
        resolve(1, "ann", &["sale", "oops"]),
        Error::UnknownDisposition("oops".into()),
    );
    s.refused(
        resolve(1, "ann", &[]),
        Error::DispositionRequired(1_u64.into()),
    );
    s.ok(resolve(1, "ann", &["sale", "callback"]));
    assert_eq!(
        s.router.conversation(&1_u64.into()).unwrap().state,
        ConversationState::Resolved {
            dispositions: vec!["sale".into(), "callback".into()]
        }
    );
}

#[test]
fn a_customer_message_asking_for_a_transfer_is_only_a_message() {
    let mut s = office();
    let before = s.router.clone();
    let d = s.ok(Event::CustomerMessage {
        conversation: 1_u64.into(),
    });
    assert!(d.is_empty());
    assert_eq!(s.holder(1).as_deref(), Some("ann"));
    assert_eq!(
        s.router.conversation(&1_u64.into()).unwrap().timeline,
        before.conversation(&1_u64.into()).unwrap().timeline
    );
    s.refused(
        Event::CustomerMessage {
            conversation: 9_u64.into(),
        },
        Error::UnknownConversation(9_u64.into()),
    );
}

#[test]
fn client_users_are_reached_only_by_a_super_admin_transfer() {
    let mut s = office();
    // Free sms capacity on the client user never pulls waiting work.
    assert_eq!(s.router.load(&"client".into(), "sms"), Ok(0));
    let d = s.transfer(2, "boss", to_agent("client"));
    assert_eq!(
        d,
        [
            Decision::Transferred {
                conversation: 2_u64.into(),
                from: None,
                by: "boss".into()
            },
            assigned(2, "client", 0)
        ]
    );
    // The client user may resolve what they hold.
    s.resolve(2, "client");
}
