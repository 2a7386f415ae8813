"""A graceful restart answers the phones' held polls at once and goes on serving.

gunicorn is started as in production (``gunicorn.conf.py``, two workers).
A few phones hold their polls (``?wait=1`` with the session's current
version), which the server would otherwise answer only when the session
moves on or after ``HOLD_S`` (20 s, as long as gunicorn's graceful
timeout). When the master is told to restart (SIGHUP), or a worker to
stop (SIGTERM), the old workers answer those polls "304 Not Modified" at
once and exit, and new workers serve and hold polls again.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from quizapp.play.polls import HOLD_S
from tests.bench import servers
from tests.conftest import TEST_DATABASE_URL
from tests.server.http_client import Browser, Reply, fields
from tests.web.classroom_client import SESSION_OPTIONS

TEACHER = "teacher1"
PASSWORD = "correct horse battery staple"
PHONES = 6
#: Well under HOLD_S: a poll answered by then was not waiting for its hold to end.
PROMPT_S = 10.0
assert PROMPT_S < HOLD_S


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("restart")
    url = TEST_DATABASE_URL or f"sqlite:///{folder / 'quizapp.sqlite3'}"
    if TEST_DATABASE_URL:
        servers.empty_database(url)
    env = servers.app_environment(url) | {"QUIZ_USER_PASSWORD": PASSWORD}
    servers.flask_command(env, "db", "upgrade")
    servers.flask_command(env, "quiz", "import")
    servers.flask_command(env, "users", "create", TEACHER, "--role", "teacher")
    try:
        with servers.gunicorn("quizapp:create_app()", env, folder) as running:
            yield running
    finally:
        if TEST_DATABASE_URL:
            servers.empty_database(url)


@pytest.fixture(scope="module")
def session(server) -> str:
    """A teacher-paced session, started: its public id."""
    teacher = Browser(server.base)
    page = teacher.get("/auth/login")
    sent = teacher.post(
        "/auth/login", {**fields(page.text, "csrf_token"), "name": TEACHER, "password": PASSWORD}
    )
    assert sent.status == 302, sent.text[:2000]
    page = teacher.get("/classroom/new")
    sent = teacher.post(
        "/classroom/new",
        {**fields(page.text, "csrf_token", "token"), "banks": ["starter"], **SESSION_OPTIONS},
    )
    assert sent.status == 302, sent.text[:2000]
    return sent.location.rstrip("/").rsplit("/", 1)[1]


def version_of(server, public_id: str) -> str:
    reply = Browser(server.base).get(f"/play/s/{public_id}/state")
    assert reply.status == 200
    return reply.headers["etag"].strip('"')


def hold(pool: ThreadPoolExecutor, server, public_id: str, version: str) -> list[Future]:
    """Phones holding their polls: half the state URL, half the live part."""
    headers = {"If-None-Match": f'"{version}"'}
    paths = [f"/play/s/{public_id}/state?wait=1", f"/play/s/{public_id}?part=live&wait=1"]
    return [pool.submit(Browser(server.base).get, paths[i % 2], headers) for i in range(PHONES)]


def wait_until_held(polls: list[Future]) -> None:
    """Give the polls time to reach the server; none may come back meanwhile."""
    time.sleep(1.5)
    assert not any(poll.done() for poll in polls), "a poll was answered before the restart"


def wait_until_gone(pids: list[int], within_s: float) -> None:
    deadline = time.monotonic() + within_s
    alive = pids
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 0)
                alive.append(pid)
        if not alive:
            return
        time.sleep(0.05)
    pytest.fail(f"old workers {alive} still running {within_s} s after they were told to stop")


def answered_promptly(polls: list[Future], version: str, since: float) -> list[Reply]:
    replies = [poll.result(timeout=PROMPT_S) for poll in polls]
    assert time.monotonic() - since < PROMPT_S
    assert [r.status for r in replies] == [304] * PHONES
    assert {r.headers["etag"] for r in replies} == {f'"{version}"'}
    return replies


def still_serves(server, public_id: str, version: str, old: list[int]) -> None:
    """New workers answer pages and hold polls again."""
    new = servers.workers(server)
    assert new and not set(new) & set(old)
    assert Browser(server.base).get("/play/").status == 200
    with ThreadPoolExecutor(max_workers=PHONES) as pool:
        polls = hold(pool, server, public_id, version)
        wait_until_held(polls)  # held: the new workers hold polls again
        # Let them go the same way, so the next test starts with nothing held.
        for pid in new:
            os.kill(pid, signal.SIGTERM)
        answered_promptly(polls, version, time.monotonic())
    # Until they are gone: a worker still exiting counts among the master's
    # processes, and the next test would take it for a live one.
    wait_until_gone(new, PROMPT_S)
    wait_for_workers(server, len(new))


def wait_for_workers(server, count: int) -> None:
    """Until the master has ``count`` workers again and one answers."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if len(servers.workers(server)) == count:
            with contextlib.suppress(OSError):
                if Browser(server.base).get("/play/").status == 200:
                    return
        time.sleep(0.1)
    pytest.fail(f"gunicorn did not get back to {count} workers:\n{log_of(server)}")


def log_of(server) -> str:
    return server.error_log.read_text(errors="replace")


def test_a_graceful_restart_answers_held_polls_at_once(server, session):
    version = version_of(server, session)
    old = servers.workers(server)
    with ThreadPoolExecutor(max_workers=PHONES) as pool:
        polls = hold(pool, server, session, version)
        wait_until_held(polls)
        told = time.monotonic()
        os.kill(server.process.pid, signal.SIGHUP)
        answered_promptly(polls, version, told)
    wait_until_gone(old, PROMPT_S)
    wait_for_workers(server, len(old))
    still_serves(server, session, version, old)
    assert not re.search(r"WORKER TIMEOUT|Traceback", log_of(server))


def test_a_worker_told_to_stop_answers_its_held_polls_at_once(server, session):
    version = version_of(server, session)
    old = servers.workers(server)
    with ThreadPoolExecutor(max_workers=PHONES) as pool:
        polls = hold(pool, server, session, version)
        wait_until_held(polls)
        told = time.monotonic()
        for pid in old:  # each worker on its own, as the master would stop one
            os.kill(pid, signal.SIGTERM)
        answered_promptly(polls, version, told)
    wait_until_gone(old, PROMPT_S)
    wait_for_workers(server, len(old))
    still_serves(server, session, version, old)
