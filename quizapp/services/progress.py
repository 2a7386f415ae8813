"""A learner's record: their attempts, and their scores on each bank over time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select

from quizapp.domain.scoring import ObjectiveTrend, objective_trends
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
    return _overviews(learner_key, limit)


def _overviews(learner_key: str | None, limit: int, unfinished: bool = False):
    if not learner_key:
        return []
    query = (
        select(
            Attempt,
            func.count(AttemptItem.position),
            # An unsubmitted test's saved drafts count as answered so far.
            func.count(case((or_(Answer.id.is_not(None), AttemptItem.draft.is_not(None)), 1))),
            func.coalesce(func.sum(Answer.fraction), 0.0),
        )
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .outerjoin(*_answered_join())
        .where(Attempt.learner_key == learner_key)
    )
    if unfinished:
        query = query.where(Attempt.finished_at.is_(None))
    rows = db.session.execute(
        query.group_by(Attempt.id)
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


def latest_unfinished(learner_key: str | None) -> AttemptOverview | None:
    """The learner's most recently started attempt that is not finished, with
    how far it got ("Continue where you left off" says which and how far)."""
    found = _overviews(learner_key, 1, unfinished=True)
    return found[0] if found else None


@dataclass(frozen=True)
class BankScore:
    """A learner's score on one bank's questions in one finished attempt."""

    percent: int
    finished_at: datetime
    #: Certainty-based points per question (−6 to 3); None without confidence.
    cbm_average: float | None = None


def bank_history(learner_key: str | None) -> dict[int, list[BankScore]]:
    """Bank id → the learner's scores on that bank, one per finished attempt, oldest first.

    An attempt drawn from several banks counts, for each bank, only that
    bank's questions; a review counts for none.
    """
    if not learner_key:
        return {}
    rows = db.session.execute(
        select(
            Question.bank_id,
            Attempt.id,
            Attempt.finished_at,
            Attempt.confidence_enabled,
            func.count(AttemptItem.position),
            func.coalesce(func.sum(Answer.fraction), 0.0),
            func.coalesce(func.sum(Answer.points), 0.0),
        )
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .join(Question, Question.id == QuestionVersion.question_id)
        .outerjoin(*_answered_join())
        .where(Attempt.learner_key == learner_key, Attempt.finished_at.is_not(None))
        .group_by(Question.bank_id, Attempt.id, Attempt.finished_at, Attempt.confidence_enabled)
        .order_by(Attempt.finished_at, Attempt.id)
    )
    # A review is the questions due, the hardest ones first: its score says
    # nothing of the bank as a whole, so it is not one of the bank's scores.
    reviews = {
        attempt_id
        for attempt_id, settings in db.session.execute(
            select(Attempt.id, Attempt.settings).where(
                Attempt.learner_key == learner_key, Attempt.finished_at.is_not(None)
            )
        )
        if settings.get("review")
    }
    history: dict[int, list[BankScore]] = {}
    for bank_id, attempt_id, finished_at, confidence, items, score, points in rows:
        if attempt_id in reviews:
            continue
        cbm = float(points) / items if confidence else None
        history.setdefault(bank_id, []).append(
            BankScore(round(100 * float(score) / items), finished_at, cbm)
        )
    return history


def last_scores(learner_key: str | None) -> dict[int, BankScore]:
    """Bank id → the learner's score on that bank in the latest finished attempt with it."""
    return {bank_id: scores[-1] for bank_id, scores in bank_history(learner_key).items()}


@dataclass(frozen=True)
class BankTrend:
    """A bank's scores for "my progress": the latest and the ones before."""

    bank: Bank
    scores: list[BankScore]

    @property
    def latest(self) -> BankScore:
        return self.scores[-1]

    @property
    def change(self) -> int | None:
        """Percentage points since the first attempt shown (None with one attempt)."""
        return self.latest.percent - self.scores[0].percent if len(self.scores) > 1 else None


#: How many of a bank's latest attempts its trend shows.
TREND_LENGTH = 5


def bank_trends(learner_key: str | None) -> list[BankTrend]:
    """Every bank the learner finished an attempt on, weakest (latest score) first."""
    history = bank_history(learner_key)
    if not history:
        return []
    banks = {bank.id: bank for bank in db.session.scalars(select(Bank).where(Bank.id.in_(history)))}
    trends = [
        BankTrend(banks[bank_id], scores[-TREND_LENGTH:]) for bank_id, scores in history.items()
    ]
    return sorted(trends, key=lambda trend: (trend.latest.percent, trend.bank.slug))


def objective_progress(
    learner_key: str | None, order: list[str] | None = None
) -> list[ObjectiveTrend]:
    """Each learning objective the learner has answered, weakest first, with
    its score attempt by attempt (the last ``TREND_LENGTH``).

    Reviews count here, unlike in a bank's trend: an objective's questions
    are the same skill whichever quiz asked them.
    """
    if not learner_key:
        return []
    rows = db.session.execute(
        select(
            Attempt.id,
            QuestionVersion.content["objective"].as_string(),
            Answer.fraction,
            Answer.points,
            Attempt.confidence_enabled,
        )
        .select_from(Attempt)
        .join(AttemptItem, AttemptItem.attempt_id == Attempt.id)
        .join(QuestionVersion, QuestionVersion.id == AttemptItem.question_version_id)
        .join(*_answered_join())
        .where(Attempt.learner_key == learner_key)
        .order_by(Attempt.id, AttemptItem.position)
    )
    return objective_trends(
        [
            (attempt, objective, float(fraction), float(points) if confidence else None)
            for attempt, objective, fraction, points, confidence in rows
        ],
        order,
        TREND_LENGTH,
    )
