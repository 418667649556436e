//! Every kind of decision, and every error a running host's events can
//! cause (configuration errors and `Full` cannot): what a generator of
//! random events must reach.

/// Decision and error variant names, as their `Debug` output begins.
pub const REACHABLE: [&str; 40] = [
    // Decisions.
    "Assigned",
    "Queued",
    "Requeued",
    "Resolved",
    "Transferred",
    "Awaiting",
    "AwaitEnded",
    "Joined",
    "Left",
    "Abandoned",
    "Offered",
    "OfferEnded",
    "PresenceChanged",
    "Escalated",
    "WrapUp",
    "WrapUpEnded",
    "ResponseOverdue",
    // Errors of events (configuration errors and `Full` cannot come
    // from a running host).
    "DuplicateName",
    "UnknownChannel",
    "UnknownSkill",
    "UnknownTeam",
    "ZeroSkillLevel",
    "CapacityTooLarge",
    "DuplicateAgent",
    "UnknownAgent",
    "DuplicateConversation",
    "UnknownConversation",
    "ConversationEnded",
    "NotHolder",
    "NotPermitted",
    "TransferToSelf",
    "AlreadyWith",
    "CannotServeChannel",
    "AlreadyJoined",
    "NotJoined",
    "UnknownDisposition",
    "DispositionRequired",
    "NoOffer",
    "InvalidRule",
    "EscalationNotIncreasing",
];
