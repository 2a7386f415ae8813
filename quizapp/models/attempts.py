"""Attempts and answers: what a learner was shown and what they answered.

An attempt fixes, per position, the exact question version shown and the
order its choices were shown in, so a reload shows the same thing and a
later edit of the question changes nothing about the attempt. Answers are
only ever inserted; the unique constraint on (attempt, position) is what
makes a double submit record one answer, whatever the timing.

A test (mode "test") is worked on like an exam paper: its items hold a
*draft* (the response saved so far, changeable) and a flag until the test
is submitted, when every draft is graded into its answer at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db
from quizapp.models.content import QuestionVersion, utcnow


class Attempt(db.Model):
    """One learner working through a drawn set of questions."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random and unguessable: URLs use it, so ids cannot be enumerated.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    # Who: the id in an anonymous learner's signed cookie.
    learner_key: Mapped[str] = mapped_column(String(64), index=True)
    # The one-time token of the form that started the attempt: a double
    # click or a resubmitted form finds the attempt it already started
    # instead of starting a second one.
    request_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    mode: Mapped[str] = mapped_column(String(16))  # "practice" or "test"
    confidence_enabled: Mapped[bool] = mapped_column(default=True)
    # What was asked for: banks, length; kept to offer "the same again".
    settings: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A test with a time limit: drafts saved after it (and its grace) are
    # refused, and the test is submitted as it stands.
    deadline: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    items: Mapped[list[AttemptItem]] = relationship(
        back_populates="attempt", order_by="AttemptItem.position"
    )


class AttemptItem(db.Model):
    """The question version at one position of an attempt, as it was shown."""

    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"), index=True)
    # Choice ids in the order shown (None for types without choices).
    choice_order: Mapped[list | None] = mapped_column(JSON)
    # A test's working state until it is submitted (see the module's note):
    # on the item, so saving a draft is one UPDATE of a row that exists.
    # SQL NULL when nothing is saved (not JSON null), so SQL can count drafts.
    draft: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    draft_confidence: Mapped[int | None] = mapped_column(Integer)
    # Time spent on the item over every visit, and when it was last saved.
    draft_time_ms: Mapped[int | None] = mapped_column(Integer)
    draft_saved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    question_version: Mapped[QuestionVersion] = relationship()
    answer: Mapped[Answer | None] = relationship(back_populates="item", uselist=False)


class Answer(db.Model):
    """A learner's answer to one attempt item, graded on the server."""

    __table_args__ = (
        UniqueConstraint("attempt_id", "position"),
        ForeignKeyConstraint(
            ["attempt_id", "position"], ["attempt_item.attempt_id", "attempt_item.position"]
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    # As the type grades it: a choice id, a list of ids, a bool, a number, text.
    response: Mapped[Any] = mapped_column(JSON)
    # Share of full marks (partial credit for "multiple"), and the points
    # it earned under the attempt's marking (certainty-based or plain).
    fraction: Mapped[float] = mapped_column(Float)
    points: Mapped[float] = mapped_column(Float)
    confidence: Mapped[int | None] = mapped_column(Integer)  # 1, 2, 3 or None
    time_taken_ms: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[AttemptItem] = relationship(back_populates="answer")
