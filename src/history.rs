//! History: each conversation's timeline, and each customer's past
//! conversations, kept within the retention the configuration sets.

mod timelines;

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::config::Config;
use crate::dense::ChannelIx;
use crate::hash::FxHashMap;
use crate::id::{AgentId, ConversationId, CustomerId};
use crate::time::{Millis, Timestamp};
use crate::transfer::TransferTarget;
use timelines::{Span, Timelines};

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
    pub(crate) outcome: Outcome,
    /// Where its timeline is kept (see [`History::timeline`]).
    timeline: Span,
    pub(crate) first_response: Option<Millis>,
}

/// A remembered conversation: its id and its record.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
struct Remembered {
    id: ConversationId,
    ended: Ended,
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
///
/// Records are kept in the order their conversations ended, so that
/// remembering one writes at the back and forgetting the oldest reads at
/// the front, where a map of whole records wrote and read them at random
/// places; the map by id holds only where each record is. A record
/// forgotten early (past a customer's limit) leaves a gap, and the gaps
/// are closed once they are a quarter as many as the records.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct History {
    /// Ended conversations, oldest first; `None` is a gap.
    records: VecDeque<Option<Remembered>>,
    /// The serial of `records[0]`: `records[i]` has serial
    /// `first_serial + i`, until closing the gaps numbers them anew.
    first_serial: u64,
    /// How many gaps `records` has.
    gaps: usize,
    /// The serial of each remembered conversation's record.
    #[serde(with = "crate::hash::sorted_pairs")]
    serials: FxHashMap<ConversationId, u64>,
    #[serde(with = "crate::hash::sorted_pairs")]
    customers: FxHashMap<CustomerId, Customer>,
    /// The records' timelines.
    timelines: Timelines,
}

/// What [`History::record`] needs that the conversation does not know.
pub(crate) struct Ending {
    pub(crate) channel: ChannelIx,
    pub(crate) customer: CustomerId,
    pub(crate) priority: u32,
    pub(crate) arrived_at: Timestamp,
    pub(crate) agents: SmallVec<[AgentId; 2]>,
    pub(crate) outcome: Outcome,
    /// Its timeline, which ends with [`Happening::Resolved`] if it was
    /// resolved: the disposition codes are kept there alone.
    pub(crate) timeline: Vec<TimelineEntry>,
    pub(crate) first_response: Option<Millis>,
}

impl History {
    pub(crate) fn get(&self, id: &ConversationId) -> Option<(&ConversationId, &Ended)> {
        let serial = *self.serials.get(id)?;
        let remembered = self.records.get(self.place(serial)?)?.as_ref()?;
        Some((&remembered.id, &remembered.ended))
    }

    /// The timeline of `ended`, a record of this history.
    pub(crate) fn timeline(&self, ended: &Ended) -> &[TimelineEntry] {
        self.timelines.get(ended.timeline)
    }

    /// The disposition codes `ended`, a record of this history, was
    /// resolved with: those of its timeline's last entry, which is
    /// [`Happening::Resolved`] if it was resolved; none if it was abandoned.
    pub(crate) fn dispositions(&self, ended: &Ended) -> &[String] {
        match self.timeline(ended).last().map(|entry| &entry.happening) {
            Some(Happening::Resolved { dispositions }) => dispositions,
            _ => &[],
        }
    }

    pub(crate) fn contains(&self, id: &ConversationId) -> bool {
        self.serials.contains_key(id)
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
            .filter_map(|id| self.get(id))
    }

    /// Where in `records` the record of `serial` is, if it is that far.
    fn place(&self, serial: u64) -> Option<usize> {
        usize::try_from(serial.checked_sub(self.first_serial)?).ok()
    }

    /// Remembers an ended conversation, then forgets what the retention
    /// limits say to; gives back its timeline's vector, emptied if it was
    /// remembered, for a new timeline to use.
    pub(crate) fn record(
        &mut self,
        id: ConversationId,
        mut ending: Ending,
        now: Timestamp,
        config: &Config,
    ) -> Vec<TimelineEntry> {
        if config.ended_retention == 0 || config.history_per_customer == 0 {
            return ending.timeline;
        }
        let customer = self.customers.entry(ending.customer.clone()).or_default();
        customer.past.push(id.clone());
        if let (Outcome::Resolved, Some(agent)) = (ending.outcome, ending.agents.last()) {
            customer.last_agent = Some(agent.clone());
        }
        let overflow =
            (customer.past.len() > config.history_per_customer).then(|| customer.past.remove(0));
        if let Some(oldest) = overflow {
            self.leave_gap(&oldest);
        }
        let serial = self.first_serial + self.records.len() as u64;
        // Handlers refuse a conversation whose id is remembered, so this
        // finds no older record of the id; if it did, that one goes.
        if let Some(older) = self.serials.insert(id.clone(), serial) {
            self.gap_at(older);
        }
        self.records.push_back(Some(Remembered {
            id,
            ended: Ended {
                channel: ending.channel,
                customer: ending.customer,
                priority: ending.priority,
                arrived_at: ending.arrived_at,
                ended_at: now,
                agents: ending.agents,
                outcome: ending.outcome,
                timeline: self.timelines.keep(ending.timeline.drain(..)),
                first_response: ending.first_response,
            },
        }));
        while self.serials.len() > config.ended_retention {
            self.forget_oldest();
        }
        self.forget_older_than_horizon(now, config);
        self.close_gaps_if_many();
        ending.timeline
    }

    /// Forgets the record of `id`, if one is remembered, leaving a gap
    /// where it was; its customer's list is the caller's to mend.
    fn leave_gap(&mut self, id: &ConversationId) {
        if let Some(serial) = self.serials.remove(id) {
            self.gap_at(serial);
        }
    }

    /// Leaves a gap where the record of `serial` is.
    fn gap_at(&mut self, serial: u64) {
        let slot = self.place(serial).and_then(|at| self.records.get_mut(at));
        if let Some(slot @ Some(_)) = slot {
            *slot = None;
            self.gaps += 1;
        }
    }

    /// Closes the gaps once they are a quarter as many as the records
    /// (and 64), so that a customer whose conversations keep pushing out
    /// their own older ones cannot grow the records past their limit.
    fn close_gaps_if_many(&mut self) {
        if self.gaps <= self.serials.len() / 4 + 64 {
            return;
        }
        self.records.retain(Option::is_some);
        self.gaps = 0;
        for (at, remembered) in self.records.iter().flatten().enumerate() {
            if let Some(serial) = self.serials.get_mut(&remembered.id) {
                *serial = self.first_serial + at as u64;
            }
        }
        let spans = (self.records.iter_mut().flatten()).map(|r| &mut r.ended.timeline);
        self.timelines.keep_only(spans);
    }

    /// Forgets every ended conversation that ended before the horizon.
    pub(crate) fn forget_older_than_horizon(&mut self, now: Timestamp, config: &Config) {
        let Some(horizon) = config.history_horizon else {
            return;
        };
        let cutoff = Timestamp(now.0.saturating_sub(horizon.0));
        while let Some(front) = self.records.front() {
            match front {
                Some(r) if r.ended.ended_at >= cutoff => break,
                Some(_) => self.forget_oldest(),
                None => self.drop_front_gap(),
            }
        }
    }

    /// Drops the gap at the front of the records.
    fn drop_front_gap(&mut self) {
        if let Some(None) = self.records.front() {
            self.records.pop_front();
            self.first_serial += 1;
            self.gaps = self.gaps.saturating_sub(1);
        }
    }

    /// Forgets the conversation that ended first, and the gaps before it.
    fn forget_oldest(&mut self) {
        while let Some(None) = self.records.front() {
            self.drop_front_gap();
        }
        let Some(Some(Remembered { id, ended })) = self.records.pop_front() else {
            return;
        };
        self.first_serial += 1;
        self.serials.remove(&id);
        self.timelines.forget_before(ended.timeline);
        let now_empty = self.customers.get_mut(&ended.customer).is_some_and(|c| {
            if let Some(pos) = c.past.iter().position(|x| *x == id) {
                c.past.remove(pos);
            }
            c.past.is_empty()
        });
        if now_empty {
            self.customers.remove(&ended.customer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ending(customer: u64, at: u64) -> Ending {
        Ending {
            channel: ChannelIx(0),
            customer: CustomerId::from(customer),
            priority: 0,
            arrived_at: Timestamp(at),
            agents: SmallVec::new(),
            outcome: Outcome::Abandoned,
            timeline: timeline(at),
            first_response: None,
        }
    }

    /// The timeline of the conversation that arrived at `at`: `at % 5`
    /// entries, at `at` on.
    fn timeline(at: u64) -> Vec<TimelineEntry> {
        (at..at + at % 5)
            .map(|t| TimelineEntry {
                at: Timestamp(t),
                actor: None,
                happening: Happening::Queued,
            })
            .collect()
    }

    /// Customers take turns unevenly, each keeping its last three, under a
    /// total of 500: after every record, exactly the conversations a list
    /// kept by hand says are remembered, each found with its own record
    /// and timeline, while the gaps are closed again and again.
    #[test]
    fn closing_gaps_keeps_every_record_found() {
        let mut config = Config::new(["sms"]);
        config.history_per_customer = 3;
        config.ended_retention = 500;
        let mut history = History::default();
        let mut kept: VecDeque<(u64, u64)> = VecDeque::new();
        let (mut closed, mut gaps_before) = (0, 0);
        for n in 0..5_000_u64 {
            let customer = if n % 3 == 0 { n % 400 } else { n % 7 };
            history.record(
                ConversationId::from(n),
                ending(customer, n),
                Timestamp(n),
                &config,
            );
            kept.push_back((n, customer));
            let theirs: Vec<_> = kept
                .iter()
                .filter(|k| k.1 == customer)
                .map(|k| k.0)
                .collect();
            if theirs.len() > 3 {
                kept.retain(|k| k.0 != theirs[0]);
            }
            if kept.len() > 500 {
                kept.pop_front();
            }
            closed += usize::from(gaps_before > 64 && history.gaps == 0);
            gaps_before = history.gaps;
            assert_eq!(history.serials.len(), kept.len());
            assert!(history.gaps <= kept.len() / 4 + 64);
            for &(id, customer) in kept.iter().rev().take(20).chain(kept.iter().take(20)) {
                let (found, ended) = history.get(&ConversationId::from(id)).unwrap();
                assert_eq!(
                    (found, ended.arrived_at),
                    (&ConversationId::from(id), Timestamp(id))
                );
                assert_eq!(ended.customer, CustomerId::from(customer));
                assert_eq!(history.timeline(ended), timeline(id));
            }
        }
        assert!(closed > 0, "the gaps were never closed");
    }
}
