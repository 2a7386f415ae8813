"""Text normalisation that remembers where every character came from.

Quotes are matched against the sources after folding: white space of every
kind (the seeds contain U+00A0 and line breaks inside sentences) is dropped
and each character is NFKC-folded, so a full-width comma matches an ASCII
one. The originals are never changed; ``origin`` maps every folded character
back to its offset in the original so a match becomes a character range in
the untouched text (a W3C TextPositionSelector).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FoldedText:
    """A folded string plus, for each of its characters, the original offset."""

    text: str
    origin: tuple[int, ...]

    def original_range(self, start: int, end: int) -> tuple[int, int]:
        """Map the folded slice ``[start, end)`` to a range in the original."""
        return self.origin[start], self.origin[end - 1] + 1


def _is_ignorable(ch: str) -> bool:
    # Format characters (zero-width space, BOM) are as invisible as spaces.
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def fold(original: str) -> FoldedText:
    """Fold ``original`` for matching, keeping the offset map."""
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(original):
        if _is_ignorable(ch):
            continue
        for folded in unicodedata.normalize("NFKC", ch):
            if not _is_ignorable(folded):
                chars.append(folded)
                origin.append(index)
    return FoldedText("".join(chars), tuple(origin))


def fold_text(value: str) -> str:
    """The folded form of ``value`` alone, for comparisons."""
    return fold(value).text


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset`` in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def has_chinese(text: str) -> bool:
    """Whether ``text`` has a Chinese (CJK ideograph) character: a Chinese text
    that has none is an untranslated copy of the English."""
    return any(unicodedata.name(char, "").startswith("CJK") for char in text)
