//! Hand-made moves: transfers, super admins joining and leaving, and the
//! preferred agent of a returning customer.
//!
//! Who may do what:
//!
//! | actor | transfer | to | join / leave | resolve |
//! |---|---|---|---|---|
//! | `Agent`, `ClientUser` | only what they hold | an agent, a team, skills | no | only what they hold |
//! | `SuperAdmin` | anything open | anyone, a team, skills | yes | anything open |
//!
//! Nobody can assign a conversation to themselves, and no event lets an agent
//! pick a conversation: routing alone decides, transfers only send away.

use super::Router;
use crate::agent::Role;
use crate::class::ClassKey;
use crate::conversation::Holder;
use crate::decision::{Decision, Decisions};
use crate::dense::{AgentIx, ConvIx};
use crate::error::Error;
use crate::history::Happening;
use crate::id::{AgentId, ConversationId};
use crate::line::MAX_NEW_LINES_PER_CLASS;
use crate::skill::SkillSet;
use crate::transfer::TransferTarget;

/// A transfer target with its names checked and interned.
enum Target {
    Person(AgentIx),
    Class(ClassKey),
}

impl Router {
    pub(super) fn transfer(
        &mut self,
        id: &ConversationId,
        by: &AgentId,
        to: TransferTarget,
        out: &mut Decisions,
    ) -> Result<(), Error> {
        let ci = self.open_conversation(id)?;
        let actor = self.agent_ix(by)?;
        let admin = self.agents[actor].role == Role::SuperAdmin;
        let holder = self.conversations[ci].holder;
        if !admin && holder != Holder::Agent(actor) {
            return Err(Error::NotHolder {
                conversation: id.clone(),
                agent: by.clone(),
            });
        }
        let channel = self.conversations[ci].channel;
        let target = match &to {
            TransferTarget::Agent(person) => {
                let p = self.agent_ix(person)?;
                if p == actor {
                    return Err(Error::TransferToSelf(by.clone()));
                }
                if matches!(holder, Holder::Agent(h) | Holder::Offered(h, _) | Holder::Awaiting(h, _) if h == p)
                {
                    return Err(Error::AlreadyWith {
                        conversation: id.clone(),
                        agent: person.clone(),
                    });
                }
                let target_role = self.agents[p].role;
                if !admin && target_role != Role::Agent {
                    return Err(Error::NotPermitted {
                        actor: by.clone(),
                        role: self.agents[actor].role,
                        action: "transfer to a super admin or client user",
                    });
                }
                if self.agents[p].capacity_on(channel) == 0 {
                    return Err(Error::CannotServeChannel {
                        agent: person.clone(),
                        channel: self.catalog.channel_name(channel).to_owned(),
                    });
                }
                Target::Person(p)
            }
            TransferTarget::Team(team) => Target::Class(ClassKey {
                channel,
                skills: SkillSet::default(),
                team: Some(self.catalog.team(team)?),
            }),
            TransferTarget::Skills(skills) => Target::Class(ClassKey {
                channel,
                skills: self.catalog.skills(skills)?,
                team: None,
            }),
        };
        if let Target::Class(key) = &target
            && !self.class_ids.contains_key(key)
        {
            if !self.classes.has_room() {
                return Err(Error::Full("routing class"));
            }
            if !self.lines.has_room_for(MAX_NEW_LINES_PER_CLASS) {
                return Err(Error::Full("free-agent line"));
            }
        }

        self.note(
            ci,
            Some(by.clone()),
            // The event's own target, kept without a copy of its names.
            Happening::TransferRequested { target: to },
        );
        let from = self.detach(ci);
        out.push(Decision::Transferred {
            conversation: id.clone(),
            from: from.map(|h| self.agents[h].id.clone()),
            by: by.clone(),
        });
        self.conversations[ci].story_mut().queued_at = self.now;
        match target {
            Target::Person(p) => {
                let agent = &self.agents[p];
                if agent.presence.is_routable() && self.has_room(agent, channel) {
                    self.assign(ci, p, out);
                } else {
                    let until = self.now + self.config.transfer_wait;
                    self.await_person(ci, p, until, out);
                }
            }
            Target::Class(key) => {
                let story = self.conversations[ci].story_mut();
                story.steps_taken = story.escalation.len();
                if let Some(timer) = story.timers.escalation.take() {
                    self.timers.cancel(timer);
                }
                self.conversations[ci].class = self.class_for(key);
                self.route(ci, from, out);
            }
        }
        if let Some(h) = from {
            self.pull(h, out);
        }
        Ok(())
    }

    pub(super) fn join(
        &mut self,
        id: &ConversationId,
        admin: &AgentId,
        out: &mut Decisions,
    ) -> Result<(), Error> {
        let (ci, a) = self.admin_and_conversation(id, admin, "join conversations")?;
        if self.conversations[ci].participants().contains(&a) {
            return Err(Error::AlreadyJoined {
                conversation: id.clone(),
                admin: admin.clone(),
            });
        }
        self.conversations[ci].story_mut().participants.push(a);
        self.agents[a].joined.push(ci);
        self.note(
            ci,
            Some(admin.clone()),
            Happening::Joined {
                admin: admin.clone(),
            },
        );
        out.push(Decision::Joined {
            conversation: id.clone(),
            admin: admin.clone(),
        });
        Ok(())
    }

    pub(super) fn leave(
        &mut self,
        id: &ConversationId,
        admin: &AgentId,
        out: &mut Decisions,
    ) -> Result<(), Error> {
        let (ci, a) = self.admin_and_conversation(id, admin, "leave conversations")?;
        if !self.conversations[ci].participants().contains(&a) {
            return Err(Error::NotJoined {
                conversation: id.clone(),
                admin: admin.clone(),
            });
        }
        self.agents[a].joined.retain(|&mut x| x != ci);
        self.drop_participant(ci, a, Some(admin.clone()), out);
        Ok(())
    }

    /// Checks that `admin` is a super admin and `id` is open.
    fn admin_and_conversation(
        &self,
        id: &ConversationId,
        admin: &AgentId,
        action: &'static str,
    ) -> Result<(ConvIx, AgentIx), Error> {
        let ci = self.open_conversation(id)?;
        let a = self.agent_ix(admin)?;
        let role = self.agents[a].role;
        if role != Role::SuperAdmin {
            return Err(Error::NotPermitted {
                actor: admin.clone(),
                role,
                action,
            });
        }
        Ok((ci, a))
    }

    /// Takes admin `a` out of `ci`'s participants (the caller updates the
    /// admin's own list).
    pub(super) fn drop_participant(
        &mut self,
        ci: ConvIx,
        a: AgentIx,
        actor: Option<AgentId>,
        out: &mut Decisions,
    ) {
        self.conversations[ci]
            .story_mut()
            .participants
            .retain(|&mut x| x != a);
        let admin = self.agents[a].id.clone();
        self.note(
            ci,
            actor,
            Happening::Left {
                admin: admin.clone(),
            },
        );
        out.push(Decision::Left {
            conversation: self.conversations[ci].id.clone(),
            admin,
        });
    }

    /// The agent a new conversation should wait for, if the preferred-agent
    /// option is on, the customer has a previous agent, and that agent is
    /// eligible for the conversation.
    pub(super) fn preferred_agent(&self, ci: ConvIx) -> Option<AgentIx> {
        self.config.preferred_agent_wait?;
        let conversation = &self.conversations[ci];
        let previous = self.history.last_agent(&conversation.customer)?;
        let p = *self.agent_ids.get(previous)?;
        let agent = &self.agents[p];
        let key = &self.classes[conversation.class].key;
        (agent.capacity_on(key.channel) > 0 && super::engine::is_eligible(agent, key)).then_some(p)
    }
}
