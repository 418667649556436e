//! The configuration's names, interned: where host names become indices.
//!
//! Every event's names are checked and translated here before the router
//! changes anything ("parse, don't validate").

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::agent::ChannelCapacity;
use crate::config::{Config, MAX_CAPACITY, MAX_NAMES};
use crate::dense::{ChannelIx, SkillIx, TeamIx};
use crate::error::Error;
use crate::hash::FxIndexSet;
use crate::skill::{SkillLevel, SkillSet};

/// Channel, skill and team names with their indices, and channel costs.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(crate) struct Catalog {
    channels: FxIndexSet<Box<str>>,
    costs: Vec<u32>,
    skills: FxIndexSet<Box<str>>,
    teams: FxIndexSet<Box<str>>,
}

/// Interns `names`, refusing empty, repeated or too many names.
fn intern<'a>(
    kind: &'static str,
    names: impl ExactSizeIterator<Item = &'a str>,
) -> Result<FxIndexSet<Box<str>>, Error> {
    if names.len() > MAX_NAMES {
        return Err(Error::TooManyNames {
            kind,
            count: names.len(),
            max: MAX_NAMES,
        });
    }
    let mut set = FxIndexSet::default();
    for name in names {
        if name.is_empty() {
            return Err(Error::EmptyName { kind });
        }
        if !set.insert(Box::from(name)) {
            return Err(Error::DuplicateName {
                kind,
                name: name.to_owned(),
            });
        }
    }
    Ok(set)
}

impl Catalog {
    pub(crate) fn new(config: &Config) -> Result<Self, Error> {
        let channels = intern("channel", config.channels.iter().map(|c| c.name.as_str()))?;
        for c in &config.channels {
            if c.cost == 0 || c.cost > MAX_CAPACITY {
                return Err(Error::InvalidCost {
                    channel: c.name.clone(),
                    cost: c.cost,
                    max: MAX_CAPACITY,
                });
            }
        }
        let zero = Some(crate::time::Millis(0));
        if config.priority_aging == zero {
            return Err(Error::ZeroInterval("priority_aging"));
        }
        if config.channels.iter().any(|c| c.offer_timeout == zero) {
            return Err(Error::ZeroInterval("offer_timeout"));
        }
        if config.channels.iter().any(|c| c.response_deadline == zero) {
            return Err(Error::ZeroInterval("response_deadline"));
        }
        if config.max_missed_offers == Some(0) {
            return Err(Error::ZeroInterval("max_missed_offers"));
        }
        Ok(Catalog {
            channels,
            costs: config.channels.iter().map(|c| c.cost).collect(),
            skills: intern("skill", config.skills.iter().map(String::as_str))?,
            teams: intern("team", config.teams.iter().map(String::as_str))?,
        })
    }

    pub(crate) fn channel_count(&self) -> usize {
        self.channels.len()
    }

    pub(crate) fn channel_ixs(&self) -> impl Iterator<Item = ChannelIx> + use<> {
        (0..self.channels.len() as u16).map(ChannelIx)
    }

    pub(crate) fn channel(&self, name: &str) -> Result<ChannelIx, Error> {
        self.channels
            .get_index_of(name)
            .map(|i| ChannelIx(i as u16))
            .ok_or_else(|| Error::UnknownChannel(name.to_owned()))
    }

    pub(crate) fn channel_name(&self, c: ChannelIx) -> &str {
        // Channel indices are only made by `channel`/`channel_ixs` from this set.
        self.channels
            .get_index(c.get())
            .expect("channel index from this catalog")
    }

    pub(crate) fn cost(&self, c: ChannelIx) -> u32 {
        self.costs[c.get()]
    }

    pub(crate) fn team(&self, name: &str) -> Result<TeamIx, Error> {
        self.teams
            .get_index_of(name)
            .map(|i| TeamIx(i as u16))
            .ok_or_else(|| Error::UnknownTeam(name.to_owned()))
    }

    pub(crate) fn team_name(&self, t: TeamIx) -> &str {
        // Team indices are only made by `team` from this set.
        &self.teams[t.get()]
    }

    pub(crate) fn skill_name(&self, s: SkillIx) -> &str {
        // Skill indices are only made by `skills` from this set.
        &self.skills[s.get()]
    }

    pub(crate) fn team_count(&self) -> usize {
        self.teams.len()
    }

    pub(crate) fn skill_count(&self) -> usize {
        self.skills.len()
    }

    /// Skills with levels, as a sorted set; refuses unknown or repeated
    /// skills and level 0.
    pub(crate) fn skills(&self, list: &[SkillLevel]) -> Result<SkillSet, Error> {
        let mut set: SmallVec<[(SkillIx, u8); 4]> = SmallVec::with_capacity(list.len());
        for need in list {
            let ix = self
                .skills
                .get_index_of(need.skill.as_str())
                .ok_or_else(|| Error::UnknownSkill(need.skill.clone()))?;
            if need.level == 0 {
                return Err(Error::ZeroSkillLevel(need.skill.clone()));
            }
            set.push((SkillIx(ix as u16), need.level));
        }
        set.sort_unstable();
        if let Some(pair) = set.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(Error::DuplicateName {
                kind: "skill",
                name: self.skills[pair[0].0.get()].to_string(),
            });
        }
        Ok(SkillSet(set))
    }

    /// Team names as a sorted list of indices; refuses unknown or repeated ones.
    pub(crate) fn teams(&self, list: &[String]) -> Result<SmallVec<[TeamIx; 2]>, Error> {
        let mut teams = list
            .iter()
            .map(|t| self.team(t))
            .collect::<Result<SmallVec<[TeamIx; 2]>, _>>()?;
        teams.sort_unstable();
        if let Some(pair) = teams.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::DuplicateName {
                kind: "team",
                name: self.teams[pair[0].get()].to_string(),
            });
        }
        Ok(teams)
    }

    /// Per-channel capacities, indexed by channel; absent channels get 0.
    pub(crate) fn capacities(&self, list: &[ChannelCapacity]) -> Result<Vec<u32>, Error> {
        let mut caps = vec![None; self.channels.len()];
        for entry in list {
            let c = self.channel(&entry.channel)?;
            if entry.capacity > MAX_CAPACITY {
                return Err(Error::CapacityTooLarge {
                    capacity: entry.capacity,
                    max: MAX_CAPACITY,
                });
            }
            if caps[c.get()].replace(entry.capacity).is_some() {
                return Err(Error::DuplicateName {
                    kind: "channel",
                    name: entry.channel.clone(),
                });
            }
        }
        Ok(caps.into_iter().map(Option::unwrap_or_default).collect())
    }
}
