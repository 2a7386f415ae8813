"""The two requests a lesson sends most: a student's poll and a student's answer.

The poll is answered by :class:`quizapp.play.polls.PollShortcut` in front of
Flask; these tests hold it to exactly what the Flask route ``play.state``
answers, and count the statements each request sends to the database, so
that a change adding a query to either shows up here before it shows up in
the benchmark.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from sqlalchemy import event
from werkzeug.test import Client

from quizapp.extensions import db
from quizapp.models.content import utcnow
from quizapp.services.direct import DirectRead
from tests.answers import right_values
from tests.web.test_play import make_session, make_student

COMPARED_HEADERS = [
    "ETag",
    "Cache-Control",
    "Content-Type",
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
]


@pytest.fixture
def lesson(teacher):
    """(teacher, session id, a student on open question 1)."""
    public_id, code = make_session(teacher)
    ann = make_student(teacher, code, "Ann")
    teacher.act(public_id, "start")
    return teacher, public_id, ann


def both_ways(app, path: str, headers: dict) -> tuple:
    """The response of the shortcut and of the Flask route behind it."""
    shortcut = app.wsgi_app
    assert type(shortcut).__name__ == "PollShortcut"
    fast = Client(shortcut).get(path, headers=headers)
    slow = Client(shortcut.wsgi_app).get(path, headers=headers)
    return fast, slow


def assert_same(fast, slow):
    assert fast.status_code == slow.status_code
    assert fast.get_data() == slow.get_data()
    for name in COMPARED_HEADERS:
        assert fast.headers.get(name) == slow.headers.get(name), name
    assert "Accept-Encoding" in fast.headers.get("Vary", "")


def test_a_poll_with_the_current_version_gets_the_same_304_both_ways(lesson):
    teacher, public_id, ann = lesson
    version = ann.state().get_json()["version"]
    fast, slow = both_ways(
        teacher.app, f"/play/s/{public_id}/state", {"If-None-Match": f'"{version}"'}
    )
    assert fast.status_code == 304
    assert_same(fast, slow)


@pytest.mark.parametrize("sent", [None, '"0"', "*", 'W/"x", "y"'])
def test_a_poll_with_another_version_gets_the_same_json_both_ways(lesson, sent):
    teacher, public_id, _ann = lesson
    headers = {"If-None-Match": sent} if sent else {}
    fast, slow = both_ways(teacher.app, f"/play/s/{public_id}/state", headers)
    assert fast.status_code == (304 if sent == "*" else 200)
    assert_same(fast, slow)


def test_a_poll_of_an_unknown_session_is_left_to_flask(lesson):
    teacher, _public_id, _ann = lesson
    fast, slow = both_ways(teacher.app, f"/play/s/{'0' * 32}/state", {})
    assert fast.status_code == slow.status_code == 404
    # The same page, but for the fresh CSRF token of its language switch.
    token = re.compile(rb'name="csrf_token" type="hidden" value="[^"]*"')
    assert token.sub(b"", fast.get_data()) == token.sub(b"", slow.get_data())


def test_a_poll_that_finds_the_time_limit_run_out_closes_the_question(teacher):
    public_id, code = make_session(teacher, time_limit="20")
    ann = make_student(teacher, code, "Ann")
    teacher.act(public_id, "start")
    before = ann.state().get_json()["version"]
    teacher.set_closes_at(public_id, utcnow())
    after = ann.state(before)
    assert after.status_code == 200 and after.get_json()["version"] != before
    assert teacher.session(public_id).phase == "closed"


@contextmanager
def statements(app, whole: bool = False):
    """The SQL statements sent while the block runs: their first words (or ``whole``).

    Those SQLAlchemy executes, and the reads sent to the driver directly
    (:class:`~quizapp.services.direct.DirectRead`, one statement each: see
    ``tests/services/test_direct.py``), in the order sent.
    """
    sent: list[str] = []
    with app.app_context():
        engines = list(db.engines.values())  # the main pool and the autocommit one

    def record(statement: str) -> None:
        sent.append(statement if whole else statement.split()[0].upper())

    def executed(_conn, _cursor, statement, *_args):
        record(statement)

    direct_first = DirectRead.first

    def first(read, engine, **params):
        if engine in engines:
            record(read.statement.compile(engine).string)
        return direct_first(read, engine, **params)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", executed)
    DirectRead.first = first
    try:
        yield sent
    finally:
        DirectRead.first = direct_first
        for engine in engines:
            event.remove(engine, "before_cursor_execute", executed)


def test_a_poll_reads_one_row(lesson):
    teacher, _public_id, ann = lesson
    version = ann.state().get_json()["version"]
    with statements(teacher.app) as sent:
        assert ann.state(version).status_code == 304
    assert sent == ["SELECT"]


def test_an_answer_costs_two_statements_once_the_question_was_read(lesson):
    teacher, public_id, ann = lesson
    content = teacher.content(public_id, 0)
    form = ann.form()  # the worker has read the question: its content is kept
    with statements(teacher.app) as sent:
        response = ann.answer(right_values(content), form=form)
    assert response.status_code == 302
    # The session with the player and their progress; the INSERT … SELECT
    # that checks the question is open as it writes. (COMMIT is not a statement.)
    assert sent == ["SELECT", "INSERT"]


def test_an_answer_is_written_without_a_transaction_around_it(lesson):
    """Both statements go to the autocommit pool: on PostgreSQL a BEGIN and a
    COMMIT would be two more round trips per answer."""
    teacher, public_id, ann = lesson
    content = teacher.content(public_id, 0)
    form = ann.form()
    with teacher.app.app_context():
        main = db.engine
    begun = []

    def record(_conn):
        begun.append(1)

    event.listen(main, "begin", record)
    try:
        response = ann.answer(right_values(content), form=form)
    finally:
        event.remove(main, "begin", record)
    assert response.status_code == 302 and begun == []
    assert len(teacher.answers(public_id)) == 1


def test_a_students_new_screen_and_an_answer_sent_by_script_read_the_screen_once(lesson):
    """A class's phones all ask for their new screen at once: one read each."""
    teacher, public_id, ann = lesson
    content = teacher.content(public_id, 0)
    form = ann.form()  # the worker has read the question: its content is kept
    with statements(teacher.app) as sent:
        assert ann.get(f"/play/s/{public_id}?part=live").status_code == 200
    assert sent == ["SELECT"]  # session, player, item and answers in one
    with statements(teacher.app) as sent:
        response = ann.answer(right_values(content), form=form, part=True)
    assert response.status_code == 200 and "Your answer is recorded." in response.text
    # The seat; the INSERT … SELECT; the new screen, read once after the commit.
    assert sent == ["SELECT", "INSERT", "SELECT"]
    teacher.act(public_id, "close")
    with statements(teacher.app, whole=True) as sent:
        closed = ann.get(f"/play/s/{public_id}?part=live").get_data(as_text=True)
    assert "Read it in the article" in closed
    # The screen; the quotes, without the whole text of their articles.
    assert [statement.split()[0] for statement in sent] == ["SELECT", "SELECT"]
    assert "source.text" not in sent[1] and "source_1.text" not in sent[1]


def live_region(page: str) -> str:
    """The live region: to the page's chrome (the connection banner) in a
    whole page, to the end in a live part, which leaves the chrome out."""
    start = page.index("data-live-state")
    end = page.find('<div id="connection-banner"', start)
    region = page[start : end if end >= 0 else len(page)]
    return " ".join(region.split())


def test_a_students_refresh_gets_the_live_region_without_the_page_around_it(lesson):
    _teacher, public_id, ann = lesson
    whole = ann.get(f"/play/s/{public_id}").get_data(as_text=True)
    part = ann.get(f"/play/s/{public_id}?part=live").get_data(as_text=True)
    assert "<header" in whole and "<header" not in part
    assert 'class="language-switch"' not in part
    assert re.search(r"<title>Question 1\b", part)
    # The same question, form and version (only the CSRF token is fresh).
    token = re.compile(r'name="csrf_token" type="hidden" value="[^"]*"')
    assert token.sub("", live_region(part)) == token.sub("", live_region(whole))
    assert 'id="connection-banner"' in whole and 'id="connection-banner"' not in part


def test_the_projectors_refresh_gets_its_live_region_alone(lesson):
    teacher, public_id, _ann = lesson
    whole = teacher.text(f"/classroom/{public_id}")
    part = teacher.text(f"/classroom/{public_id}?part=live")
    assert "<header" in whole and "<header" not in part
    assert 'data-live-state="/classroom/' in part and "answer-count" in part


def test_a_finished_sessions_results_are_read_once_for_the_class_until_it_changes(teacher):
    """Every phone asks for the results when the lesson ends: the first
    phone's page reads the class's answers, the next only its own screen;
    a player removed afterwards moves the revision and the results."""
    public_id, code = make_session(teacher)
    ann, bob = (make_student(teacher, code, name) for name in ("Ann", "Bob"))
    teacher.act(public_id, "start")
    ann.answer(right_values(teacher.content(public_id, 0)))
    teacher.act(public_id, "finish")
    live = f"/play/s/{public_id}?part=live"
    with statements(teacher.app) as first:
        assert "Ann" in leaderboard(ann.get(live).text)
    with statements(teacher.app) as second:
        board = leaderboard(bob.get(live).text)
    assert len(first) > len(second) and second == ["SELECT"]  # Bob's screen, no more
    assert board.index("Ann") < board.index("Bob")  # Ann has a point, Bob none
    [ann_player] = [p for p in teacher.players(public_id) if p.nickname == "Ann"]
    assert teacher.remove(public_id, ann_player.id).status_code == 302
    assert "Ann" not in leaderboard(bob.get(live).text)


def leaderboard(page: str) -> str:
    return page[
        page.index('<ol class="leaderboard"') : page.index("</ol>", page.index("leaderboard"))
    ]
