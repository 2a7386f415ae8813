"""The rating of an answer and the schedule FSRS makes of it, on a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fsrs import Rating
from hypothesis import given
from hypothesis import strategies as st

from quizapp.domain import scoring, spacing

MONDAY = datetime(2026, 11, 30, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("fraction", "confidence", "rating"),
    [
        (0.0, None, Rating.Again),
        (0.0, 1, Rating.Again),
        (0.0, 3, Rating.Again),
        (0.5, None, Rating.Hard),
        (0.5, 3, Rating.Hard),
        (1.0, 1, Rating.Hard),
        (1.0, None, Rating.Good),
        (1.0, 2, Rating.Good),
        (1.0, 3, Rating.Easy),
    ],
)
def test_each_answer_and_confidence_has_the_documented_rating(fraction, confidence, rating):
    assert spacing.rating_for(fraction, confidence) is rating


@pytest.mark.parametrize(
    ("fraction", "confidence", "expected"),
    [(0.0, 3, True), (0.0, 2, True), (0.0, 1, False), (0.0, None, False), (0.5, 3, False)],
)
def test_only_a_wrong_answer_that_cost_marks_is_confidently_wrong(fraction, confidence, expected):
    assert scoring.confidently_wrong(fraction, confidence) is expected


@pytest.mark.parametrize(
    ("fraction", "confidence", "days"),
    [(0.0, 3, 1), (0.5, 2, 1), (1.0, 1, 1), (1.0, 2, 2), (1.0, 3, 8)],
)
def test_the_first_intervals_are_the_documented_ones(fraction, confidence, days):
    card = spacing.review(None, fraction, confidence, MONDAY)
    assert spacing.due_at(card) == MONDAY + timedelta(days=days)


def test_right_again_on_time_spaces_further_and_wrong_brings_it_back_tomorrow():
    first = spacing.review(None, 1.0, 2, MONDAY)
    due = spacing.due_at(first)
    right = spacing.review(first, 1.0, 2, due)
    wrong = spacing.review(first, 0.0, 2, due)
    assert spacing.due_at(right) - due == timedelta(days=11)
    assert spacing.due_at(wrong) - due == timedelta(days=1)


def test_a_card_due_tomorrow_evening_is_offered_from_tomorrow_morning():
    card = spacing.review(None, 0.0, 2, MONDAY)  # Monday 19:00, due Tuesday 19:00
    tuesday_morning = MONDAY + timedelta(hours=13)  # Tuesday 08:00
    assert spacing.due_at(card) <= spacing.offered_by(tuesday_morning)
    assert spacing.due_at(card) > spacing.offered_by(MONDAY + timedelta(hours=6))
    assert spacing.offered_from(spacing.due_at(card)) == MONDAY + timedelta(hours=12)


answers = st.lists(
    st.tuples(
        st.integers(0, 400 * 24).map(lambda hours: MONDAY + timedelta(hours=hours)),
        st.sampled_from([0.0, 0.5, 1.0]),
        st.sampled_from([None, 1, 2, 3]),
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda answer: answer[0],
)


@given(answers)
def test_a_replay_in_any_order_is_the_schedule_made_as_the_answers_came(given_answers):
    made = None
    for when, fraction, confidence in sorted(given_answers, key=lambda a: a[0]):
        made = spacing.review(made, fraction, confidence, when)
    assert spacing.replay(reversed(given_answers)) == made
    last = max(when for when, *_ in given_answers)
    assert spacing.due_at(made) >= last + timedelta(days=1)


def test_nothing_answered_replays_to_no_card():
    assert spacing.replay([]) is None
