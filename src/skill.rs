//! Skills: host-named abilities held at a proficiency level.

use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

use crate::dense::SkillIx;

/// A skill at a level: held by an agent, or required by a conversation as a
/// minimum. Levels run from 1 (lowest) to 255; 0 is refused.
///
/// ```
/// use omnirouter::SkillLevel;
/// let need = SkillLevel::new("billing", 3);
/// assert_eq!((need.skill.as_str(), need.level), ("billing", 3));
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct SkillLevel {
    /// The skill's name, as in [`Config::skills`](crate::Config::skills).
    pub skill: String,
    /// The proficiency level, 1 to 255.
    pub level: u8,
}

impl SkillLevel {
    /// A skill at a level.
    pub fn new(skill: impl Into<String>, level: u8) -> Self {
        SkillLevel {
            skill: skill.into(),
            level,
        }
    }
}

/// Skills as interned indices with levels, sorted by index, each at most once.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default, Serialize, Deserialize)]
pub(crate) struct SkillSet(pub(crate) SmallVec<[(SkillIx, u8); 4]>);

impl SkillSet {
    /// Whether `self` (an agent's skills) meets every requirement of `need`.
    pub(crate) fn satisfies(&self, need: &SkillSet) -> bool {
        let mut held = self.0.iter().peekable();
        need.0.iter().all(|&(skill, min)| {
            while held.next_if(|&&(s, _)| s < skill).is_some() {}
            matches!(held.peek(), Some(&&(s, level)) if s == skill && level >= min)
        })
    }

    /// The skills, each with its level.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (SkillIx, u8)> + '_ {
        self.0.iter().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(pairs: &[(u16, u8)]) -> SkillSet {
        SkillSet(pairs.iter().map(|&(s, l)| (SkillIx(s), l)).collect())
    }

    #[test]
    fn satisfies_needs_every_skill_at_its_level() {
        let agent = set(&[(1, 3), (4, 5), (9, 1)]);
        assert!(agent.satisfies(&set(&[])));
        assert!(agent.satisfies(&set(&[(4, 5)])));
        assert!(agent.satisfies(&set(&[(1, 2), (9, 1)])));
        assert!(!agent.satisfies(&set(&[(4, 6)])));
        assert!(!agent.satisfies(&set(&[(2, 1)])));
        assert!(!agent.satisfies(&set(&[(1, 1), (10, 1)])));
        assert!(!set(&[]).satisfies(&set(&[(0, 1)])));
    }
}
