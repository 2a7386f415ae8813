"""Spaced review: when a question a learner answered should come back.

Retrieval spaced over days sticks better than the same practice in one
sitting (re-tests 1–6 days apart help most), and errors made with high
confidence are the ones feedback corrects best (hypercorrection). So every
self-study answer schedules its question for that learner with FSRS (the
``fsrs`` package: its default weights, 90 % target retention), rated from
the answer and the confidence given with it:

    answer               confidence          rating   first interval
    wrong                any (or none)       Again    1 day
    partly right         any (or none)       Hard     1 day
    right                1 (not sure)        Hard     1 day
    right                2 or none           Good     2 days
    right                3 (very sure)       Easy     8 days

Later intervals grow with each right answer (Good then Good: 2 then 11
days) and fall back to a day after a wrong one. A right guess counts as
Hard: it was not yet known. A wrong answer given "fairly" or "very sure"
(the levels that cost certainty-based marks) is *confidently wrong*
(:func:`quizapp.domain.scoring.confidently_wrong`): it comes first in the
next review.

No minute-long learning steps: a learner comes back on another day, not
ten minutes later, so a card is always in FSRS's review state. Fuzzing is
off, so the same answers always give the same schedule. A card is offered
from ``LEARN_AHEAD`` before it is due: a question due tomorrow at the hour
it was practised is due when the learner comes back tomorrow morning.

Nothing here touches the database: a card is a plain dict (FSRS's own
serialisation), and :func:`replay` rebuilds one from the answers alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler

from quizapp.domain.scoring import is_right

#: How long before its due time a card is offered.
LEARN_AHEAD = timedelta(hours=12)
#: The most questions one review session draws.
REVIEW_SIZE = 20

_SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)


def rating_for(fraction: float, confidence: int | None) -> Rating:
    """The FSRS rating of an answer graded ``fraction`` with ``confidence`` (see the table)."""
    if fraction <= 0:
        return Rating.Again
    if not is_right(fraction) or confidence == 1:
        return Rating.Hard
    if confidence == 3:
        return Rating.Easy
    return Rating.Good


def review(card: dict | None, fraction: float, confidence: int | None, when: datetime) -> dict:
    """The card after an answer at ``when``, an aware time (``card`` None: the first answer)."""
    # A fixed id: the package would otherwise make one from the clock and sleep 1 ms.
    current = Card.from_dict(card) if card is not None else Card(card_id=0)
    # FSRS takes UTC only; a database may hand back another offset.
    moment = when.astimezone(UTC)
    after, _log = _SCHEDULER.review_card(current, rating_for(fraction, confidence), moment)
    return after.to_dict()


def due_at(card: dict) -> datetime:
    """When the card is due (timezone-aware)."""
    return datetime.fromisoformat(card["due"])


def offered_by(now: datetime) -> datetime:
    """Cards due before this moment are offered at ``now``."""
    return now + LEARN_AHEAD


def offered_from(due: datetime) -> datetime:
    """When a card due at ``due`` is first offered."""
    return due - LEARN_AHEAD


def replay(answers: Iterable[tuple[datetime, float, int | None]]) -> dict | None:
    """The card that a question's answers, as (when, fraction, confidence), lead to."""
    card = None
    for when, fraction, confidence in sorted(answers, key=lambda answer: answer[0]):
        card = review(card, fraction, confidence, when)
    return card
