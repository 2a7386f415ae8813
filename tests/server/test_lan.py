"""The classroom network's set-up: nginx in front of gunicorn, as ``python3
tasks.py serve --lan`` runs them (the same functions of ``tasks.py``).

gunicorn alone gave every thread, and every place the app lets work at
once, to whichever client sent a request slowly: four half-sent bodies per
process stopped every page. Here hundreds of connections send half
requests a byte a second (headers, and bodies) or nothing at all while a
student's pages must still come at once; and the headers nginx sets must
be the ones the app trusts (the join link shows the address the phones
used, whatever a client claims).

nginx comes from the system (Debian: ``apt-get install nginx``); without it
these tests are skipped, unless ``QUIZ_REQUIRE_NGINX=1`` (CI) makes that a
failure.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

import tasks
from quizapp.config import Config
from tests.bench import servers
from tests.conftest import TEST_DATABASE_URL
from tests.server.http_client import Browser, fields
from tests.web.classroom_client import SESSION_OPTIONS

TEACHER = "teacher1"
PASSWORD = "correct horse battery staple"
#: Small, so that the limit is quick to cross.
UPLOAD_LIMIT = 100_000
#: Of each kind: half-sent headers, half-sent bodies, nothing sent.
SLOW_EACH = 150
#: Wrong session codes one address may send (a minute); the tests from
#: 127.0.0.1 send fewer.
WRONG_CODES = 10
#: A page must come within this (it does in milliseconds; without nginx it never came).
PROMPT_S = 5

if not tasks.nginx_binary():
    if os.environ.get("QUIZ_REQUIRE_NGINX") == "1":
        raise RuntimeError("QUIZ_REQUIRE_NGINX=1 but nginx is not installed")
    pytest.skip("nginx is not installed (apt-get install nginx)", allow_module_level=True)


@pytest.fixture(scope="module")
def lan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lan")
    url = TEST_DATABASE_URL or f"sqlite:///{folder / 'quizapp.sqlite3'}"
    if TEST_DATABASE_URL:
        servers.empty_database(url)
    env = {
        **servers.app_environment(url, secrets.token_hex(32)),
        "QUIZ_USER_PASSWORD": PASSWORD,
        "QUIZ_MAX_UPLOAD_BYTES": str(UPLOAD_LIMIT),
        "QUIZ_THROTTLE": "1",
        "QUIZ_LIMIT_JOIN_CODE": f"{WRONG_CODES} per minute",
    }
    servers.flask_command(env, "db", "upgrade")
    servers.flask_command(env, "quiz", "import")
    servers.flask_command(env, "users", "create", TEACHER, "--role", "teacher")
    with servers.lan("quizapp:create_app()", env, folder) as front:
        yield front
    if TEST_DATABASE_URL:
        servers.empty_database(url)


def _half_sent(port: int, kind: str) -> tuple[socket.socket, bytes]:
    """A connection with a request begun (or nothing, ``idle``); the bytes still to come."""
    connection = socket.create_connection(("127.0.0.1", port))
    if kind == "headers":
        connection.sendall(b"GET /play/ HTTP/1.1\r\nHost: classroom\r\nX-Slow: ")
        return connection, b"x" * 100
    if kind == "body":
        connection.sendall(
            b"POST /play/ HTTP/1.1\r\nHost: classroom\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\ncode="
        )
        return connection, b"1" * 100
    return connection, b""


def _still_waiting(connection: socket.socket) -> bool:
    """Neither answered nor closed by the server."""
    connection.setblocking(False)
    try:
        connection.recv(1)  # an answer (a 400 or 408), or b"": closed
    except BlockingIOError:
        return True  # nothing to read yet
    except OSError:
        return False
    return False


@contextlib.contextmanager
def slow_clients(port: int):
    """``SLOW_EACH`` connections of each kind, the begun ones sending a byte a second."""
    held = {
        kind: [_half_sent(port, kind) for _ in range(SLOW_EACH)]
        for kind in ("headers", "body", "idle")
    }
    stop = threading.Event()

    def trickle():
        sent = 0
        while not stop.wait(1):
            for connection, rest in held["headers"] + held["body"]:
                with contextlib.suppress(OSError):
                    connection.send(rest[sent : sent + 1])
            sent += 1

    sender = threading.Thread(target=trickle, daemon=True)
    sender.start()
    try:
        yield held
    finally:
        stop.set()
        sender.join()
        for connections in held.values():
            for connection, _rest in connections:
                connection.close()


def test_pages_come_at_once_while_hundreds_of_slow_clients_hold_connections(lan):
    opened = time.monotonic()
    with slow_clients(lan.port) as held:
        time.sleep(2)  # every connection in and a few bytes of each sent
        student = Browser(lan.base)
        for _ in range(3):
            page = student.request("GET", "/play/", timeout=PROMPT_S)
            assert page.status == 200
            sent = student.request(
                "POST",
                "/play/",
                {**fields(page.text, "csrf_token"), "code": "000000", "nickname": "Ana"},
                timeout=PROMPT_S,
            )
            assert sent.status in (200, 422), sent.text[:500]  # "no such session"
        # The slow clients were there all along: nginx still waits on them
        # (on headers for 10 s at most, on a body as long as bytes come).
        waiting = {kind: sum(_still_waiting(c) for c, _ in held[kind]) for kind in held}
        within_header_time = time.monotonic() - opened < 9
    assert waiting["body"] == SLOW_EACH
    if within_header_time:
        assert waiting == {"headers": SLOW_EACH, "body": SLOW_EACH, "idle": SLOW_EACH}


def test_join_links_show_the_address_the_phones_used_whatever_a_client_claims(lan):
    teacher = Browser(lan.base)
    page = teacher.get("/auth/login")
    sent = teacher.post(
        "/auth/login", {**fields(page.text, "csrf_token"), "name": TEACHER, "password": PASSWORD}
    )
    assert sent.status == 302, sent.text[:1000]
    page = teacher.get("/classroom/new")
    sent = teacher.post(
        "/classroom/new",
        {**fields(page.text, "csrf_token", "token"), "banks": ["starter"], **SESSION_OPTIONS},
    )
    assert sent.status == 302, sent.text[:1000]
    claims = {
        "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Port": "1",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.9",
    }
    projector = teacher.get(sent.location, headers=claims)
    assert projector.status == 200
    links = set(re.findall(r"https?://[^\s\"'<]+/play/", projector.text))
    # nginx's address, not gunicorn's behind it, nor what the client claimed.
    assert links == {f"{lan.base}/play/"}


def _guess(browser: Browser) -> int:
    page = browser.get("/play/")
    sent = browser.post("/play/", {**fields(page.text, "csrf_token"), "code": "000000"})
    return sent.status


def test_rate_limits_count_each_phone_at_its_own_address(lan):
    """Every request reaches gunicorn from nginx: the app must take the
    phone's address from the X-Forwarded-For nginx sets (QUIZ_PROXY_HOPS=1),
    or one guesser would lock the whole class out."""
    guesser = Browser(lan.base, source="127.0.0.2")
    statuses = [_guess(guesser) for _ in range(WRONG_CODES + 1)]
    assert 429 not in statuses[:WRONG_CODES] and statuses[-1] == 429
    neighbour = Browser(lan.base, source="127.0.0.3")
    assert _guess(neighbour) != 429
    # What a client claims is not believed: nginx sets the header itself.
    page = guesser.get("/play/")
    sent = guesser.request(
        "POST",
        "/play/",
        {**fields(page.text, "csrf_token"), "code": "000000"},
        headers={"X-Forwarded-For": "198.51.100.7"},
    )
    assert sent.status == 429


def test_a_form_larger_than_nginx_keeps_in_memory_reaches_the_app(lan):
    """A body over client_body_buffer_size goes through nginx's temporary file
    (its worker, as nobody under root, must be able to write it)."""
    student = Browser(lan.base, source="127.0.0.4")
    page = student.get("/play/")
    sent = student.post(
        "/play/",
        {**fields(page.text, "csrf_token"), "code": "000000", "nickname": "n" * 80_000},
    )
    assert sent.status in (200, 422), sent.text[:500]  # the app's own answer
    assert "quizapp" in sent.text


def test_a_body_over_the_apps_limit_gets_the_apps_own_page(lan):
    student = Browser(lan.base)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(
            urllib.request.Request(
                lan.base + "/play/", data=b"code=" + b"1" * (UPLOAD_LIMIT + 1), method="POST"
            ),
            timeout=30,
        )
    assert refused.value.code == 413
    assert "quizapp" in refused.value.read().decode()
    assert student.get("/play/").status == 200


def test_nginx_lets_through_at_least_what_the_app_accepts(tmp_path):
    default = Config(str(tmp_path), {"SECRET_KEY": "x"}).MAX_CONTENT_LENGTH
    assert default == tasks.DEFAULT_MAX_UPLOAD_BYTES
    config = tasks.nginx_config("127.0.0.1:1", "127.0.0.1:2", {"QUIZ_MAX_UPLOAD_BYTES": "5000"})
    allowed = int(re.search(r"client_max_body_size (\d+);", config).group(1))
    assert allowed > 5000
    assert "@" not in re.sub(r"#.*", "", config)  # every blank filled in
