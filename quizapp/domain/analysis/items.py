"""Item and test statistics, after Moodle's quiz statistics report.

Sources: Moodle's question/classes/statistics (per question) and
mod/quiz/report/statistics (per quiz), and its "Quiz statistics
calculations" documentation. Notation: s takers; x a taker's fraction (mark
over maximum, 0..1) on one item; X the taker's "rest of test"; T the total.
Variances and covariances divide by n - 1, as Moodle's do.

Per item (:func:`item_statistics`):

- facility = mean(x): the share of full marks, 0..1;
- sd = sqrt(var x);
- discrimination index = 100 * cov(x, X) / sqrt(var x * var X), the
  correlation of the item with the rest of the test; undefined (None) when
  either variance is 0;
- discriminative efficiency = 100 * cov(x, X) / cov_max(x, X), where cov_max
  is the covariance after sorting x and X separately: the largest covariance
  these marks could have (the rearrangement inequality), so the ratio says
  how much of the possible discrimination the item achieves;
- random guess score: see :func:`random_guess_score`.

Rest of test. Moodle uses X = T - x, the raw marks of the other items. Here
X is the MEAN fraction of the taker's other items. When every taker had the
same items of equal weight (as in quizapp, where each item is worth one
fraction), the mean is (T - x) / (p - 1): a fixed rescaling, and both
statistics above are scale-free, so they equal Moodle's. When takers drew
different questions (self-study draws several items from a bank), a raw sum
would rank takers by how many items they happened to see; the mean of the
others is fair to all. A taker with no other item has no rest of test and
does not count towards that item's discrimination (but does count towards
its facility).

Per test (:func:`test_statistics`), on the takers' scores in percent of the
maximum:

- mean, median and sd (n - 1);
- skewness = k3 / k2^(3/2) and kurtosis (excess) = k4 / k2^2 with Fisher's
  unbiased k-statistics (m_r the r-th central moment, dividing by s):
  k2 = s m2 / (s - 1), k3 = s^2 m3 / ((s - 1)(s - 2)),
  k4 = s^2 ((s + 1) m4 - 3 (s - 1) m2^2) / ((s - 1)(s - 2)(s - 3));
  this is Moodle's calculation and equals scipy.stats.skew/kurtosis with
  bias=False. Skewness needs 3 takers and kurtosis 4;
- coefficient of internal consistency (Cronbach's alpha, in percent)
  CIC = 100 * p / (p - 1) * (1 - sum_i var(x_i) / var(T)), for p >= 2 items;
- error ratio ER = 100 * sqrt(1 - CIC / 100): the share of the spread of
  scores that is noise. CIC cannot exceed 100; for a negative CIC (items
  that do not measure one thing) the square root would give a ratio above
  100 %, a share with no meaning, so ER is None;
- standard error SE = ER * SD / 100, in percent points.

Distractors (:func:`distractor_table`): the share of takers choosing each
choice, overall and among the upper and lower third of takers ranked by rest
of test (the classic upper/lower group analysis): a good distractor draws
more of the lower group than of the upper group.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from quizapp.domain.analysis.numbers import correlation, covariance, mean, median, sd, variance
from quizapp.domain.question_types import REGISTRY

#: Items answered by fewer takers are never flagged: their numbers are noise.
MIN_ANSWERS_TO_FLAG = 10
#: Facility below this: too hard; above TOO_EASY: too easy.
TOO_HARD = 0.2
TOO_EASY = 0.9
#: A discrimination index (percent) below this: the item barely separates
#: stronger from weaker takers.
WEAK_DISCRIMINATION = 20.0
_NO_GUESSES: Mapping[str, float | None] = MappingProxyType({})


@dataclass(frozen=True)
class Mark:
    """One taker's mark on one item."""

    taker: str  # one test taker (an attempt, or a player in a session)
    item: str  # one item: a question VERSION key (versions are never mixed by the caller)
    fraction: float  # 0..1 (the mark over the item's maximum)
    choices: tuple[str, ...] | None = None  # choice ids picked (None: not a choice item)


def random_guess_score(question_type: str, content: dict) -> float | None:
    """The mark a taker expects from guessing blindly, as a fraction 0..1.

    - ``single``: one choice of n is right: 1 / n;
    - ``true_false`` and ``claim``: two answers: 0.5;
    - ``multiple``: the mean mark, under the type's own grading, of ticking
      each non-empty subset of the choices with equal chance. Moodle gives
      no random guess score for multiple-answer questions; this is the
      natural extension for a guesser who ticks "some" boxes at random;
    - ``numeric``, ``short_text`` (also ``short``): a typed answer is not
      guessed by chance: 0.0;
    - anything else: None.
    """
    choices = [choice["id"] for choice in content.get("choices", ())]
    if question_type == "single":
        return 1 / len(choices) if choices else None
    if question_type in ("true_false", "claim"):
        return 0.5
    if question_type == "multiple":
        return _multiple_guess(choices, content.get("answer"))
    if question_type in ("numeric", "short_text", "short"):
        return 0.0
    return None


def _multiple_guess(choices: list[str], answer: list[str] | None) -> float | None:
    if not choices or not answer:
        return None
    grade = REGISTRY["multiple"].grade
    # At most 8 choices (the type's maximum): 255 subsets, cheap to list.
    subsets = [
        list(subset)
        for size in range(1, len(choices) + 1)
        for subset in itertools.combinations(choices, size)
    ]
    return math.fsum(grade(answer, subset) for subset in subsets) / len(subsets)


@dataclass(frozen=True)
class ItemStatistics:
    """Moodle's statistics of one item."""

    item: str
    answers: int  # takers who answered it
    facility: float | None  # mean fraction (0..1)
    sd: float | None  # SD of the item's fractions (n - 1)
    random_guess: float | None
    discrimination_index: float | None  # 100 * corr(item, rest of test)
    discriminative_efficiency: float | None  # 100 * cov(x, X) / cov(x sorted, X sorted)
    flags: tuple[str, ...]  # "too_hard", "too_easy", "weak_discrimination"


def item_statistics(
    marks: Iterable[Mark], random_guess: Mapping[str, float | None] = _NO_GUESSES
) -> list[ItemStatistics]:
    """The statistics of every item in ``marks``, in the order items first appear.

    ``random_guess`` maps an item to its :func:`random_guess_score`. A taker
    marked twice on one item keeps the later mark.
    """
    marks = list(marks)
    table = _by_taker(marks)
    totals = _totals(table)
    results = []
    for item in _items_in_order(marks):
        fractions, rests = _item_and_rest(table, totals, item)
        index, efficiency = _discrimination(*rests)
        facility = mean(fractions)
        results.append(
            ItemStatistics(
                item=item,
                answers=len(fractions),
                facility=facility,
                sd=sd(fractions),
                random_guess=random_guess.get(item),
                discrimination_index=index,
                discriminative_efficiency=efficiency,
                flags=_flags(len(fractions), facility, index),
            )
        )
    return results


def _by_taker(marks: Iterable[Mark]) -> dict[str, dict[str, Mark]]:
    """taker -> item -> mark, takers in the order they first appear."""
    table: dict[str, dict[str, Mark]] = {}
    for mark in marks:
        table.setdefault(mark.taker, {})[mark.item] = mark
    return table


def _items_in_order(marks: Iterable[Mark]) -> list[str]:
    """Every item once, in the order of its first mark."""
    return list(dict.fromkeys(mark.item for mark in marks))


def _totals(table: dict[str, dict[str, Mark]]) -> dict[str, tuple[float, int]]:
    """taker -> (sum of fractions, number of items): the rest of test of every
    item follows from it without walking the taker's items again."""
    return {
        taker: (math.fsum(mark.fraction for mark in items.values()), len(items))
        for taker, items in table.items()
    }


def _item_and_rest(
    table: dict[str, dict[str, Mark]], totals: dict[str, tuple[float, int]], item: str
) -> tuple[list[float], tuple[list[float], list[float]]]:
    """The item's fractions, and the (fraction, rest) pairs of takers who have a rest."""
    fractions: list[float] = []
    paired_x: list[float] = []
    paired_rest: list[float] = []
    for taker, items in table.items():
        if item not in items:
            continue
        fraction = items[item].fraction
        fractions.append(fraction)
        total, count = totals[taker]
        if count > 1:
            paired_x.append(fraction)
            paired_rest.append((total - fraction) / (count - 1))
    return fractions, (paired_x, paired_rest)


def _discrimination(xs: list[float], rests: list[float]) -> tuple[float | None, float | None]:
    """(discrimination index, discriminative efficiency), both in percent."""
    r = correlation(xs, rests)
    if r is None:
        # A constant item or a constant rest: nothing to discriminate with.
        return None, None
    shared = covariance(xs, rests)
    most = covariance(sorted(xs), sorted(rests))
    efficiency = 100 * shared / most if shared is not None and most else None
    return 100 * r, efficiency


def _flags(answers: int, facility: float | None, index: float | None) -> tuple[str, ...]:
    if answers < MIN_ANSWERS_TO_FLAG or facility is None:
        return ()
    flags = []
    if facility < TOO_HARD:
        flags.append("too_hard")
    if facility > TOO_EASY:
        flags.append("too_easy")
    if index is not None and index < WEAK_DISCRIMINATION:
        flags.append("weak_discrimination")
    return tuple(flags)


@dataclass(frozen=True)
class TestStatistics:
    """Moodle's statistics of a fixed test (every taker had the same items)."""

    __test__ = False  # not a pytest test class, despite its name

    takers: int
    items: int
    # Of takers' scores in PERCENT (0..100) of the test's maximum:
    mean: float
    median: float
    sd: float | None
    skewness: float | None  # k3 / k2^1.5 (== scipy.stats.skew(bias=False))
    kurtosis: float | None  # excess, k4 / k2^2 (== scipy.stats.kurtosis(bias=False))
    cic: float | None  # Cronbach's alpha, in percent
    error_ratio: float | None  # 100 * sqrt(1 - cic / 100); None when cic is None or < 0
    standard_error: float | None  # error_ratio * sd / 100, in percent points


def test_statistics(marks: Iterable[Mark]) -> TestStatistics | None:
    """The statistics of a fixed test, or None when takers had different items.

    The caller passes 0 for an unanswered item of a fixed test, so every
    taker has a mark for every item; otherwise the attempts drew different
    questions and a test-level reliability means nothing.
    """
    marks = list(marks)
    table = _by_taker(marks)
    if not table:
        return None
    item_sets = {frozenset(items) for items in table.values()}
    if len(item_sets) != 1:
        return None
    items = _items_in_order(marks)
    totals = [math.fsum(mark.fraction for mark in row.values()) for row in table.values()]
    scores = [100 * total / len(items) for total in totals]
    spread = sd(scores)
    cic = _internal_consistency(table, items, totals)
    error_ratio = 100 * math.sqrt(1 - cic / 100) if cic is not None and cic >= 0 else None
    standard_error = (
        error_ratio * spread / 100 if error_ratio is not None and spread is not None else None
    )
    skewness, kurtosis = _shape(scores)
    return TestStatistics(
        takers=len(table),
        items=len(items),
        mean=math.fsum(scores) / len(scores),
        median=_middle(scores),
        sd=spread,
        skewness=skewness,
        kurtosis=kurtosis,
        cic=cic,
        error_ratio=error_ratio,
        standard_error=standard_error,
    )


# The name starts with "test": keep pytest from collecting it where it is imported.
test_statistics.__test__ = False  # type: ignore[attr-defined]


def _middle(scores: list[float]) -> float:
    middle = median(scores)
    assert middle is not None  # scores is never empty here
    return middle


def _internal_consistency(
    table: dict[str, dict[str, Mark]], items: list[str], totals: list[float]
) -> float | None:
    """Cronbach's alpha in percent, or None (one item, one taker, or no spread of totals)."""
    total_spread = variance(totals)
    if len(items) < 2 or not total_spread:
        return None
    item_spread = math.fsum(
        variance([row[item].fraction for row in table.values()]) or 0.0 for item in items
    )
    p = len(items)
    return 100 * p / (p - 1) * (1 - item_spread / total_spread)


def _shape(scores: list[float]) -> tuple[float | None, float | None]:
    """(skewness, excess kurtosis) from the unbiased k-statistics, as Moodle computes them."""
    s = len(scores)
    if s < 3:
        return None, None
    centre = math.fsum(scores) / s
    m2, m3, m4 = (math.fsum((x - centre) ** r for x in scores) / s for r in (2, 3, 4))
    if m2 <= 0:
        return None, None
    k2 = s * m2 / (s - 1)
    k3 = s * s * m3 / ((s - 1) * (s - 2))
    skewness = k3 / k2**1.5
    if s < 4:
        return skewness, None
    k4 = s * s * ((s + 1) * m4 - 3 * (s - 1) * m2 * m2) / ((s - 1) * (s - 2) * (s - 3))
    return skewness, k4 / (k2 * k2)


@dataclass(frozen=True)
class ChoiceShare:
    """How many takers chose one choice, overall and in the upper and lower third."""

    choice: str
    share: float | None  # 0..1 of takers who answered the item (None: nobody did)
    upper: float | None
    lower: float | None
    right: bool  # whether this choice is (part of) the key


@dataclass(frozen=True)
class Distractors:
    """The distractor table of one choice item."""

    item: str
    answers: int
    upper_takers: int
    lower_takers: int
    choices: tuple[ChoiceShare, ...]


def distractor_table(
    marks: Iterable[Mark], item: str, choice_ids: Sequence[str], key: set[str]
) -> Distractors:
    """The share of takers choosing each of ``choice_ids`` on ``item``.

    Shares count takers who answered the item (a mark with ``choices`` None
    counts as answering with nothing picked). The upper and lower groups are
    the top and bottom floor(n / 3) of those takers ranked by rest of test,
    ties broken by taker key so the table is the same every time; takers
    with no other item cannot be ranked and belong to neither group (n
    counts only the ranked). With fewer than three ranked takers the groups
    are empty and their shares None.
    """
    return distractor_tables(marks, {item: (choice_ids, key)})[item]


def distractor_tables(
    marks: Iterable[Mark], choices: Mapping[str, tuple[Sequence[str], set[str]]]
) -> dict[str, Distractors]:
    """:func:`distractor_table` of each item of ``choices`` (item -> (choice ids,
    key)), grouping the marks by taker once for all of them: a report of
    many items over thousands of answers would otherwise regroup them per item."""
    table = _by_taker(marks)
    totals = _totals(table)
    return {
        item: _distractors(table, totals, item, choice_ids, key)
        for item, (choice_ids, key) in choices.items()
    }


def _distractors(table, totals, item, choice_ids, key) -> Distractors:
    answered = {taker: items for taker, items in table.items() if item in items}
    ranked = []
    for taker, items in answered.items():
        total, count = totals[taker]
        if count > 1:
            # Rounded so that takers whose rests are equal on paper tie, and
            # the taker key decides, whatever the floating-point subtraction.
            rest = round((total - items[item].fraction) / (count - 1), 12)
            ranked.append((rest, taker))
    ranked.sort()
    third = len(ranked) // 3
    lower = [answered[taker][item] for _, taker in ranked[:third]]
    upper = [answered[taker][item] for _, taker in ranked[len(ranked) - third :]] if third else []
    everyone = [items[item] for items in answered.values()]
    return Distractors(
        item=item,
        answers=len(everyone),
        upper_takers=len(upper),
        lower_takers=len(lower),
        choices=tuple(
            ChoiceShare(
                choice=choice,
                share=_share_choosing(everyone, choice),
                upper=_share_choosing(upper, choice),
                lower=_share_choosing(lower, choice),
                right=choice in key,
            )
            for choice in choice_ids
        ),
    )


def _share_choosing(group: list[Mark], choice: str) -> float | None:
    if not group:
        return None
    return sum(choice in (mark.choices or ()) for mark in group) / len(group)
