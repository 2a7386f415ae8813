"""Cells of the CSV files a teacher opens in a spreadsheet program.

A cell that begins with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return, which some programs skip before reading one) is read as a formula:
a nickname ``=HYPERLINK("http://…")`` or ``=cmd|' /C calc'!A0`` would run
on the teacher's computer. As OWASP recommends (CSV Injection), such a
cell is prefixed with a single quote, which spreadsheet programs read as
"this is text" and do not show. Numbers stay numbers: "-6" points is a
number, not a formula, and is written as it is.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?%?")


def safe_cell(value):
    """``value`` as written to a CSV cell, never read as a formula."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value
