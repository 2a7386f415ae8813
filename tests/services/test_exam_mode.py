"""Tests worked on like an exam: drafts changed freely, flags, one submission
that marks everything, and a time limit enforced by the server."""

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from quizapp.domain.question_types import ResponseError
from quizapp.extensions import db
from quizapp.models import Answer, Attempt, AttemptItem, ReviewCard
from quizapp.models.content import utcnow
from quizapp.services.attempts import (
    DEADLINE_GRACE,
    ClosedTest,
    attempt_summary,
    current_position,
    find_attempt,
    save_draft,
    seconds_left,
    settle_expired_tests,
    settle_if_time_is_up,
    start_attempt,
    submit_answer,
    submit_test,
)
from quizapp.services.progress import latest_unfinished
from tests.answers import right_values, wrong_values

LEARNER = "examinee"


def start(**options):
    options.setdefault("rng", random.Random(5))
    return start_attempt(LEARNER, ["starter"], mode="test", **options)


def content_at(attempt, position):
    return attempt.items[position].question_version.content


def answers() -> int:
    return db.session.scalar(select(func.count()).select_from(Answer))


def reload(attempt):
    db.session.expire_all()
    return find_attempt(attempt.public_id, LEARNER)


def test_drafts_change_freely_in_any_order_and_nothing_is_marked_before_submission(imported):
    with imported.app_context():
        attempt = start(length=3)
        save_draft(attempt, 2, wrong_values(content_at(attempt, 2)), 3, flagged=True)
        save_draft(attempt, 0, wrong_values(content_at(attempt, 0)), 1, flagged=False)
        save_draft(attempt, 0, right_values(content_at(attempt, 0)), 2, flagged=False)
        attempt = reload(attempt)
        assert answers() == 0 and attempt.finished_at is None
        first, second, third = attempt.items
        assert first.draft is not None and first.draft_confidence == 2
        assert second.draft is None and third.flagged
        # The first question without a draft is where the learner goes on.
        assert current_position(attempt) == 1
        assert latest_unfinished(LEARNER).answered == 2

        assert submit_test(attempt)
        attempt = reload(attempt)
        assert attempt.finished_at is not None and answers() == 3
        marked = [item.answer for item in attempt.items]
        assert [a.fraction for a in marked] == [1.0, 0.0, 0.0]
        assert marked[1].response is None and marked[1].points == 0  # left unanswered
        assert marked[2].confidence == 3 and marked[2].points == -6
        summary = attempt_summary(attempt)
        assert (summary.items, summary.right) == (3, 1)


def test_clearing_a_draft_leaves_the_question_unanswered(imported):
    with imported.app_context():
        attempt = start(length=1)
        save_draft(attempt, 0, right_values(content_at(attempt, 0)), 2, flagged=True)
        save_draft(attempt, 0, [], None, flagged=False)
        item = reload(attempt).items[0]
        assert item.draft is None and item.draft_confidence is None and not item.flagged
        # SQL NULL, not JSON null: the database counts it as no draft.
        assert db.session.scalar(select(func.count()).where(AttemptItem.draft.is_not(None))) == 0


def test_a_draft_may_leave_the_confidence_out_and_is_then_marked_as_not_sure(imported):
    with imported.app_context():
        attempt = start(length=2)
        first, second = content_at(attempt, 0), content_at(attempt, 1)
        save_draft(attempt, 0, right_values(first), None, flagged=False)  # come back later
        save_draft(attempt, 1, wrong_values(second), None, flagged=False)
        with pytest.raises(ResponseError) as refused:  # not a level
            save_draft(attempt, 0, right_values(first), 7, flagged=True)
        assert refused.value.code == "no_confidence"
        with pytest.raises(ResponseError):
            save_draft(attempt, 0, ["no-such-choice"], 2, flagged=True)
        item = reload(attempt).items[0]
        assert item.draft is not None and item.draft_confidence is None and not item.flagged
        submit_test(reload(attempt))
        marked = [item.answer for item in reload(attempt).items]
        assert [(a.confidence, a.points) for a in marked] == [(None, 1.0), (None, 0.0)]
        assert attempt_summary(reload(attempt)).cbm_total == 1.0  # "not sure": +1 and 0


def test_a_submitted_test_refuses_drafts_and_a_second_submission(imported):
    with imported.app_context():
        attempt = start(length=2)
        save_draft(attempt, 0, right_values(content_at(attempt, 0)), 2, flagged=False)
        assert submit_test(attempt)
        assert not submit_test(reload(attempt))  # a double click marks nothing twice
        with pytest.raises(ClosedTest):
            save_draft(reload(attempt), 1, right_values(content_at(attempt, 1)), 3, flagged=False)
        assert answers() == 2
        assert reload(attempt).items[1].answer.response is None


def test_a_test_is_answered_through_drafts_only(imported):
    with imported.app_context():
        attempt = start(length=1)
        with pytest.raises(ValueError):
            submit_answer(attempt, 0, right_values(content_at(attempt, 0)), 2)
        assert answers() == 0


def test_submission_schedules_reviews_of_the_answered_questions_only(imported):
    with imported.app_context():
        attempt = start(length=2)
        save_draft(attempt, 0, wrong_values(content_at(attempt, 0)), 3, flagged=False)
        submit_test(attempt)
        cards = db.session.scalars(select(ReviewCard)).all()
        assert [card.question_id for card in cards] == [
            attempt.items[0].question_version.question_id
        ]
        assert cards[0].confidently_wrong


def test_a_time_limit_refuses_late_drafts_and_submits_the_test_as_it_stands(imported):
    with imported.app_context():
        with pytest.raises(ValueError):  # practice has no time limit
            start_attempt(LEARNER, ["starter"], mode="practice", time_limit=5)
        attempt = start(length=2, time_limit=10)
        assert 595 <= seconds_left(attempt) <= 600
        assert seconds_left(attempt, attempt.deadline - timedelta(seconds=2.2)) == 3
        save_draft(attempt, 0, right_values(content_at(attempt, 0)), 2, flagged=False)
        deadline = attempt.deadline
        assert not settle_if_time_is_up(attempt)  # time is not up

        # Within the grace after the deadline a save still counts...
        in_grace = deadline + DEADLINE_GRACE - timedelta(seconds=1)
        save_draft(attempt, 1, wrong_values(content_at(attempt, 1)), 1, False, now=in_grace)
        # ...after it, it is refused and changes nothing.
        late = deadline + DEADLINE_GRACE + timedelta(seconds=1)
        with pytest.raises(ClosedTest):
            save_draft(attempt, 1, right_values(content_at(attempt, 1)), 3, False, now=late)
        assert seconds_left(attempt, late) == 0
        assert settle_if_time_is_up(reload(attempt), now=late)
        attempt = reload(attempt)
        assert [item.answer.fraction for item in attempt.items] == [1.0, 0.0]
        assert attempt.items[1].answer.confidence == 1


def test_expired_tests_are_settled_before_a_page_lists_them(imported):
    with imported.app_context():
        running = start(length=1, time_limit=30)
        expired = start(length=1, time_limit=1)
        save_draft(expired, 0, right_values(content_at(expired, 0)), 2, flagged=False)
        db.session.execute(
            update(Attempt)
            .where(Attempt.id == expired.id)
            .values(deadline=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
        settle_expired_tests(LEARNER)
        assert reload(expired).finished_at is not None
        assert reload(expired).items[0].answer.fraction == 1.0
        assert reload(running).finished_at is None
        assert latest_unfinished(LEARNER).attempt.id == running.id


def test_an_item_answered_before_tests_kept_drafts_keeps_its_answer(imported):
    """A test started before the upgrade has answers recorded in order; they
    stand as they were, and the rest are drafts."""
    with imported.app_context():
        attempt = start(length=2)
        content = content_at(attempt, 0)
        db.session.add(
            Answer(
                attempt_id=attempt.id,
                position=0,
                response=right_values(content)[0] if content["type"] != "multiple" else [],
                fraction=0.5,
                points=0.5,
                confidence=None,
            )
        )
        db.session.commit()
        attempt = reload(attempt)
        save_draft(attempt, 0, wrong_values(content), 3, flagged=True)  # ignored
        assert reload(attempt).items[0].draft is None
        assert current_position(reload(attempt)) == 1
        assert submit_test(reload(attempt))
        attempt = reload(attempt)
        assert attempt.items[0].answer.fraction == 0.5 and answers() == 2


def test_a_draft_racing_the_submission_is_marked_or_refused_never_dropped(imported):
    """Whatever the timing, a save either happens before the submission (and is
    marked by it) or after it (and is refused): never saved and then ignored."""
    for _round in range(5):
        with imported.app_context():
            attempt = start(length=1)
            public_id = attempt.public_id
            values = right_values(content_at(attempt, 0))
        barrier = threading.Barrier(2)
        outcome, errors = {}, []

        def saver(
            public_id=public_id, values=values, barrier=barrier, outcome=outcome, errors=errors
        ):
            try:
                with imported.app_context():
                    mine = find_attempt(public_id, LEARNER)
                    barrier.wait()
                    try:
                        save_draft(mine, 0, values, 2, flagged=False)
                        outcome["saved"] = True
                    except ClosedTest:
                        outcome["saved"] = False
                    db.session.remove()
            except Exception as error:  # reported below
                errors.append(error)

        def submitter(public_id=public_id, barrier=barrier, outcome=outcome, errors=errors):
            try:
                with imported.app_context():
                    mine = find_attempt(public_id, LEARNER)
                    barrier.wait()
                    outcome["submitted"] = submit_test(mine)
                    db.session.remove()
            except Exception as error:  # reported below
                errors.append(error)

        threads = [threading.Thread(target=saver), threading.Thread(target=submitter)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == [] and outcome["submitted"]
        with imported.app_context():
            answer = find_attempt(public_id, LEARNER).items[0].answer
            marked = answer.response is not None
            assert marked == outcome["saved"], outcome
