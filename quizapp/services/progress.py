"""A learner's record: their attempts, and their last score on each bank."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select

from quizapp.domain.scoring import ObjectiveScore, by_objective
from quizapp.extensions import db
from quizapp.models import Answer, Attempt, AttemptItem, Bank, Question, QuestionVersion


@dataclass
class AttemptOverview:
    """One attempt as "my progress" lists it."""

    attempt: Attempt
    items: int
    answered: int
    score: float
    banks: list[Bank]

    @property
    def finished(self) -> bool:
        """Whether every item is answered."""
        return self.attempt.finished_at is not None

    @property
    def percent(self) -> int:
        """Score as a percentage of all items."""
        return round(100 * self.score / self.items) if self.items else 0


def _answered_join():
    return Answer, and_(
        Answer.attempt_id == AttemptItem.attempt_id, Answer.position == AttemptItem.position
    )


def learner_attempts(learner_key: str | None, limit: int = 100) -> list[AttemptOverview]:
    """The learner's latest attempts, newest first, with their progress and score."""
    if not learner_key:
        return []
    rows = db.session.execute(
        select(
            Attempt,
            func.count(AttemptItem.position),
            func.count(Answer.id),
            func.coalesce(func.sum(Answer.fraction), 0.0),
        )
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .outerjoin(*_answered_join())
        .where(Attempt.learner_key == learner_key)
        .group_by(Attempt.id)
        .order_by(Attempt.created_at.desc(), Attempt.id.desc())
        .limit(limit)
    ).all()
    slugs = {slug for attempt, *_ in rows for slug in attempt.settings.get("banks", ())}
    banks = {
        bank.slug: bank for bank in db.session.scalars(select(Bank).where(Bank.slug.in_(slugs)))
    }
    return [
        AttemptOverview(
            attempt,
            items,
            answered,
            float(score),
            [banks[slug] for slug in attempt.settings.get("banks", ()) if slug in banks],
        )
        for attempt, items, answered, score in rows
    ]


def latest_unfinished(learner_key: str | None) -> Attempt | None:
    """The learner's most recently started attempt that is not finished."""
    if not learner_key:
        return None
    return db.session.scalar(
        select(Attempt)
        .where(Attempt.learner_key == learner_key, Attempt.finished_at.is_(None))
        .order_by(Attempt.created_at.desc(), Attempt.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class BankScore:
    """A learner's score on one bank's questions in their latest finished attempt."""

    percent: int
    finished_at: datetime


def last_scores(learner_key: str | None) -> dict[int, BankScore]:
    """Bank id → the learner's score on that bank in the latest finished attempt with it.

    An attempt drawn from several banks counts, for each bank, only that
    bank's questions.
    """
    if not learner_key:
        return {}
    rows = db.session.execute(
        select(
            Question.bank_id,
            Attempt.finished_at,
            Attempt.id,
            func.count(AttemptItem.position),
            func.coalesce(func.sum(Answer.fraction), 0.0),
        )
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .outerjoin(*_answered_join())
        .where(Attempt.learner_key == learner_key, Attempt.finished_at.is_not(None))
        .group_by(Question.bank_id, Attempt.id, Attempt.finished_at)
        .order_by(Attempt.finished_at, Attempt.id)
    )
    scores: dict[int, BankScore] = {}
    for bank_id, finished_at, _attempt_id, items, score in rows:
        # Rows come oldest first, so the last one written for a bank wins.
        scores[bank_id] = BankScore(round(100 * float(score) / items), finished_at)
    return scores


def objective_scores(
    learner_key: str | None, order: list[str] | None = None
) -> list[ObjectiveScore]:
    """The learner's answers in all their attempts, scored per learning objective.

    Each question counts with the version the learner was given: an
    objective changed since does not move old answers.
    """
    if not learner_key:
        return []
    rows = db.session.execute(
        select(QuestionVersion.content["objective"].as_string(), Answer.fraction)
        .select_from(Attempt)
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .join(*_answered_join())
        .where(Attempt.learner_key == learner_key)
        .order_by(Attempt.id, AttemptItem.position)
    )
    return by_objective([(objective, float(fraction)) for objective, fraction in rows], order)
