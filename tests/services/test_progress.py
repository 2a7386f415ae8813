"""A learner's record: attempts listed, last score per bank, the quiz in progress."""

import random
from datetime import timedelta

from quizapp.extensions import db
from quizapp.models import Bank
from quizapp.models.content import utcnow
from quizapp.services.attempts import start_attempt, start_review, submit_answer
from quizapp.services.progress import (
    bank_trends,
    last_scores,
    latest_unfinished,
    learner_attempts,
)
from tests.answers import right_values, wrong_values
from tests.conftest import make_bank, make_question


def answer(attempt, right_positions):
    for item in attempt.items:
        values = right_values if item.position in right_positions else wrong_values
        submit_answer(attempt, item.position, values(item.question_version.content), 1)


def test_attempts_are_listed_newest_first_with_progress_and_score(imported):
    with imported.app_context():
        older = start_attempt("me", ["starter"], length=4, rng=random.Random(1))
        answer(older, {0, 1, 2})
        newer = start_attempt("me", ["starter"], length=3, rng=random.Random(2))
        submit_answer(newer, 0, right_values(newer.items[0].question_version.content), 1)
        start_attempt("someone-else", ["starter"], length=2)
        rows = learner_attempts("me")
        assert [row.attempt.id for row in rows] == [newer.id, older.id]
        assert [(r.items, r.answered, r.finished) for r in rows] == [(3, 1, False), (4, 4, True)]
        assert rows[1].percent == 75 and rows[1].banks[0].slug == "starter"
        unfinished = latest_unfinished("me")
        assert unfinished.attempt.id == newer.id and (unfinished.answered, unfinished.items) == (
            1,
            3,
        )
        assert unfinished.banks[0].slug == "starter"
        assert learner_attempts(None) == [] and latest_unfinished(None) is None


def test_the_last_score_counts_each_bank_of_a_mixed_attempt_separately(
    imported, runner, write_bank, bank_dir
):
    write_bank(make_bank(questions=[make_question(id="one"), make_question(id="two")]))
    assert runner.invoke(args=["quiz", "import", str(bank_dir)]).exit_code == 0
    with imported.app_context():
        first = start_attempt("me", ["starter"], length=2)
        answer(first, set())
        mixed = start_attempt("me", ["starter", "test-bank"], length=None)
        right = {
            item.position
            for item in mixed.items
            if item.question_version.question.bank.slug == "test-bank"
        }
        answer(mixed, right)
        banks = {bank.slug: bank.id for bank in db.session.scalars(db.select(Bank))}
        scores = last_scores("me")
        assert scores[banks["test-bank"]].percent == 100
        assert scores[banks["starter"]].percent == 0
        unfinished = start_attempt("me", ["test-bank"], length=None)
        submit_answer(unfinished, 0, wrong_values(unfinished.items[0].question_version.content), 1)
        assert last_scores("me")[banks["test-bank"]].percent == 100  # unfinished: not counted
        assert last_scores("someone-else") == {}


def test_each_banks_trend_lists_its_scores_oldest_first_weakest_bank_first(
    imported, runner, write_bank, bank_dir
):
    write_bank(make_bank(questions=[make_question(id="one"), make_question(id="two")]))
    assert runner.invoke(args=["quiz", "import", str(bank_dir)]).exit_code == 0
    with imported.app_context():
        answer(start_attempt("me", ["starter"], length=4, rng=random.Random(1)), {0})
        answer(start_attempt("me", ["starter"], length=4, rng=random.Random(2)), {0, 1, 2})
        answer(start_attempt("me", ["test-bank"], length=2, rng=random.Random(3)), {0})
        trends = bank_trends("me")
        assert [t.bank.slug for t in trends] == ["test-bank", "starter"]  # 50 % before 75 %
        test_bank, starter = trends
        assert [s.percent for s in starter.scores] == [25, 75] and starter.change == 50
        assert test_bank.change is None and test_bank.latest.percent == 50
        # Not sure (1) throughout: +1 right, 0 wrong, per question.
        assert starter.latest.cbm_average == 0.75
        assert bank_trends("someone-else") == [] and bank_trends(None) == []


def test_a_review_is_not_one_of_a_banks_scores(imported):
    with imported.app_context():
        answer(start_attempt("me", ["starter"], length=4, rng=random.Random(1)), {0})
        later = utcnow() + timedelta(days=1)
        review = start_review("me", now=later)
        answer(review, set(range(len(review.items))))  # every question right
        assert review.finished_at is not None
        (starter,) = bank_trends("me")
        assert [s.percent for s in starter.scores] == [25]
        assert last_scores("me")[starter.bank.id].percent == 25
