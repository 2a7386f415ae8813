"""Marks for answers, and the summary of an attempt.

A question type grades a response as a *fraction* of full marks (0 to 1).
With confidence on, the fraction becomes a certainty-based mark
(Gardner-Medwin; the table Moodle uses too): being sure and right earns
more, being sure and wrong costs more, so guessing boldly does not pay.

    confidence       1 (not sure)   2 (fairly sure)   3 (very sure)
    right               1               2                 3
    wrong               0              -2                -6

A partly right answer (``multiple``) earns its fraction of the "right" mark,
as Moodle does; only a fraction of 0 takes the "wrong" mark. The best
choice is 1 below 67 % sure, 2 from 67 % and 3 from 80 %, which is what the
calibration advice compares against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

CONFIDENCE_LEVELS = (1, 2, 3)
CBM_RIGHT = {1: 1.0, 2: 2.0, 3: 3.0}
CBM_WRONG = {1: 0.0, 2: -2.0, 3: -6.0}
#: The lowest share of right answers at which each level pays off.
CBM_BREAK_EVEN = {1: 0.0, 2: 2 / 3, 3: 0.8}
_EPSILON = 1e-9


def is_right(fraction: float) -> bool:
    """Whether a fraction is full marks (partial credit is not "right")."""
    return fraction >= 1 - _EPSILON


def certainty_mark(fraction: float, confidence: int) -> float:
    """The certainty-based mark for ``fraction`` given with ``confidence`` 1–3."""
    if confidence not in CONFIDENCE_LEVELS:
        raise ValueError(f"confidence must be 1, 2 or 3, not {confidence!r}")
    if fraction <= _EPSILON:
        return CBM_WRONG[confidence]
    return CBM_RIGHT[confidence] * fraction


def confidently_wrong(fraction: float, confidence: int | None) -> bool:
    """A wrong answer given at a confidence that costs marks (2 or 3): the
    errors feedback corrects best, reviewed first and shown apart."""
    return fraction <= _EPSILON and confidence is not None and confidence >= 2


#: What became of an answer, as a results page shows it (the worst last).
STATUSES = ("right", "partly", "wrong", "confidently_wrong", "unanswered")


def answer_status(fraction: float | None, confidence: int | None, answered: bool = True) -> str:
    """``fraction`` given with ``confidence`` as one of :data:`STATUSES`:
    "unanswered" for a test's question left blank (``answered`` False),
    and no fraction at all counts as wrong."""
    if not answered:
        return "unanswered"
    if fraction is None:
        return "wrong"
    if is_right(fraction):
        return "right"
    if fraction > _EPSILON:
        return "partly"
    return "confidently_wrong" if confidently_wrong(fraction, confidence) else "wrong"


def signed(value: float, places: int | None = None) -> str:
    """A mark as text, with its sign and a true minus (U+2212, as the
    confidence labels write it): "+6", "−2", "0"; ``places`` decimals
    ("−0.40"), or as few as needed when None."""
    text = f"{abs(value):.{places}f}" if places is not None else f"{abs(round(value, 2)):g}"
    if float(text) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def points_for(fraction: float, confidence: int | None) -> float:
    """The points an answer earns: its CBM mark with confidence, else its fraction."""
    return fraction if confidence is None else certainty_mark(fraction, confidence)


@dataclass(frozen=True)
class Outcome:
    """One item of an attempt as the summary sees it.

    ``fraction`` is None for an item not answered; ``statement`` is the
    correct answer of a true/false item (None for other types), used to
    report how the learner judged true and false statements separately.
    """

    fraction: float | None
    confidence: int | None = None
    statement: bool | None = None
    response: object = None
    #: "true_false" for a statement judged true or false, "claim" for one
    #: judged supported by its passage or not.
    kind: str = "true_false"


@dataclass(frozen=True)
class Calibration:
    """How often the learner was right at one confidence level."""

    confidence: int
    answered: int
    right: int

    @property
    def share(self) -> float:
        """Share of these answers that were right."""
        return self.right / self.answered if self.answered else 0.0

    @property
    def advice(self) -> str | None:
        """``"bolder"``, ``"humbler"`` or None, judged by the CBM break-even points.

        "humbler" when this level cost marks (right less often than it needs);
        "bolder" when a higher level would have paid more. Advice needs at
        least three answers at the level, or it is noise.
        """
        if self.answered < 3:
            return None
        if self.share < CBM_BREAK_EVEN[self.confidence] - _EPSILON:
            return "humbler"
        higher = self.confidence + 1
        if higher in CBM_BREAK_EVEN and self.share > CBM_BREAK_EVEN[higher] + _EPSILON:
            return "bolder"
        return None


@dataclass(frozen=True)
class Judgement:
    """How a learner judged statements whose truth is ``truth``: true/false
    statements (``kind`` "true_false") or claims ("claim", truth meaning
    supported by the passage)."""

    truth: bool
    judged: int
    judged_correctly: int
    kind: str = "true_false"

    @property
    def perfect(self) -> bool:
        """Every one of these statements judged right."""
        return self.judged_correctly == self.judged


@dataclass
class Summary:
    """The scores of an attempt."""

    items: int
    answered: int
    score: float  # sum of fractions
    right: int
    cbm_total: float | None  # None when confidence was off
    calibration: list[Calibration] = field(default_factory=list)
    judgements: list[Judgement] = field(default_factory=list)

    @property
    def percent(self) -> int:
        """The score as a whole percentage of the items (unanswered count as 0)."""
        return round(100 * self.score / self.items) if self.items else 0

    @property
    def cbm_average(self) -> float | None:
        """CBM points per item, on the −6 to 3 scale (3 is the best possible)."""
        if self.cbm_total is None or not self.items:
            return None
        return self.cbm_total / self.items

    @property
    def missed(self) -> int:
        """Items not answered fully right."""
        return self.items - self.right


def summarise(outcomes: Iterable[Outcome], confidence_enabled: bool) -> Summary:
    """Score, certainty-based score, calibration and true/false judgement of an attempt."""
    outcomes = list(outcomes)
    answered = [o for o in outcomes if o.fraction is not None]
    calibration = []
    cbm_total = None
    if confidence_enabled:
        # An answer without a confidence (a test's draft left without one)
        # earns the mark of "not sure", which is what points_for gives it.
        cbm_total = sum(points_for(o.fraction, o.confidence) for o in answered)
        for level in CONFIDENCE_LEVELS:
            at_level = [o for o in answered if o.confidence == level]
            if at_level:
                right = sum(is_right(o.fraction) for o in at_level)
                calibration.append(Calibration(level, len(at_level), right))
    judgements = []
    for kind in ("true_false", "claim"):
        for truth in (True, False):
            statements = [o for o in answered if o.statement is truth and o.kind == kind]
            if statements:
                correct = sum(o.response is truth for o in statements)
                judgements.append(Judgement(truth, len(statements), correct, kind))
    return Summary(
        items=len(outcomes),
        answered=len(answered),
        score=sum(o.fraction for o in answered),
        right=sum(is_right(o.fraction) for o in answered),
        cbm_total=cbm_total,
        calibration=calibration,
        judgements=judgements,
    )


@dataclass(frozen=True)
class ObjectiveScore:
    """How a learner did on the questions of one learning objective."""

    objective: str
    answered: int
    score: float

    @property
    def percent(self) -> int:
        """The share of full marks, in whole percent."""
        return round(100 * self.score / self.answered) if self.answered else 0


@dataclass(frozen=True)
class ObjectiveTrend:
    """One objective's score overall, and attempt by attempt (oldest first)."""

    overall: ObjectiveScore
    #: The share of full marks in each attempt that had the objective.
    percents: list[int]
    #: Certainty-based points per question in each such attempt that asked
    #: how sure the learner was (−6 to 3).
    cbm: list[float]

    @property
    def objective(self) -> str:
        return self.overall.objective

    @property
    def change(self) -> int | None:
        """Percentage points from the first attempt shown to the last (None with one)."""
        return self.percents[-1] - self.percents[0] if len(self.percents) > 1 else None


def objective_trends(
    answered: list[tuple[int, str | None, float, float | None]],
    order: list[str] | None = None,
    last: int = 5,
) -> list[ObjectiveTrend]:
    """Per objective, of (attempt, objective, fraction, certainty-based points or
    None) for answered items in the order the attempts were taken: the score
    over all of them and the ``last`` attempts' scores, weakest objective first
    (among equals, the one with more answers: its weakness is surer)."""
    per_attempt: dict[str, dict[int, list[tuple[float, float | None]]]] = {}
    for attempt, objective, fraction, points in answered:
        if objective:
            per_attempt.setdefault(objective, {}).setdefault(attempt, []).append((fraction, points))
    overall = by_objective([(objective, fraction) for _, objective, fraction, _ in answered], order)
    trends = []
    for score in overall:
        attempts = list(per_attempt[score.objective].values())[-last:]
        percents = [round(100 * sum(f for f, _ in marks) / len(marks)) for marks in attempts]
        cbm = [
            sum(p for _, p in marks) / len(marks)
            for marks in attempts
            if all(p is not None for _, p in marks)
        ]
        trends.append(ObjectiveTrend(score, percents, cbm))
    return sorted(trends, key=lambda trend: (trend.overall.percent, -trend.overall.answered))


def by_objective(
    answered: list[tuple[str | None, float]], order: list[str] | None = None
) -> list[ObjectiveScore]:
    """Scores per objective of (objective, fraction) pairs of answered items, in
    ``order`` (the declared objectives'), then any other in the order it first
    appears; items naming no objective are left out."""
    totals: dict[str, list[float]] = {name: [] for name in order or ()}
    for objective, fraction in answered:
        if objective:
            totals.setdefault(objective, []).append(fraction)
    return [ObjectiveScore(name, len(marks), sum(marks)) for name, marks in totals.items() if marks]
