"""The gradebook CSV: its columns in each layout, the numbers as Moodle and
Canvas read them, pseudonymous ids, and cells no spreadsheet runs as a formula."""

import csv
import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizapp.domain.interop.gradebook import (
    CANVAS_STUDENT_COLUMNS,
    ClassGrade,
    ClassSheet,
    LayoutError,
    SessionGrade,
    SessionSheet,
    class_gradebook,
    decimal,
    pseudonym,
    session_gradebook,
    unique_titles,
)
from quizapp.domain.spreadsheet import FORMULA_STARTS

PSEUDONYM = re.compile(r"^[pm]-[a-z2-7]{10}$")
#: What Moodle's grade import takes as a grade (unformat_float): a plain decimal.
MOODLE_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
HYPERLINK = '=HYPERLINK("http://evil.example","click")'


def rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    assert text.endswith("\r\n")
    return list(csv.reader(io.StringIO(text[1:])))


def grade(student="Ann", score=2.0, answered=3, right=2, absent=0, points=2.0, learner=None):
    return SessionGrade(
        student=student,
        student_id=learner or pseudonym("p", "public-id", hash(student) % 1000),
        score=score,
        answered=answered,
        right=right,
        absent=absent,
        points=points,
    )


def sheet(grades, scoring="plain", possible=3, title="Sora's limits (2024-03-01)"):
    return SessionSheet(title=title, points_possible=possible, scoring=scoring, grades=grades)


# Pseudonymous ids


def test_a_pseudonym_is_stable_short_and_never_a_number():
    first = pseudonym("p", "4f1c2a9b8e7d6c5b4a3f2e1d0c9b8a7f", 17)
    assert first == pseudonym("p", "4f1c2a9b8e7d6c5b4a3f2e1d0c9b8a7f", 17)
    assert PSEUDONYM.match(first)
    others = {
        pseudonym("p", "4f1c2a9b8e7d6c5b4a3f2e1d0c9b8a7f", 18),
        pseudonym("p", "another-session", 17),
        pseudonym("m", "4f1c2a9b8e7d6c5b4a3f2e1d0c9b8a7f", 17),
    }
    assert first not in others and len(others) == 3


def test_pseudonyms_of_a_big_class_do_not_collide():
    ids = {pseudonym("p", "session", number) for number in range(5000)}
    assert len(ids) == 5000


# Numbers and titles


@pytest.mark.parametrize(
    ("value", "places", "text"),
    [(2.5, 2, "2.5"), (3.0, 2, "3"), (-6.0, 2, "-6"), (200 / 3, 1, "66.7"), (-0.0001, 2, "0"),
     (0.0, 1, "0"), (1e-7, 2, "0"), (12345678.0, 2, "12345678")],
)  # fmt: skip
def test_numbers_are_plain_decimals(value, places, text):
    assert decimal(value, places) == text
    assert MOODLE_NUMBER.match(decimal(value, places))


def test_titles_are_made_unique_without_case_and_never_empty():
    assert unique_titles(["Quiz", "quiz", "Quiz", "  "]) == [
        "Quiz",
        "quiz #2",
        "Quiz #3",
        "Quiz #4",
    ]
    assert unique_titles(["Percent"], taken=["Student", "Percent"]) == ["Percent #2"]


def test_an_unknown_layout_is_refused():
    with pytest.raises(LayoutError):
        session_gradebook(sheet([grade()]), "blackboard")
    with pytest.raises(LayoutError):
        class_gradebook(ClassSheet([], []), "xlsx")


# A session, Moodle's layout (spreadsheets too)


def test_a_sessions_moodle_layout_has_its_documented_columns_and_values():
    ann = grade("Ann", score=2.5, answered=3, right=2)
    bo = grade("bo", score=0, answered=1, right=0, absent=2)
    table = rows(session_gradebook(sheet([bo, ann])))
    assert table[0] == [
        "Student", "Student ID", "Sora's limits (2024-03-01)", "Points possible", "Percent",
        "Answered", "Right", "Absent",
    ]  # fmt: skip
    # Sorted by nickname without case: Ann, then bo.
    assert table[1] == ["Ann", ann.student_id, "2.5", "3", "83.3", "3", "2", "0"]
    assert table[2] == ["bo", bo.student_id, "0", "3", "0", "1", "0", "2"]
    assert len(table) == 3


@pytest.mark.parametrize(
    ("scoring", "column", "points", "shown"),
    [("certainty", "Certainty-based points", -6.0, "-6"),
     ("speed", "Points with speed bonus", 2.875, "2.88")],
)  # fmt: skip
def test_the_sessions_own_points_have_a_column_when_its_scoring_is_not_plain(
    scoring, column, points, shown
):
    table = rows(session_gradebook(sheet([grade(points=points)], scoring=scoring)))
    assert table[0][-1] == column and table[1][-1] == shown
    assert "Certainty-based points" not in rows(session_gradebook(sheet([grade()])))[0]


def test_every_grade_cell_is_a_number_moodle_reads_or_empty():
    grades = [grade(f"S{i}", score=i / 3, points=-i / 7) for i in range(5)]
    for possible in (3, 0):
        table = rows(session_gradebook(sheet(grades, scoring="certainty", possible=possible)))
        for row in table[1:]:
            for cell in row[2:]:
                assert cell == "" or MOODLE_NUMBER.match(cell), (row, cell)
        if possible == 0:
            assert {row[4] for row in table[1:]} == {""}  # no percent of nothing


def test_a_formula_nickname_is_written_as_text():
    table = rows(session_gradebook(sheet([grade(HYPERLINK), grade("@SUM(1+1)")])))
    nicknames = {row[0] for row in table[1:]}
    assert nicknames == {"'" + HYPERLINK, "'@SUM(1+1)"}


def test_a_title_that_clashes_with_a_fixed_column_gets_a_number():
    table = rows(session_gradebook(sheet([grade()], title="Percent")))
    assert table[0][2] == "Percent #2" and table[0][4] == "Percent"


# A session, Canvas's layout


def canvas_header_ok(header: list[str]) -> bool:
    """Canvas's importer's own test of a header row (GradebookImporter#header?):
    "Student", "ID", then SIS User ID and SIS Login ID, the last one "Section"."""
    return (
        len(header) > 3
        and "Student" in header[0]
        and "ID" in header[1]
        and re.search(r"SIS\s+User\s+ID", header[2])
        and re.search(r"SIS\s+Login\s+ID", header[3])
        and "Section" in header[4]
    )


def test_the_canvas_layout_has_its_student_columns_and_a_points_possible_row():
    ann = grade("Ann", score=2.5)
    table = rows(session_gradebook(sheet([ann], title="Lesson (3)"), "canvas"))
    assert canvas_header_ok(table[0])
    # "(3)" at the end would be read as Canvas's assignment number 3.
    assert table[0] == [*CANVAS_STUDENT_COLUMNS, "Lesson [3]"]
    assert table[1] == ["Points Possible", "", "", "", "", "3"]
    # No Canvas user id (a pseudonym there could be read as a number).
    assert table[2] == ["Ann", "", "", "", "", "2.5"]
    assert len(table) == 3


def test_a_nickname_canvas_would_take_for_the_points_row_is_changed():
    table = rows(session_gradebook(sheet([grade("Points Possible!")]), "canvas"))
    assert [row[0] for row in table] == ["Student", "Points Possible", "Points possible!"]


# A class


def test_a_class_gradebook_has_a_percent_per_activity_and_empty_cells_for_absence():
    columns = ["Lesson 1 (2024-03-01)", "Homework", "Homework"]
    grades = [
        ClassGrade("Zoe", pseudonym("m", "class", 2), [100.0, None, 50.0]),
        ClassGrade("Ann", pseudonym("m", "class", 1), [200 / 3, 0.0, None]),
    ]
    table = rows(class_gradebook(ClassSheet(columns, grades)))
    assert table[0] == ["Student", "Student ID", "Lesson 1 (2024-03-01)", "Homework", "Homework #2"]
    assert table[1] == ["Ann", grades[1].student_id, "66.7", "0", ""]
    assert table[2] == ["Zoe", grades[0].student_id, "100", "", "50"]
    canvas = rows(class_gradebook(ClassSheet(columns, grades), "canvas"))
    assert canvas_header_ok(canvas[0])
    assert canvas[1] == ["Points Possible", "", "", "", "", "100", "100", "100"]
    assert canvas[2] == ["Ann", "", "", "", "", "66.7", "0", ""]


def test_a_class_without_activities_or_members_is_a_header():
    assert rows(class_gradebook(ClassSheet([], []))) == [["Student", "Student ID"]]
    assert rows(class_gradebook(ClassSheet([], []), "canvas")) == [
        list(CANVAS_STUDENT_COLUMNS),
        ["Points Possible", "", "", "", ""],
    ]


NICKNAMES = st.text(
    alphabet=st.sampled_from("=+-@\t\r\n\",;'Aa1 小明Ｂ“”"), min_size=1, max_size=12
)


@settings(max_examples=50, deadline=None)
@given(st.lists(NICKNAMES, min_size=1, max_size=6), st.sampled_from(["moodle", "canvas"]))
def test_any_nicknames_give_one_row_each_and_no_formula(nicknames, layout):
    grades = [grade(name, learner=pseudonym("p", "s", i)) for i, name in enumerate(nicknames)]
    table = rows(session_gradebook(sheet(grades), layout))
    students = table[1:] if layout == "moodle" else table[2:]
    assert len(students) == len(nicknames)
    for row in table:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or MOODLE_NUMBER.match(cell), cell
