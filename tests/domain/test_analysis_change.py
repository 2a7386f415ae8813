"""Before/after change and the t quantile behind its interval, against hand values and scipy."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from quizapp.domain.analysis.change import paired_change
from quizapp.domain.analysis.numbers import t_quantile, z_quantile

# --- quantiles ------------------------------------------------------------

PROBABILITIES = [
    0.501, 0.51, 0.55, 0.6, 0.7, 0.75, 0.76, 0.8, 0.9, 0.95, 0.975, 0.99, 0.995, 0.999, 0.9995,
    0.9999,
]  # fmt: skip


def test_t_quantile_matches_scipy_for_df_1_to_200():
    degrees = np.arange(1, 201)
    expected = stats.t.ppf(np.array(PROBABILITIES)[None, :], degrees[:, None])
    mine = np.array([[t_quantile(p, int(df)) for p in PROBABILITIES] for df in degrees])
    # Relative: at df 1, p .9999 the quantile is 3183.
    np.testing.assert_allclose(mine, expected, rtol=1e-9, atol=0)


def test_t_quantile_by_hand():
    # df 1 is the Cauchy distribution: t = tan(pi (p - 1/2)); p .75 -> tan(pi/4) = 1.
    assert t_quantile(0.75, 1) == pytest.approx(1)
    # df 2: t = (2p - 1) / sqrt(2 p (1 - p)); p .9 -> .8 / sqrt(.18) = 1.8856.
    assert t_quantile(0.9, 2) == pytest.approx(0.8 / math.sqrt(0.18))
    # The textbook table: t(.975, 4) = 2.776, t(.975, 30) = 2.042.
    assert t_quantile(0.975, 4) == pytest.approx(2.776, abs=5e-4)
    assert t_quantile(0.975, 30) == pytest.approx(2.042, abs=5e-4)


@pytest.mark.parametrize("df", [1, 2, 3, 7, 50])
@pytest.mark.parametrize("p", [0.001, 0.2, 0.45])
def test_t_quantile_is_symmetric(p, df):
    assert t_quantile(p, df) == pytest.approx(-t_quantile(1 - p, df), rel=1e-12)
    assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9)


@pytest.mark.parametrize("df", [201, 1000, 9999, 10_000, 10**6, 10**10])
@pytest.mark.parametrize("p", [0.001, 0.6, 0.975, 0.9999])
def test_t_quantile_with_many_degrees_of_freedom(p, df):
    # From df 10,000 the Cornish-Fisher expansion is used; either way t nears the normal z.
    assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9)


def test_t_quantile_in_the_middle():
    assert t_quantile(0.5, 9) == 0
    # Just above 1/2: t = (p - 1/2) / density(0); for df 4 the density at 0 is 3/8.
    assert t_quantile(0.5 + 1e-7, 4) == pytest.approx(1e-7 / 0.375, rel=1e-9)


@pytest.mark.parametrize(("p", "df"), [(0, 3), (1, 3), (-0.1, 3), (0.5, 0), (0.9, -2)])
def test_t_quantile_refuses_impossible_arguments(p, df):
    with pytest.raises(ValueError):
        t_quantile(p, df)


@pytest.mark.parametrize("p", [0.001, 0.1, 0.5, 0.7, 0.975, 0.9999])
def test_z_quantile_matches_scipy(p):
    assert z_quantile(p) == pytest.approx(stats.norm.ppf(p), abs=1e-12)


# --- paired change --------------------------------------------------------


def test_paired_change_by_hand():
    result = paired_change([(50, 60), (40, 55), (70, 65), (30, 50), (60, 70)])
    # Changes 10 15 -5 20 10: mean 10; deviations 0 5 -15 10 0, squares sum 350, / 4 = 87.5.
    assert result.pairs == 5
    assert (result.mean_before, result.mean_after) == (50, 60)
    assert result.mean_change == 10
    assert result.sd_change == pytest.approx(math.sqrt(87.5))
    # d_z = 10 / 9.354 = 1.069.
    assert result.effect_size == pytest.approx(10 / math.sqrt(87.5))
    # Margin t(.975, 4) * 9.354 / sqrt(5) = 2.7764 * 4.1833 = 11.615: (-1.61, 21.61).
    assert result.ci_low == pytest.approx(-1.6146, abs=1e-3)
    assert result.ci_high == pytest.approx(21.6146, abs=1e-3)
    assert (result.improved, result.same, result.worse) == (4, 0, 1)
    assert result.reading == "unclear"


def test_paired_change_matches_scipy():
    before = [35, 50, 42, 61, 55, 47, 70, 38, 44, 59]
    after = [52, 58, 40, 75, 63, 60, 78, 49, 43, 71]
    result = paired_change(zip(before, after, strict=True))
    test = stats.ttest_rel(after, before)
    interval = test.confidence_interval(0.95)
    changes = np.subtract(after, before)
    assert result.ci_low == pytest.approx(interval.low, rel=1e-9)
    assert result.ci_high == pytest.approx(interval.high, rel=1e-9)
    # t = mean / (sd / sqrt n) = d_z * sqrt(n).
    assert result.effect_size * math.sqrt(10) == pytest.approx(test.statistic, rel=1e-9)
    assert result.sd_change == pytest.approx(changes.std(ddof=1))
    assert result.reading == "improved"
    assert (result.improved, result.same, result.worse) == (8, 0, 2)


def test_a_decline():
    result = paired_change([(80, 60), (70, 55), (90, 70), (60, 50), (75, 60)])
    assert result.ci_high < 0
    assert result.reading == "declined"
    assert result.worse == 5


def test_paired_change_edge_cases():
    empty = paired_change([])
    assert empty.pairs == 0
    assert empty.mean_before is empty.mean_after is empty.mean_change is None
    assert empty.sd_change is empty.ci_low is empty.ci_high is empty.effect_size is None
    assert (empty.improved, empty.same, empty.worse) == (0, 0, 0)
    assert empty.reading == "too_few"
    one = paired_change([(40, 60)])
    assert (one.mean_change, one.improved) == (20, 1)
    assert one.sd_change is one.ci_low is one.ci_high is one.effect_size is None
    assert one.reading == "too_few"
    four = paired_change([(10, 20), (20, 40), (30, 35), (40, 70)])
    assert four.ci_low is not None
    assert four.reading == "too_few"  # an interval, but too few pairs to read it


def test_the_same_change_for_everyone():
    result = paired_change([(10, 15), (20, 25), (30, 35), (40, 45), (50, 55)])
    # Every change is 5: no spread, so no d_z; the interval is the single value.
    assert result.sd_change == 0
    assert result.effect_size is None
    assert (result.ci_low, result.ci_high) == (5, 5)
    assert result.reading == "improved"
    nothing = paired_change([(50, 50)] * 6)
    assert (nothing.same, nothing.mean_change, nothing.reading) == (6, 0, "unclear")


def test_changes_equal_on_paper_have_no_effect_size():
    # 0.8 - 0.7 and 0.4 - 0.3 differ in the last bit; their SD is rounding noise.
    result = paired_change([(0.7, 0.8), (0.3, 0.4), (0.5, 0.6)])
    assert result.sd_change < 1e-15
    assert result.effect_size is None


def test_tolerance_decides_what_counts_as_the_same():
    result = paired_change([(0.1 + 0.2, 0.3), (50, 50.5), (50, 49.5)])
    assert (result.improved, result.same, result.worse) == (1, 1, 1)
    wide = paired_change([(0.1 + 0.2, 0.3), (50, 50.5), (50, 49.5)], tolerance=1)
    assert (wide.improved, wide.same, wide.worse) == (0, 3, 0)


scores = st.floats(0, 100, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(scores, scores), min_size=2, max_size=30))
def test_interval_matches_scipy_t_interval(pairs):
    result = paired_change(pairs)
    changes = np.array([after - before for before, after in pairs])
    assert result.mean_change == pytest.approx(changes.mean(), abs=1e-9)
    if not result.sd_change:
        return
    low, high = stats.t.interval(0.95, len(pairs) - 1, loc=changes.mean(), scale=stats.sem(changes))
    assert result.ci_low == pytest.approx(low, rel=1e-9, abs=1e-9)
    assert result.ci_high == pytest.approx(high, rel=1e-9, abs=1e-9)
    assert result.improved + result.same + result.worse == len(pairs)
