"""The subgroups' models, one module per sub-area."""

from subgroups.models.register import (
    ESCALATION_CRITERIA,
    Escalation,
    EscalationDecision,
    EscalationStatus,
    GoodPractice,
    GoodPracticeScope,
    Issue,
    IssueQuerySet,
    IssueSource,
    IssueStatus,
    IssueUpdate,
    RiskRating,
)

__all__ = [
    "ESCALATION_CRITERIA",
    "Escalation",
    "EscalationDecision",
    "EscalationStatus",
    "GoodPractice",
    "GoodPracticeScope",
    "Issue",
    "IssueQuerySet",
    "IssueSource",
    "IssueStatus",
    "IssueUpdate",
    "RiskRating",
]
