"""The database models. Importing this package registers every table."""

from quizapp.models.attempts import Answer, Attempt, AttemptItem
from quizapp.models.content import Bank, Citation, Passage, Question, QuestionVersion, Source

__all__ = [
    "Answer",
    "Attempt",
    "AttemptItem",
    "Bank",
    "Citation",
    "Passage",
    "Question",
    "QuestionVersion",
    "Source",
]
