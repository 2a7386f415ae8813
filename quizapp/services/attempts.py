"""Self-study attempts: drawing questions, recording answers in order.

The database is the only state: an attempt's items fix the versions and
choice orders shown, and the first unanswered item is the current question.
Answers are inserted, never updated; the unique constraint on (attempt,
position) decides which of two simultaneous submissions counts, so the
check before the insert is only a shortcut, never the guarantee.

A test is worked on like an exam paper: the learner moves freely between
its questions, each save replaces the item's *draft* and flag, and nothing
is graded or shown until :func:`submit_test` turns every draft into its
answer at once (also when the time limit runs out).
"""

from __future__ import annotations

import math
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from quizapp.domain.presentation import Review, choice_order, question_view, review
from quizapp.domain.question_types import REGISTRY, ResponseError
from quizapp.domain.scoring import (
    CONFIDENCE_LEVELS,
    ObjectiveScore,
    Outcome,
    Summary,
    answer_status,
    by_objective,
    points_for,
    summarise,
)
from quizapp.extensions import db
from quizapp.models import (
    Answer,
    Attempt,
    AttemptItem,
    Bank,
    Citation,
    Passage,
    Question,
    QuestionVersion,
)
from quizapp.models.content import utcnow
from quizapp.services import reviews

MODES = ("practice", "test")

#: A save that left the browser before a test's deadline may reach the
#: server a moment after it: it is still taken within this grace.
DEADLINE_GRACE = timedelta(seconds=15)


class NothingToDraw(Exception):
    """The chosen banks offer no published question."""


class ClosedTest(Exception):
    """A draft for a test already submitted, or past its time limit."""


class NotCurrent(Exception):
    """An answer to a question that is not the current one (``current`` is)."""

    def __init__(self, current: int):
        super().__init__(f"the current position is {current}")
        self.current = current


def published_versions(bank_slugs: list[str]) -> list[QuestionVersion]:
    """The live (latest published) versions of the questions in the named active banks."""
    query = (
        select(QuestionVersion)
        .join(Question, Question.live_version_id == QuestionVersion.id)
        .join(Bank, Bank.id == Question.bank_id)
        .where(Bank.slug.in_(bank_slugs), Bank.status == "active")
        .order_by(Bank.slug, Question.position)
    )
    return list(db.session.scalars(query))


def _attempt_by_token(token: str | None) -> Attempt | None:
    if not token:
        return None
    return db.session.scalar(select(Attempt).where(Attempt.request_token == token))


def create_attempt(
    learner_key: str,
    versions: list[QuestionVersion],
    *,
    mode: str,
    confidence_enabled: bool,
    settings: dict,
    request_token: str | None,
    rng: random.Random,
    shuffle: bool = True,
    time_limit: int | None = None,
) -> Attempt:
    """Store a new attempt over ``versions``, shuffled unless ``shuffle`` is False;
    a test may have a ``time_limit`` in minutes.

    A ``request_token`` already used returns the attempt it started, so
    resubmitting the same form never starts two attempts.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    if time_limit is not None and mode != "test":
        raise ValueError("only a test has a time limit")
    existing = _attempt_by_token(request_token)
    if existing is not None:
        if existing.learner_key == learner_key:
            return existing
        request_token = None  # someone else's token: it starts nothing of theirs
    attempt = Attempt(
        public_id=secrets.token_hex(16),
        learner_key=learner_key,
        request_token=request_token,
        mode=mode,
        confidence_enabled=confidence_enabled,
        settings=settings,
        deadline=utcnow() + timedelta(minutes=time_limit) if time_limit else None,
    )
    drawn = list(versions)
    if shuffle:
        rng.shuffle(drawn)
    for position, version in enumerate(drawn):
        attempt.items.append(
            AttemptItem(
                position=position,
                question_version=version,
                choice_order=choice_order(version.content, rng),
            )
        )
    db.session.add(attempt)
    try:
        db.session.commit()
    except IntegrityError:
        # The same form, submitted twice at once: the other request won.
        db.session.rollback()
        existing = _attempt_by_token(request_token)
        if existing is None or existing.learner_key != learner_key:
            raise
        return existing
    return attempt


def start_attempt(
    learner_key: str,
    bank_slugs: list[str],
    *,
    length: int | None = None,
    mode: str = "practice",
    confidence_enabled: bool = True,
    request_token: str | None = None,
    rng: random.Random | None = None,
    time_limit: int | None = None,
) -> Attempt:
    """Draw ``length`` questions (all if None) from the banks and start an
    attempt (a test with an optional ``time_limit`` in minutes)."""
    rng = rng or random.SystemRandom()
    versions = published_versions(bank_slugs)
    if not versions:
        raise NothingToDraw(", ".join(bank_slugs))
    if length is not None and length < len(versions):
        versions = rng.sample(versions, length)
    settings = {"banks": sorted(set(bank_slugs)), "length": length}
    if time_limit:
        settings["time_limit"] = time_limit
    return create_attempt(
        learner_key,
        versions,
        mode=mode,
        confidence_enabled=confidence_enabled,
        settings=settings,
        request_token=request_token,
        rng=rng,
        time_limit=time_limit,
    )


def retry_missed(
    attempt: Attempt, request_token: str | None = None, rng: random.Random | None = None
) -> Attempt:
    """A new attempt on the questions ``attempt`` did not get fully right.

    Each question comes back in its live version (a corrected question is
    re-tested as corrected); questions no longer offered are left out.
    """
    missed = [
        item.question_version.question
        for item in attempt.items
        if item.answer is None or item.answer.fraction < 1
    ]
    versions = [
        question.live_version
        for question in missed
        if question.live_version is not None and question.bank.status == "active"
    ]
    if not versions:
        raise NothingToDraw(attempt.public_id)
    settings = dict(attempt.settings, length=None, retry_of=attempt.public_id)
    settings.pop("review", None)  # a retry of a review is a retry
    settings.pop("time_limit", None)  # fewer questions: the old limit does not fit
    return create_attempt(
        attempt.learner_key,
        versions,
        mode=attempt.mode,
        confidence_enabled=attempt.confidence_enabled,
        settings=settings,
        request_token=request_token,
        rng=rng or random.SystemRandom(),
    )


def start_review(
    learner_key: str,
    *,
    request_token: str | None = None,
    now: datetime | None = None,
    rng: random.Random | None = None,
) -> Attempt:
    """A review session: a practice attempt over the learner's questions due
    (see :func:`quizapp.services.reviews.due_versions`), in the order to
    review them, each in its live version, asking how sure the learner is.
    Raises :class:`NothingToDraw` when nothing is due."""
    versions = reviews.due_versions(learner_key, now)
    if not versions:
        raise NothingToDraw("reviews")
    return create_attempt(
        learner_key,
        versions,
        mode="practice",
        confidence_enabled=True,
        settings={
            "banks": sorted({v.question.bank.slug for v in versions}),
            "length": None,
            "review": True,
        },
        request_token=request_token,
        rng=rng or random.SystemRandom(),
        shuffle=False,
    )


#: How long an unfinished test counts as "in progress" (an abandoned one
#: must not hide the source viewer's marks for good).
TEST_IN_PROGRESS = timedelta(hours=12)


def test_in_progress(learner_key: str | None, now: datetime | None = None) -> bool:
    """Whether the learner has a test-mode attempt under way (started in the
    last ``TEST_IN_PROGRESS``, not finished)."""
    if not learner_key:
        return False
    since = (now or utcnow()) - TEST_IN_PROGRESS
    return (
        db.session.scalar(
            select(Attempt.id)
            .where(
                Attempt.learner_key == learner_key,
                Attempt.mode == "test",
                Attempt.finished_at.is_(None),
                Attempt.created_at >= since,
            )
            .limit(1)
        )
        is not None
    )


def find_attempt(public_id: str, learner_key: str | None, whole: bool = False) -> Attempt | None:
    """The learner's attempt ``public_id``; someone else's is None, like a missing one.

    Items and their answers are always loaded (the current question depends
    on them); a page showing one item loads that item's question lazily.
    ``whole`` also loads every item's question, citations and sources, for
    pages that show them all (results).
    """
    if not learner_key:
        return None
    items = selectinload(Attempt.items)
    options = [items.selectinload(AttemptItem.answer)]
    if whole:
        version = items.selectinload(AttemptItem.question_version)
        options += [
            version.selectinload(QuestionVersion.citations)
            .selectinload(Citation.passage)
            .selectinload(Passage.source),
            version.selectinload(QuestionVersion.question),
        ]
    query = (
        select(Attempt)
        .where(Attempt.public_id == public_id, Attempt.learner_key == learner_key)
        .options(*options)
    )
    return db.session.scalar(query)


def current_position(attempt: Attempt) -> int | None:
    """The first position without an answer (in an unsubmitted test: without
    an answer or a draft); None when there is none."""
    drafts = attempt.mode == "test" and attempt.finished_at is None
    for item in attempt.items:
        if item.answer is None and not (drafts and item.draft is not None):
            return item.position
    return None


def item_at(attempt: Attempt, position: int) -> AttemptItem | None:
    """The item at ``position``, or None if there is no such position."""
    if 0 <= position < len(attempt.items):
        return attempt.items[position]
    return None


@dataclass
class Submission:
    """The answer that stands for an item, and whether this request recorded it."""

    answer: Answer
    recorded: bool
    #: For a repeat: whether it repeated the recorded response exactly.
    same_response: bool = True


def _read_response(item: AttemptItem, values: list[str]) -> Any:
    content = item.question_version.content
    return REGISTRY[content["type"]].read_response(values, content)


def _repeat(item: AttemptItem, answer: Answer, values: list[str]) -> Submission:
    try:
        same = _read_response(item, values) == answer.response
    except ResponseError:
        same = False
    return Submission(answer, recorded=False, same_response=same)


def submit_answer(
    attempt: Attempt,
    position: int,
    values: list[str],
    confidence: int | None,
    time_taken_ms: int | None = None,
) -> Submission:
    """Grade and record an answer to the item at ``position``.

    An item already answered keeps its first answer, which is returned
    (a double click or a resubmitted form shows the same result). Raises
    :class:`NotCurrent` for an unanswered item that is not the current one,
    and :class:`ResponseError` for values that are not an answer (including
    a missing confidence when the attempt asks for it).
    """
    if attempt.mode == "test":
        raise ValueError("a test's answers are drafts until it is submitted (save_draft)")
    item = item_at(attempt, position)
    if item is None:
        raise LookupError(position)
    if item.answer is not None:
        return _repeat(item, item.answer, values)
    current = current_position(attempt)
    if position != current:
        raise NotCurrent(current)
    response = _read_response(item, values)
    confidence = _checked_confidence(attempt, confidence)
    answer = _graded(attempt, item, response, confidence, time_taken_ms)
    content = item.question_version.content
    fraction = answer.fraction
    if all(other.answer is not None for other in attempt.items if other is not item):
        attempt.finished_at = utcnow()
    db.session.add(answer)
    try:
        db.session.commit()
    except IntegrityError:
        # Another request answered this item between our check and insert.
        db.session.rollback()
        first = db.session.scalar(
            select(Answer).where(Answer.attempt_id == attempt.id, Answer.position == position)
        )
        if first is None:
            raise
        return _repeat(item, first, values)
    # After the answer is safe: a card only summarises answers (see reviews).
    reviews.schedule(
        attempt.learner_key,
        item.question_version.question_id,
        fraction,
        confidence,
        answer.answered_at,
        content,
    )
    return Submission(answer, recorded=True)


def _checked_confidence(attempt: Attempt, confidence: int | None) -> int | None:
    """The confidence an answer records: required when the attempt asks for it."""
    if not attempt.confidence_enabled:
        return None
    if confidence not in CONFIDENCE_LEVELS:
        raise ResponseError("no_confidence")
    return confidence


def _graded(
    attempt: Attempt,
    item: AttemptItem,
    response: Any,
    confidence: int | None,
    time_taken_ms: int | None,
    answered_at: datetime | None = None,
) -> Answer:
    """The answer row of ``response`` (None: left unanswered, marked 0)."""
    content = item.question_version.content
    if response is None:
        fraction = 0.0
        confidence = None
    else:
        fraction = REGISTRY[content["type"]].grade(content["answer"], response)
    return Answer(
        attempt_id=attempt.id,
        position=item.position,
        response=response,
        fraction=fraction,
        points=points_for(fraction, confidence),
        confidence=confidence,
        time_taken_ms=time_taken_ms,
        answered_at=answered_at or utcnow(),
    )


# --- Tests: drafts, flags, submission ---------------------------------------


def time_is_up(attempt: Attempt, now: datetime | None = None) -> bool:
    """Whether ``attempt`` has a deadline and it has passed."""
    return attempt.deadline is not None and _aware(attempt.deadline) <= _aware(now or utcnow())


def seconds_left(attempt: Attempt, now: datetime | None = None) -> int:
    """Whole seconds until ``attempt``'s deadline, rounded up (so a countdown
    never runs out before the server's clock does); 0 once it has passed."""
    if attempt.deadline is None:
        return 0
    left = (_aware(attempt.deadline) - _aware(now or utcnow())).total_seconds()
    return max(0, math.ceil(left))


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def _hold_open_test(attempt: Attempt, until: datetime | None) -> bool:
    """Lock ``attempt``'s row if it is an open test (not submitted, and if
    ``until`` is given, a deadline after it). A submission takes the same
    row lock, so a draft is either saved before it (and graded by it) or
    refused after it, never saved and then ignored."""
    query = update(Attempt).where(
        Attempt.id == attempt.id, Attempt.mode == "test", Attempt.finished_at.is_(None)
    )
    if until is not None:
        query = query.where(or_(Attempt.deadline.is_(None), Attempt.deadline > until))
    held = db.session.execute(
        query.values(finished_at=None).execution_options(synchronize_session=False)
    )
    return held.rowcount == 1


def save_draft(
    attempt: Attempt,
    position: int,
    values: list[str],
    confidence: int | None,
    flagged: bool,
    time_taken_ms: int | None = None,
    now: datetime | None = None,
) -> None:
    """Save the learner's working answer to a test's item and its flag.

    No values clears the draft (the question counts as unanswered until
    answered again). A draft may leave the confidence out (a learner moving
    on to come back later): submitted so, it is marked as "not sure" would
    be (right 1, wrong 0) and says no confidence. Values that are not an
    answer, or a confidence that is not a level, raise
    :class:`ResponseError` and save nothing. A test already submitted or
    past its deadline (and its grace) raises :class:`ClosedTest`. An item
    answered before tests kept drafts keeps that answer.
    """
    item = item_at(attempt, position)
    if item is None:
        raise LookupError(position)
    now = now or utcnow()
    if any(value.strip() for value in values):
        draft = _read_response(item, values)
        if confidence is not None or not attempt.confidence_enabled:
            confidence = _checked_confidence(attempt, confidence)
    else:
        draft, confidence = None, None
    if not _hold_open_test(attempt, now - DEADLINE_GRACE):
        db.session.rollback()
        raise ClosedTest(attempt.public_id)
    if item.answer is not None:
        db.session.rollback()
        return
    db.session.execute(
        update(AttemptItem)
        .where(AttemptItem.attempt_id == attempt.id, AttemptItem.position == position)
        .values(
            draft=draft,
            draft_confidence=confidence,
            flagged=bool(flagged),
            draft_saved_at=now,
            draft_time_ms=func.coalesce(AttemptItem.draft_time_ms, 0) + (time_taken_ms or 0),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def submit_test(attempt: Attempt, now: datetime | None = None) -> bool:
    """Grade every draft of an open test into its answer and finish it.

    Unanswered items get an answer marked 0 with no response, so the
    results say "not answered". Returns False, changing nothing, when the
    test was already submitted (a double click, another tab).
    """
    now = now or utcnow()
    if not _hold_open_test(attempt, None):
        db.session.rollback()
        return False
    # Read the drafts under the lock: a save that came first is included.
    items = db.session.scalars(
        select(AttemptItem)
        .where(AttemptItem.attempt_id == attempt.id)
        .order_by(AttemptItem.position)
        .options(selectinload(AttemptItem.answer))
        .execution_options(populate_existing=True)
    ).all()
    graded = []
    for item in items:
        if item.answer is not None:
            continue  # answered before tests kept drafts: it stands
        confidence = item.draft_confidence if attempt.confidence_enabled else None
        answer = _graded(
            attempt, item, item.draft, confidence, item.draft_time_ms, item.draft_saved_at or now
        )
        db.session.add(answer)
        graded.append((item, answer))
    attempt.finished_at = now
    db.session.commit()
    for item, answer in graded:
        if answer.response is None:
            continue  # nothing answered: nothing learned about the question
        reviews.schedule(
            attempt.learner_key,
            item.question_version.question_id,
            answer.fraction,
            answer.confidence,
            answer.answered_at,
            item.question_version.content,
        )
    return True


def settle_if_time_is_up(attempt: Attempt, now: datetime | None = None) -> bool:
    """Submit an open test whose time is up, as its drafts stand. True if it did."""
    if attempt.mode != "test" or attempt.finished_at is not None:
        return False
    if not time_is_up(attempt, now):
        return False
    return submit_test(attempt, now)


def settle_expired_tests(learner_key: str | None, now: datetime | None = None) -> None:
    """Submit each of the learner's open tests whose time is up (before a page
    lists them as still under way)."""
    if not learner_key:
        return
    now = now or utcnow()
    expired = db.session.scalars(
        select(Attempt).where(
            Attempt.learner_key == learner_key,
            Attempt.mode == "test",
            Attempt.finished_at.is_(None),
            Attempt.deadline.is_not(None),
            Attempt.deadline <= now,
        )
    ).all()
    for attempt in expired:
        submit_test(attempt, now)


def item_review(item: AttemptItem) -> Review | None:
    """The marked review of an answered item (None while unanswered)."""
    if item.answer is None:
        return None
    content = item.question_version.content
    return review(content, item.choice_order, item.answer.response, item.answer.fraction)


def item_status(item: AttemptItem) -> str:
    """What became of the item's answer (see :func:`quizapp.domain.scoring.answer_status`)."""
    answer = item.answer
    if answer is None:
        return answer_status(None, None)
    return answer_status(answer.fraction, answer.confidence, answered=answer.response is not None)


def item_view(item: AttemptItem):
    """What may be shown of an item before it is answered."""
    return question_view(item.question_version.content, item.choice_order)


def judged_statement(content: dict, answer) -> tuple[bool | None, object]:
    """For a statement judged true or false, or a claim judged supported or not:
    whether it holds, and the learner's judgement as True/False (the
    discernment of :func:`quizapp.domain.scoring.summarise`). Other items:
    (None, the response)."""
    response = answer.response if answer else None
    if response is None:
        return None, None  # not answered: no judgement made
    if content["type"] == "true_false":
        return content["answer"], response
    if content["type"] == "claim":
        judged = None if response is None else response == "supported"
        return content["answer"] == "supported", judged
    return None, response


def attempt_summary(attempt: Attempt) -> Summary:
    """Scores, calibration and true/false judgement of ``attempt``."""
    outcomes = []
    for item in attempt.items:
        content = item.question_version.content
        statement, response = judged_statement(content, item.answer)
        answer = item.answer
        outcomes.append(
            Outcome(
                fraction=answer.fraction if answer else None,
                confidence=answer.confidence if answer else None,
                statement=statement,
                response=response,
                kind=item.question_version.content["type"],
            )
        )
    return summarise(outcomes, attempt.confidence_enabled)


def attempt_objectives(attempt: Attempt, order: list[str] | None = None) -> list[ObjectiveScore]:
    """``attempt``'s answered items scored per learning objective, in ``order``."""
    return by_objective(
        [
            (item.question_version.content.get("objective"), item.answer.fraction)
            for item in attempt.items
            if item.answer is not None
        ],
        order,
    )
