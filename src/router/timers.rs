//! What happens when time passes: each due timer, earliest first.

use super::Router;
use crate::conversation::Holder;
use crate::decision::{Decision, Decisions};
use crate::dense::ConvIx;
use crate::history::Happening;
use crate::timer::Timer;

impl Router {
    /// Fires every timer due at or before now, earliest first; at the same
    /// time, in the order they were set.
    pub(super) fn fire_timers(&mut self, out: &mut Decisions) {
        while let Some((key, timer)) = self.timers.pop_due(self.now) {
            match timer {
                Timer::AwaitEnds(ci) => {
                    self.conversations[ci].timers.hold = None;
                    self.end_await(ci, out);
                }
                Timer::OfferExpires(ci) => {
                    self.conversations[ci].timers.hold = None;
                    self.expire_offer(ci, out);
                }
                Timer::Escalate(ci) => {
                    self.conversations[ci].timers.escalation = None;
                    self.escalate(ci, out);
                }
                Timer::WrapUpEnds(a, channel) => self.end_wrap_up(key, a, channel, out),
                Timer::ResponseDue(ci) => {
                    self.conversations[ci].timers.response = None;
                    self.response_overdue(ci, out);
                }
            }
        }
    }

    /// Sets the timer of `ci`'s next escalation step, if it has one left.
    pub(super) fn arm_escalation(&mut self, ci: ConvIx) {
        let conversation = &self.conversations[ci];
        if let Some(step) = conversation.escalation.get(conversation.steps_taken) {
            let at = conversation.arrived_at + step.after;
            let timer = self.timers.set(at, Timer::Escalate(ci));
            self.conversations[ci].timers.escalation = Some(timer);
        }
    }

    /// Takes `ci`'s next escalation step: its requirements widen, and if it
    /// waits, someone newly eligible and free takes it at once.
    fn escalate(&mut self, ci: ConvIx, out: &mut Decisions) {
        let conversation = &mut self.conversations[ci];
        let step = conversation.steps_taken;
        conversation.steps_taken += 1;
        let key = crate::class::ClassKey {
            channel: conversation.channel,
            skills: conversation.escalation[step].skills.clone(),
            team: conversation.escalation[step].team,
        };
        // Every step's class was made when the conversation arrived.
        let k = self.class_for(key);
        self.arm_escalation(ci);
        self.note(ci, None, Happening::Escalated { step });
        out.push(Decision::Escalated {
            conversation: self.conversations[ci].id.clone(),
            step,
        });
        self.reclass(ci, k, out);
    }

    /// `ci`'s agent missed the response deadline.
    fn response_overdue(&mut self, ci: ConvIx, out: &mut Decisions) {
        let conversation = &self.conversations[ci];
        let Holder::Agent(a) = conversation.holder else {
            unreachable!("a response timer only runs while an agent holds the conversation")
        };
        let since = conversation
            .awaiting_reply_since
            .expect("a response timer only runs while the customer awaits a reply");
        let agent = self.agents[a].id.clone();
        self.note(
            ci,
            None,
            Happening::ResponseOverdue {
                agent: agent.clone(),
            },
        );
        out.push(Decision::ResponseOverdue {
            conversation: self.conversations[ci].id.clone(),
            agent,
            since,
        });
        if self.config.response_overdue == crate::config::OverduePolicy::Requeue {
            self.requeue(ci, Some(a), out);
            self.pull(a, out);
        }
    }
}
