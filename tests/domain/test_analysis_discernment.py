"""Signal detection on supported/not-supported judgements, against hand values and scipy."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from quizapp.domain.analysis.discernment import (
    LEAN,
    Judgement,
    discernment,
    summarise_class,
)


def judged(signal_answers: str, noise_answers: str) -> list[Judgement]:
    """Judgements from strings of "T" (said supported) and "F" (said not supported)."""
    return [Judgement(True, answer == "T") for answer in signal_answers] + [
        Judgement(False, answer == "T") for answer in noise_answers
    ]


def rated(signal_ratings, noise_ratings) -> list[Judgement]:
    """Judgements from ratings +3 ("supported, very sure") .. -3."""
    return [Judgement(True, r > 0, abs(r)) for r in signal_ratings] + [
        Judgement(False, r > 0, abs(r)) for r in noise_ratings
    ]


def test_rates_d_prime_and_criterion_by_hand():
    result = discernment(judged("TTTF", "TFFF"))
    # 4 signals, 3 hits; 4 noises, 1 false alarm.
    assert (result.signals, result.noises, result.hits, result.false_alarms) == (4, 4, 3, 1)
    assert (result.hit_rate, result.false_alarm_rate) == (0.75, 0.25)
    # Corrected: H = 3.5 / 5 = .7, F = 1.5 / 5 = .3; z(.7) = 0.5244005 = -z(.3).
    assert result.d_prime == pytest.approx(2 * 0.5244005127, abs=1e-9)
    assert result.criterion == pytest.approx(0, abs=1e-12)
    assert result.lean is None


@pytest.mark.parametrize(
    ("signals", "hits", "noises", "false_alarms"),
    [(10, 7, 10, 2), (5, 5, 5, 0), (3, 0, 7, 7), (1, 1, 1, 0), (12, 6, 4, 4), (20, 0, 20, 0)],
)
def test_d_prime_and_criterion_match_scipy(signals, hits, noises, false_alarms):
    judgements = [Judgement(True, n < hits) for n in range(signals)] + [
        Judgement(False, n < false_alarms) for n in range(noises)
    ]
    result = discernment(judgements)
    z_hit = stats.norm.ppf((hits + 0.5) / (signals + 1))
    z_false_alarm = stats.norm.ppf((false_alarms + 0.5) / (noises + 1))
    assert result.d_prime == pytest.approx(z_hit - z_false_alarm, abs=1e-9)
    assert result.criterion == pytest.approx(-(z_hit + z_false_alarm) / 2, abs=1e-9)
    assert result.hit_rate == hits / signals
    assert result.false_alarm_rate == false_alarms / noises


def test_rates_of_zero_and_one_stay_finite():
    perfect = discernment(judged("TTTTT", "FFFFF"))
    assert (perfect.hit_rate, perfect.false_alarm_rate) == (1.0, 0.0)
    # H = 5.5 / 6, F = .5 / 6: d' = 2 z(11/12) = 2 * 1.3830941.
    assert perfect.d_prime == pytest.approx(2 * stats.norm.ppf(11 / 12))
    assert perfect.criterion == pytest.approx(0, abs=1e-12)
    backwards = discernment(judged("FFFFF", "TTTTT"))
    assert backwards.d_prime == pytest.approx(-perfect.d_prime)


def test_saying_supported_to_everything_is_a_lean_not_discernment():
    credulous = discernment(judged("TTTT", "TTTT"))
    # H = F = 4.5 / 5 = .9: d' = 0, c = -z(.9) = -1.28.
    assert credulous.d_prime == pytest.approx(0, abs=1e-12)
    assert credulous.criterion == pytest.approx(-stats.norm.ppf(0.9))
    assert credulous.lean == "supported"
    sceptical = discernment(judged("FFFF", "FFFF"))
    assert sceptical.criterion == pytest.approx(stats.norm.ppf(0.9))
    assert sceptical.lean == "not_supported"


def test_lean_starts_at_the_threshold():
    # 10 signals, 7 hits; 10 noises, 5 false alarms: c = -(z(7.5/11) + z(5.5/11)) / 2 = -0.236.
    mild = discernment(judged("T" * 7 + "F" * 3, "T" * 5 + "F" * 5))
    assert -LEAN < mild.criterion < 0
    assert mild.lean is None


def test_one_kind_only_gives_no_d_prime():
    signals_only = discernment(judged("TTF", ""))
    assert signals_only.hit_rate == pytest.approx(2 / 3)
    assert signals_only.false_alarm_rate is None
    assert signals_only.d_prime is signals_only.criterion is signals_only.lean is None
    noises_only = discernment(judged("", "F"))
    assert noises_only.hit_rate is None
    assert noises_only.false_alarm_rate == 0
    assert noises_only.d_prime is None


def test_no_judgements():
    empty = discernment([])
    assert (empty.signals, empty.noises, empty.hits, empty.false_alarms) == (0, 0, 0, 0)
    assert empty.hit_rate is empty.false_alarm_rate is None
    assert empty.d_prime is empty.criterion is empty.lean is None
    assert empty.roc is empty.auc is None


def test_confidence_must_be_a_level():
    with pytest.raises(ValueError):
        Judgement(True, True, 4)
    with pytest.raises(ValueError):
        Judgement(True, True, 0)
    assert Judgement(True, False, 2).rating == -2
    assert Judgement(True, True).rating is None


def test_confidence_roc_by_hand():
    result = discernment(rated([3, 2, -1], [1, -2, -3]))
    # Criterion >= 3: H 1/3, F 0; >= 2: H 2/3, F 0; >= 1: H 2/3, F 1/3;
    # >= -1: H 1, F 1/3; >= -2: H 1, F 2/3; >= -3: (1, 1).
    assert result.roc == (
        (0, 0), (0, 1 / 3), (0, 2 / 3), (1 / 3, 2 / 3), (1 / 3, 1), (2 / 3, 1), (1, 1),
    )  # fmt: skip
    # Area: 1/3 * 2/3 (first step right) + 1/3 * 1 + 1/3 * 1 = 8/9.
    # Pairs: 3 and 2 beat all 3 noises (6), -1 beats -2 and -3 (2): 8 of 9.
    assert result.auc == pytest.approx(8 / 9)


def test_roc_leaves_out_repeated_points_and_runs_from_corner_to_corner():
    result = discernment(rated([3, 3], [-3, -3]))
    assert result.roc == ((0.0, 0.0), (0.0, 1.0), (1.0, 1.0))
    assert result.auc == 1.0
    chance = discernment(rated([2, -2], [2, -2]))
    assert chance.roc == ((0.0, 0.0), (0.5, 0.5), (1.0, 1.0))
    assert chance.auc == 0.5


def test_roc_needs_every_confidence_and_both_kinds():
    missing = [*rated([3, 2], [-1]), Judgement(False, False)]
    assert discernment(missing).roc is None
    assert discernment(missing).auc is None
    assert discernment(missing).d_prime is not None
    assert discernment(rated([3, 1], [])).roc is None


ratings = st.sampled_from([3, 2, 1, -1, -2, -3])


@settings(max_examples=80, deadline=None)
@given(st.lists(ratings, min_size=1, max_size=25), st.lists(ratings, min_size=1, max_size=25))
def test_auc_is_the_mann_whitney_u(signal_ratings, noise_ratings):
    result = discernment(rated(signal_ratings, noise_ratings))
    u = stats.mannwhitneyu(signal_ratings, noise_ratings).statistic
    assert result.auc == pytest.approx(u / (len(signal_ratings) * len(noise_ratings)))
    assert result.roc[0] == (0.0, 0.0)
    assert result.roc[-1] == (1.0, 1.0)
    xs = [f for f, _ in result.roc]
    ys = [h for _, h in result.roc]
    assert xs == sorted(xs) and ys == sorted(ys)


# --- the class ------------------------------------------------------------


def test_summarise_class_by_hand_and_against_numpy():
    learners = [
        discernment(judged("TTTF", "TFFF")),  # d' 1.0488, c 0
        discernment(judged("TTTT", "TTTT")),  # d' 0, leans supported
        discernment(judged("FFFF", "FFFF")),  # d' 0, leans not supported
        discernment(judged("TTTTT", "FFFFF")),
        discernment(judged("TT", "")),  # no d': left out
    ]
    summary = summarise_class(learners)
    d_primes = [learner.d_prime for learner in learners[:4]]
    criteria = [learner.criterion for learner in learners[:4]]
    assert summary.learners == 4
    assert summary.mean_d_prime == pytest.approx(np.mean(d_primes))
    assert summary.sd_d_prime == pytest.approx(np.std(d_primes, ddof=1))
    assert summary.mean_criterion == pytest.approx(np.mean(criteria), abs=1e-12)
    assert (summary.leaning_supported, summary.leaning_not_supported) == (1, 1)


def test_summarise_class_edge_cases():
    empty = summarise_class([])
    assert empty.learners == 0
    assert empty.mean_d_prime is empty.sd_d_prime is empty.mean_criterion is None
    assert (empty.leaning_supported, empty.leaning_not_supported) == (0, 0)
    one = summarise_class([discernment(judged("T", "F"))])
    assert one.learners == 1
    assert one.sd_d_prime is None  # a spread of one value
