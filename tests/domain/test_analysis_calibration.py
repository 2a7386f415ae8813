"""Calibration of stated confidence, against hand-worked values and numpy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.domain.analysis.calibration import STATED, best_range, calibration
from quizapp.domain.scoring import CBM_BREAK_EVEN


def answers(level, right, wrong):
    return [(level, True)] * right + [(level, False)] * wrong


def test_calibration_by_hand():
    report = calibration(
        answers(3, 3, 2) + answers(1, 3, 0) + answers(2, 1, 1) + [(None, True), (None, False)]
    )
    assert report.answered == 10  # the two without a confidence are left out
    by_level = {level.level: level for level in report.levels}
    # Level 3: 3 of 5 right = .6, below its range [.8, 1]: over-confident.
    assert (by_level[3].answered, by_level[3].right, by_level[3].accuracy) == (5, 3, 0.6)
    assert by_level[3].verdict == "over"
    # Level 1: 3 of 3 right = 1, at or above 2/3 where level 2 pays more: under-confident.
    assert by_level[1].verdict == "under"
    # Level 2: 1 of 2: too few answers for a verdict.
    assert by_level[2].accuracy == 0.5
    assert by_level[2].verdict is None
    # Brier: 3 * (.9 - 1)^2 + 2 * .9^2 + 3 * (.5 - 1)^2 + (.73 - 1)^2 + .73^2
    #      = .03 + 1.62 + .75 + .0729 + .5329 = 3.0058; / 10.
    assert report.brier == pytest.approx(0.30058)
    # Stated mean (5 * .9 + 3 * .5 + 2 * .73) / 10 = .746; right 7 / 10: .746 - .7 = .046.
    assert report.over_under == pytest.approx(0.046)
    assert report.reading == "fair"


def test_levels_and_their_ranges_come_from_cbm():
    report = calibration([])
    assert [level.level for level in report.levels] == [1, 2, 3]
    assert [(level.low, level.high) for level in report.levels] == [
        (0.0, 2 / 3),
        (2 / 3, 0.8),
        (0.8, 1.0),
    ]
    assert best_range(2) == (CBM_BREAK_EVEN[2], CBM_BREAK_EVEN[3])
    assert STATED == {1: 0.5, 2: 0.73, 3: 0.9}


def test_empty_input():
    report = calibration([(None, True)])
    assert report.answered == 0
    assert all(level.answered == 0 and level.accuracy is None for level in report.levels)
    assert all(level.verdict is None for level in report.levels)
    assert report.brier is report.over_under is report.reading is None


@pytest.mark.parametrize(
    ("level", "right", "wrong", "verdict"),
    [
        (2, 2, 1, None),  # 2/3: the bottom of level 2's range
        (2, 4, 2, None),
        (2, 1, 2, "over"),  # 1/3 < 2/3
        (2, 4, 1, "under"),  # 0.8: level 3 pays from here
        (1, 2, 1, "under"),  # 2/3: level 2 pays as much
        (1, 1, 2, None),
        (1, 0, 3, None),  # level 1 never costs marks
        (3, 4, 1, None),  # 0.8: the bottom of level 3's range
        (3, 5, 0, None),  # nothing above level 3
        (3, 3, 1, "over"),  # .75 < .8
        (3, 1, 1, None),  # two answers: noise
    ],
)
def test_verdicts_at_the_break_even_points(level, right, wrong, verdict):
    (at_level,) = [
        lv for lv in calibration(answers(level, right, wrong)).levels if lv.level == level
    ]
    assert at_level.verdict == verdict


def test_readings():
    # Five at level 3, two right: .9 - .4 = .5 over.
    assert calibration(answers(3, 2, 3)).reading == "over"
    # Five at level 1, all right: .5 - 1 = -.5 under.
    assert calibration(answers(1, 5, 0)).reading == "under"
    # Five at level 1, two right: .5 - .4 = .1 exactly: not within the fair margin.
    report = calibration(answers(1, 2, 3))
    assert report.over_under == pytest.approx(0.1)
    assert report.reading == "over"
    # Four answers: too few for a reading.
    assert calibration(answers(3, 0, 4)).reading is None
    # Perfectly stated: level 1 at half right.
    assert calibration(answers(1, 3, 3)).reading == "fair"


def test_rights_and_wrongs_give_the_extreme_brier_scores():
    # Always very sure and right: (.9 - 1)^2 = .01; always very sure and wrong: .81.
    assert calibration(answers(3, 6, 0)).brier == pytest.approx(0.01)
    assert calibration(answers(3, 0, 6)).brier == pytest.approx(0.81)
    assert calibration(answers(1, 2, 2)).brier == pytest.approx(0.25)


def test_confidence_outside_the_levels_is_an_error():
    with pytest.raises(ValueError):
        calibration([(4, True)])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([1, 2, 3, None]), st.booleans()),
        max_size=40,
    )
)
def test_brier_and_over_under_match_numpy(pairs):
    report = calibration(pairs)
    rated = [(level, right) for level, right in pairs if level is not None]
    assert report.answered == len(rated)
    assert sum(level.answered for level in report.levels) == len(rated)
    if not rated:
        assert report.brier is None
        return
    stated = np.array([STATED[level] for level, _ in rated])
    outcome = np.array([float(right) for _, right in rated])
    assert report.brier == pytest.approx(np.mean((stated - outcome) ** 2))
    assert report.over_under == pytest.approx(stated.mean() - outcome.mean())
    assert 0 <= report.brier <= 1
