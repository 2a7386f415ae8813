"""Anchoring a quote in a source: the W3C Web Annotation TextQuoteSelector.

A selector is ``{exact, prefix?, suffix?}``; prefix and suffix are the text
right before and after the quote and serve only to tell repeats apart. A
selector anchors when exactly one occurrence of ``exact`` (folded, see
:mod:`quizapp.domain.text`) has the given prefix before it and suffix after
it. The result is a character range in the original text.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from quizapp.domain.text import FoldedText, fold_text, line_and_column

#: How much context to show around an occurrence in an error message.
CONTEXT_CHARS = 12
#: An ambiguous quote's message lists at most this many of its places.
MAX_PLACES = 5

#: The closest-passage search (:func:`suggest`) compares the quote with every
#: window of the article, so its cost grows with the quote's length times the
#: article's: a 19,000-character quote held a worker for half a minute.
#: Quotes are a sentence or two (the longest in the shipped banks has 97
#: characters, the passage picker selects at most 600): longer ones are not
#: searched for.
MAX_SEARCHED_QUOTE = 600
#: No search compares more than this many quote × article characters (600
#: in an article of 20,000: about 10 ms here); in a longer article the
#: longest quote searched is shorter.
MAX_SEARCH_WORK = MAX_SEARCHED_QUOTE * 20_000
#: One check of bank files searches for the closest passage of at most this
#: many quotes not found, so that a file of wrong quotes is refused as fast.
MAX_SEARCHES = 20


@dataclass(frozen=True, slots=True)
class Selector:
    """A TextQuoteSelector: the quote and optional context around it."""

    exact: str
    prefix: str | None = None
    suffix: str | None = None


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a quote sits in the original text: ``[start, end)``."""

    start: int
    end: int


class AnchorError(ValueError):
    """A selector that does not anchor exactly once; the message says why."""


class SearchBudget:
    """How many closest-passage searches one check of files may still make."""

    def __init__(self, searches: int = MAX_SEARCHES):
        self.left = searches

    def take(self) -> bool:
        """Use one search; False when none is left."""
        if self.left <= 0:
            return False
        self.left -= 1
        return True


def _occurrences(haystack: str, needle: str) -> list[int]:
    positions = []
    at = haystack.find(needle)
    while at != -1:
        positions.append(at)
        at = haystack.find(needle, at + 1)
    return positions


def _excerpt(original: str, start: int, end: int) -> str:
    before = original[max(0, start - CONTEXT_CHARS) : start]
    after = original[end : end + CONTEXT_CHARS]
    body = f"…{before}[{original[start:end]}]{after}…"
    return " ".join(body.split())


def _place(folded: FoldedText, original: str, at: int, length: int) -> str:
    """``line N: …context[quote]context…`` for an occurrence at folded offset ``at``."""
    start, end = folded.original_range(at, at + length)
    return f"line {line_and_column(original, start)[0]}: {_excerpt(original, start, end)}"


def locate(
    folded: FoldedText, original: str, selector: Selector, budget: SearchBudget | None = None
) -> Anchor:
    """Anchor ``selector`` in ``original`` (whose folded form is ``folded``).

    Raises :class:`AnchorError` when the quote is empty, absent, or found
    more than once once prefix and suffix are applied. An absent quote's
    closest passage is searched for within ``budget`` (no limit on the
    number of searches without one; each search is bounded either way).
    """
    exact = fold_text(selector.exact)
    if not exact:
        raise AnchorError("the quote is empty")
    prefix = fold_text(selector.prefix or "")
    suffix = fold_text(selector.suffix or "")
    found = _occurrences(folded.text, exact)
    if not found:
        closest = suggest(folded, original, exact, budget)
        raise AnchorError(f"quote not found in the source; {closest}")
    matching = [
        at
        for at in found
        if folded.text.endswith(prefix, 0, at) and folded.text.startswith(suffix, at + len(exact))
    ]
    if len(matching) == 1:
        start, end = folded.original_range(matching[0], matching[0] + len(exact))
        return Anchor(start, end)
    shown = matching or found
    places = "; ".join(_place(folded, original, at, len(exact)) for at in shown[:MAX_PLACES])
    if len(shown) > MAX_PLACES:
        places += f"; and {len(shown) - MAX_PLACES} more"
    if not matching:
        raise AnchorError(
            f"quote found {len(found)} time(s) but never with the given prefix/suffix ({places})"
        )
    raise AnchorError(
        f"quote found {len(matching)} times; add a prefix or suffix to choose one ({places})"
    )


def searchable_length(folded: FoldedText) -> int:
    """The longest quote (folded) whose closest passage is searched for in ``folded``."""
    return min(MAX_SEARCHED_QUOTE, MAX_SEARCH_WORK // max(1, len(folded.text)))


def suggest(
    folded: FoldedText, original: str, exact_folded: str, budget: SearchBudget | None = None
) -> str:
    """Describe the passage of the source closest to a quote that was not found.

    Only a quote of at most :func:`searchable_length` characters is searched
    for, and only while ``budget`` lasts: the message says so otherwise.
    """
    limit = searchable_length(folded)
    if len(exact_folded) > limit:
        return (
            f"it has {len(exact_folded):,} characters, too many to search for the closest "
            f"passage (at most {limit:,}); quote a sentence or two"
        )
    if budget is not None and not budget.take():
        return f"the closest passage is searched for the first {MAX_SEARCHES} quotes not found only"
    alignment = fuzz.partial_ratio_alignment(exact_folded, folded.text)
    if alignment is None or alignment.dest_end <= alignment.dest_start:
        return "nothing in the source resembles it"
    # Widen the window a little: the best-scoring window is as long as the
    # quote and may cut off the words the author was after.
    margin = max(2, len(exact_folded) // 5)
    start, end = folded.original_range(
        max(0, alignment.dest_start - margin), min(len(folded.text), alignment.dest_end + margin)
    )
    line, column = line_and_column(original, folded.origin[alignment.dest_start])
    closest = " ".join(original[start:end].split())
    return f"closest passage ({alignment.score:.0f}% similar) at line {line}:{column}: “{closest}”"


#: The longest prefix or suffix :func:`selector_for` adds to make a quote unique.
MAX_CONTEXT = 40


def _tidy(text: str) -> str:
    """A stretch of the copy as a quote: line breaks inside it dropped, ends trimmed.

    Folding ignores white space, so the quote anchors the same either way;
    this only keeps quotes on one line in bank files.
    """
    return "".join(part.strip() for part in text.splitlines()).strip()


def selector_for(folded: FoldedText, original: str, start: int, end: int) -> Selector:
    """The selector for ``original[start:end]``: the quote, plus context if it repeats.

    Prefix, then suffix, then both are lengthened one character at a time
    until exactly one occurrence matches, so the context is as short as
    can be. Raises :class:`AnchorError` for a range with no visible text.
    """
    first = next((i for i, at in enumerate(folded.origin) if at >= start), len(folded.origin))
    stop = next((i for i, at in enumerate(folded.origin) if at >= end), len(folded.origin))
    if stop <= first:
        raise AnchorError("the selection has no text in it")
    exact = _tidy(original[folded.origin[first] : folded.origin[stop - 1] + 1])

    def context(a: int, b: int) -> str | None:
        if a >= b:
            return None
        s, e = folded.original_range(a, b)
        return _tidy(original[s:e]) or None

    candidates = [(0, 0)]
    for size in range(1, MAX_CONTEXT + 1):
        candidates += [(size, 0), (0, size)]
    for size in range(1, MAX_CONTEXT + 1):
        candidates.append((size, size))
    for before, after in candidates:
        if first - before < 0 or stop + after > len(folded.text):
            continue
        selector = Selector(
            exact,
            context(first - before, first),
            context(stop, stop + after),
        )
        try:
            locate(folded, original, selector)
        except AnchorError:
            continue
        return selector
    raise AnchorError("the selection repeats too often to be told apart; select more text")


def find_quotes(folded: FoldedText, original: str, query: str, limit: int = 20) -> list[Anchor]:
    """Where ``query`` occurs in the text (folded, as quotes match), at most ``limit``."""
    needle = fold_text(query)
    if not needle:
        return []
    return [
        Anchor(*folded.original_range(at, at + len(needle)))
        for at in _occurrences(folded.text, needle)[:limit]
    ]


@dataclass(frozen=True, slots=True)
class InContext:
    """A quote with the text around it, for showing it highlighted."""

    before: str
    quote: str
    after: str


def in_context(original: str, anchor: Anchor, width: int = 60) -> InContext:
    """The quote at ``anchor`` with up to ``width`` characters either side, on one line."""
    return InContext(
        _tidy(original[max(0, anchor.start - width) : anchor.start]),
        _tidy(original[anchor.start : anchor.end]),
        _tidy(original[anchor.end : anchor.end + width]),
    )
