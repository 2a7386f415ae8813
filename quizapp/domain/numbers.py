"""Whole numbers read from what a client sends: paths, queries, forms, headers.

One rule everywhere. Python's ``str.isdigit`` is true for "²" and "٣",
``int`` accepts "٣", " 3", "+3" and "3_000", and either may give a number
no database column holds (SQLite refuses integers beyond 2⁶³, PostgreSQL's
INTEGER ends at 2³¹ - 1). A number from a client is ASCII digits only,
at most :data:`MAX_INTEGER`; anything else is not a number, and the caller
answers as it does for any wrong value (a 404, a 400, a form error, the
default).
"""

from __future__ import annotations

#: The largest value of an INTEGER column on every supported database
#: (PostgreSQL's INTEGER is 32 bits): every id, number, position and count.
MAX_INTEGER = 2**31 - 1
#: Digits enough for MAX_INTEGER; a longer string is refused unread.
MAX_DIGITS = len(str(MAX_INTEGER))


def whole_number(text: str | int | None, maximum: int = MAX_INTEGER) -> int:
    """``text`` as a whole number from 0 to ``maximum``; ValueError otherwise.

    Usable as werkzeug's ``type=`` (``request.args.get("page", 1,
    type=whole_number)`` falls back to the default on a ValueError) and as
    a WTForms ``coerce`` (which is also given the choices' own numbers).
    """
    if isinstance(text, int) and not isinstance(text, bool):
        text = str(text)
    if text is None or not 0 < len(text) <= MAX_DIGITS or not (text.isascii() and text.isdigit()):
        raise ValueError(f"not a whole number: {text!r:.40}")
    number = int(text)
    if number > maximum:
        raise ValueError(f"{number} is above {maximum}")
    return number


def whole_number_or(text: str | None, default: int | None = None, maximum: int = MAX_INTEGER):
    """:func:`whole_number`, or ``default`` when ``text`` is not one."""
    try:
        return whole_number(text, maximum)
    except ValueError:
        return default
