"""Spaced review over the database: every self-study answer schedules its
question for the learner; a review draws what is due, confident errors first."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import select

from quizapp.domain import spacing
from quizapp.extensions import db
from quizapp.models import Bank, Question, ReviewCard
from quizapp.models.content import aware, utcnow
from quizapp.services.attempts import (
    NothingToDraw,
    retry_missed,
    start_attempt,
    start_review,
    submit_answer,
)
from quizapp.services.retirement import retire_question
from quizapp.services.reviews import outlook
from tests.answers import right_values, wrong_values
from tests.services.editing import make_admin

TOMORROW = timedelta(days=1)


def practise(learner, banks, answers, length=None, seed=1):
    """An attempt answered item by item: ``answers`` maps a position to
    (right?, confidence); positions not listed are answered right, "fairly sure"."""
    attempt = start_attempt(learner, banks, length=length, rng=random.Random(seed))
    for item in attempt.items:
        right, confidence = answers.get(item.position, (True, 2))
        values = (right_values if right else wrong_values)(item.question_version.content)
        submit_answer(attempt, item.position, values, confidence)
    return attempt


def cards(learner):
    return {
        card.question_id: card
        for card in db.session.scalars(select(ReviewCard).where(ReviewCard.learner_key == learner))
    }


def question_of(item):
    return item.question_version.question_id


def test_every_answer_schedules_its_question_for_that_learner(imported):
    with imported.app_context():
        attempt = practise("me", ["starter"], {0: (False, 3), 1: (True, 1), 2: (True, 3)}, 4)
        practise("someone-else", ["starter"], {}, 2)
        mine = cards("me")
        assert set(mine) == {question_of(item) for item in attempt.items}
        answered = {question_of(item): item.answer.answered_at for item in attempt.items}
        days = {0: 1, 1: 1, 2: 8, 3: 2}  # wrong, a right guess, very sure, fairly sure
        for item in attempt.items:
            card = mine[question_of(item)]
            assert aware(card.due) == aware(answered[card.question_id]) + timedelta(
                days=days[item.position]
            )
            assert card.reviews == 1
            assert card.confidently_wrong is (item.position == 0)


def test_a_learner_who_practised_yesterday_has_reviews_due_today(imported):
    with imported.app_context():
        attempt = practise("me", ["starter"], {0: (False, 2), 1: (False, 1)}, 5)
        now = utcnow()
        assert outlook("me", now) == outlook("me")
        assert outlook("me", now).due == 0
        first = min(aware(card.due) for card in cards("me").values())
        assert outlook("me", now).next_at == spacing.offered_from(first)
        tomorrow = outlook("me", now + TOMORROW)
        assert tomorrow.due == 2 and tomorrow.next_at is None
        assert outlook("me", now + timedelta(days=3)).due == 5
        assert outlook("someone-else", now + TOMORROW).due == 0
        assert outlook(None).due == 0
        assert attempt.finished_at is not None


def test_a_review_draws_what_is_due_confident_errors_first_in_live_versions(imported):
    with imported.app_context():
        attempt = practise("me", ["starter"], {0: (False, 1), 3: (False, 3), 5: (True, 3)}, 6)
        by_position = {item.position: question_of(item) for item in attempt.items}
        review = start_review("me", now=utcnow() + TOMORROW, rng=random.Random(3))
        drawn = [question_of(item) for item in review.items]
        # Due tomorrow: the two wrong ones, the confidently wrong first.
        assert drawn == [by_position[3], by_position[0]]
        assert review.mode == "practice" and review.confidence_enabled
        assert review.settings == {"banks": ["starter"], "length": None, "review": True}
        questions = {q.id: q for q in db.session.scalars(select(Question))}
        assert [item.question_version_id for item in review.items] == [
            questions[q].live_version_id for q in drawn
        ]
        in_three_days = start_review("me", now=utcnow() + timedelta(days=3))
        assert len(in_three_days.items) == 5  # all but the one "very sure" and right (8 days)
        assert by_position[5] not in {question_of(item) for item in in_three_days.items}


def test_answers_in_a_review_reschedule_the_same_cards(imported):
    with imported.app_context():
        practised = practise("me", ["starter"], {0: (False, 3)}, 1)
        (before,) = cards("me").values()
        assert before.confidently_wrong
        review = start_review("me", now=aware(before.due))
        (item,) = review.items
        submit_answer(review, 0, right_values(item.question_version.content), 2)
        (after,) = cards("me").values()
        assert after.id == before.id and after.reviews == 2
        assert not after.confidently_wrong
        both = [
            (aware(practised.items[0].answer.answered_at), 0.0, 3),
            (aware(item.answer.answered_at), 1.0, 2),
        ]
        assert after.card == spacing.replay(both) != spacing.replay(both[:1])


def test_a_retry_of_a_review_is_a_plain_retry(imported):
    with imported.app_context():
        practise("me", ["starter"], {0: (False, 2), 1: (False, 2)}, 2)
        review = practise_review("me", right=False)
        again = retry_missed(review)
        assert "review" not in again.settings and again.settings["retry_of"] == review.public_id


def practise_review(learner, right):
    review = start_review(learner, now=utcnow() + TOMORROW)
    for item in review.items:
        values = (right_values if right else wrong_values)(item.question_version.content)
        submit_answer(review, item.position, values, 2)
    return review


def test_nothing_due_draws_nothing(imported):
    with imported.app_context():
        with pytest.raises(NothingToDraw):
            start_review("me")
        practise("me", ["starter"], {}, 2)
        with pytest.raises(NothingToDraw):
            start_review("me")  # answered right just now: due in days


def test_the_same_form_twice_starts_one_review(imported):
    with imported.app_context():
        practise("me", ["starter"], {0: (False, 2)}, 3)
        later = utcnow() + TOMORROW
        first = start_review("me", request_token="r" * 22, now=later)
        assert start_review("me", request_token="r" * 22, now=later).id == first.id


def test_retired_questions_and_banks_are_not_reviewed_and_come_back_with_them(imported):
    with imported.app_context():
        attempt = practise("me", ["starter"], {0: (False, 2), 1: (False, 2)}, 2)
        later = utcnow() + TOMORROW
        retired = db.session.get(Question, question_of(attempt.items[0]))
        retire_question(retired, make_admin(), retired.current_version_id)
        assert outlook("me", later).due == 1
        assert [question_of(i) for i in start_review("me", now=later).items] == [
            question_of(attempt.items[1])
        ]
        bank = db.session.scalar(select(Bank).filter_by(slug="starter"))
        bank.status = "retired"
        db.session.commit()
        assert outlook("me", later).due == 0
        with pytest.raises(NothingToDraw):
            start_review("me", now=later)


def test_the_before_and_after_check_forms_are_never_scheduled(imported):
    with imported.app_context():
        practise("me", ["check-form-a"], {0: (False, 3)}, 3)
        assert cards("me") == {}
        assert outlook("me", utcnow() + timedelta(days=30)).due == 0


def test_two_first_answers_of_one_question_make_one_card(imported):
    """Two tabs, two attempts, the same question answered in both."""
    with imported.app_context():
        one = start_attempt("me", ["starter"], rng=random.Random(1))
        two = start_attempt("me", ["starter"], rng=random.Random(1))
        for attempt in (one, two):
            item = attempt.items[0]
            submit_answer(attempt, 0, wrong_values(item.question_version.content), 2)
        assert question_of(one.items[0]) == question_of(two.items[0])
        card = cards("me")[question_of(one.items[0])]
        assert card.reviews == 2
        answers = [(aware(a.items[0].answer.answered_at), 0.0, 2) for a in (one, two)]
        assert card.card == spacing.replay(answers)
