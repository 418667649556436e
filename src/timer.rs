//! Timers: deadlines the router keeps for itself and fires on
//! [`Event::Tick`](crate::Event::Tick).
//!
//! Every timer has a key of (deadline, sequence number): timers due at the
//! same time fire in the order they were set, on every run.

use std::collections::BTreeMap;
use std::num::NonZeroU64;

use serde::{Deserialize, Serialize};

use crate::dense::{AgentIx, ChannelIx, ConvIx};
use crate::time::Timestamp;

/// Where a timer sits in the wheel; its owner keeps it to cancel it.
///
/// The sequence number counts from 1, so that an `Option<TimerKey>` (three
/// in every conversation) takes no more room than the key.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub(crate) struct TimerKey {
    pub(crate) at: Timestamp,
    seq: NonZeroU64,
}

/// What happens when a timer fires.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) enum Timer {
    /// A conversation stops waiting for one person.
    AwaitEnds(ConvIx),
    /// An offer times out.
    OfferExpires(ConvIx),
    /// A conversation takes its next escalation step.
    Escalate(ConvIx),
    /// An agent's wrap-up on a channel ends.
    WrapUpEnds(AgentIx, ChannelIx),
    /// An agent has not replied in time.
    ResponseDue(ConvIx),
}

/// Every pending timer, earliest first.
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Timers {
    #[serde(with = "crate::hash::btree_as_pairs")]
    pending: BTreeMap<TimerKey, Timer>,
    next_seq: u64,
}

impl Timers {
    /// Sets a timer and returns its key.
    ///
    /// A deadline at the end of time (`now + span` saturated at
    /// `u64::MAX`) never comes: such a timer is not kept. Were it kept, it
    /// would be due at once whenever the clock is at the end of time, and a
    /// timed-out offer, or an overdue conversation requeued, would move to
    /// the next agent with another deadline already due, back and forth
    /// forever within one tick.
    pub(crate) fn set(&mut self, at: Timestamp, timer: Timer) -> TimerKey {
        self.next_seq += 1;
        let key = TimerKey {
            at,
            seq: NonZeroU64::new(self.next_seq).unwrap_or(NonZeroU64::MAX),
        };
        if at != Timestamp(u64::MAX) {
            self.pending.insert(key, timer);
        }
        key
    }

    /// Cancels a timer (it may have fired already).
    pub(crate) fn cancel(&mut self, key: TimerKey) {
        self.pending.remove(&key);
    }

    /// Takes the earliest timer due at or before `now`.
    pub(crate) fn pop_due(&mut self, now: Timestamp) -> Option<(TimerKey, Timer)> {
        let entry = self.pending.first_entry()?;
        (entry.key().at <= now).then(|| entry.remove_entry())
    }

    /// The earliest deadline.
    pub(crate) fn next_deadline(&self) -> Option<Timestamp> {
        self.pending.first_key_value().map(|(key, _)| key.at)
    }
}
