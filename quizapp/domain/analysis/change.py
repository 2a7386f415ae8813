"""Before and after: how the same learners changed between two measurements.

Each pair is one learner's (before, after) score; the change is
d = after - before. Over n pairs:

- mean change  d_bar = sum(d) / n, and s_d the SD of the changes (n - 1);
- the 95 % confidence interval of the mean change, Student's paired t
  interval: d_bar -+ t(0.975, n - 1) * s_d / sqrt(n) (needs 2 pairs; when
  every change is equal, s_d = 0 and the interval is that one value);
- the paired effect size, Cohen's d_z = d_bar / s_d (Cohen 1988; Lakens
  2013, "Calculating and reporting effect sizes"): the mean change in units
  of the spread of the changes; None when s_d is undefined or not above
  the tolerance that also decides which changes count as "the same".

Reading: "too_few" below 5 pairs; otherwise "improved" when the whole
interval lies above 0, "declined" when it lies below 0, else "unclear".
A before/after design has no control group, so it overstates what the
teaching did (a second try is easier anyway); the reports say "changed",
not "caused".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from quizapp.domain.analysis.numbers import mean, sd, t_quantile

#: Pairs needed before the interval is read as a result.
MIN_PAIRS_TO_READ = 5
#: The confidence level of the interval.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class PairedChange:
    """The change of the same learners between a before and an after measurement."""

    pairs: int
    mean_before: float | None
    mean_after: float | None
    mean_change: float | None
    sd_change: float | None
    ci_low: float | None  # 95 % t interval of the mean change (needs >= 2 pairs)
    ci_high: float | None
    effect_size: float | None  # Cohen's d_z = mean change / sd of changes (None if sd 0)
    improved: int  # counts (|change| <= tolerance counts as same)
    same: int
    worse: int
    reading: str  # "too_few", "improved", "declined", "unclear"


def paired_change(pairs: Iterable[tuple[float, float]], tolerance: float = 1e-9) -> PairedChange:
    """Mean change, its 95 % interval and d_z of (before, after) pairs."""
    pairs = list(pairs)
    changes = [after - before for before, after in pairs]
    mean_change = mean(changes)
    spread = sd(changes)
    ci_low, ci_high = _interval(mean_change, spread, len(changes))
    return PairedChange(
        pairs=len(pairs),
        mean_before=mean([before for before, _ in pairs]),
        mean_after=mean([after for _, after in pairs]),
        mean_change=mean_change,
        sd_change=spread,
        ci_low=ci_low,
        ci_high=ci_high,
        effect_size=_effect_size(mean_change, spread, tolerance),
        improved=sum(change > tolerance for change in changes),
        same=sum(abs(change) <= tolerance for change in changes),
        worse=sum(change < -tolerance for change in changes),
        reading=_reading(len(pairs), ci_low, ci_high),
    )


def _effect_size(mean_change: float | None, spread: float | None, tolerance: float) -> float | None:
    """Cohen's d_z, or None when the changes do not vary by more than ``tolerance``
    (equal changes on paper differ in the last bit; d_z of that would be huge)."""
    if mean_change is None or spread is None or spread <= tolerance:
        return None
    return mean_change / spread


def _interval(
    mean_change: float | None, spread: float | None, n: int
) -> tuple[float | None, float | None]:
    if mean_change is None or spread is None:
        return None, None
    margin = t_quantile((1 + CONFIDENCE) / 2, n - 1) * spread / math.sqrt(n)
    return mean_change - margin, mean_change + margin


def _reading(pairs: int, ci_low: float | None, ci_high: float | None) -> str:
    if pairs < MIN_PAIRS_TO_READ or ci_low is None or ci_high is None:
        return "too_few"
    if ci_low > 0:
        return "improved"
    if ci_high < 0:
        return "declined"
    return "unclear"
