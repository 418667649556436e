//! Offers, and the conversation between customer and agent: messages,
//! replies and response deadlines. Also the routing rules' replacement.

use super::Router;
use crate::agent::Presence;
use crate::conversation::Holder;
use crate::decision::{Decision, Decisions};
use crate::dense::{AgentIx, ConvIx};
use crate::error::Error;
use crate::history::Happening;
use crate::id::{AgentId, ConversationId};
use crate::rules::{RuleSet, Rules};
use crate::timer::Timer;

impl Router {
    /// The open conversation `id` and agent `agent`, if it is offered to them.
    fn offer(&self, id: &ConversationId, agent: &AgentId) -> Result<(ConvIx, AgentIx), Error> {
        let ci = self.open_conversation(id)?;
        let a = self.agent_ix(agent)?;
        match self.conversations[ci].holder {
            Holder::Offered(to, _) if to == a => Ok((ci, a)),
            _ => Err(Error::NoOffer {
                conversation: id.clone(),
                agent: agent.clone(),
            }),
        }
    }

    pub(super) fn accept_offer(
        &mut self,
        id: &ConversationId,
        agent: &AgentId,
        out: &mut Decisions,
    ) -> Result<(), Error> {
        let (ci, a) = self.offer(id, agent)?;
        let conversation = &mut self.conversations[ci];
        if let Some(timer) = conversation.timers_mut().and_then(|t| t.hold.take()) {
            self.timers.cancel(timer);
        }
        self.channels[conversation.channel.get()].offered -= 1;
        self.agents[a].missed_offers = 0;
        self.hold(ci, a, out);
        Ok(())
    }

    pub(super) fn decline_offer(
        &mut self,
        id: &ConversationId,
        agent: &AgentId,
        out: &mut Decisions,
    ) -> Result<(), Error> {
        let (ci, a) = self.offer(id, agent)?;
        self.end_offer(ci, a, true, out);
        Ok(())
    }

    /// An offer's time ran out.
    pub(super) fn expire_offer(&mut self, ci: ConvIx, out: &mut Decisions) {
        let Holder::Offered(a, _) = self.conversations[ci].holder else {
            unreachable!("an offer timer only runs while the offer stands")
        };
        let agent = &mut self.agents[a];
        agent.missed_offers += 1;
        if self
            .config
            .max_missed_offers
            .is_some_and(|max| agent.missed_offers >= max)
        {
            agent.missed_offers = 0;
            self.account(a);
            self.agents[a].presence = Presence::Away;
            self.sync(a);
            out.push(Decision::PresenceChanged {
                agent: self.agents[a].id.clone(),
                presence: Presence::Away,
            });
        }
        self.end_offer(ci, a, false, out);
    }

    /// Frees the slot of `a`'s offer of `ci` and sends `ci` on: to another
    /// free agent if there is one, or back to its place in line (where `a`
    /// may take it again, if it is first in line for `a`).
    fn end_offer(&mut self, ci: ConvIx, a: AgentIx, declined: bool, out: &mut Decisions) {
        self.release(ci);
        let agent = self.agents[a].id.clone();
        self.note(
            ci,
            None,
            Happening::OfferEnded {
                agent: agent.clone(),
                declined,
            },
        );
        out.push(Decision::OfferEnded {
            conversation: self.conversations[ci].id.clone(),
            agent,
            declined,
        });
        self.route(ci, Some(a), out);
        self.pull(a, out);
    }

    pub(super) fn customer_message(&mut self, id: &ConversationId) -> Result<(), Error> {
        let ci = self.open_conversation(id)?;
        let conversation = &mut self.conversations[ci];
        if conversation.awaiting_reply_since().is_none() {
            conversation.story_mut().awaiting_reply_since = Some(self.now);
            if matches!(conversation.holder, Holder::Agent(_)) {
                self.arm_response_deadline(ci);
            }
        }
        Ok(())
    }

    pub(super) fn agent_replied(
        &mut self,
        id: &ConversationId,
        agent: &AgentId,
    ) -> Result<(), Error> {
        let ci = self.open_conversation(id)?;
        let a = self.agent_ix(agent)?;
        let conversation = &self.conversations[ci];
        if conversation.holder != Holder::Agent(a) && !conversation.participants().contains(&a) {
            return Err(Error::NotHolder {
                conversation: id.clone(),
                agent: agent.clone(),
            });
        }
        let since_arrival = self.now - conversation.arrived_at;
        if conversation.first_response().is_none() {
            self.note(ci, Some(agent.clone()), Happening::FirstResponse);
        }
        let story = self.conversations[ci].story_mut();
        story.first_response.get_or_insert(since_arrival);
        story.awaiting_reply_since = None;
        if let Some(timer) = story.timers.response.take() {
            self.timers.cancel(timer);
        }
        Ok(())
    }

    /// Starts held `ci`'s response deadline, if its channel has one.
    pub(super) fn arm_response_deadline(&mut self, ci: ConvIx) {
        let channel = self.conversations[ci].channel;
        if let Some(deadline) = self.config.channels[channel.get()].response_deadline {
            let timer = self.timers.set(self.now + deadline, Timer::ResponseDue(ci));
            self.conversations[ci].story_mut().timers.response = Some(timer);
        }
    }

    pub(super) fn replace_rules(&mut self, rules: RuleSet) -> Result<(), Error> {
        self.rules = Rules::parse(&self.catalog, &rules)?;
        self.config.rules = rules;
        Ok(())
    }
}
