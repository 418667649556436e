//! History: each conversation's timeline, and each customer's past
//! conversations, kept within the retention the configuration sets.

use std::collections::VecDeque;
use std::collections::hash_map::Entry;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::config::Config;
use crate::dense::ChannelIx;
use crate::hash::FxHashMap;
use crate::id::{AgentId, ConversationId, CustomerId};
use crate::time::{Millis, Timestamp};
use crate::transfer::TransferTarget;

/// One thing that happened to a conversation.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Happening {
    /// The customer started it.
    Arrived,
    /// It went into the line of its routing class.
    Queued,
    /// An agent (or, by transfer, any person) got it.
    Assigned {
        /// Who got it.
        agent: AgentId,
    },
    /// It was taken from an agent who was removed or went offline.
    Requeued {
        /// Who held it.
        from: AgentId,
    },
    /// Someone asked for it to go elsewhere (the actor says who).
    TransferRequested {
        /// Where to.
        target: TransferTarget,
    },
    /// It started waiting for one person: a transfer's target, or the agent
    /// who last served the customer.
    Awaiting {
        /// The person it waits for.
        agent: AgentId,
    },
    /// It stopped waiting for that person (time ran out, or they left).
    AwaitEnded {
        /// The person it waited for.
        agent: AgentId,
    },
    /// A super admin joined it.
    Joined {
        /// The admin.
        admin: AgentId,
    },
    /// A super admin left it.
    Left {
        /// The admin.
        admin: AgentId,
    },
    /// It was resolved (the actor says by whom).
    Resolved {
        /// The disposition codes applied.
        dispositions: Vec<String>,
    },
    /// The customer left.
    Abandoned,
    /// It was offered to an agent.
    Offered {
        /// The agent.
        agent: AgentId,
    },
    /// The offer was declined (`declined`) or timed out.
    OfferEnded {
        /// The agent.
        agent: AgentId,
        /// Whether the agent declined it.
        declined: bool,
    },
    /// It took an escalation step (counting from 0).
    Escalated {
        /// Which step.
        step: usize,
    },
    /// Its agent first replied to the customer.
    FirstResponse,
    /// Its agent missed the channel's response deadline.
    ResponseOverdue {
        /// The agent.
        agent: AgentId,
    },
}

/// One line of a conversation's timeline.
///
/// ```
/// use omnirouter::{Happening, TimelineEntry, Timestamp};
/// let entry = TimelineEntry { at: Timestamp(5), actor: None, happening: Happening::Arrived };
/// assert_eq!(entry.happening, Happening::Arrived);
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct TimelineEntry {
    /// When it happened.
    pub at: Timestamp,
    /// The person who made it happen, if a person did.
    pub actor: Option<AgentId>,
    /// What happened.
    pub happening: Happening,
}

/// How a conversation ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Outcome {
    /// Resolved by an agent or a super admin.
    Resolved,
    /// The customer left.
    Abandoned,
}

/// One of a customer's past conversations, as
/// [`Router::customer_history`](crate::Router::customer_history) tells it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PastConversation<'a> {
    /// The conversation's id.
    pub id: &'a ConversationId,
    /// Its channel's name.
    pub channel: &'a str,
    /// Every person who held it, in order.
    pub agents: &'a [AgentId],
    /// The disposition codes it was resolved with.
    pub dispositions: &'a [String],
    /// When it arrived.
    pub arrived_at: Timestamp,
    /// When it ended.
    pub ended_at: Timestamp,
    /// How it ended.
    pub outcome: Outcome,
    /// Everything that happened to it.
    pub timeline: &'a [TimelineEntry],
    /// How long after arriving its agent first replied, if one did.
    pub first_response: Option<Millis>,
}

/// An ended conversation as remembered.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Ended {
    pub(crate) channel: ChannelIx,
    pub(crate) customer: CustomerId,
    pub(crate) priority: u32,
    pub(crate) arrived_at: Timestamp,
    pub(crate) ended_at: Timestamp,
    pub(crate) agents: SmallVec<[AgentId; 2]>,
    pub(crate) dispositions: Vec<String>,
    pub(crate) outcome: Outcome,
    pub(crate) timeline: Vec<TimelineEntry>,
    pub(crate) first_response: Option<Millis>,
    /// Tells this record from an older one of a reused id in `History::order`.
    serial: u64,
}

/// A customer's remembered conversations, oldest first.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
struct Customer {
    /// Two inline, as most customers have: remembering and forgetting a
    /// conversation then touches no allocation apart from the map's.
    past: SmallVec<[ConversationId; 2]>,
    /// The last holder of the customer's latest resolved conversation that
    /// had one; kept while the customer has any remembered conversation.
    last_agent: Option<AgentId>,
}

/// Ended conversations and the customer index over them.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct History {
    #[serde(with = "crate::hash::sorted_pairs")]
    ended: FxHashMap<ConversationId, Ended>,
    /// Ended conversations in the order they ended, with their serials; an
    /// entry whose record was already forgotten is skipped.
    order: VecDeque<(u64, ConversationId)>,
    #[serde(with = "crate::hash::sorted_pairs")]
    customers: FxHashMap<CustomerId, Customer>,
    next_serial: u64,
}

/// What [`History::record`] needs that the conversation does not know.
pub(crate) struct Ending {
    pub(crate) channel: ChannelIx,
    pub(crate) customer: CustomerId,
    pub(crate) priority: u32,
    pub(crate) arrived_at: Timestamp,
    pub(crate) agents: SmallVec<[AgentId; 2]>,
    pub(crate) dispositions: Vec<String>,
    pub(crate) outcome: Outcome,
    pub(crate) timeline: Vec<TimelineEntry>,
    pub(crate) first_response: Option<Millis>,
}

impl History {
    pub(crate) fn get(&self, id: &ConversationId) -> Option<(&ConversationId, &Ended)> {
        self.ended.get_key_value(id)
    }

    pub(crate) fn contains(&self, id: &ConversationId) -> bool {
        self.ended.contains_key(id)
    }

    /// The agent who resolved `customer`'s latest remembered resolved conversation.
    pub(crate) fn last_agent(&self, customer: &CustomerId) -> Option<&AgentId> {
        self.customers.get(customer)?.last_agent.as_ref()
    }

    /// `customer`'s remembered conversations, oldest first.
    pub(crate) fn customer(
        &self,
        customer: &CustomerId,
    ) -> impl Iterator<Item = (&ConversationId, &Ended)> {
        self.customers
            .get(customer)
            .into_iter()
            .flat_map(|c| c.past.iter())
            .filter_map(|id| self.ended.get_key_value(id))
    }

    /// Remembers an ended conversation, then forgets what the retention
    /// limits say to.
    pub(crate) fn record(
        &mut self,
        id: ConversationId,
        ending: Ending,
        now: Timestamp,
        config: &Config,
    ) {
        if config.ended_retention == 0 || config.history_per_customer == 0 {
            return;
        }
        let serial = self.next_serial;
        self.next_serial += 1;
        let customer = self.customers.entry(ending.customer.clone()).or_default();
        customer.past.push(id.clone());
        if let (Outcome::Resolved, Some(agent)) = (ending.outcome, ending.agents.last()) {
            customer.last_agent = Some(agent.clone());
        }
        let overflow =
            (customer.past.len() > config.history_per_customer).then(|| customer.past.remove(0));
        if let Some(oldest) = overflow {
            self.ended.remove(&oldest);
        }
        self.order.push_back((serial, id.clone()));
        self.ended.insert(
            id,
            Ended {
                channel: ending.channel,
                customer: ending.customer,
                priority: ending.priority,
                arrived_at: ending.arrived_at,
                ended_at: now,
                agents: ending.agents,
                dispositions: ending.dispositions,
                outcome: ending.outcome,
                timeline: ending.timeline,
                first_response: ending.first_response,
                serial,
            },
        );
        while self.ended.len() > config.ended_retention {
            self.forget_oldest();
        }
        self.forget_older_than_horizon(now, config);
    }

    /// Forgets every ended conversation that ended before the horizon.
    pub(crate) fn forget_older_than_horizon(&mut self, now: Timestamp, config: &Config) {
        let Some(horizon) = config.history_horizon else {
            return;
        };
        let cutoff = Timestamp(now.0.saturating_sub(horizon.0));
        while let Some((serial, id)) = self.order.front() {
            match self.ended.get(id) {
                Some(e) if e.serial == *serial => {
                    if e.ended_at >= cutoff {
                        break;
                    }
                    self.forget_oldest();
                }
                // Already forgotten (per-customer limit): just drop the entry.
                _ => {
                    self.order.pop_front();
                }
            }
        }
    }

    /// Forgets the conversation that ended first (skipping stale entries).
    fn forget_oldest(&mut self) {
        while let Some((serial, id)) = self.order.pop_front() {
            // Found once: looked at, then removed if it is this entry's.
            let Entry::Occupied(entry) = self.ended.entry(id) else {
                continue;
            };
            if entry.get().serial != serial {
                continue;
            }
            let (id, ended) = entry.remove_entry();
            let now_empty = self.customers.get_mut(&ended.customer).is_some_and(|c| {
                if let Some(pos) = c.past.iter().position(|x| *x == id) {
                    c.past.remove(pos);
                }
                c.past.is_empty()
            });
            if now_empty {
                self.customers.remove(&ended.customer);
            }
            return;
        }
    }
}
