"""A whole live lesson against the app served by gunicorn with three workers.

Nothing of a live session may live in a worker's memory: the teacher's
click lands on one worker, the students' polls and answers on the others,
and they must all agree. The module starts a real gunicorn (3 sync
workers) on a database set up with the real ``flask`` commands, plays one
teacher-paced lesson with twelve students over HTTP, and then checks, one
behaviour per test, what the students saw and what the database holds.

Which worker answered which request comes from gunicorn's access log: each
request carries a unique tag header and the log writes it next to the
worker's pid (``%(p)s``), so nothing is added to the app for the test.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import secrets
import sys
import threading
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from quizapp.models import ClassSession, Player, PlayerAnswer, SessionItem
from tests.answers import right_values, wrong_values
from tests.bench.servers import empty_database, flask_command, free_port, spawn, stop
from tests.conftest import TEST_DATABASE_URL
from tests.server.http_client import TAG_HEADER, Browser, Reply, fields
from tests.web.classroom_client import SESSION_OPTIONS

WORKERS = 3
TEACHER = "teacher1"
PASSWORD = "correct horse battery staple"
START_TIMEOUT_S = 30
ACCESS_FORMAT = f'%(p)s %({{{TAG_HEADER.lower()}}}i)s %(s)s "%(r)s"'

NICKNAMES = [f"Student {number:02d}" for number in range(1, 11)] + ["李雷", "韩梅梅"]
#: The student who opens question 1, then sends the answer after it closed.
LATE = 11
#: The student whose phone drops with question 1 on screen.
DROPPED = 3
#: Who sends the same answer twice at the same moment (double tap, two tabs).
DOUBLE_Q1 = {1, 4, 7, 10}
DOUBLE_Q2 = {1, 8}
#: Who sits out the second vote on question 1, and question 2.
SKIP_AGAIN = {0, 5}
SKIP_Q2 = {2, 6, 9}
RECORDED = "Your answer is recorded."
REPEAT = "You had already answered this question; your first answer stands."
TOO_LATE = "Too late: the question had closed before your answer arrived. It was not recorded."


def right_on_q1(index: int) -> bool:
    return index % 3 != 0


def right_on_q2(index: int) -> bool:
    return index % 2 == 0


# --- the server -------------------------------------------------------------


@dataclass
class Server:
    """A running gunicorn: its address, its database and its logs."""

    base: str
    database_url: str
    access_log: Path
    error_log: Path
    booted: set[int]

    def workers_of(self, tags: list[str]) -> dict[str, int]:
        """The pid of the worker that answered each tagged request (from the access log)."""
        deadline = time.monotonic() + 10
        while True:
            # A worker writes the line just after sending the response.
            served = {}
            for line in self.access_log.read_text(encoding="utf-8").splitlines():
                match = re.match(r"<(\d+)> (\S+) ", line)
                if match:
                    served[match.group(2)] = int(match.group(1))
            missing = [tag for tag in tags if tag not in served]
            if not missing or time.monotonic() > deadline:
                assert not missing, f"{len(missing)} requests not in the access log"
                return {tag: served[tag] for tag in tags}
            time.sleep(0.1)


def wait_until_serving(process, base: str, error_log: Path) -> set[int]:
    """Wait for every worker to boot and the port to answer; the workers' pids."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        log = error_log.read_text(encoding="utf-8", errors="replace")
        booted = {int(pid) for pid in re.findall(r"Booting worker with pid: (\d+)", log)}
        if len(booted) >= WORKERS:
            with (
                contextlib.suppress(OSError),
                urllib.request.urlopen(base + "/play/", timeout=2) as response,
            ):
                if response.status == 200:
                    return booted
        time.sleep(0.1)
    log = error_log.read_text(encoding="utf-8", errors="replace")
    pytest.fail(f"gunicorn did not start serving (exit status {process.poll()}):\n{log}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn with three workers on a fresh, migrated and imported database."""
    folder = tmp_path_factory.mktemp("gunicorn")
    url = TEST_DATABASE_URL or f"sqlite:///{folder / 'quizapp.sqlite3'}"
    if TEST_DATABASE_URL:
        empty_database(url)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        # Every worker signs cookies with this key, so any worker reads any cookie.
        "SECRET_KEY": secrets.token_hex(32),
        "QUIZ_USER_PASSWORD": PASSWORD,
    }
    flask_command(env, "db", "upgrade")
    flask_command(env, "quiz", "import")
    flask_command(env, "users", "create", TEACHER, "--role", "teacher")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    access_log, error_log = folder / "access.log", folder / "error.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        str(access_log),
        "--access-logformat",
        ACCESS_FORMAT,
        "--error-logfile",
        str(error_log),
        "--no-control-socket",
        "--graceful-timeout",
        "5",
        "quizapp:create_app()",
    ]
    process = spawn(command, env)
    try:
        error_log.touch()
        booted = wait_until_serving(process, base, error_log)
        yield Server(base, url, access_log, error_log, booted)
    finally:
        stop(process)
        if TEST_DATABASE_URL:
            empty_database(url)


@pytest.fixture(scope="module")
def database(server):
    """An engine on the server's database, for the tests' own reads."""
    engine = create_engine(server.database_url)
    yield engine
    engine.dispose()


# --- the lesson -------------------------------------------------------------


@dataclass
class Student:
    """One phone: its browser and the state version it last saw."""

    index: int
    nickname: str
    browser: Browser
    live: str
    etag: str = ""


@dataclass
class Poll:
    """One student's poll of the state URL."""

    student: int
    reply: Reply

    @property
    def version(self) -> str | None:
        return json.loads(self.reply.text)["version"] if self.reply.status == 200 else None


@dataclass
class Step:
    """A teacher action and what the students' polls saw after it."""

    action: str
    control: Reply
    changed: list[Poll] = field(default_factory=list)
    unchanged: list[Poll] = field(default_factory=list)


@dataclass
class Lesson:
    """Everything the lesson recorded, for the tests to check."""

    public_id: str
    joined: list[Poll] = field(default_factory=list)
    quiet: list[Poll] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    #: Per vote ("q1", "q1-again", "q2"): student → the messages their answer got.
    told: dict[str, dict[int, list[str]]] = field(default_factory=dict)
    dropped_pages: tuple[str, str] = ("", "")
    late_reply: Reply | None = None
    answered_line: str = ""
    results_page: str = ""
    students_csv: str = ""
    questions_csv: str = ""


def parallel(function, items) -> list:
    """Call ``function`` on every item at once, one thread each; the results in order."""
    items = list(items)
    with ThreadPoolExecutor(max_workers=len(items)) as pool:
        return list(pool.map(function, items))


def content_at(database, public_id: str, position: int) -> dict:
    with Session(database) as db:
        item = db.scalar(
            select(SessionItem)
            .join(ClassSession)
            .where(ClassSession.public_id == public_id, SessionItem.position == position)
        )
        return item.question_version.content


class Classroom:
    """Drives the lesson and records every reply."""

    def __init__(self, server: Server):
        self.server = server
        self.replies: list[Reply] = []
        self.lock = threading.Lock()

    def keep(self, *replies: Reply) -> Reply:
        with self.lock:
            self.replies.extend(replies)
        return replies[-1]

    def browser(self, cookies=()) -> Browser:
        return Browser(self.server.base, "en", cookies)

    # The teacher.

    def log_in(self) -> Browser:
        teacher = self.browser()
        page = self.keep(teacher.get("/auth/login"))
        sent = self.keep(
            teacher.post(
                "/auth/login",
                {**fields(page.text, "csrf_token"), "name": TEACHER, "password": PASSWORD},
            )
        )
        assert sent.status == 302, sent.text[:2000]
        return teacher

    def create_session(self, teacher: Browser) -> str:
        page = self.keep(teacher.get("/classroom/new"))
        assert page.status == 200, page.text[:2000]
        sent = self.keep(
            teacher.post(
                "/classroom/new",
                {
                    **fields(page.text, "csrf_token", "token"),
                    "banks": ["starter"],
                    **SESSION_OPTIONS,
                },
            )
        )
        assert sent.status == 302, sent.text[:2000]
        return sent.location.rstrip("/").rsplit("/", 1)[1]

    def act(self, teacher: Browser, public_id: str, action: str) -> Reply:
        """Press a control button on the projector view, as shown."""
        page = self.keep(teacher.get(f"/classroom/{public_id}"))
        sent = self.keep(
            teacher.post(
                f"/classroom/{public_id}/control",
                {**fields(page.text, "csrf_token", "revision"), "action": action},
            )
        )
        shown = self.keep(teacher.follow(sent))
        assert shown.status == 200 and shown.flashes == [], (action, shown.flashes)
        return sent

    # The students.

    def join(self, code: str, index: int) -> Student:
        browser = self.browser()
        page = self.keep(browser.get("/play/"))
        sent = self.keep(
            browser.post(
                "/play/",
                {**fields(page.text, "csrf_token"), "code": code, "nickname": NICKNAMES[index]},
            )
        )
        assert sent.status == 302, sent.text[:2000]
        shown = self.keep(browser.follow(sent))
        assert "You are in!" in shown.text
        return Student(index, NICKNAMES[index], browser, sent.location)

    def poll(self, student: Student) -> Poll:
        headers = {"If-None-Match": student.etag} if student.etag else {}
        reply = self.keep(student.browser.get(f"{student.live}/state", headers=headers))
        if reply.status == 200:
            student.etag = reply.headers["etag"]
        return Poll(student.index, reply)

    def poll_all(self, students: list[Student]) -> list[Poll]:
        return parallel(self.poll, students)

    def question_form(self, student: Student, position: int, round_: int) -> dict:
        page = self.keep(student.browser.get(student.live))
        form = fields(page.text, "csrf_token", "position", "round")
        assert (form["position"], form["round"]) == (str(position), str(round_))
        return form

    def send(self, student: Student, form: dict, values, twice=False) -> list[Reply]:
        """Submit an answer (twice at the same moment, from two tabs, if ``twice``)."""
        path = f"{student.live}/answer"
        data = {**form, "answer": list(values)}
        if not twice:
            return [self.keep(student.browser.submit(path, data))]
        tabs = [student.browser, student.browser.twin()]
        together = threading.Barrier(len(tabs), timeout=20)

        def tap(tab: Browser) -> Reply:
            together.wait()
            return tab.submit(path, data)

        return [self.keep(reply) for reply in parallel(tap, tabs)]

    def answer(self, student, position, round_, values, twice=False) -> list[Reply]:
        form = self.question_form(student, position, round_)
        return self.send(student, form, values, twice)


def values_for(content: dict, right: bool) -> list[str]:
    return right_values(content) if right else wrong_values(content)


@pytest.fixture(scope="module")
def lesson(server, database) -> Lesson:
    """One teacher-paced lesson with twelve students, recorded."""
    room = Classroom(server)
    teacher = room.log_in()
    public_id = room.create_session(teacher)
    host = room.keep(teacher.get(f"/classroom/{public_id}"))
    code = re.search(r'class="join-code"[^>]*>([\d ]+)<', host.text).group(1).replace(" ", "")
    students = parallel(lambda index: room.join(code, index), range(len(NICKNAMES)))
    record = Lesson(public_id)
    record.joined = room.poll_all(students)
    record.quiet += room.poll_all(students)

    def step(action: str) -> Step:
        done = Step(action, room.act(teacher, public_id, action))
        done.changed = room.poll_all(students)
        done.unchanged = room.poll_all(students)
        record.steps.append(done)
        return done

    step("start")
    q1 = content_at(database, public_id, 0)
    late_form = room.question_form(students[LATE], 0, 1)

    def first_vote(student: Student) -> list[Reply]:
        if student.index == DROPPED:
            room.question_form(student, 0, 1)
            # The phone drops; the browser comes back with its saved cookie
            # only, through the join link, without a nickname.
            student.browser = Browser(server.base, "en", student.browser.cookies())
            back = room.keep(student.browser.get(f"/play/{code}"))
            assert back.status == 302 and back.location == student.live
            page = room.keep(student.browser.follow(back))
            record.dropped_pages = (student.nickname, page.text)
        right = right_on_q1(student.index)
        return room.answer(student, 0, 1, values_for(q1, right), twice=student.index in DOUBLE_Q1)

    def vote(name: str, answer, voters: list[Student]) -> None:
        replies = parallel(answer, voters)
        record.told[name] = {
            student.index: sorted(flash for reply in sent for flash in reply.flashes)
            for student, sent in zip(voters, replies, strict=True)
        }

    vote("q1", first_vote, [s for s in students if s.index != LATE])
    record.quiet += room.poll_all(students)  # answers do not move the revision
    host = room.keep(teacher.get(f"/classroom/{public_id}"))
    record.answered_line = re.search(r'<p class="answer-count">\s*(.*?)</p>', host.text, re.S)[1]

    step("discuss")  # the votes, without the answer, for discussion
    record.late_reply = room.send(students[LATE], late_form, values_for(q1, True))[0]

    step("again")
    vote(
        "q1-again",
        lambda s: room.answer(s, 0, 2, values_for(q1, True)),
        [s for s in students if s.index not in SKIP_AGAIN],
    )
    step("close")
    step("next")
    q2 = content_at(database, public_id, 1)
    vote(
        "q2",
        lambda s: room.answer(
            s, 1, 1, values_for(q2, right_on_q2(s.index)), twice=s.index in DOUBLE_Q2
        ),
        [s for s in students if s.index not in SKIP_Q2],
    )
    step("finish")
    record.results_page = room.keep(teacher.get(f"/classroom/{public_id}/results")).text
    record.students_csv = room.keep(teacher.get(f"/classroom/{public_id}/students.csv")).text
    record.questions_csv = room.keep(teacher.get(f"/classroom/{public_id}/questions.csv")).text
    record.replies = room.replies
    return record


def rows(database, public_id: str):
    """(nickname, position, round, fraction) of every stored answer."""
    with Session(database) as db:
        return db.execute(
            select(
                Player.nickname, PlayerAnswer.position, PlayerAnswer.round, PlayerAnswer.fraction
            )
            .join(Player, Player.id == PlayerAnswer.player_id)
            .join(ClassSession, ClassSession.id == PlayerAnswer.session_id)
            .where(ClassSession.public_id == public_id)
        ).all()


def expected_answers() -> dict[tuple[int, int], set[str]]:
    """Who answered in time, per (position, round)."""
    everyone = set(range(len(NICKNAMES)))
    return {
        (0, 1): {NICKNAMES[i] for i in everyone - {LATE}},
        (0, 2): {NICKNAMES[i] for i in everyone - SKIP_AGAIN},
        (1, 1): {NICKNAMES[i] for i in everyone - SKIP_Q2},
    }


def expected_points(index: int) -> int:
    q1 = index != LATE and right_on_q1(index)
    q2 = index not in SKIP_Q2 and right_on_q2(index)
    return int(q1) + int(q2)


# --- the tests --------------------------------------------------------------


def test_the_lessons_requests_are_served_by_several_workers(server, lesson):
    served = server.workers_of([reply.tag for reply in lesson.replies])
    workers = set(served.values())
    assert workers <= server.booted
    assert len(workers) >= 2, Counter(served.values())


def test_every_student_sees_the_teachers_action_with_the_same_version_on_any_worker(
    server, lesson, database
):
    versions = [{poll.version for poll in step.changed} for step in lesson.steps]
    assert versions == [{str(number)} for number in range(1, len(lesson.steps) + 1)]
    with Session(database) as db:
        revision = db.scalar(
            select(ClassSession.revision).where(ClassSession.public_id == lesson.public_id)
        )
    assert revision == len(lesson.steps)
    # An action taken on one worker was seen from another. Which worker accepts
    # a request is the kernel's choice, so a step whose twelve polls all land on
    # the teacher's worker can happen; the versions above prove every poll saw
    # every action, and this proves the state crossed workers (no process memory).
    served = server.workers_of(
        [
            tag
            for step in lesson.steps
            for tag in [step.control.tag, *(p.reply.tag for p in step.changed)]
        ]
    )
    elsewhere = [
        step.action
        for step in lesson.steps
        if {served[p.reply.tag] for p in step.changed} - {served[step.control.tag]}
    ]
    assert elsewhere, [step.action for step in lesson.steps]


def test_polls_get_304_while_nothing_changes_even_as_answers_arrive(lesson):
    assert [poll.reply.status for poll in lesson.joined] == [200] * len(NICKNAMES)
    assert {poll.version for poll in lesson.joined} == {"0"}
    unchanged = lesson.quiet + [poll for step in lesson.steps for poll in step.unchanged]
    assert {poll.reply.status for poll in unchanged} == {304}
    assert all(poll.reply.text == "" for poll in unchanged)


def test_every_answer_sent_in_time_is_told_it_was_recorded(lesson):
    doubles = {"q1": DOUBLE_Q1, "q2": DOUBLE_Q2}
    single = {
        (name, index): messages
        for name, told in lesson.told.items()
        for index, messages in told.items()
        if index not in doubles.get(name, ())
    }
    students = len(NICKNAMES)
    assert len(single) == (
        (students - 1 - len(DOUBLE_Q1))
        + (students - len(SKIP_AGAIN))
        + (students - len(SKIP_Q2) - len(DOUBLE_Q2))
    )
    assert set(map(tuple, single.values())) == {(RECORDED,)}


def test_double_submits_get_one_recorded_and_one_repeat(lesson):
    doubles = {
        name: {index: lesson.told[name][index] for index in indices}
        for name, indices in {"q1": DOUBLE_Q1, "q2": DOUBLE_Q2}.items()
    }
    assert doubles == {
        "q1": dict.fromkeys(DOUBLE_Q1, sorted([RECORDED, REPEAT])),
        "q2": dict.fromkeys(DOUBLE_Q2, sorted([RECORDED, REPEAT])),
    }


def test_a_dropped_phone_comes_back_to_the_same_player(lesson, database):
    nickname, page = lesson.dropped_pages
    assert f"You are {nickname}" in page
    assert 'name="position" type="hidden" value="0"' in page
    with Session(database) as db:
        players = db.scalars(
            select(Player.nickname)
            .join(ClassSession)
            .where(ClassSession.public_id == lesson.public_id)
        ).all()
    assert sorted(players) == sorted(NICKNAMES)
    answered = {(n, p, r) for n, p, r, _ in rows(database, lesson.public_id)}
    assert (nickname, 0, 1) in answered


def test_an_answer_after_the_close_is_too_late_and_not_stored(lesson, database):
    assert lesson.late_reply.flashes == [TOO_LATE]
    late = NICKNAMES[LATE]
    stored = [(p, r) for n, p, r, _ in rows(database, lesson.public_id) if n == late]
    assert (0, 1) not in stored
    assert (0, 2) in stored  # the second vote, in time, was taken


def test_the_projector_counts_players_who_answered_not_answers(lesson):
    present = len(NICKNAMES)
    answered = len(expected_answers()[0, 1])  # four of them sent their answer twice
    assert lesson.answered_line.strip() == f"{answered} of {present} students have answered."


def test_each_question_stores_one_row_per_player_who_answered_in_time(lesson, database):
    stored = rows(database, lesson.public_id)
    counted = Counter((n, p, r) for n, p, r, _ in stored)
    assert [key for key, times in counted.items() if times > 1] == []
    by_question = {}
    for nickname, position, round_, _ in stored:
        by_question.setdefault((position, round_), set()).add(nickname)
    assert by_question == expected_answers()
    assert len(stored) == sum(len(names) for names in expected_answers().values())
    with Session(database) as db:
        total = db.scalar(select(func.count()).select_from(PlayerAnswer))
    assert total == len(stored)


def results_rows(page: str) -> dict[str, list[str]]:
    """Nickname → points, right, answered, absent, time of the results page's table."""
    table = page[page.index('<table class="attempts">') :]
    table = table[: table.index("</table>")]
    found = re.findall(
        r'<tr><th scope="row">([^<]+?)(?: <span class="tag">[^<]*</span>)?</th>\s*'
        r"<td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>\s*<td>([^<]*)</td><td>([^<]*) s</td></tr>",
        table,
    )
    return {nickname: list(values) for nickname, *values in found}


def test_the_results_page_and_the_students_csv_agree_with_the_answers(lesson, database):
    assert lesson.students_csv.startswith("\ufeff")
    table = list(csv.reader(io.StringIO(lesson.students_csv.removeprefix("\ufeff"))))
    header, body = table[0], table[1:]
    assert header[:7] == [
        "Nickname",
        "Points",
        "Right",
        "Answered",
        "Absent",
        "Time (s)",
        "Removed",
    ]
    from_csv = {line[0]: line for line in body}
    page = results_rows(lesson.results_page)
    assert sorted(from_csv) == sorted(page) == sorted(NICKNAMES)
    stored = rows(database, lesson.public_id)
    for index, nickname in enumerate(NICKNAMES):
        line = from_csv[nickname]
        answered = int(index != LATE) + int(index not in SKIP_Q2)
        assert answered == sum(1 for n, _, r, _ in stored if n == nickname and r == 1)
        points = expected_points(index)
        assert line[1:5] == page[nickname][:4] == [str(points), str(points), str(answered), "0"]
        assert line[5] == page[nickname][4]
        q1 = "missed" if index == LATE else "right" if right_on_q1(index) else "wrong"
        q2 = "missed" if index in SKIP_Q2 else "right" if right_on_q2(index) else "wrong"
        words = {"right": "right", "wrong": "wrong", "missed": "no answer"}
        assert line[7:9] == [words[q1], words[q2]], nickname


def test_the_questions_csv_counts_each_vote(lesson):
    table = list(csv.reader(io.StringIO(lesson.questions_csv.removeprefix("\ufeff"))))
    counts = {(line[0], line[2]): line[3] for line in table[1:]}
    expected = expected_answers()
    assert counts["1", "1"] == str(len(expected[0, 1]))
    assert counts["1", "2"] == str(len(expected[0, 2]))
    assert counts["2", "1"] == str(len(expected[1, 1]))
