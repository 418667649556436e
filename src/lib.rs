//! `omnirouter` decides which human agent handles which customer
//! conversation, across every channel of a unified inbox.
//!
//! It is a pure state machine: no I/O, no threads, no clock. The host feeds
//! a [`Router`] [`Event`]s stamped with the current [`Timestamp`] and carries
//! out the [`Decision`]s it returns. The same configuration and events always
//! give the same decisions.
//!
//! # The host loop
//!
//! ```
//! use omnirouter::{AgentSpec, Config, ConversationSpec, Decision, Event, Presence, Router, Timestamp};
//!
//! let mut router = Router::new(Config::new(["sms", "live_chat"]).skills(["billing"]))?;
//!
//! // Events come from the host's own inputs: agents logging in, customers writing...
//! let events = [
//!     Event::AgentAdded {
//!         agent: "ann".into(),
//!         spec: AgentSpec::agent().channel("sms", 1).skill("billing", 3),
//!         presence: Presence::Available,
//!     },
//!     Event::ConversationArrived {
//!         conversation: 1_u64.into(),
//!         spec: ConversationSpec::new("sms", "+27825550100").skill("billing", 2),
//!     },
//!     Event::ConversationArrived {
//!         conversation: 2_u64.into(),
//!         spec: ConversationSpec::new("sms", "+27825550101"),
//!     },
//!     Event::ConversationResolved { conversation: 1_u64.into(), by: "ann".into(), dispositions: vec![] },
//! ];
//! let mut log = Vec::new();
//! for (ms, event) in events.into_iter().enumerate() {
//!     // ...and every decision is something for the host to carry out.
//!     for decision in router.handle(Timestamp(ms as u64 * 1_000), event)? {
//!         match decision {
//!             Decision::Assigned { conversation, agent, waited } => {
//!                 log.push(format!("{conversation} -> {agent} after {waited}"))
//!             }
//!             Decision::Queued { conversation, ahead } => {
//!                 log.push(format!("{conversation} waits behind {ahead}"))
//!             }
//!             other => log.push(format!("{other:?}")),
//!         }
//!     }
//! }
//! assert_eq!(log[0], "1 -> ann after 0ms");
//! assert_eq!(log[1], "2 waits behind 0");
//! assert_eq!(log[3], "2 -> ann after 1000ms");
//! # Ok::<(), omnirouter::Error>(())
//! ```
//!
//! # The contract
//!
//! After every call to [`Router::handle`]:
//!
//! 1. **Capacity**: no agent is given a conversation on a channel where it
//!    is at its capacity (or over its total capacity). Lowering a capacity
//!    takes nothing away; it only stops new ones.
//! 2. **Nothing lost**: every open conversation is either waiting once or
//!    held by exactly one agent.
//! 3. **Eligibility**: conversations go only to available agents of role
//!    [`Role::Agent`] with the channel, every required skill at its level,
//!    and the conversation's team.
//! 4. **No idle capacity while work waits**: no waiting conversation has a
//!    free eligible agent.
//! 5. **Order**: a freed agent takes the highest priority, then the longest
//!    waiting conversation it is eligible for; among agents, the
//!    [`Strategy`] decides, ties broken by the order agents were added.
//! 6. **Atomic**: an event that returns `Err` changes nothing.
//! 7. **Deterministic**: no hash map's order decides anything.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod agent;
mod agent_set;
mod catalog;
mod class;
mod config;
mod conversation;
mod decision;
mod dense;
mod error;
mod event;
mod hash;
mod history;
mod id;
mod line;
mod router;
mod rules;
mod seal;
mod skill;
mod sorted_set;
mod stats;
mod strategy;
mod time;
mod timer;
mod transfer;
mod wait_line;

pub use agent::{AgentSpec, ChannelCapacity, Presence, Role};
pub use config::{ChannelConfig, Config, MAX_CAPACITY, MAX_NAMES, OfflinePolicy, OverduePolicy};
pub use conversation::{ConversationSpec, ConversationState, ConversationView};
pub use decision::{Decision, Decisions};
pub use error::Error;
pub use event::Event;
pub use history::{Happening, Outcome, PastConversation, TimelineEntry};
pub use id::{AgentId, ConversationId, CustomerId, HostId};
pub use router::{InboxEntry, QueueInfo, Router};
pub use rules::{EscalationStep, Route, Rule, RuleSet};
pub use skill::SkillLevel;
pub use stats::{AgentStats, ChannelStats, QueueStats};
pub use strategy::Strategy;
pub use time::{Millis, Timestamp};
pub use transfer::TransferTarget;

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
