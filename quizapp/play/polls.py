"""Students' polls, answered in front of Flask's request machinery, and held.

Every phone in a lesson asks for news. Measured on the two-core machine of
the benchmark, a thousand phones asking once a second cost the server 0.8
of a core (0.6 for the same requests to a bare Flask app under gunicorn),
nearly all of it for "304 Not Modified"; and a change reached the last
phone of a class a second later at best. So a phone's script asks with
``?wait=1``: when nothing changed, the request is *held* until the session
moves on (or ``HOLD_S`` passes). A phone then asks about once per change
instead of once a second, and sees a change within ``WATCH_INTERVAL_S``.

A phone's script holds the live part of its page itself
(``/play/s/<id>?part=live&wait=1``): when the session moved on, the held
request goes on to Flask and comes back as the new live part, so a change
costs a phone one request, not a poll and then a fetch. The state URL
(``/play/s/<id>/state?wait=1``) is held the same way and answered here
with the new version.

The session's revision stays in the database, the only source of truth:
per process, one :class:`Watch` thread reads the revisions of the sessions
that have held polls, every ``WATCH_INTERVAL_S``, in one query, and wakes
the polls whose revision moved (or whose time limit ran out). The woken
poll reads its revision again (or Flask reads the session) before
answering, so any number of workers and hosts give the same answers. Polls
of one session that come at the same time share a read
(:class:`SharedReads`), each from a read begun after it came. At
most ``QUIZ_HELD_POLLS`` polls are held per process (a held poll takes a
server thread, see gunicorn.conf.py); above that a poll with nothing new
is answered "304 Not Modified" at once, and the phone asks again a second
later, as without holding.

Without ``wait`` (the projector, scripts, the benchmark's saturation
loop), a state poll is answered at once. Measured in process through
werkzeug's test client, a poll through Flask costs about 260 µs on SQLite
(370 on PostgreSQL), and this middleware answers it with the same service
call in half of that. Anything else goes on to Flask unchanged, including polls of
an unknown session (the 404 page). The Flask route ``play.state`` stays,
and tests hold the two to the same responses.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field

from flask import Flask
from werkzeug.http import parse_etags

from quizapp.classroom.live import STATE_CACHE_CONTROL
from quizapp.domain.numbers import whole_number_or
from quizapp.security import SECURITY_HEADERS
from quizapp.services.classroom import current_revision, revisions
from quizapp.work import CHANGE, NEWS, READ, WorkPlaces, at_work

POLL_PATH = re.compile(r"/play/s/([0-9a-f]{32})/state")
#: A student's live page; held when asked for its live part with ``wait=1``.
LIVE_PATH = re.compile(r"/play/s/([0-9a-f]{32})")
#: The longest a poll is held: well under the 60 s after which proxies
#: (nginx's proxy_read_timeout) give up on a quiet request.
HOLD_S = 20.0
#: How often the watch reads the revisions it waits on.
WATCH_INTERVAL_S = 0.1
#: What the watch reports for a session that is no longer there (DUE is -1).
GONE = -2


class PollShortcut:
    """WSGI middleware: answer (and hold) students' polls; pass everything else on.

    It also lets at most ``QUIZ_THREADS`` requests of the process work at
    once (:class:`WorkPlaces`): the server has a thread for each poll it
    may hold, and without the limit a burst of answers would run on dozens
    of threads at once, each waiting for the interpreter lock and a
    database connection.
    """

    def __init__(self, app: Flask, wsgi_app, watch: Watch, working: int):
        self.app = app
        self.wsgi_app = wsgi_app
        self.watch = watch
        self.working = WorkPlaces(working)
        self.reads = SharedReads()

    def __call__(self, environ, start_response):
        reads = environ.get("REQUEST_METHOD") in ("GET", "HEAD")
        with at_work(self.working, READ if reads else CHANGE):
            if reads:
                answered = self._shortcut(environ, start_response)
                if answered is not None:
                    return answered
            return self.wsgi_app(environ, start_response)

    def _shortcut(self, environ, start_response):
        """A poll's answer, or None for Flask to answer the request.

        A failure here (the database away) is Flask's to answer too: its
        error pages carry the security headers and say when to try again,
        where an exception raised to the server would be its bare 500.
        """
        path = environ.get("PATH_INFO", "")
        try:
            match = POLL_PATH.fullmatch(path)
            if match:
                return self._poll(match.group(1), environ, start_response)
            match = LIVE_PATH.fullmatch(path)
            if match and _asks(environ, "part=live", "wait=1"):
                return self._hold_part(match.group(1), environ, start_response)
        except Exception:
            self.app.logger.exception("poll shortcut failed; Flask answers %s", path)
        return None

    def _revision(self, public_id: str) -> int | None:
        """The session's revision, read from the database for this poll: by
        it, or by a read that polls waiting at the same time share."""
        return self.reads.read(public_id, self._read_revision, self._idle)

    def _read_revision(self, public_id: str) -> int | None:
        with self.app.app_context():
            return current_revision(public_id)

    @contextmanager
    def _idle(self) -> Iterator[None]:
        """This request's working place given up while it waits on others."""
        self.working.leave()
        try:
            yield
        finally:
            self.working.enter(NEWS)  # what it brings back is what a phone waits for

    def _poll(self, public_id: str, environ, start_response):
        """The poll's answer, or None for Flask to answer (no such session)."""
        revision = self._revision(public_id)
        if revision is None:
            return None
        known = parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
        if known.contains(str(revision)) and _asks(environ, "wait=1"):
            seen = self._hold(public_id, revision)
            if seen is not None and seen < 0:
                # Due or gone: read it again (settling a time limit run out).
                revision = self._revision(public_id)
                if revision is None:
                    return None
            elif seen is not None:
                # As the watch read it from the database a moment ago: a
                # revision only grows, and the page fetched next is current.
                revision = seen
        return _answer(str(revision), known, start_response)

    def _hold_part(self, public_id: str, environ, start_response):
        """Hold a live part's request while the phone's version is current.

        Returns "304 Not Modified" when nothing changed (after the hold, or
        at once above the limit), or None: Flask renders the part (the
        session moved on, or is due, or is not there; or the phone's
        version is old already).

        The phone's version is handed to the watch as it is, without a read
        of the database first: the watch's next read tells whether it is
        current, and wakes it within ``WATCH_INTERVAL_S`` if not. A class's
        phones come back for their next part all at once, and on PostgreSQL
        that read cost each of them three round trips (the pool's ping,
        the query, the rollback).
        """
        known = parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
        version = _version_held(known)
        if version is None:
            return None
        seen = self._hold(public_id, version)
        if seen is None:  # not held (above the limit): the database says
            seen = self._revision(public_id)
        if seen == version:
            return _answer(str(version), known, start_response)
        return None

    def _hold(self, public_id: str, revision: int) -> int | None:
        """:meth:`Watch.wait`, with this request's working place given up meanwhile."""
        with self._idle():  # a held poll does no work
            return self.watch.wait(public_id, revision, HOLD_S)


class _Read:
    """One read of a session's revision, for the polls that wait on it."""

    def __init__(self):
        #: Set when the read may begin: the read before it has ended.
        self.turn = threading.Event()
        self.done = threading.Event()
        self.claimed = False  # one of the polls waiting on it makes it
        self.value: int | None = None
        self.error: BaseException | None = None


class SharedReads:
    """Polls of one session that come at the same time share one read of
    the database, and each is answered from a read that began after it
    came, as if it had read alone.

    A poll that finds no read of its session under way reads at once. One
    that comes while a read is under way cannot take that read's answer (a
    teacher's click that returned just before the poll may have come after
    the read began): it waits, without a working place, for the next read,
    which begins as soon as the one under way ends, is made by one of the
    polls waiting, and answers them all. A class's phones ask about one
    session: measured at saturation on PostgreSQL, each poll reading alone
    spent most of its time on its round trip to the server and the server's
    own work.
    """

    def __init__(self):
        self._lock = threading.Lock()
        #: public id → the next read, for polls that came during one under way
        #: (None: none came yet). A key is here while a read of it is under way.
        self._next: dict[str, _Read | None] = {}

    def read(
        self,
        public_id: str,
        read: Callable[[str], int | None],
        idle: Callable[[], AbstractContextManager],
    ) -> int | None:
        """``read(public_id)``, or the result of a shared read that began
        after this call; ``idle()`` is entered while waiting on others."""
        with self._lock:
            waits = public_id in self._next
            if not waits:
                self._next[public_id] = None  # this poll's read is under way
                mine = _Read()
            elif (mine := self._next[public_id]) is None:
                mine = self._next[public_id] = _Read()
        if waits:
            with idle():
                mine.turn.wait()
                with self._lock:
                    leads = not mine.claimed
                    mine.claimed = True
                if not leads:
                    mine.done.wait()
            if not leads:
                if mine.error is not None:  # each poll fails as it would have alone
                    raise RuntimeError(f"the shared read of {public_id} failed") from mine.error
                return mine.value
        return self._run(public_id, mine, read)

    def _run(self, public_id: str, mine: _Read, read) -> int | None:
        """Make read ``mine``, then let the next one begin."""
        try:
            mine.value = read(public_id)
            return mine.value
        except BaseException as error:
            mine.error = error
            raise
        finally:
            with self._lock:
                after = self._next.pop(public_id)
                if after is not None:
                    self._next[public_id] = None  # under way again: after's read
            mine.done.set()
            if after is not None:
                after.turn.set()


def _version_held(known) -> int | None:
    """The one version a phone says it has (its ``If-None-Match``), if that is all it says."""
    tags = known.as_set()
    if len(tags) != 1:
        return None
    [tag] = tags
    return whole_number_or(tag)


def _asks(environ, *parameters: str) -> bool:
    """Whether the query string has each of ``parameters`` ("name=value")."""
    query = environ.get("QUERY_STRING", "").split("&")
    return all(parameter in query for parameter in parameters)


def _answer(version: str, known, start_response):
    headers = [("ETag", f'"{version}"'), ("Cache-Control", STATE_CACHE_CONTROL)]
    headers += [("Vary", "Accept-Encoding"), *SECURITY_HEADERS]
    if known.contains(version):
        start_response("304 NOT MODIFIED", headers)
        return []
    body = json.dumps({"version": version}, separators=(",", ":")).encode() + b"\n"
    headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response("200 OK", headers)
    return [body]


@dataclass
class _Waiters:
    """The polls held on one revision of one session."""

    woken: threading.Event = field(default_factory=threading.Event)
    count: int = 0
    #: The revision that woke them (:data:`GONE` for a session deleted).
    seen: int | None = None


class Watch:
    """Held polls of one process, and the thread that wakes them.

    The thread starts with the first held poll in the process (gunicorn
    forks its workers after loading the app: a thread started before would
    not exist in them) and reads the database only while polls are held.
    """

    def __init__(self, app: Flask, limit: int, interval_s: float = WATCH_INTERVAL_S):
        self.app = app
        self.limit = limit
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._held: dict[str, dict[int, _Waiters]] = {}
        self._count = 0
        self._work = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closed = False

    def wait(self, public_id: str, revision: int, timeout: float) -> int | None:
        """Hold until session ``public_id`` is no longer at ``revision``, or
        ``timeout`` passed; None at once when this process holds its limit.

        Returns the revision the watch read last: ``revision`` after a
        timeout, :data:`~quizapp.services.classroom.DUE` for a time limit
        run out, :data:`GONE` for a session no longer there.
        """
        with self._lock:
            if self._closed or self._count >= self.limit:
                return None
            self._start_if_needed()
            waiters = self._held.setdefault(public_id, {}).setdefault(revision, _Waiters())
            waiters.count += 1
            self._count += 1
            self._work.set()
        try:
            woken = waiters.woken.wait(timeout)
        finally:
            with self._lock:
                waiters.count -= 1
                self._count -= 1
                sessions = self._held.get(public_id, {})
                if waiters.count == 0 and sessions.get(revision) is waiters:
                    del sessions[revision]
                    if not sessions:
                        del self._held[public_id]
        return waiters.seen if woken else revision

    def close(self) -> None:
        """Answer every held poll now as "nothing new", and hold none after.

        For a server that stops. A gunicorn worker told to stop (a graceful
        restart) calls it from its SIGTERM handler (``post_worker_init`` in
        gunicorn.conf.py): it can only exit once its requests are answered,
        and held polls would keep it up to ``HOLD_S``, the restart with
        them. Each phone's script asks again at once, on a new worker; a poll
        this process gets meanwhile is answered at once, as above the limit.
        In tests, a live server's held polls would otherwise read a database
        that may be gone by then (the next test drops its tables).
        """
        with self._lock:
            self._closed = True
            for by_revision in self._held.values():
                for revision, waiters in by_revision.items():
                    if not waiters.woken.is_set():
                        waiters.seen = revision
                        waiters.woken.set()
            thread = self._thread
            self._work.set()  # the thread sees it is closed, and ends
        # Its read under way ends first: a database connection it holds would
        # otherwise go back to a pool the app may have let go meanwhile.
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    @property
    def held(self) -> int:
        """How many polls this process holds now."""
        return self._count

    def _start_if_needed(self) -> None:
        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="poll watch", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while True:
            self._work.wait()
            with self._lock:
                if self._closed:
                    return
                watched = list(self._held)
                if not watched:
                    self._work.clear()
                    continue
            try:
                with self.app.app_context():
                    current = revisions(watched)
            except Exception:  # the database is away: every held poll reads again
                self.app.logger.exception("poll watch: reading revisions failed")
                current = {}
            self._wake(current)
            time.sleep(self.interval_s)

    def _wake(self, current: dict[str, int]) -> None:
        """Wake the polls whose session moved on (or is gone, or is due)."""
        with self._lock:
            for public_id, by_revision in self._held.items():
                now = current.get(public_id, GONE)
                for revision, waiters in by_revision.items():
                    if now != revision and not waiters.woken.is_set():
                        waiters.seen = now
                        waiters.woken.set()


def init_app(app: Flask) -> None:
    watch = Watch(app, app.config["QUIZ_HELD_POLLS"])
    app.extensions["quizapp.poll_watch"] = watch
    app.wsgi_app = PollShortcut(app, app.wsgi_app, watch, app.config["QUIZ_THREADS"])
