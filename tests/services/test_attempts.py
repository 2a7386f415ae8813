"""Self-study attempts: drawing, recording answers once and in order, retrying."""

import random
import threading

import pytest
from sqlalchemy import func, insert, select

from quizapp.domain.question_types import ResponseError
from quizapp.extensions import db
from quizapp.models import Answer, Attempt, Question
from quizapp.services.attempts import (
    NotCurrent,
    NothingToDraw,
    attempt_summary,
    current_position,
    find_attempt,
    published_versions,
    retry_missed,
    start_attempt,
    submit_answer,
)
from quizapp.services.banks import add_version
from tests.answers import right_values, wrong_values
from tests.conftest import make_bank, make_question

LEARNER = "learner-one"


def start(**options):
    options.setdefault("rng", random.Random(3))
    return start_attempt(LEARNER, ["starter"], **options)


def answer_all(attempt, values_for=right_values, confidence=2):
    for item in attempt.items:
        submit_answer(attempt, item.position, values_for(item.question_version.content), confidence)


def answer_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Answer))


def test_an_attempt_draws_the_asked_number_of_published_questions(imported):
    with imported.app_context():
        attempt = start(length=5)
        assert len(attempt.items) == 5
        versions = [item.question_version for item in attempt.items]
        assert len({v.question_id for v in versions}) == 5
        assert all(v.status == "published" for v in versions)
        for item in attempt.items:
            choices = item.question_version.content.get("choices")
            if choices:
                assert sorted(item.choice_order) == sorted(c["id"] for c in choices)
            else:
                assert item.choice_order is None
        starter = len(published_versions(["starter"]))
        assert len(start(length=None).items) == starter
        assert len(start(length=starter + 1).items) == starter


def test_drafts_and_retired_questions_are_not_drawn(app, runner, write_bank, bank_dir):
    questions = [
        make_question(id="live"),
        make_question(id="draft", status="draft"),
        make_question(id="old", status="retired"),
    ]
    write_bank(make_bank(questions=questions))
    assert runner.invoke(args=["quiz", "import", str(bank_dir)]).exit_code == 0
    with app.app_context():
        attempt = start_attempt(LEARNER, ["test-bank"])
        assert [item.question_version.question.key for item in attempt.items] == ["live"]
        with pytest.raises(NothingToDraw):
            start_attempt(LEARNER, ["no-such-bank"])


def test_the_same_start_token_starts_one_attempt_and_only_for_its_learner(imported):
    with imported.app_context():
        first = start(request_token="t-1")
        again = start(request_token="t-1")
        assert again.id == first.id
        theirs = start_attempt("someone-else", ["starter"], request_token="t-1")
        assert theirs.id != first.id and theirs.learner_key == "someone-else"
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2


def test_answers_are_graded_and_recorded_with_confidence_points_and_time(imported):
    with imported.app_context():
        attempt = start(length=3)
        first = attempt.items[0]
        submission = submit_answer(
            attempt, 0, right_values(first.question_version.content), 3, time_taken_ms=4200
        )
        assert submission.recorded
        stored = db.session.scalar(select(Answer))
        assert (stored.fraction, stored.points, stored.confidence, stored.time_taken_ms) == (
            1.0,
            3.0,
            3,
            4200,
        )
        second = attempt.items[1].question_version.content
        submit_answer(attempt, 1, wrong_values(second), 3)
        assert db.session.get(Answer, 2).points == -6.0
        assert attempt.finished_at is None and current_position(attempt) == 2


def test_the_last_answer_finishes_the_attempt(imported):
    with imported.app_context():
        attempt = start(length=4)
        answer_all(attempt)
        assert attempt.finished_at is not None and current_position(attempt) is None


def test_an_answer_to_another_than_the_current_question_is_refused(imported):
    with imported.app_context():
        attempt = start(length=3)
        content = attempt.items[2].question_version.content
        with pytest.raises(NotCurrent) as refused:
            submit_answer(attempt, 2, right_values(content), 1)
        assert refused.value.current == 0
        assert answer_count() == 0


def test_a_repeated_submission_keeps_the_first_answer(imported):
    with imported.app_context():
        attempt = start(length=2)
        content = attempt.items[0].question_version.content
        first = submit_answer(attempt, 0, wrong_values(content), 2)
        again = submit_answer(attempt, 0, wrong_values(content), 2)
        changed = submit_answer(attempt, 0, right_values(content), 3)
        assert first.recorded and not again.recorded and not changed.recorded
        assert again.same_response and not changed.same_response
        assert again.answer.id == changed.answer.id == first.answer.id
        assert answer_count() == 1 and db.session.scalar(select(Answer.fraction)) == 0.0


def test_an_answer_inserted_between_check_and_insert_wins_and_is_returned(imported):
    with imported.app_context():
        attempt = start(length=2)
        content = attempt.items[0].question_version.content
        assert attempt.items[0].answer is None  # loaded: the check will pass
        with db.engine.begin() as other:  # another request, another connection
            other.execute(
                insert(Answer).values(
                    attempt_id=attempt.id, position=0, response="x", fraction=0.0, points=0.0
                )
            )
        submission = submit_answer(attempt, 0, right_values(content), 1)
        assert not submission.recorded and submission.answer.response == "x"
        assert answer_count() == 1


def test_simultaneous_submissions_record_one_answer(imported):
    with imported.app_context():
        attempt = start(length=2)
        public_id = attempt.public_id
        values = right_values(attempt.items[0].question_version.content)
    barrier = threading.Barrier(6)
    outcomes, errors = [], []

    def submit():
        try:
            with imported.app_context():
                mine = find_attempt(public_id, LEARNER)
                barrier.wait()
                outcomes.append(submit_answer(mine, 0, values, 2).recorded)
                db.session.remove()
        except Exception as error:  # reported below, with the thread's error
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == [False] * 5 + [True]
    with imported.app_context():
        assert answer_count() == 1


def test_confidence_is_required_when_asked_for_and_ignored_when_off(imported):
    with imported.app_context():
        attempt = start(length=1)
        content = attempt.items[0].question_version.content
        with pytest.raises(ResponseError) as refused:
            submit_answer(attempt, 0, right_values(content), None)
        assert refused.value.code == "no_confidence" and answer_count() == 0
        plain = start(length=1, confidence_enabled=False)
        content = plain.items[0].question_version.content
        submit_answer(plain, 0, right_values(content), 3)
        stored = db.session.scalar(select(Answer))
        assert stored.confidence is None and stored.points == 1.0


def test_a_foreign_or_unknown_attempt_is_not_found(imported):
    with imported.app_context():
        attempt = start(length=1)
        assert find_attempt(attempt.public_id, LEARNER).id == attempt.id
        assert find_attempt(attempt.public_id, "someone-else") is None
        assert find_attempt(attempt.public_id, None) is None
        assert find_attempt("0" * 32, LEARNER) is None


def test_retrying_draws_the_missed_questions_in_their_current_version(imported):
    with imported.app_context():
        attempt = start(length=None)
        missed = {item.question_version.question_id for item in attempt.items[:3]}
        for item in attempt.items:
            content = item.question_version.content
            wrong = item.question_version.question_id in missed
            submit_answer(
                attempt, item.position, (wrong_values if wrong else right_values)(content), 1
            )
        # One missed question is corrected (a new version), one retired.
        corrected, retired = (db.session.get(Question, qid) for qid in sorted(missed)[:2])
        for question, status in ((corrected, "published"), (retired, "retired")):
            old = question.current_version
            passages = [citation.passage for citation in old.citations]
            add_version(question, dict(old.content, status=status), passages, "editor")
        db.session.commit()
        again = retry_missed(attempt, request_token="r-1")
        drawn = {item.question_version.question_id: item.question_version for item in again.items}
        assert set(drawn) == missed - {retired.id}
        assert drawn[corrected.id].id == corrected.current_version_id
        assert again.settings["retry_of"] == attempt.public_id
        assert retry_missed(attempt, request_token="r-1").id == again.id


def test_nothing_to_retry_when_everything_was_right(imported):
    with imported.app_context():
        attempt = start(length=2)
        answer_all(attempt)
        with pytest.raises(NothingToDraw):
            retry_missed(attempt)


def test_the_summary_of_a_finished_attempt(imported):
    with imported.app_context():
        attempt = start(length=None)
        answer_all(attempt, wrong_values, confidence=1)
        summary = attempt_summary(attempt)
        items = len(attempt.items)
        assert summary.items == summary.answered == items > 0
        assert summary.score == 0 and summary.cbm_total == 0
        assert summary.calibration[0].answered == items and summary.calibration[0].right == 0
        # True/false statements and claims are the judgements.
        judged = [i for i in attempt.items if i.question_version.type in ("true_false", "claim")]
        assert sum(j.judged for j in summary.judgements) == len(judged) > 0
        assert any(i.question_version.type == "claim" for i in judged)
