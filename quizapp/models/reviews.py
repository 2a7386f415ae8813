"""Review cards: when each question a learner answered comes back.

One row per learner and question (not per version: a corrected question
keeps its schedule and is reviewed as corrected). The card is FSRS's own
serialisation (see :mod:`quizapp.domain.spacing`); ``due`` and
``confidently_wrong`` are copied out of it so that "what is due, confident
errors first" is one indexed query. A card only summarises the learner's
answers, which stay the record: :func:`quizapp.domain.spacing.replay`
rebuilds it from them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.content import Question


class ReviewCard(db.Model):
    """A question scheduled for review by one learner."""

    __tablename__ = "review_card"
    __table_args__ = (
        UniqueConstraint("learner_key", "question_id"),
        Index("ix_review_card_learner_due", "learner_key", "due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    learner_key: Mapped[str] = mapped_column(String(64))
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"), index=True)
    card: Mapped[dict] = mapped_column(JSON)
    due: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    confidently_wrong: Mapped[bool] = mapped_column(default=False)
    #: The answers it was scheduled from, the first included.
    reviews: Mapped[int] = mapped_column(default=0)

    question: Mapped[Question] = relationship()
