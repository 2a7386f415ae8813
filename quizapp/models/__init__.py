"""The database models. Importing this package registers every table."""

from quizapp.models.content import Bank, Citation, Passage, Question, QuestionVersion, Source

__all__ = ["Bank", "Citation", "Passage", "Question", "QuestionVersion", "Source"]
