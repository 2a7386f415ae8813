"""Discernment: telling supported claims from unsupported ones, apart from bias.

Signal detection theory (Macmillan & Creelman, "Detection Theory: A User's
Guide", 2nd ed. 2005; applied to true/false news judgements by Batailler et
al. 2022). A "signal" is a supported claim or a true statement, "noise" one
not supported or false. Counting a learner's judgements:

- hit rate H = hits / signals (a signal judged supported/true);
- false-alarm rate F = false alarms / noises (noise judged supported/true);
- sensitivity d' = z(H) - z(F): how well the learner tells the two apart,
  0 at chance, whatever their bias;
- criterion c = -(z(H) + z(F)) / 2: the bias; negative means saying
  "supported" readily (credulous), positive means saying "not supported"
  readily (sceptical). A game that only makes players answer "fake" more
  often moves c, not d' (Modirrousta-Galian & Higham 2023).

z is the standard normal quantile. A rate of 0 or 1 has an infinite z, so
the rates behind d' and c use the log-linear correction (Hautus 1995):
H = (hits + 0.5) / (signals + 1), F = (false alarms + 0.5) / (noises + 1).
It is applied to every learner alike, not only to those with an extreme
rate: a rule that touches only some learners shifts their d' and c by a
different amount from the rest and biases every comparison between them.
The reported hit and false-alarm rates are the raw ones.

Confidence-rating ROC (Macmillan & Creelman, chapter 3): each judgement with
a confidence 1..3 becomes a rating on a 6-point scale, from +3 ("supported,
very sure") down to -3 ("not supported, very sure"): rating = confidence if
judged supported, else -confidence. For each criterion k from the strictest
(+3) down to -3, the point (F_k, H_k) has H_k the share of signals rated
>= k and F_k the share of noises rated >= k; the curve runs from (0, 0) to
(1, 1), with repeated points (a rating never used) left out. The area
under it (by trapezoids) equals the Mann-Whitney U statistic of signal
ratings against noise ratings divided by signals * noises, ties counting
half: the chance that a random signal is rated above a random noise.
0.5 is chance, 1 perfect.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from quizapp.domain.analysis.numbers import mean, sd, z_quantile

#: |criterion| from which a learner is said to lean one way.
LEAN = 0.5
#: The ratings of the confidence ROC, strictest criterion first.
RATINGS = (3, 2, 1, -1, -2, -3)
_LEVELS = (1, 2, 3)


@dataclass(frozen=True)
class Judgement:
    """One claim judged by a learner."""

    truth: bool  # the claim is supported (true statement)
    said_true: bool  # the learner judged it supported / true
    confidence: int | None = None  # 1..3

    def __post_init__(self):
        if self.confidence is not None and self.confidence not in _LEVELS:
            raise ValueError(f"confidence must be 1, 2, 3 or None, not {self.confidence!r}")

    @property
    def rating(self) -> int | None:
        """From +3 ("supported, very sure") to -3 ("not supported, very sure"); None if unrated."""
        if self.confidence is None:
            return None
        return self.confidence if self.said_true else -self.confidence


@dataclass(frozen=True)
class Discernment:
    """One learner's discernment."""

    signals: int  # supported items judged
    noises: int  # not supported items judged
    hits: int
    false_alarms: int
    hit_rate: float | None  # raw rates (None with no items of that kind)
    false_alarm_rate: float | None
    d_prime: float | None  # from log-linear corrected rates
    criterion: float | None
    lean: str | None  # "supported", "not_supported" or None
    roc: tuple[tuple[float, float], ...] | None  # (F, H) points from (0, 0) to (1, 1)
    auc: float | None  # trapezoid area under roc


def discernment(judgements: Iterable[Judgement]) -> Discernment:
    """Rates, d', criterion, lean and confidence ROC of one learner's judgements."""
    judgements = list(judgements)
    signals = [j for j in judgements if j.truth]
    noises = [j for j in judgements if not j.truth]
    hits = sum(j.said_true for j in signals)
    false_alarms = sum(j.said_true for j in noises)
    d_prime = criterion = None
    if signals and noises:
        z_hit = z_quantile(_corrected_rate(hits, len(signals)))
        z_false_alarm = z_quantile(_corrected_rate(false_alarms, len(noises)))
        d_prime = z_hit - z_false_alarm
        criterion = -(z_hit + z_false_alarm) / 2
    roc = _rating_roc(signals, noises)
    return Discernment(
        signals=len(signals),
        noises=len(noises),
        hits=hits,
        false_alarms=false_alarms,
        hit_rate=hits / len(signals) if signals else None,
        false_alarm_rate=false_alarms / len(noises) if noises else None,
        d_prime=d_prime,
        criterion=criterion,
        lean=_lean(criterion),
        roc=roc,
        auc=_trapezoid_area(roc) if roc is not None else None,
    )


def _corrected_rate(count: int, total: int) -> float:
    """The log-linear corrected rate (Hautus 1995): never 0 or 1."""
    return (count + 0.5) / (total + 1)


def _lean(criterion: float | None) -> str | None:
    if criterion is None:
        return None
    if criterion <= -LEAN:
        return "supported"
    if criterion >= LEAN:
        return "not_supported"
    return None


def _rating_roc(
    signals: list[Judgement], noises: list[Judgement]
) -> tuple[tuple[float, float], ...] | None:
    """The confidence-rating ROC, or None unless both kinds are present and all rated."""
    if not signals or not noises:
        return None
    signal_ratings = [j.rating for j in signals]
    noise_ratings = [j.rating for j in noises]
    if None in signal_ratings or None in noise_ratings:
        return None
    points = [(0.0, 0.0)]
    for k in RATINGS:
        point = (_share_at_least(noise_ratings, k), _share_at_least(signal_ratings, k))
        if point != points[-1]:
            points.append(point)
    return tuple(points)


def _share_at_least(ratings: list[int | None], k: int) -> float:
    return sum(rating is not None and rating >= k for rating in ratings) / len(ratings)


def _trapezoid_area(points: Sequence[tuple[float, float]]) -> float:
    return math.fsum((x1 - x0) * (y0 + y1) / 2 for (x0, y0), (x1, y1) in pairwise(points))


@dataclass(frozen=True)
class ClassDiscernment:
    """A class's discernment, over the learners who have a d'."""

    learners: int  # learners with a d'
    mean_d_prime: float | None
    sd_d_prime: float | None
    mean_criterion: float | None
    leaning_supported: int
    leaning_not_supported: int


def summarise_class(per_learner: Sequence[Discernment]) -> ClassDiscernment:
    """Mean and SD of d', mean criterion and lean counts of the learners with a d'."""
    measured = [d for d in per_learner if d.d_prime is not None and d.criterion is not None]
    d_primes = [d.d_prime for d in measured if d.d_prime is not None]
    criteria = [d.criterion for d in measured if d.criterion is not None]
    return ClassDiscernment(
        learners=len(measured),
        mean_d_prime=mean(d_primes),
        sd_d_prime=sd(d_primes),
        mean_criterion=mean(criteria),
        leaning_supported=sum(d.lean == "supported" for d in measured),
        leaning_not_supported=sum(d.lean == "not_supported" for d in measured),
    )
