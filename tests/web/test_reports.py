"""The evidence-of-learning pages and their CSV files: who may see them, what
the files hold, and the figures learners see of themselves."""

from __future__ import annotations

import csv
import io
import random

import pytest
from sqlalchemy import select

from quizapp.domain.nicknames import DenyList
from quizapp.extensions import db
from quizapp.models import ClassSession, Question
from quizapp.services import classroom as sessions
from quizapp.services import players as play
from quizapp.services.attempts import start_attempt, submit_answer
from tests.answers import right_values, wrong_values
from tests.conftest import shipped_bank_size
from tests.web.classroom_client import Browser, Teacher
from tests.web.study_client import Learner
from tests.web.test_teaching import attempt_over

DENY = DenyList.of([])
#: Nickname → whether they get each of the three questions right.
CLASS = {
    "Ann": [True, True, True],
    "Bo": [True, True, False],
    "=SUM(A1:A9)": [True, False, False],
    "Di": [False, False, True],
}


@pytest.fixture
def session_id(imported):
    """A finished student-paced session of three questions with four players."""
    teacher = Teacher.quick(imported, "ms-li")
    public_id = teacher.create(pacing="student")
    with imported.app_context():
        session = db.session.scalar(select(ClassSession).where(ClassSession.public_id == public_id))
        players = {name: play.join(session, name, DENY) for name in CLASS}
        sessions.start(session, session.revision)
        for name, marks in CLASS.items():
            for position, right in enumerate(marks):
                content = play.item_at(session, position).question_version.content
                values = right_values(content) if right else wrong_values(content)
                play.submit(session, players[name], position, 1, values, 2)
        sessions.finish(session, session.revision)
    return public_id


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_a_sessions_analysis_is_shown_to_its_teacher_only(imported, session_id):
    teacher = Teacher(imported, "ms-li", create=False)
    page = teacher.text(f"/classroom/{session_id}/analysis")
    assert "Item analysis" in page and "Internal consistency" in page
    assert "Telling supported claims from unsupported ones" in page
    assert "=SUM(A1:A9)" in page  # a nickname, shown as text
    other = Teacher.quick(imported, "mr-wu")
    for path in ("analysis", "analysis/items.csv", "analysis/learners.csv"):
        assert other.get(f"/classroom/{session_id}/{path}").status_code == 404
        anonymous = Browser(imported).get(f"/classroom/{session_id}/{path}")
        assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_the_item_csv_holds_each_questions_facility_from_the_answers(imported, session_id):
    teacher = Teacher(imported, "ms-li", create=False)
    rows = rows_of(teacher.get(f"/classroom/{session_id}/analysis/items.csv"))
    assert rows[0][:6] == ["question", "version", "type", "prompt", "answers", "facility"]
    facility = [float(row[5]) for row in rows[1:]]
    expected = [sum(marks[i] for marks in CLASS.values()) / len(CLASS) for i in range(3)]
    # The questions nobody answered in the finished session count 0 for everyone.
    unanswered = shipped_bank_size("starter") - 3
    assert facility == pytest.approx(expected + [0.0] * unanswered)
    assert {row[4] for row in rows[1:]} == {"4"}


def test_the_learners_csv_neutralises_a_nickname_that_reads_as_a_formula(imported, session_id):
    teacher = Teacher(imported, "ms-li", create=False)
    rows = rows_of(teacher.get(f"/classroom/{session_id}/analysis/learners.csv"))
    names = [row[0] for row in rows[1:]]
    assert "'=SUM(A1:A9)" in names and "=SUM(A1:A9)" not in names
    means = {row[0]: float(row[2]) for row in rows[1:]}
    # Of the questions each answered (the CSV rounds to four places).
    assert means["Ann"] == 1.0 and means["Bo"] == pytest.approx(2 / 3, abs=1e-4)


def test_an_unknown_csv_is_404_not_an_error(imported, session_id):
    teacher = Teacher(imported, "ms-li", create=False)
    assert teacher.get(f"/classroom/{session_id}/analysis/secrets.csv").status_code == 404


def test_counting_every_answer_is_a_choice_of_the_page(imported, session_id):
    teacher = Teacher(imported, "ms-li", create=False)
    page = teacher.text(f"/classroom/{session_id}/analysis?answers=all")
    assert "Every answer counts, not only first answers." in page
    assert "answers=all" in page  # the CSV links keep the choice


def learners_answer_everything_right(app, count: int) -> None:
    with app.app_context():
        for index in range(count):
            attempt = start_attempt(f"learner-{index}", ["starter"], rng=random.Random(index))
            for position, item in enumerate(attempt.items):
                submit_answer(attempt, position, right_values(item.question_version.content), 3)


def test_a_banks_analysis_counts_its_self_study_and_flags_an_item_everyone_gets(imported):
    learners_answer_everything_right(imported, 10)
    teacher = Teacher.quick(imported, "ms-li")
    page = teacher.text("/admin/banks/starter/analysis")
    assert "How the questions work in self-study" in page
    rows = rows_of(teacher.get("/admin/banks/starter/analysis/items.csv"))
    assert {row[4] for row in rows[1:]} == {"10"}
    assert {row[10] for row in rows[1:]} == {"too_easy"}
    with imported.app_context():
        question_id = db.session.scalar(select(Question.id).where(Question.key == rows[1][0]))
    shown = teacher.text(f"/admin/questions/{question_id}")
    assert "How learners did with version 1" in shown and "too easy" in shown
    anonymous = Browser(imported).get("/admin/banks/starter/analysis")
    assert anonymous.status_code == 302


def test_a_question_below_the_flagging_threshold_is_not_flagged(imported):
    learners_answer_everything_right(imported, 9)
    teacher = Teacher.quick(imported, "ms-li")
    rows = rows_of(teacher.get("/admin/banks/starter/analysis/items.csv"))
    assert {row[10] for row in rows[1:]} == {""}


def test_a_learner_sees_their_calibration_and_discernment_on_results_and_progress(imported):
    learner = Learner(imported)
    attempt = attempt_over(imported, learner, "check-form-a")
    for number in range(1, shipped_bank_size("check-form-a") + 1):
        response = learner.answer(attempt, number, ["not_supported"], confidence="3")
        assert response.status_code in (200, 302), response.status_code
    results = learner.text(f"/study/{attempt}/results")
    assert "How well your confidence matched your answers" in results
    assert "You lean to “not supported”" in results
    assert "Your confidence and your discernment" in learner.text("/study/progress")
