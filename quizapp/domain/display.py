"""Laying out a source copy as a readable article, for display only.

The stored text is never changed. This module only decides which character
ranges of it to show, and how: the copy is split into the wrapper before
the article, the article, and the wrapper after it (shown collapsed, since
they are not part of the article); scraper noise is hidden; each line with
visible text becomes a paragraph (with lines broken mid-sentence rejoined
where the source asks for it); and each paragraph is cut into spans at
passage boundaries so cited passages can be marked and one highlighted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from quizapp.domain.sources import DisplayRules

#: Characters that end a sentence or a quoted sentence in these texts.
SENTENCE_ENDS = set("。！？!?…”」』:：)）")
#: A line shorter than this is a heading, never a sentence broken in two.
MIN_BROKEN_LINE = 30


@dataclass(frozen=True)
class Span:
    """A piece of a paragraph covered by the same set of passages."""

    text: str
    start: int
    end: int
    passages: tuple[int, ...] = ()


@dataclass
class Paragraph:
    """A paragraph: its spans, in order."""

    spans: list[Span] = field(default_factory=list)


@dataclass
class Region:
    """Part of the copy: "before" the article, the "article", or "after" it."""

    kind: str
    paragraphs: list[Paragraph]
    passages: set[int]


@dataclass
class ArticleLayout:
    """A whole copy laid out, with what was hidden."""

    regions: list[Region]
    hidden_noise: int

    def region(self, kind: str) -> Region:
        """The region named ``kind``."""
        return next(region for region in self.regions if region.kind == kind)


def _subtract(start: int, end: int, holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    pieces, at = [], start
    for hole_start, hole_end in holes:
        if hole_end <= at or hole_start >= end:
            continue
        if hole_start > at:
            pieces.append((at, hole_start))
        at = max(at, hole_end)
    if at < end:
        pieces.append((at, end))
    return pieces


def _lines(text: str, start: int, end: int, holes):
    """Each line of ``text[start:end]`` as the ranges of it left visible."""
    at = start
    while at < end:
        stop = text.find("\n", at, end)
        stop = end if stop == -1 else stop
        visible = [(s, e) for s, e in _subtract(at, stop, holes) if text[s:e].strip()]
        yield visible
        at = stop + 1


def _unfinished(text: str, ranges: list[tuple[int, int]]) -> bool:
    shown = "".join(text[s:e] for s, e in ranges).strip()
    return len(shown) >= MIN_BROKEN_LINE and shown[-1] not in SENTENCE_ENDS


def _spans(text: str, ranges, passages: dict[int, tuple[int, int]]) -> list[Span]:
    spans = []
    for start, end in ranges:
        cuts = {start, end}
        cuts.update(p for s, e in passages.values() for p in (s, e) if start < p < end)
        ordered = sorted(cuts)
        for s, e in pairwise(ordered):
            covering = tuple(
                sorted(pid for pid, (ps, pe) in passages.items() if ps <= s and e <= pe)
            )
            spans.append(Span(text[s:e], s, e, covering))
    return spans


def _region(kind, text, start, end, holes, passages, join) -> Region:
    paragraphs: list[list[tuple[int, int]]] = []
    for visible in _lines(text, start, end, holes):
        if not visible:
            continue
        if join and paragraphs and _unfinished(text, paragraphs[-1]):
            paragraphs[-1].extend(visible)
        else:
            paragraphs.append(list(visible))
    inside = {pid for pid, (s, e) in passages.items() if s < end and e > start}
    return Region(
        kind, [Paragraph(_spans(text, ranges, passages)) for ranges in paragraphs], inside
    )


def lay_out(text: str, rules: DisplayRules, passages: dict[int, tuple[int, int]]) -> ArticleLayout:
    """Lay out ``text`` by ``rules``, marking ``passages`` (id → (start, end))."""
    noise = []
    if rules.noise:
        for match in re.finditer(rules.noise, text):
            overlaps = any(s < match.end() and match.start() < e for s, e in passages.values())
            # Noise inside a cited passage stays visible: the passage is
            # quoted as it stands in the copy.
            if not overlaps and match.end() > match.start():
                noise.append((match.start(), match.end()))
    bounds = [
        ("before", 0, rules.article_start),
        ("article", rules.article_start, rules.article_end),
        ("after", rules.article_end, len(text)),
    ]
    regions = [
        _region(kind, text, s, e, noise, passages, rules.join_broken_lines) for kind, s, e in bounds
    ]
    return ArticleLayout(regions, len(noise))
