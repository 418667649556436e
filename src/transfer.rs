//! Transfer targets: where a conversation can be sent by hand.

use serde::{Deserialize, Serialize};

use crate::id::AgentId;
use crate::skill::SkillLevel;

/// Where a transfer sends a conversation.
///
/// - To a **person**: they get it at once if they are available with room on
///   its channel; otherwise it waits for them (only for them) for
///   [`Config::transfer_wait`](crate::Config::transfer_wait), then falls
///   back to the line of its routing class at its original place.
/// - To a **team** or to **skills**: the conversation's requirement becomes
///   that team (and no skills) or those skills (and no team); it goes to a
///   free eligible agent other than the one who held it if there is one,
///   otherwise it waits in the new class's line, keeping its original place
///   (its priority and arrival order). The customer has waited already.
///
/// ```
/// use omnirouter::{SkillLevel, TransferTarget};
/// let to_billing = TransferTarget::Skills(vec![SkillLevel::new("billing", 3)]);
/// assert!(matches!(to_billing, TransferTarget::Skills(_)));
/// ```
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum TransferTarget {
    /// A specific person: an agent, or (for super admins) anyone.
    Agent(AgentId),
    /// Any member of a team.
    Team(String),
    /// Any agent with these skills at these levels.
    Skills(Vec<SkillLevel>),
}
