"""The database models. Importing this package registers every table."""

from quizapp.models.accounts import User
from quizapp.models.attempts import Answer, Attempt, AttemptItem
from quizapp.models.audit import AuditEntry
from quizapp.models.classes import (
    Assignment,
    ClassMember,
    MemberAttempt,
    MemberPlayer,
    SchoolClass,
    SessionClass,
)
from quizapp.models.classroom import ClassSession, Player, PlayerAnswer, Remark, SessionItem
from quizapp.models.content import (
    Bank,
    BankState,
    Citation,
    Passage,
    Question,
    QuestionVersion,
    Source,
)
from quizapp.models.proposals import Proposal
from quizapp.models.reviews import ReviewCard
from quizapp.models.throttle import RateLimitCounter

__all__ = [
    "Answer",
    "Assignment",
    "Attempt",
    "AttemptItem",
    "AuditEntry",
    "Bank",
    "BankState",
    "Citation",
    "ClassMember",
    "ClassSession",
    "MemberAttempt",
    "MemberPlayer",
    "Passage",
    "Player",
    "PlayerAnswer",
    "Proposal",
    "Question",
    "QuestionVersion",
    "RateLimitCounter",
    "Remark",
    "ReviewCard",
    "SchoolClass",
    "SessionClass",
    "SessionItem",
    "Source",
    "User",
]
