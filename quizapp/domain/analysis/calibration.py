"""Calibration: does the confidence a learner states match how often they are right?

Confidence is asked on certainty-based marking's three levels
(Gardner-Medwin; see :mod:`quizapp.domain.scoring`). Under CBM each level
is the best choice over a range of accuracy, from the break-even points
:data:`~quizapp.domain.scoring.CBM_BREAK_EVEN`: level 1 below 2/3, level 2
from 2/3 to 0.8, level 3 from 0.8. A level used with an accuracy below its
range is over-confidence (it cost marks); a level 1 or 2 used with an
accuracy at or above the top of its range is under-confidence (a higher
level would have paid more). A verdict needs 3 answers at the level; fewer
are noise.

To compare levels with probabilities, each level states one probability,
:data:`STATED`: 1 -> 0.5 (a guess, or anything below the 67 % break-even;
between two answers a guess is 50 %), 2 -> 0.73 (the middle of 67-80 %),
3 -> 0.9 (the middle of 80-100 %). With r = 1 for a right answer and 0
otherwise, over the answers given a confidence:

- Brier score = mean((STATED[level] - r)^2) (Brier 1950): 0 is perfect, and
  always saying 0.5 scores 0.25; lower is better;
- over/under = mean(STATED[level]) - mean(r): positive is over-confident,
  negative under-confident, as a proportion (0.1 = ten percentage points);
  the reading is "fair" within 0.1, and needs 5 rated answers.

A right answer is :func:`quizapp.domain.scoring.is_right` of its fraction
(partial credit is not right); the caller passes the bool.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from quizapp.domain.scoring import CBM_BREAK_EVEN, CONFIDENCE_LEVELS

#: The probability of being right that each confidence level claims.
STATED = {1: 0.5, 2: 0.73, 3: 0.9}
#: Answers needed at a level before it gets a verdict.
MIN_ANSWERS_FOR_VERDICT = 3
#: Rated answers needed before the overall reading.
MIN_ANSWERS_FOR_READING = 5
#: |over_under| below this reads as fair.
FAIR_MARGIN = 0.1
#: Shares like 2/3 and 4/5 are compared with break-even points of the same value.
_EPSILON = 1e-9


@dataclass(frozen=True)
class LevelCalibration:
    """How often the learner was right at one confidence level."""

    level: int
    answered: int
    right: int
    accuracy: float | None
    low: float  # the accuracy range in which this level is CBM's best choice:
    high: float  # 1: [0, 2/3), 2: [2/3, 0.8), 3: [0.8, 1]
    verdict: str | None  # "over", "under" or None (also with fewer than 3 answers)


@dataclass(frozen=True)
class CalibrationReport:
    """A learner's (or a class's) calibration over answers given with a confidence."""

    answered: int
    levels: tuple[LevelCalibration, ...]  # always the three levels, in order
    brier: float | None  # mean (STATED[level] - right)^2 over rated answers
    over_under: float | None  # mean stated - accuracy (positive: over-confident)
    reading: str | None  # "over", "under", "fair" with answered >= 5


def best_range(level: int) -> tuple[float, float]:
    """[low, high): the accuracy range where ``level`` is CBM's best choice (level 3: [0.8, 1])."""
    higher = level + 1
    return CBM_BREAK_EVEN[level], CBM_BREAK_EVEN.get(higher, 1.0)


def calibration(answers: Iterable[tuple[int | None, bool]]) -> CalibrationReport:
    """Calibration of (confidence, right) pairs; a None confidence is left out.

    A confidence other than None, 1, 2 or 3 is a programming error (ValueError).
    """
    rated = [(level, right) for level, right in answers if level is not None]
    for level, _ in rated:
        if level not in CONFIDENCE_LEVELS:
            raise ValueError(f"confidence must be 1, 2, 3 or None, not {level!r}")
    levels = tuple(_level(level, [right for lv, right in rated if lv == level]) for level in STATED)
    over_under = _over_under(rated)
    return CalibrationReport(
        answered=len(rated),
        levels=levels,
        brier=_brier(rated),
        over_under=over_under,
        reading=_reading(len(rated), over_under),
    )


def _level(level: int, outcomes: list[bool]) -> LevelCalibration:
    low, high = best_range(level)
    right = sum(outcomes)
    accuracy = right / len(outcomes) if outcomes else None
    return LevelCalibration(
        level=level,
        answered=len(outcomes),
        right=right,
        accuracy=accuracy,
        low=low,
        high=high,
        verdict=_verdict(level, len(outcomes), accuracy, low, high),
    )


def _verdict(level: int, answered: int, accuracy: float | None, low: float, high: float):
    if accuracy is None or answered < MIN_ANSWERS_FOR_VERDICT:
        return None
    if accuracy < low - _EPSILON:
        return "over"
    # Level 3 is the top: being right more often cannot call for a bolder level.
    if level < max(CONFIDENCE_LEVELS) and accuracy >= high - _EPSILON:
        return "under"
    return None


def _brier(rated: list[tuple[int, bool]]) -> float | None:
    if not rated:
        return None
    return math.fsum((STATED[level] - right) ** 2 for level, right in rated) / len(rated)


def _over_under(rated: list[tuple[int, bool]]) -> float | None:
    if not rated:
        return None
    stated = math.fsum(STATED[level] for level, _ in rated) / len(rated)
    return stated - sum(right for _, right in rated) / len(rated)


def _reading(answered: int, over_under: float | None) -> str | None:
    if over_under is None or answered < MIN_ANSWERS_FOR_READING:
        return None
    # The margin itself is not fair: 0.5 - 0.4 is 0.0999... in floating point.
    if abs(over_under) < FAIR_MARGIN - _EPSILON:
        return "fair"
    return "over" if over_under > 0 else "under"
