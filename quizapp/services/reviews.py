"""Spaced review over the database: cards after answers, and review sessions.

Every self-study answer schedules its question for the learner (see
:mod:`quizapp.domain.spacing` for the rating and the intervals). A review
session is an ordinary practice attempt over the questions due (see
:func:`quizapp.services.attempts.start_review`); its answers schedule their
questions again, like any others.

The learner is the anonymous learner id of the cookie; a class member's
browsers all carry the member's id (see :mod:`quizapp.classes.members`), so
a member's reviews follow them to any browser they re-enter the class on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quizapp.domain import spacing
from quizapp.domain.scoring import confidently_wrong
from quizapp.extensions import db
from quizapp.models import Bank, Question, QuestionVersion, ReviewCard
from quizapp.models.content import aware, utcnow


def schedule(
    learner_key: str,
    question_id: int,
    fraction: float,
    confidence: int | None,
    answered_at: datetime,
    content: dict,
) -> ReviewCard | None:
    """Schedule ``question_id`` for the learner after an answer, and commit.

    Items of the before/after check's forms are never scheduled: a form
    reviewed with its answers shown would void the class's comparison.
    Two first answers of one question at once (two tabs) both schedule it:
    the second finds the row the first inserted and reviews it again.
    """
    if content.get("form"):
        return None
    for _attempt in range(2):
        card = db.session.scalar(
            select(ReviewCard).where(
                ReviewCard.learner_key == learner_key, ReviewCard.question_id == question_id
            )
        )
        if card is None:
            card = ReviewCard(learner_key=learner_key, question_id=question_id, reviews=0)
            db.session.add(card)
        card.card = spacing.review(card.card, fraction, confidence, aware(answered_at))
        card.due = spacing.due_at(card.card)
        card.confidently_wrong = confidently_wrong(fraction, confidence)
        card.reviews += 1
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            continue
        return card
    raise RuntimeError(f"could not schedule question {question_id}")


def _offered(learner_key: str, now: datetime):
    """The learner's cards due by ``now`` whose question learners are offered."""
    return (
        select(ReviewCard, QuestionVersion)
        .join(Question, Question.id == ReviewCard.question_id)
        .join(QuestionVersion, QuestionVersion.id == Question.live_version_id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(
            ReviewCard.learner_key == learner_key,
            ReviewCard.due <= spacing.offered_by(now),
            Bank.status == "active",
        )
    )


@dataclass(frozen=True)
class Outlook:
    """What a learner has to review: now, and when the next card is offered."""

    due: int
    next_at: datetime | None


def outlook(learner_key: str | None, now: datetime | None = None) -> Outlook:
    """How many reviews are due for the learner now, and (when none is) when
    the next one will be."""
    if not learner_key:
        return Outlook(0, None)
    now = now or utcnow()
    due = db.session.scalar(select(func.count()).select_from(_offered(learner_key, now).subquery()))
    upcoming = None
    if not due:
        upcoming = db.session.scalar(
            select(func.min(ReviewCard.due))
            .join(Question, Question.id == ReviewCard.question_id)
            .where(ReviewCard.learner_key == learner_key, Question.live_version_id.is_not(None))
        )
    return Outlook(due or 0, spacing.offered_from(aware(upcoming)) if upcoming else None)


def due_versions(learner_key: str, now: datetime | None = None) -> list[QuestionVersion]:
    """The live versions of the questions due for review, in the order to
    review them, at most ``REVIEW_SIZE``: confidently wrong first
    (hypercorrection), then the longest due."""
    rows = db.session.execute(
        _offered(learner_key, now or utcnow())
        .order_by(ReviewCard.confidently_wrong.desc(), ReviewCard.due, ReviewCard.question_id)
        .limit(spacing.REVIEW_SIZE)
    ).all()
    return [version for _card, version in rows if not version.content.get("form")]
