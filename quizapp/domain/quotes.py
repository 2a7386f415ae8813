"""How much of an article a citation must quote, and widening a quote to its sentence.

A citation is the evidence for an answer, so it must be at least a clause:
a word or a name on its own ("Sora", "深度伪造") shows the reader nothing
and tends to occur in several places. The rule is :data:`MIN_QUOTE_CHARS`
characters, counted as the anchoring compares them (white space dropped,
NFKC-folded; see :mod:`quizapp.domain.text`). A shorter quote is accepted
only when it is a whole sentence or a whole line of the article: a
heading, a byline or a picture credit is a complete unit however short
("作者丨王悦", "网络截图").

:func:`sentence_around` is the passage picker's "whole sentence": it
widens a range to the sentences it touches, ending at 。！？!? (with any
closing quotation mark), at a full stop followed by white space, or at a
line break.
"""

from __future__ import annotations

from quizapp.domain.text import fold_text

#: The shortest quote that is not a whole sentence or line, in folded
#: characters. Eight Chinese characters make a short clause
#: ("达到以假乱真的水平" has nine); in English, quote a full clause.
MIN_QUOTE_CHARS = 8

#: Characters that end a sentence wherever they stand.
SENTENCE_ENDS = "。！？!?"
#: Closing quotation marks and brackets that belong to the sentence they follow.
CLOSERS = "”’」』）)》〉】〕\"'"


def quote_length(exact: str) -> int:
    """The length of ``exact`` as the anchoring counts it."""
    return len(fold_text(exact))


def _ends_sentence(text: str, at: int) -> bool:
    """Whether the character at ``at`` ends a sentence (a closer after an end counts too)."""
    while at >= 0 and text[at] in CLOSERS:
        at -= 1
    if at < 0:
        return False
    char = text[at]
    if char in SENTENCE_ENDS:
        return True
    # A full stop ends a sentence only before white space: not in "2.0" or a web address.
    return char == "." and (
        at + 1 >= len(text) or text[at + 1].isspace() or text[at + 1] in CLOSERS
    )


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` of ``text`` widened to whole sentences, white space trimmed.

    A line break ends a sentence too: headings, bylines and credits stand
    on lines of their own. A range that is already whole comes back as it is.
    """
    begin = start
    while begin > 0 and text[begin - 1] != "\n" and not _ends_sentence(text, begin - 1):
        begin -= 1
    while begin < start and text[begin].isspace():
        begin += 1
    stop = end
    if not _ends_sentence(text, stop - 1):
        while stop < len(text) and text[stop] != "\n":
            stop += 1
            if _ends_sentence(text, stop - 1) and (stop >= len(text) or text[stop] not in CLOSERS):
                break
    while stop < len(text) and text[stop] in CLOSERS:
        stop += 1
    while stop > end and text[stop - 1].isspace():
        stop -= 1
    return begin, stop


def is_whole_sentence(text: str, start: int, end: int) -> bool:
    """Whether ``[start, end)`` is one or more whole sentences or lines of ``text``."""
    return sentence_around(text, start, end) == (start, end)


def too_short(text: str, exact: str, start: int, end: int) -> str | None:
    """Why the quote ``exact``, anchored at ``[start, end)`` of ``text``, is too short, or None."""
    length = quote_length(exact)
    if length >= MIN_QUOTE_CHARS or is_whole_sentence(text, start, end):
        return None
    return (
        f"the quote is {length} characters; quote at least a clause "
        f"({MIN_QUOTE_CHARS} characters) or a whole sentence or line of the article"
    )
