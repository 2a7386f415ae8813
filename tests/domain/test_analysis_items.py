"""Moodle's item and test statistics, against hand-worked examples and numpy/scipy."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from quizapp.domain.analysis import items as analysis
from quizapp.domain.analysis.items import (
    MIN_ANSWERS_TO_FLAG,
    Mark,
    distractor_table,
    item_statistics,
    random_guess_score,
)
from quizapp.domain.analysis.numbers import covariance, mean, median, sd, variance

# pytest must not collect the function named test_statistics, so call it through the module.
fixed_test_statistics = analysis.test_statistics


def fixed_test(rows: dict[str, list[float]]) -> list[Mark]:
    """Marks of a fixed test: taker -> fractions of items i1, i2, ..."""
    return [
        Mark(taker, f"i{number}", fraction)
        for taker, fractions in rows.items()
        for number, fraction in enumerate(fractions, start=1)
    ]


# Four takers, three items, every taker the same items.
#   taker  i1 i2 i3  total
#   A       1  1  1   3
#   B       1  0  1   2
#   C       0  1  0   1
#   D       0  0  0   0
SMALL = fixed_test({"A": [1, 1, 1], "B": [1, 0, 1], "C": [0, 1, 0], "D": [0, 0, 0]})


def by_item(marks, **kwargs):
    return {row.item: row for row in item_statistics(marks, **kwargs)}


# --- the shared helpers ---------------------------------------------------


def test_helpers_by_hand():
    # mean(1, 2, 3, 6) = 12 / 4 = 3; deviations -2 -1 0 3, squares 4 1 0 9 = 14; / 3
    assert mean([1, 2, 3, 6]) == 3
    assert variance([1, 2, 3, 6]) == pytest.approx(14 / 3)
    assert sd([1, 2, 3, 6]) == pytest.approx(math.sqrt(14 / 3))
    # cov: (-2)(-1) + (-1)(0) + (0)(-1) + (3)(2) = 8; / 3   (ys 1 2 1 4, mean 2)
    assert covariance([1, 2, 3, 6], [1, 2, 1, 4]) == pytest.approx(8 / 3)
    assert median([3, 1, 2]) == 2
    assert median([4, 1, 3, 2]) == 2.5


def test_helpers_are_none_when_undefined():
    assert mean([]) is None
    assert median([]) is None
    assert variance([5]) is None
    assert sd([5]) is None
    assert covariance([1], [2]) is None
    assert variance([2, 2, 2]) == 0


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)),
        min_size=2,
        max_size=30,
    )
)
def test_helpers_match_numpy(pairs):
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    assert mean(xs) == pytest.approx(np.mean(xs), abs=1e-9)
    assert variance(xs) == pytest.approx(np.var(xs, ddof=1), abs=1e-6)
    assert covariance(xs, ys) == pytest.approx(np.cov(xs, ys, ddof=1)[0, 1], abs=1e-6)
    assert median(xs) == pytest.approx(np.median(xs))


# --- random guess score ---------------------------------------------------


def choices(*ids):
    return [{"id": choice} for choice in ids]


def test_random_guess_score_by_type():
    assert (
        random_guess_score("single", {"choices": choices("a", "b", "c", "d"), "answer": "a"})
        == 0.25
    )
    assert random_guess_score("true_false", {"answer": True}) == 0.5
    assert random_guess_score("claim", {"answer": "supported"}) == 0.5
    assert random_guess_score("numeric", {"answer": {"value": 60, "tolerance": 0}}) == 0.0
    assert random_guess_score("short_text", {"answer": ["Sora"]}) == 0.0
    assert random_guess_score("short", {"answer": ["Sora"]}) == 0.0
    assert random_guess_score("essay", {}) is None
    assert random_guess_score("single", {"choices": []}) is None


def test_random_guess_score_of_multiple_averages_every_non_empty_subset():
    # Choices a b c, key [a, b]; mark = max(0, (right - wrong) / 2):
    #   {a} .5  {b} .5  {c} 0  {a,b} 1  {a,c} 0  {b,c} 0  {a,b,c} .5   -> 2.5 / 7
    content = {"choices": choices("a", "b", "c"), "answer": ["a", "b"]}
    assert random_guess_score("multiple", content) == pytest.approx(2.5 / 7)


def test_random_guess_score_of_multiple_needs_choices_and_a_key():
    assert random_guess_score("multiple", {"choices": [], "answer": ["a"]}) is None
    assert random_guess_score("multiple", {"choices": choices("a", "b", "c")}) is None


# --- item statistics ------------------------------------------------------


def test_item_statistics_by_hand():
    rows = by_item(SMALL, random_guess={"i1": 0.25})
    first = rows["i1"]
    # i1: x = 1 1 0 0, facility .5, var = 4 * .25 / 3 = 1/3.
    # Rest (mean of i2, i3): A 1, B .5, C .5, D 0; mean .5, var = (.25 + 0 + 0 + .25) / 3 = 1/6.
    # cov = (.5*.5 + .5*0 + -.5*0 + -.5*-.5) / 3 = 1/6; r = (1/6) / sqrt(1/3 * 1/6) = sqrt(.5).
    assert first.answers == 4
    assert first.facility == 0.5
    assert first.sd == pytest.approx(math.sqrt(1 / 3))
    assert first.random_guess == 0.25
    assert first.discrimination_index == pytest.approx(100 * math.sqrt(0.5))
    # Sorted: x 0 0 1 1, rest 0 .5 .5 1; cov = (.25 + 0 + 0 + .25) / 3 = 1/6 = the actual cov.
    assert first.discriminative_efficiency == pytest.approx(100)
    assert first.flags == ()  # four answers are too few to flag
    # i2: x = 1 0 1 0, rest (i1, i3) = 1 1 0 0: cov = (.25 - .25 - .25 + .25) / 3 = 0.
    second = rows["i2"]
    assert second.discrimination_index == pytest.approx(0)
    assert second.discriminative_efficiency == pytest.approx(0)
    assert second.random_guess is None
    # i3 has the same marks and rest as i1.
    assert rows["i3"].discrimination_index == pytest.approx(100 * math.sqrt(0.5))


def test_items_come_in_the_order_they_first_appear():
    marks = [Mark("A", "q1", 1), Mark("B", "q2", 0), Mark("A", "q3", 1), Mark("B", "q1", 0)]
    assert [row.item for row in item_statistics(marks)] == ["q1", "q2", "q3"]


def moodle_item_statistics(matrix: np.ndarray, column: int) -> tuple[float, float]:
    """Moodle's own definition, with numpy: X = T - x, the raw rest of test."""
    x = matrix[:, column]
    rest = matrix.sum(axis=1) - x
    index = 100 * np.corrcoef(x, rest)[0, 1]
    efficiency = 100 * np.cov(x, rest)[0, 1] / np.cov(np.sort(x), np.sort(rest))[0, 1]
    return index, efficiency


@pytest.mark.parametrize("seed", range(5))
def test_item_statistics_equal_moodles_raw_rest_of_test_on_a_fixed_test(seed):
    generator = np.random.default_rng(seed)
    ability = generator.normal(size=30)
    difficulty = generator.normal(size=6)
    chance = 1 / (1 + np.exp(-(ability[:, None] - difficulty[None, :])))
    matrix = (generator.random((30, 6)) < chance).astype(float)
    matrix[:, 5] = np.round(generator.random(30) * 4) / 4  # a partly-credited item
    marks = fixed_test({f"t{row}": list(matrix[row]) for row in range(30)})
    rows = item_statistics(marks)
    for column, row in enumerate(rows):
        index, efficiency = moodle_item_statistics(matrix, column)
        assert row.facility == pytest.approx(matrix[:, column].mean())
        assert row.sd == pytest.approx(matrix[:, column].std(ddof=1))
        assert row.discrimination_index == pytest.approx(index)
        assert row.discriminative_efficiency == pytest.approx(efficiency)


def test_takers_who_drew_different_items_are_compared_on_the_mean_of_their_other_items():
    # A saw q1 q2 q3, B q1 q2, C q1 q3, D only q1 (no rest: left out of the discrimination).
    marks = [
        Mark("A", "q1", 1), Mark("A", "q2", 1), Mark("A", "q3", 0),
        Mark("B", "q1", 0), Mark("B", "q2", 0),
        Mark("C", "q1", 1), Mark("C", "q3", 1),
        Mark("D", "q1", 0),
    ]  # fmt: skip
    first = by_item(marks)["q1"]
    assert first.answers == 4
    assert first.facility == 0.5
    # Rest of q1: A mean(1, 0) = .5, B 0, C 1; x = 1 0 1.
    assert first.discrimination_index == pytest.approx(
        100 * np.corrcoef([1, 0, 1], [0.5, 0, 1])[0, 1]
    )


def test_item_statistics_edge_cases():
    assert item_statistics([]) == []
    # One answer: no spread, no rest.
    (only,) = item_statistics([Mark("A", "q", 0.5)])
    assert (only.answers, only.facility) == (1, 0.5)
    assert only.sd is None
    assert only.discrimination_index is None
    assert only.discriminative_efficiency is None
    # All right: variance 0, so no discrimination.
    marks = fixed_test({f"t{n}": [1, n % 2] for n in range(12)})
    right = by_item(marks)["i1"]
    assert right.facility == 1
    assert right.sd == 0
    assert right.discrimination_index is None
    assert right.discriminative_efficiency is None
    assert right.flags == ("too_easy",)
    # The other item's rest is constant (i1 always right): no discrimination either.
    assert by_item(marks)["i2"].discrimination_index is None


def test_a_rest_of_test_equal_on_paper_is_constant():
    # Each taker's other item is .1; the rest comes out as (.8 - .7) or (.4 - .3), which
    # differ in the last bit. That noise must not be read as a spread.
    marks = fixed_test({"A": [0.1, 0.7], "B": [0.1, 0.3], "C": [0.1, 0.5]})
    assert by_item(marks)["i2"].discrimination_index is None
    assert by_item(marks)["i2"].discriminative_efficiency is None


def test_flags_need_enough_answers():
    # Ten takers: i1 right only for the two strongest, i2 unrelated to the rest.
    rows = {f"t{n}": [1 if n >= 8 else 0, n % 2, n / 9] for n in range(MIN_ANSWERS_TO_FLAG)}
    stats_by_item = by_item(fixed_test(rows))
    assert stats_by_item["i1"].facility == 0.2
    assert "too_hard" not in stats_by_item["i1"].flags  # 0.2 is not below 0.2
    wrong = {f"t{n}": [0, n % 2, n / 9] for n in range(MIN_ANSWERS_TO_FLAG)}
    assert by_item(fixed_test(wrong))["i1"].flags == ("too_hard",)
    # i2: x alternates 0 1; its rest rises with n. r = 100 * corr.
    second = stats_by_item["i2"]
    assert second.discrimination_index < 20
    assert "weak_discrimination" in second.flags
    fewer = {taker: row for taker, row in list(wrong.items())[:9]}
    assert by_item(fixed_test(fewer))["i1"].flags == ()


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([0.0, 0.5, 1.0]), min_size=3, max_size=3),
        min_size=2,
        max_size=15,
    )
)
def test_discrimination_is_a_percentage_and_efficiency_at_most_100(rows):
    for row in item_statistics(fixed_test({f"t{n}": row for n, row in enumerate(rows)})):
        if row.discrimination_index is not None:
            assert -100 <= row.discrimination_index <= 100
            assert row.discriminative_efficiency <= 100 + 1e-9


# --- test statistics ------------------------------------------------------


def test_test_statistics_by_hand():
    result = fixed_test_statistics(SMALL)
    # Totals 3 2 1 0 of 3: scores 100, 66.7, 33.3, 0.
    assert (result.takers, result.items) == (4, 3)
    assert result.mean == pytest.approx(50)
    assert result.median == pytest.approx(50)
    # var(totals) = (2.25 + .25 + .25 + 2.25) / 3 = 5/3; in percent: (100/3)^2 * 5/3.
    assert result.sd == pytest.approx(100 / 3 * math.sqrt(5 / 3))
    assert result.skewness == pytest.approx(0, abs=1e-12)  # symmetric
    # m2 = 5/4, m4 = (2 * 1.5^4 + 2 * .5^4) / 4 = 2.5625;
    # k4 = 16 (5 * 2.5625 - 9 * 1.5625) / 6 = -10/3; k2 = 5/3; kurtosis = k4 / k2^2 = -1.2.
    assert result.kurtosis == pytest.approx(-1.2)
    # Item variances 1/3 each: sum 1; CIC = 100 * 3/2 * (1 - 1 / (5/3)) = 60.
    assert result.cic == pytest.approx(60)
    assert result.error_ratio == pytest.approx(100 * math.sqrt(0.4))
    # SE = ER * SD / 100 = sqrt(.4) * 100/3 * sqrt(5/3) = 100/3 * sqrt(2/3).
    assert result.standard_error == pytest.approx(100 / 3 * math.sqrt(2 / 3))


@pytest.mark.parametrize("seed", range(5))
def test_test_statistics_match_scipy_and_numpy(seed):
    generator = np.random.default_rng(100 + seed)
    ability = generator.normal(size=25)
    chance = 1 / (1 + np.exp(-(ability[:, None] - generator.normal(size=8)[None, :])))
    matrix = (generator.random((25, 8)) < chance).astype(float)
    result = fixed_test_statistics(fixed_test({f"t{r}": list(matrix[r]) for r in range(25)}))
    scores = 100 * matrix.mean(axis=1)
    totals = matrix.sum(axis=1)
    alpha = 8 / 7 * (1 - matrix.var(axis=0, ddof=1).sum() / totals.var(ddof=1))
    assert result.mean == pytest.approx(scores.mean())
    assert result.median == pytest.approx(np.median(scores))
    assert result.sd == pytest.approx(scores.std(ddof=1))
    assert result.skewness == pytest.approx(stats.skew(scores, bias=False))
    assert result.kurtosis == pytest.approx(stats.kurtosis(scores, bias=False))
    assert result.cic == pytest.approx(100 * alpha)
    if alpha >= 0:
        assert result.error_ratio == pytest.approx(100 * math.sqrt(1 - alpha))
        assert result.standard_error == pytest.approx(math.sqrt(1 - alpha) * scores.std(ddof=1))


def test_test_statistics_need_the_same_items_for_everyone():
    assert fixed_test_statistics([]) is None
    marks = [Mark("A", "q1", 1), Mark("A", "q2", 1), Mark("B", "q1", 0), Mark("B", "q3", 1)]
    assert fixed_test_statistics(marks) is None


def test_test_statistics_with_too_few_takers_or_items():
    one = fixed_test_statistics([Mark("A", "q1", 0.5)])
    assert (one.takers, one.items, one.mean, one.median) == (1, 1, 50, 50)
    assert one.sd is one.skewness is one.kurtosis is None
    assert one.cic is one.error_ratio is one.standard_error is None
    three = fixed_test_statistics(fixed_test({"A": [1], "B": [0], "C": [0]}))
    assert three.skewness == pytest.approx(stats.skew([100, 0, 0], bias=False))
    assert three.kurtosis is None  # needs four takers
    assert three.cic is None  # needs two items


def test_test_statistics_without_spread():
    same = fixed_test_statistics(fixed_test({"A": [1, 0], "B": [1, 0], "C": [1, 0], "D": [1, 0]}))
    assert same.sd == 0
    assert same.skewness is same.kurtosis is None
    assert same.cic is same.error_ratio is same.standard_error is None
    wrong = fixed_test_statistics(fixed_test({"A": [0, 0], "B": [0, 0]}))
    assert wrong.mean == 0 and wrong.cic is None


def test_a_negative_cic_has_no_error_ratio():
    # Two items that pull apart: whoever gets one right mostly gets the other wrong.
    rows = {"A": [1, 0], "B": [0, 1], "C": [1, 0], "D": [0, 1], "E": [1, 1]}
    # i1 = 1 0 1 0 1: mean .6, var = (3 * .16 + 2 * .36) / 4 = .3; i2 = 0 1 0 1 1: var .3.
    # Totals 1 1 1 1 2: mean 1.2, var = (4 * .04 + .64) / 4 = .2.
    # CIC = 100 * 2/1 * (1 - .6 / .2) = -400.
    result = fixed_test_statistics(fixed_test(rows))
    assert result.cic == pytest.approx(-400)
    assert result.error_ratio is None
    assert result.standard_error is None


# --- distractor table -----------------------------------------------------

# Six takers ranked by another item r (T1 best .. T6 worst); item q has choices a (key), b, c.
DISTRACTOR_MARKS = [
    mark
    for taker, rest, picked in [
        ("T1", 1.0, "a"),
        ("T2", 0.8, "a"),
        ("T3", 0.6, "b"),
        ("T4", 0.4, "a"),
        ("T5", 0.2, "c"),
        ("T6", 0.0, "b"),
    ]
    for mark in (
        Mark(taker, "q", 1.0 if picked == "a" else 0.0, (picked,)),
        Mark(taker, "r", rest),
    )
]


def test_distractor_table_by_hand():
    table = distractor_table(DISTRACTOR_MARKS, "q", ["a", "b", "c"], {"a"})
    # n = 6, a third = 2: upper T1 T2 (both a), lower T5 T6 (c, b).
    assert (table.item, table.answers, table.upper_takers, table.lower_takers) == ("q", 6, 2, 2)
    shares = {c.choice: (c.share, c.upper, c.lower, c.right) for c in table.choices}
    assert shares == {
        "a": (pytest.approx(3 / 6), 1.0, 0.0, True),
        "b": (pytest.approx(2 / 6), 0.0, 0.5, False),
        "c": (pytest.approx(1 / 6), 0.0, 0.5, False),
    }
    assert [c.choice for c in table.choices] == ["a", "b", "c"]


def test_distractor_table_breaks_ties_by_taker():
    marks = [
        Mark(taker, item, fraction, picked)
        for taker, picked in [("A", ("x",)), ("B", ("y",)), ("C", ("z",))]
        for item, fraction in (("q", 0.0), ("r", 0.5))
    ]
    table = distractor_table(marks, "q", ["x", "y", "z"], {"x"})
    # All rests .5: ranked A B C by key; lower third A, upper third C.
    shares = {c.choice: (c.upper, c.lower) for c in table.choices}
    assert shares == {"x": (0.0, 1.0), "y": (0.0, 0.0), "z": (1.0, 0.0)}


def test_distractor_table_edge_cases():
    empty = distractor_table([], "q", ["a", "b"], {"a"})
    assert (empty.answers, empty.upper_takers, empty.lower_takers) == (0, 0, 0)
    assert all(c.share is c.upper is c.lower is None for c in empty.choices)
    # Two takers: a third is 0, so no groups; one without other items cannot be ranked.
    two = distractor_table(
        [Mark("A", "q", 1, ("a",)), Mark("A", "r", 1), Mark("B", "q", 0, None)],
        "q",
        ["a", "b"],
        {"a"},
    )
    assert two.answers == 2
    assert two.upper_takers == two.lower_takers == 0
    assert [(c.share, c.upper, c.lower) for c in two.choices] == [
        (0.5, None, None),
        (0.0, None, None),
    ]
