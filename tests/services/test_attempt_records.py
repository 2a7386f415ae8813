"""Answers keep the version the learner saw; one answer per attempt item."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from quizapp.extensions import db
from quizapp.models import Answer, Attempt, AttemptItem, Question
from tests.conftest import make_bank, make_question


def make_attempt(question: Question) -> Attempt:
    """An attempt of one item showing ``question``'s current version."""
    attempt = Attempt(public_id="a" * 32, learner_key="learner-1", mode="practice", settings={})
    attempt.items.append(
        AttemptItem(position=0, question_version=question.current_version, choice_order=["b", "a"])
    )
    db.session.add(attempt)
    db.session.commit()
    return attempt


def answer(attempt: Attempt, response="a") -> Answer:
    return Answer(attempt_id=attempt.id, position=0, response=response, fraction=1.0, points=1.0)


@pytest.fixture
def answered(app, runner, write_bank, bank_dir):
    """The test bank imported and an attempt whose one item was answered "a"."""
    write_bank(make_bank())
    assert runner.invoke(args=["quiz", "import", str(bank_dir)]).exit_code == 0
    with app.app_context():
        attempt = make_attempt(db.session.scalar(select(Question)))
        db.session.add(answer(attempt, "a"))
        db.session.commit()
        return attempt.id, attempt.items[0].question_version_id


def test_an_answer_keeps_the_version_it_was_given_after_the_question_changes(
    app, runner, write_bank, bank_dir, answered
):
    attempt_id, shown = answered
    write_bank(make_bank(questions=[make_question(prompt={"zh": "改了", "en": "Changed"})]))
    assert runner.invoke(args=["quiz", "import", str(bank_dir)]).exit_code == 0
    with app.app_context():
        item = db.session.get(AttemptItem, (attempt_id, 0))
        assert item.question_version_id == shown
        assert item.question_version.content["prompt"]["en"] == "What happened to the cookie?"
        assert item.question_version.question.current_version.number == 2
        assert item.answer.response == "a"


def test_a_second_answer_to_the_same_item_is_refused_by_the_database(app, answered):
    attempt_id, _ = answered
    with app.app_context():
        db.session.add(
            Answer(attempt_id=attempt_id, position=0, response="b", fraction=0.0, points=0.0)
        )
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalars(select(Answer.response)).all() == ["a"]
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
