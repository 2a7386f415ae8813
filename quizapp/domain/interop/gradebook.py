"""Results as a gradebook CSV that Moodle, Canvas and spreadsheet programs import.

A teacher who keeps marks in an LMS wants a lesson's results there without
typing them in. This module turns a session's (or a class's) results into
one CSV file: one row per student, UTF-8 with a byte order mark (Excel then
reads Chinese nicknames right; Moodle and Google Sheets drop the mark), every
text cell guarded against formula injection
(:func:`quizapp.domain.spreadsheet.safe_cell`).

Nothing personal goes out but the nickname. Each student also gets a
**Student ID**: a short pseudonym such as ``p-k3f9x2m4qa``, the same in every
download, that no one can turn back into a database id or link to another
session without the session's secret public id (:func:`pseudonym`). It starts
with a letter and a hyphen, so no spreadsheet reads it as a number (a
leading 0 dropped, "1e5…" read as 100000). A class member has one id for the
whole class (``m-…``): the same in every session of the class and in the
class gradebook; a player without a class has one per session (``p-…``).

**The grade** is the marks: one point per question, partial credit for a
multiple-answer question, whatever the session's scoring. A speed bonus or a
certainty-based mark is a game's points and is shown in a column of its own.
"Points possible" is the number of questions the session asked (a
teacher-paced session ended early asked fewer than it holds); a question
asked before a student joined counts 0 for them (see "Absent").

Moodle and Canvas want different files, so there are two layouts:

``moodle`` (the default; also the one for Google Sheets, Excel, LibreOffice)
    One header row, then one row per student. The columns of a session:

    ============================  ====================================================
    Student                       the nickname
    Student ID                    the pseudonym (see above)
    <session title (date)>        the grade in points (marks, see above)
    Points possible               the most the grade can be: the questions asked
    Percent                       grade ÷ points possible × 100, one decimal, no "%"
    Answered                      questions answered (first vote)
    Right                         questions fully right (first vote)
    Absent                        questions asked before the student joined
    Certainty-based points        only with certainty-based marking: the session's
                                  points (may be below 0)
    Points with speed bonus       only with the speed bonus: the session's points
    ============================  ====================================================

    Moodle (Grades › Import › CSV file) asks which column names the user
    ("Map from") and which user field it is ("Map to": username, email, ID
    number or user id), then maps each other column to a grade item, a new
    grade item or "ignore". Moodle cannot know a nickname, so add a column
    with each student's Moodle username or email first (or map "Student ID"
    to "ID number" if you stored these ids in Moodle). Moodle stops the
    whole import when one row names nobody it knows, and when a grade cell
    is not a number: every number here is a plain decimal with a point, and
    an empty cell means "no grade". Map the session's column (or "Percent",
    for a grade item out of 100) and ignore the rest.

``canvas``
    Canvas (Grades › Import) reads its own export format: the columns
    ``Student, ID, SIS User ID, SIS Login ID, Section`` in this order, then
    one column per assignment, and a second row whose first cell is
    "Points Possible" holding each assignment's points possible. Every
    column after "Section" becomes an assignment (a new one when no
    assignment has that title), so this layout carries the grade column(s)
    only. "ID" is Canvas's own numeric user id and is left empty (a
    pseudonym there could be read as a number and pick the wrong student);
    the SIS columns and "Section" are empty too. Canvas matches a row to a
    student whose name is the row's "Student" and asks the teacher about
    the others. A title ending in "(digits)" is what Canvas's own export
    writes for "assignment number digits", so such a title is written with
    brackets instead ("Lesson [3]"); a nickname containing "Points Possible"
    (which would make Canvas read the row as the points row) is written
    "Points possible".

A class (:func:`class_gradebook`) has one column per graded activity of the
class, in the order they were created: each finished live session run for
the class ("<title> (<date>)") and each assignment (self-study and each phase
of the before/after check, by title). A cell is the member's percent (0–100,
one decimal): of the questions the session asked, or of the items of their
attempt at the assignment, counted only once the attempt is finished. An
empty cell: the member did not take part (or has not finished). Points
possible is 100 for every column (Canvas's second row).

Titles are made unique (" #2") so that two columns never map to one grade item.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from quizapp.domain.spreadsheet import safe_cell

LAYOUTS = ("moodle", "canvas")
#: The first columns of Canvas's import, in its order (see the module docstring).
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "Points Possible"
#: The fixed columns of a session's Moodle layout (the session's own column
#: comes between "Student ID" and "Points possible").
STUDENT, STUDENT_ID = "Student", "Student ID"
SESSION_COLUMNS = ("Points possible", "Percent", "Answered", "Right", "Absent")
#: The column of the session's own points, by scoring (plain has none).
GAME_POINTS = {"certainty": "Certainty-based points", "speed": "Points with speed bonus"}
#: Every column of a class is out of this.
CLASS_POINTS = 100
#: How a pseudonym's kind is written: a session's player, a class's member.
PLAYER, MEMBER = "p", "m"
#: What Canvas reads as "assignment <number>" at the end of a title.
_CANVAS_ID = re.compile(r"\s\((\d+)\)$")


class LayoutError(ValueError):
    """A layout that is not one of :data:`LAYOUTS`."""


def pseudonym(kind: str, scope: str, number: int) -> str:
    """The Student ID of player or member ``number`` of session or class ``scope``.

    ``scope`` is the session's (or class's) random public id: without it the
    id cannot be linked to the database id or to another session's. Ten
    base-32 letters and digits (50 bits) after ``p-`` or ``m-``: two students
    of a class sharing one is far less likely than a lightning strike.
    """
    digest = hashlib.sha256(f"quizapp:{kind}:{scope}:{number}".encode()).digest()
    return f"{kind}-{base64.b32encode(digest).decode()[:10].lower()}"


def decimal(value: float, places: int = 2) -> str:
    """``value`` as a spreadsheet and an LMS read it: a point, no exponent,
    no trailing zeros ("2.5", "3", "-6", "66.7")."""
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def unique_titles(titles: Iterable[str], taken: Iterable[str] = ()) -> list[str]:
    """``titles`` with " #2", " #3" … added to repeats (and to any in ``taken``),
    compared without case: one column per grade item."""
    seen = {title.casefold() for title in taken}
    unique = []
    for title in titles:
        title = " ".join(title.split()) or "Quiz"
        candidate, number = title, 1
        while candidate.casefold() in seen:
            number += 1
            candidate = f"{title} #{number}"
        seen.add(candidate.casefold())
        unique.append(candidate)
    return unique


@dataclass(frozen=True)
class SessionGrade:
    """One student's line of a session's gradebook."""

    student: str
    student_id: str
    #: Marks: the sum of the first vote's fractions (see the module docstring).
    score: float
    answered: int
    right: int
    absent: int
    #: The session's own points (with the speed bonus or certainty-based).
    points: float


@dataclass(frozen=True)
class SessionSheet:
    """A session's gradebook: its column title, what it asked, its students."""

    title: str
    points_possible: int
    scoring: str
    grades: list[SessionGrade]


@dataclass(frozen=True)
class ClassGrade:
    """One member's line of a class's gradebook: a percent or None per column."""

    student: str
    student_id: str
    percents: list[float | None]


@dataclass(frozen=True)
class ClassSheet:
    """A class's gradebook: one title per column, one line per member."""

    columns: list[str]
    grades: list[ClassGrade]


def _checked(layout: str) -> str:
    if layout not in LAYOUTS:
        raise LayoutError(f"unknown layout {layout!r}: expected one of {', '.join(LAYOUTS)}")
    return layout


def _csv(rows: list[list]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, lineterminator="\r\n").writerows(
        [safe_cell(cell) for cell in row] for row in rows
    )
    return buffer.getvalue()


def _sorted(grades: list) -> list:
    """By nickname (as a teacher looks one up), then id: the same file every time."""
    return sorted(grades, key=lambda grade: (grade.student.casefold(), grade.student_id))


def _canvas_title(title: str) -> str:
    return _CANVAS_ID.sub(r" [\1]", title)


def _canvas_student(nickname: str) -> str:
    return nickname.replace(CANVAS_POINTS_ROW, "Points possible")


def _canvas(titles: list[str], possible: list, rows: list[tuple[str, list]]) -> str:
    """Canvas's layout: its student columns, the points row, one row per student."""
    blank = [""] * (len(CANVAS_STUDENT_COLUMNS) - 1)
    table = [
        [*CANVAS_STUDENT_COLUMNS, *(_canvas_title(title) for title in titles)],
        [CANVAS_POINTS_ROW, *blank, *possible],
    ]
    table += [[_canvas_student(student), *blank, *cells] for student, cells in rows]
    return _csv(table)


def _percent(score: float, possible: float) -> str:
    return decimal(100 * score / possible, 1) if possible else ""


def session_gradebook(sheet: SessionSheet, layout: str = "moodle") -> str:
    """The session's gradebook CSV (UTF-8 with BOM) in ``layout``."""
    _checked(layout)
    game = GAME_POINTS.get(sheet.scoring)
    fixed = [STUDENT, STUDENT_ID, *SESSION_COLUMNS, *([game] if game else [])]
    [title] = unique_titles([sheet.title], taken=fixed)
    grades = _sorted(sheet.grades)
    if layout == "canvas":
        rows = [(grade.student, [decimal(grade.score)]) for grade in grades]
        return _canvas([title], [sheet.points_possible], rows)
    table = [[STUDENT, STUDENT_ID, title, *SESSION_COLUMNS, *([game] if game else [])]]
    for grade in grades:
        table.append(
            [
                grade.student,
                grade.student_id,
                decimal(grade.score),
                sheet.points_possible,
                _percent(grade.score, sheet.points_possible),
                grade.answered,
                grade.right,
                grade.absent,
                *([decimal(grade.points)] if game else []),
            ]
        )
    return _csv(table)


def class_gradebook(sheet: ClassSheet, layout: str = "moodle") -> str:
    """The class's gradebook CSV (UTF-8 with BOM) in ``layout``: percents."""
    _checked(layout)
    titles = unique_titles(sheet.columns, taken=[STUDENT, STUDENT_ID])
    grades = _sorted(sheet.grades)

    def cells(grade: ClassGrade) -> list[str]:
        return ["" if value is None else decimal(value, 1) for value in grade.percents]

    if layout == "canvas":
        rows = [(grade.student, cells(grade)) for grade in grades]
        return _canvas(titles, [CLASS_POINTS] * len(titles), rows)
    table = [[STUDENT, STUDENT_ID, *titles]]
    table += [[grade.student, grade.student_id, *cells(grade)] for grade in grades]
    return _csv(table)
