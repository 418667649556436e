//! Live statistics, kept as counters as events happen, so that nothing
//! scans: a routing queue's statistics cost O(1) (its longest current wait
//! is kept at hand), a channel's O(queues on the channel).
//!
//! Counters start afresh on [`Event::StatisticsReset`](crate::Event::StatisticsReset).
//! Resetting is O(channels): routing queues and agents notice a reset the
//! next time they are touched or asked, by an epoch number.

use serde::{Deserialize, Serialize};

use crate::time::{Millis, Timestamp};

/// What happened on a channel or in a routing queue since the last reset,
/// and what waits there now.
///
/// "Answered" counts conversations given to an agent for the first time
/// (accepted, on channels with offers), with their wait from arrival; the
/// service level is the share of those answered within
/// [`Config::service_level_threshold`](crate::Config::service_level_threshold).
#[derive(Clone, Copy, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct QueueStats {
    /// Conversations waiting in line now.
    pub waiting: usize,
    /// How long the conversation waiting longest has been in line (since it
    /// last entered it); zero if none waits.
    pub longest_wait: Millis,
    /// Conversations answered since the reset.
    pub answered: u64,
    /// Conversations abandoned while waiting in line since the reset.
    pub abandoned: u64,
    /// Mean wait from arrival of the answered conversations, if any.
    pub average_wait: Option<Millis>,
    /// Share of answered conversations answered within the threshold, if any.
    pub service_level: Option<f64>,
}

/// Live statistics of one channel.
#[derive(Clone, Copy, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct ChannelStats {
    /// Waiting, answered and abandoned conversations, waits and service level.
    pub queue: QueueStats,
    /// Conversations held by agents now (offers not yet accepted aside).
    pub assigned: usize,
    /// Conversations offered and not yet accepted now.
    pub offered: usize,
}

/// Live statistics of one agent since the last reset.
#[derive(Clone, Copy, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct AgentStats {
    /// Slot-time busy (holding, offered or wrapping up) over slot-time
    /// staffed (the sum of its channel capacities), both counted while it
    /// is not offline; `None` before any staffed time.
    pub occupancy: Option<f64>,
    /// Conversations it was given (accepted, with offers) since the reset.
    pub handled: u64,
}

/// A `u128` counter kept as two words (high first), so that it needs no
/// 16-byte alignment (an agent would grow by its padding) and every serde
/// format can carry it.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Wide {
    high: u64,
    low: u64,
}

impl Wide {
    pub(crate) fn get(self) -> u128 {
        u128::from(self.high) << 64 | u128::from(self.low)
    }

    /// Adds `n`, stopping at the largest value rather than wrapping.
    pub(crate) fn add(&mut self, n: u128) {
        let sum = self.get().saturating_add(n);
        (self.high, self.low) = ((sum >> 64) as u64, sum as u64);
    }
}

/// Answers and abandons since a reset.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Tally {
    pub(crate) epoch: u64,
    pub(crate) answered: u64,
    pub(crate) abandoned: u64,
    pub(crate) wait_sum_ms: Wide,
    pub(crate) within_threshold: u64,
}

impl Tally {
    /// Forgets what came before reset `epoch`.
    pub(crate) fn catch_up(&mut self, epoch: u64) {
        if self.epoch != epoch {
            *self = Tally {
                epoch,
                ..Tally::default()
            };
        }
    }

    pub(crate) fn answer(&mut self, epoch: u64, waited: Millis, threshold: Millis) {
        self.catch_up(epoch);
        self.answered += 1;
        self.wait_sum_ms.add(u128::from(waited.0));
        self.within_threshold += u64::from(waited <= threshold);
    }

    pub(crate) fn abandon(&mut self, epoch: u64) {
        self.catch_up(epoch);
        self.abandoned += 1;
    }

    /// The tally as of reset `epoch`, plus what waits now: how many, and
    /// since when the longest waiter has waited.
    pub(crate) fn report(
        &self,
        epoch: u64,
        waiting: usize,
        oldest: Option<Timestamp>,
        now: Timestamp,
    ) -> QueueStats {
        let mut tally = *self;
        tally.catch_up(epoch);
        QueueStats {
            waiting,
            longest_wait: oldest.map_or(Millis(0), |since| now - since),
            answered: tally.answered,
            abandoned: tally.abandoned,
            average_wait: (tally.answered > 0)
                .then(|| Millis((tally.wait_sum_ms.get() / u128::from(tally.answered)) as u64)),
            service_level: (tally.answered > 0)
                .then(|| tally.within_threshold as f64 / tally.answered as f64),
        }
    }
}

/// An agent's busy and staffed slot-time since a reset.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
pub(crate) struct Occupancy {
    pub(crate) epoch: u64,
    /// Counted up to this time.
    pub(crate) until: Timestamp,
    pub(crate) busy_slot_ms: Wide,
    pub(crate) staffed_slot_ms: Wide,
    pub(crate) handled: u64,
}

impl Occupancy {
    /// Counts the time from the last count to `now` with the agent's slots
    /// as they were (`counting` is false while it is offline).
    pub(crate) fn advance(
        &mut self,
        epoch: u64,
        reset_at: Timestamp,
        now: Timestamp,
        counting: bool,
        busy: u32,
        staffed: u64,
    ) {
        if self.epoch != epoch {
            *self = Occupancy {
                epoch,
                until: self.until.max(reset_at),
                ..Occupancy::default()
            };
        }
        let span = u128::from((now - self.until).0);
        if counting {
            self.busy_slot_ms.add(span * u128::from(busy));
            self.staffed_slot_ms.add(span * u128::from(staffed));
        }
        self.until = self.until.max(now);
    }

    pub(crate) fn report(&self) -> AgentStats {
        AgentStats {
            occupancy: (self.staffed_slot_ms.get() > 0)
                .then(|| self.busy_slot_ms.get() as f64 / self.staffed_slot_ms.get() as f64),
            handled: self.handled,
        }
    }
}
