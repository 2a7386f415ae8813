"""Results going out: a session's and a class's gradebook CSV, and a session's
answers as xAPI statements, downloaded through HTTP by the session's teacher
(and by nobody else)."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC

import pytest
from sqlalchemy import select

from quizapp.domain.interop.gradebook import pseudonym
from quizapp.domain.question_types import REGISTRY
from quizapp.extensions import db
from quizapp.models import QuestionVersion
from quizapp.models.content import aware
from tests.answers import right_values, wrong_values
from tests.conftest import QUESTIONS
from tests.domain.interop.test_xapi import check_statement
from tests.web.classroom_client import Browser, Student, Teacher
from tests.web.study_client import Learner
from tests.web.test_classes import Pupil, make_site

PSEUDONYM = re.compile(r"^p-[a-z2-7]{10}$")
FORMULA = '=HYPERLINK("a.cn")'
#: The starter questions a lesson asks, by type: partial credit and a number too.
KINDS = ("single", "multiple", "numeric")


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


#: A session's files for other systems, as the results page links them.
FILES = ("gradebook.csv", "gradebook.csv?layout=canvas", "statements.jsonl", "statements.json")


def statements_of(response) -> list[dict]:
    assert response.status_code == 200
    assert response.mimetype == "application/x-ndjson"
    text = response.get_data(as_text=True)
    return [json.loads(line) for line in text.splitlines()]


def chosen_questions(teacher: Teacher) -> list[str]:
    """Version ids of the first starter question of each of :data:`KINDS`."""
    offered = re.findall(r'name="questions" id="question-(\d+)"', teacher.text("/classroom/new"))
    with teacher.app.app_context():
        kinds = dict(
            db.session.execute(
                select(QuestionVersion.id, QuestionVersion.type).where(
                    QuestionVersion.id.in_([int(i) for i in offered])
                )
            ).all()
        )
    return [next(i for i in offered if kinds[int(i)] == kind) for kind in KINDS]


def partly(content: dict) -> list[str]:
    """One right pick of a multiple-answer question (partial credit); else wrong."""
    if content["type"] == "multiple":
        return [content["answer"][0]]
    return wrong_values(content)


def fraction(content: dict, values: list[str]) -> float:
    kind = REGISTRY[content["type"]]
    return kind.grade(content["answer"], kind.read_response(values, content))


#: Nickname → what they answer at each position: "right", "partly" (one right
#: pick of the multiple-answer question, wrong elsewhere), "wrong",
#: None (nothing); "Late" joins at the second question; "Troll" is taken out
#: after the first.
PLAN = {
    "小明": ["right", "right", "right"],
    "ann": ["partly", "partly", "partly"],
    FORMULA: ["right", None, "wrong"],
    "Late": [None, "right", "right"],
    "Troll": ["right", None, None],
}
ANSWERS = {"right": right_values, "partly": partly, "wrong": wrong_values}


def run_lesson(teacher: Teacher, finish: bool = True, **options) -> tuple[str, dict]:
    """A teacher-paced session of :data:`KINDS` played by :data:`PLAN`, the first
    question voted on twice (Ann right the second time): (public id, expected
    gradebook row values by nickname)."""
    public_id = teacher.create(questions=chosen_questions(teacher), **options)
    code = teacher.code(public_id)
    students = {}
    for name in PLAN:
        if name != "Late":
            students[name] = Student(teacher.app)
            assert students[name].join(code, name).status_code == 302
    teacher.act(public_id, "start")
    expected = {name: {"score": 0.0, "answered": 0, "right": 0, "absent": 0} for name in PLAN}
    for position in range(3):
        content = teacher.content(public_id, position)
        if position == 1:
            students["Late"] = Student(teacher.app)
            assert students["Late"].join(code, "Late").status_code == 302
            expected["Late"]["absent"] = 1
        for name, plan in PLAN.items():
            if plan[position] is None:
                continue
            values = ANSWERS[plan[position]](content)
            assert students[name].answer(values).status_code in (200, 302)
            mark = fraction(content, values)
            expected[name]["score"] += mark
            expected[name]["answered"] += 1
            expected[name]["right"] += mark == 1
        if position == 0:
            teacher.act(public_id, "discuss")
            teacher.act(public_id, "again")
            students["ann"].answer(right_values(content))
        teacher.act(public_id, "close")
        if position == 0:
            troll = next(p for p in teacher.players(public_id) if p.nickname == "Troll")
            assert teacher.remove(public_id, troll.id).status_code == 302
        if position < 2 or finish:
            teacher.act(public_id, "next")
    del expected["Troll"]
    return public_id, expected


@pytest.fixture
def lesson(teacher):
    public_id, expected = run_lesson(teacher)
    assert teacher.session(public_id).phase == "finished"
    return teacher, public_id, expected


def column_title(teacher: Teacher, public_id: str) -> str:
    session = teacher.session(public_id)
    return f"{session.title} ({aware(session.created_at).astimezone(UTC).date().isoformat()})"


# The session's gradebook


def test_the_gradebook_has_a_row_per_student_with_every_documented_column(lesson):
    teacher, public_id, expected = lesson
    response = teacher.get(f"/classroom/{public_id}/gradebook.csv")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="session-{public_id[:8]}-gradebook.csv"'
    )
    assert response.get_data().startswith("\ufeff".encode())
    table = rows_of(response)
    assert table[0] == [
        "Student", "Student ID", column_title(teacher, public_id), "Points possible", "Percent",
        "Answered", "Right", "Absent",
    ]  # fmt: skip
    # Sorted by nickname without case; the removed player is not there; the
    # formula is text.
    assert [row[0] for row in table[1:]] == ["'" + FORMULA, "ann", "Late", "小明"]
    for row in table[1:]:
        name = row[0].removeprefix("'")
        want = expected[name]
        assert PSEUDONYM.match(row[1])
        assert float(row[2]) == pytest.approx(want["score"], abs=0.005)
        assert row[3] == "3"
        assert float(row[4]) == pytest.approx(100 * want["score"] / 3, abs=0.05)
        assert [int(row[5]), int(row[6]), int(row[7])] == [
            want["answered"], want["right"], want["absent"],
        ]  # fmt: skip
    # Partial credit counts its share: ann's multiple-answer pick (her revote
    # does not count in the grade).
    ann = next(row for row in table if row[0] == "ann")
    assert 0 < float(ann[2]) < 1


def test_student_ids_are_stable_pseudonyms_and_new_in_another_session(lesson):
    teacher, public_id, _ = lesson
    first = rows_of(teacher.get(f"/classroom/{public_id}/gradebook.csv"))
    again = rows_of(teacher.get(f"/classroom/{public_id}/gradebook.csv"))
    assert first == again
    ids = {row[0]: row[1] for row in first[1:]}
    players = {p.nickname: p.id for p in teacher.players(public_id)}
    for name, learner in ids.items():
        player_id = players[name.removeprefix("'")]
        # Derived from the session's secret public id: no database id shows.
        assert learner == pseudonym("p", public_id, player_id)
        assert str(player_id) not in learner.split("-")
    other, _ = run_lesson(teacher)
    others = {
        row[0]: row[1] for row in rows_of(teacher.get(f"/classroom/{other}/gradebook.csv"))[1:]
    }
    assert set(others) == set(ids)
    assert not set(others.values()) & set(ids.values())


def test_the_canvas_layout_has_canvas_columns_and_a_points_possible_row(lesson):
    teacher, public_id, expected = lesson
    response = teacher.get(f"/classroom/{public_id}/gradebook.csv?layout=canvas")
    assert "gradebook-canvas.csv" in response.headers["Content-Disposition"]
    table = rows_of(response)
    assert table[0] == [
        "Student", "ID", "SIS User ID", "SIS Login ID", "Section", column_title(teacher, public_id)
    ]  # fmt: skip
    assert table[1] == ["Points Possible", "", "", "", "", "3"]
    assert [row[0] for row in table[2:]] == ["'" + FORMULA, "ann", "Late", "小明"]
    for row in table[2:]:
        assert row[1:5] == ["", "", "", ""]
        assert float(row[5]) == pytest.approx(
            expected[row[0].removeprefix("'")]["score"], abs=0.005
        )
    assert teacher.get(f"/classroom/{public_id}/gradebook.csv?layout=xlsx").status_code == 404


def test_certainty_based_marking_adds_the_sessions_points(teacher):
    public_id = teacher.create(questions=chosen_questions(teacher)[:1], scoring="certainty")
    ann = Student(teacher.app)
    ann.join(teacher.code(public_id), "Ann")
    teacher.act(public_id, "start")
    ann.answer(wrong_values(teacher.content(public_id, 0)), confidence="3")
    teacher.act(public_id, "finish")
    table = rows_of(teacher.get(f"/classroom/{public_id}/gradebook.csv"))
    assert table[0][-1] == "Certainty-based points"
    assert table[1][2] == "0" and table[1][-1] == "-6"


# The session's statements


def test_every_answer_is_one_valid_statement_with_the_same_ids_each_time(lesson):
    teacher, public_id, expected = lesson
    response = teacher.get(f"/classroom/{public_id}/statements.jsonl")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="session-{public_id[:8]}-statements.jsonl"'
    )
    statements = statements_of(response)
    # Every answer of the players still in, the revote included.
    answers = sum(e["answered"] for e in expected.values()) + 1
    assert len(statements) == answers
    assert len({s["id"] for s in statements}) == answers
    assert statements_of(teacher.get(f"/classroom/{public_id}/statements.jsonl")) == statements
    ids = {row[0].removeprefix("'"): row[1] for row in
           rows_of(teacher.get(f"/classroom/{public_id}/gradebook.csv"))[1:]}  # fmt: skip
    registrations = set()
    for statement in statements:
        check_statement(statement)
        actor = statement["actor"]
        assert actor["account"] == {"homePage": "http://localhost", "name": ids[actor["name"]]}
        definition = statement["object"]["definition"]
        assert "correctResponsesPattern" in definition  # the session is over
        assert statement["context"]["contextActivities"]["parent"][0]["id"] == (
            f"http://localhost/classroom/{public_id}"
        )
        registrations.add(statement["context"]["registration"])
    assert len(registrations) == 1
    assert "Troll" not in {s["actor"]["name"] for s in statements}
    rounds = [s for s in statements if s["context"]["extensions"][
        "http://localhost/xapi/extensions/round"] == 2]  # fmt: skip
    assert [(s["actor"]["name"], s["result"]["success"]) for s in rounds] == [("ann", True)]
    kinds = {s["object"]["definition"]["interactionType"] for s in statements}
    assert kinds == {"choice", "numeric"}


def test_the_statements_also_come_as_one_json_array_for_an_lrss_upload(lesson):
    teacher, public_id, _ = lesson
    response = teacher.get(f"/classroom/{public_id}/statements.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="session-{public_id[:8]}-statements.json"'
    )
    lines = statements_of(teacher.get(f"/classroom/{public_id}/statements.jsonl"))
    assert json.loads(response.get_data(as_text=True)) == lines != []


def test_statements_name_the_public_address_when_one_is_set(lesson):
    teacher, public_id, _ = lesson
    teacher.app.config["QUIZ_PUBLIC_URL"] = "https://quiz.school.example"
    statements = statements_of(teacher.get(f"/classroom/{public_id}/statements.jsonl"))
    assert {s["actor"]["account"]["homePage"] for s in statements} == {
        "https://quiz.school.example"
    }
    assert all(s["object"]["id"].startswith("https://quiz.school.example/questions/")
               for s in statements)  # fmt: skip


def test_a_question_still_open_goes_out_without_its_answer_key(teacher):
    public_id = teacher.create(questions=chosen_questions(teacher))
    ann = Student(teacher.app)
    ann.join(teacher.code(public_id), "Ann")
    teacher.act(public_id, "start")
    ann.answer(right_values(teacher.content(public_id, 0)))
    (open_,) = statements_of(teacher.get(f"/classroom/{public_id}/statements.jsonl"))
    check_statement(open_)
    assert "correctResponsesPattern" not in open_["object"]["definition"]
    assert "choices" not in open_["object"]["definition"]
    teacher.act(public_id, "close")
    (closed,) = statements_of(teacher.get(f"/classroom/{public_id}/statements.jsonl"))
    assert closed["id"] == open_["id"]
    assert closed["object"]["definition"]["correctResponsesPattern"]


def test_a_session_in_its_lobby_has_no_statements_and_a_gradebook_of_names(teacher):
    public_id = teacher.create(questions=chosen_questions(teacher))
    Student(teacher.app).join(teacher.code(public_id), "Ann")
    assert statements_of(teacher.get(f"/classroom/{public_id}/statements.jsonl")) == []
    table = rows_of(teacher.get(f"/classroom/{public_id}/gradebook.csv"))
    assert table[1][0] == "Ann" and table[1][2:5] == ["0", "0", ""]


# Who may download them


def test_only_the_sessions_teacher_gets_the_files(lesson):
    teacher, public_id, _ = lesson
    other = Teacher.quick(teacher.app, "mr-wang")
    visitor = Browser(teacher.app)
    for path in FILES:
        assert other.get(f"/classroom/{public_id}/{path}").status_code == 404
        response = visitor.get(f"/classroom/{public_id}/{path}")
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_the_results_page_links_the_files(lesson):
    teacher, public_id, _ = lesson
    page = teacher.text(f"/classroom/{public_id}/results")
    for path in FILES:
        assert f'href="/classroom/{public_id}/{path}" download' in page


# A class


@pytest.fixture
def site(app, runner):
    result = runner.invoke(args=["quiz", "import", str(QUESTIONS / "starter.yaml")])
    assert result.exit_code == 0, result.output
    return make_site(app)


def test_a_class_gradebook_has_a_column_per_finished_session_and_assignment(app, site):
    token = site.token
    bo = Pupil(app)
    bo.joined(token, "Bo")
    cy = Pupil(app)
    cy.joined(token, "=1+Cy")
    # A finished session: Ann right twice, Bo right once, Cy not there.
    public_id = site.owner.create_for(site.class_id, questions=chosen_questions(site.owner)[:2])
    code = site.owner.code(public_id)
    site.ann.join_as_member(code)
    bo.join_as_member(code)
    site.owner.act(public_id, "start")
    for position in range(2):
        content = site.owner.content(public_id, position)
        site.ann.answer(right_values(content))
        bo.answer((right_values if position == 0 else wrong_values)(content))
        site.owner.act(public_id, "close")
        site.owner.act(public_id, "next")
    # A session still running is left out.
    site.owner.create_for(site.class_id, questions=chosen_questions(site.owner)[:1])
    # Self-study: Ann finishes it (one right of two), Bo starts it only.
    assignment = site.owner.assign(site.class_id, length="2")
    learner = Learner(app)
    learner.client = site.ann.client
    attempt = site.ann.start(token, assignment).headers["Location"].rsplit("/", 1)[1]
    learner.answer(attempt, 1, right_values(learner.content(attempt, 1)))
    learner.answer(attempt, 2, wrong_values(learner.content(attempt, 2)))
    bo.start(token, assignment)

    response = site.owner.get(f"/classes/{site.class_id}/gradebook.csv")
    assert (
        f'filename="class-{site.class_id[:8]}-gradebook.csv"'
        in (response.headers["Content-Disposition"])
    )
    table = rows_of(response)
    assert table[0] == ["Student", "Student ID", column_title(site.owner, public_id), "Homework"]
    assert table[1:] == [
        ["'=1+Cy", pseudonym("m", site.class_id, site.owner.member_id("=1+Cy")), "", ""],
        ["Ann", pseudonym("m", site.class_id, site.owner.member_id("Ann")), "100", "50"],
        ["Bo", pseudonym("m", site.class_id, site.owner.member_id("Bo")), "50", ""],
    ]
    # A member has the same id in the session's own gradebook and statements.
    session_rows = rows_of(site.owner.get(f"/classroom/{public_id}/gradebook.csv"))
    assert {row[0]: row[1] for row in session_rows[1:]} == {
        row[0]: row[1] for row in table[1:] if row[0] in ("Ann", "Bo")
    }
    statements = statements_of(site.owner.get(f"/classroom/{public_id}/statements.jsonl"))
    assert {s["actor"]["account"]["name"] for s in statements} == {table[2][1], table[3][1]}

    canvas = rows_of(site.owner.get(f"/classes/{site.class_id}/gradebook.csv?layout=canvas"))
    assert canvas[0][:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    assert canvas[1] == ["Points Possible", "", "", "", "", "100", "100"]
    assert canvas[3] == ["Ann", "", "", "", "", "100", "50"]


def test_only_the_classs_teacher_gets_its_gradebook_and_the_class_page_links_it(app, site):
    path = f"/classes/{site.class_id}/gradebook.csv"
    assert site.other.get(path).status_code == 404
    response = Browser(app).get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert site.owner.get(path + "?layout=nope").status_code == 404
    page = site.owner.text(f"/classes/{site.class_id}")
    assert f'href="{path}" download' in page
    assert f'href="{path}?layout=canvas" download' in page
