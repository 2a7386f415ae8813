"""Spotting a question that may repeat another: the same passage, or nearly the same prompt.

These are warnings for the author, never errors: two questions may well
cite one sentence for different points, and a prompt may rightly echo
another's. The editor shows them on Check and after a new question is
saved (see :mod:`quizapp.services.duplicates`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from quizapp.domain.fields import LANGUAGES
from quizapp.domain.text import fold_text

#: How alike two prompts in one language must be to be reported, as a
#: rapidfuzz ``ratio`` (0-100) of their folded, lower-cased texts. At 90
#: a changed word or two in a sentence of twenty is still reported; a
#: question on another point of the same passage is not.
PROMPT_SIMILARITY = 90


@dataclass
class SimilarPrompt:
    """Another question whose prompt is near-identical in ``languages``; the best score."""

    question: object
    languages: list[str]
    score: float


def _comparable(text: str) -> str:
    """The prompt as compared: white space and width ignored, case folded."""
    return fold_text(text).casefold()


def similar_prompts(
    prompt: dict,
    others: Iterable[tuple[object, dict]],
    threshold: float = PROMPT_SIMILARITY,
) -> list[SimilarPrompt]:
    """The ``others`` (``(question, prompt)`` pairs) whose prompt resembles ``prompt``.

    Each question is reported once, with the languages in which it is
    alike, most alike first.
    """
    others = list(others)
    found: dict[int, SimilarPrompt] = {}
    for language in LANGUAGES:
        mine = _comparable(prompt.get(language, ""))
        if not mine:
            continue
        texts = [_comparable(other.get(language, "")) for _, other in others]
        for _, score, index in process.extract(
            mine, texts, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
        ):
            similar = found.setdefault(index, SimilarPrompt(others[index][0], [], score))
            similar.languages.append(language)
            similar.score = max(similar.score, score)
    return sorted(found.values(), key=lambda similar: -similar.score)


def overlaps(first: tuple[int, int], second: tuple[int, int]) -> bool:
    """Whether two ``[start, end)`` ranges of one text share a character."""
    return first[0] < second[1] and second[0] < first[1]
