//! What happens when time passes: each due timer, earliest first.

use super::Router;
use crate::conversation::{ConversationTimers, Holder};
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
                    self.clear_timer(ci, |t| &mut t.hold);
                    self.end_await(ci, out);
                }
                Timer::OfferExpires(ci) => {
                    self.clear_timer(ci, |t| &mut t.hold);
                    self.expire_offer(ci, out);
                }
                Timer::Escalate(ci) => {
                    self.clear_timer(ci, |t| &mut t.escalation);
                    self.escalate(ci, out);
                }
                Timer::WrapUpEnds(a, channel) => self.end_wrap_up(key, a, channel, out),
                Timer::ResponseDue(ci) => {
                    self.clear_timer(ci, |t| &mut t.response);
                    self.response_overdue(ci, out);
                }
            }
        }
    }

    /// Sets the timer of `ci`'s next escalation step, if it has one left.
    pub(super) fn arm_escalation(&mut self, ci: ConvIx) {
        let conversation = &self.conversations[ci];
        if let Some((_, step)) = conversation.next_step() {
            let at = conversation.arrived_at + step.after;
            let timer = self.timers.set(at, Timer::Escalate(ci));
            self.conversations[ci].story_mut().timers.escalation = Some(timer);
        }
    }

    /// Forgets one of `ci`'s timers, which has fired.
    fn clear_timer(
        &mut self,
        ci: ConvIx,
        which: fn(&mut ConversationTimers) -> &mut Option<crate::timer::TimerKey>,
    ) {
        if let Some(timers) = self.conversations[ci].timers_mut() {
            *which(timers) = None;
        }
    }

    /// Takes `ci`'s next escalation step: its requirements widen, and if it
    /// waits, someone newly eligible and free takes it at once.
    fn escalate(&mut self, ci: ConvIx, out: &mut Decisions) {
        let conversation = &mut self.conversations[ci];
        let Some((step, next)) = conversation.next_step() else {
            unreachable!("an escalation timer only runs while a step is left")
        };
        let key = crate::class::ClassKey {
            channel: conversation.channel,
            skills: next.skills.clone(),
            team: next.team,
        };
        conversation.story_mut().steps_taken += 1;
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
            .awaiting_reply_since()
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
