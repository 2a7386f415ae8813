"""Caching, HSTS, and the answer when the database is away or full (issue 20)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from quizapp.errors import UNAVAILABLE_RETRY_S
from quizapp.extensions import db
from quizapp.models import Answer
from tests.answers import right_values
from tests.web.classroom_client import Student
from tests.web.study_client import EN, Learner


def test_staff_pages_and_downloads_are_stored_nowhere(app, teacher):
    public_id = teacher.create()
    for path in (
        "/classroom/",
        f"/classroom/{public_id}",
        f"/classroom/{public_id}/students.csv",
        f"/classroom/{public_id}/questions.csv",
        "/auth/login",
        "/",  # any page, seen by someone logged in
    ):
        response = teacher.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path


def test_admin_downloads_with_answer_keys_are_stored_nowhere(app, imported):
    from tests.web.classroom_client import Teacher

    admin = Teacher.quick(app, name="root", role="admin")
    response = admin.get("/admin/banks/starter.yaml")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_a_learners_attempt_pages_are_stored_nowhere(app, imported):
    """Back after submitting a test must not show its questions still open."""
    from tests.web.study_client import Learner

    learner = Learner(app)
    public_id = learner.start(length="1", mode="test")
    for path in (f"/study/{public_id}/1", f"/study/{public_id}/check"):
        assert learner.get(path).headers["Cache-Control"] == "no-store", path


def test_public_pages_are_not_marked_no_store(app, imported, client):
    assert "no-store" not in client.get("/", headers=EN).headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/study/start", headers=EN).headers.get("Cache-Control", "")


def test_the_projectors_poll_keeps_its_etag_caching(app, teacher):
    public_id = teacher.create()
    response = teacher.host_state(public_id)
    assert response.headers["Cache-Control"] != "no-store"
    assert teacher.host_state(public_id, response.headers["ETag"].strip('"')).status_code == 304


def test_hsts_only_with_secure_cookies(app_factory, tmp_path, app):
    from tests.conftest import database_url

    assert "Strict-Transport-Security" not in app.test_client().get("/auth/login").headers
    secure = app_factory(database_url(tmp_path), SESSION_COOKIE_SECURE=True)
    response = secure.test_client().get("/auth/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_database_that_cannot_be_reached_gets_503_with_retry_after(app_factory):
    # Nothing listens on port 1: every connection is refused at once.
    away = app_factory("postgresql+psycopg://quiz@127.0.0.1:1/quiz")
    for accept in ("text/html", "application/json"):
        response = away.test_client().get("/", headers={**EN, "Accept": accept})
        assert response.status_code == 503
        assert response.headers["Retry-After"] == str(UNAVAILABLE_RETRY_S)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "try again" in response.get_data(as_text=True)


@pytest.fixture
def full_disk(app):
    """Make every INSERT fail as a full disk does, until the test lets go."""
    with app.app_context():
        engines = list(db.engines.values())
    state = {"full": True}

    def refuse(connection, cursor, statement, *args):
        if state["full"] and statement.lstrip().upper().startswith("INSERT"):
            raise connection.dialect.loaded_dbapi.OperationalError("database or disk is full")

    for engine in engines:
        event.listen(engine, "before_cursor_execute", refuse)
    yield state
    for engine in engines:
        event.remove(engine, "before_cursor_execute", refuse)


def test_a_full_disk_answers_503_and_half_saves_nothing(app, imported, full_disk):
    learner = Learner(app)
    full_disk["full"] = False
    public_id = learner.start(length="2")
    content = learner.content(public_id, 1)
    form = learner.form_for(public_id, 1)
    full_disk["full"] = True
    response = learner.answer(public_id, 1, right_values(content), form=form)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(UNAVAILABLE_RETRY_S)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    # Sent again once the disk has room, the same form is recorded once.
    full_disk["full"] = False
    response = learner.answer(public_id, 1, right_values(content), form=form)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Answer)) == 1


def test_a_students_answer_on_a_full_disk_gets_503(app, teacher, full_disk):
    full_disk["full"] = False
    public_id = teacher.create()
    student = Student(app)
    student.join(teacher.code(public_id), "Eve")
    teacher.act(public_id, "start")
    form = student.form()
    full_disk["full"] = True
    response = student.answer(right_values(teacher.content(public_id, 0)), form=form, part=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(UNAVAILABLE_RETRY_S)
    assert teacher.answers(public_id) == []


@pytest.mark.parametrize(
    ("path", "method", "status", "title"),
    [
        ("/nowhere", "get", 404, "找不到"),
        ("/language", "get", 405, "不允许"),
    ],
)
def test_error_pages_speak_the_pages_language(client, path, method, status, title):
    response = getattr(client, method)(path, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == status
    assert title in response.get_data(as_text=True)
