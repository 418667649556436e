//! Small helpers shared by the scenario tests.
#![allow(dead_code)]

use omnirouter::*;

/// A router on "sms" and "chat", skills "billing" and "french", team "tier2",
/// that panics with the event on any refusal.
pub struct Scenario {
    pub router: Router,
    pub t: u64,
}

impl Scenario {
    pub fn new(config: Config) -> Self {
        Scenario {
            router: Router::new(config).expect("valid config"),
            t: 0,
        }
    }

    pub fn standard() -> Self {
        Scenario::new(
            Config::new(["sms", "chat"])
                .skills(["billing", "french"])
                .teams(["tier2"]),
        )
    }

    /// Feeds `event` one millisecond after the last one; panics on refusal.
    pub fn ok(&mut self, event: Event) -> Vec<Decision> {
        self.t += 1;
        match self.router.handle(Timestamp(self.t), event.clone()) {
            Ok(d) => d.to_vec(),
            Err(e) => panic!("{event:?} was refused: {e}"),
        }
    }

    /// Feeds `event` and asserts it is refused with `expected`, changing nothing.
    pub fn refused(&mut self, event: Event, expected: Error) {
        let before = self.router.clone();
        let got = self.router.handle(Timestamp(self.t + 1), event);
        assert_eq!(got, Err(expected));
        assert_eq!(self.router, before, "a refused event changed the router");
    }

    pub fn add(&mut self, agent: &str, spec: AgentSpec) -> Vec<Decision> {
        self.ok(Event::AgentAdded {
            agent: agent.into(),
            spec,
            presence: Presence::Available,
        })
    }

    pub fn arrive(&mut self, id: u64, spec: ConversationSpec) -> Vec<Decision> {
        self.ok(Event::ConversationArrived {
            conversation: id.into(),
            spec,
        })
    }

    pub fn presence(&mut self, agent: &str, presence: Presence) -> Vec<Decision> {
        self.ok(Event::PresenceChanged {
            agent: agent.into(),
            presence,
        })
    }

    pub fn transfer(&mut self, id: u64, by: &str, to: TransferTarget) -> Vec<Decision> {
        self.ok(transfer(id, by, to))
    }

    pub fn resolve(&mut self, id: u64, by: &str) -> Vec<Decision> {
        self.ok(resolve(id, by, &[]))
    }

    pub fn holder(&self, id: u64) -> Option<String> {
        match self.router.conversation(&id.into())?.state {
            ConversationState::Assigned { agent } => Some(agent.to_string()),
            _ => None,
        }
    }
}

pub fn transfer(id: u64, by: &str, to: TransferTarget) -> Event {
    Event::TransferRequested {
        conversation: id.into(),
        by: by.into(),
        to,
    }
}

pub fn resolve(id: u64, by: &str, codes: &[&str]) -> Event {
    Event::ConversationResolved {
        conversation: id.into(),
        by: by.into(),
        dispositions: codes.iter().map(|c| c.to_string()).collect(),
    }
}

pub fn to_agent(name: &str) -> TransferTarget {
    TransferTarget::Agent(name.into())
}

pub fn sms() -> ConversationSpec {
    ConversationSpec::new("sms", "cust")
}

pub fn assigned(id: u64, agent: &str, waited: u64) -> Decision {
    Decision::Assigned {
        conversation: id.into(),
        agent: agent.into(),
        waited: Millis(waited),
    }
}
