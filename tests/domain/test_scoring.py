"""Certainty-based marks and the summary of an attempt."""

import pytest

from quizapp.domain import scoring
from quizapp.domain.scoring import (
    Calibration,
    Outcome,
    certainty_mark,
    points_for,
    summarise,
)


@pytest.mark.parametrize(
    ("fraction", "confidence", "mark"),
    [
        (1.0, 1, 1),
        (1.0, 2, 2),
        (1.0, 3, 3),
        (0.0, 1, 0),
        (0.0, 2, -2),
        (0.0, 3, -6),
        (0.5, 3, 1.5),  # partial credit: its share of the "right" mark
        (0.5, 2, 1.0),
    ],
)
def test_certainty_based_marks_follow_the_table(fraction, confidence, mark):
    assert certainty_mark(fraction, confidence) == mark


def test_a_confidence_outside_one_to_three_is_an_error():
    with pytest.raises(ValueError):
        certainty_mark(1.0, 4)


def test_without_confidence_the_points_are_the_fraction():
    assert points_for(0.5, None) == 0.5


def test_the_summary_counts_score_cbm_and_calibration():
    outcomes = [
        Outcome(1.0, 3),
        Outcome(1.0, 3),
        Outcome(0.0, 3),
        Outcome(0.5, 2),
        Outcome(1.0, 1),
        Outcome(None),
    ]
    summary = summarise(outcomes, confidence_enabled=True)
    assert (summary.items, summary.answered, summary.right, summary.missed) == (6, 5, 3, 3)
    assert summary.score == 3.5 and summary.percent == 58
    assert summary.cbm_total == 3 + 3 - 6 + 1 + 1
    assert summary.cbm_average == pytest.approx(2 / 6)
    assert summary.calibration == [Calibration(1, 1, 1), Calibration(2, 1, 0), Calibration(3, 3, 2)]


def test_without_confidence_there_is_no_cbm_score_or_calibration():
    summary = summarise([Outcome(1.0), Outcome(0.0)], confidence_enabled=False)
    assert summary.cbm_total is None and summary.cbm_average is None
    assert summary.calibration == [] and summary.percent == 50


@pytest.mark.parametrize(
    ("confidence", "answered", "right", "advice"),
    [
        (3, 6, 4, "humbler"),  # 67 % right when "very sure" needs 80 %
        (3, 5, 4, None),  # exactly 80 %: it paid off
        (2, 3, 1, "humbler"),
        (1, 4, 4, "bolder"),  # always right when "not sure"
        (2, 5, 5, "bolder"),
        (1, 3, 2, None),  # 67 %: "fairly sure" would only break even
        (3, 2, 0, None),  # too few answers to say anything
    ],
)
def test_calibration_advice_uses_the_cbm_break_even_points(confidence, answered, right, advice):
    assert Calibration(confidence, answered, right).advice == advice


def test_true_and_false_statements_are_reported_separately():
    outcomes = [
        Outcome(1.0, statement=True, response=True),
        Outcome(0.0, statement=True, response=False),
        Outcome(0.0, statement=False, response=True),
        Outcome(1.0, statement=False, response=False),
        Outcome(1.0, statement=False, response=False),
        Outcome(1.0),  # not a true/false item
    ]
    judgements = summarise(outcomes, confidence_enabled=False).judgements
    assert [(j.truth, j.judged, j.judged_correctly) for j in judgements] == [
        (True, 2, 1),
        (False, 3, 2),
    ]


@pytest.mark.parametrize(
    ("fraction", "confidence", "status"),
    [
        (1.0, 3, "right"),
        (1.0, None, "right"),
        (0.5, 3, "partly"),
        (0.0, None, "wrong"),
        (0.0, 1, "wrong"),
        (0.0, 2, "confidently_wrong"),
        (0.0, 3, "confidently_wrong"),
        (None, None, "wrong"),
    ],
)
def test_each_answer_has_one_status_on_the_results_page(fraction, confidence, status):
    assert scoring.answer_status(fraction, confidence) == status


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [
        (6, None, "+6"),
        (-6, None, "−6"),
        (0, None, "0"),
        (-0.4, 2, "−0.40"),
        (0.004, 2, "0.00"),
        (1.005, None, "+1"),
        (2.5, None, "+2.5"),
    ],
)
def test_a_mark_is_written_with_its_sign_and_a_true_minus(value, places, text):
    assert scoring.signed(value, places) == text


def test_a_question_left_blank_in_a_test_is_unanswered_not_wrong():
    assert scoring.answer_status(0.0, None, answered=False) == "unanswered"
    assert scoring.answer_status(0.0, None) == "wrong"
    assert "unanswered" in scoring.STATUSES


def test_objective_trends_score_each_attempt_weakest_objective_first():
    answered = [
        # attempt 1: "source" half right, "fact" right, with confidence
        (1, "source", 1.0, 3.0),
        (1, "source", 0.0, -6.0),
        (1, "fact", 1.0, 2.0),
        (1, None, 0.0, 0.0),  # no objective: left out
        # attempt 2: "source" wrong, no confidence asked
        (2, "source", 0.0, None),
        # attempts 3..8: "fact", right each time
        *[(n, "fact", 1.0, 1.0) for n in range(3, 9)],
    ]
    trends = scoring.objective_trends(answered, order=["fact", "source", "unused"], last=5)
    assert [t.objective for t in trends] == ["source", "fact"]  # weakest first
    source, fact = trends
    assert (source.overall.answered, source.overall.percent) == (3, 33)
    assert source.percents == [50, 0] and source.change == -50
    assert source.cbm == [-1.5]  # attempt 2 asked no confidence: not a certainty-based point
    assert fact.percents == [100] * 5 and fact.change == 0  # the last five of seven attempts
    assert fact.overall.answered == 7 and fact.cbm == [1.0] * 5


def test_objective_trends_put_the_surer_weakness_first_among_equals():
    answered = [(1, "a", 0.0, None), (1, "b", 0.0, None), (2, "b", 0.0, None)]
    assert [t.objective for t in scoring.objective_trends(answered)] == ["b", "a"]
    assert scoring.objective_trends([]) == []
